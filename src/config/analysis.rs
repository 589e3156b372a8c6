//! The analysis sections of a study config (METHODOLOGY 5-9): headline
//! shares and NPS (`[[share]]`, `[[nps]]`), key drivers with
//! importance-performance and Kano classes (`[drivers]`), derived roll-up
//! weights (`weights = "derived:<method>"` on a node), the PLS path model
//! (`[pls]`) and raking (`[weighting]`).

use std::collections::{HashMap, HashSet};

use super::raw::{RawDrivers, RawNode, RawNps, RawPls, RawShare, RawWeighting};
use super::{at, opt_str, At, DimKind, Dimension, Loader, Measure, MeasureKind, PeriodSpec};
use crate::diag::suggest;

/// How a node's children are weighted when the data decide (METHODOLOGY 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeriveMethod {
    /// Pearson r of each child with the node's outcome, negative r as 0.
    Correlation,
    /// Johnson's relative weights (shares of R^2).
    RelativeWeights,
    /// The outer weights of the node's latent variable in `[pls]`.
    Pls,
    /// The mean stated importance of each child (its `importance` question).
    Importance,
}

impl DeriveMethod {
    pub const NAMES: [&'static str; 4] = ["correlation", "relative_weights", "pls", "importance"];
    pub fn name(self) -> &'static str {
        match self {
            DeriveMethod::Correlation => "correlation",
            DeriveMethod::RelativeWeights => "relative_weights",
            DeriveMethod::Pls => "pls",
            DeriveMethod::Importance => "importance",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "correlation" => DeriveMethod::Correlation,
            "relative_weights" => DeriveMethod::RelativeWeights,
            "pls" => DeriveMethod::Pls,
            "importance" => DeriveMethod::Importance,
            _ => return None,
        })
    }
}

/// Derived weights of one node's children.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub method: DeriveMethod,
    /// Pinned to this period's data; `None`: each period from its own data.
    pub base: Option<i32>,
    pub base_label: Option<String>,
}

/// The importance shown on the x axis of the importance-performance matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportanceKind {
    Correlation,
    Beta,
    RelativeWeights,
}

impl ImportanceKind {
    pub const NAMES: [&'static str; 3] = ["relative_weights", "correlation", "beta"];
    pub fn name(self) -> &'static str {
        match self {
            ImportanceKind::Correlation => "correlation",
            ImportanceKind::Beta => "beta",
            ImportanceKind::RelativeWeights => "relative_weights",
        }
    }
}

/// One key-driver analysis: a parent node's children against an outcome.
#[derive(Debug, Clone)]
pub struct DriverSet {
    pub node: usize,
    pub children: Vec<usize>,
    pub outcome: usize,
}

/// `[drivers]`, resolved.
#[derive(Debug, Clone)]
pub struct DriversSpec {
    pub sets: Vec<DriverSet>,
    pub importance: ImportanceKind,
    /// The latest `periods` periods are analysed.
    pub periods: usize,
    /// Segment dimensions analysed besides the total.
    pub dimensions: Vec<usize>,
    pub kano_low: f64,
    pub kano_high: f64,
    pub kano_ratio: f64,
    pub ipa_x: Option<f64>,
    pub ipa_y: Option<f64>,
}

/// The inner weighting scheme of PLS-PM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlsScheme {
    Centroid,
    Factorial,
    Path,
}

/// A latent variable of the PLS model.
#[derive(Debug, Clone)]
pub struct LatentSpec {
    pub id: String,
    pub label: String,
    /// Its block: measures (questions or nodes).
    pub block: Vec<usize>,
    pub mode_b: bool,
    /// The hierarchy node whose children are this block (`derived:pls`).
    pub node: Option<usize>,
}

/// `[pls]`, resolved.
#[derive(Debug, Clone)]
pub struct PlsSpec {
    pub id: String,
    pub label: String,
    pub scheme: PlsScheme,
    pub scaled: bool,
    pub bootstrap: usize,
    pub seed: u64,
    pub periods: usize,
    pub latents: Vec<LatentSpec>,
    pub paths: Vec<(usize, usize)>,
}

