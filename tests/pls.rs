//! PLS path modelling (METHODOLOGY 8) against the plspm reference results
//! for the ECSI "satisfaction" data (tests/fixtures/plspm-satisfaction, see
//! its README): every figure of every file to 1e-6, bootstrap within the
//! tolerances plspm's own tests allow, and the properties of the weighted
//! and bootstrap versions.

use std::collections::HashMap;
use std::path::PathBuf;

use csi::stats::pls::{self, Fit, Latent, Mode, Model, PlsError, Scheme};
use nalgebra::DMatrix;

const TOL: f64 = 1e-6;
const LVS: [&str; 6] = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plspm-satisfaction")
        .join(name)
}

/// A CSV file as its header and records (all fields as text).
fn table(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(fixture(name)).expect("open fixture");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("not a number in a fixture: {s:?}"))
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, plspm {want} (tolerance {tol})"
    );
}

/// The 250 x 27 questions (the respondent number and gender left out) and
/// their names.
fn data() -> (DMatrix<f64>, Vec<String>) {
    let (header, rows) = table("satisfaction.csv");
    let names: Vec<String> = header[1..28].to_vec();
    assert_eq!(names[0], "imag1");
    assert_eq!(names[26], "loy4");
    assert_eq!(rows.len(), 250);
    let x = DMatrix::from_fn(rows.len(), 27, |i, j| num(&rows[i][j + 1]));
    (x, names)
}

/// The ECSI model of the README.
fn ecsi(scheme: Scheme, mode: Mode) -> Model {
    let blocks: [std::ops::Range<usize>; 6] = [0..5, 5..10, 10..15, 15..19, 19..23, 23..27];
    let (imag, expe, qual, val, sat, loy) = (0, 1, 2, 3, 4, 5);
    Model {
        name: "ecsi".into(),
        latents: LVS
            .iter()
            .zip(blocks)
            .map(|(n, b)| Latent {
                name: (*n).into(),
                block: b.collect(),
                mode,
            })
            .collect(),
        paths: vec![
            (imag, expe),
            (imag, sat),
            (imag, loy),
            (expe, qual),
            (expe, val),
            (expe, sat),
            (qual, val),
            (qual, sat),
            (val, sat),
            (sat, loy),
        ],
        scheme,
        scaled: false,
        max_iter: pls::DEFAULT_MAX_ITER,
        tol: pls::DEFAULT_TOL,
    }
}

fn fit_ecsi(scheme: Scheme) -> Fit {
    let (x, _) = data();
    pls::fit(&ecsi(scheme, Mode::A), &x, None).expect("the ECSI model fits")
}

fn lv(name: &str) -> usize {
    LVS.iter().position(|l| *l == name).expect("a latent")
}

/// Every row and figure of an outer-model file.
fn check_outer(file: &str, f: &Fit) {
    let (_, names) = data();
    let (header, rows) = table(file);
    assert_eq!(
        header,
        [
            "name",
            "block",
            "weight",
            "loading",
            "communality",
            "redundancy"
        ]
    );
    assert_eq!(rows.len(), f.outer.len());
    for (row, o) in rows.iter().zip(&f.outer) {
        assert_eq!(row[0], names[o.column], "{file}: column order");
        assert_eq!(row[1], LVS[o.latent], "{file}: block of {}", row[0]);
        close(
            &format!("{file} {} weight", row[0]),
            o.weight,
            num(&row[2]),
            TOL,
        );
        close(
            &format!("{file} {} loading", row[0]),
            o.loading,
            num(&row[3]),
            TOL,
        );
        let what = format!("{file} {} communality", row[0]);
        close(&what, o.communality, num(&row[4]), TOL);
        let what = format!("{file} {} redundancy", row[0]);
        close(&what, o.redundancy, num(&row[5]), TOL);
        // Not scaled: the index weight is the outer weight.
        assert_eq!(o.unstd_weight, o.weight);
    }
}

