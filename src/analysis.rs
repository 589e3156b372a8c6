//! The analyses of METHODOLOGY 6-9 around the engine's passes: raking
//! (a pass that counts the raking classes, then IPF), derived roll-up
//! weights (a pass per hierarchy level that derives them), and on the final
//! pass's moments the key drivers, importance-performance matrix,
//! penalty-reward (Kano) classes and the PLS path model.
//!
//! Every pass reads the same bytes (their digests are compared), so every
//! row is evaluated the same way in each; rejected rows are reported by the
//! final pass only.

// Checks such as `!(x > 0.0)` are meant to fail for NaN too, which the
// comparison written the other way round would not.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::collections::BTreeMap;

use nalgebra::DMatrix;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::config::analysis::{DeriveMethod, ImportanceKind, PlsScheme, PlsSpec, WeightingSpec};
use crate::config::Study;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{
    aggregate, ingest_pass, Aggregates, EngineOptions, Extras, Failure, MomentSet, RakeKey,
    RejectedRow, Totals,
};
use crate::ingest::Tables;
use crate::stats::drivers::{self, KanoClass};
use crate::stats::pls;
use crate::stats::raking;

/// What the passes of a run produced.
pub struct Run {
    /// The final pass.
    pub totals: Totals,
    /// Its extras (which sets its moments hold).
    pub extras: Extras,
    pub passes: usize,
    /// Raking per period, when `[weighting]` is configured.
    pub weighting: Vec<WeightingRow>,
    /// Derived roll-up weights per period and node.
    pub derived: Vec<DerivedRow>,
}

/// Raking of one period (the report prints the efficiency).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WeightingRow {
    pub period: String,
    pub n: u64,
    pub iterations: usize,
    pub max_error: f64,
    pub n_eff: f64,
    pub efficiency: f64,
    pub min_weight: f64,
    pub max_weight: f64,
}

/// A child's derived weight in one period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DerivedRow {
    pub period: String,
    pub node: String,
    pub child: String,
    pub method: String,
    /// The period whose data gave the weight (the base when pinned).
    pub from_period: String,
    pub weight: f64,
}

/// The snake_case name serde gives a unit variant.
fn name_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn error(msg: impl Into<String>, help: &str) -> Failure {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(None, msg).with_help(help));
    Failure::Data(d)
}

/// The PLS model of the config over the kept columns `0..`, in the order
/// of [`pls_columns`].
pub fn pls_model(spec: &PlsSpec) -> (pls::Model, Vec<usize>) {
    let cols = pls_columns(spec);
    let latents = spec
        .latents
        .iter()
        .map(|l| pls::Latent {
            name: l.id.clone(),
            block: l
                .block
                .iter()
                .map(|m| cols.iter().position(|c| c == m).expect("listed"))
                .collect(),
            mode: if l.mode_b { pls::Mode::B } else { pls::Mode::A },
        })
        .collect();
    let model = pls::Model {
        name: spec.id.clone(),
        latents,
        paths: spec.paths.clone(),
        scheme: match spec.scheme {
            PlsScheme::Centroid => pls::Scheme::Centroid,
            PlsScheme::Factorial => pls::Scheme::Factorial,
            PlsScheme::Path => pls::Scheme::Path,
        },
        scaled: spec.scaled,
        max_iter: 100,
        tol: 1e-6,
    };
    (model, cols)
}

/// The measures of every PLS block, each once, in declaration order.
pub fn pls_columns(spec: &PlsSpec) -> Vec<usize> {
    let mut cols = Vec::new();
    for l in &spec.latents {
        for &m in &l.block {
            if !cols.contains(&m) {
                cols.push(m);
            }
        }
    }
    cols
}

/// The kept rows of `period`: (scores n x p, weights).
fn kept_rows(totals: &Totals, width: usize, period: i32) -> (DMatrix<f64>, Vec<f64>) {
    let stride = width + 2;
    let rows: Vec<&[f64]> = totals
        .kept
        .chunks_exact(stride)
        .filter(|r| r[0] as i32 == period)
        .collect();
    let x = DMatrix::from_fn(rows.len(), width, |i, j| rows[i][2 + j]);
    let w = rows.iter().map(|r| r[1]).collect();
    (x, w)
}

