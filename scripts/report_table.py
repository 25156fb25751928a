#!/usr/bin/env python3
"""Print a Markdown results table from emoscope-train JSON reports (for README.md).

    python3 scripts/report_table.py Assets/default.report.json [random.report.json]
"""
import json, sys


def fmt(value):
    return f"{value:.3f}"


def table(path):
    report = json.load(open(path))
    labels = report["labels"]
    rows = [f"**{report['protocolDescription']}** — {report['corpus']}", "",
            "| fold | test speakers | accuracy | UAR | macro-F1 | ECE before → after | T | best epoch |",
            "|---|---|---|---|---|---|---|---|"]
    for fold in report["folds"]:
        m = fold["metrics"]
        speakers = " ".join(s.replace("Actor_", "") for s in fold["testSpeakers"])
        if len(speakers) > 40:
            speakers = f"{len(fold['testSpeakers'])} speakers (shared)"
        rows.append(f"| {fold['fold'] + 1} | {speakers} | {fmt(m['accuracy'])} | {fmt(m['unweightedAverageRecall'])} | "
                    f"{fmt(m['macroF1'])} | {fmt(fold['eceBefore'])} → {fmt(fold['eceAfter'])} | {fold['temperature']:.2f} | {fold['bestEpoch']} |")
    a, u, f = report["accuracy"], report["unweightedAverageRecall"], report["macroF1"]
    rows.append(f"| **mean ± std** | | **{fmt(a['mean'])} ± {fmt(a['standardDeviation'])}** | **{fmt(u['mean'])} ± {fmt(u['standardDeviation'])}** | "
                f"**{fmt(f['mean'])} ± {fmt(f['standardDeviation'])}** | {fmt(report['eceBefore'])} → {fmt(report['eceAfter'])} | | |")
    rows += ["", f"Training: {report['trainingSeconds'] / 60:.1f} min on {report['threads']} threads, "
                 f"{report['examplesPerSecond']:.0f} examples/s (code {report['codeRevision']}, {report['date']}).", ""]
    rows += ["Per class, pooled over folds (rows: true class; columns: predicted):", "",
             "| true \\ predicted | " + " | ".join(labels) + " | recall |", "|---|" + "---|" * (len(labels) + 1)]
    for i, label in enumerate(labels):
        counts = report["confusion"]["counts"][i]
        recall = report["pooled"]["perClass"][i]["recall"]
        rows.append(f"| {label} | " + " | ".join(str(c) for c in counts) + f" | {fmt(recall) if recall is not None else '—'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print("\n\n".join(table(p) for p in sys.argv[1:]))
