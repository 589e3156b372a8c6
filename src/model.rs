//! The results model: every figure of a run, in the shape the outputs
//! (CSV, JSON, reports) read. Built from the engine's aggregates with the
//! estimates and tests of [`crate::stats`]; no floating-point work here
//! depends on thread count or hash order.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{MeasureKind, ReportLayout, Study};
use crate::engine::{Aggregates, Totals};
use crate::stats::{
    add_suff, estimate, estimate_nps, estimate_share, welch, ztest, Estimate, Flag, Rules, Suff,
    NSTAT,
};

pub const SCHEMA: &str = "csi.results/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineInfo {
    pub name: String,
    pub version: String,
}

/// This engine's name and version.
pub fn engine() -> EngineInfo {
    EngineInfo {
        name: "csi".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudyInfo {
    pub id: String,
    pub name: String,
    pub client: Option<String>,
    pub locale: String,
    pub alpha: f64,
    pub min_base: u64,
    pub min_report: u64,
    pub coverage: f64,
    pub bad_rows: String,
    pub weighted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleInfo {
    pub id: String,
    pub lo: f64,
    pub hi: f64,
    pub missing: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfo {
    pub id: String,
    pub label: String,
    /// index, node, question, standalone or gap.
    pub kind: String,
    pub parent: Option<String>,
    pub level: usize,
    pub children: Vec<String>,
    /// Weight as stated in the config; null when not stated (equal weights).
    pub stated_weight: Option<f64>,
    /// Weight normalised inside the parent.
    pub weight: Option<f64>,
    pub coverage: Option<f64>,
    pub scale: Option<String>,
    pub column: Option<String>,
    pub reverse: bool,
    pub expectation: Option<String>,
    pub outcome: Option<String>,
    /// For gaps: the node and its expectation question.
    pub gap_of: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodInfo {
    pub id: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupInfo {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DimensionInfo {
    pub id: String,
    pub label: String,
    pub column: String,
    pub kind: String,
    pub own: Option<String>,
    pub groups: Vec<GroupInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchmarkInfo {
    pub id: String,
    pub label: String,
    pub node: String,
    pub value: f64,
    pub period: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowAccounting {
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    pub outside_period: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub outside_by_period: BTreeMap<String, u64>,
}

/// One row of cells.csv.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cell {
    pub period: String,
    pub dimension: String,
    pub group: String,
    pub node: String,
    pub n: u64,
    pub weighted_n: f64,
    pub n_eff: Option<f64>,
    pub mean: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub flag: Flag,
}

/// One row of comparisons.csv.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub kind: String,
    pub node: String,
    pub dimension: String,
    pub group: String,
    pub period: String,
    pub vs_dimension: String,
    pub vs_group: String,
    pub vs_period: String,
    pub delta: f64,
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p: Option<f64>,
    pub significant: bool,
}

/// Rows used per period and group (the bases of the report).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Base {
    pub period: String,
    pub dimension: String,
    pub group: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub schema: String,
    pub engine: EngineInfo,
    pub study: StudyInfo,
    pub config_digest: String,
    pub hierarchy: Vec<NodeInfo>,
    pub scales: Vec<ScaleInfo>,
    pub periods: Vec<PeriodInfo>,
    pub current_period: Option<String>,
    pub dimensions: Vec<DimensionInfo>,
    pub benchmarks: Vec<BenchmarkInfo>,
    pub rows: RowAccounting,
    pub bases: Vec<Base>,
    pub cells: Vec<Cell>,
    pub comparisons: Vec<Comparison>,
    /// Drivers, importance-performance, Kano, PLS, raking (METHODOLOGY 6-9).
    #[serde(default)]
    pub analysis: crate::analysis::AnalysisResults,
    pub report: ReportLayout,
}

/// Comparison kinds, in output order.
pub const KIND_PREVIOUS: &str = "previous_period";
pub const KIND_YEAR: &str = "year_ago";
pub const KIND_REST: &str = "rest";
pub const KIND_BRAND: &str = "own_brand";
/// The `vs_group` of a group-vs-rest comparison.
pub const REST: &str = "(rest)";

pub fn build(study: &Study, totals: &Totals, agg: &Aggregates) -> Results {
    let rules = Rules {
        alpha: study.alpha,
        min_base: study.min_base,
        min_report: study.min_report,
    };
    let cal = &study.period.calendar;
    let plabel: Vec<String> = agg.periods.iter().map(|&p| cal.label(p)).collect();
    let nm = agg.nmeasures;
    let nd = study.dimensions.len();

    // (dimension id, group id) of every cell.
    let mut cell_names: Vec<(String, String)> = vec![("total".into(), "total".into())];
    for (d, dim) in study.dimensions.iter().enumerate() {
        for (gid, _) in &agg.groups[d] {
            cell_names.push((dim.id.clone(), gid.clone()));
        }
    }

    // Estimates of every (period, cell, measure).
    // (In parallel: t quantiles are the costly part; collect keeps the order.)
    let est: Vec<Estimate> = (0..agg.periods.len() * agg.ncells * nm)
        .into_par_iter()
        .map(|i| {
            let (p, rem) = (i / (agg.ncells * nm), i % (agg.ncells * nm));
            let c = rem / nm;
            estimate_measure(study, rem % nm, |m| to_suff(agg.suff(p, c, m)), &rules)
        })
        .collect();
    let e = |p: usize, c: usize, m: usize| &est[(p * agg.ncells + c) * nm + m];

    let mut cells = Vec::with_capacity(est.len());
    for (p, pl) in plabel.iter().enumerate() {
        for (c, (dn, gn)) in cell_names.iter().enumerate() {
            for (m, meas) in study.measures.iter().enumerate() {
                let x = e(p, c, m);
                cells.push(Cell {
                    period: pl.clone(),
                    dimension: dn.clone(),
                    group: gn.clone(),
                    node: meas.id.clone(),
                    n: x.n,
                    weighted_n: x.weighted_n,
                    n_eff: x.n_eff,
                    mean: x.mean,
                    se: x.se,
                    ci_low: x.ci_low,
                    ci_high: x.ci_high,
                    flag: x.flag,
                });
            }
        }
    }

    // Comparisons: listed in output order, then tested in parallel (the
    // p-values are the costly part); collect keeps the order.
    let mut tasks: Vec<Task> = Vec::new();
    let index_of = |ord: i32| agg.periods.iter().position(|&p| p == ord);
    // Period over period, and a year earlier: every cell.
    for (kind, back) in [(KIND_PREVIOUS, Some(1)), (KIND_YEAR, cal.per_year())] {
        let Some(back) = back else { continue };
        for p in 0..agg.periods.len() {
            let Some(q) = index_of(agg.periods[p] - back) else {
                continue;
            };
            for c in 0..agg.ncells {
                for m in 0..nm {
                    tasks.push(Task {
                        kind,
                        m,
                        a: (p, c),
                        b: (q, c),
                        y: Side::Est(*e(q, c, m)),
                        vs_group: None,
                    });
                }
            }
        }
    }
    // Each group against the rest of its dimension.
    for p in 0..agg.periods.len() {
        for d in 0..nd {
            let off = agg.dim_offset[d];
            let ng = agg.groups[d].len();
            if ng < 2 {
                continue;
            }
            for g in 0..ng {
                for m in 0..nm {
                    tasks.push(Task {
                        kind: KIND_REST,
                        m,
                        a: (p, off + g),
                        b: (p, off + g),
                        y: Side::Rest {
                            p,
                            cells: (0..ng).filter(|&h| h != g).map(|h| off + h).collect(),
                        },
                        vs_group: Some(REST),
                    });
                }
            }
        }
    }
    // Each competitor against the own brand.
    for (d, dim) in study.dimensions.iter().enumerate() {
        let Some(own) = dim.own else { continue };
        let off = agg.dim_offset[d];
        for p in 0..agg.periods.len() {
            for g in (0..agg.groups[d].len()).filter(|&g| g != own) {
                for m in 0..nm {
                    tasks.push(Task {
                        kind: KIND_BRAND,
                        m,
                        a: (p, off + g),
                        b: (p, off + own),
                        y: Side::Est(*e(p, off + own, m)),
                        vs_group: None,
                    });
                }
            }
        }
    }
    let comparisons: Vec<Comparison> = tasks
        .par_iter()
        .filter_map(|t| {
            let (pa, ca) = t.a;
            let (pb, cb) = t.b;
            let y = match &t.y {
                Side::Est(x) => *x,
                Side::Rest { p, cells } => estimate_measure(
                    study,
                    t.m,
                    |m| {
                        let mut rest = [0.0; NSTAT];
                        for &c in cells {
                            add_suff(&mut rest, agg.suff(*p, c, m));
                        }
                        rest
                    },
                    &rules,
                ),
            };
            let w = match study.measures[t.m].kind {
                MeasureKind::Share { .. } | MeasureKind::Nps { .. } => {
                    ztest(e(pa, ca, t.m), &y, study.alpha)?
                }
                _ => welch(e(pa, ca, t.m), &y, study.alpha)?,
            };
            Some(Comparison {
                kind: t.kind.to_string(),
                node: study.measures[t.m].id.clone(),
                dimension: cell_names[ca].0.clone(),
                group: cell_names[ca].1.clone(),
                period: plabel[pa].clone(),
                vs_dimension: cell_names[cb].0.clone(),
                vs_group: t
                    .vs_group
                    .map(str::to_string)
                    .unwrap_or_else(|| cell_names[cb].1.clone()),
                vs_period: plabel[pb].clone(),
                delta: w.delta,
                t: w.t,
                df: w.df,
                p: w.p,
                significant: w.significant,
            })
        })
        .collect();

    let mut bases = Vec::new();
    for (p, pl) in plabel.iter().enumerate() {
        for (c, (dn, gn)) in cell_names.iter().enumerate() {
            bases.push(Base {
                period: pl.clone(),
                dimension: dn.clone(),
                group: gn.clone(),
                rows: agg.cell_rows(p, c),
            });
        }
    }

    Results {
        schema: SCHEMA.to_string(),
        engine: engine(),
        study: StudyInfo {
            id: study.id.clone(),
            name: study.name.clone(),
            client: study.client.clone(),
            locale: study.locale.code().to_string(),
            alpha: study.alpha,
            min_base: study.min_base,
            min_report: study.min_report,
            coverage: study.coverage,
            bad_rows: study.bad_rows.name().to_string(),
            weighted: study.data.weight.is_some(),
        },
        config_digest: study.digest.clone(),
        hierarchy: hierarchy(study),
        scales: study
            .scales
            .iter()
            .map(|s| ScaleInfo {
                id: s.id.clone(),
                lo: s.lo,
                hi: s.hi,
                missing: s.missing.clone(),
            })
            .collect(),
        periods: agg
            .periods
            .iter()
            .zip(&plabel)
            .map(|(p, l)| PeriodInfo {
                id: l.clone(),
                rows: totals.used.get(p).copied().unwrap_or(0),
            })
            .collect(),
        current_period: plabel.last().cloned(),
        dimensions: study
            .dimensions
            .iter()
            .enumerate()
            .map(|(d, dim)| DimensionInfo {
                id: dim.id.clone(),
                label: dim.label.clone(),
                column: dim.column.clone(),
                kind: dim.kind.name().to_string(),
                own: dim.own.map(|g| dim.groups[g].id.clone()),
                groups: agg.groups[d]
                    .iter()
                    .map(|(id, label)| GroupInfo {
                        id: id.clone(),
                        label: label.clone(),
                    })
                    .collect(),
            })
            .collect(),
        benchmarks: study
            .benchmarks
            .iter()
            .map(|b| BenchmarkInfo {
                id: b.id.clone(),
                label: b.label.clone(),
                node: b.node.clone(),
                value: b.value,
                period: b.period.clone(),
                source: b.source.clone(),
            })
            .collect(),
        rows: RowAccounting {
            read: totals.rows_read,
            used: totals.rows_used(),
            rejected: totals.rows_rejected(),
            outside_period: totals.rows_outside(),
            rejected_by_reason: totals
                .rejected
                .iter()
                .map(|(r, n)| (r.as_str().to_string(), *n))
                .collect(),
            outside_by_period: totals
                .outside
                .iter()
                .map(|(p, n)| (cal.label(*p), *n))
                .collect(),
        },
        bases,
        cells,
        comparisons,
        analysis: Default::default(),
        report: study.report.clone(),
    }
}

/// One comparison to make: cell `a` of measure `m` against `y`.
struct Task {
    kind: &'static str,
    m: usize,
    a: (usize, usize),
    b: (usize, usize),
    y: Side,
    vs_group: Option<&'static str>,
}

/// The other side of a comparison: a cell's estimate, or the rest of a
/// dimension (the other groups' cells of period `p`, estimated in the
/// parallel step).
enum Side {
    Est(Estimate),
    Rest { p: usize, cells: Vec<usize> },
}

/// The estimate of measure `m` of a cell whose statistics `suff` gives, by
/// the measure's kind: a mean (METHODOLOGY 3), a share or an NPS (5).
pub fn estimate_measure(
    study: &Study,
    m: usize,
    suff: impl Fn(usize) -> Suff,
    rules: &Rules,
) -> Estimate {
    match study.measures[m].kind {
        MeasureKind::Share { .. } => estimate_share(&suff(m), rules),
        MeasureKind::Nps {
            promoters,
            detractors,
            ..
        } => estimate_nps(&suff(m), &suff(promoters), &suff(detractors), rules),
        _ => estimate(&suff(m), rules),
    }
}

fn to_suff(s: &[f64]) -> Suff {
    let mut x = [0.0; NSTAT];
    x.copy_from_slice(s);
    x
}

fn hierarchy(study: &Study) -> Vec<NodeInfo> {
    let ms = &study.measures;
    ms.iter()
        .map(|m| {
            let (scale, column, reverse) = match &m.kind {
                MeasureKind::Question(q) => (
                    Some(study.scales[q.scale].id.clone()),
                    Some(q.column.clone()),
                    q.reverse,
                ),
                _ => (None, None, false),
            };
            NodeInfo {
                id: m.id.clone(),
                label: m.label.clone(),
                kind: m.kind_name().to_string(),
                parent: m.parent.map(|p| ms[p].id.clone()),
                level: m.level,
                children: m.children.iter().map(|&c| ms[c].id.clone()).collect(),
                stated_weight: m.stated_weight,
                weight: m.parent.map(|_| m.weight),
                coverage: matches!(m.kind, MeasureKind::Node).then_some(m.coverage),
                scale,
                column,
                reverse,
                expectation: m.expectation.map(|e| ms[e].id.clone()),
                outcome: m.outcome.map(|o| ms[o].id.clone()),
                gap_of: match m.kind {
                    MeasureKind::Gap { node, expectation } => {
                        Some((ms[node].id.clone(), ms[expectation].id.clone()))
                    }
                    _ => None,
                },
            }
        })
        .collect()
}
