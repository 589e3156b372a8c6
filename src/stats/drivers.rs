//! Derived importance, penalty-reward and importance-performance
//! (METHODOLOGY 6-7), from weighted moment matrices.
//!
//! The engine streams millions of rows and keeps none, so every figure here
//! comes from [`Moments`]: the weighted sums of p variables and of their
//! cross products, accumulated per combination and merged in a fixed order.
//!
//! - correlation: Pearson r of each child with the outcome;
//! - standardised OLS betas `beta = R_xx^-1 r_xy` and `R^2 = beta' r_xy`;
//! - Johnson's (2000) relative weights: with `R_xx = Q diag(l) Q'` and
//!   `Lambda = Q diag(sqrt l) Q'` (the correlations of the predictors with
//!   their best orthogonal approximations), `beta* = Lambda^-1 r_xy` and
//!   `epsilon_j = sum_k Lambda_jk^2 beta*_k^2`; `sum epsilon = R^2`, shares in
//!   % of R^2;
//! - penalty-reward (Brandt 1987): weighted OLS of the outcome on a low and a
//!   high dummy per attribute, with an intercept; penalty = coefficient of
//!   low, reward = coefficient of high;
//! - importance-performance quadrants (Martilla & James 1977).

// Checks such as `!(x > 0.0)` are meant to fail for NaN too, which the
// comparison written the other way round would not.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// Matrix code indexes several arrays by the same row or column.
#![allow(clippy::needless_range_loop)]

use std::fmt;

use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Weighted first and second moments of p variables over the rows that
/// were added: n, Σw, Σw², and Σw·d, Σw·d·d' of the deviations d = x - c
/// from a shift c (the first row added), which keeps the covariance free of
/// cancellation. Merging is exact algebra, so chunks merged in a fixed order
/// give the same bits whatever the thread count.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    p: usize,
    n: u64,
    sw: f64,
    sw2: f64,
    shift: Vec<f64>,
    s1: Vec<f64>,
    /// Upper triangle, row-major: (i, j >= i).
    s2: Vec<f64>,
}

impl Moments {
    pub fn new(p: usize) -> Self {
        Moments {
            p,
            n: 0,
            sw: 0.0,
            sw2: 0.0,
            shift: vec![0.0; p],
            s1: vec![0.0; p],
            s2: vec![0.0; p * (p + 1) / 2],
        }
    }

    pub fn p(&self) -> usize {
        self.p
    }
    pub fn n(&self) -> u64 {
        self.n
    }
    pub fn sum_w(&self) -> f64 {
        self.sw
    }
    pub fn sum_w2(&self) -> f64 {
        self.sw2
    }

    /// Adds a row `x` (length p) with weight `w`.
    #[inline]
    pub fn add(&mut self, w: f64, x: &[f64]) {
        debug_assert_eq!(x.len(), self.p);
        if self.n == 0 {
            self.shift.copy_from_slice(x);
        }
        self.n += 1;
        self.sw += w;
        self.sw2 += w * w;
        let mut k = 0;
        for i in 0..self.p {
            let di = x[i] - self.shift[i];
            self.s1[i] += w * di;
            let wdi = w * di;
            for j in i..self.p {
                self.s2[k] += wdi * (x[j] - self.shift[j]);
                k += 1;
            }
        }
    }

