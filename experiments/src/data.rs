//! Small data sets that the experiments build in code.

use ndarray::Array2;

/// Every bars-and-stripes image of `side` x `side` pixels, one per row, pixel
/// (r, c) in column r * side + c: each subset of rows switched on (stripes)
/// and each subset of columns switched on (bars). The blank and the full image
/// are both, so they appear once: 2^(side+1) - 2 distinct images.
pub fn bars_and_stripes(side: usize) -> Array2<f64> {
    let mut images: Vec<Vec<f64>> = Vec::new();
    for by_rows in [true, false] {
        for mask in 0..1u64 << side {
            let image: Vec<f64> = (0..side * side)
                .map(|p| {
                    let line = if by_rows { p / side } else { p % side };
                    ((mask >> line) & 1) as f64
                })
                .collect();
            if !images.contains(&image) {
                images.push(image);
            }
        }
    }
    let n = images.len();
    Array2::from_shape_vec((n, side * side), images.concat()).expect("rows of side^2 pixels")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_stripes_has_distinct_images() {
        for side in 2..=4 {
            let data = bars_and_stripes(side);
            assert_eq!(data.nrows(), (1 << (side + 1)) - 2);
            assert_eq!(data.ncols(), side * side);
        }
        let data = bars_and_stripes(3);
        // Row 1 of the stripes: only the top line of pixels is on.
        assert_eq!(
            data.row(1).to_vec(),
            vec![1., 1., 1., 0., 0., 0., 0., 0., 0.]
        );
    }
}
