"""Markdown table and PNG charts from a run_compare.py result (compare.json).

    python3 bench/compare/compare_report.py bench/results/compare.json   # rewrites .md and charts

Every figure printed here is read from the JSON; nothing is typed in by hand.
"""

import json
import os
import sys

ORDER = ["lkstream", "kafka", "redis", "nats", "lkstream-always"]
PEERS = ["kafka", "redis", "nats"]
COLORS = {"lkstream": "#1f77b4", "kafka": "#d62728", "redis": "#ff7f0e", "nats": "#2ca02c",
          "lkstream-always": "#9467bd"}


def fmt_us(us):
    if us is None:
        return "-"
    if us < 1000:
        return f"{us:.0f} us"
    if us < 1e6:
        return f"{us / 1000:.3g} ms"
    return f"{us / 1e6:.3g} s"


def fmt_num(x, unit=""):
    if x is None:
        return "-"
    if x >= 1e6:
        s = f"{x / 1e6:.3g} M"
    elif x >= 1e4:
        s = f"{x / 1e3:.3g} k"
    elif x >= 100:
        s = f"{x:.0f}"
    else:
        s = f"{x:.3g}"
    return (s + unit).replace("  ", " ")


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    return f"{r:.3g}x"


def get(run, path):
    cur = run
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def figures(rate):
    """(label, path, formatter, lower_is_better)."""
    r = fmt_num(rate)
    mib = lambda b: None if b is None else b / 2**20
    return [
        ("publish throughput, max rate (records/s)", ("max", "publish_rps"), fmt_num, False),
        ("publish throughput, max rate (MB/s of values)", ("max", "publish_mbps"),
         lambda x: "-" if x is None else f"{x:.3g}", False),
        (f"publish-ack p50 at {r} rec/s", ("fixed", "ack", "p50_us"), fmt_us, True),
        (f"publish-ack p99 at {r} rec/s", ("fixed", "ack", "p99_us"), fmt_us, True),
        (f"publish-ack p99.9 at {r} rec/s", ("fixed", "ack", "p999_us"), fmt_us, True),
        (f"publish-ack max at {r} rec/s", ("fixed", "ack", "max_us"), fmt_us, True),
        (f"end-to-end p50 at {r} rec/s", ("fixed", "e2e", "p50_us"), fmt_us, True),
        (f"end-to-end p99 at {r} rec/s", ("fixed", "e2e", "p99_us"), fmt_us, True),
        (f"end-to-end p99.9 at {r} rec/s", ("fixed", "e2e", "p999_us"), fmt_us, True),
        (f"end-to-end max at {r} rec/s", ("fixed", "e2e", "max_us"), fmt_us, True),
        ("fixed-rate phase: achieved publish rate", ("fixed", "publish_rps"), fmt_num, False),
        ("broker RSS peak (MiB)", ("rss_peak_bytes",),
         lambda b: "-" if b is None else f"{mib(b):.4g}", True),
        ("broker RSS idle (MiB)", ("rss_idle_bytes",),
         lambda b: "-" if b is None else f"{mib(b):.4g}", True),
        ("broker CPU busy during the max-rate phase (cores)", ("max", "cores_busy"),
         lambda x: "-" if x is None else f"{x:.2f}", True),
        ("broker CPU s per million records, max rate", ("max", "cpu_s_per_million"),
         lambda x: "-" if x is None else f"{x:.3g}", True),
        ("broker CPU s per million records, fixed rate", ("fixed", "cpu_s_per_million"),
         lambda x: "-" if x is None else f"{x:.3g}", True),
        ("start to first produce", ("start_to_first_produce_s",),
         lambda s: "-" if s is None else fmt_us(s * 1e6), True),
        ("on-disk bytes per record (max-rate phase)", ("max", "disk_bytes_per_record"),
         lambda x: "-" if x is None else f"{x:.4g}", True),
    ]


def enrich(report):
    """Derived figures: cores the broker kept busy during a phase (CPU s / phase wall time)."""
    for run in report["runs"]:
        for phase in ("max", "fixed"):
            r = run.get(phase)
            if not r or "broker_cpu_s" not in r:
                continue
            wall_ms = r["setup_ms"] + r["consumer_ready_ms"] + r["send_ms"] + r["drain_ms"]
            r["cores_busy"] = r["broker_cpu_s"] / (wall_ms / 1000) if wall_ms > 0 else None
    return report