/// One population margin for raking.
#[derive(Debug, Clone)]
pub struct MarginSpec {
    pub dimension: usize,
    /// Applies to this period only; `None`: to every period without its own.
    pub period: Option<i32>,
    /// Category names (group ids, or values of a `distinct` dimension).
    pub categories: Vec<String>,
    /// Population shares, normalised to sum to 1.
    pub targets: Vec<f64>,
    /// Raw values of the dimension's column -> category (`values` and
    /// `distinct` dimensions); band dimensions map their group index.
    pub value_map: HashMap<String, u32>,
    pub group_map: Vec<Option<u32>>,
}

/// `[weighting]`, resolved.
#[derive(Debug, Clone)]
pub struct WeightingSpec {
    /// Raked weights replace the design weight (start from 1) instead of
    /// multiplying it.
    pub replace: bool,
    pub trim: Option<(f64, f64)>,
    pub tolerance: f64,
    pub max_iter: usize,
    pub margins: Vec<MarginSpec>,
    /// The raking dimensions, in margin order without repeats.
    pub dims: Vec<usize>,
}

/// Everything of METHODOLOGY 5-9 a study declares.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub drivers: Option<DriversSpec>,
    pub pls: Option<PlsSpec>,
    pub weighting: Option<WeightingSpec>,
}

fn measure_ids(measures: &[Measure]) -> HashMap<String, usize> {
    measures
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.clone(), i))
        .collect()
}