/// All passes of a run.
pub fn run(
    study: &Study,
    opts: &EngineOptions,
    pool: &rayon::ThreadPool,
    on_reject: &mut (dyn FnMut(&RejectedRow) -> std::io::Result<()> + Send),
) -> Result<Run, Failure> {
    let mut tables = Tables::new(study);
    let mut passes = 0;
    let mut digests: Option<Vec<String>> = None;
    let mut check_digests = |t: &Totals| -> Result<(), Failure> {
        let d: Vec<String> = t.inputs.iter().map(|i| i.sha256.clone()).collect();
        match &digests {
            Some(prev) if *prev != d => Err(error(
                "a data file changed while the run was reading it (its digest differs between passes)",
                "run again once the file is complete",
            )),
            Some(_) => Ok(()),
            None => {
                digests = Some(d);
                Ok(())
            }
        }
    };
    let cal = &study.period.calendar;

    // Raking (METHODOLOGY 9).
    let mut rake_weights = None;
    let mut weighting = Vec::new();
    if let Some(w) = &study.analysis.weighting {
        let ex = Extras {
            rake: true,
            ..Extras::default()
        };
        let t = ingest_pass(study, opts, pool, &tables, &ex, &mut |_| Ok(()))?;
        passes += 1;
        check_digests(&t)?;
        let (table, rows) = rake_all(study, w, &t.classes)?;
        rake_weights = Some(table);
        weighting = rows;
    }

    // Derived weights (METHODOLOGY 6), deepest level first.
    let mut levels: Vec<usize> = study
        .measures
        .iter()
        .filter(|m| m.derived.is_some())
        .map(|m| m.level)
        .collect();
    levels.sort_unstable_by(|a, b| b.cmp(a));
    levels.dedup();
    let mut weights: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    let mut derived_rows = Vec::new();
    for level in levels {
        let nodes: Vec<usize> = (0..study.measures.len())
            .filter(|&i| study.measures[i].level == level && study.measures[i].derived.is_some())
            .collect();
        let mut sets = Vec::new();
        let mut uses_pls = false;
        for &n in &nodes {
            let m = &study.measures[n];
            let d = m.derived.as_ref().expect("filtered");
            if d.method == DeriveMethod::Pls {
                uses_pls = true;
                continue;
            }
            if d.method == DeriveMethod::Importance {
                continue;
            }
            let outcome = m
                .outcome_for_drivers(&study.measures)
                .expect("checked by config");
            let mut vars = m.children.clone();
            vars.push(outcome);
            sets.push((n, MomentSet { vars, kano: None }));
        }
        let pls_spec = study.analysis.pls.as_ref().filter(|_| uses_pls);
        let ex = Extras {
            sets: sets.iter().map(|(_, s)| s.clone()).collect(),
            keep: pls_spec.map(pls_columns).unwrap_or_default(),
            rake_weights: rake_weights.clone(),
            ..Extras::default()
        };
        let t = ingest_pass(study, opts, pool, &tables, &ex, &mut |_| Ok(()))?;
        passes += 1;
        check_digests(&t)?;
        let agg = aggregate(study, &t);
        // Weights of every period from its own data, then the pinned ones.
        let mut own: BTreeMap<(usize, i32), Vec<f64>> = BTreeMap::new();
        for (pi, &p) in agg.periods.iter().enumerate() {
            for (si, (n, _)) in sets.iter().enumerate() {
                let m = &study.measures[*n];
                let method = m.derived.as_ref().expect("derived").method;
                let w = derive_from_moments(agg.moments(pi, 0, si), method).map_err(|e| {
                    error(
                        format!(
                            "cannot derive the weights of node `{}` for {}: {e}",
                            m.id,
                            cal.label(p)
                        ),
                        "pin them to a period with enough data (`weights_base`), or state the weights",
                    )
                })?;
                own.insert((*n, p), w);
            }
            // Stated importance: the period's mean importance score of
            // each child (respondents who rated it).
            for &n in &nodes {
                let m = &study.measures[n];
                if m.derived
                    .as_ref()
                    .is_some_and(|d| d.method == DeriveMethod::Importance)
                {
                    let means: Vec<f64> = m
                        .children
                        .iter()
                        .map(|&c| {
                            let q = study.measures[c].importance.expect("checked by config");
                            let s = agg.suff(pi, 0, q);
                            if s[0] > 0.0 && s[1] > 0.0 {
                                s[6] + s[3] / s[1]
                            } else {
                                f64::NAN
                            }
                        })
                        .collect();
                    own.insert((n, p), normalise(means).map_err(|e| {
                        error(
                            format!("cannot derive the weights of node `{}` for {}: {e}", m.id, cal.label(p)),
                            "check that the importance questions are answered in this period, or pin the weights with `weights_base`",
                        )
                    })?);
                }
            }
            if let Some(spec) = pls_spec {
                let (model, cols) = pls_model(spec);
                let (x, wts) = kept_rows(&t, cols.len(), p);
                let fit = pls::fit(&model, &x, Some(&wts)).map_err(|e| {
                    error(
                        format!("PLS model `{}` for {}: {e}", spec.id, cal.label(p)),
                        "check the model's blocks and paths, or pin the weights with `weights_base`",
                    )
                })?;
                for (li, l) in spec.latents.iter().enumerate() {
                    let Some(n) = l.node.filter(|&n| nodes.contains(&n)) else {
                        continue;
                    };
                    let u: Vec<f64> = fit
                        .outer
                        .iter()
                        .filter(|o| o.latent == li)
                        .map(|o| o.unstd_weight.max(0.0))
                        .collect();
                    own.insert(
                        (n, p),
                        normalise(u).map_err(|e| {
                            error(
                                format!(
                                    "PLS weights of node `{}` for {}: {e}",
                                    study.measures[n].id,
                                    cal.label(p)
                                ),
                                "check the latent's block",
                            )
                        })?,
                    );
                }
            }
        }
        for &n in &nodes {
            let m = &study.measures[n];
            let d = m.derived.as_ref().expect("derived");
            for &p in &agg.periods {
                let from = d.base.unwrap_or(p);
                let Some(w) = own.get(&(n, from)) else {
                    return Err(error(
                        format!(
                            "node `{}` pins its weights to {}, which has no data",
                            m.id,
                            cal.label(from)
                        ),
                        "set `weights_base` to a period present in the data",
                    ));
                };
                let entry = weights
                    .entry(p)
                    .or_insert_with(|| study.measures.iter().map(|x| x.weight).collect());
                for (&c, &x) in m.children.iter().zip(w) {
                    entry[c] = x;
                    derived_rows.push(DerivedRow {
                        period: cal.label(p),
                        node: m.id.clone(),
                        child: study.measures[c].id.clone(),
                        method: d.method.name().to_string(),
                        from_period: cal.label(from),
                        weight: x,
                    });
                }
            }
        }
        for (&p, w) in &weights {
            tables.set_period_weights(p, w);
        }
    }

    // The final pass: cells, and the moments of the drivers and Kano sets.
    let extras = final_extras(study, rake_weights);
    let totals = ingest_pass(study, opts, pool, &tables, &extras, on_reject)?;
    passes += 1;
    check_digests(&totals)?;
    Ok(Run {
        totals,
        extras,
        passes,
        weighting,
        derived: derived_rows,
    })
}

