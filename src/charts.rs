//! SVG charts shared by the HTML report (inline) and the PDF (files that
//! typst embeds): trend lines with confidence bands, grouped bars with CI
//! whiskers, diverging bars, and a scatter with quadrant lines.
//!
//! Output is deterministic (coordinates rounded to 0.01, no random ids), uses
//! the Okabe-Ito palette (readable for colour-blind readers), and every chart
//! carries a `<title>` and a `<desc>` text alternative. All text is escaped.

use std::fmt::Write;

/// Okabe-Ito colours, in the order series use them.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

/// Escapes text for SVG/XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Style shared by the charts of one report.
#[derive(Debug, Clone)]
pub struct Style {
    pub font: String,
    pub text: String,
    pub grid: String,
    pub primary: String,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            font: "Noto Sans, Helvetica, Arial, sans-serif".into(),
            text: "#222222".into(),
            grid: "#d9d9d9".into(),
            primary: PALETTE[0].into(),
        }
    }
}

fn r(x: f64) -> String {
    // Two decimals, no "-0.00".
    let v = (x * 100.0).round() / 100.0;
    let v = if v == 0.0 { 0.0 } else { v };
    format!("{v:.2}")
}

/// "Nice" axis bounds and ticks covering [lo, hi].
fn ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if (hi - lo).abs() < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| (hi - lo) / s <= target as f64)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let mut t = Vec::new();
    let mut x = start;
    while x <= end + step * 1e-9 {
        t.push((x / step).round() * step);
        x += step;
    }
    (start, end, t)
}

fn fmt_tick(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

struct Frame {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Frame {
    fn plot_w(&self) -> f64 {
        self.w - self.left - self.right
    }
    fn plot_h(&self) -> f64 {
        self.h - self.top - self.bottom
    }
}

fn open(s: &mut String, f: &Frame, title: &str, desc: &str, style: &Style) {
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" font-family=\"{}\" font-size=\"12\">",
        f.w,
        f.h,
        f.w,
        f.h,
        xml_escape(&style.font)
    );
    let _ = write!(
        s,
        "<title>{}</title><desc>{}</desc><rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        xml_escape(title),
        xml_escape(desc),
        f.w,
        f.h
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"18\" font-size=\"14\" font-weight=\"bold\" fill=\"{}\">{}</text>",
        r(f.left),
        style.text,
        xml_escape(title)
    );
}

fn y_axis(
    s: &mut String,
    f: &Frame,
    ticks: &[f64],
    y: &dyn Fn(f64) -> f64,
    label: &str,
    style: &Style,
) {
    for &t in ticks {
        let yy = y(t);
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
            r(f.left),
            r(yy),
            r(f.w - f.right),
            r(yy),
            style.grid
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
            r(f.left - 6.0),
            r(yy + 4.0),
            style.text,
            fmt_tick(t)
        );
    }
    let cx = 14.0;
    let cy = f.top + f.plot_h() / 2.0;
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 {} {})\" fill=\"{}\">{}</text>",
        r(cx),
        r(cy),
        r(cx),
        r(cy),
        style.text,
        xml_escape(label)
    );
}

/// A line of a trend chart: values per x position, with an optional
/// confidence band.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub band: Option<Vec<Option<(f64, f64)>>>,
}

/// A horizontal reference line (benchmark, mean).
#[derive(Debug, Clone)]
pub struct RefLine {
    pub label: String,
    pub value: f64,
}

fn legend(
    s: &mut String,
    items: &[(String, String, bool)],
    x0: f64,
    y0: f64,
    width: f64,
    style: &Style,
) -> f64 {
    // Items flow left to right, wrapping; returns the height used.
    let mut x = x0;
    let mut y = y0;
    for (name, color, dashed) in items {
        let w = 26.0
            + 6.5
                * name
                    .chars()
                    .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                    .sum::<f64>();
        if x + w > x0 + width && x > x0 {
            x = x0;
            y += 16.0;
        }
        let dash = if *dashed {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"2.5\"{dash}/>",
            r(x),
            r(y - 4.0),
            r(x + 18.0),
            r(y - 4.0)
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>",
            r(x + 22.0),
            r(y),
            style.text,
            xml_escape(name)
        );
        x += w + 10.0;
    }
    y - y0 + 16.0
}

/// Trend lines over periods, with confidence bands and reference lines.
pub fn trend(
    title: &str,
    desc: &str,
    x_labels: &[String],
    series: &[Series],
    refs: &[RefLine],
    y_label: &str,
    style: &Style,
) -> String {
    trend_in(
        title,
        desc,
        x_labels,
        series,
        refs,
        y_label,
        (0.0, 100.0),
        style,
    )
}

