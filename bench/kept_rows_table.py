"""Prints the Markdown table of a folder of kept runs (bench/density2d.sh KEEP=FOLDER): one row per data set and
configuration, mean ± sample standard deviation over the seeds found, with the number of runs.

usage: python3 bench/kept_rows_table.py FOLDER [--keys kl,jsd,gnElbo] [--labels KL,JSD,gnELBO] [--digits 3]
                                         [--compare BASE,OTHER]
Files are named DATA-CONFIG-seedS.json (the data set's name has no dash; the configuration's may).
--compare adds a second table that pairs the two configurations seed by seed (same data set, same seed):
for each key, on how many of the paired seeds OTHER is lower (all keys here are lower-is-better) and the
per-seed ratios OTHER / BASE. A mean ± sd over seeds hides that the seeds are paired; this does not.
"""
import argparse
import glob
import json
import os
import re
from collections import OrderedDict

from rows_table import cell, lookup

NAME = re.compile(r"^(?P<data>[^-]+)-(?P<config>.+)-seed(?P<seed>\d+)\.json$")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--keys", default="kl,jsd,gnElbo")
    p.add_argument("--labels", default="KL,JSD,gnELBO")
    p.add_argument("--digits", type=int, default=3)
    p.add_argument("--compare", help="BASE,OTHER: pair the two configurations seed by seed")
    a = p.parse_args()
    keys, labels = a.keys.split(","), a.labels.split(",")
    if len(keys) != len(labels):
        raise SystemExit(f"--labels has {len(labels)} entries for {len(keys)} keys")
    groups = OrderedDict()
    for path in sorted(glob.glob(os.path.join(a.folder, "*.json"))):
        m = NAME.match(os.path.basename(path))
        if not m:
            continue
        with open(path, encoding="utf-8") as f:
            groups.setdefault((m["data"], m["config"]), []).append((int(m["seed"]), json.load(f)))
    if not groups:
        raise SystemExit(f"no DATA-CONFIG-seedS.json files in {a.folder}")
    print("| data set | configuration | seeds | " + " | ".join(labels) + " |")
    print("|---|---|---|" + "---:|" * len(labels))
    for (data, config), runs in groups.items():
        runs.sort(key=lambda r: r[0])
        seeds = ", ".join(str(s) for s, _ in runs)
        row = [data, config, seeds] + [cell([lookup(r, k) for _, r in runs], a.digits) for k in keys]
        print("| " + " | ".join(row) + " |")
    if a.compare:
        compare(groups, a.compare, keys, labels)


def compare(groups, spec, keys, labels):
    parts = spec.split(",")
    if len(parts) != 2:
        raise SystemExit(f"--compare takes BASE,OTHER, got '{spec}'")
    base, other = parts
    print()
    print(f"| data set | paired seeds | " + " | ".join(f"{l}: {other} lower / ratio per seed" for l in labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for data in OrderedDict((d, None) for d, _ in groups):
        a = dict(groups.get((data, base), []))
        b = dict(groups.get((data, other), []))
        seeds = sorted(set(a) & set(b))
        if not seeds:
            continue
        cells = []
        for k in keys:
            pairs = [(lookup(a[s], k), lookup(b[s], k)) for s in seeds]
            pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
            lower = sum(1 for x, y in pairs if y < x)
            ratios = ", ".join(f"{y / x:.3f}" if x else "–" for x, y in pairs)
            cells.append(f"{lower} of {len(pairs)} ({ratios})")
        print(f"| {data} | {', '.join(str(s) for s in seeds)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
