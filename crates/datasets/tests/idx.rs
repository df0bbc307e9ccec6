//! The IDX readers: synthetic files written here (raw and gzip), every way a
//! file can be damaged, the shipped data/mnist-10k, and Fashion-MNIST from
//! Debian's `dataset-fashion-mnist` when it is installed.

use std::io::Write;
use std::path::{Path, PathBuf};

use datasets::{DataError, load_idx_folder, read_idx_images, read_idx_labels};
use flate2::Compression;
use flate2::write::GzEncoder;

fn images_bytes(n: u32, rows: u32, cols: u32) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 3];
    for d in [n, rows, cols] {
        bytes.extend(d.to_be_bytes());
    }
    bytes.extend((0..n * rows * cols).map(|k| (k * 37 % 256) as u8));
    bytes
}

fn labels_bytes(labels: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 1];
    bytes.extend((labels.len() as u32).to_be_bytes());
    bytes.extend(labels);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn idx_problem(err: DataError, path: &Path) -> String {
    let message = err.to_string();
    assert!(matches!(err, DataError::Idx { .. }), "{message}");
    assert!(
        message.contains(&path.display().to_string()),
        "names the file: {message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    message
}

#[test]
fn raw_and_gzip_files_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let raw = write(dir.path(), "a-images-idx3-ubyte", &images_bytes(3, 2, 4));
    let gz = write(dir.path(), "b.gz", &gzip(&images_bytes(3, 2, 4)));
    let a = read_idx_images(&raw).unwrap();
    let b = read_idx_images(&gz).unwrap();
    assert_eq!(a, b);
    assert_eq!((a.n_images(), a.n_rows, a.n_cols), (3, 2, 4));
    // Pixel k of the body is k * 37 mod 256, row-major.
    assert_eq!(a.pixels[[1, 0]], (8u32 * 37 % 256) as u8);
    assert_eq!(a.pixels[[2, 7]], (23u32 * 37 % 256) as u8);
    assert_eq!(a.intensities()[[1, 0]], (8u32 * 37 % 256) as f32 / 255.0);
}

#[test]
fn a_folder_gives_intensities_labels_and_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "train-images-idx3-ubyte.gz",
        &gzip(&images_bytes(4, 3, 3)),
    );
    write(
        dir.path(),
        "train-labels-idx1-ubyte",
        &labels_bytes(&[1, 0, 9, 3]),
    );
    // The variant names with a dot, as some mirrors spell them.
    write(dir.path(), "t10k-images.idx3-ubyte", &images_bytes(2, 3, 3));
    write(
        dir.path(),
        "t10k-labels.idx1-ubyte.gz",
        &gzip(&labels_bytes(&[5, 6])),
    );
    let (images, labels, shape) = load_idx_folder(dir.path(), "train").unwrap();
    assert_eq!(
        (images.dim(), labels, shape),
        ((4, 9), vec![1, 0, 9, 3], (3, 3))
    );
    assert!(images.iter().all(|x| (0.0..=1.0).contains(x)));
    let (images, labels, _) = load_idx_folder(dir.path(), "t10k").unwrap();
    assert_eq!((images.nrows(), labels), (2, vec![5, 6]));
}

#[test]
fn a_missing_file_names_the_folder_and_the_expected_name() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "train-images-idx3-ubyte",
        &images_bytes(1, 1, 1),
    );
    let err = load_idx_folder(dir.path(), "train").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, DataError::IdxMissing { .. }), "{message}");
    assert!(
        message.contains("train-labels-idx1-ubyte[.gz]"),
        "{message}"
    );
    assert!(err.is_bad_input());
}

#[test]
fn labels_that_do_not_match_the_images_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "train-images-idx3-ubyte",
        &images_bytes(3, 2, 2),
    );
    let labels = write(
        dir.path(),
        "train-labels-idx1-ubyte",
        &labels_bytes(&[1, 2]),
    );
    let message = idx_problem(load_idx_folder(dir.path(), "train").unwrap_err(), &labels);
    assert!(
        message.contains("2 labels but") && message.contains("has 3 images"),
        "{message}"
    );
}

