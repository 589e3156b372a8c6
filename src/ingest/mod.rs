//! Ingestion: from CSV bytes to validated respondent rows.
//!
//! [`chunk`] cuts a file into chunks of whole records; [`Plan`] maps a file's
//! header to the study's columns; [`RowEval`] turns one record into a period,
//! a weight, a group per dimension and a 0-100 score per measure
//! (METHODOLOGY 1-2), or a rejection with its reason.

pub mod chunk;

use rustc_hash::FxHashMap;
use std::fmt;
use std::path::Path;

use crate::config::{BadRows, DimKind, MeasureKind, PeriodSource, QuestionSpec, Study};
use crate::diag::{Diagnostic, Diagnostics};

/// "No group in this dimension" in a row's group list.
pub const NO_GROUP: u32 = u32::MAX;

/// Why a row was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The row has more or fewer fields than the header.
    FieldCount,
    /// The date is empty or not a valid date in the configured format.
    BadDate,
    /// The period label is empty or not a configured period.
    BadPeriod,
    /// An answer is outside its scale and not a missing code.
    OutOfScale,
    /// A number field (answer, band) is not a number.
    NotANumber,
    /// The weight is empty, not a number, negative or not finite.
    BadWeight,
    /// A text field is not valid UTF-8.
    InvalidUtf8,
    /// The row's value of a raking variable has no population target.
    NoTarget,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::FieldCount => "field_count",
            Reason::BadDate => "bad_date",
            Reason::BadPeriod => "bad_period",
            Reason::OutOfScale => "out_of_scale",
            Reason::NotANumber => "not_a_number",
            Reason::BadWeight => "bad_weight",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::NoTarget => "no_target",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected row's fault: reason, column and the offending value.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub reason: Reason,
    pub column: String,
    pub value: String,
    pub detail: String,
}

/// The columns of one data file, resolved against the study.
#[derive(Debug, Clone)]
pub struct Plan {
    pub header: Vec<String>,
    period_col: usize,
    weight_col: Option<usize>,
    /// (measure index, column index) of every question.
    questions: Vec<(usize, usize)>,
    dim_cols: Vec<usize>,
}

impl Plan {
    /// Resolves the columns; a missing column is an error naming the config
    /// line that refers to it.
    pub fn new(study: &Study, file: &Path, header: Vec<String>) -> Result<Plan, Diagnostics> {
        let diags = crate::config::check_header(&study.column_refs, file, &header);
        if diags.has_errors() {
            return Err(diags);
        }
        let col = |name: &str| -> usize {
            header
                .iter()
                .position(|h| h == name)
                .expect("checked by check_header")
        };
        let questions = study
            .measures
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match &m.kind {
                MeasureKind::Question(q) => Some((i, col(&q.column))),
                _ => None,
            })
            .collect();
        Ok(Plan {
            period_col: col(study.period.column()),
            weight_col: study.data.weight.as_deref().map(col),
            questions,
            dim_cols: study.dimensions.iter().map(|d| col(&d.column)).collect(),
            header,
        })
    }
}

/// The fields of one record, however it was split.
pub trait Fields {
    fn count(&self) -> usize;
    fn field(&self, i: usize) -> &[u8];
}

impl Fields for csv::ByteRecord {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        &self[i]
    }
}

/// A record without quotes, split at its delimiters: `ends[i]` is where
/// field i ends (field i starts after the previous delimiter).
pub struct SplitLine<'a> {
    pub line: &'a [u8],
    pub ends: &'a [usize],
}

impl Fields for SplitLine<'_> {
    #[inline]
    fn count(&self) -> usize {
        self.ends.len()
    }
    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        &self.line[start..self.ends[i]]
    }
}

/// Reads the header record of a file from its first bytes.
pub fn parse_header(bytes: &[u8], delimiter: u8, quote: u8) -> Result<Vec<String>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .quote(quote)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => rec
            .iter()
            .enumerate()
            .map(|(i, f)| {
                std::str::from_utf8(f)
                    .map(|s| s.trim().to_string())
                    .map_err(|_| format!("header field {} is not valid UTF-8", i + 1))
            })
            .collect(),
        Ok(false) => Err("the file has no header row".into()),
        Err(e) => Err(format!("cannot read the header: {e}")),
    }
}

