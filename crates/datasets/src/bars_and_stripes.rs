//! The bars-and-stripes data set (MacKay, *Information Theory, Inference, and
//! Learning Algorithms*, 2003): binary images in which every row is all on or
//! all off (stripes), or every column is all on or all off (bars).

use ndarray::Array2;

/// The largest number of rows or columns [`bars_and_stripes`] accepts:
/// 2^16 + 2^16 patterns is already a large toy.
pub const MAX_SIDE: usize = 16;

/// Every distinct bars-and-stripes image of `rows` x `cols` pixels, one per
/// row of the result, flattened row-major (pixel (r, c) is column r * cols + c).
///
/// Order: first the 2^rows stripe images, the one for mask m having image row
/// r on when bit r of m is set (m = 0, 1, ..., so the all-off image comes
/// first and the all-on image last among them); then the bar images for
/// m = 1, ..., 2^cols - 2, column c on when bit c of m is set. The all-off
/// and all-on images are both stripes and bars; they appear once, so there
/// are 2^rows + 2^cols - 2 images. An image with no pixels (rows or cols 0)
/// gives the one empty image, a 1 x 0 array.
///
/// # Panics
/// If `rows` or `cols` exceeds [`MAX_SIDE`].
pub fn bars_and_stripes(rows: usize, cols: usize) -> Array2<f64> {
    assert!(
        rows <= MAX_SIDE && cols <= MAX_SIDE,
        "bars_and_stripes({rows}, {cols}): each side must be at most {MAX_SIDE}"
    );
    if rows == 0 || cols == 0 {
        return Array2::zeros((1, 0));
    }
    let stripes = (0..1usize << rows).map(|m| image(rows, cols, |r, _| m >> r & 1 == 1));
    let bars = (1..(1usize << cols) - 1).map(|m| image(rows, cols, |_, c| m >> c & 1 == 1));
    let images: Vec<Vec<f64>> = stripes.chain(bars).collect();
    let n_images = images.len();
    Array2::from_shape_vec((n_images, rows * cols), images.concat())
        .expect("every image has rows * cols pixels")
}

/// One image, pixel (r, c) on when `on(r, c)`, flattened row-major.
fn image(rows: usize, cols: usize, on: impl Fn(usize, usize) -> bool) -> Vec<f64> {
    (0..rows * cols)
        .map(|k| if on(k / cols, k % cols) { 1.0 } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Every row constant, or every column constant: checked pixel by pixel.
    fn is_bar_or_stripe(pixels: &[f64], rows: usize, cols: usize) -> bool {
        let at = |r: usize, c: usize| pixels[r * cols + c];
        let rows_constant = (0..rows).all(|r| (0..cols).all(|c| at(r, c) == at(r, 0)));
        let cols_constant = (0..cols).all(|c| (0..rows).all(|r| at(r, c) == at(0, c)));
        rows_constant || cols_constant
    }

    /// Count bars-and-stripes images by checking all 2^(rows*cols) images.
    fn brute_force_count(rows: usize, cols: usize) -> usize {
        let n = rows * cols;
        (0..1u32 << n)
            .filter(|s| {
                let pixels: Vec<f64> = (0..n).map(|k| (s >> k & 1) as f64).collect();
                is_bar_or_stripe(&pixels, rows, cols)
            })
            .count()
    }

    #[test]
    fn counts_match_the_formula_and_a_brute_force() {
        for (rows, cols, want) in [(2, 2, 6), (3, 3, 14), (4, 4, 30)] {
            assert_eq!(bars_and_stripes(rows, cols).nrows(), want);
        }
        for (rows, cols) in [(1, 1), (1, 3), (2, 3), (3, 2), (3, 3), (4, 4), (2, 5)] {
            let data = bars_and_stripes(rows, cols);
            assert_eq!(data.nrows(), brute_force_count(rows, cols), "{rows}x{cols}");
            assert_eq!(data.ncols(), rows * cols);
        }
    }

    #[test]
    fn patterns_are_distinct_binary_bars_or_stripes() {
        for (rows, cols) in [(2, 2), (3, 3), (4, 4), (2, 3)] {
            let data = bars_and_stripes(rows, cols);
            let mut seen = HashSet::new();
            for image in data.rows() {
                let pixels = image.to_vec();
                assert!(pixels.iter().all(|&x| x == 0.0 || x == 1.0));
                assert!(is_bar_or_stripe(&pixels, rows, cols), "{pixels:?}");
                let key: Vec<u64> = pixels.iter().map(|x| x.to_bits()).collect();
                assert!(seen.insert(key), "duplicate {pixels:?}");
            }
        }
    }

    #[test]
    fn order_is_stripes_then_bars() {
        let data = bars_and_stripes(2, 3);
        assert_eq!(data.row(0).to_vec(), vec![0.0; 6]);
        // mask 1: the top row on
        assert_eq!(data.row(1).to_vec(), vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(data.row(3).to_vec(), vec![1.0; 6]);
        // the first bar, mask 1: the left column on
        assert_eq!(data.row(4).to_vec(), vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn an_empty_image_is_one_pattern() {
        assert_eq!(bars_and_stripes(0, 3).dim(), (1, 0));
        assert_eq!(bars_and_stripes(3, 0).dim(), (1, 0));
    }
}
