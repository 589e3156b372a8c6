//! PLS path modelling (METHODOLOGY 8): Wold's and Lohmöller's PLS-PM, as the
//! R package `plspm` (G. Sanchez) and its Python port compute it, with
//! optional survey weights and a seeded, parallel bootstrap.
//!
//! # The model
//!
//! Latent variables (LVs) `l = 1..L`, each measured by a block of manifest
//! columns `X_l` (reflective, mode A, or formative, mode B), and a recursive
//! inner model of paths `from -> to`.
//!
//! # The algorithm (notation: `w_i` survey weights, `W = Σ w_i`)
//!
//! 1. Each used column is centred on its weighted mean; with `scaled` it is
//!    also divided by `sd_j = sqrt(Σ w_i (x_ij - m_j)² / W · n / (n - 1))`
//!    (plspm scales by the n - 1 standard deviation; with survey weights `n`
//!    is the number of respondents with a positive weight).
//! 2. Outer weights start at 1 for every column of its block.
//! 3. Repeat:
//!    * outer estimate `y_l = X_l w_l`, standardised to weighted mean 0 and
//!      population variance 1 (`Σ w_i y_il² / W = 1`);
//!    * inner weights `e_kl` between adjacent LVs (a path either way):
//!      centroid `sign(cor(y_k, y_l))`, factorial `cor(y_k, y_l)`, path
//!      weighting: for the predecessors `k` of `l` the coefficients of the
//!      (weighted, no intercept) regression of `y_l` on them, for its
//!      followers `cor(y_k, y_l)`;
//!    * inner estimate `z_l = Σ_k e_kl y_k`;
//!    * new outer weights: mode A `w_l = X_l' diag(w) z_l / W` (the
//!      covariances of the columns with `z_l`), mode B the weighted least
//!      squares `w_l = (X_l' diag(w) X_l)⁻¹ X_l' diag(w) z_l`;
//!    * converged when `Σ_j (|w_j old| - |w_j new|)² < tol` (plspm's rule; the
//!      weights compared are the unnormalised ones of consecutive
//!      iterations), an error after `max_iter` iterations.
//! 4. The final weights are rescaled so that every score `y_l = X_l w_l` has
//!    population variance 1: these are the reported outer weights, and the
//!    scores the reported standardised latent scores.
//!
//! Where this differs from plspm's code (none of it changes a reported
//! figure; the tests match plspm's reference results to 1e-12):
//! * plspm standardises the outer estimate of step 3 to a population
//!   standard deviation of `(n - 1) / n` (R: `scale(Y) * sqrt((n-1)/n)`), a
//!   quirk that multiplies every unnormalised weight by the same constant,
//!   leaving the sequence of normalised weights unchanged. Population
//!   variance 1 is used here so that integer survey weights are exactly
//!   equivalent to duplicated rows.
//! * The factorial scheme uses correlations, as R plspm (its Python port
//!   uses covariances, the same up to a constant factor).
//! * R plspm reports a failure when the rule is met only at the last allowed
//!   iteration; here that counts as convergence (as the Python port).
//!
//! # Reported figures
//!
//! * loadings `cor(x_j, y_l)` (weighted correlations) for the columns of the
//!   block of `l`, cross-loadings the same for every column and every LV;
//!   communality = loading², redundancy = communality · R²(l);
//! * path coefficients: for every endogenous LV, the weighted least squares
//!   regression with intercept of its score on the scores of its
//!   predecessors; `se` from `σ̂² (D' diag(w) D)⁻¹`, `σ̂² = Σ w_i e_i² /
//!   (n - k - 1)` with `n` the respondents (with positive weight) and `k` the
//!   predictors, `t = estimate / se`, two-sided `p` from Student's t with
//!   `n - k - 1` degrees of freedom. With unit weights this is plspm's OLS
//!   exactly; with survey weights it is the usual weights-only approximation
//!   (no design effect);
//! * R², block communality (mean communality), mean redundancy, AVE
//!   (`Σ loading² / (Σ loading² + Σ (1 - loading²))`, mode A blocks only);
//! * effects: direct `P`, total `Σ_{k≥1} P^k`, indirect = total - direct;
//! * GoF `sqrt(mean communality · mean R²)`, the communalities averaged over
//!   the columns of blocks with more than one column, R² over endogenous LVs
//!   with a non-zero R² (as plspm);
//! * the index of each LV: `Σ_j u_j m_j / Σ_j u_j` over its block, `m_j` the
//!   weighted mean of column `j` of `x` and `u_j` the outer weight expressed
//!   for the centred, unscaled column (`w_j / sd_j` when scaled, `w_j` when
//!   not). With 0-100 question scores it is a 0-100 index.
//!
//! # Bootstrap
//!
//! [`bootstrap`] refits the model on `B` resamples of the respondents (with
//! replacement, seeded) and reports for the path coefficients, outer weights,
//! loadings, R² and indices the replicates' mean, standard deviation
//! (divisor `B - 1`) and 2.5 % / 97.5 % percentiles (R quantile type 7).

