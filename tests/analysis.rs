//! METHODOLOGY 5 (top-box shares, NPS, z-tests) on `tests/fixtures/shares`,
//! against `tests/reference/shares_reference.py` (pure Python restatement
//! of the formulas; its output is pasted below), and the config checks of
//! the analysis sections (METHODOLOGY 6-9).

mod common;

use common::read_csv;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

// ------------------------------------------------ expected (pasted literals)

// sat.top2: (period, group) -> mean, se, ci_low, ci_high
const TOP2: [(&str, &str, [f64; 4]); 6] = [
    (
        "2026-Q1",
        "total",
        [
            57.14285714285714,
            21.78995561639043,
            14.43532891000563,
            99.85038537570864,
        ],
    ),
    (
        "2026-Q1",
        "a",
        [75.0, 26.51650429449553, 23.0286065868871, 100.0],
    ),
    (
        "2026-Q1",
        "b",
        [
            33.33333333333333,
            29.397236789606563,
            0.0,
            90.95085868595805,
        ],
    ),
    (
        "2026-Q2",
        "total",
        [
            46.15384615384615,
            22.02900647217312,
            2.977786853187098,
            89.32990545450521,
        ],
    ),
    ("2026-Q2", "a", [50.0, 30.618621784789724, 0.0, 100.0]),
    (
        "2026-Q2",
        "b",
        [40.0, 29.393876913398138, 0.0, 97.6109401162637],
    ),
];
const TOP2_PREV: [f64; 3] = [
    -10.989010989010985,
    -0.35465415843793296,
    0.7228486974988899,
]; // delta, z, p
const TOP2_REST: [f64; 3] = [10.0, 0.23560411245855353, 0.8137398820080264]; // delta, z, p
                                                                             // sat.bottom1: (period, group) -> mean, se, ci_low, ci_high
const BOTTOM1: [(&str, &str, [f64; 4]); 6] = [
    (
        "2026-Q1",
        "total",
        [
            21.428571428571427,
            18.067276744516096,
            0.0,
            56.83978314654104,
        ],
    ),
    ("2026-Q1", "a", [0.0, 0.0, 0.0, 0.0]),
    ("2026-Q1", "b", [50.0, 31.180478223116175, 0.0, 100.0]),
    ("2026-Q2", "total", [0.0, 0.0, 0.0, 0.0]),
    ("2026-Q2", "a", [0.0, 0.0, 0.0, 0.0]),
    ("2026-Q2", "b", [0.0, 0.0, 0.0, 0.0]),
];
const BOTTOM1_PREV: [f64; 3] = [
    -21.428571428571427,
    -1.1860432389223003,
    0.23560522434178433,
]; // delta, z, p
const BOTTOM1_REST: [f64; 3] = [f64::NAN, f64::NAN, f64::NAN]; // delta, z, p
                                                               // nps: (period, group) -> mean, se, ci_low, ci_high
const NPS: [(&str, &str, [f64; 4]); 6] = [
    (
        "2026-Q1",
        "total",
        [
            16.666666666666668,
            43.61199574474328,
            -68.81127428694424,
            100.0,
        ],
    ),
    (
        "2026-Q1",
        "a",
        [75.0, 26.51650429449553, 23.0286065868871, 100.0],
    ),
    ("2026-Q1", "b", [-100.0, 0.0, -100.0, -100.0]),
    (
        "2026-Q2",
        "total",
        [
            23.076923076923077,
            35.32499776709893,
            -46.158800300548634,
            92.3126464543948,
        ],
    ),
    (
        "2026-Q2",
        "a",
        [50.0, 30.618621784789724, -10.011395954441355, 100.0],
    ),
    (
        "2026-Q2",
        "b",
        [
            -19.999999999999996,
            58.787753826796276,
            -100.0,
            95.22188023252741,
        ],
    ),
];
const NPS_PREV: [f64; 3] = [6.410256410256409, 0.11421671438808753, 0.909066002450102]; // delta, z, p
const NPS_REST: [f64; 3] = [70.0, 1.0560700460610186, 0.29093621419697313]; // delta, z, p