#[inline]
fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Parses a number: fast for plain integers and decimals, std otherwise.
#[inline]
pub fn parse_number(b: &[u8]) -> Option<f64> {
    if !b.is_empty() && b.len() <= 15 {
        let (neg, digits) = match b[0] {
            b'-' => (true, &b[1..]),
            b'+' => (false, &b[1..]),
            _ => (false, b),
        };
        let mut int: u64 = 0;
        let mut frac_digits = 0u32;
        let mut seen_dot = false;
        let mut any = false;
        let mut ok = true;
        for &c in digits {
            match c {
                b'0'..=b'9' => {
                    int = int * 10 + (c - b'0') as u64;
                    any = true;
                    if seen_dot {
                        frac_digits += 1;
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && any {
            const POW10: [f64; 16] = [
                1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                1e15,
            ];
            // Exact: int < 10^15 < 2^53, and one correctly rounded division.
            let v = int as f64 / POW10[frac_digits as usize];
            return Some(if neg { -v } else { v });
        }
    }
    std::str::from_utf8(b).ok()?.parse::<f64>().ok()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Per-chunk interning of the values of `distinct` dimensions.
#[derive(Debug, Default)]
pub struct Interner {
    pub map: FxHashMap<Box<[u8]>, u32>,
    pub values: Vec<String>,
}

impl Interner {
    fn intern(&mut self, b: &[u8]) -> Result<u32, ()> {
        if let Some(&i) = self.map.get(b) {
            return Ok(i);
        }
        let s = std::str::from_utf8(b).map_err(|_| ())?;
        let i = self.values.len() as u32;
        self.values.push(s.to_string());
        self.map.insert(b.into(), i);
        Ok(i)
    }
}

/// Counts of rows without a group in a dimension.
#[derive(Debug, Clone, Default)]
pub struct Unassigned {
    /// The field was empty.
    pub empty: u64,
    /// The value matched no group (values), or fell in no band.
    pub unmatched: u64,
    /// The unmatched values and how often each occurred (first 100 values).
    pub values: std::collections::BTreeMap<String, u64>,
}

pub const MAX_UNMATCHED_VALUES: usize = 100;

/// Evaluates rows of one file: the study's rules, with per-chunk state.
pub struct RowEval<'a> {
    study: &'a Study,
    plan: &'a Plan,
    tables: &'a Tables,
    /// `values` dimensions: raw value bytes -> group.
    value_maps: &'a [FxHashMap<Box<[u8]>, u32>],
    small: &'a [Option<Box<[f64; 100]>>],
    pub values: Vec<f64>,
    pub groups: Vec<u32>,
    pub interners: Vec<Interner>,
    pub unassigned: Vec<Unassigned>,
    /// Answers made missing under `bad_rows = "missing"`, per measure.
    pub invalid: Vec<u64>,
    pub period_to: Option<i32>,
    /// The category of every raking dimension in the margin that applies to
    /// the row's period (`[weighting]`), 0 where none applies.
    pub rake: [u32; MAX_RAKE_DIMS],
}

/// At most this many raking dimensions.
pub const MAX_RAKE_DIMS: usize = 8;

/// What one row is.
pub enum RowKind {
    /// Used: `period`, `weight`; groups and values are in the evaluator.
    Used {
        period: i32,
        weight: f64,
    },
    /// Outside the period range of the run.
    Outside {
        period: i32,
    },
    Rejected(Fault),
}

/// Study-wide lookup tables shared by every chunk.
/// An aggregate node in evaluation order, with its children's range in
/// [`Tables::children`].
pub struct Agg {
    pub node: usize,
    pub coverage: f64,
    pub children: std::ops::Range<usize>,
}

pub struct Tables {
    /// Aggregates, children before parents, with their children flattened
    /// as (measure, normalised weight) for a tight loop.
    pub aggs: Vec<Agg>,
    pub children: Vec<(u32, f64)>,
    /// `children` with derived weights, for the periods that have them.
    pub period_children: FxHashMap<i32, Vec<(u32, f64)>>,
    /// Gaps: (gap measure, node, expectation question).
    pub gaps: Vec<(usize, usize, usize)>,
    /// Shares: (share measure, question, min score, max score).
    pub shares: Vec<(usize, usize, f64, f64)>,
    /// NPS: (NPS measure, question).
    pub nps: Vec<(usize, usize)>,
    pub value_maps: Vec<FxHashMap<Box<[u8]>, u32>>,
    /// Per measure (questions only): the score of each one- or two-digit
    /// integer answer 0..=99, NaN for a missing code, infinity when out of
    /// scale (which takes the slow path, for its error message). Survey
    /// answers are nearly always such integers.
    pub small: Vec<Option<Box<[f64; 100]>>>,
}

impl Tables {
    pub fn new(study: &Study) -> Tables {
        // Reverse depth-first order puts children before their parents.
        let agg_order: Vec<usize> = (0..study.measures.len())
            .rev()
            .filter(|&i| matches!(study.measures[i].kind, MeasureKind::Node))
            .collect();
        let mut children = Vec::new();
        let aggs = agg_order
            .iter()
            .map(|&i| {
                let m = &study.measures[i];
                let start = children.len();
                children.extend(
                    m.children
                        .iter()
                        .map(|&c| (c as u32, study.measures[c].weight)),
                );
                Agg {
                    node: i,
                    coverage: m.coverage,
                    children: start..children.len(),
                }
            })
            .collect();
        let gaps = study
            .measures
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m.kind {
                MeasureKind::Gap { node, expectation } => Some((i, node, expectation)),
                _ => None,
            })
            .collect();
        let shares = study
            .measures
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m.kind {
                MeasureKind::Share { question, min, max } => Some((i, question, min, max)),
                _ => None,
            })
            .collect();
        let nps = study
            .measures
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m.kind {
                MeasureKind::Nps { question, .. } => Some((i, question)),
                _ => None,
            })
            .collect();
        let value_maps = study
            .dimensions
            .iter()
            .map(|d| {
                d.value_map
                    .iter()
                    .map(|(k, &v)| (k.as_bytes().into(), v as u32))
                    .collect()
            })
            .collect();
        let small = study
            .measures
            .iter()
            .map(|m| match &m.kind {
                MeasureKind::Question(q) => {
                    let mut t = Box::new([0.0; 100]);
                    for (v, slot) in t.iter_mut().enumerate() {
                        *slot = match q.score(v as f64) {
                            Ok(Some(s)) => s,
                            Ok(None) => f64::NAN,
                            Err(_) => f64::INFINITY,
                        };
                    }
                    Some(t)
                }
                _ => None,
            })
            .collect();
        Tables {
            aggs,
            children,
            period_children: FxHashMap::default(),
            gaps,
            shares,
            nps,
            value_maps,
            small,
        }
    }
}

impl Tables {
    /// Uses `weights` (each measure's normalised weight inside its parent)
    /// for the rows of `period` instead of the config's weights.
    pub fn set_period_weights(&mut self, period: i32, weights: &[f64]) {
        let list = self
            .children
            .iter()
            .map(|&(c, _)| (c, weights[c as usize]))
            .collect();
        self.period_children.insert(period, list);
    }
}

impl<'a> RowEval<'a> {
    pub fn new(
        study: &'a Study,
        plan: &'a Plan,
        tables: &'a Tables,
        period_to: Option<i32>,
    ) -> Self {
        let nd = study.dimensions.len();
        RowEval {
            study,
            plan,
            tables,
            value_maps: &tables.value_maps,
            small: &tables.small,
            values: vec![f64::NAN; study.measures.len()],
            groups: vec![NO_GROUP; nd],
            interners: (0..nd).map(|_| Interner::default()).collect(),
            unassigned: vec![Unassigned::default(); nd],
            invalid: vec![0; study.measures.len()],
            period_to,
            rake: [0; MAX_RAKE_DIMS],
        }
    }

    fn fault(&self, reason: Reason, col: usize, value: &[u8], detail: String) -> RowKind {
        RowKind::Rejected(Fault {
            reason,
            column: self.plan.header[col].clone(),
            value: lossy(value),
            detail,
        })
    }

    /// Evaluates one record.
    pub fn eval<F: Fields>(&mut self, rec: &F) -> RowKind {
        let study = self.study;
        let plan = self.plan;
        if rec.count() != plan.header.len() {
            return RowKind::Rejected(Fault {
                reason: Reason::FieldCount,
                column: String::new(),
                value: rec.count().to_string(),
                detail: format!(
                    "expected {} fields (as in the header), found {}",
                    plan.header.len(),
                    rec.count()
                ),
            });
        }
        // Period.
        let pc = plan.period_col;
        let pf = trim(rec.field(pc));
        let period = match &study.period.source {
            PeriodSource::Date { parser, grain, .. } => {
                let ym = parser.year_month_bytes(pf);
                match ym {
                    Some((y, m)) => grain.of_date(y, m),
                    None => {
                        let detail = if pf.is_empty() {
                            "the date is empty".to_string()
                        } else {
                            format!("`{}` is not a valid date", lossy(pf))
                        };
                        return self.fault(Reason::BadDate, pc, pf, detail);
                    }
                }
            }
            PeriodSource::Column { .. } => {
                let label = std::str::from_utf8(pf).ok();
                match label.and_then(|s| study.period.calendar.parse_label(s)) {
                    Some(p) => p,
                    None => {
                        let detail = format!(
                            "`{}` is not {}",
                            lossy(pf),
                            study.period.calendar.expected()
                        );
                        return self.fault(Reason::BadPeriod, pc, pf, detail);
                    }
                }
            }
        };
        if study.period.from.is_some_and(|f| period < f)
            || self.period_to.is_some_and(|t| period > t)
        {
            return RowKind::Outside { period };
        }
        // Weight.
        let weight = match plan.weight_col {
            None => 1.0,
            Some(wc) => {
                let f = trim(rec.field(wc));
                match parse_number(f) {
                    Some(w) if w.is_finite() && w >= 0.0 => w,
                    _ => {
                        let detail = if f.is_empty() {
                            "the weight is empty".to_string()
                        } else {
                            format!("weight `{}` is not a finite number >= 0", lossy(f))
                        };
                        return self.fault(Reason::BadWeight, wc, f, detail);
                    }
                }
            }
        };
        // Groups.
        for (d, dim) in study.dimensions.iter().enumerate() {
            let c = plan.dim_cols[d];
            let f = trim(rec.field(c));
            if f.is_empty() {
                self.groups[d] = NO_GROUP;
                continue;
            }
            let g = match dim.kind {
                DimKind::Values => self.value_maps[d].get(f).copied(),
                DimKind::Bands => match parse_number(f) {
                    Some(x) if x.is_finite() => dim.band_of(x).map(|g| g as u32),
                    _ => {
                        let detail = format!(
                            "`{}` in band dimension `{}` is not a number",
                            lossy(f),
                            dim.id
                        );
                        return self.fault(Reason::NotANumber, c, f, detail);
                    }
                },
                DimKind::Distinct => match self.interners[d].intern(f) {
                    Ok(g) => Some(g),
                    Err(()) => {
                        let detail =
                            format!("the value of dimension `{}` is not valid UTF-8", dim.id);
                        return self.fault(Reason::InvalidUtf8, c, f, detail);
                    }
                },
            };
            self.groups[d] = g.unwrap_or(NO_GROUP);
        }
        // Raking categories (METHODOLOGY 9).
        if let Some(w) = &study.analysis.weighting {
            for (k, &d) in w.dims.iter().enumerate() {
                let margin = w
                    .margins
                    .iter()
                    .find(|m| m.dimension == d && m.period == Some(period))
                    .or_else(|| {
                        w.margins
                            .iter()
                            .find(|m| m.dimension == d && m.period.is_none())
                    });
                let Some(m) = margin else {
                    self.rake[k] = 0;
                    continue;
                };
                let c = plan.dim_cols[d];
                let f = trim(rec.field(c));
                let cat = match study.dimensions[d].kind {
                    DimKind::Distinct => std::str::from_utf8(f)
                        .ok()
                        .and_then(|v| m.value_map.get(v).copied()),
                    _ => match self.groups[d] {
                        NO_GROUP => None,
                        g => m.group_map[g as usize],
                    },
                };
                match cat {
                    Some(x) => self.rake[k] = x,
                    None => {
                        let dim = &study.dimensions[d];
                        let when = match m.period {
                            Some(p) => format!(" for {}", study.period.calendar.label(p)),
                            None => String::new(),
                        };
                        let detail = if f.is_empty() {
                            format!("the raking variable `{}` is empty", dim.id)
                        } else {
                            format!(
                                "`{}` of `{}` has no target share in the [weighting] margin{when}",
                                lossy(f),
                                dim.id
                            )
                        };
                        return self.fault(Reason::NoTarget, c, f, detail);
                    }
                }
            }
        }
        // Answers (METHODOLOGY 1).
        let policy = study.bad_rows;
        for &(mi, c) in &plan.questions {
            let raw = rec.field(c);
            // Fast path: a one- or two-digit answer.
            let small = match *raw {
                [a] if a.is_ascii_digit() => Some((a - b'0') as usize),
                [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    Some(((a - b'0') * 10 + (b - b'0')) as usize)
                }
                _ => None,
            };
            if let (Some(v), Some(t)) = (small, &self.small[mi]) {
                let s = t[v];
                if s != f64::INFINITY {
                    self.values[mi] = s;
                    continue;
                }
            }
            let MeasureKind::Question(q) = &study.measures[mi].kind else {
                continue;
            };
            let f = trim(raw);
            self.values[mi] = if f.is_empty() {
                f64::NAN
            } else {
                match score(q, f) {
                    Ok(Some(s)) => s,
                    Ok(None) => f64::NAN,
                    Err(reason) => {
                        if policy == BadRows::Missing {
                            self.invalid[mi] += 1;
                            f64::NAN
                        } else {
                            let detail = match reason {
                                Reason::NotANumber => format!("answer `{}` is not a number", lossy(f)),
                                _ => format!(
                                    "answer `{}` is outside the scale {}..{} and not a missing code{}",
                                    lossy(f),
                                    q.lo,
                                    q.hi,
                                    if q.missing.is_empty() {
                                        String::new()
                                    } else {
                                        format!(
                                            " ({})",
                                            q.missing.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
                                        )
                                    }
                                ),
                            };
                            return self.fault(reason, c, f, detail);
                        }
                    }
                }
            };
        }
        // The row is used: count unassigned groups now (not for rejected rows).
        for d in 0..self.groups.len() {
            if self.groups[d] == NO_GROUP {
                let f = trim(rec.field(plan.dim_cols[d]));
                let u = &mut self.unassigned[d];
                if f.is_empty() {
                    u.empty += 1;
                } else {
                    u.unmatched += 1;
                    let v = lossy(f);
                    if let Some(n) = u.values.get_mut(&v) {
                        *n += 1;
                    } else if u.values.len() < MAX_UNMATCHED_VALUES {
                        u.values.insert(v, 1);
                    }
                }
            }
        }
        self.score_nodes(period);
        RowKind::Used { period, weight }
    }

    /// Aggregates and gaps from the question scores (METHODOLOGY 2, 5).
    fn score_nodes(&mut self, period: i32) {
        let t = self.tables;
        // Derived weights are rare: no hash lookup per row without them.
        let children = if t.period_children.is_empty() {
            t.children.as_slice()
        } else {
            match t.period_children.get(&period) {
                Some(c) => c.as_slice(),
                None => t.children.as_slice(),
            }
        };
        for a in &t.aggs {
            let (mut sv, mut sum) = (0.0, 0.0);
            for &(c, v) in &children[a.children.clone()] {
                let y = self.values[c as usize];
                // Branch-free: answers are missing at random, so a branch
                // here is mispredicted often. Adding exact zeros for a
                // missing child gives the same bits as skipping it.
                let present = !y.is_nan();
                sv += if present { v } else { 0.0 };
                sum += if present { v * y } else { 0.0 };
            }
            // Tolerance for weights such as 1/3 + 1/3 against coverage 2/3.
            self.values[a.node] = if sv > 0.0 && sv >= a.coverage - 1e-9 {
                sum / sv
            } else {
                f64::NAN
            };
        }
        for &(i, node, expectation) in &t.gaps {
            self.values[i] = self.values[node] - self.values[expectation];
        }
        for &(i, q, min, max) in &t.shares {
            let y = self.values[q];
            self.values[i] = if y.is_nan() {
                f64::NAN
            } else if y >= min && y <= max {
                100.0
            } else {
                0.0
            };
        }
        // NPS (METHODOLOGY 5): promoters answer 9-10 (score 90, 100),
        // detractors 0-6 (score <= 60).
        for &(i, q) in &t.nps {
            let y = self.values[q];
            self.values[i] = if y.is_nan() {
                f64::NAN
            } else if y >= 85.0 {
                100.0
            } else if y <= 65.0 {
                -100.0
            } else {
                0.0
            };
        }
    }
}

#[inline]
fn score(q: &QuestionSpec, f: &[u8]) -> Result<Option<f64>, Reason> {
    let x = parse_number(f).ok_or(Reason::NotANumber)?;
    q.score(x).map_err(|_| Reason::OutOfScale)
}

/// Problems with a data file as a whole, before any row.
pub fn file_error(file: &Path, msg: impl Into<String>, help: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(Some(crate::diag::Location::file(file)), msg).with_help(help));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"7"), Some(7.0));
        assert_eq!(parse_number(b"-1.5"), Some(-1.5));
        assert_eq!(parse_number(b"0.1"), Some(0.1));
        assert_eq!(parse_number(b"87.35"), Some(87.35));
        assert_eq!(parse_number(b"1e2"), Some(100.0));
        assert_eq!(parse_number(b"abc"), None);
        assert_eq!(parse_number(b"1.2.3"), None);
        assert_eq!(parse_number(b"."), None);
        assert!(parse_number(b"inf").unwrap().is_infinite());
        assert!(parse_number(b"NaN").unwrap().is_nan());
    }
}