#[test]
fn outer_model_centroid_matches_plspm() {
    check_outer("satisfaction.outer-model.csv", &fit_ecsi(Scheme::Centroid));
}

#[test]
fn outer_model_path_scheme_matches_plspm() {
    check_outer("satisfaction.outer-model-path.csv", &fit_ecsi(Scheme::Path));
}

#[test]
fn outer_model_factorial_matches_plspm() {
    check_outer(
        "satisfaction.outer-model-factorial.csv",
        &fit_ecsi(Scheme::Factorial),
    );
}

#[test]
fn inner_model_matches_plspm() {
    let f = fit_ecsi(Scheme::Centroid);
    let (header, rows) = table("satisfaction.inner-model.csv");
    assert_eq!(
        header,
        ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)"]
    );
    let sat = f
        .inner
        .iter()
        .find(|i| i.latent == lv("SAT"))
        .expect("SAT is endogenous");
    assert_eq!(sat.coefs.len(), rows.len());
    for (row, c) in rows.iter().zip(&sat.coefs) {
        assert_eq!(LVS[c.from], row[0]);
        close(
            &format!("{} -> SAT estimate", row[0]),
            c.estimate,
            num(&row[1]),
            TOL,
        );
        close(&format!("{} -> SAT se", row[0]), c.se, num(&row[2]), TOL);
        close(&format!("{} -> SAT t", row[0]), c.t, num(&row[3]), TOL);
        close(&format!("{} -> SAT p", row[0]), c.p, num(&row[4]), TOL);
        assert_eq!(f.paths[(c.from, lv("SAT"))], c.estimate);
    }
    close("SAT intercept", sat.intercept, 0.0, 1e-12);
    // One regression per endogenous latent, in latent order.
    let endo: Vec<usize> = f.inner.iter().map(|i| i.latent).collect();
    assert_eq!(endo, [1, 2, 3, 4, 5]);
}

#[test]
fn inner_summary_and_gof_match_plspm() {
    let f = fit_ecsi(Scheme::Centroid);
    let (header, rows) = table("satisfaction.inner-summary.csv");
    assert_eq!(
        header,
        [
            "",
            "type",
            "r_squared",
            "block_communality",
            "mean_redundancy",
            "ave"
        ]
    );
    assert_eq!(rows.len(), f.summary.len());
    for (row, s) in rows.iter().zip(&f.summary) {
        assert_eq!(s.name, row[0]);
        assert_eq!(s.endogenous, row[1] == "Endogenous", "{} type", row[0]);
        close(&format!("{} R2", row[0]), s.r2, num(&row[2]), TOL);
        let what = format!("{} block communality", row[0]);
        close(&what, s.block_communality, num(&row[3]), TOL);
        let what = format!("{} mean redundancy", row[0]);
        close(&what, s.mean_redundancy, num(&row[4]), TOL);
        close(
            &format!("{} AVE", row[0]),
            s.ave.expect("mode A"),
            num(&row[5]),
            TOL,
        );
    }
    for i in &f.inner {
        assert_eq!(i.r2, f.summary[i.latent].r2);
    }
    close("GoF", f.gof, 0.609741624338411, TOL);
}

#[test]
fn effects_match_plspm() {
    let f = fit_ecsi(Scheme::Centroid);
    let (header, rows) = table("satisfaction.effects.csv");
    assert_eq!(header, ["", "from", "to", "direct", "indirect", "total"]);
    assert_eq!(rows.len(), f.effects.len(), "the same pairs");
    for (row, e) in rows.iter().zip(&f.effects) {
        assert_eq!(row[0], format!("{} -> {}", LVS[e.from], LVS[e.to]));
        assert_eq!((row[1].as_str(), row[2].as_str()), (LVS[e.from], LVS[e.to]));
        close(&format!("{} direct", row[0]), e.direct, num(&row[3]), TOL);
        close(
            &format!("{} indirect", row[0]),
            e.indirect,
            num(&row[4]),
            TOL,
        );
        close(&format!("{} total", row[0]), e.total, num(&row[5]), TOL);
    }
}

