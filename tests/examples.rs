//! The example studies run from a fresh clone, and their figures show what
//! the data was generated to show.

mod common;

use common::*;
use std::path::Path;

fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .join("study.toml")
}

fn mean(c: &std::collections::BTreeMap<String, String>) -> f64 {
    c["mean"].parse().unwrap()
}

#[test]
fn examples_pass_check() {
    for name in ["telecom", "campus-store"] {
        let o = run(&["check", &example(name).to_string_lossy()]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("1 data header checked"),
            "{name}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn telecom_example_shows_the_published_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("telecom");
    let o = run(&[
        "run",
        &example("telecom").to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), out.to_string_lossy());

    // Exactly the documented columns.
    let cells_text = std::fs::read_to_string(out.join("cells.csv")).unwrap();
    assert_eq!(
        cells_text.lines().next().unwrap(),
        "period,dimension,group,node,n,weighted_n,n_eff,mean,se,ci_low,ci_high,flag"
    );
    let comp_text = std::fs::read_to_string(out.join("comparisons.csv")).unwrap();
    assert_eq!(
        comp_text.lines().next().unwrap(),
        "kind,node,dimension,group,period,vs_dimension,vs_group,vs_period,delta,t,df,p,significant"
    );

    let run = json(&out.join("run.json"));
    let rows = &run["rows"];
    assert_eq!(rows["read"], 20_000);
    assert_eq!(rows["rejected"], 10, "the sample holds 10 broken rows");
    assert_eq!(
        rows["read"].as_u64().unwrap(),
        rows["used"].as_u64().unwrap()
            + rows["rejected"].as_u64().unwrap()
            + rows["outside_period"].as_u64().unwrap()
    );

    let cells = read_csv(&out.join("cells.csv"));
    let comps = read_csv(&out.join("comparisons.csv"));
    let results = json(&out.join("results.json"));
    let periods = results["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 8);
    let p = results["current_period"].as_str().unwrap().to_string();
    let idx = |dim: &str, group: &str| mean(cell(&cells, &p, dim, group, "csi"));

    // The operator scores higher than the competitor (published: 67 vs 63).
    let own = idx("brand", "northwind");
    let comp = idx("brand", "bluewave");
    assert!(own > comp + 2.0, "operator {own} vs competitor {comp}");
    assert!((60.0..75.0).contains(&own), "operator index {own}");
    let brand = comps
        .iter()
        .find(|c| c["kind"] == "own_brand" && c["node"] == "csi" && c["period"] == p)
        .unwrap();
    assert_eq!(brand["group"], "bluewave");
    assert_eq!(brand["vs_group"], "northwind");
    assert!(brand["delta"].parse::<f64>().unwrap() < 0.0);
    assert_eq!(brand["significant"], "true", "{brand:?}");

    // Long-tenure customers and high spenders are the least satisfied.
    let before = idx("tenure", "before_1996");
    let mid = idx("tenure", "y1996_1998");
    let recent = idx("tenure", "since_1999");
    assert!(before < recent && mid < recent, "{before} {mid} {recent}");
    assert!(idx("spend", "high") < idx("spend", "standard"));
    let rest = |dim: &str, group: &str| {
        comps
            .iter()
            .find(|c| {
                c["kind"] == "rest"
                    && c["node"] == "csi"
                    && c["period"] == p
                    && c["dimension"] == dim
                    && c["group"] == group
            })
            .unwrap()
            .clone()
    };
    let high = rest("spend", "high");
    assert!(high["delta"].parse::<f64>().unwrap() < 0.0);
    assert_eq!(high["significant"], "true", "{high:?}");
    let old = rest("tenure", "before_1996");
    assert!(old["delta"].parse::<f64>().unwrap() < 0.0);
    assert_eq!(old["significant"], "true", "{old:?}");

    // The layout's reports are there and show the index and the labels.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let pdf = pdftotext(&out.join("report.pdf"));
    let shown = format!("{own:.1}");
    for s in [
        shown.as_str(),
        "Network quality",
        "Northwind Mobile",
        "Joined before 1996",
        "Q3 2026",
    ] {
        assert!(html.contains(s), "HTML lacks {s}");
        assert!(pdf.contains(s), "PDF lacks {s}");
    }

    // Every comparison is consistent with its cells: delta = m1 - m2.
    let prev = comps
        .iter()
        .find(|c| {
            c["kind"] == "previous_period"
                && c["node"] == "csi"
                && c["dimension"] == "total"
                && c["period"] == p
        })
        .unwrap();
    let m1 = mean(cell(&cells, &p, "total", "total", "csi"));
    let m0 = mean(cell(&cells, &prev["vs_period"], "total", "total", "csi"));
    assert!((prev["delta"].parse::<f64>().unwrap() - (m1 - m0)).abs() < 1e-9);
}

#[test]
fn campus_store_example_runs_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("campus");
    let o = run(&[
        "run",
        &example("campus-store").to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let results = json(&out.join("results.json"));
    assert_eq!(results["study"]["locale"], "zh-CN");
    assert_eq!(results["hierarchy"][0]["label"], "顾客满意度指数");
    assert_eq!(results["current_period"], "2026秋季");
    let cells = read_csv(&out.join("cells.csv"));
    assert!(cells
        .iter()
        .any(|c| c["dimension"] == "grade" && c["group"] == "研究生"));
    // The Chinese PDF: CJK font embedded, text extracts correctly.
    let index = mean(cell(&cells, "2026秋季", "total", "total", "csi"));
    let pdf = pdftotext(&out.join("report.pdf"));
    let shown = format!("{index:.1}");
    for s in [
        "校园超市顾客满意度报告",
        "顾客满意度指数",
        "商品质量",
        "结账速度",
        "线上商店",
        "研究生",
        "2026秋季",
        "摘要",
        shown.as_str(),
    ] {
        assert!(pdf.contains(s), "PDF text lacks {s}:\n{pdf}");
    }
    let fonts = std::process::Command::new("pdffonts")
        .arg(out.join("report.pdf"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&fonts.stdout).contains("CJK"));
}

fn pdftotext(pdf: &Path) -> String {
    let o = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by the example tests");
    String::from_utf8_lossy(&o.stdout).into_owned()
}
