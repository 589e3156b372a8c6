//! The report model: what each section of a report shows, computed from a
//! run's [`Results`] and independent of the output format. HTML and typst
//! templates render this model; the charts are SVG built here once and used
//! by both (inline in HTML, as files for typst).

mod analysis;
pub mod locale;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{json, Value};

use crate::charts::{self, Bar, Diverging, RefLine, Series, Style};
use crate::model::{Cell, Comparison, Results, KIND_BRAND, KIND_PREVIOUS, KIND_REST, KIND_YEAR};
use locale::{fmt_delta, fmt_num, Lang};

/// Colours, logo, font and footer of a report.
#[derive(Debug, Clone)]
pub struct Branding {
    pub primary: String,
    pub accent: String,
    /// Font families, most preferred first (the locale's default if empty).
    pub fonts: Vec<String>,
    pub footer: Option<String>,
    pub logo: Option<Logo>,
}

#[derive(Debug, Clone)]
pub struct Logo {
    /// File name inside the typst build folder.
    pub file: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            primary: "#0B4F8A".into(),
            accent: "#E69F00".into(),
            fonts: Vec::new(),
            footer: None,
            logo: None,
        }
    }
}

/// Default font families per language (the PDF needs CJK glyphs for Chinese).
pub fn default_fonts(lang: Lang) -> Vec<String> {
    match lang {
        Lang::En => vec![
            "Noto Sans".into(),
            "DejaVu Sans".into(),
            "Liberation Sans".into(),
        ],
        Lang::Zh => vec![
            "Noto Sans CJK SC".into(),
            "Noto Sans SC".into(),
            "Source Han Sans SC".into(),
            "Noto Sans".into(),
        ],
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// File name of the SVG in the typst build folder.
    pub file: String,
    pub title: String,
    /// Text alternative: what the chart shows, in words.
    pub alt: String,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub kind: String,
    pub title: String,
    pub anchor: String,
    pub data: Value,
    pub charts: Vec<ChartView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogoView {
    pub data_uri: String,
    pub file: String,
}

/// The whole report, ready for a template.
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    pub lang: &'static str,
    pub t: BTreeMap<&'static str, &'static str>,
    pub title: String,
    pub study: String,
    pub client: Option<String>,
    pub period: String,
    pub period_id: String,
    pub generated: String,
    pub footer: String,
    pub primary: String,
    pub accent: String,
    pub fonts: Vec<String>,
    pub logo: Option<LogoView>,
    pub confidence: String,
    pub sections: Vec<SectionView>,
    pub engine_version: String,
    pub config_digest: String,
}

/// Index of a run's cells and comparisons.
struct Ix<'a> {
    r: &'a Results,
    cells: HashMap<(&'a str, &'a str, &'a str, &'a str), &'a Cell>,
    comps: HashMap<(&'a str, &'a str, &'a str, &'a str, &'a str), &'a Comparison>,
    lang: Lang,
}

impl<'a> Ix<'a> {
    fn new(r: &'a Results, lang: Lang) -> Self {
        let cells = r
            .cells
            .iter()
            .map(|c| {
                (
                    (
                        c.period.as_str(),
                        c.dimension.as_str(),
                        c.group.as_str(),
                        c.node.as_str(),
                    ),
                    c,
                )
            })
            .collect();
        let comps = r
            .comparisons
            .iter()
            .map(|c| {
                (
                    (
                        c.kind.as_str(),
                        c.period.as_str(),
                        c.dimension.as_str(),
                        c.group.as_str(),
                        c.node.as_str(),
                    ),
                    c,
                )
            })
            .collect();
        Ix {
            r,
            cells,
            comps,
            lang,
        }
    }

    fn cell(&self, p: &str, d: &str, g: &str, n: &str) -> Option<&'a Cell> {
        self.cells.get(&(p, d, g, n)).copied()
    }

    fn comp(&self, kind: &str, p: &str, d: &str, g: &str, n: &str) -> Option<&'a Comparison> {
        self.comps.get(&(kind, p, d, g, n)).copied()
    }

    fn score(&self, c: Option<&Cell>) -> String {
        c.and_then(|c| c.mean)
            .map(|m| fmt_num(self.lang, m, 1))
            .unwrap_or_default()
    }

    /// A cell as the templates show it.
    fn cell_view(&self, c: Option<&Cell>) -> Value {
        match c {
            None => json!({"score": "", "ci": "", "n": "", "flag": "suppressed", "mean": null}),
            Some(c) => json!({
                "score": self.score(Some(c)),
                "mean": c.mean,
                "ci": match (c.ci_low, c.ci_high) {
                    (Some(a), Some(b)) => format!("{}–{}", fmt_num(self.lang, a, 1), fmt_num(self.lang, b, 1)),
                    _ => String::new(),
                },
                "n": c.n,
                "flag": c.flag.as_str(),
            }),
        }
    }

    /// A comparison as the templates show it: delta and a marker.
    fn comp_view(&self, c: Option<&Comparison>) -> Value {
        match c {
            None => json!({"delta": "", "marker": "", "sig": false, "p": ""}),
            Some(c) => json!({
                "delta": fmt_delta(self.lang, c.delta),
                "value": c.delta,
                "marker": marker(c),
                "sig": c.significant,
                "p": c.p.map(|p| if p < 0.001 { "<0.001".to_string() } else { fmt_num(self.lang, p, 3) }).unwrap_or_default(),
                "vs_period": locale::period(self.lang, &c.vs_period),
            }),
        }
    }

    fn label(&self, node: &str) -> String {
        self.r
            .hierarchy
            .iter()
            .find(|h| h.id == node)
            .map(|h| h.label.clone())
            .unwrap_or_else(|| node.to_string())
    }
}

