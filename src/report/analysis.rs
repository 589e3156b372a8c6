//! Report sections of METHODOLOGY 5-9: NPS and shares, key drivers, the
//! importance-performance matrix, Kano classes, the PLS path model and the
//! raked weighting. They read the run's figures only (results.json).

use serde_json::{json, Value};

use super::locale::{self, fmt_delta, fmt_num};
use super::{ChartView, Ix};
use crate::charts::{self, Bar, Point, Series, Style};
use crate::model::{KIND_PREVIOUS, KIND_YEAR};

fn chart(title: String, alt: String, svg: String) -> ChartView {
    ChartView {
        file: String::new(),
        title,
        alt,
        svg,
    }
}

/// NPS and top-box shares: the latest value, its changes, and the trend.
pub(super) fn nps(ix: &Ix<'_>, p: &str, style: &Style) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let t = |k| locale::get(lang, k);
    let mut rows = Vec::new();
    let mut charts = Vec::new();
    let periods: Vec<&str> = r.periods.iter().map(|p| p.id.as_str()).collect();
    let labels: Vec<String> = periods.iter().map(|p| locale::period(lang, p)).collect();
    for h in r
        .hierarchy
        .iter()
        .filter(|h| h.kind == "nps" || h.kind == "share")
    {
        // The promoter and detractor shares are shown on their NPS's row.
        if h.kind == "share"
            && r.hierarchy
                .iter()
                .any(|n| n.kind == "nps" && h.id.starts_with(&format!("{}.", n.id)))
        {
            continue;
        }
        let cell = ix.cell(p, "total", "total", &h.id);
        let part = |suffix: &str| {
            ix.cell_view(ix.cell(p, "total", "total", &format!("{}.{suffix}", h.id)))
        };
        rows.push(json!({
            "label": h.label,
            "nps": h.kind == "nps",
            "value": ix.cell_view(cell),
            "se": cell.and_then(|c| c.se).map(|s| fmt_num(lang, s, 1)).unwrap_or_default(),
            "previous": ix.comp_view(ix.comp(KIND_PREVIOUS, p, "total", "total", &h.id)),
            "year": ix.comp_view(ix.comp(KIND_YEAR, p, "total", "total", &h.id)),
            "promoters": if h.kind == "nps" { part("promoters") } else { Value::Null },
            "detractors": if h.kind == "nps" { part("detractors") } else { Value::Null },
        }));
        if h.kind == "nps" {
            let series = Series {
                name: h.label.clone(),
                values: periods
                    .iter()
                    .map(|q| ix.cell(q, "total", "total", &h.id).and_then(|c| c.mean))
                    .collect(),
                band: Some(
                    periods
                        .iter()
                        .map(|q| {
                            let c = ix.cell(q, "total", "total", &h.id)?;
                            Some((c.ci_low?, c.ci_high?))
                        })
                        .collect(),
                ),
            };
            let title = format!("{} – {}", t("nps_trend"), h.label);
            let alt = format!(
                "{title}: {}",
                labels
                    .iter()
                    .zip(&series.values)
                    .map(|(l, v)| format!(
                        "{l} {}",
                        v.map(|v| fmt_num(lang, v, 1)).unwrap_or_else(|| "–".into())
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let svg = charts::trend_in(
                &title,
                &alt,
                &labels,
                &[series],
                &[],
                t("nps_axis"),
                (-100.0, 100.0),
                style,
            );
            charts.push(chart(title, alt, svg));
        }
    }
    (json!({ "rows": rows }), charts)
}

/// The children of the driver sets of period `p`, total, grouped by node
/// in output order.
fn driver_groups<'a>(ix: &Ix<'a>, p: &str) -> Vec<(String, Vec<&'a crate::analysis::DriverRow>)> {
    let mut groups: Vec<(String, Vec<&crate::analysis::DriverRow>)> = Vec::new();
    for d in
        ix.r.analysis
            .drivers
            .iter()
            .filter(|d| d.period == p && d.dimension == "total")
    {
        match groups.last_mut() {
            Some((n, v)) if *n == d.node => v.push(d),
            _ => groups.push((d.node.clone(), vec![d])),
        }
    }
    groups
}

fn opt(lang: locale::Lang, x: Option<f64>, decimals: usize) -> String {
    x.map(|v| fmt_num(lang, v, decimals)).unwrap_or_default()
}

/// Key drivers: for the first (top) set a chart and a table; for every
/// other set its strongest driver.
pub(super) fn drivers(ix: &Ix<'_>, p: &str, style: &Style) -> (Value, Vec<ChartView>) {
    let lang = ix.lang;
    let t = |k| locale::get(lang, k);
    let groups = driver_groups(ix, p);
    let mut charts = Vec::new();
    let mut main = Value::Null;
    let mut others = Vec::new();
    for (i, (node, rows)) in groups.iter().enumerate() {
        let first = rows[0];
        let mut ranked: Vec<_> = rows.iter().collect();
        ranked.sort_by(|a, b| {
            b.share
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.share.unwrap_or(f64::NEG_INFINITY))
                .then(a.child.cmp(&b.child))
        });
        if i == 0 {
            let bars: Vec<Bar> = ranked
                .iter()
                .map(|d| Bar {
                    label: ix.label(&d.child),
                    value: d.share,
                    ci: None,
                    highlight: false,
                })
                .collect();
            let title = format!("{} – {}", t("drivers_chart"), ix.label(node));
            let alt = format!(
                "{title}: {}",
                ranked
                    .iter()
                    .map(|d| format!("{} {}", ix.label(&d.child), opt(lang, d.share, 1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let svg = charts::bars(&title, &alt, &bars, t("share_axis"), &[], style);
            charts.push(chart(title, alt, svg));
            main = json!({
                "label": ix.label(node),
                "outcome": ix.label(&first.outcome),
                "n": first.n,
                "r2": opt(lang, first.r2.map(|x| 100.0 * x), 1),
                "note": first.note,
                "rows": ranked.iter().map(|d| json!({
                    "label": ix.label(&d.child),
                    "share": opt(lang, d.share, 1),
                    "r": opt(lang, d.r, 2),
                    "beta": opt(lang, d.beta, 2),
                    "performance": opt(lang, d.performance, 1),
                    "weight": fmt_num(lang, 100.0 * d.weight, 1),
                })).collect::<Vec<_>>(),
            });
        } else {
            let top = ranked.first().copied().copied();
            others.push(json!({
                "label": ix.label(node),
                "top": top.map(|d| ix.label(&d.child)).unwrap_or_default(),
                "share": opt(lang, top.and_then(|d| d.share), 1),
                "r2": opt(lang, first.r2.map(|x| 100.0 * x), 1),
                "n": first.n,
                "note": first.note,
            }));
        }
    }
    let derived = !ix.r.analysis.derived.is_empty();
    (
        json!({ "main": main, "others": others, "derived": derived }),
        charts,
    )
}

fn quadrant_label(lang: locale::Lang, q: &str) -> &'static str {
    locale::get(lang, q)
}

/// The importance-performance matrix of the first set, and every child in
/// "concentrate here" across the sets.
pub(super) fn ipa(
    ix: &Ix<'_>,
    p: &str,
    s: &crate::config::Section,
    style: &Style,
) -> (Value, Vec<ChartView>) {
    let lang = ix.lang;
    let t = |k| locale::get(lang, k);
    let rows: Vec<_> =
        ix.r.analysis
            .ipa
            .iter()
            .filter(|d| d.period == p && d.dimension == "total")
            .collect();
    let Some(first) = rows.first() else {
        return (json!({ "points": [], "concentrate": [] }), vec![]);
    };
    let top: Vec<_> = rows.iter().filter(|d| d.node == first.node).collect();
    let points: Vec<Point> = top
        .iter()
        .map(|d| Point {
            label: ix.label(&d.child),
            x: d.importance,
            y: d.performance,
        })
        .collect();
    let kind = &first.importance_kind;
    let x_label = match kind.as_str() {
        "relative_weights" => t("share_axis"),
        "correlation" => t("r_axis"),
        _ => t("beta_axis"),
    };
    let title = format!("{} – {}", t("ipa_chart"), ix.label(&first.node));
    let alt = format!(
        "{title}: {}",
        top.iter()
            .map(|d| format!(
                "{} ({}, {}): {}",
                ix.label(&d.child),
                fmt_num(lang, d.importance, 1),
                fmt_num(lang, d.performance, 1),
                quadrant_label(lang, &d.quadrant)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let svg = charts::scatter(
        &title,
        &alt,
        &points,
        x_label,
        t("score_axis"),
        (first.x_line, first.y_line),
        [
            t("possible_overkill"),
            t("keep_up"),
            t("low_priority"),
            t("concentrate_here"),
        ],
        style,
    );
    let concentrate_top: Vec<String> = top
        .iter()
        .filter(|d| d.quadrant == "concentrate_here")
        .map(|d| ix.label(&d.child))
        .collect();
    let concentrate: Vec<Value> = rows
        .iter()
        .filter(|d| d.quadrant == "concentrate_here")
        .map(|d| {
            json!({
                "node": ix.label(&d.node),
                "label": ix.label(&d.child),
                "importance": fmt_num(lang, d.importance, 1),
                "performance": fmt_num(lang, d.performance, 1),
            })
        })
        .collect();
    let table: Vec<Value> = top
        .iter()
        .map(|d| {
            json!({
                "label": ix.label(&d.child),
                "importance": fmt_num(lang, d.importance, 1),
                "performance": fmt_num(lang, d.performance, 1),
                "quadrant": quadrant_label(lang, &d.quadrant),
                "concentrate": d.quadrant == "concentrate_here",
            })
        })
        .collect();
    // "Concentrate here" of the top node in every group of the dimensions
    // the layout asks for.
    let mut by_group = Vec::new();
    for did in s.dimensions.iter().flatten() {
        let Some(dim) = ix.r.dimensions.iter().find(|d| &d.id == did) else {
            continue;
        };
        for g in &dim.groups {
            let names: Vec<String> =
                ix.r.analysis
                    .ipa
                    .iter()
                    .filter(|d| {
                        d.period == p
                            && d.dimension == dim.id
                            && d.group == g.id
                            && d.node == first.node
                    })
                    .filter(|d| d.quadrant == "concentrate_here")
                    .map(|d| ix.label(&d.child))
                    .collect();
            by_group.push(json!({
                "dimension": dim.label,
                "group": g.label,
                "concentrate": names.join(", "),
            }));
        }
    }
    (
        json!({
            "by_group": by_group,
            "node": ix.label(&first.node),
            "concentrate_top": concentrate_top.join(", "),
            "concentrate": concentrate,
            "rows": table,
            "x_line": fmt_num(lang, first.x_line, 1),
            "y_line": fmt_num(lang, first.y_line, 1),
        }),
        vec![chart(title, alt, svg)],
    )
}

/// Penalty-reward classes of every child, grouped by node.
pub(super) fn kano(ix: &Ix<'_>, p: &str, s: &crate::config::Section) -> (Value, Vec<ChartView>) {
    let lang = ix.lang;
    let a = &ix.r.analysis;
    // A group of rows, with the distinct notes of its rows.
    let group = |node: String, rows: Vec<Value>| {
        let mut notes: Vec<String> = Vec::new();
        for r in &rows {
            if let Some(n) = r["note"].as_str().filter(|n| !n.is_empty()) {
                if !notes.iter().any(|x| x == n) {
                    notes.push(n.to_string());
                }
            }
        }
        json!({ "label": ix.label(&node), "rows": rows, "note": notes.join(" ") })
    };
    let mut groups: Vec<Value> = Vec::new();
    let mut current: Option<(String, Vec<Value>)> = None;
    for k in a
        .kano
        .iter()
        .filter(|k| k.period == p && k.dimension == "total")
    {
        if current.as_ref().is_some_and(|(n, _)| *n != k.node) {
            let (n, rows) = current.take().expect("some");
            groups.push(group(n, rows));
        }
        let row = json!({
            "label": ix.label(&k.child),
            "low": opt(lang, k.low_share, 1),
            "high": opt(lang, k.high_share, 1),
            "penalty": opt(lang, k.penalty, 1),
            "reward": opt(lang, k.reward, 1),
            "class": k
                .class
                .as_deref()
                .map(|c| locale::get(lang, if c == "performance" { "performance_class" } else { c }))
                .unwrap_or("–"),
            "note": if k.note.starts_with("fewer than") {
                format!("{} {}", locale::get(lang, "kano_few"), ix.r.study.min_report)
            } else {
                k.note.clone()
            },
        });
        match &mut current {
            Some((_, rows)) => rows.push(row),
            None => current = Some((k.node.clone(), vec![row])),
        }
    }
    if let Some((n, rows)) = current {
        groups.push(group(n, rows));
    }
    // The top node's classes in every group of the dimensions the layout
    // asks for: one column per group.
    let top = a
        .kano
        .iter()
        .find(|k| k.period == p && k.dimension == "total")
        .map(|k| k.node.clone());
    let mut columns: Vec<(String, String, String)> = Vec::new();
    for did in s.dimensions.iter().flatten() {
        if let Some(dim) = ix.r.dimensions.iter().find(|d| &d.id == did) {
            for g in &dim.groups {
                columns.push((dim.id.clone(), g.id.clone(), g.label.clone()));
            }
        }
    }
    let mut matrix = Vec::new();
    if let (Some(top), false) = (&top, columns.is_empty()) {
        let children: Vec<&str> = a
            .kano
            .iter()
            .filter(|k| k.period == p && k.dimension == "total" && &k.node == top)
            .map(|k| k.child.as_str())
            .collect();
        for ch in children {
            let classes: Vec<&str> = columns
                .iter()
                .map(|(d, g, _)| {
                    a.kano
                        .iter()
                        .find(|k| {
                            k.period == p
                                && &k.dimension == d
                                && &k.group == g
                                && &k.node == top
                                && k.child == ch
                        })
                        .and_then(|k| k.class.as_deref())
                        .map(|c| {
                            locale::get(
                                lang,
                                if c == "performance" {
                                    "performance_class"
                                } else {
                                    c
                                },
                            )
                        })
                        .unwrap_or("–")
                })
                .collect();
            matrix.push(json!({ "label": ix.label(ch), "classes": classes }));
        }
    }
    (
        json!({
            "matrix_node": top.map(|t| ix.label(&t)).unwrap_or_default(),
            "matrix_groups": columns.iter().map(|c| c.2.clone()).collect::<Vec<_>>(),
            "matrix": matrix,
            "groups": groups,
            "low": opt(lang, a.kano_low, 0),
            "high": opt(lang, a.kano_high, 0),
            "ratio": opt(lang, a.kano_ratio, 1),
        }),
        vec![],
    )
}

/// The PLS model of the latest period: indices, paths, R^2.
pub(super) fn pls(ix: &Ix<'_>, p: &str, style: &Style) -> (Value, Vec<ChartView>) {
    let lang = ix.lang;
    let t = |k| locale::get(lang, k);
    let a = &ix.r.analysis;
    let Some(info) = &a.pls_info else {
        return (json!({}), vec![]);
    };
    let label = |id: &str| {
        info.latents
            .iter()
            .find(|(l, _)| l == id)
            .map(|(_, x)| x.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows: Vec<_> = a.pls.iter().filter(|r| r.period == p).collect();
    let ci = |r: &crate::analysis::PlsRow, d: usize| match (r.ci_low, r.ci_high) {
        (Some(lo), Some(hi)) => format!("{}–{}", fmt_num(lang, lo, d), fmt_num(lang, hi, d)),
        _ => String::new(),
    };
    fn of<'a, 'b>(
        rows: &'b [&'a crate::analysis::PlsRow],
        stat: &'b str,
    ) -> impl Iterator<Item = &'a crate::analysis::PlsRow> + 'b {
        rows.iter().copied().filter(move |r| r.statistic == stat)
    }
    let indices: Vec<Value> = of(&rows, "index")
        .map(|r| {
            let r2 = of(&rows, "r2")
                .find(|x| x.latent == r.latent)
                .map(|x| fmt_num(lang, 100.0 * x.estimate, 1));
            json!({
                "label": label(&r.latent),
                "index": fmt_num(lang, r.estimate, 1),
                "se": opt(lang, r.boot_se, 2),
                "ci": ci(r, 1),
                "r2": r2.unwrap_or_default(),
            })
        })
        .collect();
    let paths: Vec<Value> = of(&rows, "path")
        .map(|r| {
            // Significant when the bootstrap interval excludes 0.
            let sig = matches!((r.ci_low, r.ci_high), (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0);
            json!({
                "from": label(&r.item),
                "to": label(&r.latent),
                "estimate": fmt_num(lang, r.estimate, 3),
                "se": opt(lang, r.boot_se, 3),
                "ci": ci(r, 3),
                "sig": sig,
            })
        })
        .collect();
    let bars: Vec<Bar> = of(&rows, "index")
        .map(|r| Bar {
            label: label(&r.latent),
            value: Some(r.estimate),
            ci: r.ci_low.zip(r.ci_high),
            highlight: false,
        })
        .collect();
    let title = t("pls_chart").to_string();
    let alt = format!(
        "{title}: {}",
        bars.iter()
            .map(|b| format!("{} {}", b.label, opt(lang, b.value, 1)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let svg = charts::bars(&title, &alt, &bars, t("score_axis"), &[], style);
    let gof = of(&rows, "gof")
        .next()
        .map(|r| fmt_num(lang, r.estimate, 3))
        .unwrap_or_default();
    let n = info
        .n
        .iter()
        .find(|(q, _)| q == p)
        .map(|(_, n)| *n)
        .unwrap_or(0);
    (
        json!({
            "model": info.label,
            "scheme": t(&format!("scheme_{}", info.scheme)),
            "bootstrap": info.bootstrap,
            "n": n,
            "gof": gof,
            "indices": indices,
            "paths": paths,
        }),
        vec![chart(title, alt, svg)],
    )
}

/// The raked weighting per period.
pub(super) fn weighting(ix: &Ix<'_>) -> (Value, Vec<ChartView>) {
    let lang = ix.lang;
    let rows: Vec<Value> = ix
        .r
        .analysis
        .weighting
        .iter()
        .map(|w| {
            json!({
                "period": locale::period(lang, &w.period),
                "n": w.n,
                "n_eff": fmt_num(lang, w.n_eff, 0),
                "efficiency": fmt_num(lang, 100.0 * w.efficiency, 1),
                "range": format!("{}–{}", fmt_num(lang, w.min_weight, 2), fmt_num(lang, w.max_weight, 2)),
                "iterations": w.iterations,
            })
        })
        .collect();
    (json!({ "rows": rows }), vec![])
}

/// One line on the weighting of the current period, for the summary.
pub(super) fn weighting_line(ix: &Ix<'_>, p: &str) -> Option<String> {
    let w = ix.r.analysis.weighting.iter().find(|w| w.period == p)?;
    let eff = fmt_num(ix.lang, 100.0 * w.efficiency, 1);
    let neff = fmt_num(ix.lang, w.n_eff, 0);
    Some(match ix.lang {
        locale::Lang::En => format!(
            "Weights are raked to the population margins; weighting efficiency {eff} % (effective base {neff} of {} respondents).",
            w.n
        ),
        locale::Lang::Zh => format!("权重已按总体边际分布进行迭代加权（raking）；加权效率{eff}%（有效样本量{neff}，受访者{}人）。", w.n),
    })
}

/// NPS line for the summary: value and change.
pub(super) fn nps_line(ix: &Ix<'_>, p: &str) -> Option<String> {
    let h = ix.r.hierarchy.iter().find(|h| h.kind == "nps")?;
    let c = ix.cell(p, "total", "total", &h.id)?;
    let v = fmt_num(ix.lang, c.mean?, 1);
    let change = ix.comp(KIND_PREVIOUS, p, "total", "total", &h.id);
    let ch = change
        .map(|c| {
            let d = fmt_delta(ix.lang, c.delta);
            match (ix.lang, c.significant) {
                (locale::Lang::En, true) => format!(" ({d} vs the previous period, significant)"),
                (locale::Lang::En, false) => {
                    format!(" ({d} vs the previous period, not significant)")
                }
                (locale::Lang::Zh, true) => format!("（较上期{d}，变化显著）"),
                (locale::Lang::Zh, false) => format!("（较上期{d}，变化不显著）"),
            }
        })
        .unwrap_or_default();
    Some(match ix.lang {
        locale::Lang::En => format!("{} is {v}{ch}.", h.label),
        locale::Lang::Zh => format!("{}为{v}{ch}。", h.label),
    })
}

/// The method section's lines on METHODOLOGY 5-9, for what the study uses.
pub(super) fn method_lines(ix: &Ix<'_>) -> Vec<String> {
    let r = ix.r;
    let a = &r.analysis;
    let en = ix.lang == locale::Lang::En;
    let mut out = Vec::new();
    if r.hierarchy
        .iter()
        .any(|h| h.kind == "share" || h.kind == "nps")
    {
        out.push(if en {
            "Top-box shares are weighted shares of answers in the top boxes, with se = √(p(1 − p) / n_eff); NPS = % promoters (9-10) − % detractors (0-6), with se = 100 √((P + D − (P − D)²) / n_eff). Their differences are tested with z-tests.".to_string()
        } else {
            "满意比例为选择最高档答案的加权比例，标准误 = √(p(1 − p) / 有效样本量)；净推荐值 = 推荐者（9-10 分）% − 贬损者（0-6 分）%，标准误 = 100 √((P + D − (P − D)²) / 有效样本量)。差异采用 z 检验。".to_string()
        });
    }
    if let Some(kind) = &a.importance_kind {
        out.push(if en {
            format!("Key drivers: each category (and each question within its category) is related to the outcome question on the respondents who answered them all, weighted: Pearson correlation, standardised regression coefficients, and Johnson's relative weights (each driver's share of R²). The importance-performance matrix plots importance ({kind}) against the mean score, with lines at the means. Kano classes come from a penalty-reward regression of the outcome on a low-score (≤ {}) and a high-score (≥ {}) dummy per attribute: basic when the penalty exceeds {} × the reward, excitement when the reward exceeds {} × the penalty, performance otherwise; attributes with fewer than the reporting minimum of low or high scores are not classified.", opt(ix.lang, a.kano_low, 0), opt(ix.lang, a.kano_high, 0), opt(ix.lang, a.kano_ratio, 1), opt(ix.lang, a.kano_ratio, 1))
        } else {
            format!("关键驱动因素：仅用全部作答的受访者（加权），计算各维度（及各维度内题目）与结果变量的皮尔逊相关系数、标准化回归系数和 Johnson 相对权重（各因素占 R² 的份额）。重要性-表现矩阵以重要性（{kind}）为横轴、平均得分为纵轴，分界线为平均值。卡诺分类基于惩罚-奖励回归：以各属性的低分（≤ {}）和高分（≥ {}）虚拟变量解释结果变量；惩罚超过奖励的 {} 倍为基本型，奖励超过惩罚的 {} 倍为兴奋型，其余为期望型；低分或高分人数不足最低报告样本量的属性不予分类。", opt(ix.lang, a.kano_low, 0), opt(ix.lang, a.kano_high, 0), opt(ix.lang, a.kano_ratio, 1), opt(ix.lang, a.kano_ratio, 1))
        });
    }
    let mut nodes: Vec<(&str, &str, &str)> = Vec::new();
    for d in &a.derived {
        if !nodes.iter().any(|n| n.0 == d.node) {
            nodes.push((
                &d.node,
                &d.method,
                if d.from_period == d.period {
                    ""
                } else {
                    &d.from_period
                },
            ));
        }
    }
    for (node, method, base) in nodes {
        let label = ix.label(node);
        out.push(match (en, base.is_empty()) {
            (true, true) => format!("The weights inside “{label}” are derived from each period's own data ({method}), not stated."),
            (true, false) => format!("The weights inside “{label}” are derived from the data of {} ({method}) and used for every period.", locale::period(ix.lang, base)),
            (false, true) => format!("“{label}”的内部权重按各期自身数据推导（{method}），而非预设。"),
            (false, false) => format!("“{label}”的内部权重由{}的数据推导（{method}），并用于所有期间。", locale::period(ix.lang, base)),
        });
    }
    if let Some(p) = &a.pls_info {
        out.push(if en {
            format!("PLS path model “{}” (PLS-PM as in the plspm package; mode A, {} scheme, questions {}; respondents who answered every question of the model): latent indices are the outer-weighted means of their questions' 0-100 scores; standard errors and 95 % intervals from {} bootstrap resamples.", p.label, p.scheme, if p.scaled { "standardised" } else { "centred" }, p.bootstrap)
        } else {
            format!("PLS 路径模型“{}”（与 plspm 软件包算法一致；A 模式，{} 方案，题目{}；仅含作答模型全部题目的受访者）：潜变量指数为其题目 0-100 分按外部权重的加权平均；标准误与 95% 区间来自 {} 次自助法重抽样。", p.label, p.scheme, if p.scaled { "标准化" } else { "中心化" }, p.bootstrap)
        });
    }
    if !a.weighting.is_empty() {
        out.push(if en {
            "Survey weights are raked (iterative proportional fitting) to the population margins of the study design, per period, and trimmed as configured; the weighting efficiency is the effective base divided by the number of respondents.".to_string()
        } else {
            "调查权重按研究设计中的总体边际分布逐期进行迭代比例拟合（raking），并按配置截尾；加权效率 = 有效样本量 / 受访者数。".to_string()
        });
    }
    out
}