    /// Adds the rows of `o` (same p).
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o.clone();
            return;
        }
        // o's deviations about self's shift are d' + k, k = c' - c.
        let kv: Vec<f64> = (0..self.p).map(|i| o.shift[i] - self.shift[i]).collect();
        let mut idx = 0;
        for i in 0..self.p {
            for j in i..self.p {
                self.s2[idx] +=
                    o.s2[idx] + o.s1[i] * kv[j] + kv[i] * o.s1[j] + o.sw * kv[i] * kv[j];
                idx += 1;
            }
        }
        for i in 0..self.p {
            self.s1[i] += o.s1[i] + o.sw * kv[i];
        }
        self.n += o.n;
        self.sw += o.sw;
        self.sw2 += o.sw2;
    }

    /// Weighted means.
    pub fn means(&self) -> Vec<f64> {
        (0..self.p)
            .map(|i| self.shift[i] + self.s1[i] / self.sw)
            .collect()
    }

    /// Weighted covariance matrix, population form (divisor Σw).
    pub fn covariance(&self) -> DMatrix<f64> {
        let mut c = DMatrix::zeros(self.p, self.p);
        let mut idx = 0;
        for i in 0..self.p {
            for j in i..self.p {
                let v = self.s2[idx] / self.sw - (self.s1[i] / self.sw) * (self.s1[j] / self.sw);
                c[(i, j)] = v;
                c[(j, i)] = v;
                idx += 1;
            }
        }
        c
    }

    /// Correlation matrix; `Err(i)` when variable i has no variance.
    pub fn correlation(&self) -> Result<DMatrix<f64>, usize> {
        let c = self.covariance();
        let sd: Vec<f64> = (0..self.p).map(|i| c[(i, i)].max(0.0).sqrt()).collect();
        // A variance that is rounding residue of a constant is no variance.
        let scale = self.means().iter().fold(1.0f64, |a, m| a.max(m.abs()));
        if let Some(i) = sd.iter().position(|&s| !(s > 1e-12 * scale)) {
            return Err(i);
        }
        Ok(DMatrix::from_fn(self.p, self.p, |i, j| {
            if i == j {
                1.0
            } else {
                c[(i, j)] / (sd[i] * sd[j])
            }
        }))
    }
}

/// Why an analysis has no figures.
#[derive(Debug, Clone, PartialEq)]
pub enum DriverError {
    /// Fewer respondents than predictors + 2.
    TooFew { n: u64, needed: u64 },
    /// Variable `index` (0-based; the last is the outcome) does not vary.
    NoVariance { index: usize },
    /// The predictors are (nearly) collinear.
    Singular,
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverError::TooFew { n, needed } => write!(
                f,
                "{n} respondents answered every driver and the outcome; at least {needed} are needed"
            ),
            DriverError::NoVariance { index } => {
                write!(f, "variable {} does not vary among the respondents", index + 1)
            }
            DriverError::Singular => f.write_str("the drivers are collinear"),
        }
    }
}

impl std::error::Error for DriverError {}

/// Derived importance of k predictors (the first k variables) for the
/// outcome (the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    pub n: u64,
    pub r2: f64,
    /// Pearson r with the outcome.
    pub r: Vec<f64>,
    /// Standardised OLS coefficients.
    pub beta: Vec<f64>,
    /// Johnson's raw relative weights epsilon_j (sum = R^2).
    pub raw_weight: Vec<f64>,
    /// epsilon_j as % of R^2 (sum 100).
    pub share: Vec<f64>,
}

/// Eigenvalues below this (relative to the largest) make R_xx singular.
const SINGULAR: f64 = 1e-10;

