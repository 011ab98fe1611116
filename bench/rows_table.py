"""Prints a Markdown table with one row per configuration from JSON metrics files (as written by
'vae evaluate --json' and bench/merge_metrics.py). Files given the same name are runs of one
configuration with different seeds: the row shows mean ± sample standard deviation and the count.

usage: python3 bench/rows_table.py --json a.json,b.json,... --names A,A,B,... --keys k1,k2,...
                                   [--labels "label 1,label 2,..."] [--digits 4]
A key may name a nested value with a dot, e.g. leakage.-10.
"""
import argparse
import json
import math
from collections import OrderedDict


def lookup(obj, key):
    for part in key.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj if isinstance(obj, (int, float)) and not isinstance(obj, bool) else None


def fmt(x, digits):
    if x == 0:
        return "0"
    if abs(x) >= 10 ** digits or abs(x) < 10 ** -3:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}"


def cell(values, digits):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return "–"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return fmt(mean, digits)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return f"{fmt(mean, digits)} ± {fmt(sd, 2)}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--names", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--labels")
    p.add_argument("--digits", type=int, default=4)
    a = p.parse_args()
    files = a.json.split(",")
    names = a.names.split(",")
    keys = a.keys.split(",")
    labels = a.labels.split(",") if a.labels else keys
    if len(files) != len(names):
        raise SystemExit(f"--names has {len(names)} entries for {len(files)} files")
    if len(labels) != len(keys):
        raise SystemExit(f"--labels has {len(labels)} entries for {len(keys)} keys")
    groups = OrderedDict()
    for f, n in zip(files, names):
        with open(f, encoding="utf-8") as fh:
            groups.setdefault(n, []).append(json.load(fh))
    multi = any(len(v) > 1 for v in groups.values())
    head = ["configuration"] + (["runs"] if multi else []) + labels
    print("| " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (len(head) - 1))
    for n, runs in groups.items():
        row = [n] + ([str(len(runs))] if multi else [])
        row += [cell([lookup(r, k) for r in runs], a.digits) for k in keys]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
