//! Statistics of METHODOLOGY 3-4: cell estimates from sufficient statistics
//! (weighted mean, Kish effective base, Taylor-linearised standard error,
//! t confidence interval), base-size rules, and Welch's t-test.

pub mod drivers;
pub mod pls;
pub mod raking;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Number of sufficient statistics kept per cell and measure.
pub const NSTAT: usize = 7;

/// Sufficient statistics of a cell and measure, over respondents with a
/// score y and weight w, taken about a shift c (the first score the
/// accumulator saw), d = y - c:
/// `[n, Σw, Σw², Σw·d, Σw²·d, Σw²·d², c]`. They add up (after aligning the
/// shifts), so cells can be merged (chunks, groups into "rest") without the
/// rows. The shift keeps the variance free of cancellation: a cell whose
/// scores are all equal has d = 0 throughout and a standard error of exactly
/// 0, not a rounding residue that a test would call significant.
pub type Suff = [f64; NSTAT];

#[inline]
pub fn add_obs(s: &mut [f64], w: f64, y: f64) {
    if s[0] == 0.0 {
        s[6] = y;
    }
    let d = y - s[6];
    let w2 = w * w;
    s[0] += 1.0;
    s[1] += w;
    s[2] += w2;
    s[3] += w * d;
    s[4] += w2 * d;
    s[5] += w2 * d * d;
}

/// Merges accumulators `other` into `acc` (slices of whole accumulators).
#[inline]
pub fn add_suff(acc: &mut [f64], other: &[f64]) {
    for (a, b) in acc.chunks_exact_mut(NSTAT).zip(other.chunks_exact(NSTAT)) {
        merge(a, b);
    }
}

#[inline]
fn merge(a: &mut [f64], b: &[f64]) {
    if b[0] == 0.0 {
        return;
    }
    if a[0] == 0.0 {
        a.copy_from_slice(b);
        return;
    }
    // b's deviations are about b[6]; about a[6] they are d + k.
    let k = b[6] - a[6];
    a[0] += b[0];
    a[1] += b[1];
    a[2] += b[2];
    if k == 0.0 {
        a[3] += b[3];
        a[4] += b[4];
        a[5] += b[5];
    } else {
        a[3] += b[3] + k * b[1];
        a[5] += b[5] + 2.0 * k * b[4] + k * k * b[2];
        a[4] += b[4] + k * b[2];
    }
}

/// Base-size flag of a cell (METHODOLOGY 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    #[serde(rename = "")]
    None,
    /// n < min_base: shown, never marked significant.
    LowBase,
    /// n < min_report: no mean shown.
    Suppressed,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::None => "",
            Flag::LowBase => "low_base",
            Flag::Suppressed => "suppressed",
        }
    }
}

/// The rules an estimate is made under.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub alpha: f64,
    pub min_base: u64,
    pub min_report: u64,
}

/// One cell's estimate of one measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub n: u64,
    pub weighted_n: f64,
    pub n_eff: Option<f64>,
    pub mean: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub flag: Flag,
}

/// Two-sided critical value `t_{1-alpha/2, df}`.
pub fn t_critical(alpha: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(1.0 - alpha / 2.0),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => (2.0 * d.sf(t.abs())).min(1.0),
        Err(_) => f64::NAN,
    }
}