#[test]
fn scores_of_all_respondents_match_plspm() {
    let f = fit_ecsi(Scheme::Centroid);
    let (header, rows) = table("satisfaction.scores.csv");
    assert_eq!(header, LVS);
    assert_eq!(rows.len(), 250);
    assert_eq!(f.scores.shape(), (250, 6));
    for (i, row) in rows.iter().enumerate() {
        for (l, v) in row.iter().enumerate() {
            close(
                &format!("score {} of respondent {}", LVS[l], i + 1),
                f.scores[(i, l)],
                num(v),
                TOL,
            );
        }
    }
    // Standardised with the population variance.
    for l in 0..6 {
        let c = f.scores.column(l);
        close("score mean", c.mean(), 0.0, 1e-12);
        close(
            "score variance",
            c.iter().map(|v| v * v).sum::<f64>() / 250.0,
            1.0,
            1e-12,
        );
    }
}

#[test]
fn crossloadings_match_plspm() {
    let f = fit_ecsi(Scheme::Centroid);
    let (_, names) = data();
    let (header, rows) = table("satisfaction.crossloadings.csv");
    assert_eq!(header[2..], LVS);
    assert_eq!(f.crossloadings.shape(), (27, 6));
    assert_eq!(rows.len(), 27);
    for (j, row) in rows.iter().enumerate() {
        assert_eq!(row[0], names[f.outer[j].column]);
        assert_eq!(row[1], LVS[f.outer[j].latent]);
        for l in 0..6 {
            let what = format!("crossloading {} x {}", row[0], LVS[l]);
            close(&what, f.crossloadings[(j, l)], num(&row[l + 2]), TOL);
        }
    }
}

#[test]
fn mode_b_inner_summary_matches_plspm() {
    let (x, _) = data();
    let f = pls::fit(&ecsi(Scheme::Centroid, Mode::B), &x, None).expect("mode B fits");
    let (header, rows) = table("satisfaction.modeb.inner-summary.csv");
    assert_eq!(
        header[2..5],
        ["r_squared", "block_communality", "mean_Redundancy"]
    );
    for (row, s) in rows.iter().zip(&f.summary) {
        assert_eq!(s.name, row[0]);
        assert_eq!(s.endogenous, row[1] == "Endogenous");
        close(&format!("mode B {} R2", row[0]), s.r2, num(&row[2]), TOL);
        let what = format!("mode B {} block communality", row[0]);
        close(&what, s.block_communality, num(&row[3]), TOL);
        let what = format!("mode B {} mean redundancy", row[0]);
        close(&what, s.mean_redundancy, num(&row[4]), TOL);
        assert_eq!(row[5], "NA");
        assert_eq!(s.ave, None, "no AVE for a formative block");
    }
}

/// Reference bootstrap rows by name: (original, mean, se, 2.5 %, 97.5 %).
fn boot_table(file: &str) -> HashMap<String, [f64; 5]> {
    let (header, rows) = table(file);
    assert_eq!(
        header,
        ["", "original", "mean", "std.error", "perc.025", "perc.975"]
    );
    rows.iter()
        .map(|r| {
            (
                r[0].clone(),
                [num(&r[1]), num(&r[2]), num(&r[3]), num(&r[4]), num(&r[5])],
            )
        })
        .collect()
}

fn check_boot(what: &str, got: &pls::BootStat, want: &[f64; 5], tol: f64) {
    close(&format!("{what} original"), got.original, want[0], TOL);
    close(&format!("{what} bootstrap mean"), got.mean, want[1], tol);
    close(&format!("{what} bootstrap se"), got.se, want[2], tol);
    close(&format!("{what} bootstrap 2.5 %"), got.lo, want[3], tol);
    close(&format!("{what} bootstrap 97.5 %"), got.hi, want[4], tol);
    assert!(got.lo <= got.hi);
}

