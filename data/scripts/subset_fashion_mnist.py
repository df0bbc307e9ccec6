#!/usr/bin/env python3
"""Ship a small, balanced subset of Fashion-MNIST's test set as gzip IDX files.

Usage:
    apt-get install dataset-fashion-mnist
    python3 data/scripts/subset_fashion_mnist.py /usr/share/datasets/fashion-mnist data/fashion-mnist-1k

Selection rule: the first 100 images of each class (0-9) in the order of
Fashion-MNIST's test files (`t10k-*`), kept in that file order, 1,000 images
in all. Written as `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`
so that the same IDX loader reads them. Standard library only, and the gzip
header carries no time stamp: the output is byte-for-byte reproducible.
"""

import gzip
import struct
import sys
from pathlib import Path

PER_CLASS = 100
PIXELS = 28 * 28


def read_idx(path: Path, magic: int, dims: int) -> tuple[list[int], bytes]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    header = struct.unpack(">" + "I" * (dims + 1), data[: 4 * (dims + 1)])
    if header[0] != magic:
        sys.exit(f"{path}: magic number {header[0]:#x}, expected {magic:#x}")
    return list(header[1:]), data[4 * (dims + 1) :]


def write_gzip(path: Path, payload: bytes) -> None:
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(payload)


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    (n, rows, cols), pixels = read_idx(source / "t10k-images-idx3-ubyte.gz", 0x803, 3)
    (n_labels,), labels = read_idx(source / "t10k-labels-idx1-ubyte.gz", 0x801, 1)
    if (rows, cols) != (28, 28) or n != n_labels or len(pixels) != n * PIXELS:
        sys.exit(f"{source}: unexpected shapes ({n} x {rows} x {cols}, {n_labels} labels)")
    taken = [0] * 10
    keep = []
    for i, label in enumerate(labels):
        if taken[label] < PER_CLASS:
            taken[label] += 1
            keep.append(i)
    if taken != [PER_CLASS] * 10:
        sys.exit(f"{source}: fewer than {PER_CLASS} images of some class: {taken}")
    out.mkdir(parents=True, exist_ok=True)
    images = b"".join(pixels[i * PIXELS : (i + 1) * PIXELS] for i in keep)
    write_gzip(out / "t10k-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, len(keep), 28, 28) + images)
    write_gzip(out / "t10k-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, len(keep)) + bytes(labels[i] for i in keep))
    print(f"{len(keep)} images ({PER_CLASS} per class, last source index {keep[-1]}) -> {out}")


if __name__ == "__main__":
    main()
