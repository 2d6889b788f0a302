#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw samples of 'make bench' into results.json, summary.md and plots.

Usage: bench-report.py OUT_DIR [--strict] [--resamples N] [--seed N]

Reads OUT_DIR/raw/*.csv (columns bench,case,metric,arm,round,seq,value, written
by test_progs -t provider_bench), OUT_DIR/raw/host.txt and OUT_DIR/raw/guest.txt
(key=value lines), and writes OUT_DIR/results.json, OUT_DIR/summary.md and one
OUT_DIR/<bench>.png per benchmark; prints the summary.

Arms: "c" and "c2" are served by the built-in C code (c2 is the A/A control),
"rust" by the Rust provider. A ratio Rust/C is the geometric mean over rounds
of the per-round ratios of a statistic (the median unless said otherwise), as
the arms alternated within each round; its 95 % interval is a paired,
two-level bootstrap: rounds are drawn with replacement (the same rounds for
both arms), then samples within each drawn round. The A/A ratio c2/c,
computed the same way, is the noise floor: a goal missed by less than the A/A
interval's distance from 1 is reported as "held within noise".

Needs python3 and numpy; matplotlib for the plots (skipped with a warning if it
is missing). Exit status: 0; 2 on missing or malformed data; 3 with --strict
when a goal is missed beyond the noise floor.
"""

import argparse
import csv
import datetime
import json
import os
import re
import sys
import tempfile
from collections import defaultdict

import numpy as np

ARMS = ("c", "rust", "c2", "pfifo", "fq")
ARM_LABELS = {"c": "C", "rust": "Rust", "c2": "C (A/A)", "pfifo": "pfifo", "fq": "fq"}
ARM_COLORS = {"c": "tab:blue", "rust": "tab:orange", "c2": "tab:gray", "pfifo": "tab:green",
              "fq": "tab:green"}

# What each benchmark measures and how its goal is judged. "stat" is the
# statistic the ratio and goal use; "extra" are reported beside it.
BENCHES = {
    "b1_link_update": {
        "id": "B1",
        "title": "struct_ops link update (BPF_F_REPLACE) under a loopback connect loop",
        "metric": "update_ns",
        "what": "time per bpf_link_update()",
        "stat": "p50",
        "extra": ["p99"],
        "goal": {"kind": "ratio", "max": 1.00, "text": "Rust/C p50 ≤ 1.00, 0 failed connects"},
        "counts": ["connects", "connect_failures"],
        "must_be_zero": ["connect_failures"],
        "cases": {"gp": "normal grace periods", "expedited": "rcu_expedited=1"},
    },
    "b2_tcp_ca_update": {
        "id": "B2",
        "title": "tcp_update_congestion_control() without its grace period",
        "metric": "self_ns",
        "what": "time in the call less the time in synchronize_rcu()",
        "stat": "p50",
        "extra": ["p99"],
        "info_metrics": ["total_ns", "sync_ns"],
        "goal": {"kind": "ratio", "max": 1.00, "text": "Rust/C ≤ 1.00"},
        "cases": {"-": ""},
    },
    "b3_timer_cycle": {
        "id": "B3",
        "title": "bpf_timer set_callback + start (1 s) + cancel",
        "metric": "cycle_ns",
        "what": "ns per cycle, one sample per BPF_PROG_TEST_RUN batch",
        "stat": "p50",
        "extra": [],
        "goal": {"kind": "ratio", "max": 1.00, "text": "Rust/C ≤ 1.00"},
        "cases": {"-": ""},
    },
    "b4_timer_lateness": {
        "id": "B4",
        "title": "bpf_timer lateness, re-arming ABS timer",
        "metric": "late_ns",
        "what": "callback time minus deadline",
        "stat": "p50",
        "extra": ["p99", "p99.9"],
        "goal": {"kind": "lateness", "abs_ns": 1000.0, "rel": 0.10,
                 "text": "Rust p50 ≤ C p50 + max(1 µs, 10 %)"},
        "counts": ["overruns"],
        "cases": {"100us": "period 100 µs", "1ms": "period 1 ms"},
    },
    "b5_qdisc_fifo": {
        "id": "B5",
        "title": "qdisc FIFO packets/s, veth with NAPI, saturating UDP sender",
        "metric": "pps",
        "unit": "pps",
        "what": "packets/s that veth0 transmitted, one sample per 100 ms window, each window on "
                "a qdisc installed anew; C is the struct_ops bpf_fifo, Rust is sch_bpf with a "
                "FIFO policy, pfifo the built-in qdisc",
        "stat": "p50",
        "extra": [],
        "labels": {"c": "bpf_fifo", "rust": "sch_bpf", "c2": "bpf_fifo (A/A)"},
        "goal": {"kind": "ratio_min", "min": 1.00, "refs": {"pfifo": 0.95},
                 "text": "sch_bpf/bpf_fifo ≥ 1.00, sch_bpf/pfifo ≥ 0.95"},
        "cases": {"-": ""},
    },
    "b6_fair_queue": {
        "id": "B6",
        "title": "TCP through a fair queue, veth with NAPI",
        "metric": "mbps",
        "unit": "mbps",
        "what": "Mbit/s received by all flows in a 400 ms window, each window on a qdisc and "
                "connections made anew; C is the struct_ops bpf_fq, Rust is sch_bpf with "
                "progs/sch_bpf_fq.c (rank = virtual finish time per flow), fq the built-in qdisc",
        "stat": "p50",
        "extra": [],
        "labels": {"c": "bpf_fq", "rust": "sch_bpf", "c2": "bpf_fq (A/A)"},
        "goal": {"kind": "ratio_min", "min": 0.95, "refs": {"fq": None},
                 "text": "sch_bpf/bpf_fq ≥ 0.95"},
        "cases": {"1": "1 flow", "16": "16 flows"},
    },
    "b6_jain": {
        "id": "B6",
        "title": "fairness among the flows (Jain's index)",
        "metric": "jain_permille",
        "unit": "permille",
        "what": "Jain's index of the flows' bytes in each window of B6 (16 flows)",
        "stat": "p50",
        "extra": [],
        "labels": {"c": "bpf_fq", "rust": "sch_bpf", "c2": "bpf_fq (A/A)"},
        "goal": {"kind": "at_least", "min": 950, "text": "sch_bpf Jain ≥ 0.95"},
        "cases": {"16": "16 flows"},
    },
}

QUANTILES = {"p50": 0.50, "p99": 0.99, "p99.9": 0.999}


def quantile(values, stat):
    return float(np.quantile(values, QUANTILES[stat]))


def fmt_ns(v):
    if v is None or not np.isfinite(v):
        return "-"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g} s"
    if a >= 1e6:
        return f"{v / 1e6:.3g} ms"
    if a >= 1e3:
        return f"{v / 1e3:.3g} µs"
    return f"{v:.3g} ns"


def fmt_val(v, unit="ns"):
    if unit == "ns":
        return fmt_ns(v)
    if v is None or not np.isfinite(v):
        return "-"
    if unit == "pps":
        return f"{v / 1e3:.3g} kpps"
    if unit == "mbps":
        return f"{v:.4g} Mbit/s"
    if unit == "permille":
        return f"{v / 1e3:.3f}"
    return f"{v:.3g}"


# Plot axes: values are divided by 1000 and labelled so.
AXIS_UNIT = {"ns": "µs", "pps": "kpps", "mbps": "Gbit/s", "permille": "Jain index"}


def label(cfg, arm):
    return cfg.get("labels", {}).get(arm, ARM_LABELS.get(arm, arm))


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r['value']:.3f} [{r['ci'][0]:.3f}, {r['ci'][1]:.3f}]"


def read_kv(path):
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out[k] = v
    except FileNotFoundError:
        pass
    return out


def read_samples(raw_dir):
    """data[bench][case][metric][arm][round] -> list of values (seq order)."""
    data = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(dict))))
    files = sorted(f for f in os.listdir(raw_dir) if f.endswith(".csv"))
    for name in files:
        rows = defaultdict(list)
        with open(os.path.join(raw_dir, name), newline="") as f:
            reader = csv.DictReader(f)
            want = {"bench", "case", "metric", "arm", "round", "seq", "value"}
            if not reader.fieldnames or not want <= set(reader.fieldnames):
                raise ValueError(f"{name}: expected columns {sorted(want)}")
            for row in reader:
                key = (row["bench"], row["case"], row["metric"], row["arm"], int(row["round"]))
                rows[key].append((int(row["seq"]), float(row["value"])))
        for (bench, case, metric, arm, rnd), vals in rows.items():
            vals.sort()
            data[bench][case][metric][arm][rnd] = [v for _, v in vals]
    return data, files


def paired_bootstrap(per_round, arm_a, arm_b, stat, rng, resamples):
    """Ratio of stat(b) to stat(a), paired by round, with a two-level bootstrap.

    The point estimate is the geometric mean over rounds of the per-round
    ratios: each round's drift (these machines drift by tens of percent within
    minutes) cancels in its own ratio. The interval redraws rounds with
    replacement (the same rounds for both arms), then samples within each.
    """
    rounds = sorted(set(per_round[arm_a]) & set(per_round[arm_b]))
    if not rounds:
        return None
    a = [np.asarray(per_round[arm_a][r], dtype=float) for r in rounds]
    b = [np.asarray(per_round[arm_b][r], dtype=float) for r in rounds]
    q = QUANTILES[stat]

    def stat_of(x):
        return np.quantile(x, q)

    point = float(np.exp(np.mean([np.log(stat_of(y) / stat_of(x)) for x, y in zip(a, b)])))
    # Within-round resamples of each round's log ratio, all at once (a round
    # drawn twice in one iteration reuses its draw: a negligible difference).
    log_ratio = np.empty((resamples, len(rounds)))
    for k, (x, y) in enumerate(zip(a, b)):
        xs = np.quantile(x[rng.integers(0, len(x), (resamples, len(x)))], q, axis=1)
        ys = np.quantile(y[rng.integers(0, len(y), (resamples, len(y)))], q, axis=1)
        log_ratio[:, k] = np.log(ys / xs)
    n = len(rounds)
    pick = rng.integers(0, n, (resamples, n))
    ratios = np.exp(np.take_along_axis(log_ratio, pick, axis=1).mean(axis=1))
    lo, hi = np.quantile(ratios, [0.025, 0.975])
    pooled = np.quantile(np.concatenate(b), q) / np.quantile(np.concatenate(a), q)
    return {"value": point, "ci": [float(lo), float(hi)], "rounds": n,
            "pooled": float(pooled)}


def per_round_ratios(per_round, arm_a, arm_b, stat):
    rounds = sorted(set(per_round[arm_a]) & set(per_round[arm_b]))
    return [quantile(per_round[arm_b][r], stat) / quantile(per_round[arm_a][r], stat)
            for r in rounds]


def judge(cfg, arms, ratio, aa, counts, refs=None):
    """Verdict: 'held', 'held within noise', 'missed' or 'no data'."""
    goal = cfg["goal"]
    if ratio is None or "c" not in arms or "rust" not in arms:
        return "no data", ""
    for metric in cfg.get("must_be_zero", []):
        bad = {arm: n for arm, n in counts.get(metric, {}).items() if n}
        if bad:
            detail = ", ".join(f"{ARM_LABELS[a]} {int(n)}" for a, n in sorted(bad.items()))
            return "missed", f"{metric.replace('_', ' ')}: {detail}"
    floor = None
    if aa is not None:
        floor = max(abs(aa["ci"][0] - 1), abs(aa["ci"][1] - 1))
    stat = cfg["stat"]
    if goal["kind"] == "ratio":
        excess = ratio["value"] - goal["max"]
        if excess <= 0:
            return "held", ""
        if floor is not None and excess <= floor:
            return "held within noise", f"+{excess * 100:.1f} % ≤ A/A floor {floor * 100:.1f} %"
        return "missed", f"+{excess * 100:.1f} % over the goal (A/A floor {floor * 100:.1f} %)" \
            if floor is not None else f"+{excess * 100:.1f} % over the goal"
    if goal["kind"] == "ratio_min":
        worst, why = 0.0, []
        checks = [("c", ratio, goal["min"])]
        checks += [(ref, (refs or {}).get(ref), lo) for ref, lo in goal.get("refs", {}).items()]
        for ref, r, lo in checks:
            if lo is None:
                continue
            if r is None:
                return "no data", f"no {label(cfg, ref)} arm"
            deficit = lo - r["value"]
            if deficit > 0:
                worst = max(worst, deficit)
                why.append(f"{label(cfg, 'rust')}/{label(cfg, ref)} {r['value']:.3f} < {lo:.2f}")
        if worst <= 0:
            return "held", ""
        if floor is not None and worst <= floor:
            return "held within noise", "; ".join(why) + f" (A/A floor {floor * 100:.1f} %)"
        return "missed", "; ".join(why)
    if goal["kind"] == "at_least":
        v = arms["rust"][stat]
        if v >= goal["min"]:
            return "held", f"{label(cfg, 'rust')} {fmt_val(v, cfg.get('unit', 'ns'))}"
        return "missed", f"{label(cfg, 'rust')} {fmt_val(v, cfg.get('unit', 'ns'))}"
    if goal["kind"] == "lateness":
        c = arms["c"][stat]
        allowed = c + max(goal["abs_ns"], goal["rel"] * c)
        excess = arms["rust"][stat] - allowed
        if excess <= 0:
            return "held", f"Rust {fmt_ns(arms['rust'][stat])} ≤ {fmt_ns(allowed)}"
        aa_abs = abs(arms["c2"][stat] - c) if "c2" in arms else None
        if aa_abs is not None and excess <= aa_abs:
            return "held within noise", f"{fmt_ns(excess)} over ≤ A/A {fmt_ns(aa_abs)}"
        return "missed", f"Rust {fmt_ns(arms['rust'][stat])} > {fmt_ns(allowed)}"
    raise ValueError(goal["kind"])


def analyse(data, rng, resamples):
    results = []
    for bench, cfg in BENCHES.items():
        if "pending" in cfg:
            results.append({"bench": bench, "id": cfg["id"], "title": cfg["title"],
                            "pending": cfg["pending"]})
            continue
        cases = data.get(bench)
        if not cases:
            results.append({"bench": bench, "id": cfg["id"], "title": cfg["title"],
                            "verdict": "no data"})
            continue
        for case in sorted(cases, key=lambda c: list(cfg["cases"]).index(c)
                           if c in cfg["cases"] else 99):
            metrics = cases[case]
            per_round = metrics.get(cfg["metric"], {})
            arms = {}
            for arm in ARMS:
                if arm not in per_round:
                    continue
                vals = np.concatenate([np.asarray(v, dtype=float)
                                       for v in per_round[arm].values()])
                if not len(vals):
                    continue
                entry = {"n": int(len(vals)), "rounds": len(per_round[arm]),
                         "mean": float(vals.mean()), "min": float(vals.min()),
                         "max": float(vals.max())}
                for s in [cfg["stat"]] + cfg["extra"]:
                    entry[s] = quantile(vals, s)
                entry["round_" + cfg["stat"]] = [
                    quantile(per_round[arm][r], cfg["stat"]) for r in sorted(per_round[arm])]
                arms[arm] = entry
            ratio = aa = None
            if "c" in arms and "rust" in arms:
                ratio = paired_bootstrap(per_round, "c", "rust", cfg["stat"], rng, resamples)
                if ratio:
                    ratio["per_round"] = per_round_ratios(per_round, "c", "rust", cfg["stat"])
            if "c" in arms and "c2" in arms:
                aa = paired_bootstrap(per_round, "c", "c2", cfg["stat"], rng, resamples)
                if aa:
                    aa["per_round"] = per_round_ratios(per_round, "c", "c2", cfg["stat"])
                    aa["per_round_spread"] = max(abs(x - 1) for x in aa["per_round"])
            refs = {}
            for ref in cfg["goal"].get("refs", {}):
                if ref in arms and "rust" in arms:
                    refs[ref] = paired_bootstrap(per_round, ref, "rust", cfg["stat"], rng,
                                                 resamples)
            extra_ratios = {}
            if "c" in arms and "rust" in arms:
                for s in cfg["extra"]:
                    extra_ratios[s] = arms["rust"][s] / arms["c"][s] if arms["c"][s] else None
            counts = {}
            for metric in cfg.get("counts", []):
                if metric in metrics:
                    counts[metric] = {arm: float(sum(sum(v) for v in rounds.values()))
                                      for arm, rounds in metrics[metric].items()}
            info = {}
            for metric in cfg.get("info_metrics", []):
                if metric in metrics:
                    info[metric] = {arm: float(np.median(np.concatenate(
                        [np.asarray(v, dtype=float) for v in rounds.values()])))
                        for arm, rounds in metrics[metric].items()}
            verdict, why = judge(cfg, arms, ratio, aa, counts, refs)
            results.append({
                "bench": bench, "id": cfg["id"], "title": cfg["title"], "case": case,
                "case_text": cfg["cases"].get(case, case), "metric": cfg["metric"],
                "what": cfg["what"], "stat": cfg["stat"], "arms": arms, "ratio": ratio,
                "aa": aa, "refs": refs, "unit": cfg.get("unit", "ns"),
                "extra_ratios": extra_ratios, "counts": counts, "info": info,
                "goal": cfg["goal"]["text"], "verdict": verdict, "verdict_detail": why,
            })
    return results


def plot(results, data, out_dir):
    try:
        os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mpl-"))
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print(f"warning: no plots ({e}); install python3-matplotlib", file=sys.stderr)
        return []
    written = []
    by_bench = defaultdict(list)
    for r in results:
        if r.get("arms"):
            by_bench[r["bench"]].append(r)
    for bench, rows in by_bench.items():
        fig, axes = plt.subplots(len(rows), 2, figsize=(11, 3.6 * len(rows)), squeeze=False)
        for (ax_d, ax_r), r in zip(axes, rows):
            per_round = data[bench][r["case"]][r["metric"]]
            for arm in ARMS:
                if arm not in per_round:
                    continue
                vals = np.sort(np.concatenate([np.asarray(v, dtype=float)
                                               for v in per_round[arm].values()])) / 1e3
                # Fraction of samples at or above each value: tails stay visible.
                y = np.arange(len(vals), 0, -1) / len(vals)
                ax_d.step(vals, y, where="post", color=ARM_COLORS[arm],
                          label=f"{label(BENCHES[bench], arm)} (n={len(vals)}, "
                                f"p50 {fmt_val(r['arms'][arm]['p50'], r['unit'])})")
                rounds = sorted(per_round[arm])
                ax_r.plot(rounds, np.asarray(r["arms"][arm]["round_" + r["stat"]]) / 1e3,
                          marker="o",
                          color=ARM_COLORS[arm], label=label(BENCHES[bench], arm))
            lo = min(a["min"] for a in r["arms"].values())
            hi = max(a["max"] for a in r["arms"].values())
            if lo > 0 and hi / lo > 20:
                ax_d.set_xscale("log")
            ax_d.set_yscale("log")
            for q, name in ((0.5, "p50"), (0.01, "p99"), (0.001, "p99.9")):
                if q * max(a["n"] for a in r["arms"].values()) >= 1:
                    ax_d.axhline(q, color="black", lw=0.5, ls=":")
                    ax_d.annotate(name, (0, q), xycoords=("axes fraction", "data"),
                                  fontsize=7, va="bottom")
            unit = AXIS_UNIT.get(r["unit"], r["unit"])
            ax_d.set_xlabel(f"{r['metric'].removesuffix('_ns')} ({unit})")
            ax_d.set_ylabel("fraction of samples ≥ x")
            ax_d.grid(True, alpha=0.3)
            ax_d.legend(fontsize=8, loc="lower left")
            case = f" [{r['case']}]" if r["case"] != "-" else ""
            ratio = f"Rust/C {r['ratio']['value']:.3f}" if r.get("ratio") else ""
            ax_d.set_title(f"{r['id']}{case}: distribution (CCDF) {ratio}", fontsize=10)
            ax_r.set_xlabel("round")
            ax_r.set_ylabel(f"{r['stat']} per round ({unit})")
            ax_r.grid(True, alpha=0.3)
            ax_r.legend(fontsize=8)
            ax_r.set_title(f"{r['id']}{case}: drift across rounds", fontsize=10)
        fig.suptitle(f"{rows[0]['id']}: {rows[0]['title']}", fontsize=11)
        fig.tight_layout()
        path = os.path.join(out_dir, f"{bench}.png")
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(os.path.basename(path))
    return written


def summary_md(results, host, guest, plots, generated):
    accel = host.get("accelerator", "unknown")
    lines = ["# make bench: Rust providers against the C reference", ""]
    lines.append(f"Generated {generated} from samples taken {host.get('date', '?')}.")
    lines.append("")
    lines.append(f"- machine: {host.get('host_cpu', '?')}, {host.get('host_cpus', '?')} cores, "
                 f"host kernel {host.get('host_kernel', '?')}")
    lines.append(f"- guest: {guest.get('kernel', '?')}, {guest.get('cpus', '?')} vCPUs, "
                 f"CPU model \"{guest.get('cpu_model', '?')}\", clocksource "
                 f"{guest.get('clocksource', '?')}")
    lines.append(f"- **accelerator: {accel.upper()}**; repository {host.get('repo', '?')}; "
                 f"rounds {host.get('rounds', '?')}, work scale {host.get('scale', '?')} %; "
                 f"guest run {host.get('guest_wall_s', '?')} s")
    lines.append("")
    if accel != "kvm":
        lines.append("> Under TCG (QEMU's software CPU) absolute times are not comparable across "
                     "machines, nor with hardware: only the Rust/C ratios are, measured in one "
                     "boot with the arms alternating.")
    else:
        lines.append("> Absolute times depend on the machine: compare the Rust/C ratios.")
    lines.append("")
    lines.append("| # | benchmark | case | C | Rust | Rust/C [95 % CI] | A/A C'/C [95 % CI] "
                 "| A/A per round | goal | held? |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "pending" in r:
            lines.append(f"| {r['id']} | {r['title']} | | | | | | | | not run: {r['pending']} |")
            continue
        if "arms" not in r:
            lines.append(f"| {r['id']} | {r['title']} | | | | | | | | no data |")
            continue
        arms, stat = r["arms"], r["stat"]
        c = fmt_val(arms["c"][stat], r["unit"]) if "c" in arms else "-"
        rust = fmt_val(arms["rust"][stat], r["unit"]) if "rust" in arms else "-"
        if "labels" in BENCHES[r["bench"]]:
            c = f"{label(BENCHES[r['bench']], 'c')} {c}"
            rust = f"{label(BENCHES[r['bench']], 'rust')} {rust}"
        spread = f"±{r['aa']['per_round_spread'] * 100:.1f} %" if r.get("aa") else "-"
        verdict = r["verdict"] + (f" ({r['verdict_detail']})" if r["verdict_detail"] else "")
        lines.append(f"| {r['id']} | {r['title']}, {stat} | {r['case_text'] or '-'} | {c} | "
                     f"{rust} | {fmt_ratio(r.get('ratio'))} | {fmt_ratio(r.get('aa'))} | "
                     f"{spread} | {r['goal']} | {verdict} |")
    lines.append("")
    lines.append("## Details")
    for r in results:
        if "arms" not in r:
            continue
        case = f" [{r['case']}]" if r["case"] != "-" else ""
        lines.append("")
        lines.append(f"### {r['id']}{case}: {r['title']}")
        lines.append("")
        cfg = BENCHES[r["bench"]]
        lines.append(f"{r['what']}. Samples per arm (rounds): " + ", ".join(
            f"{label(cfg, a)} {v['n']} ({v['rounds']})" for a, v in r["arms"].items()) + ".")
        lines.append("")
        stats = [r["stat"]] + [s for s in BENCHES[r["bench"]]["extra"]]
        lines.append("| arm | " + " | ".join(stats) + " | mean |")
        lines.append("|---|" + "---|" * (len(stats) + 1))
        for a in ARMS:
            if a in r["arms"]:
                v = r["arms"][a]
                lines.append(f"| {label(cfg, a)} | " + " | ".join(
                    fmt_val(v[s], r["unit"]) for s in stats) + f" | {fmt_val(v['mean'], r['unit'])} |")
        for s, x in r["extra_ratios"].items():
            if x is not None:
                lines.append(f"\nRust/C {s}: {x:.3f}.")
        for ref, x in (r.get("refs") or {}).items():
            if x:
                lines.append(f"\n{label(cfg, 'rust')}/{label(cfg, ref)}: {fmt_ratio(x)}.")
        if r.get("ratio"):
            pr = r["ratio"]["per_round"]
            lines.append(f"\nRust/C per round: {min(pr):.3f} … {max(pr):.3f}.")
        for metric, per_arm in r["counts"].items():
            lines.append(f"\n{metric.replace('_', ' ')}: " + ", ".join(
                f"{ARM_LABELS.get(a, a)} {int(n)}" for a, n in sorted(per_arm.items())) + ".")
        for metric, per_arm in r["info"].items():
            lines.append(f"\nmedian {metric}: " + ", ".join(
                f"{ARM_LABELS.get(a, a)} {fmt_ns(n)}" for a, n in sorted(per_arm.items())) + ".")
        if f"{r['bench']}.png" in plots:
            lines.append(f"\n![{r['id']}]({r['bench']}.png)")
    lines.append("")
    lines.append("## Method")
    lines.append("")
    lines.append("- One boot; every benchmark alternates its arms within each round: C (built-in "
                 "code), Rust (the provider module) and C again (A/A). Where objects of both "
                 "implementations can coexist (links, timers), the C objects are made before the "
                 "module is loaded and the Rust one after, and operations on them interleave; the "
                 "tcp_update_congestion_control() provider serves every update while loaded, so "
                 "B2 loads and unloads it around its batches.")
    lines.append("- Ratio: geometric mean over rounds of the per-round Rust/C ratios of the "
                 "statistic (each round's drift cancels in its own ratio); the medians shown per "
                 "arm pool all rounds. 95 % interval: paired two-level bootstrap (rounds with "
                 "replacement, the same rounds for both arms, then samples within each round).")
    lines.append("- A/A: the same ratio for the second C arm; \"A/A per round\" is the largest "
                 "distance from 1 of the per-round C'/C ratios. A ratio goal missed by less than "
                 "the A/A interval's distance from 1 is \"held within noise\".")
    lines.append("")
    return "\n".join(lines)


def missed_causes(results):
    """The sections of scripts/bench-misses.md for the benchmarks whose goal is missed."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-misses.md")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return ""
    sections = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        head, _, body = part.partition("\n")
        sections[head.strip()] = body.strip()
    ids = sorted({r["id"] for r in results if r.get("verdict") == "missed"})
    lines = []
    for bid in ids:
        lines.append(f"### {bid}")
        lines.append("")
        lines.append(sections.get(bid, "No cause written yet in scripts/bench-misses.md."))
        lines.append("")
    if not lines:
        return ""
    return "\n".join(["", "## Why goals are missed (measured causes)", ""] + lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--strict", action="store_true",
                    help="exit 3 when a goal is missed beyond the noise floor")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    raw = os.path.join(args.out_dir, "raw")
    if not os.path.isdir(raw):
        print(f"error: no {raw}", file=sys.stderr)
        return 2
    try:
        data, files = read_samples(raw)
    except (ValueError, KeyError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not files:
        print(f"error: no samples in {raw}", file=sys.stderr)
        return 2
    host = read_kv(os.path.join(raw, "host.txt"))
    guest = read_kv(os.path.join(raw, "guest.txt"))
    rng = np.random.default_rng(args.seed)
    results = analyse(data, rng, args.resamples)
    plots = plot(results, data, args.out_dir)
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = {
        "generated": generated,
        "accelerator": host.get("accelerator", "unknown"),
        "note": "Under TCG absolute times are not comparable across machines; ratios are.",
        "host": host,
        "guest": guest,
        "raw_files": files,
        "plots": plots,
        "benchmarks": results,
    }
    with open(os.path.join(args.out_dir, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    md = summary_md(results, host, guest, plots, generated)
    md += missed_causes(results)
    with open(os.path.join(args.out_dir, "summary.md"), "w") as f:
        f.write(md)
    print(md)
    missed = [r for r in results if r.get("verdict") == "missed"]
    return 3 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
