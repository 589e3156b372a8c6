"""Expected figures of tests/fixtures/shares (METHODOLOGY 5), restated from
the formulas without the engine; pure Python (math, statistics).

    python3 tests/reference/shares_reference.py

prints the literals pasted into tests/analysis.rs."""
import math
from statistics import NormalDist

ROWS = [  # period, plan, w, sat, rec (None = missing)
    ("2026-Q1", "a", 1.0, 5, 10), ("2026-Q1", "a", 2.0, 4, 9), ("2026-Q1", "a", 1.0, 3, 8),
    ("2026-Q1", "b", 0.5, 2, 6), ("2026-Q1", "b", 1.5, 1, 3), ("2026-Q1", "b", 1.0, 5, None),
    ("2026-Q2", "a", 1.0, 5, 10), ("2026-Q2", "a", 1.0, 4, 10), ("2026-Q2", "a", 2.0, 3, 7),
    ("2026-Q2", "b", 1.0, 4, 0), ("2026-Q2", "b", 1.0, 2, 9), ("2026-Q2", "b", 0.5, 3, 5),
]
Z = NormalDist().inv_cdf(0.975)


def share(rows, pred):
    w = [r[2] for r in rows]
    W = sum(w)
    p = sum(r[2] for r in rows if pred(r)) / W
    neff = W * W / sum(x * x for x in w)
    se = 100 * math.sqrt(p * (1 - p) / neff)
    m = 100 * p
    return m, se, max(0.0, m - Z * se), min(100.0, m + Z * se)


def nps(rows):
    rows = [r for r in rows if r[4] is not None]
    w = [r[2] for r in rows]
    W = sum(w)
    pp = sum(r[2] for r in rows if r[4] >= 9) / W
    pd = sum(r[2] for r in rows if r[4] <= 6) / W
    neff = W * W / sum(x * x for x in w)
    m = 100 * (pp - pd)
    se = 100 * math.sqrt((pp + pd - (pp - pd) ** 2) / neff)
    return m, se, max(-100.0, m - Z * se), min(100.0, m + Z * se)


def z(a, b):
    d = a[0] - b[0]
    v = a[1] ** 2 + b[1] ** 2
    if v == 0:
        return None
    zz = d / math.sqrt(v)
    return d, zz, 2 * (1 - NormalDist().cdf(abs(zz)))


def cells(f):
    out = {}
    for p in ("2026-Q1", "2026-Q2"):
        out[(p, "total")] = f([r for r in ROWS if r[0] == p])
        for g in ("a", "b"):
            out[(p, g)] = f([r for r in ROWS if r[0] == p and r[1] == g])
    return out


def lit(x):
    return "f64::NAN" if x is None else repr(float(x))


for name, measure, f in [
    ("TOP2", "sat.top2", lambda rows: share(rows, lambda r: r[3] >= 4)),
    ("BOTTOM1", "sat.bottom1", lambda rows: share(rows, lambda r: r[3] <= 1)),
    ("NPS", "nps", nps),
]:
    c = cells(f)
    print(f"// {measure}: (period, group) -> mean, se, ci_low, ci_high")
    print(f"const {name}: [(&str, &str, [f64; 4]); 6] = [")
    for k, v in c.items():
        print(f"    (\"{k[0]}\", \"{k[1]}\", [{', '.join(lit(x) for x in v)}]),")
    print("];")
    for what, a, b in [("PREV", ("2026-Q2", "total"), ("2026-Q1", "total")),
                       ("REST", ("2026-Q2", "a"), ("2026-Q2", "b"))]:
        r = z(c[a], c[b])
        vals = ", ".join(lit(x) for x in r) if r else "f64::NAN, f64::NAN, f64::NAN"
        print(f"const {name}_{what}: [f64; 3] = [{vals}]; // delta, z, p")
