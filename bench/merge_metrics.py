"""Merges a 'vae evaluate --json' metrics file with the run facts the evaluation does not know
(training wall time, peak resident memory read from '/usr/bin/time -v' logs) into one JSON object,
so that 'vae compare' can print everything in one table.

usage: python3 bench/merge_metrics.py OUT.json METRICS.json [--train-seconds S] [--eval-seconds S]
                                      [--time-log TRAIN_TIME_LOG] [--eval-time-log EVAL_TIME_LOG]
The peak memory is the "Maximum resident set size" of each log, reported in MiB.
"""
import argparse
import json
import re


def peak_mib(path):
    """The 'Maximum resident set size (kbytes)' line of a GNU time -v log, in MiB (None if absent)."""
    if not path:
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", line)
            if m:
                return round(int(m.group(1)) / 1024, 1)
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("metrics")
    p.add_argument("--train-seconds", type=float)
    p.add_argument("--eval-seconds", type=float)
    p.add_argument("--time-log")
    p.add_argument("--eval-time-log")
    a = p.parse_args()
    with open(a.metrics, encoding="utf-8") as f:
        merged = json.load(f)
    if a.train_seconds is not None:
        merged["trainSeconds"] = a.train_seconds
    if a.eval_seconds is not None:
        merged["evalSeconds"] = a.eval_seconds
    train_peak, eval_peak = peak_mib(a.time_log), peak_mib(a.eval_time_log)
    if train_peak is not None:
        merged["trainPeakMiB"] = train_peak
    if eval_peak is not None:
        merged["evalPeakMiB"] = eval_peak
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=2)


if __name__ == "__main__":
    main()