#[test]
fn a_label_above_nine_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "l", &labels_bytes(&[1, 2, 10]));
    let message = idx_problem(read_idx_labels(&path).unwrap_err(), &path);
    assert!(message.contains("label 3 is 10"), "{message}");
}

#[test]
fn a_wrong_magic_number_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A label file where images are expected, and the other way round.
    let labels = write(dir.path(), "l", &labels_bytes(&[1; 20]));
    let message = idx_problem(read_idx_images(&labels).unwrap_err(), &labels);
    assert!(message.contains("magic number 0x00000801"), "{message}");
    let images = write(dir.path(), "i", &images_bytes(2, 2, 2));
    let message = idx_problem(read_idx_labels(&images).unwrap_err(), &images);
    assert!(message.contains("starts with 0x00000801"), "{message}");
}

#[test]
fn truncated_files_and_trailing_bytes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let full = images_bytes(5, 4, 4);
    let short = write(dir.path(), "short", &full[..full.len() - 1]);
    let message = idx_problem(read_idx_images(&short).unwrap_err(), &short);
    assert!(
        message.contains("5 x 4 x 4 = 80 bytes") && message.contains("79 follow"),
        "{message}"
    );
    assert!(message.contains("truncated"), "{message}");
    let long = write(dir.path(), "long", &[full.as_slice(), &[0]].concat());
    let message = idx_problem(read_idx_images(&long).unwrap_err(), &long);
    assert!(
        message.contains("80 bytes of images but more follow"),
        "{message}"
    );
    let header_only = write(dir.path(), "header", &full[..10]);
    let message = idx_problem(read_idx_images(&header_only).unwrap_err(), &header_only);
    assert!(
        message.contains("fewer than the 16-byte header"),
        "{message}"
    );
    let empty = write(dir.path(), "empty", &[]);
    idx_problem(read_idx_images(&empty).unwrap_err(), &empty);
    // A huge header on a small file: the product does not fit in memory.
    let mut huge = vec![0, 0, 8, 3];
    for d in [u32::MAX, u32::MAX, u32::MAX] {
        huge.extend(d.to_be_bytes());
    }
    let huge = write(dir.path(), "huge", &huge);
    idx_problem(read_idx_images(&huge).unwrap_err(), &huge);
}

#[test]
fn damaged_gzip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let compressed = gzip(&images_bytes(50, 8, 8));
    let cut = write(dir.path(), "cut.gz", &compressed[..compressed.len() / 2]);
    let message = idx_problem(read_idx_images(&cut).unwrap_err(), &cut);
    assert!(message.contains("gzip"), "{message}");
    // Flip bits in the middle of the stream (the CRC at the end catches
    // what the inflater does not).
    let mut flipped = compressed.clone();
    let middle = flipped.len() / 2;
    for b in &mut flipped[middle..middle + 8] {
        *b ^= 0x5a;
    }
    let flipped = write(dir.path(), "flipped.gz", &flipped);
    idx_problem(read_idx_images(&flipped).unwrap_err(), &flipped);
    // A gzip stream cut right after the compressed data loses its CRC and length.
    let no_trailer = write(
        dir.path(),
        "no-trailer.gz",
        &compressed[..compressed.len() - 8],
    );
    idx_problem(read_idx_images(&no_trailer).unwrap_err(), &no_trailer);
}

fn shipped_mnist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist-10k")
}

