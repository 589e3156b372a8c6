"""Expected figures for tests/drivers.rs (METHODOLOGY 6, 7, 9), computed
without the engine by established implementations:

- correlations, standardised betas, R^2 and penalty-reward coefficients:
  statsmodels WLS (OLS when unweighted);
- Johnson's (2000) relative weights through his original construction, the
  singular value decomposition of the (weighted, standardised) predictors:
  Z = P Q' are the orthogonal variables closest to X, beta = regression of y
  on Z, Lambda = regression of X on Z, epsilon_j = sum_k Lambda_jk^2 beta_k^2
  (the engine uses the eigendecomposition of R_xx instead);
- raking: samplics' SampleWeight.rake (iterative post-stratification),
  run to a tight tolerance.

Re-run (writes the fixtures and prints the literals of tests/drivers.rs):

    python3 -m venv /tmp/pyref && /tmp/pyref/bin/pip install numpy statsmodels samplics==0.6.0
    /tmp/pyref/bin/python tests/reference/drivers_reference.py
"""
import csv
import pathlib
import warnings

import numpy as np
import statsmodels.api as sm

warnings.simplefilter("ignore")
from samplics.weighting import SampleWeight  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures"
rng = np.random.default_rng(20261123)

# ---------------------------------------------------------------- drivers
n, k = 400, 4
common = rng.normal(0, 1, n)
X = np.column_stack([0.7 * common + rng.normal(0, s, n) for s in (0.6, 0.8, 1.0, 0.5)])
X = np.round(50 + 12 * X, 4)
y = np.round(0.4 * X[:, 0] + 0.25 * X[:, 1] + 0.1 * X[:, 2] + 0.3 * X[:, 3] + rng.normal(0, 6, n), 4)
w = np.round(rng.uniform(0.4, 2.2, n), 3)
with open(ROOT / "drivers" / "drivers.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["x1", "x2", "x3", "x4", "y", "w"])
    for i in range(n):
        out.writerow([*X[i], y[i], w[i]])


def importance(X, y, w):
    sw = w.sum()
    mx = (w[:, None] * X).sum(0) / sw
    my = (w * y).sum() / sw
    sx = np.sqrt((w[:, None] * (X - mx) ** 2).sum(0) / sw)
    sy = np.sqrt((w * (y - my) ** 2).sum() / sw)
    Zx, zy = (X - mx) / sx, (y - my) / sy
    fit = sm.WLS(zy, sm.add_constant(Zx), weights=w).fit()
    r = np.array([(w * Zx[:, j] * zy).sum() / sw for j in range(X.shape[1])])
    # Johnson: SVD of the weighted standardised predictors.
    A = Zx * np.sqrt(w / sw)[:, None]
    P, d, Qt = np.linalg.svd(A, full_matrices=False)
    Z = P @ Qt                      # orthonormal columns closest to A
    b = Z.T @ (zy * np.sqrt(w / sw))  # y on Z (Z'Z = I)
    Lam = Z.T @ A                   # X on Z
    eps = (Lam ** 2).T @ (b ** 2)
    return r, fit.params[1:], fit.rsquared, eps


def fmt(v):
    return "[" + ", ".join(repr(float(x)) for x in v) + "]"


for name, wt in [("UNWEIGHTED", np.ones(n)), ("WEIGHTED", w)]:
    r, beta, r2, eps = importance(X, y, wt)
    print(f"const {name}_R: [f64; 4] = {fmt(r)};")
    print(f"const {name}_BETA: [f64; 4] = {fmt(beta)};")
    print(f"const {name}_R2: f64 = {float(r2)!r};")
    print(f"const {name}_EPS: [f64; 4] = {fmt(eps)};")

# ---------------------------------------------------------- penalty-reward
m = 300
level = rng.normal(6.5, 1.6, m)
A = np.clip(np.round(level[:, None] + rng.normal(0, 1.4, (m, 3))), 1, 10)
low, high = (A <= 4).astype(float), (A >= 9).astype(float)
out_y = np.round(60 - 12 * low[:, 0] + 3 * high[:, 0] - 4 * low[:, 1] + 10 * high[:, 1]
                 - 6 * low[:, 2] + 6 * high[:, 2] + rng.normal(0, 8, m), 3)
wk = np.round(rng.uniform(0.5, 1.5, m), 3)
with open(ROOT / "drivers" / "kano.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["a1", "a2", "a3", "outcome", "w"])
    for i in range(m):
        out.writerow([int(A[i, 0]), int(A[i, 1]), int(A[i, 2]), out_y[i], wk[i]])
D = np.column_stack([low[:, 0], high[:, 0], low[:, 1], high[:, 1], low[:, 2], high[:, 2]])
for name, wt in [("KANO_UNWEIGHTED", np.ones(m)), ("KANO_WEIGHTED", wk)]:
    fit = sm.WLS(out_y, sm.add_constant(D), weights=wt).fit()
    print(f"const {name}: [f64; 7] = {fmt(fit.params)}; // intercept, low1, high1, low2, high2, low3, high3")
    print(f"const {name}_R2: f64 = {float(fit.rsquared)!r};")

# ------------------------------------------------------------------ raking
nr = 500
region = rng.choice(["north", "south", "east"], nr, p=[0.5, 0.3, 0.2])
plan = rng.choice(["contract", "prepaid"], nr, p=[0.7, 0.3])
design = rng.choice([0.8, 1.0, 1.5], nr, p=[0.3, 0.5, 0.2])
with open(ROOT / "raking" / "sample.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["region", "plan", "design"])
    for i in range(nr):
        out.writerow([region[i], plan[i], design[i]])
total = design.sum()
targets = {"region": {"north": 0.4, "south": 0.35, "east": 0.25}, "plan": {"contract": 0.55, "prepaid": 0.45}}
control = {v: {c: t * total for c, t in m_.items()} for v, m_ in targets.items()}
raked = SampleWeight().rake(design, margins={"region": region, "plan": plan}, control=control,
                            tol=1e-13, max_iter=1000)
# One weight per class (region, plan, design).
classes = {}
for i in range(nr):
    classes.setdefault((region[i], plan[i], float(design[i])), raked[i])
print("const RAKED: [(&str, &str, f64, f64); %d] = [" % len(classes))
for (rg, pl, d), wt in sorted(classes.items()):
    print(f"    (\"{rg}\", \"{pl}\", {d!r}, {float(wt)!r}),")
print("];")
neff = raked.sum() ** 2 / (raked ** 2).sum()
print(f"const RAKED_EFFICIENCY: f64 = {float(neff / nr)!r};")
