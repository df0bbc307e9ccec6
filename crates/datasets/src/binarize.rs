//! Intensities in [0, 1] to binary values.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use num_traits::Float;
use rand::Rng;
use rand::distr::{Distribution, StandardUniform};

/// 1 where the intensity is above `threshold`, 0 elsewhere; f32 or f64.
pub fn binarize_threshold<F: Float>(data: ArrayView2<F>, threshold: F) -> Array2<F> {
    let mut binary = data.to_owned();
    binarize_threshold_in_place(binary.view_mut(), threshold);
    binary
}

/// [`binarize_threshold`] without a copy, for data sets that fill memory.
pub fn binarize_threshold_in_place<F: Float>(mut data: ArrayViewMut2<F>, threshold: F) {
    data.mapv_inplace(|x| if x > threshold { F::one() } else { F::zero() });
}

/// Each value 1 with probability equal to its intensity (a Bernoulli draw),
/// independently, with randomness from `rng` (one uniform draw of type F per
/// value, in row order). Intensities are clamped to [0, 1], so 0 always
/// gives 0 and 1 always gives 1.
pub fn binarize_sample<F: Float>(data: ArrayView2<F>, rng: &mut impl Rng) -> Array2<F>
where
    StandardUniform: Distribution<F>,
{
    let mut binary = data.to_owned();
    binarize_sample_in_place(binary.view_mut(), rng);
    binary
}

/// [`binarize_sample`] without a copy, for data sets that fill memory.
pub fn binarize_sample_in_place<F: Float>(mut data: ArrayViewMut2<F>, rng: &mut impl Rng)
where
    StandardUniform: Distribution<F>,
{
    data.mapv_inplace(|x| {
        let p = x.max(F::zero()).min(F::one());
        if rng.random::<F>() < p {
            F::one()
        } else {
            F::zero()
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn threshold_is_strict() {
        let data = array![[0.0, 0.5, 0.51, 1.0]];
        assert_eq!(
            binarize_threshold(data.view(), 0.5),
            array![[0.0, 0.0, 1.0, 1.0]]
        );
    }

    #[test]
    fn sampling_keeps_binary_values_and_matches_intensity_on_average() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let n = 20_000;
        let data = Array2::from_shape_fn((n, 3), |(_, j)| [0.0, 0.3, 1.0][j]);
        let sample = binarize_sample(data.view(), &mut rng);
        assert!(sample.column(0).iter().all(|&x| x == 0.0));
        assert!(sample.column(2).iter().all(|&x| x == 1.0));
        let mean = sample.column(1).mean().unwrap();
        // Standard error sqrt(0.3 * 0.7 / n) is about 0.0032; allow 5 of them.
        assert!((mean - 0.3).abs() < 0.016, "{mean}");
    }

    #[test]
    fn f32_and_in_place_versions_draw_one_uniform_per_value_in_row_order() {
        let data = Array2::from_shape_fn((4, 5), |(i, j)| ((i * 5 + j) as f32) / 20.0);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let expected = data.mapv(|x| if rng.random::<f32>() < x { 1.0f32 } else { 0.0 });
        let copied = binarize_sample(data.view(), &mut ChaCha8Rng::seed_from_u64(3));
        let mut in_place = data.clone();
        binarize_sample_in_place(in_place.view_mut(), &mut ChaCha8Rng::seed_from_u64(3));
        assert_eq!(copied, expected);
        assert_eq!(in_place, expected);
        let mut thresholded = data.clone();
        binarize_threshold_in_place(thresholded.view_mut(), 0.5f32);
        assert_eq!(thresholded, binarize_threshold(data.view(), 0.5f32));
        assert_eq!(thresholded.sum(), 9.0); // 11/20 .. 19/20
    }

    #[test]
    fn sampling_is_reproducible_from_the_seed() {
        let data = Array2::from_elem((10, 10), 0.5);
        let a = binarize_sample(data.view(), &mut ChaCha8Rng::seed_from_u64(7));
        let b = binarize_sample(data.view(), &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
    }
}