// ------------------------------------------------------------------ helpers

type Row = BTreeMap<String, String>;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(study: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_csi"))
        .arg("run")
        .arg(study)
        .arg("--out")
        .arg(out)
        .args(["--format", "none", "-q"])
        .output()
        .expect("run csi")
}

fn num(row: &Row, key: &str) -> f64 {
    let v = &row[key];
    if v.is_empty() {
        f64::NAN
    } else {
        v.parse().unwrap_or_else(|_| panic!("{key} = {v:?}"))
    }
}

#[track_caller]
fn close(actual: f64, expected: f64, what: &str) {
    if expected.is_nan() {
        assert!(actual.is_nan(), "{what}: got {actual}, expected none");
        return;
    }
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs() + 1e-12,
        "{what}: got {actual:?}, expected {expected:?}"
    );
}

// -------------------------------------------------------------------- tests

#[test]
fn shares_and_nps_match_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&fixture("shares/study.toml"), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cells = read_csv(&out.join("cells.csv"));
    let comps = read_csv(&out.join("comparisons.csv"));
    for (measure, expected, prev, rest) in [
        ("sat.top2", &TOP2, &TOP2_PREV, &TOP2_REST),
        ("sat.bottom1", &BOTTOM1, &BOTTOM1_PREV, &BOTTOM1_REST),
        ("nps", &NPS, &NPS_PREV, &NPS_REST),
    ] {
        for (period, group, [mean, se, lo, hi]) in expected.iter() {
            let dim = if *group == "total" { "total" } else { "plan" };
            let c = cells
                .iter()
                .find(|c| {
                    c["period"] == *period
                        && c["dimension"] == dim
                        && c["group"] == *group
                        && c["node"] == measure
                })
                .unwrap_or_else(|| panic!("no cell {measure} {period} {group}"));
            let what = format!("{measure} {period} {group}");
            close(num(c, "mean"), *mean, &format!("{what} mean"));
            close(num(c, "se"), *se, &format!("{what} se"));
            close(num(c, "ci_low"), *lo, &format!("{what} ci_low"));
            close(num(c, "ci_high"), *hi, &format!("{what} ci_high"));
        }
        for (kind, group, vs_group, exp) in [
            ("previous_period", "total", "total", prev),
            ("rest", "a", "(rest)", rest),
        ] {
            let c = comps
                .iter()
                .find(|c| {
                    c["kind"] == kind
                        && c["node"] == measure
                        && c["period"] == "2026-Q2"
                        && c["group"] == group
                        && c["vs_group"] == vs_group
                })
                .unwrap_or_else(|| panic!("no comparison {kind} {measure}"));
            let what = format!("{measure} {kind}");
            if exp[0].is_nan() {
                // Both standard errors 0: no test statistic.
                assert_eq!(c["t"], "", "{what}");
                continue;
            }
            close(num(c, "delta"), exp[0], &format!("{what} delta"));
            close(num(c, "t"), exp[1], &format!("{what} z"));
            close(num(c, "p"), exp[2], &format!("{what} p"));
            assert_eq!(c["df"], "", "{what}: a z-test has no degrees of freedom");
        }
    }
}

#[test]
fn nps_parts_are_the_promoter_and_detractor_shares() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(run(&fixture("shares/study.toml"), &out).status.success());
    let cells = read_csv(&out.join("cells.csv"));
    let get = |node: &str| {
        num(
            cells
                .iter()
                .find(|c| {
                    c["period"] == "2026-Q1" && c["dimension"] == "total" && c["node"] == node
                })
                .unwrap(),
            "mean",
        )
    };
    // Q1 with an answer: w = 1, 2, 1, 0.5, 1.5; promoters 10, 9 (w 3),
    // detractors 6, 3 (w 2): 50 % and 33.3 %, NPS 16.7.
    close(get("nps.promoters"), 50.0, "promoters");
    close(get("nps.detractors"), 100.0 / 3.0, "detractors");
    close(get("nps"), 50.0 - 100.0 / 3.0, "nps");
}