/// The estimate of a cell from its sufficient statistics (METHODOLOGY 3).
pub fn estimate(s: &Suff, rules: &Rules) -> Estimate {
    let n = s[0] as u64;
    let w = s[1];
    let n_eff = (s[2] > 0.0).then(|| w * w / s[2]);
    let flag = if n < rules.min_report {
        Flag::Suppressed
    } else if n < rules.min_base {
        Flag::LowBase
    } else {
        Flag::None
    };
    let mut e = Estimate {
        n,
        weighted_n: w,
        n_eff,
        mean: None,
        se: None,
        ci_low: None,
        ci_high: None,
        flag,
    };
    if flag == Flag::Suppressed || n == 0 || w <= 0.0 {
        if n > 0 && w <= 0.0 && flag != Flag::Suppressed {
            // Respondents all with weight 0: no mean can be formed.
            e.flag = Flag::Suppressed;
        }
        return e;
    }
    // Mean of the deviations, then Σw²(y - m)² = Σw²(d - md)².
    let md = s[3] / w;
    let m = s[6] + md;
    e.mean = Some(m);
    if n >= 2 {
        let ss = (s[5] - 2.0 * md * s[4] + md * md * s[2]).max(0.0);
        let nf = n as f64;
        let se = (nf / (nf - 1.0) * ss).sqrt() / w;
        e.se = Some(se);
        let t = t_critical(rules.alpha, nf - 1.0);
        e.ci_low = Some(m - t * se);
        e.ci_high = Some(m + t * se);
    }
    e
}

/// Standard normal two-sided critical value `z_{1-alpha/2}`.
pub fn z_critical(alpha: f64) -> f64 {
    use statrs::distribution::Normal;
    Normal::new(0.0, 1.0)
        .map(|d| d.inverse_cdf(1.0 - alpha / 2.0))
        .unwrap_or(f64::NAN)
}

/// Two-sided p-value of a standard normal statistic.
pub fn z_two_sided_p(z: f64) -> f64 {
    use statrs::distribution::Normal;
    Normal::new(0.0, 1.0)
        .map(|d| (2.0 * d.sf(z.abs())).min(1.0))
        .unwrap_or(f64::NAN)
}

/// The estimate of a share (METHODOLOGY 5) from the statistics of a 0/100
/// indicator: the mean is the share in %, `se = 100 sqrt(p (1 - p) / n_eff)`,
/// and the interval is `m -+ z se`, kept inside 0..100.
pub fn estimate_share(s: &Suff, rules: &Rules) -> Estimate {
    let mut e = estimate(s, rules);
    if let (Some(m), Some(n_eff)) = (e.mean, e.n_eff) {
        let p = (m / 100.0).clamp(0.0, 1.0);
        e.mean = Some(100.0 * p);
        if e.n >= 2 {
            let se = 100.0 * (p * (1.0 - p) / n_eff).sqrt();
            let z = z_critical(rules.alpha);
            e.se = Some(se);
            e.ci_low = Some((100.0 * p - z * se).max(0.0));
            e.ci_high = Some((100.0 * p + z * se).min(100.0));
        }
    }
    e
}

