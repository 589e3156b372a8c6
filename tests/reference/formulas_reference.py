#!/usr/bin/env python3
"""Reference values for tests/formulas.rs, computed independently of the engine.

Every number that tests/formulas.rs compares the engine against comes from
this script (or from hand arithmetic written out in the test's comments). The
script implements METHODOLOGY.md sections 1-4 directly from the formulas, in
the most literal form (two-pass sums, no sufficient statistics), and uses
scipy for the t distribution and Welch's test. It does not read the engine's
output or its config parser: the fixtures' hierarchies are restated below by
hand, and only their responses.csv files are read.

Run (from the repository root):

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install scipy numpy
    /tmp/refvenv/bin/python tests/reference/formulas_reference.py

It prints Rust literals, section by section, that are pasted into
tests/formulas.rs (repr() of a float has 17 significant digits).
"""

import csv
import math
import os
from fractions import Fraction

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
ALPHA = 0.05


def lit(x):
    """A Rust literal for an f64 / Option<f64>."""
    if x is None:
        return "None"
    return "Some(%s)" % flt(x)


def flt(x):
    r = repr(float(x))
    if "e" not in r and "." not in r and "inf" not in r and "nan" not in r:
        r += ".0"
    return r


# ---------------------------------------------------------------- section 1


def score(x, lo, hi, reverse=False, missing=()):
    """0-100 score; None for a missing code; raises ValueError out of scale."""
    if x is None or x in missing:
        return None
    if not (lo <= x <= hi):
        raise ValueError("out of scale")
    s = (x - lo) / (hi - lo) * 100.0
    return 100.0 - s if reverse else s


# ---------------------------------------------------------------- section 2


class Tree:
    """A hierarchy restated by hand: node -> [(child, stated weight)]."""

    def __init__(self, children, coverage, node_coverage=None):
        self.children = children
        self.coverage = coverage
        self.node_coverage = node_coverage or {}

    def score(self, node, answers):
        """Respondent-level score of `node` (METHODOLOGY 2), None if missing."""
        if node not in self.children:
            return answers.get(node)
        kids = self.children[node]
        total = sum(w for _, w in kids)
        num = 0.0
        answered = 0.0
        exact = Fraction(0)
        for c, w in kids:
            v = w / total  # normalised weight
            y = self.score(c, answers)
            if y is not None:
                num += v * y
                answered += v
                exact += Fraction(w) / Fraction(total)
        cov = self.node_coverage.get(node, self.coverage)
        # "at least `coverage` of the weight answered", compared on exact
        # fractions (so that 8 x 1/10 answered counts as exactly 0.8).
        if answered == 0.0 or exact < Fraction(cov).limit_denominator(10**6):
            return None
        return num / answered


# ---------------------------------------------------------------- section 3


def cell_estimate(obs, min_base, min_report, alpha=ALPHA):
    """obs: list of (w, y). Returns a dict with the METHODOLOGY 3 figures."""
    n = len(obs)
    w = np.array([o[0] for o in obs], dtype=float)
    y = np.array([o[1] for o in obs], dtype=float)
    W = float(w.sum())
    n_eff = W * W / float((w * w).sum()) if n > 0 and (w * w).sum() > 0 else None
    flag = ""
    if n < min_report:
        flag = "suppressed"
    elif n < min_base:
        flag = "low_base"
    e = dict(n=n, W=W, n_eff=n_eff, mean=None, se=None, lo=None, hi=None, flag=flag)
    if flag == "suppressed" or n == 0:
        return e
    m = float((w * y).sum() / W)
    e["mean"] = m
    if n >= 2:
        # svymean(~y, svydesign(ids=~1, weights=~w)): linearisation with the
        # influence values z_r = w_r (y_r - m) / W, variance n/(n-1) sum (z - zbar)^2.
        z = w * (y - m) / W
        var = n / (n - 1) * float(((z - z.mean()) ** 2).sum())
        se = math.sqrt(var)
        # the METHODOLOGY form, as a cross-check of the above
        se2 = math.sqrt(n / (n - 1) * float((w * w * (y - m) ** 2).sum())) / W
        assert abs(se - se2) <= 1e-12 * max(se, 1e-300) or se == se2
        tq = float(stats.t.ppf(1 - alpha / 2, n - 1))
        e["se"] = se
        e["lo"] = m - tq * se
        e["hi"] = m + tq * se
    return e


# ---------------------------------------------------------------- section 4


