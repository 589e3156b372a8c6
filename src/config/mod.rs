//! Study configuration: loading the TOML files, validating every reference,
//! and resolving them into the [`Study`] the engine runs.
//!
//! A study file may `include` other files (relative paths); sections are
//! merged: single tables (`[study]`, `[data]`, `[period]`, `[report]`, each
//! scale) may appear in one file only, arrays of tables (`[[node]]`,
//! `[[question]]`, `[[dimension]]`, `[[benchmark]]`) are concatenated in
//! include order. Every problem found is collected with its file, line and
//! column; nothing stops at the first one.

pub mod analysis;
pub mod raw;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::diag::{did_you_mean, suggest, Diagnostic, Diagnostics, Location, SourceFile};
use crate::period::{Calendar, DateParser, Grain};
pub use analysis::{Analysis, DeriveMethod, Derived};
use raw::*;

/// Report chrome language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    ZhCn,
}

impl Locale {
    pub const NAMES: [&'static str; 2] = ["en", "zh-CN"];
    pub fn parse(s: &str) -> Option<Locale> {
        match s {
            "en" => Some(Locale::En),
            "zh-CN" => Some(Locale::ZhCn),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }
}

/// What happens to a row that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadRows {
    /// The row goes to rejected.csv with its line and reason; the run goes on.
    Reject,
    /// The first bad row stops the run.
    Fail,
    /// Out-of-scale or non-numeric answers become missing and are counted
    /// per question; other faults (dates, weights, row length) reject the row.
    Missing,
}

impl BadRows {
    pub const NAMES: [&'static str; 3] = ["reject", "fail", "missing"];
    fn parse(s: &str) -> Option<BadRows> {
        match s {
            "reject" => Some(BadRows::Reject),
            "fail" => Some(BadRows::Fail),
            "missing" => Some(BadRows::Missing),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            BadRows::Reject => "reject",
            BadRows::Fail => "fail",
            BadRows::Missing => "missing",
        }
    }
}

/// A config file that went into the study, with its content digest.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct DataSpec {
    pub files: Vec<PathBuf>,
    pub delimiter: u8,
    pub quote: u8,
    pub weight: Option<String>,
}

#[derive(Debug, Clone)]
pub enum PeriodSource {
    Date {
        column: String,
        parser: DateParser,
        grain: Grain,
    },
    Column {
        column: String,
    },
}

#[derive(Debug, Clone)]
pub struct PeriodSpec {
    pub source: PeriodSource,
    pub calendar: Calendar,
    pub from: Option<i32>,
}

impl PeriodSpec {
    pub fn column(&self) -> &str {
        match &self.source {
            PeriodSource::Date { column, .. } | PeriodSource::Column { column } => column,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scale {
    pub id: String,
    pub lo: f64,
    pub hi: f64,
    pub missing: Vec<f64>,
    pub label: Option<String>,
}

/// An answer outside its scale that is not a missing code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfScale;

/// How a question's raw answers become 0-100 scores.
#[derive(Debug, Clone)]
pub struct QuestionSpec {
    pub column: String,
    pub scale: usize,
    pub lo: f64,
    pub hi: f64,
    pub reverse: bool,
    /// Missing codes: the scale's and the question's own.
    pub missing: Vec<f64>,
}

impl QuestionSpec {
    /// The 0-100 score of an answer (METHODOLOGY 1), `None` when it is a
    /// missing code, `Err` when it is outside the scale.
    pub fn score(&self, x: f64) -> Result<Option<f64>, OutOfScale> {
        if self.missing.contains(&x) {
            return Ok(None);
        }
        if !(x >= self.lo && x <= self.hi) {
            return Err(OutOfScale);
        }
        let s = (x - self.lo) / (self.hi - self.lo) * 100.0;
        Ok(Some(if self.reverse { 100.0 - s } else { s }))
    }
}

#[derive(Debug, Clone)]
pub enum MeasureKind {
    /// An aggregate of its children (the index, categories, sub-categories).
    Node,
    /// A rated question: a leaf of the hierarchy, or standalone when it has
    /// no parent.
    Question(QuestionSpec),
    /// Expectation gap of a node: performance - expectation, per respondent.
    Gap { node: usize, expectation: usize },
    /// Share of a question's answers whose score is in [min, max]: 100 when
    /// in, 0 when out, per respondent (METHODOLOGY 5).
    Share { question: usize, min: f64, max: f64 },
    /// Net Promoter Score of a 0-10 question: 100 promoter, -100 detractor,
    /// 0 passive; with its promoter and detractor share measures.
    Nps {
        question: usize,
        promoters: usize,
        detractors: usize,
    },
}

/// Everything with a score per respondent and a row per cell in cells.csv.
#[derive(Debug, Clone)]
pub struct Measure {
    pub id: String,
    pub label: String,
    pub kind: MeasureKind,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Depth in the hierarchy (index 0); standalone questions and gaps 0.
    pub level: usize,
    /// Weight as stated in the config (`None`: not stated, equal weights).
    pub stated_weight: Option<f64>,
    /// Weight normalised inside the parent (0 for measures without parent).
    pub weight: f64,
    /// Share of the children's weight that must be answered (nodes only).
    pub coverage: f64,
    pub expectation: Option<usize>,
    pub outcome: Option<usize>,
    /// Children's weights derived from the data (METHODOLOGY 6).
    pub derived: Option<Derived>,
    /// The question rating this measure's importance (`derived:importance`).
    pub importance: Option<usize>,
}

impl Measure {
    /// A measure computed from others per respondent (gap, share, NPS):
    /// outside the hierarchy, no weight.
    pub fn computed(id: String, label: String, kind: MeasureKind) -> Measure {
        Measure {
            id,
            label,
            kind,
            parent: None,
            children: Vec::new(),
            level: 0,
            stated_weight: None,
            weight: 0.0,
            coverage: 0.0,
            expectation: None,
            outcome: None,
            derived: None,
            importance: None,
        }
    }

    /// The outcome a node's children drive: its own `outcome`, else the
    /// nearest ancestor's.
    pub fn outcome_for_drivers(&self, measures: &[Measure]) -> Option<usize> {
        let mut m = self;
        loop {
            if let Some(o) = m.outcome {
                return Some(o);
            }
            m = &measures[m.parent?];
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match (&self.kind, self.parent) {
            (MeasureKind::Node, None) => "index",
            (MeasureKind::Node, Some(_)) => "node",
            (MeasureKind::Question(_), Some(_)) => "question",
            (MeasureKind::Question(_), None) => "standalone",
            (MeasureKind::Gap { .. }, _) => "gap",
            (MeasureKind::Share { .. }, _) => "share",
            (MeasureKind::Nps { .. }, _) => "nps",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub values: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DimKind {
    Values,
    Bands,
    Distinct,
}

impl DimKind {
    pub fn name(self) -> &'static str {
        match self {
            DimKind::Values => "values",
            DimKind::Bands => "bands",
            DimKind::Distinct => "distinct",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    pub column: String,
    pub kind: DimKind,
    /// Declared groups (empty for `distinct`).
    pub groups: Vec<Group>,
    /// The own-brand group: every other group is compared with it.
    pub own: Option<usize>,
    /// `values`: raw value -> group.
    pub value_map: HashMap<String, usize>,
}

impl Dimension {
    /// The group of a band value (`min <= x < max`).
    pub fn band_of(&self, x: f64) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.min.is_none_or(|lo| x >= lo) && g.max.is_none_or(|hi| x < hi))
    }
}

#[derive(Debug, Clone)]
pub struct Benchmark {
    pub id: String,
    pub label: String,
    pub node: String,
    pub value: f64,
    pub period: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Section {
    pub kind: String,
    pub title: Option<String>,
    pub dimensions: Option<Vec<String>>,
    pub nodes: Option<Vec<String>>,
    pub periods: Option<u32>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Branding {
    /// Main colour (`#rrggbb`).
    pub primary: Option<String>,
    pub accent: Option<String>,
    /// Logo file, relative to the study file's folder.
    pub logo: Option<String>,
    /// Font families, most preferred first.
    pub font: Vec<String>,
    /// Footer text (default: the client).
    pub footer: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportLayout {
    pub title: Option<String>,
    pub formats: Vec<String>,
    /// Template folder, relative to the study file's folder (default: the
    /// built-in copy of report_templates/default).
    pub template: Option<String>,
    /// Extra font folders for the PDF, relative to the study file's folder.
    pub fonts: Vec<String>,
    pub branding: Branding,
    pub sections: Vec<Section>,
}

/// Section kinds a report layout may name.
pub const SECTION_KINDS: [&str; 14] = [
    "cover",
    "summary",
    "trend",
    "hierarchy",
    "segments",
    "brands",
    "gaps",
    "nps",
    "drivers",
    "ipa",
    "kano",
    "pls",
    "weighting",
    "method",
];
pub const REPORT_FORMATS: [&str; 2] = ["html", "pdf"];

/// A config location of a data column reference, for header errors.
#[derive(Debug, Clone)]
pub struct ColumnRef {
    pub column: String,
    pub what: String,
    pub location: Location,
}

/// A validated study, ready to run.
#[derive(Debug, Clone)]
pub struct Study {
    pub id: String,
    pub name: String,
    pub client: Option<String>,
    pub locale: Locale,
    pub alpha: f64,
    pub min_base: u64,
    pub min_report: u64,
    pub coverage: f64,
    pub bad_rows: BadRows,
    pub study_file: PathBuf,
    pub config_files: Vec<ConfigFile>,
    /// sha256 over every config file's path and content, in load order.
    pub digest: String,
    pub data: DataSpec,
    pub period: PeriodSpec,
    pub scales: Vec<Scale>,
    /// Measures in report order: the hierarchy depth first, then standalone
    /// questions, then expectation gaps.
    pub measures: Vec<Measure>,
    pub root: usize,
    pub dimensions: Vec<Dimension>,
    pub benchmarks: Vec<Benchmark>,
    pub report: ReportLayout,
    pub column_refs: Vec<ColumnRef>,
    pub analysis: Analysis,
}

impl Study {
    pub fn measure_index(&self, id: &str) -> Option<usize> {
        self.measures.iter().position(|m| m.id == id)
    }
}

/// A value with the file it came from.
struct At<T> {
    file: usize,
    v: Spanned<T>,
}

impl<T> At<T> {
    fn new(file: usize, v: Spanned<T>) -> Self {
        At { file, v }
    }
}

struct Loader {
    sources: Vec<SourceFile>,
    diags: Diagnostics,
    /// A config file could not be read: references into it are not checked.
    partial: bool,
    unchecked: usize,
}

/// Valid ids: letters, digits, `_`, `-`, `.` (no spaces, no `:`), so that
/// they are safe in file names, CSV and URLs and cannot collide with derived
/// ids such as `gap:network`.
fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

enum Seg {
    Key(String),
    Index(usize),
}

fn path_segments(path: &serde_ignored::Path<'_>) -> Vec<Seg> {
    use serde_ignored::Path as P;
    let mut segs = Vec::new();
    let mut p = path;
    loop {
        match p {
            P::Root => break,
            P::Seq { parent, index } => {
                segs.push(Seg::Index(*index));
                p = parent;
            }
            P::Map { parent, key } => {
                if !key.starts_with("$__serde_spanned_private") {
                    segs.push(Seg::Key(key.clone()));
                }
                p = parent;
            }
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                p = parent
            }
        }
    }
    segs.reverse();
    segs
}

/// The span of the key at `segs` in a parsed document.
fn key_span(doc: &toml::de::DeTable<'_>, segs: &[Seg]) -> Option<Range<usize>> {
    use toml::de::DeValue;
    let mut table = doc;
    let mut i = 0;
    while i < segs.len() {
        let Seg::Key(k) = &segs[i] else { return None };
        let (key, value) = table.iter().find(|(key, _)| key.get_ref().as_ref() == k)?;
        if i + 1 == segs.len() {
            return Some(key.span());
        }
        let mut v = value.get_ref();
        i += 1;
        while let (DeValue::Array(arr), Some(Seg::Index(ix))) = (v, segs.get(i)) {
            v = arr.get(*ix)?.get_ref();
            i += 1;
        }
        match v {
            DeValue::Table(t) => table = t,
            _ => return None,
        }
    }
    None
}

fn table_name(schema: &[&str]) -> String {
    match schema {
        [] => "the top level".to_string(),
        ["scales", name] => format!("[scales.{name}]"),
        ["node"] | ["question"] | ["dimension"] | ["benchmark"] | ["share"] | ["nps"] => {
            format!("[[{}]]", schema[0])
        }
        ["dimension", "group"] => "[[dimension.group]]".to_string(),
        ["report", "section"] => "[[report.section]]".to_string(),
        ["weighting", "margin"] => "[[weighting.margin]]".to_string(),
        ["pls", "latent"] => "[[pls.latent]]".to_string(),
        ["pls", "path"] => "[[pls.path]]".to_string(),
        _ => format!("[{}]", schema.join(".")),
    }
}

impl Loader {
    fn loc(&self, file: usize, span: Range<usize>) -> Location {
        Location::span(&self.sources[file], span)
    }

    fn error<T>(&mut self, at: &At<T>, msg: impl Into<String>) -> &mut Diagnostic {
        let loc = self.loc(at.file, at.v.span());
        self.diags.push(Diagnostic::error(Some(loc), msg));
        self.diags.0.last_mut().expect("just pushed")
    }

    /// A reference to an undeclared id; not reported when a config file
    /// failed to parse (the declaration may be in it).
    fn dangling(
        &mut self,
        file: usize,
        span: Range<usize>,
        msg: impl Into<String>,
        help: Option<String>,
    ) {
        if self.partial {
            self.unchecked += 1;
        } else {
            self.error_span(file, span, msg).help = help;
        }
    }

    fn error_span(
        &mut self,
        file: usize,
        span: Range<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        let loc = self.loc(file, span);
        self.diags.push(Diagnostic::error(Some(loc), msg));
        self.diags.0.last_mut().expect("just pushed")
    }

    /// Reads and parses one file; unknown keys are reported, and the typed
    /// content returned when the file is well-formed.
    fn parse_file(
        &mut self,
        path: &Path,
        from: Option<(usize, Range<usize>)>,
    ) -> Option<(usize, RawFile)> {
        let text = match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    self.diags.push(
                        Diagnostic::error(
                            Some(Location::file(path)),
                            "config file is not valid UTF-8",
                        )
                        .with_help("save the file as UTF-8"),
                    );
                    return None;
                }
            },
            Err(e) => {
                let loc = match from {
                    Some((f, span)) => Some(self.loc(f, span)),
                    None => Some(Location::file(path)),
                };
                self.diags.push(Diagnostic::error(
                    loc,
                    format!("cannot read config file {}: {e}", path.display()),
                ));
                return None;
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        self.sources.push(SourceFile::new(path.to_path_buf(), text));
        let file = self.sources.len() - 1;
        let text = self.sources[file].text.clone();
        let doc = match toml::de::DeTable::parse(&text) {
            Ok(doc) => doc,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                self.error_span(file, span, format!("invalid TOML: {}", e.message().trim()));
                return None;
            }
        };
        let spans = doc.get_ref().clone();
        let mut unknown = Vec::new();
        let result: Result<RawFile, toml::de::Error> =
            serde_ignored::deserialize(toml::de::Deserializer::from(doc), |p| {
                unknown.push(path_segments(&p))
            });
        for segs in unknown {
            let Some(Seg::Key(key)) = segs.last() else {
                continue;
            };
            let schema: Vec<&str> = segs[..segs.len() - 1]
                .iter()
                .filter_map(|s| match s {
                    Seg::Key(k) => Some(k.as_str()),
                    Seg::Index(_) => None,
                })
                .collect();
            let span = key_span(&spans, &segs).unwrap_or(0..0);
            let fields = raw::fields_of(&schema);
            let help = fields.and_then(|f| suggest(key, f.iter().copied()));
            self.error_span(
                file,
                span,
                format!("unknown key `{key}` in {}", table_name(&schema)),
            )
            .help = help;
        }
        match result {
            Ok(raw) => Some((file, raw)),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let msg = e.message().trim().to_string();
                let help = type_error_help(&msg);
                self.error_span(file, span, msg).help = help;
                None
            }
        }
    }
}

fn type_error_help(msg: &str) -> Option<String> {
    if msg.starts_with("missing field") {
        Some("add the key to this table".into())
    } else if msg.contains("expected a string") {
        Some("write the value in double quotes".into())
    } else {
        None
    }
}

/// Everything the config files declare, merged.
#[derive(Default)]
struct Merged {
    study: Option<At<RawStudy>>,
    data: Option<At<RawData>>,
    period: Option<At<RawPeriod>>,
    report: Option<At<RawReport>>,
    benchmarks: Vec<At<RawBenchmark>>,
    scales: Vec<(usize, String, Spanned<RawScale>)>,
    nodes: Vec<At<RawNode>>,
    questions: Vec<At<RawQuestion>>,
    dimensions: Vec<At<RawDimension>>,
    shares: Vec<At<RawShare>>,
    npss: Vec<At<RawNps>>,
    drivers: Option<At<RawDrivers>>,
    weighting: Option<At<RawWeighting>>,
    pls: Option<At<RawPls>>,
}

/// Loads and validates a study. Returns the study when there is no error,
/// and every problem found (warnings included) either way.
pub fn load(study_file: &Path) -> (Option<Study>, Diagnostics) {
    let l = load_all(study_file);
    (l.study, l.diagnostics)
}

/// What a config load found: the study when valid, and in any case what is
/// needed to check the data files' headers (for `csi check`, which reports
/// missing columns together with every other problem).
pub struct Loaded {
    pub study: Option<Study>,
    pub diagnostics: Diagnostics,
    pub data: Option<DataSpec>,
    pub column_refs: Vec<ColumnRef>,
}

/// Like [`load`], keeping the partial results of an invalid config.
pub fn load_all(study_file: &Path) -> Loaded {
    let mut ld = Loader {
        sources: Vec::new(),
        diags: Diagnostics::default(),
        partial: false,
        unchecked: 0,
    };
    let base = study_file.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut merged = Merged::default();
    let mut files_ok = true;
    if let Some((f, mut top)) = ld.parse_file(study_file, None) {
        let includes = top.include.take();
        merge_file(&mut ld, &mut merged, f, top);
        if let Some(inc) = includes {
            let mut seen = HashSet::new();
            for p in inc.into_inner() {
                let rel = p.get_ref().clone();
                let path = base.join(&rel);
                if !seen.insert(rel.clone()) {
                    ld.error_span(f, p.span(), format!("`{rel}` is included twice"));
                    continue;
                }
                match ld.parse_file(&path, Some((f, p.span()))) {
                    Some((g, mut raw)) => {
                        if let Some(i) = raw.include.take() {
                            ld.error_span(
                                g,
                                i.span(),
                                "only the study file may include other files",
                            )
                            .help = Some("move this include to the study file".into());
                        }
                        merge_file(&mut ld, &mut merged, g, raw);
                    }
                    None => files_ok = false,
                }
            }
        }
    } else {
        files_ok = false;
    }
    ld.partial = !files_ok;
    let has_data = merged.data.is_some();
    let (study, data, column_refs) = resolve(&mut ld, merged, study_file, &base, files_ok);
    if ld.unchecked > 0 {
        ld.diags.push(Diagnostic::warning(
            Some(Location::file(study_file)),
            format!(
                "{} reference{} to ids not checked, because a config file could not be read",
                ld.unchecked,
                if ld.unchecked == 1 { " was" } else { "s were" }
            ),
        ));
    }
    let mut diags = ld.diags;
    diags.sort();
    Loaded {
        study: if diags.has_errors() { None } else { study },
        diagnostics: diags,
        data: has_data.then_some(data),
        column_refs,
    }
}

fn merge_file(ld: &mut Loader, m: &mut Merged, f: usize, raw: RawFile) {
    fn single<T>(
        ld: &mut Loader,
        slot: &mut Option<At<T>>,
        f: usize,
        v: Option<Spanned<T>>,
        name: &str,
    ) {
        if let Some(v) = v {
            if let Some(prev) = slot {
                let prev_loc = ld.loc(prev.file, prev.v.span());
                ld.error_span(f, v.span(), format!("[{name}] is declared twice"))
                    .help = Some(format!("it is already declared at {prev_loc}; keep one"));
            } else {
                *slot = Some(At::new(f, v));
            }
        }
    }
    single(ld, &mut m.study, f, raw.study, "study");
    single(ld, &mut m.data, f, raw.data, "data");
    single(ld, &mut m.period, f, raw.period, "period");
    single(ld, &mut m.report, f, raw.report, "report");
    single(ld, &mut m.drivers, f, raw.drivers, "drivers");
    single(ld, &mut m.weighting, f, raw.weighting, "weighting");
    single(ld, &mut m.pls, f, raw.pls, "pls");
    m.shares
        .extend(raw.share.into_iter().map(|v| At::new(f, v)));
    m.npss.extend(raw.nps.into_iter().map(|v| At::new(f, v)));
    m.benchmarks
        .extend(raw.benchmark.into_iter().map(|v| At::new(f, v)));
    for (k, v) in raw.scales {
        m.scales.push((f, k, v));
    }
    m.nodes.extend(raw.node.into_iter().map(|v| At::new(f, v)));
    m.questions
        .extend(raw.question.into_iter().map(|v| At::new(f, v)));
    m.dimensions
        .extend(raw.dimension.into_iter().map(|v| At::new(f, v)));
}

fn at<T>(file: usize, v: &Spanned<T>) -> At<()> {
    At::new(file, Spanned::new(v.span(), ()))
}

fn opt_str(v: &Option<Spanned<String>>) -> Option<String> {
    v.as_ref().map(|s| s.get_ref().clone())
}

fn resolve(
    ld: &mut Loader,
    m: Merged,
    study_file: &Path,
    base: &Path,
    files_ok: bool,
) -> (Option<Study>, DataSpec, Vec<ColumnRef>) {
    let mut column_refs: Vec<ColumnRef> = Vec::new();

    // [study]
    let study = match &m.study {
        Some(s) => Some(s),
        None => {
            if files_ok {
                ld.diags.push(
                    Diagnostic::error(
                        Some(Location::file(study_file)),
                        "the study has no [study] table",
                    )
                    .with_help("add [study] with at least `id` and `name` to the study file"),
                );
            }
            None
        }
    };
    let mut alpha = 0.05;
    let mut min_base = 30u64;
    let mut min_report = 10u64;
    let mut coverage = 0.5;
    let mut locale = Locale::En;
    let mut bad_rows = BadRows::Reject;
    let (mut id, mut name, mut client) = (String::new(), String::new(), None);
    if let Some(s) = study {
        let f = s.file;
        let s = s.v.get_ref();
        id = s.id.get_ref().clone();
        if !valid_id(&id) {
            ld.error(&at(f, &s.id), format!("study id `{id}` is not a valid id"))
                .help = Some("use letters, digits, `_`, `-` or `.`".into());
        }
        name = s.name.get_ref().clone();
        client = opt_str(&s.client);
        if let Some(a) = &s.alpha {
            alpha = *a.get_ref();
            if !(alpha > 0.0 && alpha < 0.5) {
                ld.error(&at(f, a), format!("alpha = {alpha} is out of range"))
                    .help = Some(
                    "alpha is the significance level, e.g. 0.05 (must be > 0 and < 0.5)".into(),
                );
            }
        }
        let count = |ld: &mut Loader, v: &Option<Spanned<i64>>, def: u64, key: &str| -> u64 {
            match v {
                Some(x) if *x.get_ref() < 0 => {
                    ld.error(&at(f, x), format!("{key} must not be negative"));
                    def
                }
                Some(x) => *x.get_ref() as u64,
                None => def,
            }
        };
        min_base = count(ld, &s.min_base, 30, "min_base");
        min_report = count(ld, &s.min_report, 10, "min_report");
        if min_report > min_base {
            if let Some(x) = &s.min_report {
                ld.error(&at(f, x), format!("min_report ({min_report}) is larger than min_base ({min_base})"))
                    .help = Some("cells below min_report are suppressed, cells below min_base flagged: min_report <= min_base".into());
            }
        }
        if let Some(c) = &s.coverage {
            coverage = *c.get_ref();
            if !(0.0..=1.0).contains(&coverage) {
                ld.error(&at(f, c), format!("coverage = {coverage} is out of range"))
                    .help = Some("coverage is the share of a node's weight that must be answered, between 0 and 1 (default 0.5)".into());
            }
        }
        if let Some(l) = &s.locale {
            match Locale::parse(l.get_ref()) {
                Some(x) => locale = x,
                None => {
                    let help = suggest(l.get_ref(), Locale::NAMES);
                    ld.error(&at(f, l), format!("unknown locale `{}`", l.get_ref()))
                        .help = help;
                }
            }
        }
        if let Some(b) = &s.bad_rows {
            match BadRows::parse(b.get_ref()) {
                Some(x) => bad_rows = x,
                None => {
                    let help = suggest(b.get_ref(), BadRows::NAMES);
                    ld.error(
                        &at(f, b),
                        format!("unknown bad_rows policy `{}`", b.get_ref()),
                    )
                    .help = help;
                }
            }
        }
    }

    // [data]
    let mut data = DataSpec {
        files: Vec::new(),
        delimiter: b',',
        quote: b'"',
        weight: None,
    };
    match &m.data {
        None => {
            if files_ok {
                ld.diags.push(
                    Diagnostic::error(
                        Some(Location::file(study_file)),
                        "the study has no [data] table",
                    )
                    .with_help("add [data] with `files = [\"data/responses.csv\"]`"),
                );
            }
        }
        Some(d) => {
            let f = d.file;
            let dir = ld.sources[f]
                .path
                .parent()
                .unwrap_or(Path::new(""))
                .to_path_buf();
            let dv = d.v.get_ref();
            if dv.files.get_ref().is_empty() {
                ld.error(&at(f, &dv.files), "`files` is empty").help =
                    Some("list at least one CSV file, relative to this config file".into());
            }
            for p in dv.files.get_ref() {
                data.files.push(dir.join(p.get_ref()));
            }
            let one_byte =
                |ld: &mut Loader, v: &Option<Spanned<String>>, def: u8, key: &str| -> u8 {
                    match v {
                        None => def,
                        Some(s) => match s.get_ref().as_str() {
                            "\\t" | "\t" | "tab" => b'\t',
                            x if x.len() == 1 && x.is_ascii() => x.as_bytes()[0],
                            x => {
                                ld.error(
                                    &at(f, s),
                                    format!("{key} `{x}` is not a single ASCII character"),
                                )
                                .help = Some(format!("use e.g. {key} = \",\", \";\" or \"tab\""));
                                def
                            }
                        },
                    }
                };
            data.delimiter = one_byte(ld, &dv.delimiter, b',', "delimiter");
            data.quote = one_byte(ld, &dv.quote, b'"', "quote");
            if let Some(e) = &dv.encoding {
                let enc = e.get_ref().to_ascii_lowercase();
                if !matches!(enc.as_str(), "utf-8" | "utf8" | "utf-8-sig") {
                    ld.error(&at(f, e), format!("unsupported encoding `{}`", e.get_ref())).help =
                        Some("data files must be UTF-8 (with or without BOM); convert with e.g. `iconv -f GB18030 -t UTF-8`".into());
                }
            }
            if let Some(w) = &dv.weight {
                data.weight = Some(w.get_ref().clone());
                column_refs.push(ColumnRef {
                    column: w.get_ref().clone(),
                    what: "the weight column".into(),
                    location: ld.loc(f, w.span()),
                });
            }
        }
    }

    // [period]
    let mut period = None;
    match &m.period {
        None => {
            if files_ok {
                ld.diags.push(
                    Diagnostic::error(Some(Location::file(study_file)), "the study has no [period] table")
                        .with_help("add [period] with `date_column` and `grain`, or an explicit period `column`"),
                );
            }
        }
        Some(p) => period = resolve_period(ld, p, &mut column_refs),
    }

    // [scales.*]
    let mut scales: Vec<Scale> = Vec::new();
    let mut scale_ix: HashMap<String, usize> = HashMap::new();
    for (f, key, sc) in &m.scales {
        let f = *f;
        let s = sc.get_ref();
        let key = Spanned::new(sc.span(), key.clone());
        let (lo, hi) = (*s.lo.get_ref(), *s.hi.get_ref());
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            ld.error_span(
                f,
                sc.span(),
                format!(
                    "scale `{}` needs lo < hi (finite), found lo = {lo}, hi = {hi}",
                    key.get_ref()
                ),
            );
        }
        let mut missing = Vec::new();
        for mc in &s.missing {
            let x = *mc.get_ref();
            if x >= lo && x <= hi {
                ld.error(&at(f, mc), format!("missing code {x} lies inside the scale {lo}..{hi}"))
                    .help = Some("a missing code must not be a valid answer; use a code outside the scale (e.g. 99)".into());
            }
            missing.push(x);
        }
        if !valid_id(key.get_ref()) {
            ld.error_span(
                f,
                key.span(),
                format!("scale name `{}` is not a valid id", key.get_ref()),
            );
        }
        scale_ix.insert(key.get_ref().clone(), scales.len());
        scales.push(Scale {
            id: key.get_ref().clone(),
            lo,
            hi,
            missing,
            label: opt_str(&s.label),
        });
    }

    // Ids of nodes and questions share one namespace.
    let mut ids: HashMap<String, (usize, Range<usize>)> = HashMap::new();
    let mut check_id = |ld: &mut Loader, f: usize, idv: &Spanned<String>| {
        let id = idv.get_ref();
        if !valid_id(id) {
            ld.error_span(f, idv.span(), format!("`{id}` is not a valid id"))
                .help = Some("use letters, digits, `_`, `-` or `.`".into());
        }
        if let Some((pf, ps)) = ids.get(id) {
            let prev = ld.loc(*pf, ps.clone());
            ld.error_span(f, idv.span(), format!("id `{id}` is declared twice"))
                .help = Some(format!(
                "first declared at {prev}; ids of nodes and questions must be unique"
            ));
        } else {
            ids.insert(id.clone(), (f, idv.span()));
        }
    };
    for n in &m.nodes {
        check_id(ld, n.file, &n.v.get_ref().id);
    }
    for q in &m.questions {
        check_id(ld, q.file, &q.v.get_ref().id);
    }
    let node_ids: Vec<&str> = m
        .nodes
        .iter()
        .map(|n| n.v.get_ref().id.get_ref().as_str())
        .collect();
    let question_ids: Vec<&str> = m
        .questions
        .iter()
        .map(|q| q.v.get_ref().id.get_ref().as_str())
        .collect();
    let node_of: HashMap<&str, usize> = node_ids.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let question_of: HashMap<&str, usize> = question_ids
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, i))
        .collect();

    // The root and parent links.
    let roots: Vec<usize> = (0..m.nodes.len())
        .filter(|&i| m.nodes[i].v.get_ref().parent.is_none())
        .collect();
    if files_ok && m.nodes.is_empty() {
        ld.diags.push(
            Diagnostic::error(Some(Location::file(study_file)), "the study declares no [[node]]: there is no index")
                .with_help("declare the index as a [[node]] without `parent`, its categories as [[node]] with `parent`"),
        );
    } else if roots.len() > 1 {
        for &r in &roots[1..] {
            let first = node_ids[roots[0]];
            ld.error(
                &at(m.nodes[r].file, &m.nodes[r].v.get_ref().id),
                format!(
                    "node `{}` has no parent, but `{first}` is already the index (the root)",
                    node_ids[r]
                ),
            )
            .help = Some("every node but the index needs `parent`".into());
        }
    } else if roots.is_empty() && !m.nodes.is_empty() {
        let n = &m.nodes[0];
        ld.error(
            &at(n.file, &n.v),
            "no [[node]] is without `parent`, so there is no index (root)",
        )
        .help = Some("remove `parent` from the index node".into());
    }
    let parent_ref =
        |ld: &mut Loader, f: usize, p: &Spanned<String>, child: &str| -> Option<usize> {
            let pid = p.get_ref().as_str();
            if let Some(&i) = node_of.get(pid) {
                if pid == child {
                    ld.error_span(f, p.span(), format!("`{child}` is its own parent"));
                    return None;
                }
                Some(i)
            } else if question_of.contains_key(pid) {
                ld.error_span(
                    f,
                    p.span(),
                    format!("parent `{pid}` is a question; a parent must be a [[node]]"),
                );
                None
            } else {
                let help = suggest(pid, node_ids.iter().copied());
                ld.dangling(
                    f,
                    p.span(),
                    format!("parent `{pid}` is not a declared node"),
                    help,
                );
                None
            }
        };
    let mut node_parent: Vec<Option<usize>> = vec![None; m.nodes.len()];
    for (i, n) in m.nodes.iter().enumerate() {
        if let Some(p) = &n.v.get_ref().parent {
            node_parent[i] = parent_ref(ld, n.file, p, node_ids[i]);
        }
    }
    let mut question_parent: Vec<Option<usize>> = vec![None; m.questions.len()];
    for (i, q) in m.questions.iter().enumerate() {
        if let Some(p) = &q.v.get_ref().parent {
            question_parent[i] = parent_ref(ld, q.file, p, question_ids[i]);
        }
    }
    // Cycles: follow parents; a chain longer than the node count loops.
    let mut in_cycle = vec![false; m.nodes.len()];
    for start in 0..m.nodes.len() {
        let mut seen = vec![false; m.nodes.len()];
        let mut cur = Some(start);
        while let Some(c) = cur {
            if seen[c] {
                if c == start && !in_cycle[start] {
                    let mut cyc = vec![node_ids[start].to_string()];
                    let mut x = node_parent[start];
                    while let Some(y) = x {
                        cyc.push(node_ids[y].to_string());
                        in_cycle[y] = true;
                        if y == start {
                            break;
                        }
                        x = node_parent[y];
                    }
                    in_cycle[start] = true;
                    let n = &m.nodes[start];
                    ld.error(
                        &at(n.file, &n.v.get_ref().id),
                        format!("the parents form a cycle: {}", cyc.join(" -> ")),
                    )
                    .help = Some(
                        "the hierarchy must be a tree: index -> categories -> ... -> questions"
                            .into(),
                    );
                }
                break;
            }
            seen[c] = true;
            cur = node_parent[c];
        }
    }

    // Children lists, in declaration order: nodes first, then questions, as
    // declared (a node's sub-nodes before its questions).
    let mut node_children: Vec<Vec<Child>> = vec![Vec::new(); m.nodes.len()];
    for (i, p) in node_parent.iter().enumerate() {
        if let Some(p) = p {
            node_children[*p].push(Child::Node(i));
        }
    }
    for (i, p) in question_parent.iter().enumerate() {
        if let Some(p) = p {
            node_children[*p].push(Child::Question(i));
        }
    }
    for (i, ch) in node_children.iter().enumerate() {
        if ch.is_empty() && !in_cycle[i] {
            let n = &m.nodes[i];
            ld.error(
                &at(n.file, &n.v.get_ref().id),
                format!("node `{}` has no children", node_ids[i]),
            )
            .help = Some(
                "give it questions (`parent = \"...\"` on a [[question]]) or remove it".into(),
            );
        }
    }
    // Weights: finite, non-negative, all or none stated, not all zero.
    for (i, ch) in node_children.iter().enumerate() {
        let weights: Vec<(usize, Option<&Spanned<f64>>)> = ch
            .iter()
            .map(|c| match c {
                Child::Node(j) => (m.nodes[*j].file, m.nodes[*j].v.get_ref().weight.as_ref()),
                Child::Question(j) => (
                    m.questions[*j].file,
                    m.questions[*j].v.get_ref().weight.as_ref(),
                ),
            })
            .collect();
        let stated = weights.iter().filter(|(_, w)| w.is_some()).count();
        for (f, w) in &weights {
            if let Some(w) = w {
                let x = *w.get_ref();
                if !x.is_finite() || x < 0.0 {
                    ld.error(
                        &at(*f, *w),
                        format!("weight {x} must be finite and not negative"),
                    );
                }
            }
        }
        if stated > 0 && stated < weights.len() {
            let missing: Vec<&str> = ch
                .iter()
                .zip(&weights)
                .filter(|(_, (_, w))| w.is_none())
                .map(|(c, _)| match c {
                    Child::Node(j) => node_ids[*j],
                    Child::Question(j) => question_ids[*j],
                })
                .collect();
            let n = &m.nodes[i];
            ld.error(
                &at(n.file, &n.v.get_ref().id),
                format!(
                    "some children of `{}` state a weight and some do not ({} without)",
                    node_ids[i],
                    missing.join(", ")
                ),
            )
            .help = Some("state a weight for every child, or for none (equal weights)".into());
        } else if stated == weights.len()
            && !weights.is_empty()
            && weights
                .iter()
                .all(|(_, w)| w.is_some_and(|w| *w.get_ref() == 0.0))
        {
            let n = &m.nodes[i];
            ld.error(
                &at(n.file, &n.v.get_ref().id),
                format!("all children of `{}` have weight 0", node_ids[i]),
            );
        }
    }

    // Question specs.
    let mut qspecs: Vec<Option<QuestionSpec>> = Vec::new();
    for q in &m.questions {
        let f = q.file;
        let qv = q.v.get_ref();
        let column = qv
            .column
            .as_ref()
            .map(|c| c.get_ref().clone())
            .unwrap_or_else(|| qv.id.get_ref().clone());
        column_refs.push(ColumnRef {
            column: column.clone(),
            what: format!("question `{}`", qv.id.get_ref()),
            location: ld.loc(
                f,
                qv.column.as_ref().map(|c| c.span()).unwrap_or(qv.id.span()),
            ),
        });
        let spec = match scale_ix.get(qv.scale.get_ref()) {
            Some(&si) => {
                let sc = &scales[si];
                let mut missing = sc.missing.clone();
                for mc in &qv.missing {
                    let x = *mc.get_ref();
                    if x >= sc.lo && x <= sc.hi {
                        ld.error(
                            &at(f, mc),
                            format!(
                                "missing code {x} lies inside the scale {}..{}",
                                sc.lo, sc.hi
                            ),
                        );
                    }
                    missing.push(x);
                }
                Some(QuestionSpec {
                    column,
                    scale: si,
                    lo: sc.lo,
                    hi: sc.hi,
                    reverse: qv.reverse.as_ref().is_some_and(|r| *r.get_ref()),
                    missing,
                })
            }
            None => {
                let help = suggest(qv.scale.get_ref(), scales.iter().map(|s| s.id.as_str())).or(
                    Some("declare it as [scales.NAME] with lo, hi and missing".into()),
                );
                ld.dangling(
                    f,
                    qv.scale.span(),
                    format!("scale `{}` is not declared", qv.scale.get_ref()),
                    help,
                );
                None
            }
        };
        qspecs.push(spec);
    }

    // Expectation and outcome references: questions.
    let question_ref =
        |ld: &mut Loader, f: usize, r: &Spanned<String>, what: &str| -> Option<usize> {
            let id = r.get_ref().as_str();
            match question_of.get(id) {
                Some(&q) => Some(q),
                None => {
                    let help = if node_of.contains_key(id) {
                        Some(format!("`{id}` is a node; {what} must be a [[question]]"))
                    } else {
                        suggest(id, question_ids.iter().copied())
                    };
                    ld.dangling(
                        f,
                        r.span(),
                        format!("{what} `{id}` is not a declared question"),
                        help,
                    );
                    None
                }
            }
        };
    let mut node_expect = vec![None; m.nodes.len()];
    let mut node_outcome = vec![None; m.nodes.len()];
    let mut node_importance = vec![None; m.nodes.len()];
    let question_importance: Vec<Option<usize>> = m
        .questions
        .iter()
        .map(|q| {
            q.v.get_ref()
                .importance
                .as_ref()
                .and_then(|x| question_ref(ld, q.file, x, "importance"))
        })
        .collect();
    let mut node_coverage = vec![coverage; m.nodes.len()];
    for (i, n) in m.nodes.iter().enumerate() {
        let nv = n.v.get_ref();
        if let Some(e) = &nv.expectation {
            node_expect[i] = question_ref(ld, n.file, e, "expectation");
        }
        if let Some(o) = &nv.outcome {
            node_outcome[i] = question_ref(ld, n.file, o, "outcome");
        }
        if let Some(x) = &nv.importance {
            node_importance[i] = question_ref(ld, n.file, x, "importance");
        }
        if let Some(c) = &nv.coverage {
            let x = *c.get_ref();
            if !(0.0..=1.0).contains(&x) {
                ld.error(
                    &at(n.file, c),
                    format!("coverage = {x} is out of range (0..1)"),
                );
            }
            node_coverage[i] = x;
        }
    }

    // Dimensions.
    let mut dimensions = Vec::new();
    let mut dim_seen: HashMap<String, Location> = HashMap::new();
    let mut own_seen: Option<Location> = None;
    for d in &m.dimensions {
        let f = d.file;
        let dv = d.v.get_ref();
        let did = dv.id.get_ref().clone();
        if !valid_id(&did) {
            ld.error(
                &at(f, &dv.id),
                format!("`{did}` is not a valid dimension id"),
            );
        }
        if did == "total" {
            ld.error(
                &at(f, &dv.id),
                "`total` is reserved for the whole sample; choose another dimension id",
            );
        }
        if let Some(prev) = dim_seen.get(&did) {
            let prev = prev.clone();
            ld.error(
                &at(f, &dv.id),
                format!("dimension `{did}` is declared twice"),
            )
            .help = Some(format!("first declared at {prev}"));
        } else {
            dim_seen.insert(did.clone(), ld.loc(f, dv.id.span()));
        }
        column_refs.push(ColumnRef {
            column: dv.column.get_ref().clone(),
            what: format!("dimension `{did}`"),
            location: ld.loc(f, dv.column.span()),
        });
        let has_values = dv.group.iter().any(|g| g.get_ref().values.is_some());
        let has_bands = dv
            .group
            .iter()
            .any(|g| g.get_ref().min.is_some() || g.get_ref().max.is_some());
        let kind = match (dv.group.is_empty(), has_values, has_bands) {
            (true, _, _) => DimKind::Distinct,
            (false, true, false) => DimKind::Values,
            (false, false, true) => DimKind::Bands,
            (false, true, true) => {
                ld.error(
                    &at(f, &dv.id),
                    format!("dimension `{did}` mixes `values` groups and `min`/`max` bands"),
                )
                .help = Some("use either value lists or numeric bands in one dimension".into());
                DimKind::Values
            }
            (false, false, false) => {
                ld.error(&at(f, &dv.id), format!("the groups of dimension `{did}` have neither `values` nor `min`/`max`"))
                    .help = Some("give each group `values = [...]`, or `min`/`max` bounds; or list no groups for one group per distinct value".into());
                DimKind::Values
            }
        };
        let mut groups: Vec<Group> = Vec::new();
        let mut gid_seen = HashSet::new();
        let mut value_map: HashMap<String, usize> = HashMap::new();
        for g in &dv.group {
            let gv = g.get_ref();
            let gid = gv.id.get_ref().clone();
            if gid.trim().is_empty() {
                ld.error(&at(f, &gv.id), "a group needs a non-empty id");
            }
            if !gid_seen.insert(gid.clone()) {
                ld.error(
                    &at(f, &gv.id),
                    format!("group `{gid}` appears twice in dimension `{did}`"),
                );
            }
            if gid == "(rest)" {
                ld.error(
                    &at(f, &gv.id),
                    "`(rest)` is reserved for group-vs-rest comparisons",
                );
            }
            let mut values = Vec::new();
            if let Some(vs) = &gv.values {
                if vs.get_ref().is_empty() {
                    ld.error(
                        &at(f, vs),
                        format!("group `{gid}` has an empty `values` list"),
                    );
                }
                for v in vs.get_ref() {
                    let text = v.get_ref().as_text();
                    if let Some(&other) = value_map.get(&text) {
                        let og: &Group = &groups[other];
                        ld.error(
                            &at(f, v),
                            format!(
                                "value `{text}` is in group `{}` and in group `{gid}`",
                                og.id
                            ),
                        )
                        .help = Some("a value may belong to one group of a dimension only".into());
                    } else {
                        value_map.insert(text.clone(), groups.len());
                    }
                    values.push(text);
                }
            }
            let (min, max) = (
                gv.min.as_ref().map(|x| *x.get_ref()),
                gv.max.as_ref().map(|x| *x.get_ref()),
            );
            if kind == DimKind::Bands {
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo >= hi {
                        ld.error(
                            &at(f, g),
                            format!("band `{gid}` is empty: min = {lo} is not below max = {hi}"),
                        );
                    }
                }
                for x in [&gv.min, &gv.max].into_iter().flatten() {
                    if !x.get_ref().is_finite() {
                        ld.error(&at(f, x), "band bounds must be finite numbers");
                    }
                }
                for (oi, o) in groups.iter().enumerate() {
                    let overlap = min.unwrap_or(f64::NEG_INFINITY) < o.max.unwrap_or(f64::INFINITY)
                        && o.min.unwrap_or(f64::NEG_INFINITY) < max.unwrap_or(f64::INFINITY);
                    if overlap {
                        let _ = oi;
                        ld.error(
                            &at(f, g),
                            format!(
                                "band `{gid}` [{}, {}) overlaps band `{}` [{}, {})",
                                fmt_bound(min, "-inf"),
                                fmt_bound(max, "inf"),
                                o.id,
                                fmt_bound(o.min, "-inf"),
                                fmt_bound(o.max, "inf")
                            ),
                        )
                        .help = Some("bands are min <= x < max and must not overlap".into());
                    }
                }
            }
            groups.push(Group {
                id: gid.clone(),
                label: gv
                    .label
                    .as_ref()
                    .map(|l| l.get_ref().clone())
                    .unwrap_or(gid),
                values,
                min,
                max,
            });
        }
        let mut own = None;
        if let Some(o) = &dv.own {
            if let Some(prev) = &own_seen {
                let prev = prev.clone();
                ld.error(&at(f, o), "a second dimension marks an own brand")
                    .help = Some(format!(
                    "only one brand dimension is allowed; the first is at {prev}"
                ));
            }
            own_seen = Some(ld.loc(f, o.span()));
            match groups.iter().position(|g| &g.id == o.get_ref()) {
                Some(i) => own = Some(i),
                None => {
                    let help = if groups.is_empty() {
                        Some(
                            "the brand dimension must list its groups (brands), with `values`"
                                .into(),
                        )
                    } else {
                        suggest(o.get_ref(), groups.iter().map(|g| g.id.as_str()))
                    };
                    ld.error(
                        &at(f, o),
                        format!(
                            "own brand `{}` is not a group of dimension `{did}`",
                            o.get_ref()
                        ),
                    )
                    .help = help;
                }
            }
        }
        dimensions.push(Dimension {
            id: did,
            label: dv.label.get_ref().clone(),
            column: dv.column.get_ref().clone(),
            kind,
            groups,
            own,
            value_map,
        });
    }

    // Build measures: DFS from the root, then standalone questions, then gaps.
    let mut measures: Vec<Measure> = Vec::new();
    let mut root = 0;
    let tree_ok = roots.len() == 1 && !in_cycle.iter().any(|&c| c);
    let mut node_measure = vec![None; m.nodes.len()];
    let mut question_measure = vec![None; m.questions.len()];
    if tree_ok {
        root = 0;
        let mut stack: Vec<(Child, Option<usize>, usize)> = vec![(Child::Node(roots[0]), None, 0)];
        while let Some((c, parent, level)) = stack.pop() {
            let idx = measures.len();
            match c {
                Child::Node(i) => {
                    let nv = m.nodes[i].v.get_ref();
                    node_measure[i] = Some(idx);
                    measures.push(Measure {
                        id: nv.id.get_ref().clone(),
                        label: nv.label.get_ref().clone(),
                        kind: MeasureKind::Node,
                        parent,
                        children: Vec::new(),
                        level,
                        stated_weight: nv.weight.as_ref().map(|w| *w.get_ref()),
                        weight: 0.0,
                        coverage: node_coverage[i],
                        expectation: None,
                        outcome: None,
                        derived: None,
                        importance: None,
                    });
                    for ch in node_children[i].iter().rev() {
                        stack.push((*ch, Some(idx), level + 1));
                    }
                }
                Child::Question(i) => {
                    let qv = m.questions[i].v.get_ref();
                    question_measure[i] = Some(idx);
                    measures.push(question_measure_of(qv, qspecs[i].clone(), parent, level));
                }
            }
            if let Some(p) = parent {
                measures[p].children.push(idx);
            }
        }
        for (i, q) in m.questions.iter().enumerate() {
            if question_parent[i].is_none() && q.v.get_ref().parent.is_none() {
                question_measure[i] = Some(measures.len());
                measures.push(question_measure_of(
                    q.v.get_ref(),
                    qspecs[i].clone(),
                    None,
                    0,
                ));
            }
        }
        // Normalised weights.
        for p in 0..measures.len() {
            let ch = measures[p].children.clone();
            if ch.is_empty() {
                continue;
            }
            let stated: Vec<f64> = ch
                .iter()
                .map(|&c| measures[c].stated_weight.unwrap_or(1.0))
                .collect();
            let sum: f64 = stated.iter().sum();
            for (&c, w) in ch.iter().zip(stated) {
                measures[c].weight = if sum > 0.0 { w / sum } else { 0.0 };
            }
        }
        for (i, nm) in node_measure.iter().enumerate() {
            if let Some(nm) = *nm {
                measures[nm].expectation = node_expect[i].and_then(|q| question_measure[q]);
                measures[nm].outcome = node_outcome[i].and_then(|q| question_measure[q]);
                measures[nm].importance = node_importance[i].and_then(|q| question_measure[q]);
            }
        }
        for (i, qm) in question_measure.iter().enumerate() {
            if let Some(qm) = *qm {
                measures[qm].importance = question_importance[i].and_then(|q| question_measure[q]);
            }
        }
        let gaps: Vec<(usize, usize)> = (0..measures.len())
            .filter_map(|i| measures[i].expectation.map(|e| (i, e)))
            .collect();
        for (node, expectation) in gaps {
            let nm = &measures[node];
            measures.push(Measure::computed(
                format!("gap:{}", nm.id),
                format!("{} (gap)", nm.label),
                MeasureKind::Gap { node, expectation },
            ));
        }
        analysis::derived_weights(ld, &mut measures, &m.nodes, &node_measure, period.as_ref());
        analysis::shares(ld, &mut measures, &m.shares, &m.npss, &scales);
    }
    let mut analysis_spec = Analysis::default();
    if tree_ok {
        if let Some(d) = &m.drivers {
            analysis_spec.drivers = analysis::drivers(ld, d, &measures, &dimensions);
        }
        if let Some(p) = &m.pls {
            analysis_spec.pls = analysis::pls(ld, p, &mut measures);
        } else if measures.iter().any(|x| {
            x.derived
                .as_ref()
                .is_some_and(|d| d.method == DeriveMethod::Pls)
        }) {
            ld.diags.push(
                Diagnostic::error(
                    Some(Location::file(study_file)),
                    "a node takes its weights from PLS (`derived:pls`), but the study has no [pls] model",
                )
                .with_help("declare [pls] with its latents and paths"),
            );
        }
    }
    if let Some(w) = &m.weighting {
        analysis_spec.weighting = analysis::weighting(ld, w, &dimensions, period.as_ref());
    }

    // Benchmarks.
    let mut benchmarks = Vec::new();
    let mut bench_ids = HashSet::new();
    for b in &m.benchmarks {
        let bv = b.v.get_ref();
        if !bench_ids.insert(bv.id.get_ref().clone()) {
            ld.error(
                &at(b.file, &bv.id),
                format!("benchmark `{}` is declared twice", bv.id.get_ref()),
            );
        }
        let node = bv.node.get_ref();
        if !node_of.contains_key(node.as_str()) && !question_of.contains_key(node.as_str()) {
            let help = suggest(node, node_ids.iter().chain(question_ids.iter()).copied());
            ld.dangling(
                b.file,
                bv.node.span(),
                format!("benchmark node `{node}` is not a declared node or question"),
                help,
            );
        }
        if !bv.value.get_ref().is_finite() {
            ld.error(
                &at(b.file, &bv.value),
                "benchmark value must be a finite number",
            );
        }
        if let (Some(p), Some(per)) = (&bv.period, &period) {
            let per: &PeriodSpec = per;
            if per.calendar.parse_label(p.get_ref()).is_none() {
                ld.error(
                    &at(b.file, p),
                    format!(
                        "benchmark period `{}` is not {}",
                        p.get_ref(),
                        per.calendar.expected()
                    ),
                );
            }
        }
        benchmarks.push(Benchmark {
            id: bv.id.get_ref().clone(),
            label: bv.label.get_ref().clone(),
            node: node.clone(),
            value: *bv.value.get_ref(),
            period: opt_str(&bv.period),
            source: opt_str(&bv.source),
        });
    }

    // [report]
    // No [report]: no reports (figures only); a [report] without `formats`
    // renders both.
    let mut report = ReportLayout {
        title: None,
        formats: if m.report.is_some() {
            vec!["html".into(), "pdf".into()]
        } else {
            Vec::new()
        },
        template: None,
        fonts: Vec::new(),
        branding: Branding::default(),
        sections: Vec::new(),
    };
    if let Some(r) = &m.report {
        let f = r.file;
        let rv = r.v.get_ref();
        report.title = opt_str(&rv.title);
        let dir = ld.sources[f]
            .path
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let rel = |p: &Spanned<String>| -> String {
            // Stored relative to the study file's folder.
            let abs = dir.join(p.get_ref());
            abs.strip_prefix(base)
                .map(|x| x.to_string_lossy().into_owned())
                .unwrap_or_else(|_| abs.to_string_lossy().into_owned())
        };
        if let Some(t) = &rv.template {
            let path = dir.join(t.get_ref());
            for need in ["html/report.html", "typst/report.typ"] {
                if !path.join(need).is_file() {
                    ld.error(&at(f, t), format!("template folder `{}` has no {need}", t.get_ref()))
                        .help = Some("copy report_templates/default/ to start a template, and point `template` at the copy".into());
                }
            }
            report.template = Some(rel(t));
        }
        if let Some(fonts) = &rv.fonts {
            for x in fonts.get_ref() {
                if !dir.join(x.get_ref()).exists() {
                    ld.error(
                        &at(f, x),
                        format!("font folder `{}` does not exist", x.get_ref()),
                    );
                }
                report.fonts.push(rel(x));
            }
        }
        if let Some(b) = &rv.branding {
            let bv = b.get_ref();
            let color = |ld: &mut Loader, c: &Option<Spanned<String>>| -> Option<String> {
                let c = c.as_ref()?;
                let v = c.get_ref();
                let ok = v.starts_with('#')
                    && matches!(v.len(), 4 | 7)
                    && v[1..].chars().all(|x| x.is_ascii_hexdigit());
                if !ok {
                    ld.error(&at(f, c), format!("`{v}` is not a colour")).help =
                        Some("write colours as \"#rrggbb\", e.g. \"#0B4F8A\"".into());
                    return None;
                }
                Some(v.clone())
            };
            report.branding.primary = color(ld, &bv.primary);
            report.branding.accent = color(ld, &bv.accent);
            if let Some(l) = &bv.logo {
                let path = dir.join(l.get_ref());
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "svg") {
                    ld.error(
                        &at(f, l),
                        format!("logo `{}` is not a PNG, JPEG or SVG file", l.get_ref()),
                    );
                } else if !path.is_file() {
                    ld.error(
                        &at(f, l),
                        format!("logo file `{}` does not exist", l.get_ref()),
                    )
                    .help = Some("logo paths are relative to the config file".into());
                }
                report.branding.logo = Some(rel(l));
            }
            if let Some(fs) = &bv.font {
                for x in fs.get_ref() {
                    if x.get_ref().is_empty()
                        || x.get_ref().contains(['"', '\\', '<', '>', ';', '{', '}'])
                    {
                        ld.error(
                            &at(f, x),
                            format!("`{}` is not a font family name", x.get_ref()),
                        );
                    } else {
                        report.branding.font.push(x.get_ref().clone());
                    }
                }
            }
            report.branding.footer = opt_str(&bv.footer);
        }
        if let Some(fm) = &rv.formats {
            report.formats.clear();
            for x in fm.get_ref() {
                if !REPORT_FORMATS.contains(&x.get_ref().as_str()) {
                    let help = suggest(x.get_ref(), REPORT_FORMATS);
                    ld.error(
                        &at(f, x),
                        format!("unknown report format `{}`", x.get_ref()),
                    )
                    .help = help;
                } else {
                    report.formats.push(x.get_ref().clone());
                }
            }
        }
        let all_ids: Vec<&str> = node_ids
            .iter()
            .chain(question_ids.iter())
            .copied()
            .collect();
        for s in &rv.section {
            let sv = s.get_ref();
            let kind = sv.kind.get_ref();
            if !SECTION_KINDS.contains(&kind.as_str()) {
                let help = suggest(kind, SECTION_KINDS);
                ld.error(&at(f, &sv.kind), format!("unknown report section `{kind}`"))
                    .help = help;
            }
            if kind == "brands" && !m.dimensions.iter().any(|d| d.v.get_ref().own.is_some()) {
                ld.error(
                    &at(f, &sv.kind),
                    "section `brands` needs a brand dimension, but no dimension marks `own`",
                )
                .help = Some(
                    "add `own = \"<group id>\"` to the brand dimension, or remove the section"
                        .into(),
                );
            }
            if kind == "gaps" && !m.nodes.iter().any(|n| n.v.get_ref().expectation.is_some()) {
                ld.error(
                    &at(f, &sv.kind),
                    "section `gaps` needs expectation questions, but no node has `expectation`",
                )
                .help = Some(
                    "add `expectation = \"<question id>\"` to the nodes, or remove the section"
                        .into(),
                );
            }
            let missing = match kind.as_str() {
                "drivers" | "ipa" | "kano" if m.drivers.is_none() => Some("[drivers]"),
                "pls" if m.pls.is_none() => Some("[pls]"),
                "weighting" if m.weighting.is_none() => Some("[weighting]"),
                "nps" if m.shares.is_empty() && m.npss.is_empty() => Some("[[nps]] or [[share]]"),
                _ => None,
            };
            if let (Some(ds), Some(dr), true) = (
                &sv.dimensions,
                &m.drivers,
                matches!(kind.as_str(), "drivers" | "ipa" | "kano"),
            ) {
                let analysed: Vec<&str> =
                    dr.v.get_ref()
                        .dimensions
                        .as_ref()
                        .map(|x| x.get_ref().iter().map(|d| d.get_ref().as_str()).collect())
                        .unwrap_or_default();
                for d in ds.get_ref() {
                    if !analysed.contains(&d.get_ref().as_str()) {
                        ld.error(
                            &at(f, d),
                            format!(
                                "section `{kind}` shows dimension `{}`, which [drivers] does not analyse",
                                d.get_ref()
                            ),
                        )
                        .help = Some(format!(
                            "add \"{}\" to `dimensions` in [drivers]",
                            d.get_ref()
                        ));
                    }
                }
            }
            if let Some(table) = missing {
                ld.error(
                    &at(f, &sv.kind),
                    format!("section `{kind}` needs {table}, which the study does not declare"),
                )
                .help = Some(format!("declare {table}, or remove the section"));
            }
            if kind == "segments"
                && sv.dimensions.is_none()
                && !m.dimensions.iter().any(|d| d.v.get_ref().own.is_none())
            {
                ld.error(
                    &at(f, &sv.kind),
                    "section `segments` needs a segment dimension, but the study declares none (besides the brand)",
                )
                .help = Some("declare a [[dimension]], or remove the section".into());
            }
            if let Some(ds) = &sv.dimensions {
                for d in ds.get_ref() {
                    if !m
                        .dimensions
                        .iter()
                        .any(|x| x.v.get_ref().id.get_ref() == d.get_ref())
                    {
                        let help = suggest(
                            d.get_ref(),
                            m.dimensions
                                .iter()
                                .map(|x| x.v.get_ref().id.get_ref().as_str()),
                        );
                        ld.dangling(
                            f,
                            d.span(),
                            format!("dimension `{}` is not declared", d.get_ref()),
                            help,
                        );
                    }
                }
            }
            if let Some(ns) = &sv.nodes {
                for n in ns.get_ref() {
                    if !all_ids.contains(&n.get_ref().as_str()) {
                        let help = suggest(n.get_ref(), all_ids.iter().copied());
                        ld.dangling(
                            f,
                            n.span(),
                            format!("node `{}` is not declared", n.get_ref()),
                            help,
                        );
                    }
                }
            }
            let mut periods = None;
            if let Some(p) = &sv.periods {
                if *p.get_ref() < 1 {
                    ld.error(&at(f, p), "periods must be at least 1");
                } else {
                    periods = Some(*p.get_ref() as u32);
                }
            }
            report.sections.push(Section {
                kind: kind.clone(),
                title: opt_str(&sv.title),
                dimensions: sv
                    .dimensions
                    .as_ref()
                    .map(|v| v.get_ref().iter().map(|x| x.get_ref().clone()).collect()),
                nodes: sv
                    .nodes
                    .as_ref()
                    .map(|v| v.get_ref().iter().map(|x| x.get_ref().clone()).collect()),
                periods,
            });
        }
    }

