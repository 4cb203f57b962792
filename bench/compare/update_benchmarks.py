#!/usr/bin/env python3
"""Writes the "## Comparison" section of BENCHMARKS.md from a run's results.

    bench/compare/update_benchmarks.py [RESULTS_DIR [BENCHMARKS_MD]]
    (defaults: bench/results and BENCHMARKS.md)

The section is rebuilt from bench/compare/benchmarks_section.md (prose: method, settings, what
the profile shows) with its markers replaced by generated text:
  @@RUN@@       the generated report of RESULTS_DIR/compare.json (tables, targets, charts)
  @@PROFILE@@   the top of bench/results/profile/callgrind-self.txt and the records it covered
Only that section changes; the rest of BENCHMARKS.md is left as it is. Every figure in the
section therefore comes from compare.json or from the profile files.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import compare_report  # noqa: E402


def profile_block(profile_dir, top=25):
    self_txt = os.path.join(profile_dir, "callgrind-self.txt")
    lg = os.path.join(profile_dir, "loadgen.json")
    if not os.path.exists(self_txt):
        return "(no profile: run bench/compare/profile_lkstream.sh)"
    with open(self_txt) as f:
        lines = f.read().splitlines()
    total = next((l for l in lines if "PROGRAM TOTALS" in l), "")
    m = re.match(r"\s*([\d,]+)", total)
    ir = int(m.group(1).replace(",", "")) if m else None
    acked = None
    if os.path.exists(lg):
        with open(lg) as f:
            acked = json.load(f).get("acked")
    body = [l for l in lines if re.match(r"\s*[\d,]+ \(", l)][:top]
    out = []
    if ir and acked:
        out.append(f"Instructions executed by `lkstream serve` over the profiled run: {ir:,}\n"
                   f"for {acked:,} acknowledged and consumed records, about {ir / acked:,.0f} "
                   f"per record\n(broker start and stop included).")
        out.append("")
    out.append("```text")
    out.extend(l.rstrip()[:160] for l in body)
    out.append("```")
    return "\n".join(out)


def hot_tail_figures(results_root):
    """@@HT8@@/@@HT1@@ (peak RSS MiB) and @@HT8RPS@@/@@HT1RPS@@ of the 8p-1024b-keyed runs."""
    out = {}
    for tag, d in (("HT8", "hot-tail-8MiB"), ("HT1", "hot-tail-1MiB")):
        path = os.path.join(results_root, d, "compare.json")
        try:
            with open(path) as f:
                rep = json.load(f)
            run = next(r for r in rep["runs"] if r["workload"] == "8p-1024b-keyed")
            out[f"@@{tag}@@"] = f"{run['rss_peak_bytes'] / 2**20:.0f}"
            out[f"@@{tag}RPS@@"] = compare_report.fmt_num(run["max"]["publish_rps"])
        except (OSError, StopIteration, KeyError):
            out[f"@@{tag}@@"] = out[f"@@{tag}RPS@@"] = "(not measured)"
    return out


def perf_block(profile_dir, top=14):
    parts = []
    for name, n in (("perf-by-object.txt", 8), ("perf-report.txt", top)):
        path = os.path.join(profile_dir, name)
        if os.path.exists(path):
            with open(path) as f:
                lines = [l.rstrip()[:150] for l in f.read().splitlines() if l.strip()]
            parts.append("\n".join(lines[:n]))
    if not parts:
        return "(no perf profile)"
    return "```text\n" + "\n\n".join(parts) + "\n```"


def main():
    results = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                              os.path.join(REPO, "bench", "results"))
    with open(os.path.join(results, "compare.json")) as f:
        report = json.load(f)
    with open(os.path.join(HERE, "benchmarks_section.md")) as f:
        section = f.read()
    section = section.replace("@@RUN@@", compare_report.markdown(report))
    profile_dir = os.path.join(REPO, "bench", "results", "profile")
    section = section.replace("@@PROFILE@@", profile_block(profile_dir))
    section = section.replace("@@PERF@@", perf_block(profile_dir))
    for key, value in hot_tail_figures(os.path.join(REPO, "bench", "results")).items():
        section = section.replace(key, value)
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "BENCHMARKS.md")
    with open(path) as f:
        doc = f.read()
    m = re.search(r"^## Comparison\n.*?(?=^## |\Z)", doc, flags=re.S | re.M)
    section = section.rstrip() + "\n"
    if m:
        doc = doc[:m.start()] + section + ("\n" if m.end() < len(doc) else "") + doc[m.end():]
    else:
        doc = doc.rstrip() + "\n\n" + section
    with open(path, "w") as f:
        f.write(doc)
    print(f"updated the Comparison section of {path}")


if __name__ == "__main__":
    main()
