//! METHODOLOGY 1-4 checked against figures computed independently of the
//! engine: by hand (the arithmetic is written out in the comments) and by
//! `tests/reference/formulas_reference.py` (numpy/scipy, two-pass sums, its
//! own restatement of each fixture's hierarchy), whose output is pasted here
//! as literals with 17 significant digits. No expected value comes from
//! running the engine.
//!
//! Fixtures: `mini` (weighted, 1-5, missing code 9, gap measure), `plain`
//! (unweighted, 0-10 and 1-10 scales, reversed question, scale and
//! per-question missing codes, an out-of-scale answer, a year-ago period,
//! significant and low-base comparisons) and `coverage` (the coverage rule at
//! and below the threshold on three levels, one group per respondent).
//!
//! Tolerance: 1e-9 relative, with a 1e-12 absolute floor for values that are
//! exactly 0; rounded published figures are compared at their rounding.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use csi::config::QuestionSpec;
use csi::stats::{
    add_obs, estimate, t_critical, t_two_sided_p, welch, Estimate, Flag, Rules, Suff, NSTAT,
};

// ------------------------------------------------------------------ helpers

const REL: f64 = 1e-9;
const ABS: f64 = 1e-12;

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= REL * expected.abs() + ABS
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        close(actual, expected),
        "{what}: got {actual:?}, expected {expected:?} (diff {:e})",
        actual - expected
    );
}

#[track_caller]
fn assert_opt(actual: Option<f64>, expected: Option<f64>, what: &str) {
    match (actual, expected) {
        (None, None) => {}
        (Some(a), Some(e)) => assert_close(a, e, what),
        _ => panic!("{what}: got {actual:?}, expected {expected:?}"),
    }
}

fn rules(alpha: f64, min_base: u64, min_report: u64) -> Rules {
    Rules {
        alpha,
        min_base,
        min_report,
    }
}

/// Rules under which every cell with n >= 1 gets a mean and no flag.
const OPEN: Rules = Rules {
    alpha: 0.05,
    min_base: 0,
    min_report: 0,
};

fn suff(obs: &[(f64, f64)]) -> Suff {
    let mut s = [0.0; NSTAT];
    for &(w, y) in obs {
        add_obs(&mut s, w, y);
    }
    s
}

fn unweighted(ys: &[f64]) -> Suff {
    let obs: Vec<(f64, f64)> = ys.iter().map(|&y| (1.0, y)).collect();
    suff(&obs)
}

fn question(lo: f64, hi: f64, reverse: bool, missing: &[f64]) -> QuestionSpec {
    QuestionSpec {
        column: "q".into(),
        scale: 0,
        lo,
        hi,
        reverse,
        missing: missing.to_vec(),
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

type Row = BTreeMap<String, String>;

/// The outputs of one `csi run`, in a temporary folder.
struct Run {
    _dir: tempfile::TempDir,
    out: PathBuf,
}

impl Run {
    fn csv(&self, name: &str) -> Vec<Row> {
        let path = self.out.join(name);
        let mut r =
            csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let headers = r.headers().unwrap().clone();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }
    fn cells(&self) -> Vec<Row> {
        self.csv("cells.csv")
    }
    fn comparisons(&self) -> Vec<Row> {
        self.csv("comparisons.csv")
    }
}

fn run_csi(study: &Path) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_csi"))
        .arg("run")
        .arg(study)
        .arg("--out")
        .arg(&out)
        .args(["--threads", "2"])
        .output()
        .expect("run csi");
    assert!(
        o.status.success(),
        "csi run {} failed: {}",
        study.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    Run { _dir: dir, out }
}

/// Writes `files` (name, content) into a temporary folder and runs
/// `study.toml` there.
fn run_files(files: &[(&str, String)]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let run = run_csi(&dir.path().join("study.toml"));
    (dir, run)
}

fn num(row: &Row, col: &str) -> Option<f64> {
    let v = &row[col];
    if v.is_empty() {
        None
    } else {
        Some(
            v.parse()
                .unwrap_or_else(|e| panic!("{col} = `{v}` is not a number: {e}")),
        )
    }
}

fn find_cell<'a>(cells: &'a [Row], period: &str, dim: &str, group: &str, node: &str) -> &'a Row {
    cells
        .iter()
        .find(|c| {
            c["period"] == period
                && c["dimension"] == dim
                && c["group"] == group
                && c["node"] == node
        })
        .unwrap_or_else(|| panic!("no cell {period}/{dim}/{group}/{node}"))
}

/// (period, dimension, group, node, n, weighted_n, n_eff, mean, se, ci_low,
/// ci_high, flag), from the reference script.
type ExpCell = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    f64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    &'static str,
);

/// (kind, node, dimension, group, period, vs_dimension, vs_group, vs_period,
/// delta, t, df, p, significant), from the reference script.
type ExpComparison = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    bool,
);

/// Every expected cell is in cells.csv with the expected figures, and
/// cells.csv has no other cell.
#[track_caller]
fn check_cells(actual: &[Row], expected: &[ExpCell]) {
    assert_eq!(actual.len(), expected.len(), "number of cells");
    for &(p, d, g, node, n, wn, n_eff, mean, se, lo, hi, flag) in expected {
        let c = find_cell(actual, p, d, g, node);
        let at = format!("{p}/{d}/{g}/{node}");
        assert_eq!(c["n"], n.to_string(), "{at}: n");
        assert_opt(num(c, "weighted_n"), Some(wn), &format!("{at}: weighted_n"));
        assert_opt(num(c, "n_eff"), n_eff, &format!("{at}: n_eff"));
        assert_opt(num(c, "mean"), mean, &format!("{at}: mean"));
        assert_opt(num(c, "se"), se, &format!("{at}: se"));
        assert_opt(num(c, "ci_low"), lo, &format!("{at}: ci_low"));
        assert_opt(num(c, "ci_high"), hi, &format!("{at}: ci_high"));
        assert_eq!(c["flag"], flag, "{at}: flag");
    }
}

fn comparison_key(c: &Row) -> [String; 8] {
    [
        "kind",
        "node",
        "dimension",
        "group",
        "period",
        "vs_dimension",
        "vs_group",
        "vs_period",
    ]
    .map(|k| c[k].clone())
}

/// comparisons.csv holds exactly the expected comparisons, with the
/// expected figures.
#[track_caller]
fn check_comparisons(actual: &[Row], expected: &[ExpComparison]) {
    let mut by_key: BTreeMap<[String; 8], &Row> = BTreeMap::new();
    for c in actual {
        assert!(
            by_key.insert(comparison_key(c), c).is_none(),
            "duplicate comparison {:?}",
            comparison_key(c)
        );
    }
    let mut seen = 0;
    for &(kind, node, d, g, p, vd, vg, vp, delta, t, df, pv, sig) in expected {
        let key = [kind, node, d, g, p, vd, vg, vp].map(str::to_string);
        let c = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("missing comparison {key:?}"));
        seen += 1;
        let at = format!("{key:?}");
        assert_opt(num(c, "delta"), Some(delta), &format!("{at}: delta"));
        assert_opt(num(c, "t"), t, &format!("{at}: t"));
        assert_opt(num(c, "df"), df, &format!("{at}: df"));
        assert_opt(num(c, "p"), pv, &format!("{at}: p"));
        assert_eq!(c["significant"], sig.to_string(), "{at}: significant");
    }
    let extra: Vec<_> = by_key
        .keys()
        .filter(|k| {
            !expected.iter().any(|e| {
                [e.0, e.1, e.2, e.3, e.4, e.5, e.6, e.7]
                    .iter()
                    .zip(k.iter())
                    .all(|(a, b)| a == b)
            })
        })
        .collect();
    assert!(extra.is_empty(), "unexpected comparisons: {extra:?}");
    assert_eq!(seen, actual.len());
}

// ------------------------------------------------------- 1. rescaling

#[test]
fn score_rescales_a_1_to_5_scale() {
    // s = (x - 1) / 4 * 100: 1 -> 0, 2 -> 25, 3 -> 50, 4 -> 75, 5 -> 100;
    // a non-integer answer inside the scale: 2.5 -> 1.5 / 4 * 100 = 37.5.
    let q = question(1.0, 5.0, false, &[9.0]);
    for (x, s) in [
        (1.0, 0.0),
        (2.0, 25.0),
        (3.0, 50.0),
        (4.0, 75.0),
        (5.0, 100.0),
        (2.5, 37.5),
    ] {
        assert_opt(q.score(x).unwrap(), Some(s), &format!("1-5 x = {x}"));
    }
}

#[test]
fn score_rescales_1_to_10_and_0_to_10_scales() {
    // 1-10: s = (x - 1) / 9 * 100: 1 -> 0, 4 -> 300/9 = 33.333..., 7 -> 600/9 =
    // 66.666..., 9 -> 800/9 = 88.888..., 10 -> 100.
    let ten = question(1.0, 10.0, false, &[99.0]);
    for (x, s) in [
        (1.0, 0.0),
        (4.0, 100.0 / 3.0),
        (7.0, 200.0 / 3.0),
        (9.0, 800.0 / 9.0),
        (10.0, 100.0),
    ] {
        assert_opt(ten.score(x).unwrap(), Some(s), &format!("1-10 x = {x}"));
    }
    // 0-10: s = x / 10 * 100 = 10 x: 0 is a real answer (score 0), not missing.
    let eleven = question(0.0, 10.0, false, &[99.0]);
    for (x, s) in [(0.0, 0.0), (3.0, 30.0), (7.0, 70.0), (10.0, 100.0)] {
        assert_opt(eleven.score(x).unwrap(), Some(s), &format!("0-10 x = {x}"));
    }
    // 1-7: (x - 1) / 6 * 100: 3 -> 200/6 = 33.333...
    let seven = question(1.0, 7.0, false, &[]);
    assert_opt(seven.score(3.0).unwrap(), Some(100.0 / 3.0), "1-7 x = 3");
}

#[test]
fn reverse_question_scores_100_minus_s() {
    // 1-5 reversed: 100 - (x - 1) * 25: 1 -> 100, 2 -> 75, 4 -> 25, 5 -> 0.
    let q = question(1.0, 5.0, true, &[9.0]);
    for (x, s) in [(1.0, 100.0), (2.0, 75.0), (4.0, 25.0), (5.0, 0.0)] {
        assert_opt(
            q.score(x).unwrap(),
            Some(s),
            &format!("1-5 reversed x = {x}"),
        );
    }
    // 1-10 reversed: 4 -> 100 - 100/3 = 66.666..., 10 -> 0.
    let q = question(1.0, 10.0, true, &[]);
    assert_opt(
        q.score(4.0).unwrap(),
        Some(200.0 / 3.0),
        "1-10 reversed x = 4",
    );
    assert_opt(q.score(10.0).unwrap(), Some(0.0), "1-10 reversed x = 10");
    // A missing code stays missing when reversed (not 100 - 0).
    assert_eq!(question(1.0, 5.0, true, &[9.0]).score(9.0), Ok(None));
}

#[test]
fn missing_codes_are_missing_not_zero() {
    // The scale's code and the question's own codes are all missing.
    let q = question(1.0, 10.0, false, &[99.0, 98.0]);
    assert_eq!(q.score(99.0), Ok(None));
    assert_eq!(q.score(98.0), Ok(None));
    assert_eq!(question(1.0, 5.0, false, &[9.0]).score(9.0), Ok(None));
    // A code listed for one question only is a bad value for another
    // question on the same scale.
    assert!(question(1.0, 10.0, false, &[99.0]).score(98.0).is_err());
}

