//! The PLS path model (METHODOLOGY 8) against the plspm packages' expected
//! results on their ECSI "satisfaction" data (tests/fixtures/plspm-satisfaction,
//! a copy of ../shared/reference/plspm-satisfaction): outer weights,
//! loadings, communalities and redundancies under the centroid, factorial
//! and path schemes, the inner model of SAT, the inner summary, effects,
//! cross-loadings, scores and GoF to 1e-6; the bootstrap within the
//! package's own tolerances (0.05 for weights, 0.1 for paths).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csi::stats::pls::{bootstrap, fit, Fit, Latent, Mode, Model, Scheme};
use nalgebra::DMatrix;

const TOL: f64 = 1e-6;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plspm-satisfaction")
}

/// A CSV of the fixture: header and rows of strings.
fn read(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(dir().join(name)).expect(name);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

const LVS: [&str; 6] = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"];

/// The data (27 questions, in file order) and the ECSI model.
fn data_and_model(scheme: Scheme) -> (DMatrix<f64>, Vec<String>, Model) {
    let (header, rows) = read("satisfaction.csv");
    let names: Vec<String> = header[1..28].to_vec();
    let x = DMatrix::from_fn(rows.len(), 27, |i, j| num(&rows[i][j + 1]));
    let block = |prefix: &str| -> Vec<usize> {
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.starts_with(prefix))
            .map(|(i, _)| i)
            .collect()
    };
    let latents = ["imag", "expe", "qual", "val", "sat", "loy"]
        .iter()
        .zip(LVS)
        .map(|(p, name)| Latent {
            name: name.into(),
            block: block(p),
            mode: Mode::A,
        })
        .collect();
    let (i, e, q, v, s, l) = (0, 1, 2, 3, 4, 5);
    let model = Model {
        name: "ecsi".into(),
        latents,
        paths: vec![
            (i, e),
            (i, s),
            (i, l),
            (e, q),
            (e, v),
            (e, s),
            (q, v),
            (q, s),
            (v, s),
            (s, l),
        ],
        scheme,
        scaled: false,
        max_iter: 100,
        tol: 1e-6,
    };
    (x, names, model)
}

#[track_caller]
fn close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual:.12}, expected {expected:.12} (diff {:.3e})",
        actual - expected
    );
}

fn check_outer(f: &Fit, names: &[String], file: &str) {
    let (_, rows) = read(file);
    assert_eq!(rows.len(), f.outer.len(), "{file}: rows");
    for row in &rows {
        let o = f
            .outer
            .iter()
            .find(|o| names[o.column] == row[0])
            .unwrap_or_else(|| panic!("{file}: no {}", row[0]));
        assert_eq!(LVS[o.latent], row[1], "{file}: block of {}", row[0]);
        close(
            o.weight,
            num(&row[2]),
            TOL,
            &format!("{file} weight {}", row[0]),
        );
        close(
            o.loading,
            num(&row[3]),
            TOL,
            &format!("{file} loading {}", row[0]),
        );
        close(
            o.communality,
            num(&row[4]),
            TOL,
            &format!("{file} communality {}", row[0]),
        );
        close(
            o.redundancy,
            num(&row[5]),
            TOL,
            &format!("{file} redundancy {}", row[0]),
        );
    }
}

#[test]
fn outer_model_matches_plspm_under_every_scheme() {
    for (scheme, file) in [
        (Scheme::Centroid, "satisfaction.outer-model.csv"),
        (Scheme::Factorial, "satisfaction.outer-model-factorial.csv"),
        (Scheme::Path, "satisfaction.outer-model-path.csv"),
    ] {
        let (x, names, model) = data_and_model(scheme);
        let f = fit(&model, &x, None).unwrap();
        check_outer(&f, &names, file);
    }
}

