#!/usr/bin/env python3
"""Summarises a benchmarks/run.sh results file: per engine the median wall
time, per-stage seconds, peak RSS and CPU use, then the ratios issue 6 asks
for, and whether every engine computed the same summaries.

usage: compare.py RESULTS.jsonl [--data DIR] [--cores N] [--json OUT]

Each line of RESULTS.jsonl names one run: engine, wall seconds, peak RSS,
CPU percent and the file holding the engine's stdout (its last JSON line
is the engine's own report).
"""
import argparse
import json
import os
import statistics
import sys

GIB = 1 << 30


def last_json(path):
    with open(path) as f:
        lines = f.read().splitlines()
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"{path}: no JSON line")


def stages(engine, report):
    """Per-stage seconds, and the seconds before writing and writing."""
    if engine.startswith("desync"):
        t = report["timings"]
        before = t.get("read", 0) + t.get("join", 0) + t.get("analyse", 0)
        return t, before, t.get("persist", 0)
    t = report["timings_s"]
    before = t.get("read", 0) + t.get("join_compute", 0) + t.get("aggregate", 0)
    write = t.get("persist_raw", 0) + t.get("persist_detail", 0) + t.get("persist_agg", 0)
    return t, before, write


def summaries(engine, report):
    """(ping rows, loss rows) as comparable tuples."""
    if engine.startswith("desync"):
        ping = [(r["ping_category"], r["average_desync_distance"], r["desync_event_count"],
                 r["in_sync_event_count"]) for r in report["desync_by_ping"]]
        loss = [(r["packet_loss"], r["average_desync_distance"], r["desync_event_count"],
                 r["in_sync_event_count"]) for r in report["desync_by_packet_loss"]]
        return ping, loss
    return ([tuple(r) for r in report["desync_by_ping"]],
            [tuple(r) for r in report["desync_by_packet_loss"]])


def same(a, b):
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        if ra[0] != rb[0] and not (isinstance(ra[0], float) and abs(ra[0] - rb[0]) < 1e-12):
            return False
        if abs(ra[1] - rb[1]) > 1e-9 * max(1.0, abs(ra[1])):
            return False
        if int(ra[2]) != int(rb[2]) or int(ra[3]) != int(rb[3]):
            return False
    return True


def persisted_rows(report):
    """Rows desync wrote: both inputs, desync_events, the summaries and the
    unmatched rows (rejects and the ledger row are left out)."""
    led = report["ledger"]
    return (led["player_events"]["accepted"] + led["server_state"]["accepted"]
            + report["desync_events"]["rows"] + len(report["desync_by_ping"])
            + len(report["desync_by_packet_loss"]) + led["client_only"] + led["server_only"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--data", default="")
    ap.add_argument("--cores", default="")
    ap.add_argument("--json", default="")
    a = ap.parse_args()

    runs = {}
    with open(a.results) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                r["report"] = last_json(r["log"])
                runs.setdefault(r["engine"], []).append(r)

    med = {}
    for engine, rs in runs.items():
        per = [stages(engine, r["report"]) for r in rs]
        names = list(per[0][0].keys())
        med[engine] = {
            "runs": len(rs),
            "wall": statistics.median(r["wall"] for r in rs),
            "rss": max(r["rss"] for r in rs),
            "cpu_percent": statistics.median(r.get("cpu_percent", 0) for r in rs),
            "before": statistics.median(p[1] for p in per),
            "write": statistics.median(p[2] for p in per),
            "stages": {n: statistics.median(p[0].get(n, 0) for p in per) for n in names},
        }
        if engine.startswith("desync"):
            med[engine]["rows"] = persisted_rows(rs[0]["report"])

    size = 0
    if a.data:
        for name in ("player_events.jsonl", "server_state.jsonl"):
            p = os.path.join(a.data, name)
            if os.path.exists(p):
                size += os.path.getsize(p)
    print(f"\ndata: {a.data} ({size / 1e6:.0f} MB JSONL), cores: {a.cores}")
    print(f"{'engine':<14}{'runs':>5}{'wall s':>9}{'before s':>10}{'write s':>9}"
          f"{'peak RSS':>10}{'CPU %':>7}  stages (median s)")
    for engine, m in med.items():
        st = ", ".join(f"{k} {v:.2f}" for k, v in m["stages"].items())
        print(f"{engine:<14}{m['runs']:>5}{m['wall']:>9.2f}{m['before']:>10.2f}{m['write']:>9.2f}"
              f"{m['rss'] / GIB:>9.2f}G{m['cpu_percent']:>7.0f}  {st}")

    print("\nratios (peer / desync; above 1 means desync is faster)")
    ours = med.get("desync-pg")
    ratios = {}
    if ours:
        for peer in ("polars", "duckdb", "pyspark"):
            if peer in med:
                ratios[f"end_to_end_vs_{peer}"] = med[peer]["wall"] / ours["wall"]
                ratios[f"before_writing_vs_{peer}"] = med[peer]["before"] / ours["before"]
        fastest = min((med[p]["wall"] for p in ("polars", "duckdb") if p in med), default=None)
        if fastest:
            ratios["end_to_end_vs_fastest_peer"] = fastest / ours["wall"]
    for k, v in ratios.items():
        print(f"  {k:<32}{v:>7.2f}x")
    # Rows per second of the store's own writing time ("store": the seconds
    # its writer thread spent writing, most of them beside reading and
    # analysing); older desync versions wrote only in "persist".
    def store_seconds(m):
        return m["stages"].get("store") or m["write"]

    lite = med.get("desync-sqlite")
    if lite and store_seconds(lite) > 0:
        rate = lite["rows"] / store_seconds(lite)
        ratios["sqlite_rows_per_second"] = rate
        print(f"  {'sqlite rows persisted per s':<32}{rate:>10,.0f} ({lite['rows']:,} rows"
              f" in {store_seconds(lite):.2f} s of writing)")
    if ours and store_seconds(ours) > 0:
        rate = ours["rows"] / store_seconds(ours)
        ratios["postgres_rows_per_second"] = rate
        print(f"  {'postgres rows persisted per s':<32}{rate:>10,.0f}"
              f" ({store_seconds(ours):.2f} s of writing)")

    agree = True
    ref_engine = next(iter(runs))
    ref = summaries(ref_engine, runs[ref_engine][0]["report"])
    for engine, rs in runs.items():
        for r in rs:
            got = summaries(engine, r["report"])
            if not (same(ref[0], got[0]) and same(ref[1], got[1])):
                agree = False
                print(f"MISMATCH: {engine} run {r['run']} summaries differ from {ref_engine}")
    print("\nsummaries: " + ("all engines agree" if agree else "ENGINES DISAGREE"))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"medians": med, "ratios": ratios, "agree": agree, "bytes": size}, f,
                      indent=1)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