#[test]
fn out_of_scale_answers_are_rejected() {
    let five = question(1.0, 5.0, false, &[9.0]);
    for x in [
        0.0,
        6.0,
        -1.0,
        5.5,
        0.999,
        8.0,
        10.0,
        f64::NAN,
        f64::INFINITY,
    ] {
        assert!(five.score(x).is_err(), "1-5: {x} must be rejected");
    }
    let eleven = question(0.0, 10.0, false, &[99.0]);
    for x in [-0.5, 10.5, 11.0, 98.0] {
        assert!(eleven.score(x).is_err(), "0-10: {x} must be rejected");
    }
}

/// The plain fixture through the CLI: p2's own code 98 and the scale's 99 are
/// missing (n drops, the mean is over the answers only); respondent 9 has 98
/// for p3, whose only code is 99, so the row is rejected and counted nowhere.
#[test]
fn plain_missing_codes_and_out_of_scale_row_via_cli() {
    let run = run_csi(&fixture("plain").join("study.toml"));
    let rejected = run.csv("rejected.csv");
    assert_eq!(rejected.len(), 1, "one rejected row: {rejected:?}");
    assert_eq!(rejected[0]["line"], "10", "respondent 9 is on line 10");
    assert_eq!(rejected[0]["column"], "p3");
    assert_eq!(rejected[0]["value"], "98");
    let cells = run.cells();
    // 2024-Q4 p2 answers (respondents 1-8, 9 rejected): 5, 98, 7, 99, 6, 10, 3, 1
    // -> scores of 5, 7, 6, 10, 3, 1 = (x - 1) / 9 * 100 = 400, 600, 500, 900,
    // 200, 0 (/9); n = 6, mean = 2600 / 54 = 48.148148...
    // (treating 98 and 99 as 0 would give n = 8, mean 2600 / 72 = 36.1.)
    let c = find_cell(&cells, "2024-Q4", "total", "total", "p2");
    assert_eq!(c["n"], "6");
    assert_close(num(c, "mean").unwrap(), 2600.0 / 54.0, "p2 mean");
    // p1 on 0-10 in 2024-Q4: respondents 1-8 only (n = 8, not 9).
    let c = find_cell(&cells, "2024-Q4", "total", "total", "p1");
    assert_eq!(c["n"], "8");
}

// ---------------------------------------------- 2. respondent hierarchy

/// Each mini respondent's scores, via a copy of the mini study with one group
/// per respondent (`rid`) and min_report 1, so that cells.csv shows them.
#[test]
fn mini_respondent_scores_by_hand() {
    let mini = fixture("mini");
    let read = |f: &str| std::fs::read_to_string(mini.join(f)).unwrap();
    let study = r#"
include = ["indicators.toml", "segments.toml"]

[study]
id = "mini_rid"
name = "Mini study, one group per respondent"
min_base = 1
min_report = 1
coverage = 0.5

[data]
files = ["responses.csv"]
weight = "w"

[period]
date_column = "date"
grain = "quarter"

[scales.five]
lo = 1
hi = 5
missing = [9]

[[dimension]]
id = "rid"
label = "Respondent"
column = "id"
"#;
    let (_dir, run) = run_files(&[
        ("study.toml", study.to_string()),
        ("indicators.toml", read("indicators.toml")),
        ("segments.toml", read("segments.toml")),
        ("responses.csv", read("responses.csv")),
    ]);
    let cells = run.cells();
    // Scores (x - 1) * 25, a2 reversed 100 - (x - 1) * 25, 9 = missing.
    // Weights: a = (a1 1/2, a2 1/2); b = (b1 3/4, b2 1/4); idx = (a 2/3, b 1/3).
    //
    // r1 2024-Q4: a1 5 -> 100, a2 1 -> 100, b1 4 -> 75, b2 3 -> 50, ea 4 -> 75
    //   a = 100; b = (3*75 + 50)/4 = 68.75; idx = (2*100 + 68.75)/3 = 89.58333;
    //   gap:a = 100 - 75 = 25
    // r2 2024-Q4: a1 3 -> 50, a2 3 -> 50, b1 2 -> 25, b2 9 missing, ea 3 -> 50
    //   a = 50; b = b1 alone (3/4 >= 0.5) = 25; idx = (100 + 25)/3 = 41.66667; gap 0
    // r3 2024-Q4: a1, a2 empty, b1 1 -> 0, b2 empty, ea 2 -> 25
    //   a missing (0 answered); b = 0 (3/4 answered); idx: only b, 1/3 < 0.5 ->
    //   missing; gap missing (a is)
    // r4 2025-Q1: a1 4 -> 75, a2 2 -> 75, b1 5 -> 100, b2 5 -> 100, ea 5 -> 100
    //   a = 75; b = 100; idx = (150 + 100)/3 = 83.33333; gap = -25
    // r5 2025-Q1: a1 2 -> 25, a2 empty, b1 3 -> 50, b2 4 -> 75, ea empty
    //   a = a1 alone, exactly 1/2 answered = coverage -> 25; b = (150 + 75)/4
    //   = 56.25; idx = (50 + 56.25)/3 = 35.41667; gap missing (ea is)
    // r6 2025-Q1: a1 1 -> 0, a2 5 -> 0, b1 2 -> 25, b2 2 -> 25, ea 1 -> 0
    //   a = 0; b = 25; idx = 25/3 = 8.33333; gap = 0
    // r7 2025-Q1: a1 5 -> 100, a2 4 -> 25, b1 4 -> 75, b2 4 -> 75, ea 4 -> 75
    //   a = 62.5; b = 75; idx = (125 + 75)/3 = 66.66667; gap = 62.5 - 75 = -12.5
    // (respondent, period, [idx, a, b, gap:a])
    #[rustfmt::skip]
    let expected: [(&str, &str, [Option<f64>; 4]); 7] = [
        ("1", "2024-Q4", [Some(268.75 / 3.0), Some(100.0), Some(68.75), Some(25.0)]),
        ("2", "2024-Q4", [Some(125.0 / 3.0), Some(50.0), Some(25.0), Some(0.0)]),
        ("3", "2024-Q4", [None, None, Some(0.0), None]),
        ("4", "2025-Q1", [Some(250.0 / 3.0), Some(75.0), Some(100.0), Some(-25.0)]),
        ("5", "2025-Q1", [Some(106.25 / 3.0), Some(25.0), Some(56.25), None]),
        ("6", "2025-Q1", [Some(25.0 / 3.0), Some(0.0), Some(25.0), Some(0.0)]),
        ("7", "2025-Q1", [Some(200.0 / 3.0), Some(62.5), Some(75.0), Some(-12.5)]),
    ];
    for (id, period, want) in expected {
        for (node, w) in ["idx", "a", "b", "gap:a"].into_iter().zip(want) {
            let c = find_cell(&cells, period, "rid", id, node);
            assert_opt(num(c, "mean"), w, &format!("respondent {id} {node}"));
            let n = if w.is_some() { "1" } else { "0" };
            assert_eq!(c["n"], n, "respondent {id} {node} n");
        }
    }
}

/// Every cell of the mini fixture (90 = 2 periods x 5 cells x 9 measures)
/// against the reference script. Worked by hand for 2024-Q4 Total idx
/// (respondents above): r1 (w 1, 89.58333) and r2 (w 2, 41.66667), r3 missing:
///   n = 2, W = 3, mean = (1*89.58333 + 2*41.66667)/3 = 172.91667/3 = 57.638888...
///   Sum w^2 = 5, n_eff = 9/5 = 1.8
///   se = sqrt(2/1 * (1*(89.58333-57.63889)^2 + 4*(41.66667-57.63889)^2)) / 3
///      = sqrt(2 * (1020.4475 + 1020.4475)) / 3 = sqrt(4081.79) / 3 = 21.2963
///   flag low_base (min_report 2 <= n = 2 < min_base 3).
/// And 2025-Q1 Total a1 (r4 w 1 75, r5 w 0.5 25, r6 w 1.5 0, r7 w 1 100):
///   W = 4, mean = (75 + 12.5 + 0 + 100)/4 = 46.875, Sum w^2 = 1 + .25 + 2.25 + 1
///   = 4.5, n_eff = 16/4.5 = 3.5556.
#[test]
fn mini_cells_match_reference() {
    let run = run_csi(&fixture("mini").join("study.toml"));
    let cells = run.cells();
    let c = find_cell(&cells, "2024-Q4", "total", "total", "idx");
    assert_close(
        num(c, "mean").unwrap(),
        (268.75 / 3.0 + 2.0 * 125.0 / 3.0) / 3.0,
        "hand 2024-Q4 idx mean",
    );
    assert_close(num(c, "n_eff").unwrap(), 1.8, "hand 2024-Q4 idx n_eff");
    let c = find_cell(&cells, "2025-Q1", "total", "total", "a1");
    assert_close(num(c, "mean").unwrap(), 46.875, "hand 2025-Q1 a1 mean");
    assert_close(
        num(c, "n_eff").unwrap(),
        16.0 / 4.5,
        "hand 2025-Q1 a1 n_eff",
    );
    check_cells(&cells, MINI_CELLS);
}

/// The coverage rule at and below the threshold, on three levels, with the
/// study default (0.5) and per-node overrides (c2 0.75, t 0.8 with ten
/// weights of 1/10, whose float sum for 8 answered is 0.7999999999999999).
#[test]
fn coverage_rule_at_and_below_threshold() {
    let run = run_csi(&fixture("coverage").join("study.toml"));
    let cells = run.cells();
    // Scores (x - 1) * 25. Normalised weights: c1 q 1/4 each; c2 q 1/2 each;
    // c = (c1 1/4, c2 3/4); t 1/10 each; idx = (c 1/2, t 1/2).
    // r1 all answered: c1 = (100+75+50+25)/4 = 62.5; c2 = (0+100)/2 = 50;
    //   c = (62.5 + 3*50)/4 = 53.125; t = (0+25+50+75+100+100+75+50+25+0)/10 = 50;
    //   idx = (53.125 + 50)/2 = 51.5625
    // r2: c1 q1, q2 = 2/4 = 0.5 answered (= coverage) -> (100 + 50)/2 = 75;
    //   c2 q5 only, 1/2 < 0.75 -> missing; c: c1 only, 1/4 < 0.5 -> missing;
    //   t 8 of 10 = 0.8 (= its coverage) -> (25+25+50+50+75+75+100+100)/8 = 62.5;
    //   idx: t only, 1/2 = coverage -> 62.5
    // r3: c1 q1 only, 1/4 -> missing; c2 = (25 + 50)/2 = 37.5; c: c2 only, 3/4
    //   -> 37.5; t 7 of 10 = 0.7 < 0.8 -> missing; idx = c = 37.5
    // r4: c1 = (0+25+50)/3 = 25; c2 = 100; c = (25 + 300)/4 = 81.25; t none;
    //   idx = 81.25
    // r5: c1 none; c2 q6 only -> missing; c missing; t all 3 -> 50; idx = 50
    // r6: nothing in c, t 7 of 10 -> missing; idx missing
    // r7: c1 q2, q4 (1/2) = (100 + 0)/2 = 50; c2 = 50; c = 50; t 8 of 10 =
    //   (100 + 7*75)/8 = 78.125; idx = (50 + 78.125)/2 = 64.0625
    let expected: [(&str, [Option<f64>; 5]); 7] = [
        (
            "r1",
            [
                Some(51.5625),
                Some(53.125),
                Some(62.5),
                Some(50.0),
                Some(50.0),
            ],
        ),
        ("r2", [Some(62.5), None, Some(75.0), None, Some(62.5)]),
        ("r3", [Some(37.5), Some(37.5), None, Some(37.5), None]),
        (
            "r4",
            [Some(81.25), Some(81.25), Some(25.0), Some(100.0), None],
        ),
        ("r5", [Some(50.0), None, None, None, Some(50.0)]),
        ("r6", [None, None, None, None, None]),
        (
            "r7",
            [
                Some(64.0625),
                Some(50.0),
                Some(50.0),
                Some(50.0),
                Some(78.125),
            ],
        ),
    ];
    for (id, want) in expected {
        for (node, w) in ["idx", "c", "c1", "c2", "t"].iter().zip(want) {
            let c = find_cell(&cells, "2025-Q1", "rid", id, node);
            assert_opt(num(c, "mean"), w, &format!("{id} {node}"));
            assert_eq!(c["n"], if w.is_some() { "1" } else { "0" }, "{id} {node} n");
        }
    }
    // Total: idx over r1-r5, r7: (51.5625 + 62.5 + 37.5 + 81.25 + 50 + 64.0625)/6
    // = 346.875/6 = 57.8125 (and the reference script's se and CI).
    let total: Vec<Row> = cells
        .iter()
        .filter(|c| {
            c["dimension"] == "total" && ["idx", "c", "c1", "c2", "t"].contains(&&*c["node"])
        })
        .cloned()
        .collect();
    assert_close(
        num(
            find_cell(&total, "2025-Q1", "total", "total", "idx"),
            "mean",
        )
        .unwrap(),
        346.875 / 6.0,
        "total idx mean",
    );
    check_cells(&total, COVERAGE_TOTAL);
}