/// [`trend`] on a scale whose values live in `bounds` (NPS: -100..100).
#[allow(clippy::too_many_arguments)]
pub fn trend_in(
    title: &str,
    desc: &str,
    x_labels: &[String],
    series: &[Series],
    refs: &[RefLine],
    y_label: &str,
    bounds: (f64, f64),
    style: &Style,
) -> String {
    let legend_rows = 1 + (series.len() + refs.len()) / 4;
    let f = Frame {
        w: 720.0,
        h: 300.0 + 16.0 * legend_rows as f64,
        left: 56.0,
        right: 20.0,
        top: 34.0,
        bottom: 44.0 + 16.0 * legend_rows as f64,
    };
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in series {
        for v in s.values.iter().flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
        if let Some(b) = &s.band {
            for (a, z) in b.iter().flatten() {
                lo = lo.min(*a);
                hi = hi.max(*z);
            }
        }
    }
    for rl in refs {
        lo = lo.min(rl.value);
        hi = hi.max(rl.value);
    }
    if !lo.is_finite() {
        lo = 0.0;
        hi = 100.0;
    }
    // Scores live in their bounds (0-100): the axis never goes beyond, and
    // bands are cut at its ends.
    let (b0, b1) = bounds;
    let (lo, hi) = (lo.clamp(b0, b1), hi.clamp(b0, b1));
    let (y0, y1, tk) = ticks((lo - 1.0).max(b0), (hi + 1.0).min(b1).max(lo + 2.0), 5);
    let n = x_labels.len().max(1);
    let pad = 30.0;
    let x = |i: usize| -> f64 {
        if n == 1 {
            f.left + f.plot_w() / 2.0
        } else {
            f.left + pad + (f.plot_w() - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| f.top + f.plot_h() * (1.0 - (v.clamp(y0, y1) - y0) / (y1 - y0));
    let mut s = String::new();
    open(&mut s, &f, title, desc, style);
    y_axis(&mut s, &f, &tk, &y, y_label, style);
    for (i, l) in x_labels.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
            r(x(i)),
            r(f.h - f.bottom + 18.0),
            style.text,
            xml_escape(l)
        );
    }
    // Bands first, then lines on top.
    for (k, se) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        if let Some(b) = &se.band {
            // One polygon per run of consecutive defined points.
            let mut run: Vec<(usize, f64, f64)> = Vec::new();
            let flush = |s: &mut String, run: &mut Vec<(usize, f64, f64)>| {
                if run.len() >= 2 {
                    let mut pts: Vec<String> = run
                        .iter()
                        .map(|(i, _, z)| format!("{},{}", r(x(*i)), r(y(*z))))
                        .collect();
                    pts.extend(
                        run.iter()
                            .rev()
                            .map(|(i, a, _)| format!("{},{}", r(x(*i)), r(y(*a)))),
                    );
                    let _ = write!(
                        s,
                        "<polygon points=\"{}\" fill=\"{color}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
                        pts.join(" ")
                    );
                }
                run.clear();
            };
            for (i, v) in b.iter().enumerate() {
                match v {
                    Some((a, z)) => run.push((i, *a, *z)),
                    None => flush(&mut s, &mut run),
                }
            }
            flush(&mut s, &mut run);
        }
    }
    for rl in refs {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
            r(f.left),
            r(y(rl.value)),
            r(f.w - f.right),
            r(y(rl.value))
        );
    }
    for (k, se) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let mut path = String::new();
        let mut pen = false;
        for (i, v) in se.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{} {} ",
                        if pen { "L" } else { "M" },
                        r(x(i)),
                        r(y(*v))
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                s,
                "<path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\"/>",
                path.trim_end()
            );
        }
        for (i, v) in se.values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    s,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{color}\"/>",
                    r(x(i)),
                    r(y(*v))
                );
            }
        }
    }
    let mut items: Vec<(String, String, bool)> = series
        .iter()
        .enumerate()
        .map(|(k, se)| {
            (
                se.name.clone(),
                PALETTE[k % PALETTE.len()].to_string(),
                false,
            )
        })
        .collect();
    items.extend(refs.iter().map(|rl| {
        (
            format!("{} ({})", rl.label, fmt_tick1(rl.value)),
            "#555555".to_string(),
            true,
        )
    }));
    legend(
        &mut s,
        &items,
        f.left,
        f.h - f.bottom + 40.0,
        f.plot_w(),
        style,
    );
    s.push_str("</svg>");
    s
}

fn fmt_tick1(x: f64) -> String {
    format!("{x:.1}")
}

/// One bar of a bar chart: value with an optional confidence interval.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
    /// Drawn in the accent colour (e.g. a significant difference).
    pub highlight: bool,
}

