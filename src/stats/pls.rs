//! PLS path modelling (METHODOLOGY 8): PLS-PM as the R package plspm
//! (Sanchez; Lohmöller's algorithm) computes it, with survey weights.
//!
//! Outer estimation: the manifest variables are centred (and, with
//! `scaled`, divided by their population sd); every block starts from unit
//! weights normalised so that its latent score has population variance 1.
//! Each iteration standardises the latent scores Y, forms the inner weights
//! E (centroid: the sign of the correlation of adjacent latents; factorial:
//! the correlation; path weighting: for a latent, the regression
//! coefficients of it on its predecessors and its correlations with its
//! successors), the inner estimates Z = Y E, and the new outer weights
//! (mode A: `w = X' z / n`; mode B: the least-squares regression of z on the
//! block). It stops when `sum (|w_old| - |w_new|)^2 < tol`; reaching
//! `max_iter` is an error. The final weights give latent scores of
//! population variance 1; path coefficients are the OLS regressions of each
//! endogenous latent on its predecessors (with an intercept), with their
//! usual se, t and p.
//!
//! Two details follow plspm to the digit, since they move the results at the
//! tolerance's scale: the standardised scores inside the loop are multiplied
//! by `(n - 1) / n` (plspm's `scale(Y) * sdv`), which changes the size of
//! the unnormalised weights the convergence test compares; and the reported
//! outer weights keep their sign while a latent whose loadings are mostly
//! negative has its scores (and so its loadings) turned round.
//!
//! With survey weights w, every mean, variance, covariance and regression
//! is weighted (divisor Σw), `X' z / n` becomes `Σ w x z / Σw`, and the inner
//! regressions are weighted least squares whose residual variance has
//! `n - k - 1` degrees of freedom, n the number of respondents. With all
//! weights 1 this is plspm exactly.

// Checks such as `!(x > 0.0)` are meant to fail for NaN too, which the
// comparison written the other way round would not.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// Matrix code indexes several arrays by the same row or column.
#![allow(clippy::needless_range_loop)]

use std::fmt;

use nalgebra::{DMatrix, DVector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Inner weighting scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    Centroid,
    Factorial,
    Path,
}

/// Outer (measurement) mode of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Mode {
    /// Reflective: weights are covariances with the inner estimate.
    A,
    /// Formative: weights regress the inner estimate on the block.
    B,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Latent {
    pub name: String,
    /// Column indices of its manifest variables in the data.
    pub block: Vec<usize>,
    pub mode: Mode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    pub latents: Vec<Latent>,
    /// (from, to) latent indices.
    pub paths: Vec<(usize, usize)>,
    pub scheme: Scheme,
    pub scaled: bool,
    pub max_iter: usize,
    pub tol: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlsError {
    /// The model is not a valid path model.
    Model {
        model: String,
        problem: String,
    },
    TooFew {
        model: String,
        n: usize,
    },
    /// A manifest variable does not vary.
    NoVariance {
        model: String,
        column: usize,
    },
    NotConverged {
        model: String,
        iterations: usize,
    },
    /// A regression has collinear predictors.
    Singular {
        model: String,
        latent: String,
    },
    BadWeights {
        model: String,
    },
}

impl fmt::Display for PlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlsError::Model { model, problem } => write!(f, "PLS model `{model}`: {problem}"),
            PlsError::TooFew { model, n } => write!(
                f,
                "PLS model `{model}`: {n} respondents answered every question of the model; at least 10 are needed"
            ),
            PlsError::NoVariance { model, column } => write!(
                f,
                "PLS model `{model}`: manifest variable {} does not vary",
                column + 1
            ),
            PlsError::NotConverged { model, iterations } => write!(
                f,
                "PLS model `{model}`: the outer weights did not converge in {iterations} iterations; check that every block measures one thing (its questions correlate positively)"
            ),
            PlsError::Singular { model, latent } => write!(
                f,
                "PLS model `{model}`: the predictors of `{latent}` are collinear"
            ),
            PlsError::BadWeights { model } => write!(
                f,
                "PLS model `{model}`: survey weights must be finite, >= 0 and not all 0"
            ),
        }
    }
}