fn normalise(w: Vec<f64>) -> Result<Vec<f64>, String> {
    let sum: f64 = w.iter().sum();
    if !(sum > 0.0) || w.iter().any(|x| !x.is_finite()) {
        return Err("every child's derived weight is zero, or one is missing".into());
    }
    Ok(w.into_iter().map(|x| x / sum).collect())
}

/// Weights of a node's children from the moments of (children, outcome).
fn derive_from_moments(m: &drivers::Moments, method: DeriveMethod) -> Result<Vec<f64>, String> {
    let imp = drivers::importance(m).map_err(|e| e.to_string())?;
    let raw = match method {
        DeriveMethod::Correlation => imp.r.iter().map(|r| r.max(0.0)).collect(),
        DeriveMethod::RelativeWeights => imp.raw_weight.clone(),
        DeriveMethod::Pls | DeriveMethod::Importance => {
            unreachable!("PLS and importance weights are derived elsewhere")
        }
    };
    normalise(raw)
}

/// The extras of the final pass: per driver set, the regression moments
/// and the penalty-reward moments; the PLS blocks' scores.
fn final_extras(study: &Study, rake_weights: Option<FxHashMap<RakeKey, f64>>) -> Extras {
    let mut sets = Vec::new();
    if let Some(d) = &study.analysis.drivers {
        for s in &d.sets {
            let mut vars = s.children.clone();
            vars.push(s.outcome);
            sets.push(MomentSet {
                vars: vars.clone(),
                kano: None,
            });
            sets.push(MomentSet {
                vars,
                kano: Some((d.kano_low, d.kano_high)),
            });
        }
    }
    Extras {
        sets,
        keep: study
            .analysis
            .pls
            .as_ref()
            .map(pls_columns)
            .unwrap_or_default(),
        rake: false,
        rake_weights,
    }
}

