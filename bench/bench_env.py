"""What the Python benchmarks share: their virtual environment and the
MNIST-shaped binary data of the Rust benchmarks.

The environment is BENCH_VENV (default bench/.venv, git-ignored). The first
run creates it and installs scikit-learn and numpy from PyPI into it; each
script then re-runs itself there with its own arguments.
"""
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = Path(os.environ.get("BENCH_VENV", HERE / ".venv"))
PYTHON = VENV / "bin" / "python"


def ensure_venv(script):
    """Re-run `script` (a path) inside the benchmarks' venv, creating it if missing."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "scikit-learn", "numpy"],
                       check=True)
    os.execv(str(PYTHON), [str(PYTHON), str(Path(script).resolve())] + sys.argv[1:])


def mnist_like(np, rows):
    """data/mnist-10k's training images, binarised at 0.5 (uint8), tiled to `rows`."""
    import gzip
    raw = gzip.decompress((ROOT / "data/mnist-10k/train-images-idx3-ubyte.gz").read_bytes())
    n, r, c = (int.from_bytes(raw[4 * k:4 * k + 4], "big") for k in (1, 2, 3))
    images = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, r * c)
    binary = (images / 255.0 > 0.5).astype(np.uint8)
    return np.ascontiguousarray(binary[np.arange(rows) % n])
