//! Public tests: run them with `cargo test --offline`.

mod common;

use assignment_partition::{flipped_unit, gray_code, log_partition};

#[test]
fn gray_code_of_small_numbers() {
    let codes: Vec<u64> = (0..8).map(gray_code).collect();
    assert_eq!(codes, [0, 1, 3, 2, 6, 7, 5, 4], "the 3-bit Gray code");
}

#[test]
fn flipped_unit_of_small_numbers() {
    let units: Vec<usize> = (1..8).map(flipped_unit).collect();
    assert_eq!(
        units,
        [0, 1, 0, 2, 0, 1, 0],
        "bit changed between consecutive Gray codes"
    );
}

#[test]
fn log_partition_matches_the_oracle() {
    let model = common::random_model(6, 1.0, 21);
    let (got, want) = (log_partition(&model), common::oracle_log_partition(&model));
    assert!((got - want).abs() < 1e-9, "log Z = {want}, got {got}");
}