/// Appends the share and NPS measures.
pub(super) fn shares(
    ld: &mut Loader,
    measures: &mut Vec<Measure>,
    shares: &[At<RawShare>],
    npss: &[At<RawNps>],
    scales: &[super::Scale],
) {
    let ids: std::cell::RefCell<HashSet<String>> =
        std::cell::RefCell::new(measures.iter().map(|m| m.id.clone()).collect());
    let by_id = measure_ids(measures);
    let new_id = |ld: &mut Loader, f: usize, id: &toml::Spanned<String>, name: &str| -> bool {
        let s = id.get_ref();
        if !super::valid_id(s) {
            ld.error(&at(f, id), format!("`{s}` is not a valid id"))
                .help = Some("use letters, digits, `_`, `-` and `.`".into());
            return false;
        }
        if !ids.borrow_mut().insert(s.to_string()) {
            ld.error(
                &at(f, id),
                format!("{name} id `{s}` is already the id of a node, question or share"),
            );
            return false;
        }
        true
    };
    let question = |ld: &mut Loader, f: usize, q: &toml::Spanned<String>| -> Option<usize> {
        match by_id.get(q.get_ref()) {
            Some(&i) if matches!(measures[i].kind, MeasureKind::Question(_)) => Some(i),
            _ => {
                let help = suggest(
                    q.get_ref(),
                    measures
                        .iter()
                        .filter(|m| matches!(m.kind, MeasureKind::Question(_)))
                        .map(|m| m.id.as_str()),
                );
                ld.dangling(
                    f,
                    q.span(),
                    format!("question `{}` is not declared", q.get_ref()),
                    help,
                );
                None
            }
        }
    };
    let mut out = Vec::new();
    for s in shares {
        let (f, sv) = (s.file, s.v.get_ref());
        let ok = new_id(ld, f, &sv.id, "share");
        let Some(qi) = question(ld, f, &sv.question) else {
            continue;
        };
        let MeasureKind::Question(q) = &measures[qi].kind else {
            continue;
        };
        let span = (q.hi - q.lo).round();
        let boxes = |ld: &mut Loader, v: &toml::Spanned<i64>| -> Option<f64> {
            let k = *v.get_ref();
            if k < 1 || k as f64 > span {
                ld.error(
                    &at(f, v),
                    format!(
                        "{k} boxes do not fit the scale {}..{} of `{}`",
                        q.lo, q.hi, measures[qi].id
                    ),
                )
                .help = Some(format!("use 1 to {span} boxes"));
                return None;
            }
            Some(k as f64)
        };
        // Box k of a scale has the score (k - 1) / (hi - lo) * 100 counted
        // from the worst answer; half a step of slack absorbs rounding.
        let step = 100.0 / (q.hi - q.lo);
        let (min, max, what) = match (&sv.top, &sv.bottom) {
            (Some(t), None) => match boxes(ld, t) {
                Some(k) => (
                    100.0 - (k - 0.5) * step,
                    f64::INFINITY,
                    format!("top-{k} box"),
                ),
                None => continue,
            },
            (None, Some(b)) => match boxes(ld, b) {
                Some(k) => (
                    f64::NEG_INFINITY,
                    (k - 0.5) * step,
                    format!("bottom-{k} box"),
                ),
                None => continue,
            },
            (None, None) => (100.0 - 0.5 * step, f64::INFINITY, "top box".to_string()),
            (Some(t), Some(_)) => {
                ld.error(
                    &at(f, t),
                    "a share counts either `top` or `bottom` boxes, not both",
                );
                continue;
            }
        };
        if !ok {
            continue;
        }
        let label = opt_str(&sv.label).unwrap_or_else(|| format!("{}: {what}", measures[qi].label));
        out.push(share_measure(sv.id.get_ref().clone(), label, qi, min, max));
    }
    let _ = scales;
    for n in npss {
        let (f, nv) = (n.file, n.v.get_ref());
        let ok = new_id(ld, f, &nv.id, "nps");
        let Some(qi) = question(ld, f, &nv.question) else {
            continue;
        };
        let MeasureKind::Question(q) = &measures[qi].kind else {
            continue;
        };
        if q.lo != 0.0 || q.hi != 10.0 || q.reverse {
            ld.error(
                &at(f, &nv.question),
                format!(
                    "NPS needs a 0-10 question, but `{}` is on a {}..{} scale{}",
                    measures[qi].id,
                    q.lo,
                    q.hi,
                    if q.reverse { " and reversed" } else { "" }
                ),
            )
            .help = Some("point `question` at the 0-10 \"would recommend\" question".into());
            continue;
        }
        let id = nv.id.get_ref().clone();
        for suffix in ["promoters", "detractors"] {
            let sid = format!("{id}.{suffix}");
            if !ids.borrow_mut().insert(sid.clone()) {
                ld.error(
                    &at(f, &nv.id),
                    format!("id `{sid}` (made for this NPS) is already taken"),
                );
            }
        }
        if !ok {
            continue;
        }
        let label = opt_str(&nv.label).unwrap_or_else(|| "Net Promoter Score".to_string());
        let base = measures.len() + out.len();
        out.push(Measure::computed(
            id.clone(),
            label.clone(),
            MeasureKind::Nps {
                question: qi,
                promoters: base + 1,
                detractors: base + 2,
            },
        ));
        out.push(share_measure(
            format!("{id}.promoters"),
            format!("{label}: promoters (9-10)"),
            qi,
            85.0,
            f64::INFINITY,
        ));
        out.push(share_measure(
            format!("{id}.detractors"),
            format!("{label}: detractors (0-6)"),
            qi,
            f64::NEG_INFINITY,
            65.0,
        ));
    }
    measures.extend(out);
}

fn share_measure(id: String, label: String, question: usize, min: f64, max: f64) -> Measure {
    Measure::computed(id, label, MeasureKind::Share { question, min, max })
}