def welch(a, b, alpha=ALPHA):
    """None when either cell has no mean; else (delta, t, df, p, significant)."""
    if a["mean"] is None or b["mean"] is None:
        return None
    d = a["mean"] - b["mean"]
    if a["se"] is None or b["se"] is None:
        return (d, None, None, None, False)
    v1, v2 = a["se"] ** 2, b["se"] ** 2
    if v1 + v2 == 0:
        return (d, None, None, None, False)
    t = d / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (a["n"] - 1) + v2**2 / (b["n"] - 1))
    p = float(2 * stats.t.sf(abs(t), df))
    sig = p < alpha and a["flag"] == "" and b["flag"] == ""
    return (d, t, df, p, sig)


# ---------------------------------------------------------------- fixtures


def read_rows(name):
    with open(os.path.join(FIXTURES, name, "responses.csv"), newline="") as f:
        return list(csv.DictReader(f))


def quarter(date):
    y, m = int(date[:4]), int(date[5:7])
    return "%d-Q%d" % (y, (m - 1) // 3 + 1)


def prev_quarter(label, back=1):
    y, q = int(label[:4]), int(label[6])
    o = y * 4 + (q - 1) - back
    return "%d-Q%d" % (o // 4, o % 4 + 1)


def run_study(resp, nodes, dims, min_base, min_report):
    """resp: list of dict(period, w, groups={dim: group}, scores={node: y|None}).
    dims: [(dim id, [groups], own group or None)]. Returns (cells, comparisons)
    in the engine's documented output order."""
    periods = sorted({r["period"] for r in resp})
    cellkeys = [("total", "total")] + [(d, g) for d, gs, _ in dims for g in gs]

    def members(p, d, g):
        return [
            r for r in resp if r["period"] == p and (d == "total" or r["groups"].get(d) == g)
        ]

    def obs(rows, node):
        return [(r["w"], r["scores"][node]) for r in rows if r["scores"][node] is not None]

    est = {}
    cells = []
    for p in periods:
        for d, g in cellkeys:
            for node in nodes:
                e = cell_estimate(obs(members(p, d, g), node), min_base, min_report)
                est[(p, d, g, node)] = e
                cells.append(((p, d, g, node), e))
    comps = []

    def push(kind, key, vskey, a, b):
        r = welch(a, b)
        if r is not None:
            comps.append((kind, key, vskey, r))

    for kind, back in (("previous_period", 1), ("year_ago", 4)):
        for p in periods:
            q = prev_quarter(p, back)
            if q not in periods:
                continue
            for d, g in cellkeys:
                for node in nodes:
                    push(kind, (p, d, g, node), (q, d, g), est[(p, d, g, node)], est[(q, d, g, node)])
    for p in periods:
        for d, gs, _ in dims:
            if len(gs) < 2:
                continue
            for g in gs:
                for node in nodes:
                    rest_rows = [
                        r
                        for r in resp
                        if r["period"] == p and r["groups"].get(d) in gs and r["groups"].get(d) != g
                    ]
                    rest = cell_estimate(obs(rest_rows, node), min_base, min_report)
                    push("rest", (p, d, g, node), (p, d, "(rest)"), est[(p, d, g, node)], rest)
    for d, gs, own in dims:
        if own is None:
            continue
        for p in periods:
            for g in gs:
                if g == own:
                    continue
                for node in nodes:
                    push("own_brand", (p, d, g, node), (p, d, own), est[(p, d, g, node)], est[(p, d, own, node)])
    return cells, comps


def print_cells(name, cells):
    print("const %s: &[ExpCell] = &[" % name)
    for (p, d, g, node), e in cells:
        print(
            '    ("%s", "%s", "%s", "%s", %d, %s, %s, %s, %s, %s, %s, "%s"),'
            % (p, d, g, node, e["n"], flt(e["W"]), lit(e["n_eff"]), lit(e["mean"]), lit(e["se"]), lit(e["lo"]), lit(e["hi"]), e["flag"])
        )
    print("];")


def print_comps(name, comps):
    print("const %s: &[ExpComparison] = &[" % name)
    for kind, (p, d, g, node), (vp, vd, vg), (delta, t, df, pv, sig) in comps:
        print(
            '    ("%s", "%s", "%s", "%s", "%s", "%s", "%s", "%s", %s, %s, %s, %s, %s),'
            % (kind, node, d, g, p, vd, vg, vp, flt(delta), lit(t), lit(df), lit(pv), "true" if sig else "false")
        )
    print("];")


def num(s):
    s = s.strip()
    return None if s == "" else float(s)


# ---- mini (weighted, 1-5, missing 9)


def mini():
    tree = Tree(
        {
            "idx": [("a", 2), ("b", 1)],
            "a": [("a1", 1), ("a2", 1)],
            "b": [("b1", 3), ("b2", 1)],
        },
        coverage=0.5,
    )
    resp = []
    for r in read_rows("mini"):
        ans = {
            "a1": score(num(r["a1"]), 1, 5, False, (9,)),
            "a2": score(num(r["a2"]), 1, 5, True, (9,)),
            "b1": score(num(r["b1"]), 1, 5, False, (9,)),
            "b2": score(num(r["b2"]), 1, 5, False, (9,)),
            "ea": score(num(r["ea"]), 1, 5, False, (9,)),
        }
        sc = {k: tree.score(k, ans) for k in ["idx", "a", "a1", "a2", "b", "b1", "b2"]}
        sc["ea"] = ans["ea"]
        sc["gap:a"] = None if sc["a"] is None or sc["ea"] is None else sc["a"] - sc["ea"]
        resp.append(
            dict(
                id=r["id"],
                period=quarter(r["date"]),
                w=float(r["w"]),
                groups={"seg": r["seg"], "brand": r["brand"]},
                scores=sc,
            )
        )
    print("// mini respondent scores: (id, idx, a, b, gap:a)")
    for r in resp:
        s = r["scores"]
        print("    (%s, %s, %s, %s, %s)," % (r["id"], lit(s["idx"]), lit(s["a"]), lit(s["b"]), lit(s["gap:a"])))
    nodes = ["idx", "a", "a1", "a2", "b", "b1", "b2", "ea", "gap:a"]
    cells, comps = run_study(resp, nodes, [("seg", ["x", "y"], None), ("brand", ["us", "them"], "us")], 3, 2)
    print_cells("MINI_CELLS", cells)
    print_comps("MINI_COMPARISONS", comps)


# ---- plain (unweighted, 0-10 and 1-10, missing codes)


def plain():
    tree = Tree({"idx": [("p1", 1), ("p2", 1), ("p3", 1)]}, coverage=0.5)
    resp = []
    rejected = []
    for r in read_rows("plain"):
        try:
            ans = {
                "p1": score(num(r["p1"]), 0, 10, False, (99,)),
                "p2": score(num(r["p2"]), 1, 10, False, (99, 98)),
                "p3": score(num(r["p3"]), 1, 10, True, (99,)),
            }
        except ValueError:
            rejected.append(r["id"])
            continue
        sc = dict(ans)
        sc["idx"] = tree.score("idx", ans)
        resp.append(dict(id=r["id"], period=quarter(r["date"]), w=1.0, groups={"brand": r["brand"]}, scores=sc))
    print("// plain: rejected ids %s" % rejected)
    cells, comps = run_study(resp, ["idx", "p1", "p2", "p3"], [("brand", ["us", "them", "other"], "us")], 4, 2)
    # The same study with alpha = 0.0005 (test alpha_from_config_...).
    e = dict(cells)[("2024-Q4", "total", "total", "p1")]
    tq = float(stats.t.ppf(1 - 0.0005 / 2, e["n"] - 1))
    print("// plain, alpha 0.0005: 2024-Q4 total p1 t = %s ci = (%s, %s)" % (flt(tq), flt(e["mean"] - tq * e["se"]), flt(e["mean"] + tq * e["se"])))
    print_cells("PLAIN_CELLS", cells)
    print_comps("PLAIN_COMPARISONS", comps)


# ---- coverage (three levels, per-node coverage, one group per respondent)


def coverage():
    tree = Tree(
        {
            "idx": [("c", 1), ("t", 1)],
            "c": [("c1", 1), ("c2", 3)],
            "c1": [("q1", 1), ("q2", 1), ("q3", 1), ("q4", 1)],
            "c2": [("q5", 1), ("q6", 1)],
            "t": [("t%02d" % i, 1) for i in range(1, 11)],
        },
        coverage=0.5,
        node_coverage={"c2": 0.75, "t": 0.8},
    )
    resp = []
    for r in read_rows("coverage"):
        qs = ["q%d" % i for i in range(1, 7)] + ["t%02d" % i for i in range(1, 11)]
        ans = {q: score(num(r[q]), 1, 5) for q in qs}
        sc = {k: tree.score(k, ans) for k in ["idx", "c", "c1", "c2", "t"]}
        resp.append(dict(id=r["id"], period=quarter(r["date"]), w=1.0, groups={"rid": r["id"]}, scores=sc))
    print("// coverage respondent scores: (id, idx, c, c1, c2, t)")
    for r in resp:
        s = r["scores"]
        print('    ("%s", %s, %s, %s, %s, %s),' % (r["id"], lit(s["idx"]), lit(s["c"]), lit(s["c1"]), lit(s["c2"]), lit(s["t"])))
    cells, _ = run_study(resp, ["idx", "c", "c1", "c2", "t"], [], 1, 1)
    print_cells("COVERAGE_TOTAL", cells)


# ---------------------------------------------------------------- library-level cases


def library():
    print("// ---- textbook unweighted sample")
    x = np.array([2, 4, 4, 4, 5, 5, 7, 9], dtype=float)
    s = float(np.std(x, ddof=1))
    se = s / math.sqrt(len(x))
    t7 = float(stats.t.ppf(0.975, 7))
    print("mean", flt(x.mean()), "s", flt(s), "se", flt(se), "t7", flt(t7))
    print("ci", flt(x.mean() - t7 * se), flt(x.mean() + t7 * se))
    e = cell_estimate([(1.0, v) for v in x], 0, 0)
    print("cell_estimate se", flt(e["se"]))

    print("// ---- CI with df = n - 1: 11 scores 0, 10, ..., 100 and 30 scores 1, ..., 30")
    for ys in ([10.0 * i for i in range(11)], [float(i) for i in range(1, 31)]):
        e = cell_estimate([(1.0, v) for v in ys], 0, 0)
        print("n", len(ys), "mean", flt(e["mean"]), "se", flt(e["se"]), "ci", flt(e["lo"]), flt(e["hi"]))
        for a in (0.10, 0.01):
            e = cell_estimate([(1.0, v) for v in ys], 0, 0, alpha=a)
            print("   alpha", a, "ci", flt(e["lo"]), flt(e["hi"]))

    print("// ---- t quantiles (scipy.stats.t.ppf)")
    for df in [1, 2, 3, 7, 10, 29, 100, 1000]:
        for a in [0.05, 0.01, 0.10]:
            print("    (%s, %s, %s)," % (flt(a), flt(df), flt(stats.t.ppf(1 - a / 2, df))))
    print("// ---- two-sided p (2 * scipy.stats.t.sf(|t|, df))")
    for t, df in [(2.0, 7.0), (-2.5, 24.5), (0.3, 3.0), (5.0, 12.25), (1.96, 1e4), (10.0, 2.0), (0.0, 5.0)]:
        print("    (%s, %s, %s)," % (flt(t), flt(df), flt(2 * stats.t.sf(abs(t), df))))

    print("// ---- weighted hand case")
    obs = [(0.5, 20.0), (1.5, 40.0), (2.0, 90.0)]
    e = cell_estimate(obs, 0, 0)
    print({k: (flt(v) if isinstance(v, float) else v) for k, v in e.items()})
    print("t2", flt(stats.t.ppf(0.975, 2)))

    print("// ---- Welch, Wikipedia example 1")
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    r = stats.ttest_ind(a1, a2, equal_var=False)
    print("scipy t", flt(r.statistic), "p", flt(r.pvalue), "df", flt(r.df))
    print("means", flt(np.mean(a1)), flt(np.mean(a2)), "delta", flt(np.mean(a1) - np.mean(a2)))
    ea = cell_estimate([(1.0, v) for v in a1], 0, 0)
    eb = cell_estimate([(1.0, v) for v in a2], 0, 0)
    print("own welch", welch(ea, eb))

    print("// ---- Welch, Wikipedia example 2 (unequal n)")
    b1 = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8]
    b2 = [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8]
    r = stats.ttest_ind(b1, b2, equal_var=False)
    print("scipy t", flt(r.statistic), "p", flt(r.pvalue), "df", flt(r.df))
    print("delta", flt(np.mean(b1) - np.mean(b2)))

    print("// ---- low base, p < alpha")
    la = [10.0, 20.0, 30.0]
    lb = [80.0, 90.0, 100.0, 85.0, 95.0]
    r = stats.ttest_ind(la, lb, equal_var=False)
    print("scipy t", flt(r.statistic), "p", flt(r.pvalue), "df", flt(r.df), "delta", flt(np.mean(la) - np.mean(lb)))

    print("// ---- weighted Welch (formula + scipy t.sf)")
    wa = [(1.0, 70.0), (2.0, 85.0), (0.5, 40.0), (1.5, 90.0)]
    wb = [(1.0, 50.0), (1.0, 65.0), (3.0, 55.0)]
    A = cell_estimate(wa, 0, 0)
    B = cell_estimate(wb, 0, 0)
    print("A", A)
    print("B", B)
    print("welch", [flt(v) if isinstance(v, float) else v for v in welch(A, B)])


if __name__ == "__main__":
    print("// ===== library =====")
    library()
    print("// ===== mini =====")
    mini()
    print("// ===== plain =====")
    plain()
    print("// ===== coverage =====")
    coverage()
