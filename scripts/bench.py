"""Benchmark harness behind scripts/bench (run that; it sets up the tools).

For each size it generates the telecom example's data (csi-synth, seed 1),
then, on a warm page cache, times in interleaved rounds:
  - csi run (figures only: --format none), all cores;
  - csi run pinned to one core (taskset -c 0, --threads 1), for the speed-up;
  - the same job in polars (scripts/bench_polars.py);
  - DuckDB counting the file's rows: SELECT count(*) FROM read_csv(...,
    all_varchar = true).
For polars and DuckDB the time is measured inside their process, from the
query's start to its end (interpreter start-up and imports not counted); csi's
time is the whole process. Peak RSS is the process's own high-water mark
(VmHWM: csi writes it to run.json, the Python runners print it), not
ru_maxrss, which would count the forking Python interpreter's memory too. Every figure
is the median of the runs. It checks that polars' cells equal csi's
(same cells, n exact, mean and se to 1e-9) and that csi's outputs are
byte-identical for 1 and 2 threads, and fails if not.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "bench"
CSI = ROOT / "target" / "release" / "csi"
SYNTH = ROOT / "target" / "release" / "csi-synth"
PY = sys.executable

DUCKDB_COUNT = """
import duckdb, json, sys, time
t = time.perf_counter()
path = sys.argv[1].replace("'", "''")
n = duckdb.sql(f"SELECT count(*) FROM read_csv('{path}', all_varchar = true)").fetchall()[0][0]
secs = time.perf_counter() - t
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": secs, "rows": n, "peak_kb": int(hwm.split()[1])}))
"""


def run_measured(cmd, inner_time=False, run_dir=None):
    """Runs cmd; returns (seconds, peak RSS in MB, stdout).

    With inner_time, seconds and peak come from the JSON line the runner
    prints; with run_dir (csi), the peak comes from its run.json."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, _ = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed ({code}):\n{err.decode()}")
    secs, peak = wall, None
    if inner_time:
        info = json.loads(out.decode().strip().splitlines()[-1])
        secs, peak = info["seconds"], info["peak_kb"] / 1024.0
    if run_dir is not None:
        info = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
        peak = info["peak_rss_bytes"] / 2**20
    return secs, peak, out.decode()


def prepare(rows):
    data = BENCH / "data" / f"telecom-{rows}.csv"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"bench: generating {rows:,} rows -> {data.relative_to(ROOT)}", flush=True)
        subprocess.run(
            [SYNTH, "telecom", "--rows", str(rows), "--seed", "1", "--out", data], check=True
        )
    cfg = BENCH / f"cfg-{rows}"
    cfg.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "examples" / "telecom").glob("*.toml"):
        text = strip_analysis(f.read_text(encoding="utf-8"))
        if f.name == "report.toml":
            text = "# figures only\n"
        if f.name == "study.toml":
            lines = [
                f"files = [{json.dumps(str(data))}]" if ln.startswith("files = ") else ln
                for ln in text.splitlines()
            ]
            text = "\n".join(lines) + "\n"
        (cfg / f.name).write_text(text, encoding="utf-8")
    # Warm the page cache: every tool reads the file from memory.
    with open(data, "rb") as fh:
        while fh.read(1 << 24):
            pass
    return data, cfg / "study.toml"


# Tables of METHODOLOGY 5-9 (shares, NPS, drivers, raking, PLS): the
# benchmark times the job polars does too, every cell of every measure of
# the hierarchy with its standard error, so they are left out.
ANALYSIS_TABLES = ("[[share]]", "[[nps]]", "[drivers]", "[weighting]", "[[weighting.margin]]",
                   "[pls]", "[[pls.latent]]", "[[pls.path]]")


def strip_analysis(text):
    out, skip = [], False
    for ln in text.splitlines():
        head = ln.strip()
        if head.startswith("["):
            skip = head in ANALYSIS_TABLES
        if not skip:
            out.append(ln)
    return "\n".join(out) + "\n"


def check_polars(csi_cells, polars_cells):
    num = ["n", "weighted_n", "n_eff", "mean", "se"]

    def load(p):
        df = pl.read_csv(p, infer_schema=False)
        return df.with_columns([pl.col(c).cast(pl.Float64) for c in num])

    a, b = load(csi_cells), load(polars_cells)
    key = ["period", "dimension", "group", "node"]
    j = a.join(b, on=key, how="full", suffix="_p", coalesce=True)
    unmatched = j.filter(pl.col("n").is_null() | pl.col("n_p").is_null()).height
    if unmatched:
        sys.exit(f"bench: {unmatched} cells are in only one of csi and polars")
    # csi leaves the mean of suppressed cells (n < min_report) blank.
    shown = j.filter(pl.col("mean").is_not_null())
    worst = {}
    for c in ["mean", "se"]:
        d = shown.select((pl.col(c) - pl.col(c + "_p")).abs().max()).item() or 0.0
        worst[c] = d
        if d > 1e-9:
            sys.exit(f"bench: polars and csi differ in {c} by {d:g} (> 1e-9)")
    if shown.select((pl.col("n") != pl.col("n_p")).sum()).item():
        sys.exit("bench: polars and csi differ in n")
    return a.height, worst


