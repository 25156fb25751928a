#!/usr/bin/env python3
"""Print a Markdown results table from emoscope-train JSON reports (for README.md).

    python3 scripts/report_table.py Assets/default.report.json [random.report.json]
"""
import json, sys


def fmt(value):
    return f"{value:.3f}"


def mean_ece(report):
    """Mean per-fold ECE before → after (cross-fitted where the report has it)."""
    folds = report["folds"]
    before = sum(f["eceBefore"] for f in folds) / len(folds)
    after = [f.get("eceCrossFitted") if f.get("eceCrossFitted") is not None else f["eceAfter"] for f in folds]
    return f"{fmt(before)} → {fmt(sum(after) / len(after))}"


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
        after, temperature = fold["eceAfter"], fold["temperature"]
        if fold.get("crossFittedTemperature") is not None:
            after, temperature = fold["eceCrossFitted"], fold["crossFittedTemperature"]
        rows.append(f"| {fold['fold'] + 1} | {speakers} | {fmt(m['accuracy'])} | {fmt(m['unweightedAverageRecall'])} | "
                    f"{fmt(m['macroF1'])} | {fmt(fold['eceBefore'])} → {fmt(after)} | {temperature:.2f} | {fold['bestEpoch']} |")
    a, u, f = report["accuracy"], report["unweightedAverageRecall"], report["macroF1"]
    rows.append(f"| **mean ± std** | | **{fmt(a['mean'])} ± {fmt(a['standardDeviation'])}** | **{fmt(u['mean'])} ± {fmt(u['standardDeviation'])}** | "
                f"**{fmt(f['mean'])} ± {fmt(f['standardDeviation'])}** | {mean_ece(report)} | | |")
    calibration = report.get("calibration")
    if calibration:
        optional = lambda v: fmt(v) if v is not None else "—"
        # Without validation speakers the validation temperature is 1: nothing to show beside "uncalibrated".
        validated = any(f["validationSpeakers"] for f in report["folds"])
        pooled_validation = f"{fmt(calibration['pooledValidation'])} with each fold's validation-speaker temperature, " if validated else ""
        mean_validation = f"{fmt(calibration['meanFoldValidation'])}, " if validated else ""
        rows += ["", f"Calibration: {calibration['method']}. ECE (15 bins) pooled over all test clips: "
                     f"{fmt(calibration['pooledBefore'])} uncalibrated, {pooled_validation}"
                     f"**{optional(calibration['pooledCrossFitted'])} cross-fitted**; "
                     f"mean of the per-fold values (240 clips each, noisier): {fmt(calibration['meanFoldBefore'])}, "
                     f"{mean_validation}{optional(calibration['meanFoldCrossFitted'])}. "
                     f"Model temperature {calibration['modelTemperature']:.3f}."]
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