/// `weights` / `weights_base` of the nodes.
pub(super) fn derived_weights(
    ld: &mut Loader,
    measures: &mut [Measure],
    nodes: &[At<RawNode>],
    node_measure: &[Option<usize>],
    period: Option<&PeriodSpec>,
) {
    for (i, n) in nodes.iter().enumerate() {
        let (f, nv) = (n.file, n.v.get_ref());
        let Some(w) = &nv.weights else {
            if let Some(b) = &nv.weights_base {
                ld.error(
                    &at(f, b),
                    "`weights_base` needs `weights = \"derived:<method>\"`",
                );
            }
            continue;
        };
        let text = w.get_ref();
        let method = match text.strip_prefix("derived:") {
            Some(m) => DeriveMethod::parse(m),
            None if text == "stated" => continue,
            None => None,
        };
        let Some(method) = method else {
            let names: Vec<String> = DeriveMethod::NAMES
                .iter()
                .map(|m| format!("derived:{m}"))
                .chain(["stated".to_string()])
                .collect();
            let help = suggest(text, names.iter().map(String::as_str))
                .unwrap_or_else(|| format!("use one of {}", names.join(", ")));
            ld.error(&at(f, w), format!("unknown weights `{text}`"))
                .help = Some(help);
            continue;
        };
        let mut base = None;
        let mut base_label = None;
        if let (Some(b), Some(p)) = (&nv.weights_base, period) {
            match p.calendar.parse_label(b.get_ref()) {
                Some(x) => {
                    base = Some(x);
                    base_label = Some(p.calendar.label(x));
                }
                None => {
                    ld.error(
                        &at(f, b),
                        format!("`{}` is not {}", b.get_ref(), p.calendar.expected()),
                    );
                }
            }
        }
        if let Some(m) = node_measure[i] {
            if measures[m]
                .children
                .iter()
                .any(|&c| measures[c].stated_weight.is_some())
            {
                ld.error(
                    &at(f, w),
                    format!(
                        "node `{}` derives its children's weights, but some children state a weight",
                        measures[m].id
                    ),
                )
                .help = Some("remove the children's `weight`, or the node's `weights`".into());
            }
            if method == DeriveMethod::Importance {
                for &c in &measures[m].children {
                    if measures[c].importance.is_none() {
                        ld.error(
                            &at(f, w),
                            format!(
                                "node `{}` weights its children by stated importance, but child `{}` names no `importance` question",
                                measures[m].id, measures[c].id
                            ),
                        )
                        .help = Some(format!(
                            "add `importance = \"<question id>\"` to `{}`",
                            measures[c].id
                        ));
                    }
                }
            }
            if measures[m].outcome_for_drivers(measures).is_none()
                && !matches!(method, DeriveMethod::Pls | DeriveMethod::Importance)
            {
                ld.error(
                    &at(f, w),
                    format!(
                        "node `{}` derives weights from the data, but neither it nor a parent names an `outcome`",
                        measures[m].id
                    ),
                )
                .help = Some("add `outcome = \"<overall question>\"` to this node or its parent".into());
            }
            measures[m].derived = Some(Derived {
                method,
                base,
                base_label,
            });
        }
    }
}