/// The estimate of an NPS (METHODOLOGY 5) from the statistics of the
/// -100/0/100 indicator and of its promoter and detractor shares (same
/// respondents): `NPS = 100 (p_P - p_D)`,
/// `se = 100 sqrt((p_P + p_D - (p_P - p_D)^2) / n_eff)`, interval `-+ z se`.
pub fn estimate_nps(s: &Suff, promoters: &Suff, detractors: &Suff, rules: &Rules) -> Estimate {
    let mut e = estimate(s, rules);
    let (Some(_), Some(n_eff)) = (e.mean, e.n_eff) else {
        return e;
    };
    let share = |x: &Suff| {
        let w = x[1];
        if w > 0.0 {
            ((x[6] + x[3] / w) / 100.0).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let (pp, pd) = (share(promoters), share(detractors));
    let nps = 100.0 * (pp - pd);
    e.mean = Some(nps);
    e.se = None;
    e.ci_low = None;
    e.ci_high = None;
    if e.n >= 2 {
        let se = 100.0 * ((pp + pd - (pp - pd) * (pp - pd)).max(0.0) / n_eff).sqrt();
        let z = z_critical(rules.alpha);
        e.se = Some(se);
        e.ci_low = Some((nps - z * se).max(-100.0));
        e.ci_high = Some((nps + z * se).min(100.0));
    }
    e
}

/// Welch's two-sample t-test between two independent cells (METHODOLOGY 4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    pub delta: f64,
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p: Option<f64>,
    pub significant: bool,
}

/// `None` when either cell has no mean; t, df and p are `None` when a
/// standard error is undefined or both are zero. Never significant when
/// either cell has a low base.
pub fn welch(a: &Estimate, b: &Estimate, alpha: f64) -> Option<Welch> {
    two_sample(a, b, alpha, |delta, v1, v2| {
        if a.n < 2 || b.n < 2 {
            return None;
        }
        let v = v1 + v2;
        let t = delta / v.sqrt();
        let df = v * v / (v1 * v1 / (a.n as f64 - 1.0) + v2 * v2 / (b.n as f64 - 1.0));
        Some((t, Some(df), t_two_sided_p(t, df)))
    })
}

/// z-test of two independent shares or NPS (METHODOLOGY 5):
/// `z = d / sqrt(se1^2 + se2^2)`, two-sided normal p; reported in the `t`
/// column with no degrees of freedom. Same rules as [`welch`].
pub fn ztest(a: &Estimate, b: &Estimate, alpha: f64) -> Option<Welch> {
    two_sample(a, b, alpha, |delta, v1, v2| {
        let z = delta / (v1 + v2).sqrt();
        Some((z, None, z_two_sided_p(z)))
    })
}

/// A test of two independent cells: `stat(delta, se1^2, se2^2)` gives the
/// statistic, df and p when both variances are known and not both 0.
fn two_sample(
    a: &Estimate,
    b: &Estimate,
    alpha: f64,
    stat: impl Fn(f64, f64, f64) -> Option<(f64, Option<f64>, f64)>,
) -> Option<Welch> {
    let delta = a.mean? - b.mean?;
    let mut r = Welch {
        delta,
        t: None,
        df: None,
        p: None,
        significant: false,
    };
    if let (Some(se1), Some(se2)) = (a.se, b.se) {
        let (v1, v2) = (se1 * se1, se2 * se2);
        if v1 + v2 > 0.0 {
            if let Some((t, df, p)) = stat(delta, v1, v2) {
                r.t = Some(t);
                r.df = df;
                r.p = Some(p);
                r.significant = p < alpha && a.flag == Flag::None && b.flag == Flag::None;
            }
        }
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(obs: &[(f64, f64)]) -> Suff {
        let mut s = [0.0; NSTAT];
        for &(w, y) in obs {
            add_obs(&mut s, w, y);
        }
        s
    }

    #[test]
    fn merging_equals_accumulating() {
        let obs = [
            (1.0, 10.0),
            (2.0, 20.0),
            (0.5, 77.5),
            (1.5, 3.0),
            (1.0, 100.0),
        ];
        let whole = acc(&obs);
        let mut merged = acc(&obs[..2]);
        add_suff(&mut merged, &acc(&obs[2..]));
        let rules = Rules {
            alpha: 0.05,
            min_base: 0,
            min_report: 0,
        };
        let (a, b) = (estimate(&whole, &rules), estimate(&merged, &rules));
        assert!((a.mean.unwrap() - b.mean.unwrap()).abs() < 1e-12);
        assert!((a.se.unwrap() - b.se.unwrap()).abs() < 1e-12);
        // Merging into an empty accumulator copies it.
        let mut empty = [0.0; NSTAT];
        add_suff(&mut empty, &whole);
        assert_eq!(empty, whole);
    }

    #[test]
    fn constant_scores_have_exactly_zero_se_across_merges() {
        let y = 200.0 / 3.0;
        let mut a = acc(&[(1.0, y), (0.7, y)]);
        add_suff(&mut a, &acc(&[(1.3, y); 5]));
        let e = estimate(
            &a,
            &Rules {
                alpha: 0.05,
                min_base: 0,
                min_report: 0,
            },
        );
        assert_eq!(e.mean, Some(y));
        assert_eq!(e.se, Some(0.0));
    }
}