#[test]
fn bootstrap_agrees_with_plspm_within_its_tolerances() {
    let (x, names) = data();
    let model = ecsi(Scheme::Centroid, Mode::A);
    let boot = pls::bootstrap(&model, &x, None, 300, 20240611).expect("bootstrap");
    assert_eq!((boot.b, boot.failed), (300, 0));
    let paths = boot_table("satisfaction_boot_paths.csv");
    assert_eq!(paths.len(), model.paths.len());
    for (&(a, b), s) in model.paths.iter().zip(&boot.paths) {
        let name = format!("{} -> {}", LVS[a], LVS[b]);
        check_boot(&name, s, &paths[&name], 0.1);
    }
    let weights = boot_table("satisfaction_boot_weights.csv");
    assert_eq!(weights.len(), 27);
    for (j, s) in boot.weights.iter().enumerate() {
        check_boot(&names[j], s, &weights[&names[j]], 0.05);
    }
    let f = pls::fit(&model, &x, None).unwrap();
    assert_eq!(boot.loadings.len(), 27);
    assert_eq!(boot.r2.len(), 6);
    assert_eq!(boot.index.len(), 6);
    for (s, o) in boot.loadings.iter().zip(&f.outer) {
        assert_eq!(s.original, o.loading);
        assert!(s.lo <= o.loading && o.loading <= s.hi);
    }
    for l in 0..6 {
        assert_eq!(boot.r2[l].original, f.summary[l].r2);
        assert_eq!(boot.index[l].original, f.index[l]);
        assert!(boot.index[l].se > 0.0 && boot.index[l].se < 0.5);
    }
}

#[test]
fn bootstrap_is_bit_identical_whatever_the_thread_count() {
    let (x, _) = data();
    let model = ecsi(Scheme::Centroid, Mode::A);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| pls::bootstrap(&model, &x, None, 40, 7).expect("bootstrap"))
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one, two);
    let other_seed = pls::bootstrap(&model, &x, None, 40, 8).unwrap();
    assert_ne!(one.paths, other_seed.paths);
}