// ------------------------------------------------- 3. cell estimates

#[test]
fn unweighted_se_is_textbook_s_over_sqrt_n() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; sum of squares about the mean
    // 9+1+1+1+0+0+4+16 = 32; s = sqrt(32/7) = 2.138089935299395;
    // se = s / sqrt(8) = sqrt(4/7) = 0.7559289460184544.
    let e = estimate(
        &unweighted(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
        &OPEN,
    );
    assert_eq!(e.n, 8);
    assert_close(e.weighted_n, 8.0, "W");
    assert_opt(e.n_eff, Some(8.0), "n_eff (w = 1: n)");
    assert_opt(e.mean, Some(5.0), "mean");
    assert_opt(e.se, Some(0.7559289460184544), "se");
    assert_close(
        2.138089935299395 / 8f64.sqrt(),
        0.7559289460184544,
        "s/sqrt(n)",
    );
    // CI: 5 -+ t_{0.975,7} * se, t_{0.975,7} = 2.364624251592785 (R qt, scipy
    // 2.364624251592784): 5 -+ 1.787487918236... (scipy: 3.21251208176379,
    // 6.787487918236209).
    assert_opt(e.ci_low, Some(3.21251208176379), "ci_low");
    assert_opt(e.ci_high, Some(6.787487918236209), "ci_high");
    assert_opt(
        e.ci_low,
        Some(5.0 - 2.364624251592785 * 0.7559289460184544),
        "ci_low by hand",
    );
    assert_eq!(e.flag, Flag::None);
}

#[test]
fn weighted_mean_neff_and_se_by_hand() {
    // y = 20, 40, 90 with w = 0.5, 1.5, 2:
    //   W = 4; Sum wy = 10 + 60 + 180 = 250; m = 62.5
    //   Sum w^2 = 0.25 + 2.25 + 4 = 6.5; n_eff = 16 / 6.5 = 2.4615384615384617
    //   Sum w^2 (y-m)^2 = 0.25*42.5^2 + 2.25*22.5^2 + 4*27.5^2
    //                   = 451.5625 + 1139.0625 + 3025 = 4615.625
    //   se = sqrt(3/2 * 4615.625) / 4 = sqrt(6923.4375) / 4 = 20.801799050803275
    //   CI = 62.5 -+ t_{0.975,2} (4.302652729749462) * se
    //      = (-27.002917469638476, 152.00291746963848)   [scipy]
    let e = estimate(&suff(&[(0.5, 20.0), (1.5, 40.0), (2.0, 90.0)]), &OPEN);
    assert_eq!(e.n, 3);
    assert_close(e.weighted_n, 4.0, "W");
    assert_opt(e.n_eff, Some(16.0 / 6.5), "n_eff");
    assert_opt(e.mean, Some(62.5), "mean");
    assert_opt(e.se, Some((1.5f64 * 4615.625).sqrt() / 4.0), "se by hand");
    assert_opt(e.se, Some(20.801799050803275), "se scipy");
    assert_opt(e.ci_low, Some(-27.002917469638476), "ci_low");
    assert_opt(e.ci_high, Some(152.00291746963848), "ci_high");
    // Scaling every weight leaves mean, n_eff and se unchanged.
    let e2 = estimate(&suff(&[(5.0, 20.0), (15.0, 40.0), (20.0, 90.0)]), &OPEN);
    assert_opt(e2.mean, e.mean, "scaled mean");
    assert_opt(e2.n_eff, e.n_eff, "scaled n_eff");
    assert_opt(e2.se, e.se, "scaled se");
}

#[test]
fn t_quantiles_match_printed_tables_and_scipy() {
    // Published two-sided 95 % values (R qt(0.975, df)).
    assert_close(t_critical(0.05, 7.0), 2.364624251592785, "t 0.975, 7");
    assert_close(t_critical(0.05, 10.0), 2.228138851986274, "t 0.975, 10");
    assert_close(t_critical(0.05, 29.0), 2.045229642132703, "t 0.975, 29");
    // Printed 3-decimal tables: df 1 12.706, df 2 4.303, df 30 2.042, 99 %
    // df 10 3.169.
    assert!((t_critical(0.05, 1.0) - 12.706).abs() < 5e-4);
    assert!((t_critical(0.05, 2.0) - 4.303).abs() < 5e-4);
    assert!((t_critical(0.05, 30.0) - 2.042).abs() < 5e-4);
    assert!((t_critical(0.01, 10.0) - 3.169).abs() < 5e-4);
    // scipy.stats.t.ppf(1 - alpha/2, df).
    for (alpha, df, t) in T_QUANTILES {
        assert_close(
            t_critical(alpha, df),
            t,
            &format!("t_critical({alpha}, {df})"),
        );
    }
}

#[test]
fn two_sided_p_matches_scipy() {
    // 2 * scipy.stats.t.sf(|t|, df).
    for (t, df, p) in [
        (2.0, 7.0, 0.08561932856297605),
        (-2.5, 24.5, 0.019495272120004563),
        (0.3, 3.0, 0.783763292039919),
        (5.0, 12.25, 0.0002906273757044446),
        (1.96, 10000.0, 0.05002352023183303),
        (10.0, 2.0, 0.00985245702332569),
        (0.0, 5.0, 1.0),
    ] {
        assert_close(t_two_sided_p(t, df), p, &format!("p({t}, {df})"));
    }
    // df = 1 is Cauchy: p = 1 - 2 atan(|t|)/pi; t = 1 -> 0.5 exactly.
    assert_close(t_two_sided_p(1.0, 1.0), 0.5, "Cauchy t = 1");
}

#[test]
fn ci_uses_t_with_n_minus_1_df_and_alpha() {
    // 11 scores 0, 10, ..., 100: mean 50; Sum (y-50)^2 = 2*(2500+1600+900+400+100)
    // = 11000; s^2 = 1100; se = sqrt(1100/11) = 10 exactly.
    // CI 95 %: 50 -+ t_{0.975,10} * 10 = 50 -+ 22.28138851986274.
    let ys: Vec<f64> = (0..=10).map(|i| 10.0 * i as f64).collect();
    let e = estimate(&unweighted(&ys), &OPEN);
    assert_opt(e.se, Some(10.0), "se");
    assert_opt(e.ci_low, Some(50.0 - 22.28138851986274), "ci_low 95");
    assert_opt(e.ci_high, Some(50.0 + 22.28138851986274), "ci_high 95");
    // alpha 0.10 and 0.01 (scipy): (31.875388771883244, 68.12461122811675),
    // (18.3072732738305, 81.6927267261695).
    let e = estimate(&unweighted(&ys), &rules(0.10, 0, 0));
    assert_opt(e.ci_low, Some(31.875388771883244), "ci_low 90");
    assert_opt(e.ci_high, Some(68.12461122811675), "ci_high 90");
    let e = estimate(&unweighted(&ys), &rules(0.01, 0, 0));
    assert_opt(e.ci_low, Some(18.3072732738305), "ci_low 99");
    assert_opt(e.ci_high, Some(81.6927267261695), "ci_high 99");
    // 30 scores 1, ..., 30: mean 15.5; s^2 = n(n+1)/12 = 77.5; se = sqrt(77.5/30)
    // = 1.6072751268321595; CI 15.5 -+ t_{0.975,29} (2.045229642132703) * se.
    let ys: Vec<f64> = (1..=30).map(f64::from).collect();
    let e = estimate(&unweighted(&ys), &OPEN);
    assert_opt(e.mean, Some(15.5), "mean 30");
    assert_opt(e.se, Some((77.5f64 / 30.0).sqrt()), "se 30");
    assert_opt(e.ci_low, Some(12.212753267540268), "ci_low 30");
    assert_opt(e.ci_high, Some(18.78724673245973), "ci_high 30");
    assert_opt(
        e.ci_high,
        Some(15.5 + 2.045229642132703 * (77.5f64 / 30.0).sqrt()),
        "ci_high 30 by hand",
    );
}

#[test]
fn se_is_undefined_below_two_respondents() {
    let e = estimate(&suff(&[(2.0, 70.0)]), &OPEN);
    assert_eq!(e.n, 1);
    assert_opt(e.mean, Some(70.0), "mean n = 1");
    assert_eq!((e.se, e.ci_low, e.ci_high), (None, None, None));
    let e = estimate(&[0.0; NSTAT], &OPEN);
    assert_eq!(e.n, 0);
    assert_eq!((e.mean, e.se), (None, None));
}

/// Constant scores have Sum w^2 (y - m)^2 = 0, so se = 0 exactly, and two
/// cells with se 0 have no Welch test (t, df, p undefined, not significant).
/// 200/3 is the score of answer 3 on a 1-4 scale (or a node mean such as
/// (75 + 75 + 50)/3).
#[test]
fn constant_scores_have_zero_se_and_no_welch_test() {
    let r = rules(0.05, 3, 2);
    let a = estimate(&unweighted(&[200.0 / 3.0; 3]), &r);
    let b = estimate(&unweighted(&[100.0; 3]), &r);
    assert_opt(a.mean, Some(200.0 / 3.0), "mean a");
    assert_opt(a.se, Some(0.0), "se of three equal scores");
    assert_opt(b.se, Some(0.0), "se of three scores 100");
    let w = welch(&a, &b, 0.05).expect("both have a mean");
    assert_close(w.delta, 200.0 / 3.0 - 100.0, "delta");
    assert_eq!((w.t, w.df, w.p), (None, None, None), "se 0 on both sides");
    assert!(!w.significant);
}

/// The same through the CLI: answer 3 on a 1-4 scale (score 2/3 * 100) from
/// five respondents of `us`, answer 4 (score 100) from five of `them`; both
/// cells have se 0, so no comparison has a t, and none is significant.
#[test]
fn constant_scores_via_cli_are_not_significant() {
    let study = r#"
[study]
id = "constant"
name = "Constant cells"
min_base = 5
min_report = 2

[data]
files = ["responses.csv"]

[period]
date_column = "date"
grain = "quarter"

[scales.four]
lo = 1
hi = 4

[[node]]
id = "idx"
label = "Index"

[[question]]
id = "q"
parent = "idx"
label = "Q"
scale = "four"

[[dimension]]
id = "brand"
label = "Brand"
column = "brand"
own = "us"

[[dimension.group]]
id = "us"
values = ["us"]

[[dimension.group]]
id = "them"
values = ["them"]
"#;
    let mut data = String::from("id,date,brand,q\n");
    for i in 1..=10 {
        let (brand, q) = if i <= 5 { ("us", 3) } else { ("them", 4) };
        data += &format!("{i},2025-01-0{},{brand},{q}\n", 1 + i % 9);
    }
    let (_dir, run) = run_files(&[("study.toml", study.to_string()), ("responses.csv", data)]);
    let comps = run.comparisons();
    assert!(!comps.is_empty());
    for c in &comps {
        assert_eq!(
            (c["t"].as_str(), c["p"].as_str(), c["significant"].as_str()),
            ("", "", "false"),
            "{c:?}"
        );
    }
    let cells = run.cells();
    let us = find_cell(&cells, "2025-Q1", "brand", "us", "q");
    assert_eq!(us["n"], "5");
    assert_opt(num(us, "mean"), Some(200.0 / 3.0), "us mean");
    assert_opt(num(us, "se"), Some(0.0), "us se");
}