impl std::error::Error for PlsError {}

impl Model {
    fn err(&self, problem: impl Into<String>) -> PlsError {
        PlsError::Model {
            model: self.name.clone(),
            problem: problem.into(),
        }
    }

    /// Checks the model against data with `ncols` columns: blocks not empty
    /// and inside the data, paths between distinct declared latents, no
    /// cycle, every latent on a path.
    pub fn validate(&self, ncols: usize) -> Result<(), PlsError> {
        let l = self.latents.len();
        if l < 2 {
            return Err(self.err("a model needs at least two latent variables"));
        }
        for lat in &self.latents {
            if lat.block.is_empty() {
                return Err(self.err(format!("latent `{}` has no manifest variable", lat.name)));
            }
            if lat.block.iter().any(|&c| c >= ncols) {
                return Err(self.err(format!(
                    "latent `{}` refers to a column outside the data",
                    lat.name
                )));
            }
        }
        for (i, &(a, b)) in self.paths.iter().enumerate() {
            if a >= l || b >= l || a == b {
                return Err(self.err("a path must join two distinct declared latents"));
            }
            if self.paths[..i].contains(&(a, b)) {
                return Err(self.err("a path is declared twice"));
            }
        }
        for i in 0..l {
            if !self.paths.iter().any(|&(a, b)| a == i || b == i) {
                return Err(self.err(format!("latent `{}` is on no path", self.latents[i].name)));
            }
        }
        // Kahn's algorithm: a recursive model has a topological order.
        let mut indeg = vec![0; l];
        for &(_, b) in &self.paths {
            indeg[b] += 1;
        }
        let mut ready: Vec<usize> = (0..l).filter(|&i| indeg[i] == 0).collect();
        let mut seen = 0;
        while let Some(i) = ready.pop() {
            seen += 1;
            for &(a, b) in &self.paths {
                if a == i {
                    indeg[b] -= 1;
                    if indeg[b] == 0 {
                        ready.push(b);
                    }
                }
            }
        }
        if seen < l {
            return Err(self.err("the paths form a cycle; PLS-PM needs a recursive model"));
        }
        Ok(())
    }

    fn preds(&self, k: usize) -> Vec<usize> {
        // In latent order, as plspm's path matrix lists them.
        let mut p: Vec<usize> = self
            .paths
            .iter()
            .filter(|p| p.1 == k)
            .map(|p| p.0)
            .collect();
        p.sort_unstable();
        p
    }

    fn succs(&self, k: usize) -> Vec<usize> {
        let mut s: Vec<usize> = self
            .paths
            .iter()
            .filter(|p| p.0 == k)
            .map(|p| p.1)
            .collect();
        s.sort_unstable();
        s
    }

    fn adjacent(&self, i: usize, j: usize) -> bool {
        self.paths.contains(&(i, j)) || self.paths.contains(&(j, i))
    }
}

