"""The peer implementation of a csi study in polars, for scripts/bench.

    python scripts/bench_polars.py STUDY.toml DATA.csv OUT.csv

Reads the same TOML config as `csi run` and computes the same figures as
csi's cells.csv (METHODOLOGY 1-3: 0-100 scores with reverse and missing codes,
the hierarchy with normalised weights and the coverage rule, expectation
gaps, then for every period x (Total and every group of every dimension) x
node: n, weighted n, Kish n_eff, weighted mean, Taylor-linearised se).

It is written the way a careful polars user would write the job: one lazy scan
with a fixed schema, every respondent score as a column expression, one
group_by over all (period, group of every dimension) combinations computing
the sufficient sums, then the marginal cells rolled up from that small table.
Suppression, flags, CIs and comparisons are left out (csi does them too, so
polars gets the easier job). The data is assumed clean (the benchmark's
generated data has no bad rows); rows outside the period range are not
excluded (the benchmark runs every period).

It prints one line of JSON: {"seconds": ..., "rows": ..., "peak_kb": ...},
the time from before the scan to after the CSV is written, not counting the
interpreter's start and the import of polars, and the process's peak RSS.
"""

import json
import math
import sys
import time
import tomllib
from pathlib import Path

import polars as pl


def load_config(path):
    path = Path(path)
    cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    for inc in cfg.get("include", []):
        part = tomllib.loads((path.parent / inc).read_text(encoding="utf-8"))
        for k, v in part.items():
            if isinstance(v, list):
                cfg.setdefault(k, []).extend(v)
            elif isinstance(v, dict) and isinstance(cfg.get(k), dict):
                cfg[k].update(v)
            else:
                cfg[k] = v
    return cfg


def period_expr(cfg):
    p = cfg["period"]
    if "date_column" not in p:
        return pl.col(p["column"]).cast(pl.Utf8)
    d = pl.col(p["date_column"]).str.strptime(pl.Date, p.get("date_format", "%Y-%m-%d"))
    grain = p.get("grain", "quarter")
    y = d.dt.year().cast(pl.Utf8)
    if grain == "year":
        return y
    if grain == "quarter":
        return y + pl.lit("-Q") + d.dt.quarter().cast(pl.Utf8)
    return y + pl.lit("-") + d.dt.month().cast(pl.Utf8).str.zfill(2)


def group_expr(dim):
    col = pl.col(dim["column"])
    groups = dim.get("group", [])
    if not groups:
        return col.cast(pl.Utf8)
    e = None
    for g in groups:
        if "values" in g:
            cond = col.cast(pl.Utf8).is_in([str(v) for v in g["values"]])
        else:
            x = col.cast(pl.Float64)
            cond = pl.lit(True)
            if "min" in g:
                cond = cond & (x >= g["min"])
            if "max" in g:
                cond = cond & (x < g["max"])
        e = (pl.when(cond) if e is None else e.when(cond)).then(pl.lit(g["id"]))
    return e.otherwise(None)


def node_exprs(cfg):
    """Respondent scores, in dependency order: [(node id, expr)]."""
    study = cfg["study"]
    cov_default = study.get("coverage", 0.5)
    scales = cfg["scales"]
    out = {}
    order = []
    for q in cfg.get("question", []):
        s = scales[q["scale"]]
        lo, hi = float(s["lo"]), float(s["hi"])
        missing = [float(m) for m in s.get("missing", [])] + [float(m) for m in q.get("missing", [])]
        x = pl.col(q.get("column", q["id"]))
        score = (x - lo) / (hi - lo) * 100.0
        if q.get("reverse", False):
            score = 100.0 - score
        e = pl.when(x.is_null() | x.is_in(missing)).then(None).otherwise(score)
        out[q["id"]] = e
        order.append(q["id"])
    nodes = cfg.get("node", [])
    children = {}
    for item in cfg.get("question", []) + nodes:
        if item.get("parent"):
            children.setdefault(item["parent"], []).append(item)
    # Aggregates bottom-up: repeat until all are defined.
    pending = list(nodes)
    while pending:
        rest = []
        for n in pending:
            kids = children.get(n["id"], [])
            if any(k["id"] not in out for k in kids):
                rest.append(n)
                continue
            total = sum(k.get("weight", 1.0) for k in kids)
            sv = pl.lit(0.0)
            sm = pl.lit(0.0)
            for k in kids:
                v = k.get("weight", 1.0) / total
                c = pl.col(k["id"])
                sv = sv + pl.when(c.is_null()).then(0.0).otherwise(v)
                sm = sm + c.fill_null(0.0) * v
            cov = n.get("coverage", cov_default)
            out[n["id"]] = pl.when((sv > 0.0) & (sv >= cov - 1e-9)).then(sm / sv).otherwise(None)
            order.append(n["id"])
        if len(rest) == len(pending):
            raise SystemExit("cycle in the hierarchy")
        pending = rest
    gaps = []
    for n in nodes:
        if n.get("expectation"):
            gid = "gap:" + n["id"]
            gaps.append((gid, pl.col(n["id"]) - pl.col(n["expectation"])))
    return out, order, gaps