/// The plain fixture (no weights) through the CLI: every cell against the
/// reference script. 2024-Q4 Total p1 is the textbook sample x 10 (0-10 scale:
/// score 10 x): mean 50, se 10 * 0.7559289460184544, CI 50 -+ 2.364624251592785 * se.
#[test]
fn plain_cells_match_reference() {
    let run = run_csi(&fixture("plain").join("study.toml"));
    let cells = run.cells();
    let c = find_cell(&cells, "2024-Q4", "total", "total", "p1");
    assert_eq!(c["n"], "8");
    assert_opt(num(c, "n_eff"), Some(8.0), "n_eff unweighted");
    assert_opt(num(c, "mean"), Some(50.0), "textbook mean");
    assert_opt(num(c, "se"), Some(7.559289460184544), "textbook se");
    assert_opt(
        num(c, "ci_low"),
        Some(50.0 - 2.364624251592785 * 7.559289460184544),
        "textbook ci_low",
    );
    check_cells(&cells, PLAIN_CELLS);
}

/// alpha from [study] sets the CI quantile and the significance level:
/// plain with alpha = 0.0005: 2024-Q4 Total p1 CI uses t_{1-0.00025, 7} =
/// 6.081756186049146 (scipy), and of the two comparisons significant at 0.05
/// (p1 p = 0.000447, idx p = 0.000894) only p1 stays significant.
#[test]
fn alpha_from_config_sets_ci_and_significance() {
    let plain = fixture("plain");
    let study = std::fs::read_to_string(plain.join("study.toml"))
        .unwrap()
        .replace("min_report = 2\n", "min_report = 2\nalpha = 0.0005\n");
    assert!(study.contains("alpha = 0.0005"));
    let data = std::fs::read_to_string(plain.join("responses.csv")).unwrap();
    let (_dir, run) = run_files(&[("study.toml", study), ("responses.csv", data)]);
    let c = find_cell(&run.cells(), "2024-Q4", "total", "total", "p1").clone();
    assert_opt(num(&c, "ci_low"), Some(4.026244563386534), "ci_low");
    assert_opt(num(&c, "ci_high"), Some(95.97375543661346), "ci_high");
    let comps = run.comparisons();
    let sig = |node: &str| {
        comps
            .iter()
            .find(|c| {
                c["kind"] == "previous_period"
                    && c["dimension"] == "total"
                    && c["node"] == node
                    && c["period"] == "2024-Q4"
            })
            .unwrap_or_else(|| panic!("no previous_period total {node}"))["significant"]
            .clone()
    };
    assert_eq!(sig("p1"), "true");
    assert_eq!(sig("idx"), "false");
}

// ------------------------------------------------------ 4. Welch's test

fn wiki_a1() -> Vec<f64> {
    vec![
        27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4,
    ]
}

fn wiki_a2() -> Vec<f64> {
    vec![
        27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4,
    ]
}

#[test]
fn welch_matches_wikipedia_example_and_scipy() {
    let a = estimate(&unweighted(&wiki_a1()), &OPEN);
    let b = estimate(&unweighted(&wiki_a2()), &OPEN);
    let w = welch(&a, &b, 0.05).expect("both have a mean");
    // Published (Wikipedia, "Welch's t-test", example 1): t = -2.46, df = 25.0,
    // p = 0.021.
    assert!((w.t.unwrap() - -2.46).abs() < 0.005);
    assert!((w.df.unwrap() - 25.0).abs() < 0.05);
    assert!((w.p.unwrap() - 0.021).abs() < 0.0005);
    // scipy.stats.ttest_ind(A1, A2, equal_var=False).
    assert_close(w.delta, 20.82 - 22.986666666666665, "delta");
    assert_close(w.t.unwrap(), -2.455356398286006, "t");
    assert_close(w.df.unwrap(), 24.988529290231416, "df");
    assert_close(w.p.unwrap(), 0.021378001462866992, "p");
    assert!(w.significant, "p 0.021 < 0.05 with no low base");
    assert!(!welch(&a, &b, 0.01).unwrap().significant, "p 0.021 > 0.01");
    // The other way round: t and delta change sign, df and p do not.
    let r = welch(&b, &a, 0.05).unwrap();
    assert_close(r.t.unwrap(), 2.455356398286006, "t reversed");
    assert_close(r.p.unwrap(), 0.021378001462866992, "p reversed");
}

#[test]
fn welch_unequal_sizes_matches_scipy() {
    let b1 = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
    let b2 = [
        21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6,
        21.5, 22.5, 23.5, 21.5, 21.8,
    ];
    let w = welch(
        &estimate(&unweighted(&b1), &OPEN),
        &estimate(&unweighted(&b2), &OPEN),
        0.05,
    )
    .unwrap();
    // scipy.stats.ttest_ind(b1, b2, equal_var=False)
    assert_close(w.delta, -1.5249999999999986, "delta");
    assert_close(w.t.unwrap(), -1.5654335235985037, "t");
    assert_close(w.df.unwrap(), 9.904741248650831, "df");
    assert_close(w.p.unwrap(), 0.14884169660532817, "p");
    assert!(!w.significant);
}

#[test]
fn welch_on_weighted_cells_matches_formula() {
    // A: (w, y) = (1, 70), (2, 85), (0.5, 40), (1.5, 90): W = 5, m = 395/5 = 79
    // B: (1, 50), (1, 65), (3, 55): W = 5, m = 280/5 = 56
    // se_A = 6.841052550594828, se_B = 2.749545416973504 (reference script);
    // t = 23 / sqrt(se_A^2 + se_B^2), df with n_A - 1 = 3, n_B - 1 = 2.
    let a = estimate(
        &suff(&[(1.0, 70.0), (2.0, 85.0), (0.5, 40.0), (1.5, 90.0)]),
        &OPEN,
    );
    let b = estimate(&suff(&[(1.0, 50.0), (1.0, 65.0), (3.0, 55.0)]), &OPEN);
    assert_opt(a.se, Some(6.841052550594828), "se A");
    assert_opt(b.se, Some(2.749545416973504), "se B");
    let w = welch(&a, &b, 0.05).unwrap();
    assert_close(w.delta, 23.0, "delta");
    let (v1, v2) = (a.se.unwrap().powi(2), b.se.unwrap().powi(2));
    assert_close(w.t.unwrap(), 23.0 / (v1 + v2).sqrt(), "t by formula");
    assert_close(
        w.df.unwrap(),
        (v1 + v2).powi(2) / (v1 * v1 / 3.0 + v2 * v2 / 2.0),
        "df by formula",
    );
    assert_close(w.t.unwrap(), 3.1195224252894445, "t");
    assert_close(w.df.unwrap(), 3.8950545226774476, "df");
    assert_close(w.p.unwrap(), 0.03685213142629093, "p");
    assert!(w.significant);
}

#[test]
fn welch_with_a_low_base_cell_is_never_significant() {
    // 10, 20, 30 vs 80, 90, 100, 85, 95: scipy t = -10.339685242263949,
    // df = 3.5328467153284673, p = 0.0009145248090000098 < 0.05.
    let la = unweighted(&[10.0, 20.0, 30.0]);
    let lb = unweighted(&[80.0, 90.0, 100.0, 85.0, 95.0]);
    // min_base 4: a (n = 3) is low base, b (n = 5) is not.
    let r = rules(0.05, 4, 2);
    let (a, b) = (estimate(&la, &r), estimate(&lb, &r));
    assert_eq!((a.flag, b.flag), (Flag::LowBase, Flag::None));
    let w = welch(&a, &b, 0.05).unwrap();
    assert_close(w.delta, -70.0, "delta");
    assert_close(w.t.unwrap(), -10.339685242263949, "t");
    assert_close(w.df.unwrap(), 3.5328467153284673, "df");
    assert_close(w.p.unwrap(), 0.0009145248090000098, "p");
    assert!(!w.significant, "p < alpha but a low base");
    assert!(
        !welch(&b, &a, 0.05).unwrap().significant,
        "low base on the right"
    );
    // Control: with min_base 3 neither is low base and the test is significant.
    let r = rules(0.05, 3, 2);
    assert!(
        welch(&estimate(&la, &r), &estimate(&lb, &r), 0.05)
            .unwrap()
            .significant
    );
}

#[test]
fn welch_needs_a_mean_on_both_sides() {
    let r = rules(0.05, 3, 2);
    let one: Estimate = estimate(&unweighted(&[50.0]), &r);
    let many = estimate(&unweighted(&[10.0, 20.0, 30.0]), &r);
    assert_eq!(one.flag, Flag::Suppressed);
    assert_eq!(one.mean, None);
    assert!(welch(&one, &many, 0.05).is_none());
    assert!(welch(&many, &one, 0.05).is_none());
    // n = 1 with a mean (min_report 1): delta only, se undefined -> no t.
    let one = estimate(&unweighted(&[50.0]), &rules(0.05, 1, 1));
    let w = welch(&one, &many, 0.05).unwrap();
    assert_close(w.delta, 30.0, "delta");
    assert_eq!((w.t, w.df, w.p, w.significant), (None, None, None, false));
}

// ------------------------------------- 5. base-size rules via the CLI

/// Every cell of mini: suppressed iff n < min_report (2), with no mean, se or
/// CI; low_base iff 2 <= n < min_base (3), with a mean; no flag otherwise.
#[test]
fn mini_base_size_rules() {
    let run = run_csi(&fixture("mini").join("study.toml"));
    let cells = run.cells();
    let (mut suppressed, mut low) = (0, 0);
    for c in &cells {
        let n: u64 = c["n"].parse().unwrap();
        let at = format!("{c:?}");
        match n {
            0 | 1 => {
                suppressed += 1;
                assert_eq!(c["flag"], "suppressed", "{at}");
                for col in ["mean", "se", "ci_low", "ci_high"] {
                    assert_eq!(c[col], "", "{at}: {col} must be empty");
                }
            }
            2 => {
                low += 1;
                assert_eq!(c["flag"], "low_base", "{at}");
                for col in ["mean", "se", "ci_low", "ci_high"] {
                    assert!(num(c, col).is_some(), "{at}: {col} must be shown");
                }
            }
            _ => {
                assert_eq!(c["flag"], "", "{at}");
                assert!(num(c, "mean").is_some(), "{at}");
            }
        }
    }
    // From the reference table: 2024-Q4 seg/y b2 has n = 0, seg/x idx n = 1,
    // Total idx n = 2 (low base), Total b n = 3 (no flag).
    assert_eq!(
        find_cell(&cells, "2024-Q4", "total", "total", "idx")["flag"],
        "low_base"
    );
    assert_eq!(
        find_cell(&cells, "2024-Q4", "total", "total", "b")["flag"],
        ""
    );
    assert_eq!(
        find_cell(&cells, "2024-Q4", "seg", "x", "idx")["flag"],
        "suppressed"
    );
    let counted = |f: &str| MINI_CELLS.iter().filter(|c| c.11 == f).count();
    assert_eq!(suppressed, counted("suppressed"));
    assert_eq!(low, counted("low_base"));
    assert!(suppressed > 0 && low > 0);
}

