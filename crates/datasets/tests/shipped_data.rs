//! The shipped data files are exactly what the code generates.

use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

#[test]
fn shipped_bars_and_stripes_3x3_is_generated_by_the_code() {
    let shipped = datasets::read_binary_csv(data_dir().join("bars-and-stripes-3x3.csv")).unwrap();
    assert_eq!(shipped, datasets::bars_and_stripes(3, 3));
    assert_eq!(shipped.nrows(), 14);
}