def by_system(report, wid):
    return {r["system"]: r for r in report["runs"] if r["workload"] == wid}


def targets(report):
    """The issue's targets, per workload: (workload, target, value, pass)."""
    rows = []
    for w in report["workloads"]:
        runs = by_system(report, w["id"])
        lk = runs.get("lkstream")
        if not lk or "error" in lk:
            continue
        k = runs.get("kafka")
        if k and "error" not in k:
            def ratio(path):
                a, b = get(lk, path), get(k, path)
                return None if a is None or not b else a / b
            for name, path, limit, higher in [
                ("publish throughput >= 2x Kafka", ("max", "publish_rps"), 2.0, True),
                ("publish-ack p99 <= 0.2x Kafka", ("fixed", "ack", "p99_us"), 0.2, False),
                ("end-to-end p99 <= 0.2x Kafka", ("fixed", "e2e", "p99_us"), 0.2, False),
                ("broker peak RSS <= 1/20 of Kafka", ("rss_peak_bytes",), 0.05, False),
                ("start-to-first-produce <= 1/50 of Kafka", ("start_to_first_produce_s",), 0.02,
                 False)]:
                r = ratio(path)
                ok = r is not None and (r >= limit if higher else r <= limit)
                rows.append((w["id"], name, "-" if r is None else f"{r:.3g}x", ok))
        for peer in ("redis", "nats"):
            pr = runs.get(peer)
            if not pr or "error" in pr:
                continue
            label = pr["label"]
            for name, path, higher in [
                (f"throughput > {label}", ("max", "publish_rps"), True),
                (f"publish-ack p99 < {label}", ("fixed", "ack", "p99_us"), False),
                (f"end-to-end p99 < {label}", ("fixed", "e2e", "p99_us"), False)]:
                a, b = get(lk, path), get(pr, path)
                ok = a is not None and b is not None and (a > b if higher else a < b)
                rows.append((w["id"], name, fmt_ratio(a, b), ok))
    return rows