/// Outer model of one manifest variable in one block.
#[derive(Debug, Clone, PartialEq)]
pub struct Outer {
    pub latent: usize,
    pub column: usize,
    /// Outer weight (for the centred, and if `scaled` standardised, data).
    pub weight: f64,
    pub loading: f64,
    pub communality: f64,
    pub redundancy: f64,
    /// The weight for the centred, unscaled column (`weight / sd` when
    /// `scaled`), the one the 0-100 index uses.
    pub unstd_weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coef {
    pub from: usize,
    pub estimate: f64,
    pub se: f64,
    pub t: f64,
    pub p: f64,
}

/// The regression of an endogenous latent on its predecessors.
#[derive(Debug, Clone, PartialEq)]
pub struct Inner {
    pub latent: usize,
    pub r2: f64,
    pub intercept: f64,
    pub coefs: Vec<Coef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LatentSummary {
    pub name: String,
    pub endogenous: bool,
    pub r2: f64,
    pub block_communality: f64,
    pub mean_redundancy: f64,
    pub ave: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub from: usize,
    pub to: usize,
    pub direct: f64,
    pub indirect: f64,
    pub total: f64,
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub n: usize,
    pub iterations: usize,
    /// One per (latent, column), in block order.
    pub outer: Vec<Outer>,
    /// One per endogenous latent, in latent order.
    pub inner: Vec<Inner>,
    pub summary: Vec<LatentSummary>,
    pub effects: Vec<Effect>,
    /// `[from, to]` path coefficients.
    pub paths: DMatrix<f64>,
    /// Correlations of every block variable (rows, in block order) with
    /// every latent.
    pub crossloadings: DMatrix<f64>,
    /// Standardised latent scores, n x L.
    pub scores: DMatrix<f64>,
    pub gof: f64,
    /// 0-100 index of each latent when the data are 0-100 scores:
    /// `sum u_j mean_j / sum u_j` with the unstandardised weights.
    pub index: Vec<f64>,
}

/// Weighted column statistics.
struct Weights<'a> {
    w: &'a [f64],
    sw: f64,
}

impl Weights<'_> {
    fn mean(&self, x: &[f64]) -> f64 {
        x.iter().zip(self.w).map(|(a, w)| a * w).sum::<f64>() / self.sw
    }
    /// Population covariance of two centred-or-not columns.
    fn cov(&self, a: &[f64], b: &[f64]) -> f64 {
        let (ma, mb) = (self.mean(a), self.mean(b));
        a.iter()
            .zip(b)
            .zip(self.w)
            .map(|((x, y), w)| w * (x - ma) * (y - mb))
            .sum::<f64>()
            / self.sw
    }
    fn sd(&self, a: &[f64]) -> f64 {
        self.cov(a, a).max(0.0).sqrt()
    }
    fn cor(&self, a: &[f64], b: &[f64]) -> f64 {
        self.cov(a, b) / (self.sd(a) * self.sd(b))
    }
    /// Weighted least squares of y on the columns xs (with an intercept
    /// when asked): (coefficients [intercept first], residuals).
    fn ols(
        &self,
        y: &[f64],
        xs: &[&[f64]],
        intercept: bool,
    ) -> Option<(Vec<f64>, Vec<f64>, DMatrix<f64>)> {
        let n = y.len();
        let q = xs.len() + usize::from(intercept);
        let col = |j: usize, r: usize| -> f64 {
            if intercept {
                if j == 0 {
                    1.0
                } else {
                    xs[j - 1][r]
                }
            } else {
                xs[j][r]
            }
        };
        let mut xtx = DMatrix::zeros(q, q);
        let mut xty = DVector::zeros(q);
        for r in 0..n {
            let w = self.w[r];
            for i in 0..q {
                let xi = col(i, r) * w;
                xty[i] += xi * y[r];
                for j in i..q {
                    xtx[(i, j)] += xi * col(j, r);
                }
            }
        }
        for i in 0..q {
            for j in 0..i {
                xtx[(i, j)] = xtx[(j, i)];
            }
        }
        let inv = xtx.clone().try_inverse()?;
        let b = &inv * &xty;
        let resid = (0..n)
            .map(|r| y[r] - (0..q).map(|j| b[j] * col(j, r)).sum::<f64>())
            .collect();
        Some((b.iter().copied().collect(), resid, inv))
    }
}

fn column(x: &DMatrix<f64>, c: usize) -> Vec<f64> {
    x.column(c).iter().copied().collect()
}