def same_outputs(d1, d2):
    for f in ["cells.csv", "comparisons.csv", "results.json"]:
        if (d1 / f).read_bytes() != (d2 / f).read_bytes():
            return False
    return True


def fmt(x, digits=2):
    return f"{x:,.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000000,10000000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.rows.split(",")]
    cores = os.cpu_count()
    results = {}
    for rows in sizes:
        data, cfg = prepare(rows)
        mb = data.stat().st_size / 1e6
        out = {k: BENCH / f"out-{rows}-{k}" for k in ("all", "one")}
        pcells = BENCH / f"polars-{rows}.csv"
        t = {k: [] for k in ("csi", "csi1", "polars", "duckdb")}
        rss = {k: [] for k in t}
        for r in range(args.runs):
            print(f"bench: {rows:,} rows, round {r + 1}/{args.runs}", flush=True)
            s, m, _ = run_measured(
                [CSI, "run", cfg, "--format", "none", "-q", "--out", out["all"]], run_dir=out["all"]
            )
            t["csi"].append(s), rss["csi"].append(m)
            s, m, _ = run_measured(
                ["taskset", "-c", "0", CSI, "run", cfg, "--format", "none", "-q",
                 "--threads", "1", "--out", out["one"]],
                run_dir=out["one"],
            )
            t["csi1"].append(s), rss["csi1"].append(m)
            s, m, _ = run_measured(
                [PY, ROOT / "scripts" / "bench_polars.py", cfg, data, pcells], inner_time=True
            )
            t["polars"].append(s), rss["polars"].append(m)
            s, m, o = run_measured([PY, "-c", DUCKDB_COUNT, data], inner_time=True)
            if json.loads(o.strip().splitlines()[-1])["rows"] != rows:
                sys.exit("bench: DuckDB counted a different number of rows")
            t["duckdb"].append(s), rss["duckdb"].append(m)
        ncells, worst = check_polars(out["all"] / "cells.csv", pcells)
        # Determinism: one and two worker threads, same bytes.
        two = BENCH / f"out-{rows}-t2"
        run_measured([CSI, "run", cfg, "--format", "none", "-q", "--threads", "2", "--out", two])
        run_measured([CSI, "run", cfg, "--format", "none", "-q", "--threads", "1", "--out", out["one"]])
        if not same_outputs(two, out["one"]):
            sys.exit(f"bench: outputs differ between 1 and 2 threads at {rows:,} rows")
        med = {k: statistics.median(v) for k, v in t.items()}
        peak = {k: statistics.median(v) for k, v in rss.items()}
        results[rows] = dict(mb=mb, med=med, peak=peak, cells=ncells, worst=worst)

    lines = []
    p = lines.append
    cpu = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    p(f"Machine: {cores} cores ({cpu}), {platform.system()} {platform.release()}; "
      f"polars {pl.__version__}, DuckDB {duckdb.__version__}; warm page cache; "
      f"median of {args.runs} runs.")
    p("")
    p("| rows | file MB | tool | wall s | rows/s | MB/s | peak RSS MB |")
    p("|---:|---:|---|---:|---:|---:|---:|")
    names = {
        "csi": f"csi run, {cores} cores",
        "csi1": "csi run, 1 core",
        "polars": "polars, same job",
        "duckdb": "DuckDB, count(*) only",
    }
    for rows, r in results.items():
        for k, name in names.items():
            s = r["med"][k]
            p(f"| {rows:,} | {fmt(r['mb'], 0)} | {name} | {fmt(s)} | {fmt(rows / s, 0)} "
              f"| {fmt(r['mb'] / s, 0)} | {fmt(r['peak'][k], 0)} |")
    p("")
    p("| rows | csi / polars | csi / DuckDB count | speed-up 1 -> "
      f"{cores} cores | polars = csi (cells; max abs diff mean, se) | 1 = 2 threads |")
    p("|---:|---:|---:|---:|---|---|")
    for rows, r in results.items():
        m = r["med"]
        p(f"| {rows:,} | {m['csi'] / m['polars']:.3f} | {m['csi'] / m['duckdb']:.3f} "
          f"| {m['csi1'] / m['csi']:.2f} x | yes ({r['cells']:,} cells; "
          f"{r['worst']['mean']:.1e}, {r['worst']['se']:.1e}) | byte-identical |")
    if len(results) > 1:
        (a, ra), (b, rb) = list(results.items())[0], list(results.items())[-1]
        p("")
        p(f"Scaling {a:,} -> {b:,} rows ({b / a:g} x the rows): csi time x "
          f"{rb['med']['csi'] / ra['med']['csi']:.2f}, peak RSS x "
          f"{rb['peak']['csi'] / ra['peak']['csi']:.2f}; polars time x "
          f"{rb['med']['polars'] / ra['med']['polars']:.2f}, DuckDB count time x "
          f"{rb['med']['duckdb'] / ra['med']['duckdb']:.2f}.")
    text = "\n".join(lines) + "\n"
    (BENCH / "results.md").write_text(text, encoding="utf-8")
    print()
    print(text, end="")
    print(f"\n(also in {(BENCH / 'results.md').relative_to(ROOT)})")


if __name__ == "__main__":
    main()