def markdown(report, charts=True):
    report = enrich(report)
    out = []
    m, v, s = report["machine"], report["versions"], report["settings"]
    out.append(f"Run of `{report['command']}` started {report['started']} at commit "
               f"`{v.get('git', '?')}` ({report['elapsed_s']:.0f} s). Machine: {m.get('cpus')} "
               f"vCPUs `{m.get('cpu', '?')}`, {m.get('mem_gib', '?')} GiB RAM, Linux "
               f"{m.get('kernel', '?')}. 1-minute load average {report['loadavg_start'][0]:.1f} "
               f"at the start, {report['loadavg_end'][0]:.1f} at the end; harness niceness "
               f"{s.get('nice', 0)}.")
    out.append("")
    out.append(f"Each phase: {s['warmup']:g} s warm-up (not counted) + {s['seconds']:g} s "
               f"measured; "
               f"fixed rate {fmt_num(s['rate'])} records/s. Versions: {v.get('lkstream', '?')}; "
               f"Apache Kafka {v.get('kafka')} (heap {s.get('kafka_heap')}); {v.get('redis')}; "
               f"{v.get('nats')}; librdkafka {v.get('librdkafka')}." +
               (f" LKSTREAM `[topic_defaults]` additions: "
                f"{', '.join('`' + x + '`' for x in s['lkstream_topic_settings'])}."
                if s.get("lkstream_topic_settings") else ""))
    out.append("")
    if not report.get("complete", True):
        done = {r["workload"] for r in report["runs"]}
        out.append(f"**Interrupted run**: results for {len(report['runs'])} of "
                   f"{len(report['workloads']) * len(report['systems'])} system/workload pairs.")
        out.append("")
        report = dict(report, workloads=[w for w in report["workloads"] if w["id"] in done])
    systems = [x for x in ORDER if x in report["systems"]]
    peers = [x for x in PEERS if x in systems]
    labels = {r["system"]: r["label"] for r in report["runs"]}
    for w in report["workloads"]:
        runs = by_system(report, w["id"])
        out.append(f"#### {w['label']}")
        out.append("")
        head = ["Figure"] + [labels.get(x, x) for x in systems]
        if "lkstream" in systems:
            head += [f"LKSTREAM / {labels.get(p, p)}" for p in peers]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for label, path, fmt, _lower in figures(s["rate"]):
            row = [label]
            for x in systems:
                run = runs.get(x)
                row.append("-" if run is None else "failed" if "error" in run
                           else fmt(get(run, path)))
            if "lkstream" in systems:
                lk = runs.get("lkstream")
                for p in peers:
                    row.append(fmt_ratio(get(lk, path) if lk else None,
                                         get(runs.get(p), path) if runs.get(p) else None))
            out.append("| " + " | ".join(row) + " |")
        out.append("")
        notes = []
        for x in systems:
            run = runs.get(x)
            if run is None:
                continue
            if "error" in run:
                notes.append(f"{labels.get(x, x)} failed: {run['error'].splitlines()[0][:300]}")
                continue
            for phase in ("max", "fixed"):
                r = run.get(phase, {})
                if r.get("missing"):
                    notes.append(f"{labels[x]}, {phase}-rate phase: {r['missing']} acknowledged "
                                 f"records not consumed within the drain timeout")
                if r.get("ack_failed") or r.get("send_failed"):
                    notes.append(f"{labels[x]}, {phase}-rate phase: {r.get('ack_failed', 0)} "
                                 f"failed acks, {r.get('send_failed', 0)} refused sends")
            fixed = run.get("fixed", {})
            if fixed and fixed.get("publish_rps", 0) < 0.97 * s["rate"]:
                unsent = fixed.get("unsent", 0)
                notes.append(f"{labels[x]} did not keep up with {fmt_num(s['rate'])} records/s "
                             f"(acknowledged {fmt_num(fixed.get('publish_rps'))}/s): its latency "
                             f"figures include the growing backlog" +
                             (f"; {unsent} scheduled records could not be sent before the end of "
                              f"the phase and count with the latency reached then"
                              if unsent else ""))
        for n in notes:
            out.append(f"- {n}")
        if notes:
            out.append("")
    rows = targets(report)
    if rows:
        out.append("#### Targets (issue 6)")
        out.append("")
        out.append("| Workload | Target | LKSTREAM / peer | |")
        out.append("|---|---|---|---|")
        for wid, name, val, ok in rows:
            out.append(f"| {wid} | {name} | {val} | {'pass' if ok else '**miss**'} |")
        out.append("")
    if charts:
        prefix = "bench/results/quick/" if report.get("quick") else "bench/results/"
        out.append(f"![Publish throughput]({prefix}throughput.png)")
        out.append("")
        for w in report["workloads"]:
            out.append(f"![Latency, {w['label']}]({prefix}latency-{w['id']}.png)")
            out.append("")
        out.append(f"![Resources]({prefix}resources.png)")
        out.append("")
    return "\n".join(out)


def txn_markdown(report):
    """The transactional workloads (report["transactions"]): LKSTREAM next to Apache Kafka with
    the same librdkafka client, and the ratios against the issue's targets (committed
    throughput >= 2x Kafka, commit p99 <= 0.2x Kafka). Empty when none ran."""
    runs = report.get("transactions") or []
    if not runs:
        return ""
    lines = ["", "### Transactions (librdkafka transactional producer, read_committed consumer)",
             "",
             "| Workload | System | committed rec/s | commit p50 | commit p99 | e2e p50 | e2e p99 "
             "| missing |",
             "|---|---|---|---|---|---|---|---|"]
    by = {}
    for r in runs:
        by.setdefault(r["workload"], {})[r["system"]] = r
        if "error" in r:
            lines.append(f"| {r['workload']} | {r['label']} | failed: {r['error'][:120]} "
                         "| | | | | |")
            continue
        lines.append(
            f"| {r['workload']} | {r['label']} | {fmt_num(r.get('committed_rps'))} "
            f"| {fmt_us(get(r, ['commit', 'p50_us']))} | {fmt_us(get(r, ['commit', 'p99_us']))} "
            f"| {fmt_us(get(r, ['e2e', 'p50_us']))} | {fmt_us(get(r, ['e2e', 'p99_us']))} "
            f"| {r.get('missing', '-')} |")
    lines += ["", "| Workload | throughput LKSTREAM/Kafka (target >= 2x) "
              "| commit p50 LKSTREAM/Kafka | commit p99 LKSTREAM/Kafka (target <= 0.2x) |",
              "|---|---|---|---|"]
    for wid, systems in by.items():
        lk, kf = systems.get("lkstream"), systems.get("kafka")
        if not lk or not kf or "error" in lk or "error" in kf:
            lines.append(f"| {wid} | - | - | - |")
            continue
        lines.append(
            f"| {wid} | {fmt_ratio(lk.get('committed_rps'), kf.get('committed_rps'))} "
            f"| {fmt_ratio(get(lk, ['commit', 'p50_us']), get(kf, ['commit', 'p50_us']))} "
            f"| {fmt_ratio(get(lk, ['commit', 'p99_us']), get(kf, ['commit', 'p99_us']))} |")
    return "\n".join(lines) + "\n"