    // Digest of the config.
    let mut config_files = Vec::new();
    let mut all = Sha256::new();
    for s in &ld.sources {
        let sha = hex(&Sha256::digest(s.text.as_bytes()));
        let rel = s
            .path
            .strip_prefix(base)
            .unwrap_or(&s.path)
            .to_string_lossy()
            .replace('\\', "/");
        all.update(rel.as_bytes());
        all.update([0]);
        all.update(s.text.as_bytes());
        all.update([0]);
        config_files.push(ConfigFile {
            path: s.path.clone(),
            sha256: sha,
        });
    }
    let digest = hex(&all.finalize());

    if ld.diags.has_errors() || !tree_ok || study.is_none() || period.is_none() || m.data.is_none()
    {
        return (None, data, column_refs);
    }
    let refs = column_refs.clone();
    let spec = data.clone();
    let study = Study {
        id,
        name,
        client,
        locale,
        alpha,
        min_base,
        min_report,
        coverage,
        bad_rows,
        study_file: study_file.to_path_buf(),
        config_files,
        digest,
        data,
        period: period.expect("checked"),
        scales,
        measures,
        root,
        dimensions,
        benchmarks,
        report,
        column_refs,
        analysis: analysis_spec,
    };
    (Some(study), spec, refs)
}

fn fmt_bound(x: Option<f64>, inf: &str) -> String {
    x.map(|v| v.to_string()).unwrap_or_else(|| inf.to_string())
}

#[derive(Debug, Clone, Copy)]
enum Child {
    Node(usize),
    Question(usize),
}

fn question_measure_of(
    qv: &RawQuestion,
    spec: Option<QuestionSpec>,
    parent: Option<usize>,
    level: usize,
) -> Measure {
    Measure {
        id: qv.id.get_ref().clone(),
        label: qv.label.get_ref().clone(),
        // A question whose scale is unknown has been reported; the study is
        // not returned, so the placeholder is never used.
        kind: MeasureKind::Question(spec.unwrap_or(QuestionSpec {
            column: String::new(),
            scale: 0,
            lo: 0.0,
            hi: 1.0,
            reverse: false,
            missing: Vec::new(),
        })),
        parent,
        children: Vec::new(),
        level,
        stated_weight: qv.weight.as_ref().map(|w| *w.get_ref()),
        weight: 0.0,
        coverage: 0.0,
        expectation: None,
        outcome: None,
        derived: None,
        importance: None,
    }
}

fn resolve_period(
    ld: &mut Loader,
    p: &At<RawPeriod>,
    column_refs: &mut Vec<ColumnRef>,
) -> Option<PeriodSpec> {
    let f = p.file;
    let pv = p.v.get_ref();
    let grain = match &pv.grain {
        Some(g) => match Grain::parse(g.get_ref()) {
            Some(x) => Some(x),
            None => {
                let help = suggest(g.get_ref(), Grain::NAMES);
                ld.error(&at(f, g), format!("unknown grain `{}`", g.get_ref()))
                    .help = help;
                return None;
            }
        },
        None => None,
    };
    let (source, calendar) = match (&pv.date_column, &pv.column) {
        (Some(_), Some(c)) => {
            ld.error(&at(f, c), "[period] has both `date_column` and `column`").help =
                Some("use `date_column` (with `grain`) to group dates, or `column` for explicit period labels".into());
            return None;
        }
        (None, None) => {
            ld.error(&at(f, &p.v), "[period] needs `date_column` or `column`")
                .help =
                Some("e.g. date_column = \"interview_date\" and grain = \"quarter\"".into());
            return None;
        }
        (Some(dc), None) => {
            let Some(grain) = grain else {
                ld.error(&at(f, dc), "`date_column` needs `grain`").help =
                    Some("add grain = \"month\", \"quarter\" or \"year\"".into());
                return None;
            };
            let fmt = pv
                .date_format
                .as_ref()
                .map(|s| s.get_ref().as_str())
                .unwrap_or("%Y-%m-%d");
            if let Err(e) = DateParser::validate_format(fmt) {
                let span = pv
                    .date_format
                    .as_ref()
                    .map(|s| s.span())
                    .unwrap_or(dc.span());
                ld.error_span(f, span, e);
                return None;
            }
            if let Some(l) = &pv.labels {
                ld.error(
                    &at(f, l),
                    "`labels` goes with an explicit period `column`, not with `date_column`",
                );
            }
            if let Some(py) = &pv.per_year {
                ld.error(
                    &at(f, py),
                    "`per_year` follows from `grain` for dates; remove it",
                );
            }
            column_refs.push(ColumnRef {
                column: dc.get_ref().clone(),
                what: "the period date column".into(),
                location: ld.loc(f, dc.span()),
            });
            (
                PeriodSource::Date {
                    column: dc.get_ref().clone(),
                    parser: DateParser::new(fmt),
                    grain,
                },
                Calendar::Grain(grain),
            )
        }
        (None, Some(c)) => {
            if let Some(df) = &pv.date_format {
                ld.error(&at(f, df), "`date_format` goes with `date_column`");
            }
            column_refs.push(ColumnRef {
                column: c.get_ref().clone(),
                what: "the period column".into(),
                location: ld.loc(f, c.span()),
            });
            let per_year = match &pv.per_year {
                Some(py) if *py.get_ref() < 1 => {
                    ld.error(&at(f, py), "per_year must be at least 1");
                    None
                }
                Some(py) => Some(*py.get_ref() as i32),
                None => None,
            };
            let calendar = match (&pv.labels, grain) {
                (Some(l), None) => {
                    let mut labels = Vec::new();
                    let mut seen = HashSet::new();
                    for x in l.get_ref() {
                        if !seen.insert(x.get_ref().clone()) {
                            ld.error(
                                &at(f, x),
                                format!("period label `{}` is listed twice", x.get_ref()),
                            );
                        }
                        labels.push(x.get_ref().trim().to_string());
                    }
                    if labels.is_empty() {
                        ld.error(&at(f, l), "`labels` is empty");
                    }
                    Calendar::Labels { labels, per_year }
                }
                (None, Some(g)) => {
                    if let Some(py) = &pv.per_year {
                        ld.error(&at(f, py), "`per_year` follows from `grain`; remove it");
                    }
                    Calendar::Grain(g)
                }
                (Some(l), Some(_)) => {
                    ld.error(
                        &at(f, l),
                        "give either `labels` or `grain` for an explicit period column, not both",
                    );
                    return None;
                }
                (None, None) => {
                    ld.error(&at(f, c), "an explicit period `column` needs `labels` (in order) or `grain`")
                        .help = Some("e.g. labels = [\"2025 wave 1\", \"2025 wave 2\"], or grain = \"quarter\" for values like `2025-Q3`".into());
                    return None;
                }
            };
            (
                PeriodSource::Column {
                    column: c.get_ref().clone(),
                },
                calendar,
            )
        }
    };
    let from = match &pv.from {
        Some(x) => match calendar.parse_label(x.get_ref()) {
            Some(o) => Some(o),
            None => {
                ld.error(
                    &at(f, x),
                    format!(
                        "`from = \"{}\"` is not {}",
                        x.get_ref(),
                        calendar.expected()
                    ),
                );
                None
            }
        },
        None => None,
    };
    Some(PeriodSpec {
        source,
        calendar,
        from,
    })
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Checks a data file's header against every column the config refers to.
/// Each missing column is reported at the config line that names it.
pub fn check_header(refs: &[ColumnRef], data_file: &Path, header: &[String]) -> Diagnostics {
    let mut d = Diagnostics::default();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        if let Some(prev) = seen.insert(h.as_str(), i) {
            d.push(
                Diagnostic::error(
                    Some(Location::line(data_file, 1)),
                    format!(
                        "column `{h}` appears twice in the header (fields {} and {})",
                        prev + 1,
                        i + 1
                    ),
                )
                .with_help("column names must be unique; rename one of them"),
            );
        }
    }
    for r in refs {
        if !seen.contains_key(r.column.as_str()) {
            let help = match did_you_mean(&r.column, header.iter().map(String::as_str)) {
                Some(c) => format!(
                    "did you mean `{c}`? (the header of {} has {} columns)",
                    data_file.display(),
                    header.len()
                ),
                None => format!(
                    "check the column name, or the header of {} ({} columns)",
                    data_file.display(),
                    header.len()
                ),
            };
            d.push(
                Diagnostic::error(
                    Some(r.location.clone()),
                    format!(
                        "{} refers to column `{}`, which is not in {}",
                        r.what,
                        r.column,
                        data_file.display()
                    ),
                )
                .with_help(help),
            );
        }
    }
    d
}