use std::fmt;

use nalgebra::{DMatrix, DVector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Inner weighting scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scheme {
    Centroid,
    Factorial,
    Path,
}

/// Measurement mode of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    /// Reflective: outer weights are covariances with the inner estimate.
    A,
    /// Formative: outer weights are the regression of the inner estimate on
    /// the block.
    B,
}

/// plspm's default `maxiter`.
pub const DEFAULT_MAX_ITER: usize = 100;
/// plspm's default `tol`.
pub const DEFAULT_TOL: f64 = 1e-6;

/// A latent variable and the columns of `x` that measure it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Latent {
    pub name: String,
    /// Column indices into `x`.
    pub block: Vec<usize>,
    pub mode: Mode,
}

/// A PLS path model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Model {
    /// Named in every error message.
    pub name: String,
    pub latents: Vec<Latent>,
    /// `(from, to)` latent indices.
    pub paths: Vec<(usize, usize)>,
    pub scheme: Scheme,
    /// Scale the columns to unit variance (plspm `scaled`).
    pub scaled: bool,
    /// Iterations allowed before [`PlsError::NotConverged`]
    /// ([`DEFAULT_MAX_ITER`] in plspm).
    pub max_iter: usize,
    /// Convergence tolerance on `Σ (|w_old| - |w_new|)²` ([`DEFAULT_TOL`]
    /// in plspm).
    pub tol: f64,
}

/// Why a model could not be fitted. Every message names the model.
#[derive(Debug, Clone, PartialEq)]
pub enum PlsError {
    /// The model definition is inconsistent.
    Model { model: String, problem: String },
    /// The data or the survey weights do not fit the model.
    Data { model: String, problem: String },
    /// The estimation broke down on these data (a constant column or score,
    /// collinear scores).
    Degenerate { model: String, problem: String },
    /// The outer weights were still changing after `max_iter` iterations.
    NotConverged {
        model: String,
        max_iter: usize,
        delta: f64,
        tol: f64,
    },
    /// Too few bootstrap replicates could be fitted (or were asked for).
    Bootstrap {
        model: String,
        b: usize,
        failed: usize,
        /// Why the first failed replicate failed, if one did.
        first_error: Option<String>,
    },
}