def charts(report, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import math

    systems = [x for x in ORDER if x in report["systems"]]
    labels = {r["system"]: r["label"] for r in report["runs"]}
    wls = report["workloads"]

    def bars(ax, path, title, scale=1.0, log=False):
        width = 0.8 / max(len(systems), 1)
        found = []
        for i, x in enumerate(systems):
            vals = []
            for w in wls:
                run = by_system(report, w["id"]).get(x)
                val = get(run, path) if run and "error" not in run else None
                vals.append(0 if val is None else val * scale)
            pos = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(wls))]
            bars_ = ax.bar(pos, vals, width, label=labels.get(x, x), color=COLORS.get(x))
            ax.bar_label(bars_, labels=[fmt_num(v) if v else "" for v in vals], fontsize=6,
                         padding=1)
            found.extend(v for v in vals if v > 0)
        ax.set_xticks(range(len(wls)))
        ax.set_xticklabels([w["id"] for w in wls], fontsize=8)
        ax.set_title(title, fontsize=10)
        if log:
            ax.set_yscale("log")
            if found:
                ax.set_ylim(min(found) / 3, max(found) * 3)
        elif found:
            ax.set_ylim(0, max(found) * 1.15)
        ax.grid(axis="y", alpha=0.3)

    fig, ax = plt.subplots(figsize=(9, 4.5))
    bars(ax, ("max", "publish_rps"), "Publish throughput at max rate (records/s, higher is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "throughput.png"), dpi=110)
    plt.close(fig)

    ticks = [50, 90, 99, 99.9, 99.99]
    for w in wls:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
        for ax, key, title in ((axes[0], "ack", "publish-ack"), (axes[1], "e2e", "end-to-end")):
            for x in systems:
                run = by_system(report, w["id"]).get(x)
                curve = get(run, ("fixed", key, "curve")) if run and "error" not in run else None
                if not curve:
                    continue
                pts = [(-math.log10(1 - p / 100), us / 1000) for p, us in curve
                       if 0 < p < 100 and us > 0]
                ax.plot([a for a, _ in pts], [b for _, b in pts], marker="o", markersize=3,
                        label=labels.get(x, x), color=COLORS.get(x))
            ax.set_xticks([-math.log10(1 - t / 100) for t in ticks])
            ax.set_xticklabels([f"p{t:g}" for t in ticks])
            ax.set_yscale("log")
            ax.set_title(f"{title} latency at {fmt_num(report['settings']['rate'])} records/s",
                         fontsize=10)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel("ms (log scale, lower is better)")
        axes[0].legend(fontsize=8)
        fig.suptitle(w["label"], fontsize=10)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, f"latency-{w['id']}.png"), dpi=110)
        plt.close(fig)

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    bars(axes[0][0], ("rss_peak_bytes",), "broker RSS peak (MiB, log)", 1 / 2**20, log=True)
    bars(axes[0][1], ("start_to_first_produce_s",), "start to first produce (s, log)", log=True)
    bars(axes[1][0], ("max", "cpu_s_per_million"), "broker CPU s per million records (max rate)")
    bars(axes[1][1], ("max", "disk_bytes_per_record"), "on-disk bytes per record")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Resources (lower is better)", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "resources.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compare_report.py RESULTS/compare.json")
    with open(sys.argv[1]) as f:
        rep = json.load(f)
    d = os.path.dirname(os.path.abspath(sys.argv[1]))
    with open(os.path.join(d, "compare.md"), "w") as f:
        f.write((markdown(rep) if rep["runs"] else "") + txn_markdown(rep))
    if rep["runs"]:
        charts(rep, d)