/// A copy of the shares fixture with `extra` appended to its study file.
fn variant(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["study.toml", "responses.csv"] {
        std::fs::copy(fixture("shares").join(f), dir.path().join(f)).unwrap();
    }
    let study = dir.path().join("study.toml");
    let mut text = std::fs::read_to_string(&study).unwrap();
    text.push_str(extra);
    std::fs::write(&study, text).unwrap();
    (dir, study)
}

fn check(study: &Path) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_csi"))
        .arg("check")
        .arg(study)
        .output()
        .expect("run csi check");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
    )
}

#[test]
fn analysis_config_errors_name_the_place_and_the_fix() {
    let cases: &[(&str, &str)] = &[
        ("\n[[nps]]\nid = \"nps2\"\nquestion = \"sat\"\n", "NPS needs a 0-10 question"),
        ("\n[[share]]\nid = \"s2\"\nquestion = \"sat\"\ntop = 7\n", "7 boxes do not fit the scale"),
        ("\n[[share]]\nid = \"s3\"\nquestion = \"stat\"\n", "did you mean `sat`?"),
        ("\n[drivers]\nimportance = \"relative_weight\"\n", "did you mean `relative_weights`?"),
        ("\n[drivers]\nkano_low = 90\nkano_high = 80\n", "`kano_low` must be below `kano_high`"),
        (
            "\n[weighting]\n[[weighting.margin]]\ndimension = \"plan\"\ntargets = { a = 0.5, b = 0.3 }\n",
            "sum to 0.8",
        ),
        (
            "\n[weighting]\n[[weighting.margin]]\ndimension = \"plans\"\ntargets = { a = 0.5, b = 0.5 }\n",
            "did you mean `plan`?",
        ),
        ("\n[pls]\nid = \"m\"\nscheme = \"centroids\"\n", "did you mean `centroid`?"),
        (
            "\n[drivers]\n[report]\n[[report.section]]\nkind = \"ipa\"\ndimensions = [\"plan\"]\n",
            "section `ipa` shows dimension `plan`, which [drivers] does not analyse",
        ),
        ("\n[report]\n[[report.section]]\nkind = \"pls\"\n", "section `pls` needs [pls]"),
    ];
    for (extra, expected) in cases {
        let (_dir, study) = variant(extra);
        let (ok, text) = check(&study);
        assert!(!ok, "{extra}: csi check passed");
        assert!(
            text.contains(expected),
            "{extra}: expected {expected:?} in:\n{text}"
        );
        assert!(
            text.contains("study.toml:"),
            "{extra}: no file:line:col in:\n{text}"
        );
    }
}

#[test]
fn a_value_without_a_raking_target_is_rejected_and_counted() {
    // Plan `b` has no target: its rows cannot be raked.
    let (dir, study) = variant(
        "\n[weighting]\n[[weighting.margin]]\ndimension = \"plan\"\ntargets = { a = 1.0 }\n",
    );
    let out = dir.path().join("out");
    let o = run(&study, &out);
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}");
    let rejected = read_csv(&out.join("rejected.csv"));
    assert_eq!(rejected.len(), 6, "{rejected:?}");
    assert!(
        rejected.iter().all(|r| r["reason"] == "no_target"),
        "{rejected:?}"
    );
}

// ------------------------------------------- derived weights (METHODOLOGY 6)

const CORRELATION_2026_Q1_W: [f64; 3] = [
    0.38831382197981756,
    0.36923388894019615,
    0.24245228907998623,
];
const CORRELATION_2026_Q1_INDEX: f64 = 47.711224997909916;
const CORRELATION_2026_Q2_W: [f64; 3] =
    [0.39232140041503133, 0.31649246860605335, 0.2911861309789154];
const CORRELATION_2026_Q2_INDEX: f64 = 51.24321398545604;
const CORRELATION_PINNED_2026_Q2_INDEX: f64 = 51.33931887480852;
const RELATIVE_WEIGHTS_2026_Q1_W: [f64; 3] =
    [0.47650335524549253, 0.4110800864386541, 0.11241655831585333];
const RELATIVE_WEIGHTS_2026_Q1_INDEX: f64 = 48.742890606601364;
const RELATIVE_WEIGHTS_2026_Q2_W: [f64; 3] =
    [0.4716031697051366, 0.2830429410634995, 0.24535388923136378];
