//! Raking (METHODOLOGY 9): iterative proportional fitting of respondent
//! weights to population margins, with optional trimming.
//!
//! The engine aggregates respondents into classes (the same category on
//! every raking variable and the same design weight) before raking, since
//! every respondent of a class gets the same weight; the result is exact for
//! any number of respondents with a table the size of the classes.
//!
//! Starting from the design weights, each margin in turn scales the weights
//! of each of its categories so that the category's weighted total is
//! `target share x total design weight`; sweeps repeat until every margin is
//! met within `tol` (relative) or `max_iter` sweeps have run, an error that
//! names the margin furthest from its targets. With trimming, weights are
//! capped to `[lo, hi] x` the mean weight after a converged sweep and the
//! raking goes on, until the margins are met with every weight inside the
//! caps. The final weights sum to the total design weight.

// Checks such as `!(x > 0.0)` are meant to fail for NaN too, which the
// comparison written the other way round would not.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::fmt;

/// Population shares of the categories of one raking variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    pub name: String,
    pub categories: Vec<String>,
    /// Shares, summing to 1.
    pub targets: Vec<f64>,
}

/// Respondents that share their categories and design weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Category index in each margin, in margin order.
    pub cats: Vec<u32>,
    pub design: f64,
    /// Respondents in the class.
    pub count: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RakeOptions {
    /// Relative tolerance on every category total.
    pub tol: f64,
    /// Maximum number of sweeps over the margins.
    pub max_iter: usize,
    /// Caps as multiples of the mean weight.
    pub trim: Option<(f64, f64)>,
}

impl Default for RakeOptions {
    fn default() -> Self {
        RakeOptions {
            tol: 1e-6,
            max_iter: 100,
            trim: None,
        }
    }
}

/// The raked weights and how they were reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Raked {
    /// Final weight of each respondent of each class (in class order).
    pub weights: Vec<f64>,
    /// Sweeps over the margins.
    pub iterations: usize,
    /// Largest relative deviation of a category total from its target.
    pub max_error: f64,
    /// Respondents, effective base `(Σw)² / Σw²` and `n_eff / n`.
    pub n: f64,
    pub n_eff: f64,
    pub efficiency: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RakeError {
    /// A category with a positive target has no respondent (or only
    /// respondents of weight 0).
    EmptyCategory { margin: String, category: String },
    /// The margins were not all met within `max_iter` sweeps.
    NotConverged {
        margin: String,
        iterations: usize,
        error: f64,
    },
    /// No respondent with a positive design weight.
    NoWeight,
    /// A class refers to a category its margin does not have.
    BadCategory { margin: String, index: u32 },
}

impl fmt::Display for RakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RakeError::EmptyCategory { margin, category } => write!(
                f,
                "category `{category}` of margin `{margin}` has a target but no respondent (with a positive weight); remove it from the margin or merge it with a neighbour"
            ),
            RakeError::NotConverged {
                margin,
                iterations,
                error,
            } => write!(
                f,
                "margin `{margin}` is still {:.3} % off its targets after {iterations} iterations; raise max_iter, loosen the trimming, or check that the margins are compatible",
                100.0 * error
            ),
            RakeError::NoWeight => f.write_str("no respondent has a positive design weight"),
            RakeError::BadCategory { margin, index } => {
                write!(f, "margin `{margin}` has no category {index}")
            }
        }
    }
}

impl std::error::Error for RakeError {}

/// Rakes the classes to the margins (see the module documentation).
pub fn rake(classes: &[Class], margins: &[Margin], opts: &RakeOptions) -> Result<Raked, RakeError> {
    let total: f64 = classes.iter().map(|c| c.count * c.design).sum();
    if !(total > 0.0) {
        return Err(RakeError::NoWeight);
    }
    for (m, margin) in margins.iter().enumerate() {
        let mut present = vec![false; margin.categories.len()];
        for c in classes {
            let k = c.cats[m];
            let slot = present
                .get_mut(k as usize)
                .ok_or_else(|| RakeError::BadCategory {
                    margin: margin.name.clone(),
                    index: k,
                })?;
            if c.design > 0.0 && c.count > 0.0 {
                *slot = true;
            }
        }
        if let Some(k) = (0..present.len()).find(|&k| !present[k] && margin.targets[k] > 0.0) {
            return Err(RakeError::EmptyCategory {
                margin: margin.name.clone(),
                category: margin.categories[k].clone(),
            });
        }
    }
    let mut w: Vec<f64> = classes.iter().map(|c| c.design).collect();
    let totals = |w: &[f64], m: usize, len: usize| {
        let mut s = vec![0.0; len];
        for (c, &x) in classes.iter().zip(w) {
            s[c.cats[m] as usize] += c.count * x;
        }
        s
    };
    // Largest relative deviation from the targets, and its margin.
    let deviation = |w: &[f64]| {
        let mut worst = (0.0f64, 0usize);
        for (m, margin) in margins.iter().enumerate() {
            let s = totals(w, m, margin.targets.len());
            for (k, &t) in margin.targets.iter().enumerate() {
                let goal = t * total;
                if goal > 0.0 {
                    let e = (s[k] / goal - 1.0).abs();
                    if e > worst.0 {
                        worst = (e, m);
                    }
                }
            }
        }
        worst
    };
    let n: f64 = classes.iter().map(|c| c.count).sum();
    let mut iterations = 0;
    loop {
        let (err, worst) = deviation(&w);
        let trimmed = err <= opts.tol && trim(classes, &mut w, n, opts.trim, opts.tol);
        if err <= opts.tol && !trimmed {
            let sw: f64 = classes.iter().zip(&w).map(|(c, x)| c.count * x).sum();
            let sw2: f64 = classes.iter().zip(&w).map(|(c, x)| c.count * x * x).sum();
            let n_eff = sw * sw / sw2;
            return Ok(Raked {
                weights: w,
                iterations,
                max_error: err,
                n,
                n_eff,
                efficiency: n_eff / n,
            });
        }
        if iterations == opts.max_iter {
            return Err(RakeError::NotConverged {
                margin: margins[worst].name.clone(),
                iterations,
                error: err,
            });
        }
        iterations += 1;
        for (m, margin) in margins.iter().enumerate() {
            let s = totals(&w, m, margin.targets.len());
            let factor: Vec<f64> = margin
                .targets
                .iter()
                .zip(&s)
                .map(|(&t, &sk)| if sk > 0.0 { t * total / sk } else { 1.0 })
                .collect();
            for (c, x) in classes.iter().zip(w.iter_mut()) {
                *x *= factor[c.cats[m] as usize];
            }
        }
    }
}

/// Caps the (positive) weights to `[lo, hi] x` their mean; true when a
/// weight changed by more than `tol` x the mean.
fn trim(classes: &[Class], w: &mut [f64], n: f64, caps: Option<(f64, f64)>, tol: f64) -> bool {
    let Some((lo, hi)) = caps else {
        return false;
    };
    let mean = classes
        .iter()
        .zip(w.iter())
        .map(|(c, x)| c.count * x)
        .sum::<f64>()
        / n;
    let (a, b) = (lo * mean, hi * mean);
    let mut changed = false;
    for (c, x) in classes.iter().zip(w.iter_mut()) {
        if c.count == 0.0 || *x == 0.0 {
            continue;
        }
        let y = x.clamp(a, b);
        if (y - *x).abs() > tol * mean {
            changed = true;
        }
        *x = y;
    }
    changed
}