/// For mini and plain: every comparison is between two cells that have a
/// mean (the rest pool included), never group vs Total, and significant only
/// when p < alpha and neither side has a low base. The complete lists
/// (tests *_comparisons_match_reference) show that every pair with means is
/// compared.
#[test]
fn comparisons_only_between_cells_with_a_mean() {
    for name in ["mini", "plain"] {
        let run = run_csi(&fixture(name).join("study.toml"));
        let cells = run.cells();
        let comps = run.comparisons();
        assert!(!comps.is_empty());
        if name == "mini" {
            // No own_brand comparison: in 2024-Q4 `us` (n = 1) and in 2025-Q1
            // `them` (n = 1) are suppressed for every measure.
            assert!(comps.iter().all(|c| c["kind"] != "own_brand"));
        }
        for c in &comps {
            let at = format!("{name} {c:?}");
            let me = find_cell(
                &cells,
                &c["period"],
                &c["dimension"],
                &c["group"],
                &c["node"],
            );
            assert!(num(me, "mean").is_some(), "{at}: cell without a mean");
            let p = num(c, "p");
            let mut low = me["flag"] == "low_base";
            if c["kind"] == "rest" {
                assert_eq!(c["vs_group"], "(rest)", "{at}");
                assert_eq!(c["vs_dimension"], c["dimension"], "{at}");
            } else {
                let vs = find_cell(
                    &cells,
                    &c["vs_period"],
                    &c["vs_dimension"],
                    &c["vs_group"],
                    &c["node"],
                );
                assert!(
                    num(vs, "mean").is_some(),
                    "{at}: compared with a cell without a mean"
                );
                low |= vs["flag"] == "low_base";
            }
            assert!(
                c["dimension"] == "total" || c["vs_dimension"] != "total",
                "{at}: a group compared with Total"
            );
            if c["dimension"] == "total" {
                assert!(
                    c["kind"] == "previous_period" || c["kind"] == "year_ago",
                    "{at}: Total only over time"
                );
            }
            if c["significant"] == "true" {
                assert!(p.unwrap() < 0.05 && !low, "{at}");
            }
        }
    }
}

/// Comparisons whose p is below alpha but with a low-base side are not
/// significant; the same p with both bases full is.
#[test]
fn low_base_comparisons_are_never_significant() {
    let run = run_csi(&fixture("mini").join("study.toml"));
    let comps = run.comparisons();
    let find = |comps: &[Row], kind: &str, node: &str, dim: &str, group: &str, period: &str| {
        comps
            .iter()
            .find(|c| {
                c["kind"] == kind
                    && c["node"] == node
                    && c["dimension"] == dim
                    && c["group"] == group
                    && c["period"] == period
            })
            .unwrap_or_else(|| panic!("no {kind} {node} {dim}/{group} {period}"))
            .clone()
    };
    // mini 2025-Q1 seg x vs rest (y), idx: n 2 vs 2 (low base), p = 0.0481 (scipy).
    let c = find(&comps, "rest", "idx", "seg", "x", "2025-Q1");
    assert_close(num(&c, "p").unwrap(), 0.04813179686391786, "mini rest p");
    assert_eq!(c["significant"], "false");
    let run = run_csi(&fixture("plain").join("study.toml"));
    let comps = run.comparisons();
    // plain brand them p1, 2024-Q4 vs 2024-Q3: n 3 vs 3 (min_base 4), p = 0.0037.
    let c = find(&comps, "previous_period", "p1", "brand", "them", "2024-Q4");
    assert_close(num(&c, "p").unwrap(), 0.003688877654538513, "plain them p");
    assert_eq!(c["significant"], "false");
    // Control: Total p1, n 8 vs 6, p = 0.00045: significant.
    let c = find(&comps, "previous_period", "p1", "total", "total", "2024-Q4");
    assert_close(
        num(&c, "p").unwrap(),
        0.0004473285504534298,
        "plain total p",
    );
    assert_eq!(c["significant"], "true");
}

// ------------------------------------------ 6. comparisons in the fixtures

/// All 23 comparisons of mini against the reference script. By hand,
/// previous_period Total b, 2025-Q1 vs 2024-Q4:
///   2025-Q1 b: r4 (1, 100), r5 (0.5, 56.25), r6 (1.5, 25), r7 (1, 75):
///     W = 4, m = (100 + 28.125 + 37.5 + 75)/4 = 60.15625
///   2024-Q4 b: r1 (1, 68.75), r2 (2, 25), r3 (1, 0): W = 4, m = 118.75/4 = 29.6875
///   delta = 60.15625 - 29.6875 = 30.46875; t = delta / sqrt(se1^2 + se2^2)
///   with se1 = 19.56312503161507, se2 = 15.294353086290542 (script) = 1.22699...
#[test]
fn mini_comparisons_match_reference() {
    let run = run_csi(&fixture("mini").join("study.toml"));
    let comps = run.comparisons();
    let c = comps
        .iter()
        .find(|c| c["kind"] == "previous_period" && c["dimension"] == "total" && c["node"] == "b")
        .expect("previous_period total b");
    assert_close(num(c, "delta").unwrap(), 60.15625 - 29.6875, "hand delta");
    let (s1, s2) = (19.56312503161507f64, 15.294353086290542f64);
    assert_close(
        num(c, "t").unwrap(),
        30.46875 / (s1 * s1 + s2 * s2).sqrt(),
        "hand t",
    );
    assert_close(
        num(c, "df").unwrap(),
        (s1 * s1 + s2 * s2).powi(2) / (s1.powi(4) / 3.0 + s2.powi(4) / 2.0),
        "hand df",
    );
    check_comparisons(&comps, MINI_COMPARISONS);
}

/// All comparisons of plain (previous_period, year_ago, rest over three
/// groups, own_brand) against the reference script. 2024-Q3 has no
/// previous_period row (2024-Q2 has no data) and only 2024-Q4 has a year-ago
/// period (2023-Q4). By hand, own_brand p1 them vs us in 2024-Q4:
///   them p1 = 20, 40, 40 -> mean 100/3, se = sqrt(400/3 / 3) = 6.6667
///   us p1 = 40, 50, 50, 70 -> mean 52.5, s^2 = (156.25 + 6.25 + 6.25 + 306.25)/3
///   = 158.33, se = sqrt(158.33/4) = 6.2915
///   delta = 33.3333 - 52.5 = -19.1667, t = -19.1667 / sqrt(44.444 + 39.583)
///   = -2.0909; df = 84.028^2 / (44.444^2/2 + 39.583^2/3) = 4.676.
#[test]
fn plain_comparisons_match_reference() {
    let run = run_csi(&fixture("plain").join("study.toml"));
    let comps = run.comparisons();
    let c = comps
        .iter()
        .find(|c| {
            c["kind"] == "own_brand"
                && c["node"] == "p1"
                && c["group"] == "them"
                && c["period"] == "2024-Q4"
        })
        .expect("own_brand p1 them 2024-Q4");
    let (v1, v2): (f64, f64) = (400.0 / 9.0, 475.0 / 12.0);
    assert_close(num(c, "delta").unwrap(), 100.0 / 3.0 - 52.5, "hand delta");
    assert_close(
        num(c, "t").unwrap(),
        (100.0 / 3.0 - 52.5) / (v1 + v2).sqrt(),
        "hand t",
    );
    assert_close(
        num(c, "df").unwrap(),
        (v1 + v2) * (v1 + v2) / (v1 * v1 / 2.0 + v2 * v2 / 3.0),
        "hand df",
    );
    assert!(
        !comps
            .iter()
            .any(|c| c["kind"] == "previous_period" && c["period"] == "2024-Q3"),
        "2024-Q2 has no data"
    );
    check_comparisons(&comps, PLAIN_COMPARISONS);
}

// ------------------------------------------------ reference tables

// scipy.stats.t.ppf(1 - alpha/2, df): (alpha, df, t).
#[rustfmt::skip]
const T_QUANTILES: [(f64, f64, f64); 24] = [
    (0.05, 1.0, 12.706204736174694),
    (0.01, 1.0, 63.656741162871526),
    (0.1, 1.0, 6.313751514675037),
    (0.05, 2.0, 4.302652729749462),
    (0.01, 2.0, 9.924843200918287),
    (0.1, 2.0, 2.9199855803537242),
    (0.05, 3.0, 3.1824463052837078),
    (0.01, 3.0, 5.840909309733355),
    (0.1, 3.0, 2.3533634348018233),
    (0.05, 7.0, 2.364624251592784),
    (0.01, 7.0, 3.4994832973504924),
    (0.1, 7.0, 1.8945786050900062),
    (0.05, 10.0, 2.228138851986274),
    (0.01, 10.0, 3.16927267261695),
    (0.1, 10.0, 1.8124611228116756),
    (0.05, 29.0, 2.045229642132703),
    (0.01, 29.0, 2.756385903670605),
    (0.1, 29.0, 1.6991270265334972),
    (0.05, 100.0, 1.9839715185235518),
    (0.01, 100.0, 2.6258905214380173),
    (0.1, 100.0, 1.6602343260853392),
    (0.05, 1000.0, 1.9623390808264083),
    (0.01, 1000.0, 2.580754698065951),
    (0.1, 1000.0, 1.6463788172854643),
];