/// `[drivers]`.
pub(super) fn drivers(
    ld: &mut Loader,
    raw: &At<RawDrivers>,
    measures: &[Measure],
    dimensions: &[Dimension],
) -> Option<DriversSpec> {
    let (f, dv) = (raw.file, raw.v.get_ref());
    let by_id = measure_ids(measures);
    let mut sets = Vec::new();
    let candidates: Vec<usize> = match &dv.nodes {
        Some(ns) => ns
            .get_ref()
            .iter()
            .filter_map(|n| match by_id.get(n.get_ref()) {
                Some(&i) if matches!(measures[i].kind, MeasureKind::Node) => Some(i),
                _ => {
                    let help = suggest(
                        n.get_ref(),
                        measures
                            .iter()
                            .filter(|m| matches!(m.kind, MeasureKind::Node))
                            .map(|m| m.id.as_str()),
                    );
                    ld.dangling(
                        f,
                        n.span(),
                        format!("node `{}` is not declared", n.get_ref()),
                        help,
                    );
                    None
                }
            })
            .collect(),
        None => (0..measures.len())
            .filter(|&i| matches!(measures[i].kind, MeasureKind::Node))
            .collect(),
    };
    for i in candidates {
        match measures[i].outcome_for_drivers(measures) {
            Some(o) => sets.push(DriverSet {
                node: i,
                children: measures[i].children.clone(),
                outcome: o,
            }),
            None if dv.nodes.is_some() => {
                ld.error(
                    &at(f, dv.nodes.as_ref().expect("some")),
                    format!(
                        "node `{}` has no outcome to drive (neither it nor a parent names an `outcome`)",
                        measures[i].id
                    ),
                )
                .help = Some("add `outcome = \"<overall question>\"` to the node".into());
            }
            None => {}
        }
    }
    if sets.is_empty() && dv.nodes.is_none() {
        ld.error(
            &at(f, &raw.v),
            "[drivers] finds no node with an `outcome` (the overall question its children drive)",
        )
        .help = Some("add `outcome = \"<overall question>\"` to the index node".into());
    }
    let importance = match &dv.importance {
        None => ImportanceKind::RelativeWeights,
        Some(s) => match s.get_ref().as_str() {
            "relative_weights" => ImportanceKind::RelativeWeights,
            "correlation" => ImportanceKind::Correlation,
            "beta" => ImportanceKind::Beta,
            other => {
                let help = suggest(other, ImportanceKind::NAMES);
                ld.error(&at(f, s), format!("unknown importance `{other}`"))
                    .help = help;
                ImportanceKind::RelativeWeights
            }
        },
    };
    let periods = match &dv.periods {
        None => 1,
        Some(p) if *p.get_ref() >= 1 => *p.get_ref() as usize,
        Some(p) => {
            ld.error(&at(f, p), "periods must be at least 1");
            1
        }
    };
    let mut dims = Vec::new();
    if let Some(ds) = &dv.dimensions {
        for d in ds.get_ref() {
            match dimensions.iter().position(|x| &x.id == d.get_ref()) {
                Some(i) => dims.push(i),
                None => {
                    let help = suggest(d.get_ref(), dimensions.iter().map(|x| x.id.as_str()));
                    ld.dangling(
                        f,
                        d.span(),
                        format!("dimension `{}` is not declared", d.get_ref()),
                        help,
                    );
                }
            }
        }
    }
    let score = |ld: &mut Loader, v: &Option<toml::Spanned<f64>>, default: f64| -> f64 {
        match v {
            None => default,
            Some(x) if (0.0..=100.0).contains(x.get_ref()) => *x.get_ref(),
            Some(x) => {
                ld.error(&at(f, x), "a score threshold must be between 0 and 100");
                default
            }
        }
    };
    let kano_low = score(ld, &dv.kano_low, 40.0);
    let kano_high = score(ld, &dv.kano_high, 80.0);
    if kano_low >= kano_high {
        if let Some(x) = dv.kano_low.as_ref().or(dv.kano_high.as_ref()) {
            ld.error(&at(f, x), "`kano_low` must be below `kano_high`");
        }
    }
    let kano_ratio = match &dv.kano_ratio {
        None => 1.5,
        Some(x) if *x.get_ref() >= 1.0 && x.get_ref().is_finite() => *x.get_ref(),
        Some(x) => {
            ld.error(&at(f, x), "`kano_ratio` must be a number of at least 1");
            1.5
        }
    };
    Some(DriversSpec {
        sets,
        importance,
        periods,
        dimensions: dims,
        kano_low,
        kano_high,
        kano_ratio,
        ipa_x: dv.ipa_x.as_ref().map(|x| *x.get_ref()),
        ipa_y: dv.ipa_y.as_ref().map(|x| *x.get_ref()),
    })
}

