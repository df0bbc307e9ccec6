#!/usr/bin/env python3
"""Copy the 1,797 UCI 8x8 digits out of scikit-learn's wheel (BSD-3-Clause).

Usage:
    pip download --no-deps scikit-learn==1.9.1 -d /tmp/wheel
    python3 data/scripts/extract_sklearn_digits.py /tmp/wheel/scikit_learn-1.9.1-*.whl data/digits-8x8

The wheel holds `sklearn/datasets/data/digits.csv.gz`: one digit per line,
64 integer pixels 0..16 (row by row) followed by the label 0..9, no header.
The file is copied byte for byte; the script checks its shape, its value
ranges and its SHA-256, and copies the licence beside it. Standard library only.
"""

import gzip
import hashlib
import sys
import zipfile
from pathlib import Path

MEMBER = "sklearn/datasets/data/digits.csv.gz"
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def check(raw: bytes) -> None:
    rows = gzip.decompress(raw).decode().splitlines()
    assert len(rows) == 1797, f"{len(rows)} rows, expected 1797"
    for n, line in enumerate(rows, 1):
        values = [int(float(x)) for x in line.split(",")]
        assert len(values) == 65, f"line {n}: {len(values)} values, expected 65"
        assert all(0 <= x <= 16 for x in values[:64]), f"line {n}: a pixel outside 0..16"
        assert 0 <= values[64] <= 9, f"line {n}: label {values[64]} outside 0..9"


def main() -> None:
    wheel, out = Path(sys.argv[1]), Path(sys.argv[2])
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(MEMBER)
        licence = next(n for n in z.namelist() if n.endswith("licenses/COPYING"))
        licence_text = z.read(licence)
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == SHA256, f"{MEMBER} has SHA-256 {digest}, expected {SHA256}"
    check(raw)
    out.mkdir(parents=True, exist_ok=True)
    (out / "digits.csv.gz").write_bytes(raw)
    (out / "LICENSE-scikit-learn").write_bytes(licence_text)
    print(f"1797 digits -> {out / 'digits.csv.gz'}")


if __name__ == "__main__":
    main()