/// Vertical bars with CI whiskers (one bar per group).
pub fn bars(
    title: &str,
    desc: &str,
    items: &[Bar],
    y_label: &str,
    refs: &[RefLine],
    style: &Style,
) -> String {
    let f = Frame {
        w: 720.0,
        h: 320.0,
        left: 56.0,
        right: 20.0,
        top: 34.0,
        bottom: 70.0,
    };
    let mut hi: f64 = 0.0;
    for b in items {
        if let Some(v) = b.value {
            hi = hi.max(v);
        }
        if let Some((_, z)) = b.ci {
            hi = hi.max(z);
        }
    }
    for rl in refs {
        hi = hi.max(rl.value);
    }
    let (y0, y1, tk) = ticks(0.0, hi.clamp(1.0, 100.0), 5);
    let y = |v: f64| f.top + f.plot_h() * (1.0 - (v.clamp(y0, y1) - y0) / (y1 - y0));
    let n = items.len().max(1);
    let slot = f.plot_w() / n as f64;
    let bw = (slot * 0.6).min(60.0);
    let mut s = String::new();
    open(&mut s, &f, title, desc, style);
    y_axis(&mut s, &f, &tk, &y, y_label, style);
    for (i, b) in items.iter().enumerate() {
        let cx = f.left + slot * (i as f64 + 0.5);
        if let Some(v) = b.value {
            let color = if b.highlight {
                PALETTE[1]
            } else {
                style.primary.as_str()
            };
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                r(cx - bw / 2.0),
                r(y(v)),
                r(bw),
                r(y(y0) - y(v)),
                color
            );
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" font-size=\"11\">{}</text>",
                r(cx),
                r(y(v) - 4.0),
                style.text,
                fmt_tick1(v)
            );
        }
        if let Some((a, z)) = b.ci {
            let _ = write!(
                s,
                "<path d=\"M{} {} L{} {} M{} {} L{} {} M{} {} L{} {}\" stroke=\"#333333\" stroke-width=\"1.5\" fill=\"none\"/>",
                r(cx),
                r(y(a)),
                r(cx),
                r(y(z)),
                r(cx - 6.0),
                r(y(a)),
                r(cx + 6.0),
                r(y(a)),
                r(cx - 6.0),
                r(y(z)),
                r(cx + 6.0),
                r(y(z))
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
            r(cx),
            r(f.h - f.bottom + 18.0),
            style.text,
            xml_escape(&truncate(&b.label, (slot / 7.0) as usize))
        );
    }
    for rl in refs {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
            r(f.left),
            r(y(rl.value)),
            r(f.w - f.right),
            r(y(rl.value))
        );
    }
    if !refs.is_empty() {
        let items: Vec<(String, String, bool)> = refs
            .iter()
            .map(|rl| {
                (
                    format!("{} ({})", rl.label, fmt_tick1(rl.value)),
                    "#555555".to_string(),
                    true,
                )
            })
            .collect();
        legend(
            &mut s,
            &items,
            f.left,
            f.h - f.bottom + 42.0,
            f.plot_w(),
            style,
        );
    }
    s.push_str("</svg>");
    s
}