/// `[pls]`.
pub(super) fn pls(ld: &mut Loader, raw: &At<RawPls>, measures: &mut [Measure]) -> Option<PlsSpec> {
    use PlsScheme as Scheme;
    let (f, pv) = (raw.file, raw.v.get_ref());
    let by_id = measure_ids(measures);
    // `index = "<node>"`: the node's children take the PLS outer weights of
    // its latent (as `weights = "derived:pls"` on the node), replacing the
    // weights the hierarchy states.
    if let Some(ix) = &pv.index {
        match by_id.get(ix.get_ref()) {
            Some(&n) if matches!(measures[n].kind, MeasureKind::Node) => {
                measures[n].derived = Some(Derived {
                    method: DeriveMethod::Pls,
                    base: None,
                    base_label: None,
                });
            }
            _ => {
                let help = suggest(
                    ix.get_ref(),
                    measures
                        .iter()
                        .filter(|m| matches!(m.kind, MeasureKind::Node))
                        .map(|m| m.id.as_str()),
                );
                ld.dangling(
                    f,
                    ix.span(),
                    format!("node `{}` is not declared", ix.get_ref()),
                    help,
                );
            }
        }
    }
    let measures: &[Measure] = measures;
    let scheme = match pv.scheme.as_ref().map(|s| s.get_ref().as_str()) {
        None | Some("path") => Scheme::Path,
        Some("centroid") => Scheme::Centroid,
        Some("factorial") => Scheme::Factorial,
        Some(other) => {
            let s = pv.scheme.as_ref().expect("some");
            let help = suggest(other, ["path", "centroid", "factorial"]);
            ld.error(&at(f, s), format!("unknown inner scheme `{other}`"))
                .help = help;
            Scheme::Path
        }
    };
    let count = |ld: &mut Loader, v: &Option<toml::Spanned<i64>>, default: i64, min: i64| -> i64 {
        match v {
            None => default,
            Some(x) if *x.get_ref() >= min => *x.get_ref(),
            Some(x) => {
                ld.error(&at(f, x), format!("must be at least {min}"));
                default
            }
        }
    };
    let bootstrap = count(ld, &pv.bootstrap, 200, 0) as usize;
    let seed = count(ld, &pv.seed, 1, 0) as u64;
    let periods = count(ld, &pv.periods, 1, 1) as usize;
    let mut latents: Vec<LatentSpec> = Vec::new();
    for l in &pv.latent {
        let lv = l.get_ref();
        let id = lv.id.get_ref().clone();
        if latents.iter().any(|x| x.id == id) {
            ld.error(&at(f, &lv.id), format!("latent `{id}` is declared twice"));
            continue;
        }
        let node = by_id
            .get(&id)
            .copied()
            .filter(|&i| matches!(measures[i].kind, MeasureKind::Node));
        let block: Vec<usize> = match (&lv.block, node) {
            (Some(b), _) => b
                .get_ref()
                .iter()
                .filter_map(|q| match by_id.get(q.get_ref()) {
                    Some(&i)
                        if matches!(
                            measures[i].kind,
                            MeasureKind::Question(_) | MeasureKind::Node
                        ) =>
                    {
                        Some(i)
                    }
                    _ => {
                        let help = suggest(q.get_ref(), by_id.keys().map(String::as_str));
                        ld.dangling(
                            f,
                            q.span(),
                            format!("`{}` is not a declared question or node", q.get_ref()),
                            help,
                        );
                        None
                    }
                })
                .collect(),
            (None, Some(n)) => measures[n].children.clone(),
            (None, None) => {
                ld.error(
                    &at(f, &lv.id),
                    format!("latent `{id}` has no `block` and is not a node of the hierarchy"),
                )
                .help = Some("list its questions in `block = [...]`".into());
                continue;
            }
        };
        if let (Some(b), Some(n)) = (&lv.block, node) {
            if measures[n]
                .derived
                .as_ref()
                .is_some_and(|d| d.method == DeriveMethod::Pls)
                && block != measures[n].children
            {
                ld.error(
                    &at(f, b),
                    format!("latent `{id}` gives node `{id}` its weights, so its block must be the node's children"),
                )
                .help = Some("leave `block` out: it is taken from the node".into());
            }
        }
        let mode_b = match lv.mode.as_ref().map(|m| m.get_ref().as_str()) {
            None | Some("A") | Some("a") => false,
            Some("B") | Some("b") => true,
            Some(other) => {
                ld.error(
                    &at(f, lv.mode.as_ref().expect("some")),
                    format!("unknown mode `{other}`"),
                )
                .help = Some("use \"A\" (reflective) or \"B\" (formative)".into());
                false
            }
        };
        latents.push(LatentSpec {
            label: opt_str(&lv.label).unwrap_or_else(|| {
                node.map(|n| measures[n].label.clone())
                    .unwrap_or_else(|| id.clone())
            }),
            id,
            block,
            mode_b,
            node,
        });
    }
    let mut paths = Vec::new();
    for p in &pv.path {
        let pv2 = p.get_ref();
        let find = |ld: &mut Loader, s: &toml::Spanned<String>| -> Option<usize> {
            let i = latents.iter().position(|l| &l.id == s.get_ref());
            if i.is_none() {
                let help = suggest(s.get_ref(), latents.iter().map(|l| l.id.as_str()));
                ld.error(
                    &at(f, s),
                    format!("latent `{}` is not declared in [pls]", s.get_ref()),
                )
                .help = help;
            }
            i
        };
        let Some(from) = find(ld, &pv2.from) else {
            continue;
        };
        for t in pv2.to.get_ref() {
            if let Some(to) = find(ld, t) {
                if to == from || paths.contains(&(from, to)) {
                    ld.error(&at(f, t), "this path is a loop or declared twice");
                } else {
                    paths.push((from, to));
                }
            }
        }
    }
    // Every node deriving its weights from PLS must be a latent.
    for (i, m) in measures.iter().enumerate() {
        if m.derived
            .as_ref()
            .is_some_and(|d| d.method == DeriveMethod::Pls)
            && !latents.iter().any(|l| l.node == Some(i))
        {
            ld.error(
                &at(f, &pv.id),
                format!(
                    "node `{}` takes its weights from PLS, but [pls] has no latent `{}`",
                    m.id, m.id
                ),
            )
            .help = Some(format!("add [[pls.latent]] with id = \"{}\"", m.id));
        }
    }
    let spec = PlsSpec {
        id: pv.id.get_ref().clone(),
        label: opt_str(&pv.label).unwrap_or_else(|| pv.id.get_ref().clone()),
        scheme,
        scaled: pv.scaled.as_ref().map(|s| *s.get_ref()).unwrap_or(false),
        bootstrap,
        seed,
        periods,
        latents,
        paths,
    };
    if spec.latents.len() < 2 || spec.paths.is_empty() {
        ld.error(
            &at(f, &pv.id),
            "a PLS model needs at least two latents and one [[pls.path]]",
        );
    }
    for (i, l) in spec.latents.iter().enumerate() {
        if l.block.is_empty() {
            ld.error(
                &at(f, &pv.id),
                format!("latent `{}` has an empty block", l.id),
            );
        }
        if !spec.paths.iter().any(|&(a, b)| a == i || b == i) {
            ld.error(&at(f, &pv.id), format!("latent `{}` is on no path", l.id))
                .help = Some("connect it with [[pls.path]] or remove it".into());
        }
    }
    Some(spec)
}

