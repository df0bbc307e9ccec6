//! Property tests: the CSV and IDX readers never panic, on arbitrary bytes
//! or on valid files with bytes changed, cut short or gzip-wrapped.

use std::io::Write;

use proptest::prelude::*;

fn valid_idx_images() -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3];
    bytes.extend((0..18u8).map(|k| k * 13));
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn read_all(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, bytes).unwrap();
    if let Ok(data) = datasets::read_csv(&path) {
        assert!(data.iter().all(|x| (0.0..=1.0).contains(x)));
        assert!(data.nrows() > 0 && data.ncols() > 0);
    }
    let _ = datasets::read_binary_csv(&path);
    if let Ok(images) = datasets::read_idx_images(&path) {
        assert!(images.n_images() > 0 && images.n_rows > 0 && images.n_cols > 0);
    }
    let _ = datasets::read_idx_labels(&path);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        read_all(&bytes);
        read_all(&gzip(&bytes));
    }

    #[test]
    fn csv_like_text_never_panics(text in "[0-9.,e \\-\\n\\r\"a]{0,200}") {
        read_all(text.as_bytes());
    }

    #[test]
    fn changed_idx_files_never_panic(
        changes in proptest::collection::vec((0usize..34, any::<u8>()), 1..4),
        cut in 0usize..40,
        zip in any::<bool>(),
    ) {
        let mut bytes = valid_idx_images();
        for (at, value) in changes {
            bytes[at] = value;
        }
        bytes.truncate(cut.max(1));
        read_all(&if zip { gzip(&bytes) } else { bytes });
    }
}