#[test]
fn non_convergence_is_an_error_naming_the_model() {
    let (x, _) = data();
    let mut model = ecsi(Scheme::Centroid, Mode::A);
    model.name = "bank-ecsi-2024".into();
    model.max_iter = 1;
    let err = pls::fit(&model, &x, None).unwrap_err();
    assert!(
        matches!(err, PlsError::NotConverged { max_iter: 1, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("bank-ecsi-2024"), "{msg}");
    assert!(msg.contains("max_iter"), "{msg}");
    // The default allowance is plenty.
    assert!(fit_ecsi(Scheme::Centroid).iterations < 100);
}

#[test]
fn unit_weights_equal_the_unweighted_fit() {
    let (x, _) = data();
    let model = ecsi(Scheme::Path, Mode::A);
    let plain = pls::fit(&model, &x, None).unwrap();
    let ones = pls::fit(&model, &x, Some(&[1.0; 250])).unwrap();
    assert_eq!(plain, ones);
}

/// Point estimates of two fits agree to `tol`.
fn same_estimates(a: &Fit, b: &Fit, tol: f64) {
    assert_eq!(a.iterations, b.iterations);
    for (p, q) in a.outer.iter().zip(&b.outer) {
        close("weight", p.weight, q.weight, tol);
        close("loading", p.loading, q.loading, tol);
        close("redundancy", p.redundancy, q.redundancy, tol);
    }
    for (p, q) in a.paths.iter().zip(b.paths.iter()) {
        close("path", *p, *q, tol);
    }
    for (p, q) in a.summary.iter().zip(&b.summary) {
        close("R2", p.r2, q.r2, tol);
        close(
            "block communality",
            p.block_communality,
            q.block_communality,
            tol,
        );
    }
    for (p, q) in a.effects.iter().zip(&b.effects) {
        close("total effect", p.total, q.total, tol);
    }
    for (p, q) in a.crossloadings.iter().zip(b.crossloadings.iter()) {
        close("crossloading", *p, *q, tol);
    }
    for (p, q) in a.index.iter().zip(&b.index) {
        close("index", *p, *q, tol);
    }
    close("GoF", a.gof, b.gof, tol);
}

#[test]
fn integer_weights_equal_duplicated_rows() {
    let (x, _) = data();
    for scheme in [Scheme::Centroid, Scheme::Factorial, Scheme::Path] {
        for mode in [Mode::A, Mode::B] {
            let model = ecsi(scheme, mode);
            // Respondents 0, 3, 6, ... weigh 2, 5, 10, ... weigh 0, the others 1.
            let w: Vec<f64> = (0..250)
                .map(|i| match i % 5 {
                    0 => 0.0,
                    _ if i % 3 == 0 => 2.0,
                    _ => 1.0,
                })
                .collect();
            let rows: Vec<usize> = (0..250)
                .flat_map(|i| std::iter::repeat_n(i, w[i] as usize))
                .collect();
            let dup = DMatrix::from_fn(rows.len(), 27, |i, j| x[(rows[i], j)]);
            let weighted = pls::fit(&model, &x, Some(&w)).unwrap();
            let duplicated = pls::fit(&model, &dup, None).unwrap();
            same_estimates(&weighted, &duplicated, 1e-10);
            // Row by row, the scores of a respondent are the same.
            for (k, &i) in rows.iter().enumerate() {
                for l in 0..6 {
                    close(
                        "score",
                        weighted.scores[(i, l)],
                        duplicated.scores[(k, l)],
                        1e-10,
                    );
                }
            }
        }
    }
}

#[test]
fn index_is_the_unstandardised_weighted_mean_of_the_questions() {
    let (x, _) = data();
    let mut model = ecsi(Scheme::Centroid, Mode::A);
    model.scaled = true;
    let f = pls::fit(&model, &x, None).unwrap();
    for l in 0..6 {
        let block: Vec<_> = f.outer.iter().filter(|o| o.latent == l).collect();
        // The scores are the unstandardised weights applied to the centred
        // questions ...
        for i in 0..250 {
            let s: f64 = block
                .iter()
                .map(|o| o.unstd_weight * (x[(i, o.column)] - x.column(o.column).mean()))
                .sum();
            close(
                "score from unstandardised weights",
                s,
                f.scores[(i, l)],
                1e-10,
            );
        }
        // ... and the index their weighted mean of the question means.
        let num: f64 = block
            .iter()
            .map(|o| o.unstd_weight * x.column(o.column).mean())
            .sum();
        let den: f64 = block.iter().map(|o| o.unstd_weight).sum();
        close("index", f.index[l], num / den, 1e-12);
        let means: Vec<f64> = block.iter().map(|o| x.column(o.column).mean()).collect();
        let (lo, hi) = means
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), m| (a.min(*m), b.max(*m)));
        assert!(lo <= f.index[l] && f.index[l] <= hi);
    }
    // Scaled, the weights are for the columns divided by their n - 1 sd.
    for o in &f.outer {
        let c = x.column(o.column);
        let m = c.mean();
        let sd = (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 249.0).sqrt();
        close("weight / sd", o.unstd_weight, o.weight / sd, 1e-12);
    }
}

fn model_error(edit: impl FnOnce(&mut Model)) -> String {
    let mut m = ecsi(Scheme::Centroid, Mode::A);
    m.name = "my-model".into();
    edit(&mut m);
    let err = m.validate(27).unwrap_err();
    assert!(matches!(err, PlsError::Model { .. }), "{err:?}");
    let (x, _) = data();
    assert_eq!(pls::fit(&m, &x, None).unwrap_err(), err);
    let msg = err.to_string();
    assert!(msg.contains("'my-model'"), "{msg}");
    msg
}