impl fmt::Display for PlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlsError::Model { model, problem } => write!(
                f,
                "PLS model '{model}': {problem}; correct the model definition"
            ),
            PlsError::Data { model, problem } => {
                write!(f, "PLS model '{model}': {problem}")
            }
            PlsError::Degenerate { model, problem } => write!(
                f,
                "PLS model '{model}' cannot be estimated: {problem}; \
                 check the blocks and the respondents selected"
            ),
            PlsError::NotConverged {
                model,
                max_iter,
                delta,
                tol,
            } => write!(
                f,
                "PLS model '{model}' did not converge in {max_iter} iterations \
                 (last change in the outer weights {delta:.3e}, tolerance {tol:e}); \
                 raise max_iter, or check the blocks for questions that do not \
                 measure their latent variable"
            ),
            PlsError::Bootstrap {
                model,
                b,
                failed,
                first_error,
            } => {
                write!(
                    f,
                    "PLS model '{model}': {} of {b} bootstrap replicates fitted, at least 2 \
                     are needed for standard errors; ",
                    b - failed
                )?;
                match first_error {
                    Some(e) => write!(
                        f,
                        "the first failure: {e}. Check the model on the full sample, or use \
                         more respondents"
                    ),
                    None => write!(f, "ask for more replicates"),
                }
            }
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

    fn data_err(&self, problem: impl Into<String>) -> PlsError {
        PlsError::Data {
            model: self.name.clone(),
            problem: problem.into(),
        }
    }

    fn degenerate(&self, problem: impl Into<String>) -> PlsError {
        PlsError::Degenerate {
            model: self.name.clone(),
            problem: problem.into(),
        }
    }

    /// Checks the model against data with `ncols` columns: at least two
    /// latents with distinct names, non-empty blocks of existing columns, no
    /// column in two places, paths between existing, distinct latents, no
    /// duplicate path, no cycle, at least one path, every latent on a path,
    /// `max_iter >= 1` and a positive finite tolerance.
    pub fn validate(&self, ncols: usize) -> Result<(), PlsError> {
        let nl = self.latents.len();
        if nl < 2 {
            return Err(self.err(format!(
                "{nl} latent variable(s); a path model needs at least two"
            )));
        }
        let mut seen_col = vec![None::<usize>; ncols];
        for (l, lat) in self.latents.iter().enumerate() {
            if self.latents[..l].iter().any(|o| o.name == lat.name) {
                return Err(self.err(format!("latent '{}' is declared twice", lat.name)));
            }
            if lat.block.is_empty() {
                return Err(self.err(format!("latent '{}' has no questions", lat.name)));
            }
            for &c in &lat.block {
                let slot = seen_col.get_mut(c).ok_or_else(|| {
                    self.err(format!(
                        "latent '{}' uses column {c}, but the data have {ncols} columns",
                        lat.name
                    ))
                })?;
                match *slot {
                    Some(other) if other == l => {
                        return Err(
                            self.err(format!("latent '{}' lists column {c} twice", lat.name))
                        )
                    }
                    Some(other) => {
                        return Err(self.err(format!(
                            "column {c} is used by two latents, '{}' and '{}'",
                            self.latents[other].name, lat.name
                        )))
                    }
                    None => {}
                }
                *slot = Some(l);
            }
        }
        if self.paths.is_empty() {
            return Err(
                self.err("no inner paths: every latent is exogenous, there is nothing to estimate")
            );
        }
        let mut adj = vec![vec![false; nl]; nl];
        for &(from, to) in &self.paths {
            if from >= nl || to >= nl {
                return Err(self.err(format!(
                    "path ({from}, {to}) refers to a latent that does not exist ({nl} declared)"
                )));
            }
            if from == to {
                return Err(self.err(format!("path from '{}' to itself", self.latents[from].name)));
            }
            if adj[from][to] {
                return Err(self.err(format!(
                    "path '{}' -> '{}' is declared twice",
                    self.latents[from].name, self.latents[to].name
                )));
            }
            adj[from][to] = true;
        }
        if let Some(l) = (0..nl).find(|&l| !(0..nl).any(|k| adj[k][l] || adj[l][k])) {
            return Err(self.err(format!(
                "latent '{}' is on no path, its inner estimate would be empty",
                self.latents[l].name
            )));
        }
        // Kahn's algorithm: a latent left over lies on a cycle.
        let mut indeg: Vec<usize> = (0..nl)
            .map(|l| (0..nl).filter(|&k| adj[k][l]).count())
            .collect();
        let mut stack: Vec<usize> = (0..nl).filter(|&l| indeg[l] == 0).collect();
        let mut done = 0;
        while let Some(k) = stack.pop() {
            done += 1;
            for l in 0..nl {
                if adj[k][l] {
                    indeg[l] -= 1;
                    if indeg[l] == 0 {
                        stack.push(l);
                    }
                }
            }
        }
        if done < nl {
            let on_cycle: Vec<&str> = (0..nl)
                .filter(|&l| indeg[l] > 0)
                .map(|l| self.latents[l].name.as_str())
                .collect();
            return Err(self.err(format!(
                "the inner model has a cycle through {}; PLS-PM needs a recursive model",
                on_cycle.join(", ")
            )));
        }
        if self.max_iter == 0 {
            return Err(self.err("max_iter is 0"));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(self.err(format!("tolerance {} is not a positive number", self.tol)));
        }
        Ok(())
    }

    /// Predecessors of latent `l` (latents with a path into it), in latent
    /// order (plspm's order of the regressors).
    fn predecessors(&self, l: usize) -> Vec<usize> {
        (0..self.latents.len())
            .filter(|&k| self.paths.contains(&(k, l)))
            .collect()
    }

    /// Successors of latent `l`, in latent order.
    fn successors(&self, l: usize) -> Vec<usize> {
        (0..self.latents.len())
            .filter(|&k| self.paths.contains(&(l, k)))
            .collect()
    }
}

/// Outer model figures of one column of one block.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outer {
    pub latent: usize,
    /// Column index into `x`.
    pub column: usize,
    /// Outer weight for the treated (centred, scaled if `scaled`) column.
    pub weight: f64,
    pub loading: f64,
    pub communality: f64,
    pub redundancy: f64,
    /// Outer weight for the centred, unscaled column (`weight / sd` when
    /// scaled, `weight` when not): the weight of the index.
    pub unstd_weight: f64,
}

/// A regression coefficient of the inner model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coef {
    /// The predecessor latent.
    pub from: usize,
    pub estimate: f64,
    pub se: f64,
    pub t: f64,
    pub p: f64,
}

/// The regression of an endogenous latent on its predecessors.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Inner {
    pub latent: usize,
    pub r2: f64,
    /// Zero up to rounding: the scores are centred.
    pub intercept: f64,
    /// One per predecessor, in latent order.
    pub coefs: Vec<Coef>,
}

/// Inner summary of one latent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LatentSummary {
    pub name: String,
    pub endogenous: bool,
    /// 0 for exogenous latents (as plspm).
    pub r2: f64,
    pub block_communality: f64,
    pub mean_redundancy: f64,
    /// Average variance extracted; `None` for mode B blocks (plspm: NA).
    pub ave: Option<f64>,
}

/// Direct, indirect and total effect of one latent on another.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Effect {
    pub from: usize,
    pub to: usize,
    pub direct: f64,
    pub indirect: f64,
    pub total: f64,
}