#[test]
fn inner_model_summary_effects_and_gof_match_plspm() {
    let (x, _, model) = data_and_model(Scheme::Centroid);
    let f = fit(&model, &x, None).unwrap();
    // Regression of SAT on its predictors.
    let (_, rows) = read("satisfaction.inner-model.csv");
    let sat = f.inner.iter().find(|i| LVS[i.latent] == "SAT").unwrap();
    assert_eq!(rows.len(), sat.coefs.len());
    for row in &rows {
        let c = sat.coefs.iter().find(|c| LVS[c.from] == row[0]).unwrap();
        close(
            c.estimate,
            num(&row[1]),
            TOL,
            &format!("SAT <- {} estimate", row[0]),
        );
        close(c.se, num(&row[2]), TOL, &format!("SAT <- {} se", row[0]));
        close(c.t, num(&row[3]), TOL, &format!("SAT <- {} t", row[0]));
        let p = num(&row[4]);
        close(
            c.p,
            p,
            TOL * p.clamp(1e-12, 1.0),
            &format!("SAT <- {} p", row[0]),
        );
    }
    // Inner summary.
    let (_, rows) = read("satisfaction.inner-summary.csv");
    for (row, s) in rows.iter().zip(&f.summary) {
        assert_eq!(s.name, row[0]);
        assert_eq!(s.endogenous, row[1] == "Endogenous", "{}", row[0]);
        close(s.r2, num(&row[2]), TOL, &format!("{} R2", row[0]));
        close(
            s.block_communality,
            num(&row[3]),
            TOL,
            &format!("{} communality", row[0]),
        );
        close(
            s.mean_redundancy,
            num(&row[4]),
            TOL,
            &format!("{} redundancy", row[0]),
        );
        close(s.ave, num(&row[5]), TOL, &format!("{} AVE", row[0]));
    }
    // Effects, in plspm's order.
    let (_, rows) = read("satisfaction.effects.csv");
    assert_eq!(rows.len(), f.effects.len());
    for (row, e) in rows.iter().zip(&f.effects) {
        assert_eq!((LVS[e.from], LVS[e.to]), (row[1].as_str(), row[2].as_str()));
        close(e.direct, num(&row[3]), TOL, &format!("{} direct", row[0]));
        close(
            e.indirect,
            num(&row[4]),
            TOL,
            &format!("{} indirect", row[0]),
        );
        close(e.total, num(&row[5]), TOL, &format!("{} total", row[0]));
    }
    close(f.gof, 0.609741624338411, TOL, "GoF");
}

#[test]
fn scores_and_crossloadings_match_plspm() {
    let (x, names, model) = data_and_model(Scheme::Centroid);
    let f = fit(&model, &x, None).unwrap();
    let (_, rows) = read("satisfaction.scores.csv");
    assert_eq!(rows.len(), 250);
    for (i, row) in rows.iter().enumerate() {
        for l in 0..6 {
            close(
                f.scores[(i, l)],
                num(&row[l]),
                TOL,
                &format!("score {} of respondent {}", LVS[l], i + 1),
            );
        }
    }
    let (_, rows) = read("satisfaction.crossloadings.csv");
    for row in &rows {
        let r = f
            .outer
            .iter()
            .position(|o| names[o.column] == row[0])
            .unwrap();
        for l in 0..6 {
            close(
                f.crossloadings[(r, l)],
                num(&row[2 + l]),
                TOL,
                &format!("crossloading {} {}", row[0], LVS[l]),
            );
        }
    }
}