#[test]
fn invalid_models_are_rejected_with_the_model_named() {
    assert!(ecsi(Scheme::Centroid, Mode::A).validate(27).is_ok());
    assert!(model_error(|m| m.paths.push((5, 0))).contains("cycle"));
    assert!(model_error(|m| m.latents[2].block.clear()).contains("no questions"));
    assert!(model_error(|m| m.latents[1].block.push(0)).contains("two latents"));
    assert!(model_error(|m| m.latents[1].block.push(5)).contains("'EXPE' lists column 5 twice"));
    assert!(model_error(|m| m.latents[1].block.push(27)).contains("27 columns"));
    assert!(model_error(|m| m.paths.clear()).contains("exogenous"));
    assert!(model_error(|m| m.paths.push((0, 0))).contains("itself"));
    assert!(model_error(|m| m.paths.push((0, 1))).contains("twice"));
    assert!(model_error(|m| m.paths.push((0, 9))).contains("does not exist"));
    assert!(model_error(|m| m.paths.retain(|p| p.0 != 5 && p.1 != 5)).contains("no path"));
    assert!(model_error(|m| m.latents[3].name = "IMAG".into()).contains("twice"));
    assert!(model_error(|m| m.max_iter = 0).contains("max_iter"));
    assert!(model_error(|m| m.tol = f64::NAN).contains("tolerance"));
    assert!(model_error(|m| m.latents.truncate(1)).contains("at least two"));
}

#[test]
fn bad_data_are_errors_not_panics() {
    let (x, _) = data();
    let model = ecsi(Scheme::Centroid, Mode::A);
    let data_err = |x: &DMatrix<f64>, w: Option<&[f64]>| {
        let e = pls::fit(&model, x, w).unwrap_err();
        assert!(e.to_string().contains("'ecsi'"), "{e}");
        e
    };
    let mut nan = x.clone();
    nan[(10, 3)] = f64::NAN;
    assert!(matches!(data_err(&nan, None), PlsError::Data { .. }));
    let mut constant = x.clone();
    constant.column_mut(7).fill(5.0);
    assert!(matches!(
        data_err(&constant, None),
        PlsError::Degenerate { .. }
    ));
    assert!(matches!(
        data_err(&x, Some(&[1.0; 10])),
        PlsError::Data { .. }
    ));
    let mut neg = vec![1.0; 250];
    neg[4] = -1.0;
    assert!(matches!(data_err(&x, Some(&neg)), PlsError::Data { .. }));
    assert!(matches!(
        data_err(&x, Some(&[0.0; 250])),
        PlsError::Data { .. }
    ));
    assert!(matches!(
        data_err(&x.rows(0, 3).into_owned(), None),
        PlsError::Data { .. }
    ));
    // Fewer columns than the model uses.
    assert!(matches!(
        data_err(&x.columns(0, 20).into_owned(), None),
        PlsError::Model { .. }
    ));
    // A bootstrap on too few respondents fails cleanly, every replicate counted.
    let small = x.rows(0, 6).into_owned();
    match pls::bootstrap(&model, &small, None, 20, 1) {
        Ok(b) => assert_eq!(b.b, 20),
        Err(e) => assert!(e.to_string().contains("'ecsi'"), "{e}"),
    }
}

/// IMAG -> LOY alone, both blocks in `mode`, converged far past plspm's
/// tolerance so that the fixed point can be compared with its closed form.
fn two_blocks(mode: Mode) -> (Fit, DMatrix<f64>, DMatrix<f64>) {
    let (x, _) = data();
    let model = Model {
        name: "two-blocks".into(),
        latents: vec![
            Latent {
                name: "IMAG".into(),
                block: (0..5).collect(),
                mode,
            },
            Latent {
                name: "LOY".into(),
                block: (23..27).collect(),
                mode,
            },
        ],
        paths: vec![(0, 1)],
        scheme: Scheme::Centroid,
        scaled: false,
        max_iter: 1000,
        tol: 1e-24,
    };
    let f = pls::fit(&model, &x, None).expect("two blocks fit");
    let centre = |m: DMatrix<f64>| {
        let mut m = m;
        for mut c in m.column_iter_mut() {
            let mean = c.mean();
            c.add_scalar_mut(-mean);
        }
        m
    };
    let x1 = centre(x.columns(0, 5).into_owned());
    let x2 = centre(x.columns(23, 4).into_owned());
    (f, x1, x2)
}