/// Rakes every period to its margins; the final weight of every class.
fn rake_all(
    study: &Study,
    w: &WeightingSpec,
    classes: &BTreeMap<RakeKey, u64>,
) -> Result<(FxHashMap<RakeKey, f64>, Vec<WeightingRow>), Failure> {
    let cal = &study.period.calendar;
    let mut by_period: BTreeMap<i32, Vec<(&RakeKey, u64)>> = BTreeMap::new();
    for (k, &n) in classes {
        by_period.entry(k.0).or_default().push((k, n));
    }
    let mut table = FxHashMap::default();
    let mut rows = Vec::new();
    for (p, list) in by_period {
        // The margins of this period: its own, else the general one, per dimension.
        let mut margins = Vec::new();
        let mut slots = Vec::new();
        for (k, &d) in w.dims.iter().enumerate() {
            let m = w
                .margins
                .iter()
                .find(|m| m.dimension == d && m.period == Some(p))
                .or_else(|| {
                    w.margins
                        .iter()
                        .find(|m| m.dimension == d && m.period.is_none())
                });
            if let Some(m) = m {
                margins.push(raking::Margin {
                    name: study.dimensions[d].id.clone(),
                    categories: m.categories.clone(),
                    targets: m.targets.clone(),
                });
                slots.push(k);
            }
        }
        if margins.is_empty() {
            for (k, _) in &list {
                table.insert(**k, f64::from_bits(k.2));
            }
            continue;
        }
        let cls: Vec<raking::Class> = list
            .iter()
            .map(|(k, n)| raking::Class {
                cats: slots.iter().map(|&s| k.1[s]).collect(),
                design: if w.replace { 1.0 } else { f64::from_bits(k.2) },
                count: *n as f64,
            })
            .collect();
        let opts = raking::RakeOptions {
            tol: w.tolerance,
            max_iter: w.max_iter,
            trim: w.trim,
        };
        let r = raking::rake(&cls, &margins, &opts).map_err(|e| {
            error(
                format!("raking {}: {e}", cal.label(p)),
                "check the [weighting] margins against the data of this period",
            )
        })?;
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for ((k, _), &wt) in list.iter().zip(&r.weights) {
            table.insert(**k, wt);
            lo = lo.min(wt);
            hi = hi.max(wt);
        }
        rows.push(WeightingRow {
            period: cal.label(p),
            n: list.iter().map(|(_, n)| n).sum(),
            iterations: r.iterations,
            max_error: r.max_error,
            n_eff: r.n_eff,
            efficiency: r.efficiency,
            min_weight: lo,
            max_weight: hi,
        });
    }
    Ok((table, rows))
}

// ------------------------------------------------------------ results

/// One child of a driver set in one cell (drivers.csv).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriverRow {
    pub period: String,
    pub dimension: String,
    pub group: String,
    pub node: String,
    pub child: String,
    pub outcome: String,
    pub n: u64,
    pub r: Option<f64>,
    pub beta: Option<f64>,
    pub relative_weight: Option<f64>,
    pub share: Option<f64>,
    pub r2: Option<f64>,
    /// The child's weight in the roll-up of this period.
    pub weight: f64,
    pub performance: Option<f64>,
    pub note: String,
}

/// One point of an importance-performance matrix (ipa.csv).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IpaRow {
    pub period: String,
    pub dimension: String,
    pub group: String,
    pub node: String,
    pub child: String,
    pub importance_kind: String,
    pub importance: f64,
    pub performance: f64,
    pub x_line: f64,
    pub y_line: f64,
    /// concentrate_here, keep_up, low_priority, possible_overkill
    pub quadrant: String,
}

/// Penalty-reward of one child in one cell (kano.csv).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KanoRow {
    pub period: String,
    pub dimension: String,
    pub group: String,
    pub node: String,
    pub child: String,
    pub outcome: String,
    pub n: u64,
    /// Weighted % of respondents in the bottom / top boxes.
    pub low_share: Option<f64>,
    pub high_share: Option<f64>,
    pub penalty: Option<f64>,
    pub reward: Option<f64>,
    /// basic, performance, excitement
    pub class: Option<String>,
    pub note: String,
}