/// A fitted PLS path model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Respondents (rows of `x`).
    pub n: usize,
    /// Iterations of the outer/inner loop until convergence.
    pub iterations: usize,
    /// One per (latent, column), in model order.
    pub outer: Vec<Outer>,
    /// One per endogenous latent, in latent order.
    pub inner: Vec<Inner>,
    /// One per latent.
    pub summary: Vec<LatentSummary>,
    /// Every ordered pair `(from, to)` with a directed path from `from` to
    /// `to`, ordered by `from` then `to` (plspm's listing).
    pub effects: Vec<Effect>,
    /// `L x L` path coefficients, `[from, to]`.
    pub paths: DMatrix<f64>,
    /// Correlations of every used column (rows, in block order) with every
    /// latent (columns).
    pub crossloadings: DMatrix<f64>,
    /// `n x L` standardised latent scores (weighted mean 0, population
    /// variance 1).
    pub scores: DMatrix<f64>,
    /// Goodness of fit; NaN when every block has a single column.
    pub gof: f64,
    /// Index of each latent from the column means of `x`; NaN if the
    /// unstandardised weights of a block sum to 0.
    pub index: Vec<f64>,
}

/// Bootstrap distribution summary of one statistic.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BootStat {
    /// Value on the full sample.
    pub original: f64,
    pub mean: f64,
    /// Standard deviation of the replicates (divisor: replicates - 1).
    pub se: f64,
    /// 2.5 % percentile (R quantile type 7).
    pub lo: f64,
    /// 97.5 % percentile (R quantile type 7).
    pub hi: f64,
}

/// Bootstrap results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Boot {
    /// Replicates requested.
    pub b: usize,
    /// Replicates that could not be fitted (skipped).
    pub failed: usize,
    /// One per declared path, in `model.paths` order.
    pub paths: Vec<BootStat>,
    /// One per [`Outer`].
    pub weights: Vec<BootStat>,
    /// One per [`Outer`].
    pub loadings: Vec<BootStat>,
    /// One per latent (0 for exogenous latents).
    pub r2: Vec<BootStat>,
    /// One per latent.
    pub index: Vec<BootStat>,
}

/// The data as the algorithm sees them: the used columns in block order,
/// treated, with the survey weights.
struct Prepared {
    /// Respondents with a positive weight (for degrees of freedom).
    n_pos: usize,
    /// Survey weights (all 1 without weights) and their sum.
    w: Vec<f64>,
    wsum: f64,
    /// `n x p_used` treated columns (centred, scaled if asked).
    x: DMatrix<f64>,
    /// `x` with every row multiplied by its weight.
    xw: DMatrix<f64>,
    /// Column range of each latent's block in `x`.
    ranges: Vec<std::ops::Range<usize>>,
    /// Weighted means of the raw used columns.
    means: Vec<f64>,
    /// What each column was divided by (1 when not scaled).
    sds: Vec<f64>,
}

/// Weighted sum `Σ w_i a_i b_i`.
fn wdot(w: &[f64], a: &[f64], b: &[f64]) -> f64 {
    w.iter().zip(a).zip(b).map(|((w, a), b)| w * a * b).sum()
}

/// Weighted mean `Σ w_i a_i / W`.
fn wmean(w: &[f64], wsum: f64, a: &[f64]) -> f64 {
    w.iter().zip(a).map(|(w, a)| w * a).sum::<f64>() / wsum
}

