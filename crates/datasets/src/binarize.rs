//! Intensities in [0, 1] to binary values.

use ndarray::{Array2, ArrayView2};
use rand::Rng;

/// 1 where the intensity is above `threshold`, 0 elsewhere.
pub fn binarize_threshold(data: ArrayView2<f64>, threshold: f64) -> Array2<f64> {
    data.mapv(|x| if x > threshold { 1.0 } else { 0.0 })
}

/// Each value 1 with probability equal to its intensity (a Bernoulli draw),
/// independently, with randomness from `rng`. Intensities are clamped to
/// [0, 1], so 0 always gives 0 and 1 always gives 1.
pub fn binarize_sample(data: ArrayView2<f64>, rng: &mut impl Rng) -> Array2<f64> {
    data.mapv(|x| {
        if rng.random::<f64>() < x.clamp(0.0, 1.0) {
            1.0
        } else {
            0.0
        }
    })
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
    fn sampling_is_reproducible_from_the_seed() {
        let data = Array2::from_elem((10, 10), 0.5);
        let a = binarize_sample(data.view(), &mut ChaCha8Rng::seed_from_u64(7));
        let b = binarize_sample(data.view(), &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
    }
}
