//! Reports: HTML and PDF render, hold the figures and labels, escape every
//! text from configs and data, embed a CJK font for Chinese, follow a
//! swapped-in template folder; charts are snapshot-tested.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture folder into a temp dir, applying text replacements.
fn copy_fixture(name: &str, edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in fs::read_dir(fixture(name)).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    for (file, from, to) in edits {
        let p = dir.path().join(file);
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        fs::write(&p, text.replace(from, to)).unwrap();
    }
    dir
}

const REPORT: &str = "\n[report]\ntitle = \"Quarterly report\"\nformats = [\"html\", \"pdf\"]\n";

fn run_reports(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let mut args = vec![
        "run".to_string(),
        dir.join("study.toml").to_string_lossy().into_owned(),
        "--out".into(),
        out.to_string_lossy().into_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = csi().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn pdftotext(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by the report tests");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn pdffonts(pdf: &Path) -> String {
    let o = Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("pdffonts (poppler-utils)");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn html_and_pdf_hold_the_figures_and_labels() {
    let dir = copy_fixture(
        "mini",
        &[(
            "study.toml",
            "[scales.five]",
            &format!("{REPORT}\n[scales.five]"),
        )],
    );
    let out = run_reports(dir.path(), &[]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let text = pdftotext(&out.join("report.pdf"));
    // 2025-Q1 index, hand-computed: (1*83.333 + 0.5*35.417 + 1.5*8.333 + 1*83.333) / 4
    // = 196.1458 / 4 = 49.036... -> "49.0"; the cells.csv value is checked in
    // tests/formulas.rs, here that the report shows it.
    let cells = read_csv(&out.join("cells.csv"));
    let idx: f64 = cell(&cells, "2025-Q1", "total", "total", "idx")["mean"]
        .parse()
        .unwrap();
    let shown = format!("{idx:.1}");
    for label in [
        "Category A",
        "Category B",
        "A two (reversed)",
        "Quarterly report",
        &shown,
    ] {
        assert!(html.contains(label), "HTML lacks {label}");
        assert!(text.contains(label), "PDF lacks {label}:\n{text}");
    }
    // Periods are written for readers.
    assert!(text.contains("Q1 2025"));
}

#[test]
fn html_is_self_contained_and_accessible() {
    let dir = copy_fixture(
        "mini",
        &[(
            "study.toml",
            "[scales.five]",
            &format!("{REPORT}\n[scales.five]"),
        )],
    );
    let out = run_reports(dir.path(), &["--format", "html"]);
    assert!(!out.join("report.pdf").exists());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for bad in [
        "<script",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<link",
    ] {
        assert!(!html.contains(bad), "external reference or script: {bad}");
    }
    assert!(html.contains("<meta name=\"viewport\""));
    // Every chart has a title and a text alternative.
    let charts = html.matches("<svg").count();
    assert!(charts >= 3, "{charts} charts");
    assert_eq!(html.matches("<title>").count(), charts + 1);
    assert_eq!(html.matches("<desc>").count(), charts);
    assert_eq!(html.matches("<figcaption>").count(), charts);
    // Tables have header cells.
    assert!(html.matches("<th scope=\"col\">").count() > 10);
}

#[test]
fn adversarial_labels_are_escaped_in_html_and_typst() {
    let evil =
        r#"<script>alert("x")</script> #set $5 *bold* _it_ `raw` @ref \ & 'q' // http://x.y"#;
    let dir = copy_fixture(
        "mini",
        &[
            (
                "study.toml",
                "[scales.five]",
                &format!("{REPORT}\n[scales.five]"),
            ),
            (
                "study.toml",
                "name = \"Mini study\"",
                &format!("name = {evil:?}\nclient = \"A&B <Corp>\""),
            ),
            (
                "indicators.toml",
                "label = \"Category A\"",
                &format!("label = {:?}", format!("{evil} A")),
            ),
            (
                "segments.toml",
                "id = \"x\"\nvalues",
                &format!("id = \"x\"\nlabel = {:?}\nvalues", "x</td><td>\"#x"),
            ),
        ],
    );
    let out = run_reports(dir.path(), &[]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script>"), "unescaped label in HTML");
    assert!(!html.contains("</td><td>\"#x"));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt;"));
    assert!(html.contains("A&amp;B &lt;Corp&gt;"));
    // The PDF shows the labels literally (no markup interpreted).
    let text = pdftotext(&out.join("report.pdf"));
    assert!(
        text.contains("<script>alert(\"x\")</script> #set $5 *bold* _it_"),
        "{text}"
    );
    assert!(text.contains("A&B <Corp>"));
}

#[test]
fn chinese_report_embeds_a_cjk_font_and_extracts() {
    let dir = copy_fixture(
        "mini",
        &[
            (
                "study.toml",
                "[scales.five]",
                &format!("{REPORT}\n[scales.five]"),
            ),
            ("study.toml", "locale = \"en\"", "locale = \"zh-CN\""),
            (
                "study.toml",
                "title = \"Quarterly report\"",
                "title = \"季度满意度报告\"",
            ),
            (
                "indicators.toml",
                "label = \"Category A\"",
                "label = \"商品质量\"",
            ),
            (
                "indicators.toml",
                "label = \"Category B\"",
                "label = \"结账速度\"",
            ),
        ],
    );
    let out = run_reports(dir.path(), &[]);
    let text = pdftotext(&out.join("report.pdf"));
    for s in [
        "季度满意度报告",
        "商品质量",
        "结账速度",
        "摘要",
        "2025年第1季度",
    ] {
        assert!(text.contains(s), "PDF text lacks {s}:\n{text}");
    }
    let fonts = pdffonts(&out.join("report.pdf"));
    assert!(fonts.contains("CJK"), "no CJK font embedded:\n{fonts}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("商品质量"));
}

#[test]
fn a_copied_and_edited_template_folder_changes_the_report() {
    let dir = copy_fixture(
        "mini",
        &[(
            "study.toml",
            "[scales.five]",
            &format!("{REPORT}\n[scales.five]"),
        )],
    );
    let out = run_reports(dir.path(), &["--format", "html"]);
    // Copy the default templates and edit them.
    let tpl = dir.path().join("my-template");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("report_templates/default"),
        &tpl,
    );
    let cover = tpl.join("html/sections/cover.html");
    let text = fs::read_to_string(&cover).unwrap();
    fs::write(
        &cover,
        text.replace(
            "<h1>{{ title }}</h1>",
            "<h1>{{ title }}</h1><p class=\"custom\">Prepared by Acme Consulting</p>",
        ),
    )
    .unwrap();
    let typ = tpl.join("typst/sections/cover.typ");
    let text = fs::read_to_string(&typ).unwrap();
    fs::write(
        &typ,
        text.replace("#v(0.6em)", "#v(0.6em)\n  Prepared by Acme Consulting\n"),
    )
    .unwrap();
    // csi render with --template re-renders without recomputing.
    let o = run(&[
        "render",
        &out.to_string_lossy(),
        "--template",
        &tpl.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Prepared by Acme Consulting"));
    assert!(pdftotext(&out.join("report.pdf")).contains("Prepared by Acme Consulting"));
    // The same through the config's `template` key.
    let study = dir.path().join("study.toml");
    let s = fs::read_to_string(&study).unwrap();
    fs::write(
        &study,
        s.replace("[report]\n", "[report]\ntemplate = \"my-template\"\n"),
    )
    .unwrap();
    let out = run_reports(dir.path(), &["--format", "html"]);
    assert!(fs::read_to_string(out.join("report.html"))
        .unwrap()
        .contains("Prepared by Acme Consulting"));
}

#[test]
fn template_errors_name_the_file_and_line() {
    let dir = copy_fixture(
        "mini",
        &[(
            "study.toml",
            "[scales.five]",
            &format!("{REPORT}\n[scales.five]"),
        )],
    );
    let out = run_reports(dir.path(), &["--format", "html"]);
    let tpl = dir.path().join("broken");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("report_templates/default"),
        &tpl,
    );
    let f = tpl.join("html/sections/trend.html");
    let text = fs::read_to_string(&f).unwrap();
    fs::write(
        &f,
        text.replace("{% for c in s.charts %}", "{% for c in s.charts %}{{ oops("),
    )
    .unwrap();
    let o = run(&[
        "render",
        &out.to_string_lossy(),
        "--template",
        &tpl.to_string_lossy(),
        "--format",
        "html",
    ]);
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(err.contains("sections/trend.html"), "{err}");
    assert!(err.contains("--> 3:"), "{err}");
}

#[test]
fn render_needs_a_results_folder() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["render", &dir.path().to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is") && stderr(&o).contains("csi run"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_typst_is_explained_before_computing() {
    let dir = copy_fixture(
        "mini",
        &[(
            "study.toml",
            "[scales.five]",
            &format!("{REPORT}\n[scales.five]"),
        )],
    );
    let o = csi()
        .env("CSI_TYPST", "/nonexistent/typst")
        .args([
            "run",
            &dir.path().join("study.toml").to_string_lossy(),
            "--out",
            &dir.path().join("out").to_string_lossy(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(
        err.contains("cargo install typst-cli --locked --version 0.15.1"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Chart SVGs are compared with committed snapshots (same data, same bytes).
/// Set UPDATE_SNAPSHOTS=1 to rewrite them after an intended change.
#[test]
fn chart_snapshots() {
    use csi::charts::*;
    let style = Style::default();
    let labels: Vec<String> = ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let charts = [
        (
            "trend.svg",
            trend(
                "Index over time",
                "Index: Q1 2025 66.0, Q2 2025 67.2, Q3 2025 –, Q4 2025 68.1",
                &labels,
                &[
                    Series {
                        name: "Index".into(),
                        values: vec![Some(66.0), Some(67.2), None, Some(68.1)],
                        band: Some(vec![
                            Some((64.9, 67.1)),
                            Some((66.0, 68.4)),
                            None,
                            Some((67.0, 69.2)),
                        ]),
                    },
                    Series {
                        name: "Network <quality>".into(),
                        values: vec![Some(70.5), Some(71.0), Some(69.8), Some(72.3)],
                        band: None,
                    },
                ],
                &[RefLine {
                    label: "Industry".into(),
                    value: 65.0,
                }],
                "Score (0-100)",
                &style,
            ),
        ),
        (
            "bars.svg",
            bars(
                "Index by group",
                "North 66.1, South 70.3, 东部 –",
                &[
                    Bar {
                        label: "North".into(),
                        value: Some(66.1),
                        ci: Some((64.0, 68.2)),
                        highlight: false,
                    },
                    Bar {
                        label: "South".into(),
                        value: Some(70.3),
                        ci: Some((68.9, 71.7)),
                        highlight: true,
                    },
                    Bar {
                        label: "东部".into(),
                        value: None,
                        ci: None,
                        highlight: false,
                    },
                ],
                "Score (0-100)",
                &[],
                &style,
            ),
        ),
        (
            "diverging.svg",
            diverging(
                "Performance minus expectation",
                "Network −5.2, Billing +1.3",
                &[
                    Diverging {
                        label: "Network".into(),
                        value: Some(-5.2),
                        significant: true,
                    },
                    Diverging {
                        label: "Billing".into(),
                        value: Some(1.3),
                        significant: false,
                    },
                    Diverging {
                        label: "Stores".into(),
                        value: None,
                        significant: false,
                    },
                ],
                "Points",
                &style,
            ),
        ),
        (
            "scatter.svg",
            scatter(
                "Importance and performance",
                "Network (0.30, 62), Billing (0.10, 75), Hotline (0.25, 58)",
                &[
                    Point {
                        label: "Network".into(),
                        x: 0.30,
                        y: 62.0,
                    },
                    Point {
                        label: "Billing".into(),
                        x: 0.10,
                        y: 75.0,
                    },
                    Point {
                        label: "Hotline".into(),
                        x: 0.25,
                        y: 58.0,
                    },
                ],
                "Importance",
                "Performance",
                (0.2167, 65.0),
                [
                    "Concentrate here",
                    "Keep up the good work",
                    "Low priority",
                    "Possible overkill",
                ],
                &style,
            ),
        ),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for (name, svg) in charts {
        // Same data, same bytes.
        let path = dir.join(name);
        if update {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &svg).unwrap();
            continue;
        }
        let want = fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing snapshot {name}; run with UPDATE_SNAPSHOTS=1"));
        assert!(
            svg == want,
            "{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)"
        );
        assert!(svg.contains("<title>") && svg.contains("<desc>"));
        assert!(!svg.contains("<quality>"));
    }
}