/// Weighted Pearson correlation.
fn wcor(w: &[f64], wsum: f64, a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (wmean(w, wsum, a), wmean(w, wsum, b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for ((w, a), b) in w.iter().zip(a).zip(b) {
        let (da, db) = (a - ma, b - mb);
        sab += w * da * db;
        saa += w * da * da;
        sbb += w * db * db;
    }
    sab / (saa * sbb).sqrt()
}

/// Centres `v` on its weighted mean and divides it by its weighted
/// population standard deviation; `None` if that is 0 or not finite.
fn standardise(w: &[f64], wsum: f64, v: &mut [f64]) -> Option<()> {
    let m = wmean(w, wsum, v);
    v.iter_mut().for_each(|x| *x -= m);
    let sd = (wdot(w, v, v) / wsum).sqrt();
    if !(sd.is_finite() && sd > 0.0) {
        return None;
    }
    v.iter_mut().for_each(|x| *x /= sd);
    Some(())
}

/// Weighted least squares `(D' diag(w) D)⁻¹ D' diag(w) y`, with the inverse
/// of `D' diag(w) D`; `None` if that is singular.
fn wls(w: &[f64], d: &DMatrix<f64>, y: &[f64]) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let mut dw = d.clone();
    for (mut row, &wi) in dw.row_iter_mut().zip(w) {
        row *= wi;
    }
    let xtx = d.transpose() * &dw;
    let xty = dw.transpose() * DVector::from_column_slice(y);
    let chol = xtx.cholesky()?;
    let beta = chol.solve(&xty);
    beta.iter()
        .all(|b| b.is_finite())
        .then(|| (beta, chol.inverse()))
}

/// Empirical quantile, R type 7, of sorted values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn prepare(model: &Model, x: &DMatrix<f64>, w: Option<&[f64]>) -> Result<Prepared, PlsError> {
    model.validate(x.ncols())?;
    let n = x.nrows();
    let w: Vec<f64> = match w {
        Some(w) if w.len() != n => {
            return Err(model.data_err(format!("{} survey weights for {n} respondents", w.len())))
        }
        Some(w) => {
            if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(model.data_err(format!(
                    "survey weight of respondent {i} is {}, weights must be finite and >= 0",
                    w[i]
                )));
            }
            w.to_vec()
        }
        None => vec![1.0; n],
    };
    let wsum: f64 = w.iter().sum();
    let n_pos = w.iter().filter(|v| **v > 0.0).count();
    let max_pred = (0..model.latents.len())
        .map(|l| model.predecessors(l).len())
        .max()
        .unwrap_or(0);
    if n_pos < max_pred + 2 || wsum <= 0.0 {
        return Err(model.data_err(format!(
            "{n_pos} respondents (with a positive weight), too few: at least {} needed",
            max_pred + 2
        )));
    }
    let cols: Vec<usize> = model
        .latents
        .iter()
        .flat_map(|l| l.block.iter().copied())
        .collect();
    let mut ranges = Vec::with_capacity(model.latents.len());
    let mut start = 0;
    for lat in &model.latents {
        ranges.push(start..start + lat.block.len());
        start += lat.block.len();
    }
    let p = cols.len();
    let mut xt = DMatrix::zeros(n, p);
    let mut means = Vec::with_capacity(p);
    let mut sds = Vec::with_capacity(p);
    let correction = n_pos as f64 / (n_pos as f64 - 1.0);
    for (j, &c) in cols.iter().enumerate() {
        let raw = x.column(c);
        if let Some(i) = raw.iter().position(|v| !v.is_finite()) {
            return Err(model.data_err(format!(
                "column {c} has a missing or non-finite value (respondent {i}); \
                 PLS needs complete data"
            )));
        }
        let m = wmean(&w, wsum, raw.as_slice());
        let mut col: Vec<f64> = raw.iter().map(|v| v - m).collect();
        let var = wdot(&w, &col, &col) / wsum;
        if !(var.is_finite() && var > 0.0) {
            let lat = model.latents.iter().find(|l| l.block.contains(&c));
            return Err(model.degenerate(format!(
                "column {c} (latent '{}') is constant",
                lat.map_or("?", |l| l.name.as_str())
            )));
        }
        // plspm scales by the n - 1 standard deviation.
        let sd = if model.scaled {
            (var * correction).sqrt()
        } else {
            1.0
        };
        col.iter_mut().for_each(|v| *v /= sd);
        xt.set_column(j, &DVector::from_vec(col));
        means.push(m);
        sds.push(sd);
    }
    let mut xw = xt.clone();
    for (mut row, &wi) in xw.row_iter_mut().zip(&w) {
        row *= wi;
    }
    Ok(Prepared {
        n_pos,
        w,
        wsum,
        x: xt,
        xw,
        ranges,
        means,
        sds,
    })
}

impl Prepared {
    /// Standardised outer estimates `y_l = X_l w_l` (`n x L`).
    fn scores(&self, model: &Model, weights: &[f64]) -> Result<DMatrix<f64>, PlsError> {
        let n = self.x.nrows();
        let mut y = DMatrix::zeros(n, self.ranges.len());
        for (l, r) in self.ranges.iter().enumerate() {
            let wl = DVector::from_column_slice(&weights[r.clone()]);
            let mut v = self.x.columns(r.start, r.len()) * wl;
            standardise(&self.w, self.wsum, v.as_mut_slice()).ok_or_else(|| {
                model.degenerate(format!(
                    "the score of latent '{}' has no variance",
                    model.latents[l].name
                ))
            })?;
            y.set_column(l, &v);
        }
        Ok(y)
    }

    /// Inner weights `E` (`L x L`, `E[k, l]` = weight of `y_k` in `z_l`).
    /// `y` is standardised, so `cor(y_k, y_l) = Σ w_i y_ik y_il / W`.
    fn inner_weights(&self, model: &Model, y: &DMatrix<f64>) -> Result<DMatrix<f64>, PlsError> {
        let nl = model.latents.len();
        let cor = |k: usize, l: usize| {
            wdot(&self.w, y.column(k).as_slice(), y.column(l).as_slice()) / self.wsum
        };
        let mut e = DMatrix::zeros(nl, nl);
        match model.scheme {
            Scheme::Centroid | Scheme::Factorial => {
                for &(a, b) in &model.paths {
                    let c = cor(a, b);
                    let v = if model.scheme == Scheme::Factorial {
                        c
                    } else if c > 0.0 {
                        1.0
                    } else if c < 0.0 {
                        -1.0
                    } else {
                        0.0 // R's sign(0)
                    };
                    e[(a, b)] = v;
                    e[(b, a)] = v;
                }
            }
            Scheme::Path => {
                for l in 0..nl {
                    let pred = model.predecessors(l);
                    if !pred.is_empty() {
                        let d = y.select_columns(&pred);
                        let (beta, _) =
                            wls(&self.w, &d, y.column(l).as_slice()).ok_or_else(|| {
                                model.degenerate(format!(
                                    "the predecessors of latent '{}' are collinear",
                                    model.latents[l].name
                                ))
                            })?;
                        for (&k, b) in pred.iter().zip(beta.iter()) {
                            e[(k, l)] = *b;
                        }
                    }
                    for k in model.successors(l) {
                        e[(k, l)] = cor(k, l);
                    }
                }
            }
        }
        Ok(e)
    }