/// One estimate of the PLS model (pls.csv).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlsRow {
    pub period: String,
    pub model: String,
    /// outer_weight, loading, path, r2, ave, effect_total, index, gof
    pub statistic: String,
    pub latent: String,
    /// The question of an outer weight or loading; the source latent of a
    /// path or effect.
    pub item: String,
    pub estimate: f64,
    pub se: Option<f64>,
    pub t: Option<f64>,
    pub p: Option<f64>,
    pub boot_mean: Option<f64>,
    pub boot_se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// Every figure of METHODOLOGY 6-9 of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnalysisResults {
    pub drivers: Vec<DriverRow>,
    pub ipa: Vec<IpaRow>,
    pub kano: Vec<KanoRow>,
    pub pls: Vec<PlsRow>,
    pub pls_info: Option<PlsInfo>,
    pub weighting: Vec<WeightingRow>,
    pub derived: Vec<DerivedRow>,
    /// The importance on the IPA x axis, and the Kano settings.
    pub importance_kind: Option<String>,
    pub kano_low: Option<f64>,
    pub kano_high: Option<f64>,
    pub kano_ratio: Option<f64>,
    pub passes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlsInfo {
    pub model: String,
    pub label: String,
    pub scheme: String,
    pub scaled: bool,
    pub bootstrap: usize,
    pub bootstrap_failed: Vec<(String, usize)>,
    pub seed: u64,
    pub latents: Vec<(String, String)>,
    pub paths: Vec<(String, String)>,
    pub n: Vec<(String, usize)>,
}

/// The cells the drivers are computed for: (dimension id, group id, cell).
fn driver_cells(study: &Study, agg: &Aggregates, dims: &[usize]) -> Vec<(String, String, usize)> {
    let mut cells = vec![("total".to_string(), "total".to_string(), 0)];
    for &d in dims {
        for (g, (gid, _)) in agg.groups[d].iter().enumerate() {
            cells.push((
                study.dimensions[d].id.clone(),
                gid.clone(),
                agg.dim_offset[d] + g,
            ));
        }
    }
    cells
}