/// Two mode B blocks: the fixed point of PLS is the first pair of canonical
/// variates, so the path coefficient is the first canonical correlation.
#[test]
fn two_mode_b_blocks_give_the_first_canonical_correlation() {
    let (f, x1, x2) = two_blocks(Mode::B);
    let s11 = x1.transpose() * &x1;
    let s12 = x1.transpose() * &x2;
    let s22 = x2.transpose() * &x2;
    // rho² = largest eigenvalue of L⁻¹ S12 S22⁻¹ S21 L⁻ᵀ, S11 = L Lᵀ.
    let l = s11.clone().cholesky().unwrap().l();
    let li = l.try_inverse().unwrap();
    let s22i = s22.try_inverse().unwrap();
    let m = &li * &s12 * s22i * s12.transpose() * li.transpose();
    let m = (&m + m.transpose()) * 0.5;
    let rho2 = m.symmetric_eigen().eigenvalues.max();
    close(
        "path = canonical correlation",
        f.paths[(0, 1)],
        rho2.sqrt(),
        1e-9,
    );
    close("R2 = rho²", f.summary[1].r2, rho2, 1e-9);
    assert_eq!(f.summary[0].ave, None);
}

/// Two mode A blocks: the fixed point is the first pair of singular vectors
/// of the cross-covariance matrix (Tucker's inter-battery factors).
#[test]
fn two_mode_a_blocks_give_the_first_singular_vectors() {
    let (f, x1, x2) = two_blocks(Mode::A);
    let svd = (x1.transpose() * &x2).svd(true, true);
    let k = svd.singular_values.imax();
    let u = svd.u.unwrap().column(k).into_owned();
    let v = svd.v_t.unwrap().row(k).transpose();
    let unit = |w: Vec<f64>| {
        let w = nalgebra::DVector::from_vec(w);
        let s = w.sum().signum();
        w.normalize() * s
    };
    let w1 = unit(f.outer[..5].iter().map(|o| o.weight).collect());
    let w2 = unit(f.outer[5..].iter().map(|o| o.weight).collect());
    let (u, v) = (u.clone() * u.sum().signum(), v.clone() * v.sum().signum());
    for (a, b) in w1.iter().zip(u.iter()).chain(w2.iter().zip(v.iter())) {
        close("weight direction", *a, *b, 1e-9);
    }
    let (t1, t2) = (&x1 * &u, &x2 * &v);
    let r = t1.dot(&t2) / (t1.norm() * t2.norm());
    close(
        "path = correlation of the variates",
        f.paths[(0, 1)],
        r,
        1e-9,
    );
}