fn truncate(s: &str, max: usize) -> String {
    let max = max.max(4);
    let width: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    if width <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = if c.is_ascii() { 1 } else { 2 };
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// One row of a diverging bar chart.
#[derive(Debug, Clone)]
pub struct Diverging {
    pub label: String,
    pub value: Option<f64>,
    /// Significant: drawn solid; otherwise hatched-light.
    pub significant: bool,
}

/// Horizontal bars left (negative) or right (positive) of zero: gaps,
/// changes, differences.
pub fn diverging(
    title: &str,
    desc: &str,
    rows: &[Diverging],
    x_label: &str,
    style: &Style,
) -> String {
    let row_h = 24.0;
    let f = Frame {
        w: 720.0,
        h: 74.0 + row_h * rows.len().max(1) as f64,
        left: 230.0,
        right: 60.0,
        top: 34.0,
        bottom: 40.0,
    };
    let m = rows
        .iter()
        .filter_map(|d| d.value)
        .fold(1.0f64, |a, v| a.max(v.abs()));
    let (x0, x1, tk) = ticks(-m, m, 6);
    let x = |v: f64| f.left + f.plot_w() * (v.clamp(x0, x1) - x0) / (x1 - x0);
    let mut s = String::new();
    open(&mut s, &f, title, desc, style);
    for &t in &tk {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
            r(x(t)),
            r(f.top),
            r(x(t)),
            r(f.h - f.bottom),
            if t == 0.0 { "#666666" } else { style.grid.as_str() },
            r(x(t)),
            r(f.h - f.bottom + 16.0),
            style.text,
            fmt_tick(t)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
        r(f.left + f.plot_w() / 2.0),
        r(f.h - 6.0),
        style.text,
        xml_escape(x_label)
    );
    for (i, d) in rows.iter().enumerate() {
        let cy = f.top + row_h * (i as f64 + 0.5);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
            r(f.left - 8.0),
            r(cy + 4.0),
            style.text,
            xml_escape(&truncate(&d.label, 34))
        );
        if let Some(v) = d.value {
            let color = if v < 0.0 { PALETTE[3] } else { PALETTE[0] };
            let (a, b) = if v < 0.0 {
                (x(v), x(0.0))
            } else {
                (x(0.0), x(v))
            };
            let opacity = if d.significant { "1" } else { "0.45" };
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\" fill-opacity=\"{opacity}\"/>",
                r(a),
                r(cy - row_h * 0.35),
                r((b - a).max(0.5)),
                r(row_h * 0.7)
            );
            let (tx, anchor) = if v < 0.0 {
                (a - 4.0, "end")
            } else {
                (b + 4.0, "start")
            };
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"11\" fill=\"{}\">{}{}</text>",
                r(tx),
                r(cy + 4.0),
                style.text,
                if v > 0.0 { "+" } else { "" },
                fmt_tick1(v)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// A point of a scatter chart.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub x: f64,
    pub y: f64,
}

/// Scatter with quadrant lines at (x_line, y_line) and a label per quadrant
/// (top-left, top-right, bottom-left, bottom-right).
#[allow(clippy::too_many_arguments)]
pub fn scatter(
    title: &str,
    desc: &str,
    points: &[Point],
    x_label: &str,
    y_label: &str,
    lines: (f64, f64),
    quadrants: [&str; 4],
    style: &Style,
) -> String {
    let f = Frame {
        w: 720.0,
        h: 460.0,
        left: 56.0,
        right: 20.0,
        top: 34.0,
        bottom: 44.0,
    };
    let (mut xl, mut xh, mut yl, mut yh) = (lines.0, lines.0, lines.1, lines.1);
    for p in points {
        xl = xl.min(p.x);
        xh = xh.max(p.x);
        yl = yl.min(p.y);
        yh = yh.max(p.y);
    }
    let (x0, x1, xt) = ticks(xl - (xh - xl) * 0.05, xh + (xh - xl) * 0.05, 6);
    let (y0, y1, yt) = ticks(yl - (yh - yl) * 0.05, yh + (yh - yl) * 0.05, 5);
    let x = |v: f64| f.left + f.plot_w() * (v - x0) / (x1 - x0);
    let y = |v: f64| f.top + f.plot_h() * (1.0 - (v - y0) / (y1 - y0));
    let mut s = String::new();
    open(&mut s, &f, title, desc, style);
    y_axis(&mut s, &f, &yt, &y, y_label, style);
    for &t in &xt {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
            r(x(t)),
            r(f.h - f.bottom + 16.0),
            style.text,
            fmt_tick(t)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
        r(f.left + f.plot_w() / 2.0),
        r(f.h - 6.0),
        style.text,
        xml_escape(x_label)
    );
    let _ = write!(
        s,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666666\" stroke-dasharray=\"5 4\"/><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666666\" stroke-dasharray=\"5 4\"/>",
        r(x(lines.0)),
        r(f.top),
        r(x(lines.0)),
        r(f.h - f.bottom),
        r(f.left),
        r(y(lines.1)),
        r(f.w - f.right),
        r(y(lines.1))
    );
    let corners = [
        (f.left + 6.0, f.top + 16.0, "start"),
        (f.w - f.right - 6.0, f.top + 16.0, "end"),
        (f.left + 6.0, f.h - f.bottom - 8.0, "start"),
        (f.w - f.right - 6.0, f.h - f.bottom - 8.0, "end"),
    ];
    for ((cx, cy, anchor), q) in corners.iter().zip(quadrants) {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-style=\"italic\" fill=\"#666666\">{}</text>",
            r(*cx),
            r(*cy),
            xml_escape(q)
        );
    }
    for p in points {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{}\">{}</text>",
            r(x(p.x)),
            r(y(p.y)),
            style.primary,
            r(x(p.x) + 7.0),
            r(y(p.y) + 4.0),
            style.text,
            xml_escape(&truncate(&p.label, 28))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice() {
        let (a, b, t) = ticks(61.3, 72.8, 5);
        assert_eq!((a, b), (60.0, 75.0));
        assert_eq!(t.first(), Some(&60.0));
        assert_eq!(t.last(), Some(&75.0));
        assert_eq!(t.len(), 7);
    }

    #[test]
    fn text_is_escaped() {
        let svg = bars(
            "<script>alert(1)</script>",
            "a & b",
            &[Bar {
                label: "\"quoted\" & <b>".into(),
                value: Some(50.0),
                ci: Some((45.0, 55.0)),
                highlight: false,
            }],
            "Score",
            &[],
            &Style::default(),
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&quot;quoted&quot; &amp; &lt;b&gt;"));
    }
}