/// The figures of the run's analyses, from the final pass's aggregates.
pub fn results(study: &Study, run: &Run, agg: &Aggregates) -> Result<AnalysisResults, Failure> {
    let cal = &study.period.calendar;
    let mut out = AnalysisResults {
        weighting: run.weighting.clone(),
        derived: run.derived.clone(),
        passes: run.passes,
        ..AnalysisResults::default()
    };
    let mean = |p: usize, c: usize, m: usize| -> Option<f64> {
        let s = agg.suff(p, c, m);
        (s[0] > 0.0 && s[1] > 0.0).then(|| s[6] + s[3] / s[1])
    };
    let weight_of = |period: &str, child: usize| -> f64 {
        run.derived
            .iter()
            .find(|d| d.period == period && d.child == study.measures[child].id)
            .map(|d| d.weight)
            .unwrap_or(study.measures[child].weight)
    };
    if let Some(d) = &study.analysis.drivers {
        out.importance_kind = Some(d.importance.name().to_string());
        out.kano_low = Some(d.kano_low);
        out.kano_high = Some(d.kano_high);
        out.kano_ratio = Some(d.kano_ratio);
        let np = agg.periods.len();
        let cells = driver_cells(study, agg, &d.dimensions);
        for pi in np.saturating_sub(d.periods)..np {
            let pl = cal.label(agg.periods[pi]);
            for (dim, group, c) in &cells {
                for (si, set) in d.sets.iter().enumerate() {
                    let m = &study.measures[set.node];
                    let outcome = study.measures[set.outcome].id.clone();
                    // Regression moments are set 2 si, penalty-reward 2 si + 1.
                    let mom = agg.moments(pi, *c, 2 * si);
                    let imp = drivers::importance(mom);
                    let note = imp
                        .as_ref()
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    let mut points = Vec::new();
                    for (k, &ch) in set.children.iter().enumerate() {
                        let i = imp.as_ref().ok();
                        let perf = mean(pi, *c, ch);
                        out.drivers.push(DriverRow {
                            period: pl.clone(),
                            dimension: dim.clone(),
                            group: group.clone(),
                            node: m.id.clone(),
                            child: study.measures[ch].id.clone(),
                            outcome: outcome.clone(),
                            n: mom.n(),
                            r: i.map(|i| i.r[k]),
                            beta: i.map(|i| i.beta[k]),
                            relative_weight: i.map(|i| i.raw_weight[k]),
                            share: i.map(|i| i.share[k]),
                            r2: i.map(|i| i.r2),
                            weight: weight_of(&pl, ch),
                            performance: perf,
                            note: note.clone(),
                        });
                        if let (Some(i), Some(y)) = (i, perf) {
                            let x = match d.importance {
                                ImportanceKind::RelativeWeights => i.share[k],
                                ImportanceKind::Correlation => i.r[k],
                                ImportanceKind::Beta => i.beta[k],
                            };
                            points.push((ch, x, y));
                        }
                    }
                    if !points.is_empty() {
                        let nf = points.len() as f64;
                        let xl = d
                            .ipa_x
                            .unwrap_or(points.iter().map(|p| p.1).sum::<f64>() / nf);
                        let yl = d
                            .ipa_y
                            .unwrap_or(points.iter().map(|p| p.2).sum::<f64>() / nf);
                        for (ch, x, y) in points {
                            out.ipa.push(IpaRow {
                                period: pl.clone(),
                                dimension: dim.clone(),
                                group: group.clone(),
                                node: m.id.clone(),
                                child: study.measures[ch].id.clone(),
                                importance_kind: d.importance.name().to_string(),
                                importance: x,
                                performance: y,
                                x_line: xl,
                                y_line: yl,
                                quadrant: name_of(&drivers::quadrant(x, y, xl, yl)),
                            });
                        }
                    }
                    let km = agg.moments(pi, *c, 2 * si + 1);
                    let pr = drivers::penalty_reward(km);
                    let note = match pr.as_ref().err() {
                        None => String::new(),
                        // Low and high dummies that cover every respondent
                        // are collinear with the intercept.
                        Some(drivers::DriverError::Singular) => format!(
                            "no middle scores to compare with (every score is <= {} or >= {}): raise kano_low or lower kano_high",
                            d.kano_low, d.kano_high
                        ),
                        Some(e) => e.to_string(),
                    };
                    let shares = (km.n() > 0).then(|| km.means());
                    for (k, &ch) in set.children.iter().enumerate() {
                        let pr = pr.as_ref().ok();
                        let penalty = pr.and_then(|x| x.penalty[k]);
                        let reward = pr.and_then(|x| x.reward[k]);
                        // A class needs at least min_report respondents
                        // with a low and with a high score.
                        let few = shares.as_ref().is_some_and(|s| {
                            let n = km.n() as f64;
                            (s[2 * k] * n).round() < study.min_report as f64
                                || (s[2 * k + 1] * n).round() < study.min_report as f64
                        });
                        let note = if few && note.is_empty() {
                            format!(
                                "fewer than {} respondents with a low or a high score",
                                study.min_report
                            )
                        } else {
                            note.clone()
                        };
                        out.kano.push(KanoRow {
                            period: pl.clone(),
                            dimension: dim.clone(),
                            group: group.clone(),
                            node: m.id.clone(),
                            child: study.measures[ch].id.clone(),
                            outcome: outcome.clone(),
                            n: km.n(),
                            low_share: shares.as_ref().map(|s| 100.0 * s[2 * k]),
                            high_share: shares.as_ref().map(|s| 100.0 * s[2 * k + 1]),
                            penalty,
                            reward,
                            class: pr
                                .filter(|_| !few)
                                .and_then(|_| drivers::kano_class(penalty, reward, d.kano_ratio))
                                .map(|k: KanoClass| name_of(&k)),
                            note,
                        });
                    }
                }
            }
        }
    }
    if let Some(spec) = &study.analysis.pls {
        let (rows, info) = pls_results(study, spec, &run.totals, agg)?;
        out.pls = rows;
        out.pls_info = Some(info);
    }
    Ok(out)
}