/// Correlation, standardised betas, R^2 and relative weights.
pub fn importance(m: &Moments) -> Result<Importance, DriverError> {
    let p = m.p();
    let k = p - 1;
    let needed = k as u64 + 2;
    if m.n() < needed {
        return Err(DriverError::TooFew { n: m.n(), needed });
    }
    let r = m
        .correlation()
        .map_err(|index| DriverError::NoVariance { index })?;
    let rxx = r.view((0, 0), (k, k)).into_owned();
    let rxy = DVector::from_iterator(k, (0..k).map(|i| r[(i, k)]));
    let eig = SymmetricEigen::new(rxx);
    let lmax = eig.eigenvalues.iter().fold(0.0f64, |a, &b| a.max(b));
    if eig.eigenvalues.iter().any(|&l| !(l > SINGULAR * lmax)) {
        return Err(DriverError::Singular);
    }
    let q = &eig.eigenvectors;
    let sqrt_l = eig.eigenvalues.map(f64::sqrt);
    // beta = R_xx^-1 r_xy = Q diag(1/l) Q' r_xy.
    let qt_r = q.transpose() * &rxy;
    let beta = q * DVector::from_iterator(k, (0..k).map(|i| qt_r[i] / eig.eigenvalues[i]));
    let r2 = beta.dot(&rxy);
    // Lambda = Q diag(sqrt l) Q'; beta* = Lambda^-1 r_xy = Q diag(1/sqrt l) Q' r_xy.
    let lambda = q * DMatrix::from_diagonal(&sqrt_l) * q.transpose();
    let beta_star = q * DVector::from_iterator(k, (0..k).map(|i| qt_r[i] / sqrt_l[i]));
    let raw: Vec<f64> = (0..k)
        .map(|j| {
            (0..k)
                .map(|c| lambda[(j, c)] * lambda[(j, c)] * beta_star[c] * beta_star[c])
                .sum()
        })
        .collect();
    let total: f64 = raw.iter().sum();
    let share = raw
        .iter()
        .map(|e| if total > 0.0 { 100.0 * e / total } else { 0.0 })
        .collect();
    Ok(Importance {
        n: m.n(),
        r2,
        r: rxy.iter().copied().collect(),
        beta: beta.iter().copied().collect(),
        raw_weight: raw,
        share,
    })
}

/// Penalty-reward contrast analysis of k attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct PenaltyReward {
    pub n: u64,
    pub r2: f64,
    pub intercept: f64,
    /// Coefficient of each attribute's low dummy (`None`: nobody, or
    /// everybody, was low).
    pub penalty: Vec<Option<f64>>,
    /// Coefficient of each attribute's high dummy.
    pub reward: Vec<Option<f64>>,
}

/// Weighted OLS of the outcome (the last variable) on the dummies
/// `low_1, high_1, ..., low_k, high_k`, with an intercept. Dummies that do
/// not vary are left out of the regression.
pub fn penalty_reward(m: &Moments) -> Result<PenaltyReward, DriverError> {
    let p = m.p();
    let nd = p - 1;
    let cov = m.covariance();
    let means = m.means();
    // A 0/1 dummy's variance is p(1 - p) >= (n - 1) / n^2 unless constant.
    let used: Vec<usize> = (0..nd).filter(|&i| cov[(i, i)] > 1e-12).collect();
    let needed = used.len() as u64 + 2;
    if m.n() < needed {
        return Err(DriverError::TooFew { n: m.n(), needed });
    }
    let syy = cov[(nd, nd)];
    if !(syy > 0.0) {
        return Err(DriverError::NoVariance { index: nd });
    }
    let q = used.len();
    let sxx = DMatrix::from_fn(q, q, |i, j| cov[(used[i], used[j])]);
    let sxy = DVector::from_iterator(q, used.iter().map(|&i| cov[(i, nd)]));
    let b = if q == 0 {
        DVector::zeros(0)
    } else {
        let chol = nalgebra::Cholesky::new(sxx).ok_or(DriverError::Singular)?;
        chol.solve(&sxy)
    };
    let r2 = if q == 0 { 0.0 } else { b.dot(&sxy) / syy };
    let intercept = means[nd]
        - used
            .iter()
            .zip(b.iter())
            .map(|(&i, c)| means[i] * c)
            .sum::<f64>();
    let mut coef = vec![None; nd];
    for (&i, &c) in used.iter().zip(b.iter()) {
        coef[i] = Some(c);
    }
    Ok(PenaltyReward {
        n: m.n(),
        r2,
        intercept,
        penalty: (0..nd / 2).map(|a| coef[2 * a]).collect(),
        reward: (0..nd / 2).map(|a| coef[2 * a + 1]).collect(),
    })
}

