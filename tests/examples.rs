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
    let pls = example("telecom").with_file_name("study-pls.toml");
    for (name, path) in [
        ("telecom", example("telecom")),
        ("campus-store", example("campus-store")),
        ("telecom PLS", pls),
    ] {
        let o = run(&["check", &path.to_string_lossy()]);
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

/// Runs a telecom config into `out` with extra arguments.
fn run_telecom(file: &str, out: &Path, extra: &[&str]) {
    let study = example("telecom").with_file_name(file);
    let mut args = vec![
        "run",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{file}: {}", stderr(&o));
}

#[test]
fn telecom_example_says_what_to_improve_first() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("t1"), dir.path().join("t2"));
    run_telecom(
        "study.toml",
        &one,
        &[
            "--format",
            "html",
            "--threads",
            "1",
            "--chunk-size",
            "262144",
        ],
    );
    run_telecom(
        "study.toml",
        &two,
        &[
            "--format",
            "none",
            "--threads",
            "2",
            "--chunk-size",
            "262144",
        ],
    );
    // The analyses are deterministic like the cells.
    for f in [
        "drivers.csv",
        "ipa.csv",
        "kano.csv",
        "weighting.csv",
        "cells.csv",
        "results.json",
    ] {
        let a = std::fs::read(one.join(f)).unwrap();
        assert!(
            a == std::fs::read(two.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    // The documented columns.
    let header = |f: &str| {
        std::fs::read_to_string(one.join(f))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(header("drivers.csv"), "period,dimension,group,node,child,outcome,n,r,beta,relative_weight,share,r2,weight,performance,note");
    assert_eq!(header("ipa.csv"), "period,dimension,group,node,child,importance_kind,importance,performance,x_line,y_line,quadrant");
    assert_eq!(header("kano.csv"), "period,dimension,group,node,child,outcome,n,low_share,high_share,penalty,reward,class,note");
    assert_eq!(
        header("weighting.csv"),
        "period,n,iterations,max_error,n_eff,efficiency,min_weight,max_weight"
    );

    // Drivers of overall satisfaction for the latest quarter, in total and
    // per operator; the synthetic data makes network quality, products and
    // digital channels the strongest drivers (csi-synth's DRIVER weights).
    let drivers = read_csv(&one.join("drivers.csv"));
    let top: Vec<_> = drivers
        .iter()
        .filter(|d| d["period"] == "2026-Q3" && d["dimension"] == "total" && d["node"] == "csi")
        .collect();
    assert_eq!(top.len(), 8);
    let share =
        |d: &&std::collections::BTreeMap<String, String>| d["share"].parse::<f64>().unwrap();
    let total: f64 = top.iter().map(share).sum();
    assert!((total - 100.0).abs() < 1e-9, "shares sum to {total}");
    let mut ranked = top.clone();
    ranked.sort_by(|a, b| share(b).total_cmp(&share(a)));
    let first3: Vec<&str> = ranked[..3].iter().map(|d| d["child"].as_str()).collect();
    assert!(
        first3.contains(&"network") && first3.contains(&"products"),
        "{first3:?}"
    );
    assert!(drivers
        .iter()
        .any(|d| d["dimension"] == "brand" && d["group"] == "bluewave"));

    // Importance-performance: the report names the "concentrate here" categories.
    let ipa = read_csv(&one.join("ipa.csv"));
    let concentrate: Vec<_> = ipa
        .iter()
        .filter(|d| {
            d["period"] == "2026-Q3"
                && d["dimension"] == "total"
                && d["node"] == "csi"
                && d["quadrant"] == "concentrate_here"
        })
        .collect();
    assert!(!concentrate.is_empty());
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    for c in &concentrate {
        let label = match c["child"].as_str() {
            "products" => "Products and plans",
            "network" => "Network quality",
            "digital" => "Digital channels",
            other => other,
        };
        assert!(
            html.contains(&format!("Concentrate here:</strong> {label}")) || html.contains(label),
            "{label}"
        );
    }
    assert!(html.contains("Kano classes"));
    // Kano classes for every category and question.
    let kano = read_csv(&one.join("kano.csv"));
    assert!(kano
        .iter()
        .filter(|k| k["period"] == "2026-Q3" && k["dimension"] == "total")
        .all(|k| !k["class"].is_empty()));
    // NPS with its change, and the raked weighting's efficiency.
    assert!(html.contains("Net Promoter Score is"), "no NPS line");
    let w = read_csv(&one.join("weighting.csv"));
    assert_eq!(w.len(), 8);
    let eff: f64 = w.last().unwrap()["efficiency"].parse().unwrap();
    assert!(eff > 0.5 && eff <= 1.0, "{eff}");
    assert!(
        html.contains(&format!("weighting efficiency {:.1} %", 100.0 * eff)),
        "efficiency not printed"
    );
}

#[test]
fn telecom_pls_config_uses_the_model_as_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pls");
    run_telecom("study-pls.toml", &out, &["--format", "none"]);
    let pls = read_csv(&out.join("pls.csv"));
    assert_eq!(
        std::fs::read_to_string(out.join("pls.csv"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
        "period,model,statistic,latent,item,estimate,se,t,p,boot_mean,boot_se,ci_low,ci_high"
    );
    // The latest two quarters, with bootstrap intervals around the estimates.
    for p in ["2026-Q2", "2026-Q3"] {
        let path = pls
            .iter()
            .find(|r| {
                r["period"] == p
                    && r["statistic"] == "path"
                    && r["latent"] == "satisfaction"
                    && r["item"] == "csi"
            })
            .unwrap();
        let (est, lo, hi): (f64, f64, f64) = (
            path["estimate"].parse().unwrap(),
            path["ci_low"].parse().unwrap(),
            path["ci_high"].parse().unwrap(),
        );
        assert!(
            lo < est && est < hi && est > 0.0,
            "{p}: {est} in [{lo}, {hi}]"
        );
    }
    // The index node's categories are weighted by the quality latent's
    // outer weights, per quarter: they sum to 1 and differ from the stated ones.
    let res = json(&out.join("results.json"));
    let derived = res["analysis"]["derived"].as_array().unwrap();
    assert_eq!(derived.len(), 8 * 8);
    let q3: Vec<f64> = derived
        .iter()
        .filter(|d| d["period"] == "2026-Q3")
        .map(|d| d["weight"].as_f64().unwrap())
        .collect();
    assert!((q3.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let weights = read_csv(&out.join("pls.csv"));
    let outer: Vec<f64> = weights
        .iter()
        .filter(|r| {
            r["period"] == "2026-Q3" && r["statistic"] == "outer_weight" && r["latent"] == "csi"
        })
        .map(|r| r["estimate"].parse().unwrap())
        .collect();
    let s: f64 = outer.iter().sum();
    for (a, b) in q3.iter().zip(&outer) {
        assert!(
            (a - b / s).abs() < 1e-12,
            "derived weight {a} vs outer weight share {}",
            b / s
        );
    }
}