#[test]
fn the_shipped_mnist_10k_loads_with_its_documented_sizes() {
    let (train, train_labels, shape) = load_idx_folder(shipped_mnist(), "train").unwrap();
    let (test, test_labels, test_shape) = load_idx_folder(shipped_mnist(), "t10k").unwrap();
    assert_eq!(
        (train.dim(), train_labels.len(), shape),
        ((8000, 784), 8000, (28, 28))
    );
    assert_eq!(
        (test.dim(), test_labels.len(), test_shape),
        ((2000, 784), 2000, (28, 28))
    );
    // PROVENANCE.md: 863 to 1,127 digits per class over the 10,000.
    for class in 0..=9u8 {
        let count = train_labels
            .iter()
            .chain(&test_labels)
            .filter(|&&l| l == class)
            .count();
        assert!((863..=1127).contains(&count), "class {class}: {count}");
    }
    // Digits are mostly background: MNIST's mean intensity is about 0.13.
    let mean = train.mean().unwrap();
    assert!((0.1..0.17).contains(&mean), "{mean}");
}

/// Debian's `dataset-fashion-mnist` installs the full Fashion-MNIST here.
const FASHION_MNIST: &str = "/usr/share/datasets/fashion-mnist";

#[test]
fn full_size_fashion_mnist_loads_when_installed() {
    if !Path::new(FASHION_MNIST).is_dir() {
        eprintln!(
            "skipped: {FASHION_MNIST} not found (apt-get install dataset-fashion-mnist to run this check)"
        );
        return;
    }
    let (train, labels, shape) = load_idx_folder(FASHION_MNIST, "train").unwrap();
    assert_eq!(
        (train.dim(), labels.len(), shape),
        ((60_000, 784), 60_000, (28, 28))
    );
    // Fashion-MNIST is balanced: 6,000 training images per class.
    for class in 0..=9u8 {
        assert_eq!(labels.iter().filter(|&&l| l == class).count(), 6000);
    }
    let (test, labels, _) = load_idx_folder(FASHION_MNIST, "t10k").unwrap();
    assert_eq!((test.nrows(), labels.len()), (10_000, 10_000));
}

#[test]
fn gzip_that_expands_beyond_its_header_stops_at_the_header() {
    let dir = tempfile::tempdir().unwrap();
    // A header for 2 images of 2 x 2 pixels, then 64 MiB of zeros, which
    // gzip packs into about 64 KiB.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(&images_bytes(2, 2, 2)[..16]).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = write(dir.path(), "bomb.gz", &encoder.finish().unwrap());
    let message = idx_problem(read_idx_images(&bomb).unwrap_err(), &bomb);
    assert!(
        message.contains("8 bytes of images but more follow"),
        "{message}"
    );
}

#[test]
fn headers_of_empty_or_huge_images_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (n, rows, cols, expected) in [
        (0, 28, 28, "expected at least one image"),
        (3, 0, 0, "expected at least one image"),
        (u32::MAX, 65_535, 65_535, "more than the 1073741824 bytes"),
    ] {
        let mut bytes = vec![0, 0, 8, 3];
        for d in [n, rows, cols] {
            bytes.extend(d.to_be_bytes());
        }
        let path = write(dir.path(), "h", &bytes);
        let message = idx_problem(read_idx_images(&path).unwrap_err(), &path);
        assert!(message.contains(expected), "{message}");
    }
}

/// A gzip file of several members (`cat a.gz b.gz`) reads as `zcat` reads
/// it: whole when the members hold one file, refused when they hold more
/// than the header declares or when junk follows the stream.
#[test]
fn gzip_files_of_several_members_are_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let raw = images_bytes(50, 8, 8);
    let (head, tail) = raw.split_at(1000);
    let two_members = [gzip(head), gzip(tail)].concat();
    let whole = write(dir.path(), "whole.gz", &two_members);
    let plain = write(dir.path(), "plain", &raw);
    assert_eq!(
        read_idx_images(&whole).unwrap(),
        read_idx_images(&plain).unwrap()
    );
    let extra = write(
        dir.path(),
        "extra.gz",
        &[gzip(&raw), gzip(&[7u8; 100])].concat(),
    );
    idx_problem(read_idx_images(&extra).unwrap_err(), &extra);
    let junk = write(
        dir.path(),
        "junk.gz",
        &[gzip(&raw), b"not gzip at all".to_vec()].concat(),
    );
    idx_problem(read_idx_images(&junk).unwrap_err(), &junk);
}