#[test]
fn bootstrap_agrees_with_plspm_within_its_tolerances_and_is_deterministic() {
    let (x, names, model) = data_and_model(Scheme::Centroid);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| bootstrap(&model, &x, None, 300, 20261123).unwrap())
    };
    let b = run(2);
    assert_eq!(b, run(1), "bootstrap differs between 1 and 2 threads");
    assert_eq!(b.failed, 0);
    let (_, rows) = read("satisfaction_boot_paths.csv");
    let key: BTreeMap<String, usize> = model
        .paths
        .iter()
        .enumerate()
        .map(|(k, &(a, c))| (format!("{} -> {}", LVS[a], LVS[c]), k))
        .collect();
    for row in &rows {
        let s = &b.paths[key[&row[0]]];
        close(
            s.original,
            num(&row[1]),
            TOL,
            &format!("{} original", row[0]),
        );
        close(s.mean, num(&row[2]), 0.1, &format!("{} boot mean", row[0]));
        close(s.se, num(&row[3]), 0.1, &format!("{} boot se", row[0]));
        close(s.lo, num(&row[4]), 0.1, &format!("{} 2.5 %", row[0]));
        close(s.hi, num(&row[5]), 0.1, &format!("{} 97.5 %", row[0]));
    }
    let (_, rows) = read("satisfaction_boot_weights.csv");
    let f = fit(&model, &x, None).unwrap();
    for row in &rows {
        let i = f
            .outer
            .iter()
            .position(|o| names[o.column] == row[0])
            .unwrap();
        let s = &b.weights[i];
        close(
            s.original,
            num(&row[1]),
            TOL,
            &format!("{} original", row[0]),
        );
        close(s.mean, num(&row[2]), 0.05, &format!("{} boot mean", row[0]));
        close(s.se, num(&row[3]), 0.05, &format!("{} boot se", row[0]));
        close(s.lo, num(&row[4]), 0.05, &format!("{} 2.5 %", row[0]));
        close(s.hi, num(&row[5]), 0.05, &format!("{} 97.5 %", row[0]));
    }
}

#[test]
fn unit_weights_equal_no_weights_and_integer_weights_equal_duplicated_rows() {
    let (x, _, model) = data_and_model(Scheme::Path);
    let plain = fit(&model, &x, None).unwrap();
    let ones = fit(&model, &x, Some(&vec![1.0; x.nrows()])).unwrap();
    for (a, b) in plain.outer.iter().zip(&ones.outer) {
        close(a.weight, b.weight, 1e-12, "unit weights");
    }
    // Weight 2 on the first 50 respondents == those rows listed twice.
    let n = x.nrows();
    let mut w = vec![1.0; n];
    w[..50].fill(2.0);
    let weighted = fit(&model, &x, Some(&w)).unwrap();
    let dup = DMatrix::from_fn(
        n + 50,
        27,
        |i, j| if i < n { x[(i, j)] } else { x[(i - n, j)] },
    );
    let duplicated = fit(&model, &dup, None).unwrap();
    // The point estimates agree; the convergence test's (n - 1) / n factor
    // differs with n, so to the tolerance of the iteration.
    for (a, b) in weighted.outer.iter().zip(&duplicated.outer) {
        close(a.weight, b.weight, 1e-5, "weight 2 vs duplicated row");
        close(a.loading, b.loading, 1e-5, "loading");
    }
    close(
        weighted.paths[(4, 5)],
        duplicated.paths[(4, 5)],
        1e-5,
        "SAT -> LOY",
    );
}

#[test]
fn non_convergence_and_bad_models_are_errors_naming_the_model() {
    let (x, _, mut model) = data_and_model(Scheme::Centroid);
    model.max_iter = 1;
    let e = fit(&model, &x, None).unwrap_err().to_string();
    assert!(
        e.contains("`ecsi`") && e.contains("did not converge"),
        "{e}"
    );
    let (_, _, mut model) = data_and_model(Scheme::Centroid);
    model.paths.push((5, 0));
    let e = model.validate(27).unwrap_err().to_string();
    assert!(e.contains("`ecsi`") && e.contains("cycle"), "{e}");
}

#[test]
fn index_is_the_weighted_mean_of_the_block_means() {
    let (x, names, model) = data_and_model(Scheme::Path);
    let f = fit(&model, &x, None).unwrap();
    // SAT: sum w_j mean_j / sum w_j over sat1..sat4, recomputed here.
    let mean = |c: usize| x.column(c).sum() / x.nrows() as f64;
    let rows: Vec<_> = f.outer.iter().filter(|o| o.latent == 4).collect();
    let expected = rows.iter().map(|o| o.weight * mean(o.column)).sum::<f64>()
        / rows.iter().map(|o| o.weight).sum::<f64>();
    close(f.index[4], expected, 1e-12, "SAT index");
    assert!(names[rows[0].column].starts_with("sat"));
}