/// `[weighting]`.
pub(super) fn weighting(
    ld: &mut Loader,
    raw: &At<RawWeighting>,
    dimensions: &[Dimension],
    period: Option<&PeriodSpec>,
) -> Option<WeightingSpec> {
    let (f, wv) = (raw.file, raw.v.get_ref());
    let replace = match wv.mode.as_ref().map(|m| m.get_ref().as_str()) {
        None | Some("multiply") => false,
        Some("replace") => true,
        Some(other) => {
            let help = suggest(other, ["multiply", "replace"]);
            ld.error(
                &at(f, wv.mode.as_ref().expect("some")),
                format!("unknown weighting mode `{other}`"),
            )
            .help = help;
            false
        }
    };
    let trim = match &wv.trim {
        None => None,
        Some(t) => match t.get_ref().as_slice() {
            [lo, hi]
                if *lo.get_ref() > 0.0
                    && lo.get_ref() < hi.get_ref()
                    && *lo.get_ref() <= 1.0
                    && *hi.get_ref() >= 1.0 =>
            {
                Some((*lo.get_ref(), *hi.get_ref()))
            }
            _ => {
                ld.error(
                    &at(f, t),
                    "`trim` is [lo, hi] with 0 < lo <= 1 <= hi (times the mean weight)",
                );
                None
            }
        },
    };
    let tolerance = match &wv.tolerance {
        None => 1e-6,
        Some(t) if *t.get_ref() > 0.0 => *t.get_ref(),
        Some(t) => {
            ld.error(&at(f, t), "`tolerance` must be positive");
            1e-6
        }
    };
    let max_iter = match &wv.max_iter {
        None => 100,
        Some(t) if *t.get_ref() >= 1 => *t.get_ref() as usize,
        Some(t) => {
            ld.error(&at(f, t), "`max_iter` must be at least 1");
            100
        }
    };
    let mut margins: Vec<MarginSpec> = Vec::new();
    let mut dims = Vec::new();
    for m in &wv.margin {
        let mv = m.get_ref();
        let Some(d) = dimensions
            .iter()
            .position(|x| &x.id == mv.dimension.get_ref())
        else {
            let help = suggest(
                mv.dimension.get_ref(),
                dimensions.iter().map(|x| x.id.as_str()),
            );
            ld.dangling(
                f,
                mv.dimension.span(),
                format!("dimension `{}` is not declared", mv.dimension.get_ref()),
                help,
            );
            continue;
        };
        let dim = &dimensions[d];
        let p = match (&mv.period, period) {
            (Some(s), Some(ps)) => match ps.calendar.parse_label(s.get_ref()) {
                Some(x) => Some(x),
                None => {
                    ld.error(
                        &at(f, s),
                        format!("`{}` is not {}", s.get_ref(), ps.calendar.expected()),
                    );
                    continue;
                }
            },
            _ => None,
        };
        if margins.iter().any(|x| x.dimension == d && x.period == p) {
            ld.error(
                &at(f, &mv.dimension),
                format!(
                    "a margin for `{}` is already given{}",
                    dim.id,
                    if p.is_some() { " for this period" } else { "" }
                ),
            );
            continue;
        }
        let mut categories = Vec::new();
        let mut targets = Vec::new();
        let mut value_map = HashMap::new();
        let mut group_map = vec![None; dim.groups.len()];
        for (k, v) in mv.targets.get_ref() {
            let x = *v.get_ref();
            if !(x.is_finite() && x > 0.0) {
                ld.error(&at(f, v), "a target share must be a positive number")
                    .help = Some("leave a category with no population out of the margin".into());
                continue;
            }
            let c = categories.len() as u32;
            match dim.kind {
                DimKind::Distinct => {
                    value_map.insert(k.clone(), c);
                }
                _ => match dim.groups.iter().position(|g| &g.id == k) {
                    Some(g) => {
                        group_map[g] = Some(c);
                        if dim.kind == DimKind::Values {
                            for (val, &gi) in &dim.value_map {
                                if gi == g {
                                    value_map.insert(val.clone(), c);
                                }
                            }
                        }
                    }
                    None => {
                        let help = suggest(k, dim.groups.iter().map(|g| g.id.as_str()));
                        ld.error(
                            &at(f, v),
                            format!("`{k}` is not a group of dimension `{}`", dim.id),
                        )
                        .help = help;
                        continue;
                    }
                },
            }
            categories.push(k.clone());
            targets.push(x);
        }
        let sum: f64 = targets.iter().sum();
        if categories.is_empty() {
            ld.error(&at(f, &mv.targets), "a margin needs at least one target");
            continue;
        }
        if (sum - 1.0).abs() > 1e-3 && (sum - 100.0).abs() > 1e-1 {
            ld.error(
                &at(f, &mv.targets),
                format!(
                    "the targets of `{}` sum to {sum}, not to 1 (or 100 %)",
                    dim.id
                ),
            )
            .help = Some("give population shares that add up to 1 or to 100".into());
        }
        for t in &mut targets {
            *t /= sum;
        }
        if !dims.contains(&d) {
            dims.push(d);
        }
        margins.push(MarginSpec {
            dimension: d,
            period: p,
            categories,
            targets,
            value_map,
            group_map,
        });
    }
    if margins.is_empty() {
        ld.error(&at(f, &raw.v), "[weighting] has no [[weighting.margin]]");
        return None;
    }
    Some(WeightingSpec {
        replace,
        trim,
        tolerance,
        max_iter,
        margins,
        dims,
    })
}