fn pls_results(
    study: &Study,
    spec: &PlsSpec,
    totals: &Totals,
    agg: &Aggregates,
) -> Result<(Vec<PlsRow>, PlsInfo), Failure> {
    let cal = &study.period.calendar;
    let (model, cols) = pls_model(spec);
    let np = agg.periods.len();
    let periods: Vec<i32> = agg.periods[np.saturating_sub(spec.periods)..].to_vec();
    // Periods in parallel would nest the bootstrap's parallelism; the
    // bootstrap is where the time goes, so periods run in turn.
    let mut rows = Vec::new();
    let mut ns = Vec::new();
    let mut failed = Vec::new();
    for &p in &periods {
        let pl = cal.label(p);
        let (x, w) = kept_rows(totals, cols.len(), p);
        ns.push((pl.clone(), x.nrows()));
        let fail = |e: pls::PlsError| {
            error(
                format!("PLS model `{}` for {pl}: {e}", spec.id),
                "check the model's blocks and paths in [pls]",
            )
        };
        let fit = pls::fit(&model, &x, Some(&w)).map_err(fail)?;
        let boot = if spec.bootstrap > 0 {
            Some(pls::bootstrap(&model, &x, Some(&w), spec.bootstrap, spec.seed).map_err(fail)?)
        } else {
            None
        };
        if let Some(b) = &boot {
            failed.push((pl.clone(), b.failed));
        }
        let lid = |l: usize| spec.latents[l].id.clone();
        let item = |c: usize| study.measures[cols[c]].id.clone();
        let row = |statistic: &str,
                   latent: String,
                   item: String,
                   estimate: f64,
                   b: Option<&pls::BootStat>| PlsRow {
            period: pl.clone(),
            model: spec.id.clone(),
            statistic: statistic.to_string(),
            latent,
            item,
            estimate,
            se: None,
            t: None,
            p: None,
            boot_mean: b.map(|b| b.mean),
            boot_se: b.map(|b| b.se),
            ci_low: b.map(|b| b.lo),
            ci_high: b.map(|b| b.hi),
        };
        for (i, o) in fit.outer.iter().enumerate() {
            let b = boot.as_ref().map(|b| &b.weights[i]);
            rows.push(row(
                "outer_weight",
                lid(o.latent),
                item(o.column),
                o.weight,
                b,
            ));
        }
        for (i, o) in fit.outer.iter().enumerate() {
            let b = boot.as_ref().map(|b| &b.loadings[i]);
            rows.push(row("loading", lid(o.latent), item(o.column), o.loading, b));
        }
        for (k, &(from, to)) in spec.paths.iter().enumerate() {
            let b = boot.as_ref().map(|b| &b.paths[k]);
            let mut r = row("path", lid(to), lid(from), fit.paths[(from, to)], b);
            if let Some(c) = fit
                .inner
                .iter()
                .find(|i| i.latent == to)
                .and_then(|i| i.coefs.iter().find(|c| c.from == from))
            {
                r.se = Some(c.se);
                r.t = Some(c.t);
                r.p = Some(c.p);
            }
            rows.push(r);
        }
        for (l, s) in fit.summary.iter().enumerate() {
            if s.endogenous {
                let b = boot.as_ref().map(|b| &b.r2[l]);
                rows.push(row("r2", lid(l), String::new(), s.r2, b));
            }
        }
        // AVE is defined for reflective (mode A) blocks only.
        for (l, s) in fit.summary.iter().enumerate() {
            if let Some(ave) = s.ave {
                rows.push(row("ave", lid(l), String::new(), ave, None));
            }
        }
        for e in &fit.effects {
            rows.push(row("effect_total", lid(e.to), lid(e.from), e.total, None));
        }
        for (l, &ix) in fit.index.iter().enumerate() {
            let b = boot.as_ref().map(|b| &b.index[l]);
            rows.push(row("index", lid(l), String::new(), ix, b));
        }
        rows.push(row("gof", String::new(), String::new(), fit.gof, None));
    }
    let info = PlsInfo {
        model: spec.id.clone(),
        label: spec.label.clone(),
        scheme: format!("{:?}", spec.scheme).to_lowercase(),
        scaled: spec.scaled,
        bootstrap: spec.bootstrap,
        bootstrap_failed: failed,
        seed: spec.seed,
        latents: spec
            .latents
            .iter()
            .map(|l| (l.id.clone(), l.label.clone()))
            .collect(),
        paths: spec
            .paths
            .iter()
            .map(|&(a, b)| (spec.latents[a].id.clone(), spec.latents[b].id.clone()))
            .collect(),
        n: ns,
    };
    Ok((rows, info))
}