fn marker(c: &Comparison) -> &'static str {
    match (c.significant, c.delta > 0.0) {
        (true, true) => "▲",
        (true, false) => "▼",
        _ => "",
    }
}

fn anchor(kind: &str, i: usize) -> String {
    format!("s{}-{kind}", i + 1)
}

/// Builds the report model of a run.
pub fn build(r: &Results, branding: &Branding, generated_iso: &str) -> Doc {
    let lang = Lang::from_code(&r.study.locale);
    let ix = Ix::new(r, lang);
    let t = locale::strings(lang);
    let fonts = if branding.fonts.is_empty() {
        default_fonts(lang)
    } else {
        branding.fonts.clone()
    };
    let style = Style {
        font: fonts
            .iter()
            .map(|f| f.to_string())
            .chain(["sans-serif".to_string()])
            .collect::<Vec<_>>()
            .join(", "),
        primary: branding.primary.clone(),
        ..Style::default()
    };
    let period_id = r.current_period.clone().unwrap_or_default();
    let mut sections = Vec::new();
    let layout = if r.report.sections.is_empty() {
        let a = &r.analysis;
        crate::config::SECTION_KINDS
            .iter()
            // The analysis sections only when the study has their figures.
            .filter(|k| match **k {
                "nps" => r
                    .hierarchy
                    .iter()
                    .any(|h| h.kind == "nps" || h.kind == "share"),
                "drivers" | "ipa" | "kano" => a.importance_kind.is_some(),
                "pls" => a.pls_info.is_some(),
                "weighting" => !a.weighting.is_empty(),
                _ => true,
            })
            .map(|k| crate::config::Section {
                kind: k.to_string(),
                title: None,
                dimensions: None,
                nodes: None,
                periods: None,
            })
            .collect()
    } else {
        r.report.sections.clone()
    };
    for (i, s) in layout.iter().enumerate() {
        let title = s
            .title
            .clone()
            .unwrap_or_else(|| locale::get(lang, &s.kind).to_string());
        let (data, charts) = match s.kind.as_str() {
            "cover" => (json!({}), vec![]),
            "summary" => summary(&ix, &period_id),
            "trend" => trend(&ix, s, &style),
            "hierarchy" => hierarchy(&ix, &period_id, s),
            "segments" => segments(&ix, &period_id, s, &style),
            "brands" => brands(&ix, &period_id, &style),
            "gaps" => gaps(&ix, &period_id, &style),
            "nps" => analysis::nps(&ix, &period_id, &style),
            "drivers" => analysis::drivers(&ix, &period_id, &style),
            "ipa" => analysis::ipa(&ix, &period_id, s, &style),
            "kano" => analysis::kano(&ix, &period_id, s),
            "pls" => analysis::pls(&ix, &period_id, &style),
            "weighting" => analysis::weighting(&ix),
            "method" => method(&ix),
            _ => (json!({}), vec![]),
        };
        let charts = charts
            .into_iter()
            .enumerate()
            .map(|(k, mut c)| {
                c.file = format!("chart-{:02}-{}-{}.svg", i + 1, s.kind, k + 1);
                c
            })
            .collect();
        sections.push(SectionView {
            kind: s.kind.clone(),
            title,
            anchor: anchor(&s.kind, i),
            data,
            charts,
        });
    }
    let logo = branding.logo.as_ref().map(|l| LogoView {
        data_uri: format!("data:{};base64,{}", l.mime, base64_encode(&l.bytes)),
        file: l.file.clone(),
    });
    Doc {
        lang: lang.html_lang(),
        t,
        title: r
            .report
            .title
            .clone()
            .unwrap_or_else(|| locale::get(lang, "report").to_string()),
        study: r.study.name.clone(),
        client: r.study.client.clone(),
        period: locale::period(lang, &period_id),
        period_id,
        generated: locale::date(lang, generated_iso),
        footer: branding
            .footer
            .clone()
            .or_else(|| r.study.client.clone())
            .unwrap_or_else(|| r.study.name.clone()),
        primary: branding.primary.clone(),
        accent: branding.accent.clone(),
        fonts,
        logo,
        confidence: fmt_num(lang, (1.0 - r.study.alpha) * 100.0, 0),
        sections,
        engine_version: format!("{} {}", r.engine.name, r.engine.version),
        config_digest: r.config_digest.clone(),
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn root(r: &Results) -> Option<&crate::model::NodeInfo> {
    r.hierarchy.iter().find(|h| h.kind == "index")
}

/// The categories: children of the index.
fn categories(r: &Results) -> Vec<&crate::model::NodeInfo> {
    match root(r) {
        Some(root) => root
            .children
            .iter()
            .filter_map(|c| r.hierarchy.iter().find(|h| &h.id == c))
            .collect(),
        None => Vec::new(),
    }
}

fn brand_dim(r: &Results) -> Option<&crate::model::DimensionInfo> {
    r.dimensions.iter().find(|d| d.own.is_some())
}

fn group_label(d: &crate::model::DimensionInfo, g: &str) -> String {
    d.groups
        .iter()
        .find(|x| x.id == g)
        .map(|x| x.label.clone())
        .unwrap_or_else(|| g.to_string())
}

fn summary(ix: &Ix<'_>, p: &str) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let Some(root) = root(r) else {
        return (json!({}), vec![]);
    };
    let idx = ix.cell(p, "total", "total", &root.id);
    let prev = ix.comp(KIND_PREVIOUS, p, "total", "total", &root.id);
    let year = ix.comp(KIND_YEAR, p, "total", "total", &root.id);
    let mut bullets = Vec::new();
    if let Some(m) = idx.and_then(|c| c.mean) {
        let value = fmt_num(lang, m, 1);
        let period = locale::period(lang, p);
        bullets.push(match lang {
            Lang::En => format!("The {} is {value} in {period}.", root.label),
            Lang::Zh => format!("{period}{}为{value}。", root.label),
        });
        for (c, what_en, what_zh) in [
            (prev, "the previous period", "上期"),
            (year, "a year earlier", "去年同期"),
        ] {
            if let Some(c) = c {
                let d = fmt_delta(lang, c.delta);
                let vp = locale::period(lang, &c.vs_period);
                bullets.push(match (lang, c.significant) {
                    (Lang::En, true) => {
                        format!("Compared with {what_en} ({vp}): {d} points, a significant change.")
                    }
                    (Lang::En, false) => format!(
                        "Compared with {what_en} ({vp}): {d} points, not a significant change."
                    ),
                    (Lang::Zh, true) => format!("与{what_zh}（{vp}）相比：{d}分，变化显著。"),
                    (Lang::Zh, false) => format!("与{what_zh}（{vp}）相比：{d}分，变化不显著。"),
                });
            }
        }
    }
    bullets.extend(analysis::nps_line(ix, p));
    if let Some(c) = r
        .analysis
        .ipa
        .iter()
        .find(|x| x.period == p && x.dimension == "total")
    {
        let names: Vec<String> = r
            .analysis
            .ipa
            .iter()
            .filter(|x| x.period == p && x.dimension == "total" && x.node == c.node)
            .filter(|x| x.quadrant == "concentrate_here")
            .map(|x| ix.label(&x.child))
            .collect();
        if !names.is_empty() {
            bullets.push(match lang {
                Lang::En => format!(
                    "Concentrate here (important drivers of {} that score below average): {}.",
                    ix.label(
                        &r.analysis
                            .drivers
                            .iter()
                            .find(|d| d.node == c.node)
                            .map(|d| d.outcome.clone())
                            .unwrap_or_default()
                    ),
                    names.join(", ")
                ),
                Lang::Zh => format!("重点改进（重要性高而表现低于平均）：{}。", names.join("、")),
            });
        }
    }
    bullets.extend(analysis::weighting_line(ix, p));
    // Brands.
    let mut brand_rows = Vec::new();
    if let Some(d) = brand_dim(r) {
        let own = d.own.clone().unwrap_or_default();
        let own_cell = ix.cell(p, &d.id, &own, &root.id);
        brand_rows.push(json!({"label": group_label(d, &own), "own": true, "cell": ix.cell_view(own_cell), "vs": ix.comp_view(None)}));
        for g in d.groups.iter().filter(|g| g.id != own) {
            let c = ix.cell(p, &d.id, &g.id, &root.id);
            let cmp = ix.comp(KIND_BRAND, p, &d.id, &g.id, &root.id);
            brand_rows.push(json!({"label": g.label, "own": false, "cell": ix.cell_view(c), "vs": ix.comp_view(cmp)}));
        }
    }
    // Benchmarks of the index (and of other nodes).
    let benchmarks: Vec<Value> = r
        .benchmarks
        .iter()
        .filter(|b| b.period.as_deref().is_none_or(|bp| bp == p))
        .map(|b| {
            let own = ix.cell(p, "total", "total", &b.node).and_then(|c| c.mean);
            json!({
                "label": b.label,
                "node": ix.label(&b.node),
                "value": fmt_num(lang, b.value, 1),
                "own": own.map(|m| fmt_num(lang, m, 1)).unwrap_or_default(),
                "diff": own.map(|m| fmt_delta(lang, m - b.value)).unwrap_or_default(),
                "source": b.source,
            })
        })
        .collect();
    // Where to act first: largest weight x (100 - score) among categories.
    let mut attention: Vec<(f64, Value)> = categories(r)
        .iter()
        .filter_map(|c| {
            let cell = ix.cell(p, "total", "total", &c.id)?;
            let m = cell.mean?;
            let w = c.weight.unwrap_or(0.0);
            let potential = w * (100.0 - m);
            let change = ix.comp(KIND_PREVIOUS, p, "total", "total", &c.id);
            Some((
                potential,
                json!({
                    "label": c.label,
                    "score": fmt_num(lang, m, 1),
                    "weight": fmt_num(lang, w * 100.0, 0),
                    "potential": fmt_num(lang, potential, 1),
                    "change": ix.comp_view(change),
                }),
            ))
        })
        .collect();
    attention.sort_by(|a, b| b.0.total_cmp(&a.0));
    let attention: Vec<Value> = attention.into_iter().take(3).map(|(_, v)| v).collect();
    (
        json!({
            "index_label": root.label,
            "index": ix.cell_view(idx),
            "prev": ix.comp_view(prev),
            "year": ix.comp_view(year),
            "bullets": bullets,
            "brands": brand_rows,
            "benchmarks": benchmarks,
            "attention": attention,
        }),
        vec![],
    )
}

fn trend(ix: &Ix<'_>, s: &crate::config::Section, style: &Style) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let Some(root) = root(r) else {
        return (json!({}), vec![]);
    };
    let n = s.periods.unwrap_or(8) as usize;
    let periods: Vec<&str> = r.periods.iter().map(|p| p.id.as_str()).collect();
    let periods = &periods[periods.len().saturating_sub(n)..];
    let labels: Vec<String> = periods.iter().map(|p| locale::period(lang, p)).collect();
    let nodes: Vec<String> = match &s.nodes {
        Some(ns) => ns.clone(),
        None => categories(r).iter().map(|c| c.id.clone()).collect(),
    };
    let series_of = |node: &str, band: bool| Series {
        name: ix.label(node),
        values: periods
            .iter()
            .map(|p| ix.cell(p, "total", "total", node).and_then(|c| c.mean))
            .collect(),
        band: band.then(|| {
            periods
                .iter()
                .map(|p| {
                    let c = ix.cell(p, "total", "total", node)?;
                    Some((c.ci_low?, c.ci_high?))
                })
                .collect()
        }),
    };
    let refs: Vec<RefLine> = r
        .benchmarks
        .iter()
        .filter(|b| b.node == root.id)
        .map(|b| RefLine {
            label: b.label.clone(),
            value: b.value,
        })
        .collect();
    let index_series = series_of(&root.id, true);
    let t = |k| locale::get(lang, k);
    let alt_index = format!(
        "{}: {}",
        t("trend_index"),
        labels
            .iter()
            .zip(&index_series.values)
            .map(|(l, v)| format!(
                "{l} {}",
                v.map(|v| fmt_num(lang, v, 1)).unwrap_or_else(|| "–".into())
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut charts = vec![ChartView {
        file: String::new(),
        title: format!("{} – {}", t("trend_index"), root.label),
        svg: charts::trend(
            &format!("{} – {}", t("trend_index"), root.label),
            &alt_index,
            &labels,
            std::slice::from_ref(&index_series),
            &refs,
            t("score_axis"),
            style,
        ),
        alt: alt_index,
    }];
    let cat_series: Vec<Series> = nodes.iter().map(|n| series_of(n, false)).collect();
    if !cat_series.is_empty() {
        let alt = format!(
            "{}: {}",
            t("trend_categories"),
            cat_series
                .iter()
                .map(|se| format!(
                    "{} {}",
                    se.name,
                    se.values
                        .iter()
                        .map(|v| v.map(|v| fmt_num(lang, v, 1)).unwrap_or_else(|| "–".into()))
                        .collect::<Vec<_>>()
                        .join("/")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
        charts.push(ChartView {
            file: String::new(),
            title: t("trend_categories").to_string(),
            svg: charts::trend(
                t("trend_categories"),
                &alt,
                &labels,
                &cat_series,
                &[],
                t("score_axis"),
                style,
            ),
            alt,
        });
    }
    let rows: Vec<Value> = std::iter::once(root.id.clone())
        .chain(nodes.iter().cloned())
        .map(|node| {
            json!({
                "label": ix.label(&node),
                "index": node == root.id,
                "cells": periods.iter().map(|p| ix.cell_view(ix.cell(p, "total", "total", &node))).collect::<Vec<_>>(),
            })
        })
        .collect();
    (json!({"periods": labels, "rows": rows}), charts)
}

fn hierarchy(ix: &Ix<'_>, p: &str, s: &crate::config::Section) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let rows: Vec<Value> = r
        .hierarchy
        .iter()
        .filter(|h| h.kind != "gap")
        .filter(|h| s.nodes.as_ref().is_none_or(|ns| ns.contains(&h.id)))
        .map(|h| {
            let c = ix.cell(p, "total", "total", &h.id);
            json!({
                "id": h.id,
                "label": h.label,
                "kind": h.kind,
                "level": h.level,
                "indent": h.level * 16,
                "cell": ix.cell_view(c),
                "prev": ix.comp_view(ix.comp(KIND_PREVIOUS, p, "total", "total", &h.id)),
                "year": ix.comp_view(ix.comp(KIND_YEAR, p, "total", "total", &h.id)),
            })
        })
        .collect();
    (json!({"rows": rows}), vec![])
}

fn segments(
    ix: &Ix<'_>,
    p: &str,
    s: &crate::config::Section,
    style: &Style,
) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let Some(root) = root(r) else {
        return (json!({}), vec![]);
    };
    let cats = categories(r);
    let mut dims = Vec::new();
    let mut charts = Vec::new();
    for d in &r.dimensions {
        let wanted = match &s.dimensions {
            Some(ds) => ds.contains(&d.id),
            None => d.own.is_none(),
        };
        if !wanted {
            continue;
        }
        let groups: Vec<Value> = d
            .groups
            .iter()
            .map(|g| {
                let c = ix.cell(p, &d.id, &g.id, &root.id);
                json!({
                    "label": g.label,
                    "cell": ix.cell_view(c),
                    "rest": ix.comp_view(ix.comp(KIND_REST, p, &d.id, &g.id, &root.id)),
                })
            })
            .collect();
        let rows: Vec<Value> = cats
            .iter()
            .map(|c| {
                json!({
                    "label": c.label,
                    "cells": d.groups.iter().map(|g| {
                        let cell = ix.cell(p, &d.id, &g.id, &c.id);
                        let mut v = ix.cell_view(cell);
                        v["rest"] = ix.comp_view(ix.comp(KIND_REST, p, &d.id, &g.id, &c.id));
                        v
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        let bars: Vec<Bar> = d
            .groups
            .iter()
            .map(|g| {
                let c = ix.cell(p, &d.id, &g.id, &root.id);
                Bar {
                    label: g.label.clone(),
                    value: c.and_then(|c| c.mean),
                    ci: c.and_then(|c| Some((c.ci_low?, c.ci_high?))),
                    highlight: ix
                        .comp(KIND_REST, p, &d.id, &g.id, &root.id)
                        .is_some_and(|x| x.significant),
                }
            })
            .collect();
        let title = format!("{} – {}", locale::get(lang, "segment_chart"), d.label);
        let alt = format!(
            "{}: {}",
            title,
            bars.iter()
                .map(|b| format!(
                    "{} {}",
                    b.label,
                    b.value
                        .map(|v| fmt_num(lang, v, 1))
                        .unwrap_or_else(|| "–".into())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        charts.push(ChartView {
            file: String::new(),
            title: title.clone(),
            svg: charts::bars(
                &title,
                &alt,
                &bars,
                locale::get(lang, "score_axis"),
                &[],
                style,
            ),
            alt,
        });
        dims.push(json!({
            "id": d.id,
            "label": d.label,
            "group_labels": d.groups.iter().map(|g| g.label.clone()).collect::<Vec<_>>(),
            "groups": groups,
            "rows": rows,
            "chart": charts.len() - 1,
        }));
    }
    (
        json!({"index_label": root.label, "dimensions": dims}),
        charts,
    )
}

fn brands(ix: &Ix<'_>, p: &str, style: &Style) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let Some(d) = brand_dim(r) else {
        return (json!({}), vec![]);
    };
    let own = d.own.clone().unwrap_or_default();
    let competitors: Vec<&crate::model::GroupInfo> =
        d.groups.iter().filter(|g| g.id != own).collect();
    let rows: Vec<Value> = r
        .hierarchy
        .iter()
        .filter(|h| {
            matches!(
                h.kind.as_str(),
                "index" | "node" | "question" | "standalone"
            )
        })
        .map(|h| {
            json!({
                "label": h.label,
                "level": h.level,
                "indent": h.level * 16,
                "kind": h.kind,
                "own": ix.cell_view(ix.cell(p, &d.id, &own, &h.id)),
                "competitors": competitors.iter().map(|g| json!({
                    "cell": ix.cell_view(ix.cell(p, &d.id, &g.id, &h.id)),
                    "vs": ix.comp_view(ix.comp(KIND_BRAND, p, &d.id, &g.id, &h.id)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut charts = Vec::new();
    for g in &competitors {
        let rows: Vec<Diverging> = categories(r)
            .iter()
            .map(|c| {
                let cmp = ix.comp(KIND_BRAND, p, &d.id, &g.id, &c.id);
                Diverging {
                    label: c.label.clone(),
                    value: cmp.map(|x| x.delta),
                    significant: cmp.is_some_and(|x| x.significant),
                }
            })
            .collect();
        let title = format!(
            "{}: {} – {}",
            locale::get(lang, "brand_chart"),
            g.label,
            group_label(d, &own)
        );
        let alt = format!(
            "{}: {}",
            title,
            rows.iter()
                .map(|x| format!(
                    "{} {}",
                    x.label,
                    x.value
                        .map(|v| fmt_delta(lang, v))
                        .unwrap_or_else(|| "–".into())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        charts.push(ChartView {
            file: String::new(),
            title: title.clone(),
            svg: charts::diverging(&title, &alt, &rows, locale::get(lang, "points_axis"), style),
            alt,
        });
    }
    (
        json!({
            "dimension": d.label,
            "own_label": group_label(d, &own),
            "competitor_labels": competitors.iter().map(|g| g.label.clone()).collect::<Vec<_>>(),
            "rows": rows,
        }),
        charts,
    )
}

fn gaps(ix: &Ix<'_>, p: &str, style: &Style) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for h in r.hierarchy.iter().filter(|h| h.kind == "gap") {
        let Some((node, exp)) = &h.gap_of else {
            continue;
        };
        let gap = ix.cell(p, "total", "total", &h.id);
        let sig = gap
            .and_then(|g| Some((g.ci_low?, g.ci_high?)))
            .is_some_and(|(a, b)| a > 0.0 || b < 0.0);
        rows.push(json!({
            "label": ix.label(node),
            "performance": ix.cell_view(ix.cell(p, "total", "total", node)),
            "expectation": ix.cell_view(ix.cell(p, "total", "total", exp)),
            "gap": ix.cell_view(gap),
            "gap_delta": gap.and_then(|g| g.mean).map(|m| fmt_delta(lang, m)).unwrap_or_default(),
            "sig": sig,
        }));
        bars.push(Diverging {
            label: ix.label(node),
            value: gap.and_then(|g| g.mean),
            significant: sig,
        });
    }
    let title = locale::get(lang, "gap_chart").to_string();
    let alt = format!(
        "{}: {}",
        title,
        bars.iter()
            .map(|x| format!(
                "{} {}",
                x.label,
                x.value
                    .map(|v| fmt_delta(lang, v))
                    .unwrap_or_else(|| "–".into())
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let charts = if bars.is_empty() {
        vec![]
    } else {
        vec![ChartView {
            file: String::new(),
            title: title.clone(),
            svg: charts::diverging(&title, &alt, &bars, locale::get(lang, "points_axis"), style),
            alt,
        }]
    };
    (json!({"rows": rows}), charts)
}

fn method(ix: &Ix<'_>) -> (Value, Vec<ChartView>) {
    let r = ix.r;
    let lang = ix.lang;
    let periods: Vec<String> = r
        .periods
        .iter()
        .map(|p| locale::period(lang, &p.id))
        .collect();
    let mut base_rows = vec![json!({
        "label": locale::get(lang, "total"),
        "dimension": "",
        "values": r.periods.iter().map(|p| p.rows).collect::<Vec<_>>(),
    })];
    let base: HashMap<(&str, &str, &str), u64> = r
        .bases
        .iter()
        .map(|b| {
            (
                (b.period.as_str(), b.dimension.as_str(), b.group.as_str()),
                b.rows,
            )
        })
        .collect();
    for d in &r.dimensions {
        for g in &d.groups {
            base_rows.push(json!({
                "label": g.label,
                "dimension": d.label,
                "values": r.periods.iter().map(|p| base.get(&(p.id.as_str(), d.id.as_str(), g.id.as_str())).copied().unwrap_or(0)).collect::<Vec<_>>(),
            }));
        }
    }
    let reasons: Vec<Value> = r
        .rows
        .rejected_by_reason
        .iter()
        .map(|(k, v)| json!({"reason": k, "rows": v}))
        .collect();
    (
        json!({
            "periods": periods,
            "bases": base_rows,
            "weighted": r.study.weighted,
            "rows": r.rows,
            "reasons": reasons,
            "formulas": locale::formulas(lang, r.study.alpha, r.study.min_base, r.study.min_report, r.study.coverage)
                .into_iter()
                .chain(analysis::method_lines(ix))
                .collect::<Vec<_>>(),
            "alpha": r.study.alpha,
            "min_base": r.study.min_base,
            "min_report": r.study.min_report,
        }),
        vec![],
    )
}