    /// New outer weights of every block from the inner estimates `z`.
    fn update(&self, model: &Model, z: &DMatrix<f64>, weights: &mut [f64]) -> Result<(), PlsError> {
        for (l, (lat, r)) in model.latents.iter().zip(&self.ranges).enumerate() {
            let zl = z.column(l);
            match lat.mode {
                Mode::A => {
                    let cov = self.xw.columns(r.start, r.len()).transpose() * zl / self.wsum;
                    weights[r.clone()].copy_from_slice(cov.as_slice());
                }
                Mode::B => {
                    let d = self.x.columns(r.start, r.len()).into_owned();
                    let (beta, _) = wls(&self.w, &d, zl.as_slice()).ok_or_else(|| {
                        model.degenerate(format!(
                            "the questions of formative latent '{}' are collinear",
                            lat.name
                        ))
                    })?;
                    weights[r.clone()].copy_from_slice(beta.as_slice());
                }
            }
        }
        Ok(())
    }
}

/// Fits the model on `x` (`n x p`, rows = respondents, complete data, any
/// units) with optional survey weights `w` (length `n`, finite, `>= 0`).
/// See the module documentation for the formulas.
pub fn fit(model: &Model, x: &DMatrix<f64>, w: Option<&[f64]>) -> Result<Fit, PlsError> {
    let prep = prepare(model, x, w)?;
    let nl = model.latents.len();
    let (n, p) = prep.x.shape();
    let (weights, iterations) = outer_weights(&prep, model)?;

    // Final scores: X W, of mean 0 (X is centred) and variance 1.
    let mut scores = DMatrix::zeros(n, nl);
    for (l, r) in prep.ranges.iter().enumerate() {
        let wl = DVector::from_column_slice(&weights[r.clone()]);
        scores.set_column(l, &(prep.x.columns(r.start, r.len()) * wl));
    }
    let (paths, inner) = inner_model(&prep, model, &scores)?;
    let mut r2 = vec![0.0; nl];
    for i in &inner {
        r2[i.latent] = i.r2;
    }

    // Outer model and cross-loadings.
    let mut crossloadings = DMatrix::zeros(p, nl);
    for j in 0..p {
        for l in 0..nl {
            crossloadings[(j, l)] = wcor(
                &prep.w,
                prep.wsum,
                prep.x.column(j).as_slice(),
                scores.column(l).as_slice(),
            );
        }
    }
    let mut outer = Vec::with_capacity(p);
    for (l, (lat, r)) in model.latents.iter().zip(&prep.ranges).enumerate() {
        for (&column, j) in lat.block.iter().zip(r.clone()) {
            let loading = crossloadings[(j, l)];
            let communality = loading * loading;
            outer.push(Outer {
                latent: l,
                column,
                weight: weights[j],
                loading,
                communality,
                redundancy: communality * r2[l],
                unstd_weight: weights[j] / prep.sds[j],
            });
        }
    }

    let (summary, gof) = summarise(model, &prep, &outer, &r2);
    let effects = effects(model, &paths);
    let index = indices(&prep, &weights);

    Ok(Fit {
        n: x.nrows(),
        iterations,
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

/// Steps 2-4 of the algorithm: the normalised outer weights (one per used
/// column) and the iterations they took.
fn outer_weights(prep: &Prepared, model: &Model) -> Result<(Vec<f64>, usize), PlsError> {
    // Unit starting weights, scaled so that every score has variance 1.
    let mut weights = vec![1.0; prep.x.ncols()];
    normalise(prep, model, &mut weights)?;
    let mut old = weights.clone();
    let mut iterations = 0;
    let mut delta = f64::INFINITY;
    while iterations < model.max_iter {
        iterations += 1;
        let y = prep.scores(model, &weights)?;
        let e = prep.inner_weights(model, &y)?;
        let z = &y * &e;
        prep.update(model, &z, &mut weights)?;
        delta = old
            .iter()
            .zip(&weights)
            .map(|(a, b)| (a.abs() - b.abs()).powi(2))
            .sum();
        if delta < model.tol {
            break;
        }
        old.copy_from_slice(&weights);
    }
    // R plspm also gives up when the rule is met only at the last allowed
    // iteration; a change below the tolerance is accepted here, as in the
    // Python port.
    let converged = delta < model.tol;
    if !converged {
        return Err(PlsError::NotConverged {
            model: model.name.clone(),
            max_iter: model.max_iter,
            delta,
            tol: model.tol,
        });
    }
    normalise(prep, model, &mut weights)?;
    Ok((weights, iterations))
}

/// The regression of every endogenous latent's score on its predecessors'
/// scores: the `L x L` path coefficients and one [`Inner`] per endogenous
/// latent.
fn inner_model(
    prep: &Prepared,
    model: &Model,
    scores: &DMatrix<f64>,
) -> Result<(DMatrix<f64>, Vec<Inner>), PlsError> {
    let (n, nl) = scores.shape();
    let mut paths = DMatrix::zeros(nl, nl);
    let mut inner = Vec::new();
    for l in 0..nl {
        let pred = model.predecessors(l);
        if pred.is_empty() {
            continue;
        }
        let k = pred.len();
        let mut d = DMatrix::from_element(n, k + 1, 1.0);
        for (j, &q) in pred.iter().enumerate() {
            d.set_column(j + 1, &scores.column(q));
        }
        let yl = scores.column(l);
        let (beta, inv) = wls(&prep.w, &d, yl.as_slice()).ok_or_else(|| {
            model.degenerate(format!(
                "the predecessors of latent '{}' are collinear",
                model.latents[l].name
            ))
        })?;
        let resid = yl - &d * &beta;
        let rss = wdot(&prep.w, resid.as_slice(), resid.as_slice());
        let my = wmean(&prep.w, prep.wsum, yl.as_slice());
        let tss: f64 = prep
            .w
            .iter()
            .zip(yl.iter())
            .map(|(w, y)| w * (y - my).powi(2))
            .sum();
        let df = (prep.n_pos - k - 1) as f64;
        let sigma2 = rss / df;
        let r2 = 1.0 - rss / tss;
        let coefs = pred
            .iter()
            .enumerate()
            .map(|(j, &q)| {
                let estimate = beta[j + 1];
                paths[(q, l)] = estimate;
                let se = (sigma2 * inv[(j + 1, j + 1)]).sqrt();
                let t = estimate / se;
                Coef {
                    from: q,
                    estimate,
                    se,
                    t,
                    p: super::t_two_sided_p(t, df),
                }
            })
            .collect();
        inner.push(Inner {
            latent: l,
            r2,
            intercept: beta[0],
            coefs,
        });
    }
    Ok((paths, inner))
}

/// The inner summary of every latent and the GoF (NaN when every block has a
/// single column or every R² is 0).
fn summarise(
    model: &Model,
    prep: &Prepared,
    outer: &[Outer],
    r2: &[f64],
) -> (Vec<LatentSummary>, f64) {
    let mut summary = Vec::with_capacity(model.latents.len());
    let (mut comm_sum, mut comm_n) = (0.0, 0usize);
    for (l, (lat, r)) in model.latents.iter().zip(&prep.ranges).enumerate() {
        let block = &outer[r.clone()];
        let m = block.len() as f64;
        let comm: f64 = block.iter().map(|o| o.communality).sum();
        let red: f64 = block.iter().map(|o| o.redundancy).sum();
        if block.len() > 1 {
            comm_sum += comm;
            comm_n += block.len();
        }
        summary.push(LatentSummary {
            name: lat.name.clone(),
            endogenous: !model.predecessors(l).is_empty(),
            r2: r2[l],
            block_communality: comm / m,
            mean_redundancy: red / m,
            ave: (lat.mode == Mode::A).then(|| {
                let unexplained: f64 = block.iter().map(|o| 1.0 - o.communality).sum();
                comm / (comm + unexplained)
            }),
        });
    }
    let endo_r2: Vec<f64> = summary
        .iter()
        .filter(|s| s.endogenous && s.r2 != 0.0)
        .map(|s| s.r2)
        .collect();
    let gof = if comm_n > 0 && !endo_r2.is_empty() {
        let mean_r2 = endo_r2.iter().sum::<f64>() / endo_r2.len() as f64;
        (comm_sum / comm_n as f64 * mean_r2).sqrt()
    } else {
        f64::NAN
    };
    (summary, gof)
}

/// The index of every latent: `Σ u_j m_j / Σ u_j` over its block (NaN when
/// the `u_j` sum to 0).
fn indices(prep: &Prepared, weights: &[f64]) -> Vec<f64> {
    prep.ranges
        .iter()
        .map(|r| {
            let (num, den) = r.clone().fold((0.0, 0.0), |(num, den), j| {
                let u = weights[j] / prep.sds[j];
                (num + u * prep.means[j], den + u)
            });
            if den == 0.0 {
                f64::NAN
            } else {
                num / den
            }
        })
        .collect()
}

/// Scales every block's weights so that its score has population variance 1.
fn normalise(prep: &Prepared, model: &Model, weights: &mut [f64]) -> Result<(), PlsError> {
    for (lat, r) in model.latents.iter().zip(&prep.ranges) {
        let wl = DVector::from_column_slice(&weights[r.clone()]);
        let y = prep.x.columns(r.start, r.len()) * wl;
        let sd = (wdot(&prep.w, y.as_slice(), y.as_slice()) / prep.wsum).sqrt();
        if !(sd.is_finite() && sd > 0.0) {
            return Err(model.degenerate(format!(
                "the score of latent '{}' has no variance",
                lat.name
            )));
        }
        weights[r.clone()].iter_mut().for_each(|v| *v /= sd);
    }
    Ok(())
}

/// Direct, indirect and total effects of every latent on the latents it
/// reaches: total `T = Σ_{k=1}^{L-1} P^k` (`P^L = 0` in a recursive model).
/// plspm lists the pairs whose total effect is not 0; the pairs joined by a
/// directed path are listed here, the same ones unless the effects along
/// several routes cancel exactly.
fn effects(model: &Model, paths: &DMatrix<f64>) -> Vec<Effect> {
    let nl = model.latents.len();
    let mut reach = DMatrix::<f64>::zeros(nl, nl);
    let mut structure = DMatrix::<f64>::zeros(nl, nl);
    for &(a, b) in &model.paths {
        structure[(a, b)] = 1.0;
    }
    let mut total = DMatrix::zeros(nl, nl);
    let (mut power, mut spower) = (paths.clone(), structure.clone());
    for _ in 1..nl {
        total += &power;
        reach += &spower;
        power = &power * paths;
        spower = &spower * &structure;
    }
    let mut out = Vec::new();
    for from in 0..nl {
        for to in 0..nl {
            if reach[(from, to)] > 0.0 {
                let (direct, total) = (paths[(from, to)], total[(from, to)]);
                out.push(Effect {
                    from,
                    to,
                    direct,
                    indirect: total - direct,
                    total,
                });
            }
        }
    }
    out
}

/// The statistics one bootstrap replicate contributes, in [`Boot`] order.
fn boot_values(model: &Model, f: &Fit) -> Vec<f64> {
    let mut v: Vec<f64> = model.paths.iter().map(|&(a, b)| f.paths[(a, b)]).collect();
    v.extend(f.outer.iter().map(|o| o.weight));
    v.extend(f.outer.iter().map(|o| o.loading));
    v.extend(f.summary.iter().map(|s| s.r2));
    v.extend(f.index.iter().copied());
    v
}

/// Bootstrap of the model: `b` resamples of the respondents (rows of `x`,
/// with their survey weights) drawn with replacement, each fitted as by
/// [`fit`]. Replicate `r` draws from `ChaCha8Rng::seed_from_u64(seed)` on
/// stream `r`, and replicates run in parallel (rayon) but are summarised in
/// replicate order, so the results are bit-identical for a seed whatever the
/// number of threads. Replicates that cannot be fitted (no convergence, a
/// constant column in the resample) are skipped and counted in `failed`;
/// fewer than 2 fitted replicates is an error.
pub fn bootstrap(
    model: &Model,
    x: &DMatrix<f64>,
    w: Option<&[f64]>,
    b: usize,
    seed: u64,
) -> Result<Boot, PlsError> {
    let original = fit(model, x, w)?;
    let orig = boot_values(model, &original);
    let (n, p) = x.shape();
    let reps: Vec<Result<Vec<f64>, PlsError>> = (0..b)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(r as u64);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let xb = DMatrix::from_fn(n, p, |i, j| x[(rows[i], j)]);
            let wb: Option<Vec<f64>> = w.map(|w| rows.iter().map(|&i| w[i]).collect());
            fit(model, &xb, wb.as_deref()).map(|f| boot_values(model, &f))
        })
        .collect();
    let ok: Vec<&Vec<f64>> = reps.iter().flatten().collect();
    let failed = b - ok.len();
    if ok.len() < 2 {
        return Err(PlsError::Bootstrap {
            model: model.name.clone(),
            b,
            failed,
            first_error: reps
                .iter()
                .find_map(|r| r.as_ref().err().map(|e| e.to_string())),
        });
    }
    let m = ok.len() as f64;
    let stats: Vec<BootStat> = orig
        .iter()
        .enumerate()
        .map(|(k, &original)| {
            let mut v: Vec<f64> = ok.iter().map(|r| r[k]).collect();
            let mean = v.iter().sum::<f64>() / m;
            let se = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
            v.sort_by(f64::total_cmp);
            BootStat {
                original,
                mean,
                se,
                lo: quantile7(&v, 0.025),
                hi: quantile7(&v, 0.975),
            }
        })
        .collect();
    let (np, no, nl) = (model.paths.len(), original.outer.len(), model.latents.len());
    let mut it = stats.into_iter();
    let mut take = |k: usize| it.by_ref().take(k).collect::<Vec<_>>();
    Ok(Boot {
        b,
        failed,
        paths: take(np),
        weights: take(no),
        loadings: take(no),
        r2: take(nl),
        index: take(nl),
    })
}