/// Fits the model to the rows of `x` (complete data) with optional survey
/// weights.
pub fn fit(model: &Model, x: &DMatrix<f64>, w: Option<&[f64]>) -> Result<Fit, PlsError> {
    model.validate(x.ncols())?;
    let n = x.nrows();
    if n < 10 {
        return Err(PlsError::TooFew {
            model: model.name.clone(),
            n,
        });
    }
    let ones;
    let w = match w {
        Some(w) => w,
        None => {
            ones = vec![1.0; n];
            &ones
        }
    };
    let sw: f64 = w.iter().sum();
    if w.len() != n || w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) || !(sw > 0.0) {
        return Err(PlsError::BadWeights {
            model: model.name.clone(),
        });
    }
    let ws = Weights { w, sw };
    let nl = model.latents.len();
    // The data of the model's columns: raw means, treated (centred, maybe
    // scaled) columns.
    let mut cols: Vec<usize> = Vec::new();
    for l in &model.latents {
        for &c in &l.block {
            if !cols.contains(&c) {
                cols.push(c);
            }
        }
    }
    let mut raw_mean = vec![0.0; x.ncols()];
    let mut sd = vec![1.0; x.ncols()];
    let mut xc: Vec<Vec<f64>> = vec![Vec::new(); x.ncols()];
    for &c in &cols {
        let v = column(x, c);
        let m = ws.mean(&v);
        let s = ws.sd(&v);
        if !(s > 1e-12 * m.abs().max(1.0)) {
            return Err(PlsError::NoVariance {
                model: model.name.clone(),
                column: c,
            });
        }
        raw_mean[c] = m;
        let div = if model.scaled { s } else { 1.0 };
        sd[c] = s;
        xc[c] = v.iter().map(|a| (a - m) / div).collect();
    }
    let score = |l: usize, wl: &[f64]| -> Vec<f64> {
        let mut y = vec![0.0; n];
        for (&c, &wc) in model.latents[l].block.iter().zip(wl) {
            for (yr, xr) in y.iter_mut().zip(&xc[c]) {
                *yr += wc * xr;
            }
        }
        y
    };
    // Unit weights giving scores of population variance 1.
    let mut wts: Vec<Vec<f64>> = (0..nl)
        .map(|l| {
            let ones = vec![1.0; model.latents[l].block.len()];
            let s = ws.sd(&score(l, &ones));
            ones.iter().map(|o| o / s).collect()
        })
        .collect();
    let shrink = (n as f64 - 1.0) / n as f64;
    let mut w_old: Vec<f64> = wts.concat();
    let mut iter = 1;
    loop {
        // Standardised scores (times (n - 1) / n, as plspm).
        let y: Vec<Vec<f64>> = (0..nl)
            .map(|l| {
                let s = score(l, &wts[l]);
                let (m, d) = (ws.mean(&s), ws.sd(&s));
                s.iter().map(|v| (v - m) / d * shrink).collect()
            })
            .collect();
        let e = inner_weights(model, &ws, &y)?;
        for l in 0..nl {
            let mut z = vec![0.0; n];
            for j in 0..nl {
                if e[(j, l)] != 0.0 {
                    for (zr, yr) in z.iter_mut().zip(&y[j]) {
                        *zr += e[(j, l)] * yr;
                    }
                }
            }
            let block = &model.latents[l].block;
            wts[l] = match model.latents[l].mode {
                Mode::A => block
                    .iter()
                    .map(|&c| {
                        xc[c]
                            .iter()
                            .zip(&z)
                            .zip(w)
                            .map(|((a, b), wr)| wr * a * b)
                            .sum::<f64>()
                            / sw
                    })
                    .collect(),
                Mode::B => {
                    let xs: Vec<&[f64]> = block.iter().map(|&c| xc[c].as_slice()).collect();
                    ws.ols(&z, &xs, false)
                        .ok_or_else(|| PlsError::Singular {
                            model: model.name.clone(),
                            latent: model.latents[l].name.clone(),
                        })?
                        .0
                }
            };
        }
        let w_new: Vec<f64> = wts.concat();
        let dif: f64 = w_old
            .iter()
            .zip(&w_new)
            .map(|(a, b)| (a.abs() - b.abs()).powi(2))
            .sum();
        if dif < model.tol && iter < model.max_iter {
            break;
        }
        if iter >= model.max_iter {
            return Err(PlsError::NotConverged {
                model: model.name.clone(),
                iterations: iter,
            });
        }
        w_old = w_new;
        iter += 1;
    }
    // Final weights: scores of population variance 1.
    for l in 0..nl {
        let s = ws.sd(&score(l, &wts[l]));
        for v in wts[l].iter_mut() {
            *v /= s;
        }
    }
    // Scores, their sign turned when most loadings are negative.
    let mut lv: Vec<Vec<f64>> = (0..nl).map(|l| score(l, &wts[l])).collect();
    for l in 0..nl {
        let s: f64 = model.latents[l]
            .block
            .iter()
            .map(|&c| ws.cor(&xc[c], &lv[l]).signum())
            .sum::<f64>()
            .signum();
        if s <= 0.0 {
            for v in lv[l].iter_mut() {
                *v = -*v;
            }
        }
    }
    // Inner model.
    let mut paths = DMatrix::zeros(nl, nl);
    let mut r2 = vec![0.0; nl];
    let mut inner = Vec::new();
    for k in 0..nl {
        let preds = model.preds(k);
        if preds.is_empty() {
            continue;
        }
        let xs: Vec<&[f64]> = preds.iter().map(|&j| lv[j].as_slice()).collect();
        let (b, resid, inv) = ws
            .ols(&lv[k], &xs, true)
            .ok_or_else(|| PlsError::Singular {
                model: model.name.clone(),
                latent: model.latents[k].name.clone(),
            })?;
        let sse: f64 = resid.iter().zip(w).map(|(e, wr)| wr * e * e).sum();
        let my = ws.mean(&lv[k]);
        let sst: f64 = lv[k]
            .iter()
            .zip(w)
            .map(|(v, wr)| wr * (v - my) * (v - my))
            .sum();
        r2[k] = 1.0 - sse / sst;
        let df = n as f64 - preds.len() as f64 - 1.0;
        let sigma2 = sse / df;
        let tdist = StudentsT::new(0.0, 1.0, df).ok();
        let coefs = preds
            .iter()
            .enumerate()
            .map(|(i, &j)| {
                let est = b[i + 1];
                let se = (sigma2 * inv[(i + 1, i + 1)]).sqrt();
                let t = est / se;
                let p = tdist
                    .as_ref()
                    .map_or(f64::NAN, |d| (2.0 * d.sf(t.abs())).min(1.0));
                paths[(j, k)] = est;
                Coef {
                    from: j,
                    estimate: est,
                    se,
                    t,
                    p,
                }
            })
            .collect();
        inner.push(Inner {
            latent: k,
            r2: r2[k],
            intercept: b[0],
            coefs,
        });
    }
    // Outer model.
    let mut outer = Vec::new();
    let mut crossloadings = DMatrix::zeros(model.latents.iter().map(|l| l.block.len()).sum(), nl);
    let mut row = 0;
    for (l, lat) in model.latents.iter().enumerate() {
        for (i, &c) in lat.block.iter().enumerate() {
            for (k, lvk) in lv.iter().enumerate() {
                crossloadings[(row, k)] = ws.cor(&xc[c], lvk);
            }
            let loading = crossloadings[(row, l)];
            let communality = loading * loading;
            outer.push(Outer {
                latent: l,
                column: c,
                weight: wts[l][i],
                loading,
                communality,
                redundancy: communality * r2[l],
                unstd_weight: if model.scaled {
                    wts[l][i] / sd[c]
                } else {
                    wts[l][i]
                },
            });
            row += 1;
        }
    }
    let summary: Vec<LatentSummary> = model
        .latents
        .iter()
        .enumerate()
        .map(|(l, lat)| {
            let rows: Vec<&Outer> = outer.iter().filter(|o| o.latent == l).collect();
            let k = rows.len() as f64;
            let comm: f64 = rows.iter().map(|o| o.communality).sum();
            LatentSummary {
                name: lat.name.clone(),
                endogenous: !model.preds(l).is_empty(),
                r2: r2[l],
                block_communality: comm / k,
                mean_redundancy: rows.iter().map(|o| o.redundancy).sum::<f64>() / k,
                ave: match lat.mode {
                    Mode::A => {
                        comm / (comm + rows.iter().map(|o| 1.0 - o.communality).sum::<f64>())
                    }
                    Mode::B => 0.0,
                },
            }
        })
        .collect();
    // GoF: mean communality of blocks with more than one variable, times
    // the mean R^2 of the endogenous latents.
    let (mut csum, mut ccount) = (0.0, 0usize);
    for (l, lat) in model.latents.iter().enumerate() {
        if lat.block.len() > 1 {
            csum += outer
                .iter()
                .filter(|o| o.latent == l)
                .map(|o| o.communality)
                .sum::<f64>();
            ccount += lat.block.len();
        }
    }
    let endo: Vec<f64> = (0..nl)
        .filter(|&l| !model.preds(l).is_empty())
        .map(|l| r2[l])
        .collect();
    let gof = if ccount > 0 && !endo.is_empty() {
        (csum / ccount as f64 * endo.iter().sum::<f64>() / endo.len() as f64).sqrt()
    } else {
        f64::NAN
    };
    // Effects: total = B + B^2 + ... (B nilpotent for a recursive model).
    let mut total = DMatrix::zeros(nl, nl);
    let mut power = paths.clone();
    for _ in 0..nl {
        total += &power;
        power = &power * &paths;
    }
    let mut effects = Vec::new();
    for i in 0..nl {
        for j in 0..nl {
            if i == j || (i > j && total[(i, j)] == 0.0) {
                continue;
            }
            effects.push(Effect {
                from: i,
                to: j,
                direct: paths[(i, j)],
                indirect: total[(i, j)] - paths[(i, j)],
                total: total[(i, j)],
            });
        }
    }
    let index = (0..nl)
        .map(|l| {
            let rows: Vec<&Outer> = outer.iter().filter(|o| o.latent == l).collect();
            let su: f64 = rows.iter().map(|o| o.unstd_weight).sum();
            rows.iter()
                .map(|o| o.unstd_weight * raw_mean[o.column])
                .sum::<f64>()
                / su
        })
        .collect();
    let scores = DMatrix::from_fn(n, nl, |r, l| lv[l][r]);
    Ok(Fit {
        n,
        iterations: iter,
        outer,
        inner,
        summary,
        effects,
        paths,
        crossloadings,
        scores,
        gof,
        index,
    })
}

