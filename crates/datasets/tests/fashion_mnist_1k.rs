//! The shipped Fashion-MNIST subset, data/fashion-mnist-1k: its documented
//! sizes, and (when Debian's `dataset-fashion-mnist` is installed) that it is
//! exactly the selection rule of its PROVENANCE.md applied to the full set.

use std::path::{Path, PathBuf};

use datasets::load_idx_folder;

fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/fashion-mnist-1k")
}

#[test]
fn the_shipped_subset_loads_with_100_images_of_each_class() {
    let (images, labels, shape) = load_idx_folder(shipped(), "t10k").unwrap();
    assert_eq!(
        (images.dim(), labels.len(), shape),
        ((1000, 784), 1000, (28, 28))
    );
    for class in 0..=9u8 {
        assert_eq!(
            labels.iter().filter(|&&l| l == class).count(),
            100,
            "class {class}"
        );
    }
    assert!(images.iter().all(|&x| (0.0..=1.0).contains(&x)));
    // Clothes cover more of the frame than digits (MNIST's mean is about 0.13).
    let mean = images.mean().unwrap();
    assert!((0.2..0.4).contains(&mean), "{mean}");
}

/// Debian's `dataset-fashion-mnist` installs the full Fashion-MNIST here.
const FASHION_MNIST: &str = "/usr/share/datasets/fashion-mnist";

#[test]
fn the_subset_is_the_first_100_test_images_of_each_class_when_installed() {
    if !Path::new(FASHION_MNIST).is_dir() {
        eprintln!("skipped: {FASHION_MNIST} not found (apt-get install dataset-fashion-mnist)");
        return;
    }
    let (full, full_labels, _) = load_idx_folder(FASHION_MNIST, "t10k").unwrap();
    let mut taken = [0usize; 10];
    let keep: Vec<usize> = (0..full_labels.len())
        .filter(|&i| {
            let class = usize::from(full_labels[i]);
            taken[class] += 1;
            taken[class] <= 100
        })
        .collect();
    let (subset, labels, _) = load_idx_folder(shipped(), "t10k").unwrap();
    assert_eq!(keep.len(), subset.nrows());
    for (row, &i) in keep.iter().enumerate() {
        assert_eq!(labels[row], full_labels[i]);
        assert_eq!(
            subset.row(row),
            full.row(i),
            "image {row} (source index {i})"
        );
    }
}