// Every cell of tests/fixtures/mini (formulas_reference.py, mini()).
#[rustfmt::skip]
const MINI_CELLS: &[ExpCell] = &[
    ("2024-Q4", "total", "total", "idx", 2, 3.0, Some(1.8), Some(57.63888888888888), Some(21.29629629629629), Some(-212.95621197409062), Some(328.23398975186836), "low_base"),
    ("2024-Q4", "total", "total", "a", 2, 3.0, Some(1.8), Some(66.66666666666667), Some(22.22222222222222), Some(-215.69343858165985), Some(349.0267719149932), "low_base"),
    ("2024-Q4", "total", "total", "a1", 2, 3.0, Some(1.8), Some(66.66666666666667), Some(22.22222222222222), Some(-215.69343858165985), Some(349.0267719149932), "low_base"),
    ("2024-Q4", "total", "total", "a2", 2, 3.0, Some(1.8), Some(66.66666666666667), Some(22.22222222222222), Some(-215.69343858165985), Some(349.0267719149932), "low_base"),
    ("2024-Q4", "total", "total", "b", 3, 4.0, Some(2.6666666666666665), Some(29.6875), Some(15.294353086290542), Some(-36.11879005648011), Some(95.49379005648011), ""),
    ("2024-Q4", "total", "total", "b1", 3, 4.0, Some(2.6666666666666665), Some(31.25), Some(16.90102160373745), Some(-41.46922673887558), Some(103.96922673887558), ""),
    ("2024-Q4", "total", "total", "b2", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "total", "total", "ea", 3, 4.0, Some(2.6666666666666665), Some(50.0), Some(10.825317547305483), Some(3.4224179046813177), Some(96.57758209531869), ""),
    ("2024-Q4", "total", "total", "gap:a", 2, 3.0, Some(1.8), Some(8.333333333333334), Some(11.11111111111111), Some(-132.84671929082992), Some(149.5133859574966), "low_base"),
    ("2024-Q4", "seg", "x", "idx", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "x", "a", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "x", "a1", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "x", "a2", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "x", "b", 2, 2.0, Some(2.0), Some(34.375), Some(34.375), Some(-402.4007878060051), Some(471.1507878060051), "low_base"),
    ("2024-Q4", "seg", "x", "b1", 2, 2.0, Some(2.0), Some(37.5), Some(37.5), Some(-438.982677606551), Some(513.9826776065511), "low_base"),
    ("2024-Q4", "seg", "x", "b2", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "x", "ea", 2, 2.0, Some(2.0), Some(50.0), Some(25.0), Some(-267.65511840436733), Some(367.65511840436733), "low_base"),
    ("2024-Q4", "seg", "x", "gap:a", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "idx", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "a", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "a1", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "a2", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "b", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "b1", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "b2", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "ea", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "seg", "y", "gap:a", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "idx", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "a", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "a1", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "a2", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "b", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "b1", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "b2", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "ea", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "us", "gap:a", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "them", "idx", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "them", "a", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "them", "a1", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "them", "a2", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "them", "b", 2, 3.0, Some(1.8), Some(16.666666666666668), Some(11.11111111111111), Some(-124.5133859574966), Some(157.84671929082992), "low_base"),
    ("2024-Q4", "brand", "them", "b1", 2, 3.0, Some(1.8), Some(16.666666666666668), Some(11.11111111111111), Some(-124.5133859574966), Some(157.84671929082992), "low_base"),
    ("2024-Q4", "brand", "them", "b2", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "them", "ea", 2, 3.0, Some(1.8), Some(41.666666666666664), Some(11.11111111111111), Some(-99.51338595749661), Some(182.84671929082992), "low_base"),
    ("2024-Q4", "brand", "them", "gap:a", 1, 2.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "total", "total", "idx", 4, 4.0, Some(3.5555555555555554), Some(45.05208333333333), Some(20.39087721126126), Some(-19.840788509138818), Some(109.94495517580548), ""),
    ("2025-Q1", "total", "total", "a", 4, 4.0, Some(3.5555555555555554), Some(37.5), Some(20.885351724753562), Some(-28.966510430992685), Some(103.96651043099268), ""),
    ("2025-Q1", "total", "total", "a1", 4, 4.0, Some(3.5555555555555554), Some(46.875), Some(26.88983360011115), Some(-38.700451590367436), Some(132.45045159036744), ""),
    ("2025-Q1", "total", "total", "a2", 3, 3.5, Some(2.8823529411764706), Some(28.571428571428573), Some(22.145443279806845), Some(-66.71272340794422), Some(123.85558055080136), ""),
    ("2025-Q1", "total", "total", "b", 4, 4.0, Some(3.5555555555555554), Some(60.15625), Some(19.56312503161507), Some(-2.1023449766665934), Some(122.41484497666659), ""),
    ("2025-Q1", "total", "total", "b1", 4, 4.0, Some(3.5555555555555554), Some(59.375), Some(19.526040972036974), Some(-2.7655769482773636), Some(121.51557694827736), ""),
    ("2025-Q1", "total", "total", "b2", 4, 4.0, Some(3.5555555555555554), Some(62.5), Some(19.928256739280197), Some(-0.9206070306674121), Some(125.92060703066741), ""),
    ("2025-Q1", "total", "total", "ea", 3, 3.5, Some(2.8823529411764706), Some(50.0), Some(32.732683535398856), Some(-90.83737016560914), Some(190.83737016560914), ""),
    ("2025-Q1", "total", "total", "gap:a", 3, 3.5, Some(2.8823529411764706), Some(-10.714285714285714), Some(7.550330911708542), Some(-43.20073762206022), Some(21.772166193488786), ""),
    ("2025-Q1", "seg", "x", "idx", 2, 2.0, Some(2.0), Some(75.0), Some(8.333333333333336), Some(-30.885039468122486), Some(180.8850394681225), "low_base"),
    ("2025-Q1", "seg", "x", "a", 2, 2.0, Some(2.0), Some(68.75), Some(6.25), Some(-10.663779601091832), Some(148.16377960109185), "low_base"),
    ("2025-Q1", "seg", "x", "a1", 2, 2.0, Some(2.0), Some(87.5), Some(12.5), Some(-71.32755920218366), Some(246.32755920218366), "low_base"),
    ("2025-Q1", "seg", "x", "a2", 2, 2.0, Some(2.0), Some(50.0), Some(25.0), Some(-267.65511840436733), Some(367.65511840436733), "low_base"),
    ("2025-Q1", "seg", "x", "b", 2, 2.0, Some(2.0), Some(87.5), Some(12.5), Some(-71.32755920218366), Some(246.32755920218366), "low_base"),
    ("2025-Q1", "seg", "x", "b1", 2, 2.0, Some(2.0), Some(87.5), Some(12.5), Some(-71.32755920218366), Some(246.32755920218366), "low_base"),
    ("2025-Q1", "seg", "x", "b2", 2, 2.0, Some(2.0), Some(87.5), Some(12.5), Some(-71.32755920218366), Some(246.32755920218366), "low_base"),
    ("2025-Q1", "seg", "x", "ea", 2, 2.0, Some(2.0), Some(87.5), Some(12.5), Some(-71.32755920218366), Some(246.32755920218366), "low_base"),
    ("2025-Q1", "seg", "x", "gap:a", 2, 2.0, Some(2.0), Some(-18.75), Some(6.25), Some(-98.16377960109183), Some(60.66377960109183), "low_base"),
    ("2025-Q1", "seg", "y", "idx", 2, 2.0, Some(1.6), Some(15.104166666666664), Some(10.15625), Some(-113.9432251851076), Some(144.1515585184409), "low_base"),
    ("2025-Q1", "seg", "y", "a", 2, 2.0, Some(1.6), Some(6.25), Some(9.375), Some(-112.87066940163776), Some(125.37066940163776), "low_base"),
    ("2025-Q1", "seg", "y", "a1", 2, 2.0, Some(1.6), Some(6.25), Some(9.375), Some(-112.87066940163776), Some(125.37066940163776), "low_base"),
    ("2025-Q1", "seg", "y", "a2", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "seg", "y", "b", 2, 2.0, Some(1.6), Some(32.8125), Some(11.71875), Some(-116.08833675204718), Some(181.71333675204718), "low_base"),
    ("2025-Q1", "seg", "y", "b1", 2, 2.0, Some(1.6), Some(31.25), Some(9.375), Some(-87.87066940163776), Some(150.37066940163777), "low_base"),
    ("2025-Q1", "seg", "y", "b2", 2, 2.0, Some(1.6), Some(37.5), Some(18.75), Some(-200.7413388032755), Some(275.74133880327554), "low_base"),
    ("2025-Q1", "seg", "y", "ea", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "seg", "y", "gap:a", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "us", "idx", 3, 2.5, Some(2.7777777777777777), Some(67.08333333333333), Some(11.116804097101529), Some(19.251585838849437), Some(114.91508082781722), ""),
    ("2025-Q1", "brand", "us", "a", 3, 2.5, Some(2.7777777777777777), Some(60.0), Some(11.357816691600547), Some(11.131259007890904), Some(108.8687409921091), ""),
    ("2025-Q1", "brand", "us", "a1", 3, 2.5, Some(2.7777777777777777), Some(75.0), Some(17.320508075688775), Some(0.4758686474900884), Some(149.52413135250993), ""),
    ("2025-Q1", "brand", "us", "a2", 2, 2.0, Some(2.0), Some(50.0), Some(25.0), Some(-267.65511840436733), Some(367.65511840436733), "low_base"),
    ("2025-Q1", "brand", "us", "b", 3, 2.5, Some(2.7777777777777777), Some(81.25), Some(11.4564392373896), Some(31.956920442036797), Some(130.5430795579632), ""),
    ("2025-Q1", "brand", "us", "b1", 3, 2.5, Some(2.7777777777777777), Some(80.0), Some(12.489995996796797), Some(26.25988462982241), Some(133.7401153701776), ""),
    ("2025-Q1", "brand", "us", "b2", 3, 2.5, Some(2.7777777777777777), Some(85.0), Some(9.16515138991168), Some(45.56553635362944), Some(124.43446364637056), ""),
    ("2025-Q1", "brand", "us", "ea", 2, 2.0, Some(2.0), Some(87.5), Some(12.5), Some(-71.32755920218366), Some(246.32755920218366), "low_base"),
    ("2025-Q1", "brand", "us", "gap:a", 2, 2.0, Some(2.0), Some(-18.75), Some(6.25), Some(-98.16377960109183), Some(60.66377960109183), "low_base"),
    ("2025-Q1", "brand", "them", "idx", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "a", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "a1", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "a2", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "b", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "b1", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "b2", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "ea", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
    ("2025-Q1", "brand", "them", "gap:a", 1, 1.5, Some(1.0), None, None, None, None, "suppressed"),
];
// Every comparison of tests/fixtures/mini (formulas_reference.py, mini()).
#[rustfmt::skip]
const MINI_COMPARISONS: &[ExpComparison] = &[
    ("previous_period", "idx", "total", "total", "2025-Q1", "total", "total", "2024-Q4", -12.58680555555555, Some(-0.42689951377763147), Some(2.8699801409544583), Some(0.6994402087824164), false),
    ("previous_period", "a", "total", "total", "2025-Q1", "total", "total", "2024-Q4", -29.16666666666667, Some(-0.9563997827606456), Some(2.814773938432179), Some(0.4136058731745262), false),
    ("previous_period", "a1", "total", "total", "2025-Q1", "total", "total", "2024-Q4", -19.79166666666667, Some(-0.5673573052873997), Some(3.541461276161351), Some(0.6044787427418382), false),
    ("previous_period", "a2", "total", "total", "2025-Q1", "total", "total", "2024-Q4", -38.0952380952381, Some(-1.2142789370969636), Some(2.660496108750349), Some(0.32134938008175107), false),
    ("previous_period", "b", "total", "total", "2025-Q1", "total", "total", "2024-Q4", 30.46875, Some(1.2269905605885882), Some(4.991128437437676), Some(0.27453609342924673), false),
    ("previous_period", "b1", "total", "total", "2025-Q1", "total", "total", "2024-Q4", 28.125, Some(1.0890771683891496), Some(4.983358634656114), Some(0.3259608721059508), false),
    ("previous_period", "ea", "total", "total", "2025-Q1", "total", "total", "2024-Q4", 0.0, Some(0.0), Some(2.4323281061519904), Some(1.0), false),
    ("previous_period", "gap:a", "total", "total", "2025-Q1", "total", "total", "2024-Q4", -19.047619047619047, Some(-1.4178982340112734), Some(1.9308894298056676), Some(0.2960924894949785), false),
    ("previous_period", "b", "seg", "x", "2025-Q1", "seg", "x", "2024-Q4", 53.125, Some(1.4524080181184935), Some(1.2599181043163052), Some(0.34624994176905377), false),
    ("previous_period", "b1", "seg", "x", "2025-Q1", "seg", "x", "2024-Q4", 50.0, Some(1.2649110640673515), Some(1.2195121951219512), Some(0.3958703424984499), false),
    ("previous_period", "ea", "seg", "x", "2025-Q1", "seg", "x", "2024-Q4", 37.5, Some(1.3416407864998738), Some(1.4705882352941178), Some(0.34988559277094033), false),
    ("rest", "idx", "seg", "x", "2025-Q1", "seg", "(rest)", "2025-Q1", 59.895833333333336, Some(4.559150646435789), Some(1.926529520820389), Some(0.04813179686391786), false),
    ("rest", "a", "seg", "x", "2025-Q1", "seg", "(rest)", "2025-Q1", 62.5, Some(5.547001962252291), Some(1.7422680412371134), Some(0.0416956701698143), false),
    ("rest", "a1", "seg", "x", "2025-Q1", "seg", "(rest)", "2025-Q1", 81.25, Some(5.2), Some(1.8545994065281899), Some(0.04097487413700201), false),
    ("rest", "b", "seg", "x", "2025-Q1", "seg", "(rest)", "2025-Q1", 54.6875, Some(3.1917252681128727), Some(1.9917269995953892), Some(0.08619029308293147), false),
    ("rest", "b1", "seg", "x", "2025-Q1", "seg", "(rest)", "2025-Q1", 56.25, Some(3.6), Some(1.8545994065281899), Some(0.07734221896935096), false),
    ("rest", "b2", "seg", "x", "2025-Q1", "seg", "(rest)", "2025-Q1", 50.0, Some(2.2188007849009166), Some(1.7422680412371134), Some(0.17520168426318874), false),
    ("rest", "idx", "seg", "y", "2025-Q1", "seg", "(rest)", "2025-Q1", -59.895833333333336, Some(-4.559150646435789), Some(1.926529520820389), Some(0.04813179686391786), false),
    ("rest", "a", "seg", "y", "2025-Q1", "seg", "(rest)", "2025-Q1", -62.5, Some(-5.547001962252291), Some(1.7422680412371134), Some(0.0416956701698143), false),
    ("rest", "a1", "seg", "y", "2025-Q1", "seg", "(rest)", "2025-Q1", -81.25, Some(-5.2), Some(1.8545994065281899), Some(0.04097487413700201), false),
    ("rest", "b", "seg", "y", "2025-Q1", "seg", "(rest)", "2025-Q1", -54.6875, Some(-3.1917252681128727), Some(1.9917269995953892), Some(0.08619029308293147), false),
    ("rest", "b1", "seg", "y", "2025-Q1", "seg", "(rest)", "2025-Q1", -56.25, Some(-3.6), Some(1.8545994065281899), Some(0.07734221896935096), false),
    ("rest", "b2", "seg", "y", "2025-Q1", "seg", "(rest)", "2025-Q1", -50.0, Some(-2.2188007849009166), Some(1.7422680412371134), Some(0.17520168426318874), false),
];
// Every cell of tests/fixtures/plain (formulas_reference.py, plain()).
#[rustfmt::skip]
const PLAIN_CELLS: &[ExpCell] = &[
    ("2023-Q4", "total", "total", "idx", 4, 4.0, Some(4.0), Some(44.07407407407407), Some(6.3559267784187075), Some(23.846678381441674), Some(64.30146976670646), ""),
    ("2023-Q4", "total", "total", "p1", 4, 4.0, Some(4.0), Some(60.0), Some(10.801234497346433), Some(25.62565118141692), Some(94.37434881858309), ""),
    ("2023-Q4", "total", "total", "p2", 4, 4.0, Some(4.0), Some(36.11111111111111), Some(9.487917375888518), Some(5.916323513377602), Some(66.30589870884461), ""),
    ("2023-Q4", "total", "total", "p3", 4, 4.0, Some(4.0), Some(36.111111111111114), Some(9.487917375888516), Some(5.916323513377613), Some(66.30589870884461), ""),
    ("2023-Q4", "brand", "us", "idx", 2, 2.0, Some(2.0), Some(54.99999999999999), Some(1.6666666666666643), Some(33.82299210637554), Some(76.17700789362445), "low_base"),
    ("2023-Q4", "brand", "us", "p1", 2, 2.0, Some(2.0), Some(65.0), Some(5.0), Some(1.4689763191265257), Some(128.5310236808735), "low_base"),
    ("2023-Q4", "brand", "us", "p2", 2, 2.0, Some(2.0), Some(50.0), Some(5.555555555555557), Some(-20.590026312081648), Some(120.59002631208165), "low_base"),
    ("2023-Q4", "brand", "us", "p3", 2, 2.0, Some(2.0), Some(50.0), Some(5.555555555555557), Some(-20.590026312081648), Some(120.59002631208165), "low_base"),
    ("2023-Q4", "brand", "them", "idx", 2, 2.0, Some(2.0), Some(33.148148148148145), Some(0.9259259259259238), Some(21.383143762801232), Some(44.91315253349506), "low_base"),
    ("2023-Q4", "brand", "them", "p1", 2, 2.0, Some(2.0), Some(55.0), Some(25.0), Some(-262.65511840436733), Some(372.65511840436733), "low_base"),
    ("2023-Q4", "brand", "them", "p2", 2, 2.0, Some(2.0), Some(22.22222222222222), Some(11.111111111111109), Some(-118.95783040194101), Some(163.40227484638547), "low_base"),
    ("2023-Q4", "brand", "them", "p3", 2, 2.0, Some(2.0), Some(22.22222222222223), Some(11.111111111111114), Some(-118.95783040194107), Some(163.40227484638552), "low_base"),
    ("2023-Q4", "brand", "other", "idx", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2023-Q4", "brand", "other", "p1", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2023-Q4", "brand", "other", "p2", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2023-Q4", "brand", "other", "p3", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q3", "total", "total", "idx", 5, 5.0, Some(5.0), Some(84.25925925925925), Some(3.9038512868300317), Some(73.4204304625199), Some(95.0980880559986), ""),
    ("2024-Q3", "total", "total", "p1", 6, 6.0, Some(6.0), Some(93.33333333333333), Some(3.3333333333333335), Some(84.76472721454562), Some(101.90193945212104), ""),
    ("2024-Q3", "total", "total", "p2", 4, 4.0, Some(4.0), Some(72.22222222222223), Some(7.172191381865587), Some(49.39710825821644), Some(95.04733618622802), ""),
    ("2024-Q3", "total", "total", "p3", 4, 4.0, Some(4.0), Some(83.33333333333333), Some(7.172191381865586), Some(60.50821936932755), Some(106.15844729733911), ""),
    ("2024-Q3", "brand", "us", "idx", 2, 2.0, Some(2.0), Some(76.1111111111111), Some(1.6666666666666714), Some(54.93410321748655), Some(97.28811900473565), "low_base"),
    ("2024-Q3", "brand", "us", "p1", 3, 3.0, Some(3.0), Some(90.0), Some(5.773502691896258), Some(65.1586228824967), Some(114.8413771175033), "low_base"),
    ("2024-Q3", "brand", "us", "p2", 2, 2.0, Some(2.0), Some(61.11111111111111), Some(5.55555555555555), Some(-9.478915200970455), Some(131.70113742319268), "low_base"),
    ("2024-Q3", "brand", "us", "p3", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q3", "brand", "them", "idx", 3, 3.0, Some(3.0), Some(89.69135802469134), Some(3.6041137227148092), Some(74.18410827732497), Some(105.19860777205771), "low_base"),
    ("2024-Q3", "brand", "them", "p1", 3, 3.0, Some(3.0), Some(96.66666666666667), Some(3.3333333333333335), Some(82.32449090083513), Some(111.00884243249821), "low_base"),
    ("2024-Q3", "brand", "them", "p2", 2, 2.0, Some(2.0), Some(83.33333333333334), Some(5.55555555555555), Some(12.74330702125178), Some(153.9233596454149), "low_base"),
    ("2024-Q3", "brand", "them", "p3", 3, 3.0, Some(3.0), Some(88.88888888888887), Some(6.415002990995844), Some(61.287358758329646), Some(116.4904190194481), "low_base"),
    ("2024-Q3", "brand", "other", "idx", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q3", "brand", "other", "p1", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q3", "brand", "other", "p2", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q3", "brand", "other", "p3", 0, 0.0, None, None, None, None, None, "suppressed"),
    ("2024-Q4", "total", "total", "idx", 8, 8.0, Some(8.0), Some(52.96296296296296), Some(5.720650971756828), Some(39.43577294024894), Some(66.49015298567699), ""),
    ("2024-Q4", "total", "total", "p1", 8, 8.0, Some(8.0), Some(50.0), Some(7.559289460184544), Some(32.12512081763791), Some(67.8748791823621), ""),
    ("2024-Q4", "total", "total", "p2", 6, 6.0, Some(6.0), Some(48.148148148148145), Some(14.24843263827507), Some(11.521386021910644), Some(84.77491027438565), ""),
    ("2024-Q4", "total", "total", "p3", 7, 7.0, Some(7.0), Some(58.730158730158735), Some(13.654484550861312), Some(25.31883866138017), Some(92.1414787989373), ""),
    ("2024-Q4", "brand", "us", "idx", 4, 4.0, Some(4.0), Some(59.907407407407405), Some(9.49258488557174), Some(29.697765710727655), Some(90.11704910408716), ""),
    ("2024-Q4", "brand", "us", "p1", 4, 4.0, Some(4.0), Some(52.5), Some(6.291528696058958), Some(32.477547746640745), Some(72.52245225335926), ""),
    ("2024-Q4", "brand", "us", "p2", 3, 3.0, Some(3.0), Some(59.25925925925926), Some(22.52875011221563), Some(-37.67412890890882), Some(156.19264742742735), "low_base"),
    ("2024-Q4", "brand", "us", "p3", 4, 4.0, Some(4.0), Some(66.66666666666667), Some(17.568209223157666), Some(10.756784133977398), Some(122.57654919935595), ""),
    ("2024-Q4", "brand", "them", "idx", 3, 3.0, Some(3.0), Some(51.358024691358025), Some(1.975308641975309), Some(42.85895757086526), Some(59.85709181185079), "low_base"),
    ("2024-Q4", "brand", "them", "p1", 3, 3.0, Some(3.0), Some(33.333333333333336), Some(6.666666666666667), Some(4.648981801670256), Some(62.01768486499641), "low_base"),
    ("2024-Q4", "brand", "them", "p2", 2, 2.0, Some(2.0), Some(55.55555555555555), Some(11.111111111111107), Some(-85.62449706860767), Some(196.73560817971875), "low_base"),
    ("2024-Q4", "brand", "them", "p3", 2, 2.0, Some(2.0), Some(72.22222222222223), Some(5.55555555555555), Some(1.6321959101406662), Some(142.8122485343038), "low_base"),
    ("2024-Q4", "brand", "other", "idx", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "other", "p1", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "other", "p2", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
    ("2024-Q4", "brand", "other", "p3", 1, 1.0, Some(1.0), None, None, None, None, "suppressed"),
];
// Every comparison of tests/fixtures/plain (formulas_reference.py, plain()).
#[rustfmt::skip]
const PLAIN_COMPARISONS: &[ExpComparison] = &[
    ("previous_period", "idx", "total", "total", "2024-Q4", "total", "total", "2024-Q3", -31.29629629629629, Some(-4.518836572914435), Some(10.900714059637757), Some(0.0008937945970858351), true),
    ("previous_period", "p1", "total", "total", "2024-Q4", "total", "total", "2024-Q3", -43.33333333333333, Some(-5.245152801108538), Some(9.484830719624801), Some(0.0004473285504534298), true),
    ("previous_period", "p2", "total", "total", "2024-Q4", "total", "total", "2024-Q3", -24.074074074074083, Some(-1.5091812456908598), Some(7.095555257704325), Some(0.17442466993258576), false),
    ("previous_period", "p3", "total", "total", "2024-Q4", "total", "total", "2024-Q3", -24.603174603174594, Some(-1.5951714431124466), Some(8.476980917769655), Some(0.1472155856955359), false),
    ("previous_period", "idx", "brand", "us", "2024-Q4", "brand", "us", "2024-Q3", -16.203703703703695, Some(-1.681268019758504), Some(3.1787494880349714), Some(0.18615236329414284), false),
    ("previous_period", "p1", "brand", "us", "2024-Q4", "brand", "us", "2024-Q3", -37.5, Some(-4.391550328268399), Some(4.932885906040268), Some(0.007303046660789565), false),
    ("previous_period", "p2", "brand", "us", "2024-Q4", "brand", "us", "2024-Q3", -1.8518518518518476, Some(-0.07980868844676203), Some(2.2341158343152356), Some(0.9429724874019569), false),
    ("previous_period", "idx", "brand", "them", "2024-Q4", "brand", "them", "2024-Q3", -38.333333333333314, Some(-9.32701627391514), Some(3.102085366867206), Some(0.002275183770201671), false),
    ("previous_period", "p1", "brand", "them", "2024-Q4", "brand", "them", "2024-Q3", -63.333333333333336, Some(-8.497058314499201), Some(2.941176470588235), Some(0.003688877654538513), false),
    ("previous_period", "p2", "brand", "them", "2024-Q4", "brand", "them", "2024-Q3", -27.777777777777793, Some(-2.236067977499792), Some(1.4705882352941173), Some(0.19872738893452588), false),
    ("previous_period", "p3", "brand", "them", "2024-Q4", "brand", "them", "2024-Q3", -16.666666666666643, Some(-1.963961012123929), Some(2.8823529411764723), Some(0.14802788180389836), false),
    ("year_ago", "idx", "total", "total", "2024-Q4", "total", "total", "2023-Q4", 8.888888888888893, Some(1.0394857467584908), Some(7.67164079651397), Some(0.33022740238481435), false),
    ("year_ago", "p1", "total", "total", "2024-Q4", "total", "total", "2023-Q4", -10.0, Some(-0.7585133260223084), Some(6.037712435932021), Some(0.4766993217170952), false),
    ("year_ago", "p2", "total", "total", "2024-Q4", "total", "total", "2023-Q4", 12.037037037037038, Some(0.7031651254723282), Some(7.846100242259022), Some(0.5022803348461466), false),
    ("year_ago", "p3", "total", "total", "2024-Q4", "total", "total", "2023-Q4", 22.61904761904762, Some(1.3603599072574841), Some(8.997586267999067), Some(0.2068178521170048), false),
    ("year_ago", "idx", "brand", "us", "2024-Q4", "brand", "us", "2023-Q4", 4.907407407407412, Some(0.5091840288411478), Some(3.1787494880349696), Some(0.6438783727866955), false),
    ("year_ago", "p1", "brand", "us", "2024-Q4", "brand", "us", "2023-Q4", -12.5, Some(-1.5554275420956378), Some(3.6355611601513234), Some(0.20181796781593378), false),
    ("year_ago", "p2", "brand", "us", "2024-Q4", "brand", "us", "2023-Q4", 9.25925925925926, Some(0.39904344223381105), Some(2.2341158343152365), Some(0.7248173847308114), false),
    ("year_ago", "p3", "brand", "us", "2024-Q4", "brand", "us", "2023-Q4", 16.66666666666667, Some(0.904534033733291), Some(3.5242718446601944), Some(0.4232443587946168), false),
    ("year_ago", "idx", "brand", "them", "2024-Q4", "brand", "them", "2023-Q4", 18.20987654320988, Some(8.347199565870824), Some(2.7134557750477), Some(0.005197767518099049), false),
    ("year_ago", "p1", "brand", "them", "2024-Q4", "brand", "them", "2023-Q4", -21.666666666666664, Some(-0.83740361432108), Some(1.1443855535633363), Some(0.5413955351265232), false),
    ("year_ago", "p2", "brand", "them", "2024-Q4", "brand", "them", "2023-Q4", 33.33333333333333, Some(2.121320343559643), Some(2.0000000000000004), Some(0.16794970566215622), false),
    ("year_ago", "p3", "brand", "them", "2024-Q4", "brand", "them", "2023-Q4", 50.0, Some(4.024922359499621), Some(1.4705882352941164), Some(0.0917103389659545), false),
    ("rest", "idx", "brand", "us", "2023-Q4", "brand", "(rest)", "2023-Q4", 21.851851851851848, Some(11.461173175815734), Some(1.5635958808794872), Some(0.017045268740322212), false),
    ("rest", "p1", "brand", "us", "2023-Q4", "brand", "(rest)", "2023-Q4", 10.0, Some(0.3922322702763681), Some(1.0798722044728435), Some(0.7581813641433786), false),
    ("rest", "p2", "brand", "us", "2023-Q4", "brand", "(rest)", "2023-Q4", 27.77777777777778, Some(2.23606797749979), Some(1.470588235294118), Some(0.19872738893452604), false),
    ("rest", "p3", "brand", "us", "2023-Q4", "brand", "(rest)", "2023-Q4", 27.77777777777777, Some(2.236067977499789), Some(1.4705882352941178), Some(0.1987273889345261), false),
    ("rest", "idx", "brand", "them", "2023-Q4", "brand", "(rest)", "2023-Q4", -21.851851851851848, Some(-11.461173175815734), Some(1.5635958808794872), Some(0.017045268740322212), false),
    ("rest", "p1", "brand", "them", "2023-Q4", "brand", "(rest)", "2023-Q4", -10.0, Some(-0.3922322702763681), Some(1.0798722044728435), Some(0.7581813641433786), false),
    ("rest", "p2", "brand", "them", "2023-Q4", "brand", "(rest)", "2023-Q4", -27.77777777777778, Some(-2.23606797749979), Some(1.470588235294118), Some(0.19872738893452604), false),
    ("rest", "p3", "brand", "them", "2023-Q4", "brand", "(rest)", "2023-Q4", -27.77777777777777, Some(-2.236067977499789), Some(1.4705882352941178), Some(0.1987273889345261), false),
    ("rest", "idx", "brand", "us", "2024-Q3", "brand", "(rest)", "2024-Q3", -13.58024691358024, Some(-3.420010486163931), Some(2.6999091701990947), Some(0.04907321881225691), false),
    ("rest", "p1", "brand", "us", "2024-Q3", "brand", "(rest)", "2024-Q3", -6.666666666666671, Some(-1.0000000000000004), Some(3.1999999999999997), Some(0.38680875391800656), false),
    ("rest", "p2", "brand", "us", "2024-Q3", "brand", "(rest)", "2024-Q3", -22.222222222222236, Some(-2.8284271247461947), Some(2.0), Some(0.10557280900008381), false),
    ("rest", "idx", "brand", "them", "2024-Q3", "brand", "(rest)", "2024-Q3", 13.58024691358024, Some(3.420010486163931), Some(2.6999091701990947), Some(0.04907321881225691), false),
    ("rest", "p1", "brand", "them", "2024-Q3", "brand", "(rest)", "2024-Q3", 6.666666666666671, Some(1.0000000000000004), Some(3.1999999999999997), Some(0.38680875391800656), false),
    ("rest", "p2", "brand", "them", "2024-Q3", "brand", "(rest)", "2024-Q3", 22.222222222222236, Some(2.8284271247461947), Some(2.0), Some(0.10557280900008381), false),
    ("rest", "idx", "brand", "us", "2024-Q4", "brand", "(rest)", "2024-Q4", 13.888888888888886, Some(1.2648735868866534), Some(4.820274750449542), Some(0.2636173841325518), false),
    ("rest", "p1", "brand", "us", "2024-Q4", "brand", "(rest)", "2024-Q4", 5.0, Some(0.3086066999241838), Some(4.032853513971211), Some(0.7729060870404436), false),
    ("rest", "p2", "brand", "us", "2024-Q4", "brand", "(rest)", "2024-Q4", 22.22222222222223, Some(0.744208407535251), Some(3.924756154203436), Some(0.4988361980583129), false),
    ("rest", "p3", "brand", "us", "2024-Q4", "brand", "(rest)", "2024-Q4", 18.51851851851852, Some(0.6178020632152155), Some(3.9243082552023787), Some(0.5707512584897484), false),
    ("rest", "idx", "brand", "them", "2024-Q4", "brand", "(rest)", "2024-Q4", -2.5679012345678984, Some(-0.2652181130264967), Some(4.338612551969895), Some(0.8029718044360464), false),
    ("rest", "p1", "brand", "them", "2024-Q4", "brand", "(rest)", "2024-Q4", -26.666666666666664, Some(-2.3904572186687867), Some(5.984732824427479), Some(0.054098120067887265), false),
    ("rest", "p2", "brand", "them", "2024-Q4", "brand", "(rest)", "2024-Q4", 11.111111111111107, Some(0.4548588261473419), Some(3.960753532182104), Some(0.6730251566944373), false),
    ("rest", "p3", "brand", "them", "2024-Q4", "brand", "(rest)", "2024-Q4", 18.888888888888893, Some(0.9518172686249524), Some(4.576819285778537), Some(0.3887026772883146), false),
    ("own_brand", "idx", "brand", "them", "2023-Q4", "brand", "us", "2023-Q4", -21.851851851851848, Some(-11.461173175815734), Some(1.5635958808794872), Some(0.017045268740322212), false),
    ("own_brand", "p1", "brand", "them", "2023-Q4", "brand", "us", "2023-Q4", -10.0, Some(-0.3922322702763681), Some(1.0798722044728435), Some(0.7581813641433786), false),
    ("own_brand", "p2", "brand", "them", "2023-Q4", "brand", "us", "2023-Q4", -27.77777777777778, Some(-2.23606797749979), Some(1.470588235294118), Some(0.19872738893452604), false),
    ("own_brand", "p3", "brand", "them", "2023-Q4", "brand", "us", "2023-Q4", -27.77777777777777, Some(-2.236067977499789), Some(1.4705882352941178), Some(0.1987273889345261), false),
    ("own_brand", "idx", "brand", "them", "2024-Q3", "brand", "us", "2024-Q3", 13.58024691358024, Some(3.420010486163931), Some(2.6999091701990947), Some(0.04907321881225691), false),
    ("own_brand", "p1", "brand", "them", "2024-Q3", "brand", "us", "2024-Q3", 6.666666666666671, Some(1.0000000000000004), Some(3.1999999999999997), Some(0.38680875391800656), false),
    ("own_brand", "p2", "brand", "them", "2024-Q3", "brand", "us", "2024-Q3", 22.222222222222236, Some(2.8284271247461947), Some(2.0), Some(0.10557280900008381), false),
    ("own_brand", "idx", "brand", "them", "2024-Q4", "brand", "us", "2024-Q4", -8.54938271604938, Some(-0.8817498508655752), Some(3.256274530982684), Some(0.4381576736589922), false),
    ("own_brand", "p1", "brand", "them", "2024-Q4", "brand", "us", "2024-Q4", -19.166666666666664, Some(-2.090909090909091), Some(4.6761418077291586), Some(0.09465926978807464), false),
    ("own_brand", "p2", "brand", "them", "2024-Q4", "brand", "us", "2024-Q4", -3.7037037037037095, Some(-0.14744195615489736), Some(2.7642064010450684), Some(0.8928715800700116), false),
    ("own_brand", "p3", "brand", "them", "2024-Q4", "brand", "us", "2024-Q4", 5.555555555555557, Some(0.3015113445777637), Some(3.5242718446601935), Some(0.7799617878022022), false),
];
// The Total cells of tests/fixtures/coverage (formulas_reference.py, coverage()).
#[rustfmt::skip]
const COVERAGE_TOTAL: &[ExpCell] = &[
    ("2025-Q1", "total", "total", "idx", 6, 6.0, Some(6.0), Some(57.8125), Some(6.118406314828505), Some(42.08463586405932), Some(73.54036413594068), ""),
    ("2025-Q1", "total", "total", "c", 4, 4.0, Some(4.0), Some(55.46875), Some(9.232863490226997), Some(26.085657698338256), Some(84.85184230166175), ""),
    ("2025-Q1", "total", "total", "c1", 4, 4.0, Some(4.0), Some(53.125), Some(10.67390704787458), Some(19.155863952549815), Some(87.09413604745018), ""),
    ("2025-Q1", "total", "total", "c2", 4, 4.0, Some(4.0), Some(59.375), Some(13.858473641302156), Some(15.271151763366298), Some(103.4788482366337), ""),
    ("2025-Q1", "total", "total", "t", 4, 4.0, Some(4.0), Some(60.15625000000001), Some(6.67500292602932), Some(38.91341160030006), Some(81.39908839969996), ""),
];