/// The inner weights E (`[from, to]`: the weight of latent `from` in the
/// inner estimate of `to`).
fn inner_weights(
    model: &Model,
    ws: &Weights<'_>,
    y: &[Vec<f64>],
) -> Result<DMatrix<f64>, PlsError> {
    let nl = y.len();
    let mut e = DMatrix::zeros(nl, nl);
    match model.scheme {
        Scheme::Centroid | Scheme::Factorial => {
            for i in 0..nl {
                for j in 0..nl {
                    if i != j && model.adjacent(i, j) {
                        let c = ws.cor(&y[i], &y[j]);
                        e[(i, j)] = if model.scheme == Scheme::Centroid {
                            c.signum()
                        } else {
                            c
                        };
                    }
                }
            }
        }
        Scheme::Path => {
            for k in 0..nl {
                let preds = model.preds(k);
                if !preds.is_empty() {
                    let xs: Vec<&[f64]> = preds.iter().map(|&j| y[j].as_slice()).collect();
                    let (b, _, _) =
                        ws.ols(&y[k], &xs, false)
                            .ok_or_else(|| PlsError::Singular {
                                model: model.name.clone(),
                                latent: model.latents[k].name.clone(),
                            })?;
                    for (&j, bj) in preds.iter().zip(b) {
                        e[(j, k)] = bj;
                    }
                }
                for i in model.succs(k) {
                    e[(i, k)] = ws.cor(&y[k], &y[i]);
                }
            }
        }
    }
    Ok(e)
}

