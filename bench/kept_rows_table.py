"""Prints the Markdown table of a folder of kept runs (bench/density2d.sh KEEP=FOLDER): one row per data set and
configuration, mean ± sample standard deviation over the seeds found, with the number of runs.

usage: python3 bench/kept_rows_table.py FOLDER [--keys kl,jsd,gnElbo] [--labels KL,JSD,gnELBO] [--digits 3]
Files are named DATA-CONFIG-seedS.json (the data set's name has no dash; the configuration's may).
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


if __name__ == "__main__":
    main()
