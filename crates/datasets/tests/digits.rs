//! The shipped 8x8 digits and the one-pixel nudges.

use std::path::PathBuf;

use datasets::{nudge_images, read_digits_8x8, shift_images};
use ndarray::Array2;

fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/digits-8x8/digits.csv.gz")
}

#[test]
fn shipped_digits_have_the_documented_shape_and_classes() {
    let digits = read_digits_8x8(shipped()).unwrap();
    assert_eq!(digits.images.dim(), (1797, 64));
    let mut counts = [0; 10];
    digits.labels.iter().for_each(|&l| counts[l] += 1);
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert!(digits.images.iter().all(|x| (0.0..=1.0).contains(x)));
    // The first digit is a 0 whose first row is 0,0,5,13,9,1,0,0.
    assert_eq!(digits.labels[0], 0);
    let first_row: Vec<f32> = digits
        .images
        .row(0)
        .iter()
        .take(8)
        .map(|x| x * 16.0)
        .collect();
    assert_eq!(first_row, vec![0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
}

#[test]
fn shifts_move_pixels_and_fill_with_zeros() {
    let image = Array2::from_shape_fn((1, 9), |(_, k)| k as f32 + 1.0);
    // Up by one: row i takes row i + 1; the last row is empty.
    let up = shift_images(image.view(), 3, 1, 0);
    assert_eq!(
        up.row(0).to_vec(),
        vec![4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 0.0, 0.0, 0.0]
    );
    let right = shift_images(image.view(), 3, 0, -1);
    assert_eq!(
        right.row(0).to_vec(),
        vec![0.0, 1.0, 2.0, 0.0, 4.0, 5.0, 0.0, 7.0, 8.0]
    );
    let nudged = nudge_images(image.view(), 3);
    assert_eq!(nudged.nrows(), 5);
    assert_eq!(nudged.row(0), image.row(0));
    assert_eq!(nudged.row(1), up.row(0));
}

#[test]
fn bad_digit_files_name_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("digits.csv");
    let mut line: Vec<String> = (0..64).map(|_| "3".to_string()).collect();
    line.push("7".into());
    let good = line.join(",");
    line[10] = "17".into();
    std::fs::write(&path, format!("{good}\n{}\n", line.join(","))).unwrap();
    let err = read_digits_8x8(&path).unwrap_err().to_string();
    assert!(
        err.contains("line 2, column 11") && err.contains("0 to 16"),
        "{err}"
    );
    std::fs::write(&path, format!("{good},1\n")).unwrap();
    let err = read_digits_8x8(&path).unwrap_err().to_string();
    assert!(err.contains("line 1") && err.contains("65 values"), "{err}");
}