/// A Kano-type class from penalty-reward (METHODOLOGY 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KanoClass {
    /// Dissatisfier: low scores hurt much more than high scores help.
    Basic,
    Performance,
    /// Delighter: high scores help much more than low scores hurt.
    Excitement,
}

/// The class of an attribute: the penalty's size is `max(-penalty, 0)`
/// (a low score that raises the outcome is no penalty), the reward's
/// `max(reward, 0)`; basic when the penalty exceeds `ratio` x the reward,
/// excitement when the reward exceeds `ratio` x the penalty, performance
/// otherwise. `None` when either coefficient is missing or both are 0.
pub fn kano_class(penalty: Option<f64>, reward: Option<f64>, ratio: f64) -> Option<KanoClass> {
    let pen = (-penalty?).max(0.0);
    let rew = reward?.max(0.0);
    if pen == 0.0 && rew == 0.0 {
        return None;
    }
    Some(if pen > ratio * rew {
        KanoClass::Basic
    } else if rew > ratio * pen {
        KanoClass::Excitement
    } else {
        KanoClass::Performance
    })
}

/// A quadrant of the importance-performance matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High importance, low performance.
    ConcentrateHere,
    /// High importance, high performance.
    KeepUp,
    /// Low importance, low performance.
    LowPriority,
    /// Low importance, high performance.
    PossibleOverkill,
}

impl Quadrant {
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::ConcentrateHere => "concentrate_here",
            Quadrant::KeepUp => "keep_up",
            Quadrant::LowPriority => "low_priority",
            Quadrant::PossibleOverkill => "possible_overkill",
        }
    }
}

/// The quadrant of (importance x, performance y) for lines at (x_line,
/// y_line); a point on a line counts as high.
pub fn quadrant(x: f64, y: f64, x_line: f64, y_line: f64) -> Quadrant {
    match (x >= x_line, y >= y_line) {
        (true, false) => Quadrant::ConcentrateHere,
        (true, true) => Quadrant::KeepUp,
        (false, false) => Quadrant::LowPriority,
        (false, true) => Quadrant::PossibleOverkill,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_equals_accumulating() {
        let rows = [
            [1.0, 2.0, 30.0],
            [2.0, 1.0, 10.0],
            [4.0, 7.0, 55.5],
            [3.0, 3.0, 20.0],
            [9.0, 1.0, 90.0],
        ];
        let w = [1.0, 0.5, 2.0, 1.5, 1.0];
        let mut whole = Moments::new(3);
        for (r, &x) in rows.iter().zip(&w) {
            whole.add(x, r);
        }
        let mut a = Moments::new(3);
        let mut b = Moments::new(3);
        for i in 0..2 {
            a.add(w[i], &rows[i]);
        }
        for i in 2..5 {
            b.add(w[i], &rows[i]);
        }
        a.merge(&b);
        let (c1, c2) = (whole.covariance(), a.covariance());
        for i in 0..3 {
            for j in 0..3 {
                assert!((c1[(i, j)] - c2[(i, j)]).abs() < 1e-10);
            }
        }
        assert_eq!(a.n(), 5);
    }

    #[test]
    fn quadrants_and_classes() {
        assert_eq!(quadrant(2.0, 1.0, 1.0, 2.0), Quadrant::ConcentrateHere);
        assert_eq!(quadrant(1.0, 2.0, 1.0, 2.0), Quadrant::KeepUp);
        assert_eq!(
            kano_class(Some(-3.0), Some(1.0), 1.5),
            Some(KanoClass::Basic)
        );
        assert_eq!(
            kano_class(Some(-1.0), Some(3.0), 1.5),
            Some(KanoClass::Excitement)
        );
        assert_eq!(
            kano_class(Some(-2.0), Some(2.5), 1.5),
            Some(KanoClass::Performance)
        );
        assert_eq!(
            kano_class(Some(1.0), Some(2.0), 1.5),
            Some(KanoClass::Excitement)
        );
        assert_eq!(kano_class(None, Some(2.0), 1.5), None);
    }
}