const RELATIVE_WEIGHTS_2026_Q2_INDEX: f64 = 51.31639707702517;
const RELATIVE_WEIGHTS_PINNED_2026_Q2_INDEX: f64 = 51.59127896409095;

/// Runs tests/fixtures/derived with `weights` replaced by `weights_line`.
fn run_derived(weights_line: &str) -> (Vec<Row>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["study.toml", "responses.csv"] {
        std::fs::copy(fixture("derived").join(f), dir.path().join(f)).unwrap();
    }
    let study = dir.path().join("study.toml");
    let text = std::fs::read_to_string(&study)
        .unwrap()
        .replace("weights = \"derived:correlation\"", weights_line);
    std::fs::write(&study, text).unwrap();
    let out = dir.path().join("out");
    let o = run(&study, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    (read_csv(&out.join("cells.csv")), results)
}

fn index_mean(cells: &[Row], period: &str) -> f64 {
    num(
        cells
            .iter()
            .find(|c| c["period"] == period && c["dimension"] == "total" && c["node"] == "index")
            .unwrap(),
        "mean",
    )
}

fn derived_weights(results: &serde_json::Value, period: &str) -> Vec<f64> {
    results["analysis"]["derived"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["period"] == period)
        .map(|d| d["weight"].as_f64().unwrap())
        .collect()
}

#[test]
fn derived_weights_per_period_match_the_reference() {
    for (line, w1, i1, w2, i2) in [
        (
            "weights = \"derived:correlation\"",
            CORRELATION_2026_Q1_W,
            CORRELATION_2026_Q1_INDEX,
            CORRELATION_2026_Q2_W,
            CORRELATION_2026_Q2_INDEX,
        ),
        (
            "weights = \"derived:relative_weights\"",
            RELATIVE_WEIGHTS_2026_Q1_W,
            RELATIVE_WEIGHTS_2026_Q1_INDEX,
            RELATIVE_WEIGHTS_2026_Q2_W,
            RELATIVE_WEIGHTS_2026_Q2_INDEX,
        ),
    ] {
        let (cells, results) = run_derived(line);
        for (p, w, i) in [("2026-Q1", w1, i1), ("2026-Q2", w2, i2)] {
            let got = derived_weights(&results, p);
            for k in 0..3 {
                close(got[k], w[k], &format!("{line} {p} weight {k}"));
            }
            close(index_mean(&cells, p), i, &format!("{line} {p} index"));
        }
    }
}

#[test]
fn derived_weights_pinned_to_a_base_period() {
    for (method, w1, pinned) in [
        (
            "correlation",
            CORRELATION_2026_Q1_W,
            CORRELATION_PINNED_2026_Q2_INDEX,
        ),
        (
            "relative_weights",
            RELATIVE_WEIGHTS_2026_Q1_W,
            RELATIVE_WEIGHTS_PINNED_2026_Q2_INDEX,
        ),
    ] {
        let (cells, results) = run_derived(&format!(
            "weights = \"derived:{method}\"\nweights_base = \"2026-Q1\""
        ));
        let q2 = derived_weights(&results, "2026-Q2");
        for k in 0..3 {
            close(q2[k], w1[k], &format!("{method}: Q2 uses Q1's weight {k}"));
        }
        close(
            index_mean(&cells, "2026-Q2"),
            pinned,
            &format!("{method}: pinned Q2 index"),
        );
        assert!(results["analysis"]["derived"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["from_period"] == "2026-Q1"));
    }
}

#[test]
fn derived_weights_need_an_outcome_and_unweighted_children() {
    let (_d, study) = variant("");
    let text = std::fs::read_to_string(&study)
        .unwrap()
        .replace("outcome = \"sat\"\n", "weights = \"derived:correlation\"\n");
    std::fs::write(&study, text).unwrap();
    let (ok, text) = check(&study);
    assert!(!ok);
    assert!(
        text.contains("neither it nor a parent names an `outcome`"),
        "{text}"
    );
}

#[test]
fn a_margin_that_cannot_be_met_stops_the_run_naming_it() {
    // Plan `c` has a target but no respondent.
    let (dir, study) = variant(
        "\n[weighting]\n[[weighting.margin]]\ndimension = \"plan\"\ntargets = { a = 0.5, b = 0.3, c = 0.2 }\n",
    );
    let out = dir.path().join("out");
    let o = run(&study, &out);
    let text = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "raking 2026-Q1: category `c` of margin `plan` has a target but no respondent"
        ),
        "{text}"
    );
    assert!(!out.exists(), "no output folder on failure");
}

