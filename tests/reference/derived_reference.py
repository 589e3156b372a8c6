"""Expected figures of tests/fixtures/derived (METHODOLOGY 2 and 6: derived
roll-up weights), restated without the engine in numpy: per period, the
Pearson correlations of the three questions' 0-100 scores with the outcome
(respondents who answered all four, weighted), negative r as 0, normalised;
Johnson's relative weights through the SVD construction; then every
respondent's index score with those weights and the coverage rule, and the
weighted cell means.

    /tmp/pyref/bin/python tests/reference/derived_reference.py   # numpy

writes tests/fixtures/derived/responses.csv and prints the literals of
tests/analysis.rs."""
import csv
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "derived"
rng = np.random.default_rng(7)
rows = []
for period, date in (("2026-Q1", "2026-02-15"), ("2026-Q2", "2026-05-15")):
    for i in range(80):
        level = rng.normal(3.2, 0.9)
        q = [int(np.clip(np.round(level + rng.normal(0, s)), 1, 5)) for s in (0.5, 0.9, 1.3)]
        sat = int(np.clip(np.round(0.6 * q[0] + 0.3 * q[1] + 0.1 * q[2] + rng.normal(0, 0.6) + (0.3 if period == "2026-Q2" else 0)), 1, 5))
        # A few missing answers (9 = don't know).
        if rng.uniform() < 0.08:
            q[int(rng.integers(0, 3))] = 9
        w = round(float(rng.uniform(0.5, 1.5)), 2)
        rows.append((period, date, w, *q, sat))
with open(OUT / "responses.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["id", "date", "w", "q1", "q2", "q3", "sat"])
    for i, r in enumerate(rows):
        out.writerow([i + 1, r[1], r[2], *r[3:]])


def score(x):
    return np.nan if x == 9 else (x - 1) / 4 * 100


def weights(period, method):
    R = [r for r in rows if r[0] == period and 9 not in r[3:]]
    w = np.array([r[2] for r in R])
    X = np.array([[score(x) for x in r[3:6]] for r in R])
    y = np.array([score(r[6]) for r in R])
    sw = w.sum()
    mx, my = (w[:, None] * X).sum(0) / sw, (w * y).sum() / sw
    sx, sy = np.sqrt((w[:, None] * (X - mx) ** 2).sum(0) / sw), np.sqrt((w * (y - my) ** 2).sum() / sw)
    Zx, zy = (X - mx) / sx, (y - my) / sy
    if method == "correlation":
        raw = np.maximum((w[:, None] * Zx * zy[:, None]).sum(0) / sw, 0)
    else:
        A = Zx * np.sqrt(w / sw)[:, None]
        P, d, Qt = np.linalg.svd(A, full_matrices=False)
        Z = P @ Qt
        b = Z.T @ (zy * np.sqrt(w / sw))
        raw = ((Z.T @ A) ** 2).T @ (b ** 2)
    return raw / raw.sum()


def index_mean(period, v):
    num = den = 0.0
    for r in rows:
        if r[0] != period:
            continue
        s = np.array([score(x) for x in r[3:6]])
        ok = ~np.isnan(s)
        if v[ok].sum() >= 0.5 - 1e-9:
            num += r[2] * (v[ok] * s[ok]).sum() / v[ok].sum()
            den += r[2]
    return num / den


for method in ("correlation", "relative_weights"):
    name = method.upper()
    for period in ("2026-Q1", "2026-Q2"):
        v = weights(period, method)
        p = period.replace("-", "_")
        print(f"const {name}_{p}_W: [f64; 3] = [{', '.join(repr(float(x)) for x in v)}];")
        print(f"const {name}_{p}_INDEX: f64 = {float(index_mean(period, v))!r};")
    # Pinned to Q1: Q2 respondents scored with Q1's weights.
    print(f"const {name}_PINNED_2026_Q2_INDEX: f64 = {float(index_mean('2026-Q2', weights('2026-Q1', method)))!r};")