/// Bootstrap summary of one estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct BootStat {
    pub original: f64,
    pub mean: f64,
    /// Standard deviation over the resamples (divisor B - 1).
    pub se: f64,
    /// 2.5 % and 97.5 % percentiles (R's quantile type 7).
    pub lo: f64,
    pub hi: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Boot {
    pub b: usize,
    /// Resamples whose fit failed (not converged, collinear), left out.
    pub failed: usize,
    /// Per declared path, in `model.paths` order.
    pub paths: Vec<BootStat>,
    /// Per [`Outer`] row.
    pub weights: Vec<BootStat>,
    pub loadings: Vec<BootStat>,
    /// Per latent.
    pub r2: Vec<BootStat>,
    pub index: Vec<BootStat>,
}

/// B resamples of the respondents (with replacement, with their weights),
/// each fitted again; resample r draws from a ChaCha8 stream seeded from
/// (seed, r), so the result is the same on any number of threads.
pub fn bootstrap(
    model: &Model,
    x: &DMatrix<f64>,
    w: Option<&[f64]>,
    b: usize,
    seed: u64,
) -> Result<Boot, PlsError> {
    let original = fit(model, x, w)?;
    let n = x.nrows();
    let reps: Vec<Option<Fit>> = (0..b)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(r as u64 + 1);
            let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let xb = DMatrix::from_fn(n, x.ncols(), |i, j| x[(idx[i], j)]);
            let wb: Option<Vec<f64>> = w.map(|w| idx.iter().map(|&i| w[i]).collect());
            fit(model, &xb, wb.as_deref()).ok()
        })
        .collect();
    let ok: Vec<&Fit> = reps.iter().flatten().collect();
    let stat = |orig: f64, get: &dyn Fn(&Fit) -> f64| -> BootStat {
        let mut v: Vec<f64> = ok.iter().map(|f| get(f)).collect();
        summarise(orig, &mut v)
    };
    let paths = model
        .paths
        .iter()
        .map(|&(a, c)| stat(original.paths[(a, c)], &|f| f.paths[(a, c)]))
        .collect();
    let weights = (0..original.outer.len())
        .map(|i| stat(original.outer[i].weight, &|f| f.outer[i].weight))
        .collect();
    let loadings = (0..original.outer.len())
        .map(|i| stat(original.outer[i].loading, &|f| f.outer[i].loading))
        .collect();
    let r2 = (0..model.latents.len())
        .map(|l| stat(original.summary[l].r2, &|f| f.summary[l].r2))
        .collect();
    let index = (0..model.latents.len())
        .map(|l| stat(original.index[l], &|f| f.index[l]))
        .collect();
    Ok(Boot {
        b,
        failed: b - ok.len(),
        paths,
        weights,
        loadings,
        r2,
        index,
    })
}

fn summarise(original: f64, v: &mut [f64]) -> BootStat {
    let m = v.len();
    if m == 0 {
        return BootStat {
            original,
            mean: f64::NAN,
            se: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    let mean = v.iter().sum::<f64>() / m as f64;
    let se = if m > 1 {
        (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m as f64 - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    v.sort_by(f64::total_cmp);
    BootStat {
        original,
        mean,
        se,
        lo: quantile7(v, 0.025),
        hi: quantile7(v, 0.975),
    }
}

/// R's default quantile (type 7) of sorted data.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() as f64 - 1.0) * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