def main():
    cfg_path, data_path, out_path = sys.argv[1:4]
    cfg = load_config(cfg_path)
    t0 = time.perf_counter()
    scores, order, gaps = node_exprs(cfg)
    dims = cfg.get("dimension", [])
    weight = cfg.get("data", {}).get("weight")
    qcols = {q.get("column", q["id"]) for q in cfg["question"]}
    band_cols = {d["column"] for d in dims if d.get("group") and "values" not in d["group"][0]}
    schema_over = {c: pl.Float64 for c in qcols | band_cols}
    if weight:
        schema_over[weight] = pl.Float64
    lf = pl.scan_csv(
        data_path,
        infer_schema=False,  # everything Utf8 unless overridden
        schema_overrides=schema_over,
        separator=cfg.get("data", {}).get("delimiter", ","),
    )
    w = pl.col(weight) if weight else pl.lit(1.0)
    keys = ["_period"] + [f"_g_{d['id']}" for d in dims]
    lf = lf.with_columns(
        [period_expr(cfg).alias("_period"), w.alias("_w")]
        + [group_expr(d).alias(f"_g_{d['id']}") for d in dims]
    )
    # Questions first, then each level of aggregates (a column must exist
    # before a parent refers to it).
    qids = [q["id"] for q in cfg["question"]]
    lf = lf.with_columns([scores[i].alias(i) for i in qids])
    done = set(qids)
    agg_ids = [i for i in order if i not in done]
    children = {}
    for item in cfg["question"] + cfg.get("node", []):
        if item.get("parent"):
            children.setdefault(item["parent"], []).append(item["id"])
    while agg_ids:
        level = [i for i in agg_ids if all(k in done for k in children.get(i, []))]
        lf = lf.with_columns([scores[i].alias(i) for i in level])
        done |= set(level)
        agg_ids = [i for i in agg_ids if i not in done]
    lf = lf.with_columns([e.alias(g) for g, e in gaps])
    measures = order + [g for g, _ in gaps]
    # Sufficient sums per combination of keys.
    aggs = []
    for m in measures:
        y = pl.col(m)
        ww = pl.when(y.is_null()).then(None).otherwise(pl.col("_w"))
        aggs += [
            y.count().alias(f"{m}|n"),
            ww.sum().alias(f"{m}|w"),
            (ww * ww).sum().alias(f"{m}|w2"),
            (ww * y).sum().alias(f"{m}|wy"),
            (ww * ww * y).sum().alias(f"{m}|w2y"),
            (ww * ww * y * y).sum().alias(f"{m}|w2y2"),
        ]
    aggs.append(pl.len().alias("_rows"))
    combos = lf.group_by(keys).agg(aggs).collect()
    sums = [c for c in combos.columns if "|" in c]
    rows = int(combos["_rows"].sum())
    parts = []
    marg = [("total", pl.lit("total"))] + [(d["id"], pl.col(f"_g_{d['id']}")) for d in dims]
    for dim_id, gexpr in marg:
        c = combos.with_columns(gexpr.alias("_group")).filter(pl.col("_group").is_not_null())
        g = c.group_by(["_period", "_group"]).agg([pl.col(s).sum() for s in sums])
        for m in measures:
            n = pl.col(f"{m}|n")
            W = pl.col(f"{m}|w")
            mean = pl.col(f"{m}|wy") / W
            ss = pl.col(f"{m}|w2y2") - 2.0 * mean * pl.col(f"{m}|w2y") + mean * mean * pl.col(f"{m}|w2")
            se = (n / (n - 1) * ss.clip(lower_bound=0.0)).sqrt() / W
            parts.append(
                g.filter(n > 0).select(
                    pl.col("_period").alias("period"),
                    pl.lit(dim_id).alias("dimension"),
                    pl.col("_group").alias("group"),
                    pl.lit(m).alias("node"),
                    n.cast(pl.Int64).alias("n"),
                    W.alias("weighted_n"),
                    (W * W / pl.col(f"{m}|w2")).alias("n_eff"),
                    mean.alias("mean"),
                    pl.when(n >= 2).then(se).otherwise(None).alias("se"),
                )
            )
    cells = pl.concat(parts).sort(["period", "dimension", "group", "node"])
    cells.write_csv(out_path)
    secs = time.perf_counter() - t0
    hwm = next(ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:"))
    peak_kb = int(hwm.split()[1])
    print(json.dumps({"seconds": secs, "rows": rows, "cells": cells.height, "peak_kb": peak_kb}))


if __name__ == "__main__":
    main()
