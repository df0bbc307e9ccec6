#!/usr/bin/env python3
"""The epoch time of `boltzmann train` at the size readers use, against the
five products such an epoch needs, timed alternately in the same run.

    python3 bench/command_epoch.py            # 5 runs of each
    python3 bench/command_epoch.py --runs 3
    python3 bench/command_epoch.py --batch-size 100   # both with minibatches of 100

Alternates
- `boltzmann train --data data/mnist-10k --hidden 200 --cd 1 --epochs 10`
  (release build, `--json`): its `epoch_seconds`, the time of each epoch
  with its monitors and checkpoint;
- `cargo bench -p rbm --bench epoch -- --command-shape --skip-reference`:
  the dense floor of one epoch at that shape (8,000 x 784, 200 hidden,
  the command's default batch of 10: the five products of CD-1, dense, both
  cores) and the trainer's
  epoch with and without the monitors;
and prints the medians (and the minima: on a busy machine the quietest
moment is closest to an idle machine) as ratios of the floor.
Only standard Python is needed. On a shared machine the times move with the
load (printed before and after); the ratio, timed in the same run, is what
compares.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOLTZMANN = ROOT / "target" / "release" / "boltzmann"
EPOCHS = 10


def command_epoch(folder, batch_size):
    out = Path(folder) / "model.toml"
    command = [str(BOLTZMANN), "train", "--data", str(ROOT / "data/mnist-10k"), "--hidden",
               "200", "--cd", "1", "--epochs", str(EPOCHS), "--out", str(out), "--force",
               "--quiet", "--json", "--batch-size", str(batch_size)]
    report = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    return report["epoch_seconds"]


def bench_epoch(batch_size):
    command = ["cargo", "bench", "--quiet", "-p", "rbm", "--bench", "epoch", "--",
               "--command-shape", "--skip-reference", "--batch-size", str(batch_size)]
    text = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    seconds = lambda label: float(re.search(label + r"[^:]*: ([0-9.]+) s", text).group(1))
    return seconds("dense floor"), seconds("Trainer::train_epoch"), seconds("train_epoch \\+ monitors")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=10,
                        help="minibatch size of both (default 10, the command's default)")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "boltzmann-cli"], cwd=ROOT,
                   check=True)
    bench_epoch(args.batch_size)  # builds the benchmark before anything is timed
    print(f"{os.cpu_count()} processors, minibatches of {args.batch_size}, "
          f"load average {os.getloadavg()[0]:.1f} before")
    commands, floors, epochs, monitored = [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            per_epoch = command_epoch(folder, args.batch_size)
            commands += per_epoch
            floor, epoch, with_monitors = bench_epoch(args.batch_size)
            floors.append(floor)
            epochs.append(epoch)
            monitored.append(with_monitors)
            print(f"  run {run + 1}: command {statistics.median(per_epoch):.3f} s/epoch "
                  f"(median of {len(per_epoch)}, min {min(per_epoch):.3f}), floor {floor:.3f} s, "
                  f"train_epoch {epoch:.3f} s, + monitors {with_monitors:.3f} s")
    for statistic in (statistics.median, min):
        floor = statistic(floors)
        for name, times in [("boltzmann train, one epoch", commands), ("train_epoch", epochs),
                            ("train_epoch + monitors", monitored)]:
            value = statistic(times)
            print(f"{statistic.__name__} {name}: {value:.3f} s = {value / floor:.2f} x the "
                  f"{statistic.__name__} floor ({floor:.3f} s)")
    print(f"load average {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