#[test]
fn raking_meets_the_margins_in_the_cells() {
    // Weighted shares of plan a and b in each period become 60 / 40 %.
    let (dir, study) = variant(
        "\n[weighting]\nmode = \"replace\"\n[[weighting.margin]]\ndimension = \"plan\"\ntargets = { a = 0.6, b = 0.4 }\n",
    );
    let out = dir.path().join("out");
    let o = run(&study, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bases = read_csv(&out.join("cells.csv"));
    for p in ["2026-Q1", "2026-Q2"] {
        let w = |g: &str| {
            num(
                bases
                    .iter()
                    .find(|c| c["period"] == p && c["group"] == g && c["node"] == "q1")
                    .unwrap(),
                "weighted_n",
            )
        };
        // `replace`: weights start from 1, so they sum to the respondents (6).
        close(w("a"), 0.6 * 6.0, &format!("{p} a"));
        close(w("b"), 0.4 * 6.0, &format!("{p} b"));
    }
    let wt = read_csv(&out.join("weighting.csv"));
    assert_eq!(wt.len(), 2);
    // 3 respondents per group, weights 1.2 and 0.8: n_eff = 36 / 6.24.
    close(num(&wt[0], "n_eff"), 36.0 / 6.24, "n_eff");
}

#[test]
fn weights_from_stated_importance_are_the_mean_importance_scores() {
    let toml = r#"
[study]
id = "imp"
name = "Importance weights"
min_base = 1
min_report = 1

[data]
files = ["responses.csv"]

[period]
date_column = "date"
grain = "quarter"

[scales.five]
lo = 1
hi = 5

[[node]]
id = "index"
label = "Index"
weights = "derived:importance"

[[question]]
id = "q1"
label = "Q1"
parent = "index"
scale = "five"
importance = "i1"

[[question]]
id = "q2"
label = "Q2"
parent = "index"
scale = "five"
importance = "i2"

[[question]]
id = "i1"
label = "Importance of Q1"
scale = "five"

[[question]]
id = "i2"
label = "Importance of Q2"
scale = "five"
"#;
    let data = "id,date,q1,q2,i1,i2\n1,2026-01-05,5,1,5,2\n2,2026-01-06,4,2,4,3\n3,2026-01-07,3,3,5,1\n4,2026-01-08,2,4,3,3\n";
    let st = common::Study::new(toml, data.as_bytes());
    let o = st.run("out", &["--format", "none", "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Importance scores: i1 100, 75, 100, 50 (mean 81.25); i2 25, 50, 0, 50
    // (mean 31.25): weights 81.25 / 112.5 = 13/18 and 5/18. Index mean =
    // 13/18 x 62.5 + 5/18 x 37.5 = 1000/18.
    let res: serde_json::Value =
        serde_json::from_slice(&std::fs::read(st.out("out").join("results.json")).unwrap())
            .unwrap();
    let w = derived_weights(&res, "2026-Q1");
    close(w[0], 13.0 / 18.0, "weight of q1");
    close(w[1], 5.0 / 18.0, "weight of q2");
    let cells = read_csv(&st.out("out").join("cells.csv"));
    close(index_mean(&cells, "2026-Q1"), 1000.0 / 18.0, "index");
    // A child without an importance question is a config error.
    let broken = common::Study::new(&toml.replace("importance = \"i2\"\n", ""), data.as_bytes());
    let o = common::csi()
        .arg("check")
        .arg(broken.config())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stderr).to_string() + &String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("child `q2` names no `importance` question"),
        "{text}"
    );
}