#[test]
fn survey_weights_are_scale_free_and_constant_weights_change_nothing() {
    let (x, _) = data();
    let model = ecsi(Scheme::Factorial, Mode::A);
    let w: Vec<f64> = (0..250).map(|i| 0.5 + (i % 7) as f64 / 3.0).collect();
    let w3: Vec<f64> = w.iter().map(|v| v * 3.7).collect();
    let a = pls::fit(&model, &x, Some(&w)).unwrap();
    let b = pls::fit(&model, &x, Some(&w3)).unwrap();
    same_estimates(&a, &b, 1e-10);
    for (p, q) in a.inner.iter().zip(&b.inner) {
        for (c, d) in p.coefs.iter().zip(&q.coefs) {
            close("se under rescaled weights", c.se, d.se, 1e-10);
            close("p under rescaled weights", c.p, d.p, 1e-10);
        }
    }
    // Weights do matter when they vary ...
    let plain = pls::fit(&model, &x, None).unwrap();
    assert!((a.paths[(0, 1)] - plain.paths[(0, 1)]).abs() > 1e-4);
    // ... and not at all when they are constant, standard errors included.
    let twos = pls::fit(&model, &x, Some(&[2.0; 250])).unwrap();
    same_estimates(&twos, &plain, 1e-10);
    for (p, q) in twos.inner.iter().zip(&plain.inner) {
        for (c, d) in p.coefs.iter().zip(&q.coefs) {
            close("se under constant weights", c.se, d.se, 1e-10);
        }
    }
    // A weighted bootstrap runs and is centred near the weighted estimates.
    let boot = pls::bootstrap(&model, &x, Some(&w), 50, 3).unwrap();
    for (s, &(p, q)) in boot.paths.iter().zip(&model.paths) {
        assert_eq!(s.original, a.paths[(p, q)]);
        close(
            "weighted bootstrap mean",
            s.mean,
            s.original,
            4.0 * s.se.max(0.01),
        );
    }
}

#[test]
fn too_few_replicates_is_an_error_naming_the_model() {
    let (x, _) = data();
    let model = ecsi(Scheme::Centroid, Mode::A);
    let err = pls::bootstrap(&model, &x, None, 1, 1).unwrap_err();
    assert!(
        matches!(
            err,
            PlsError::Bootstrap {
                b: 1,
                failed: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("'ecsi'"));
    // A question answered by a single respondent is constant in the
    // resamples without them (about 37 %): those replicates are skipped and
    // counted, the others summarised.
    let mut spiked = x.clone();
    spiked.column_mut(7).fill(0.0);
    spiked[(0, 7)] = 10.0;
    pls::fit(&model, &spiked, None).expect("the full sample fits");
    let boot = pls::bootstrap(&model, &spiked, None, 40, 5).unwrap();
    assert!(
        boot.failed > 0 && boot.failed < 40,
        "{} failed",
        boot.failed
    );
    assert!(boot.paths.iter().all(|s| s.se.is_finite() && s.se > 0.0));
    let msg = PlsError::Bootstrap {
        model: "m".into(),
        b: 10,
        failed: 9,
        first_error: Some("column 7 is constant".into()),
    }
    .to_string();
    assert!(
        msg.contains("'m': 1 of 10") && msg.contains("column 7 is constant"),
        "{msg}"
    );
    let mut strict = model.clone();
    strict.max_iter = 2;
    strict.tol = 1e-300;
    // The full sample must fit for a bootstrap to start at all.
    assert!(matches!(
        pls::bootstrap(&strict, &x, None, 5, 1),
        Err(PlsError::NotConverged { .. })
    ));
}

#[test]
fn single_item_blocks_have_unit_loadings_and_no_part_in_the_gof() {
    let (x, _) = data();
    let mut model = ecsi(Scheme::Centroid, Mode::A);
    model.latents[0].block = vec![0];
    let f = pls::fit(&model, &x, None).unwrap();
    close("single-item loading", f.outer[0].loading, 1.0, 1e-12);
    // The GoF averages the communalities of the multi-item blocks only.
    let comm: Vec<f64> = f.outer[1..].iter().map(|o| o.communality).collect();
    let r2: Vec<f64> = f.summary[1..].iter().map(|s| s.r2).collect();
    let want = (comm.iter().sum::<f64>() / comm.len() as f64 * r2.iter().sum::<f64>() / 5.0).sqrt();
    close("GoF", f.gof, want, 1e-12);
    // Every block single-item: no GoF (plspm raises an error).
    for (l, lat) in model.latents.iter_mut().enumerate() {
        lat.block = vec![[0, 5, 10, 15, 19, 23][l]];
    }
    assert!(pls::fit(&model, &x, None).unwrap().gof.is_nan());
}
