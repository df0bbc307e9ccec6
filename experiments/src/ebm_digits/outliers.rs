//! The outliers: uniform noise, and test digits with noise added, flipped
//! or shrunken. Each is a batch of 28 x 28 images with values in [0, 1],
//! one per row, like the digits.

use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;

/// Images of independent U[0, 1] pixels.
pub fn uniform_noise(n: usize, n_pixels: usize, rng: &mut impl Rng) -> Array2<f64> {
    Array2::from_shape_simple_fn((n, n_pixels), || rng.random::<f64>())
}

/// Each pixel plus N(0, std^2) noise, clipped to [0, 1].
pub fn with_gaussian_noise(images: ArrayView2<f64>, std: f64, rng: &mut impl Rng) -> Array2<f64> {
    images.mapv(|x| (x + std * rng.sample::<f64, _>(StandardNormal)).clamp(0.0, 1.0))
}

/// Mirror images: left-right (`upside_down` false) or top-bottom.
pub fn flipped(images: ArrayView2<f64>, side: usize, upside_down: bool) -> Array2<f64> {
    let mut out = images.to_owned();
    for (mut to, from) in out.rows_mut().into_iter().zip(images.rows()) {
        for r in 0..side {
            for c in 0..side {
                let (fr, fc) = if upside_down {
                    (side - 1 - r, c)
                } else {
                    (r, side - 1 - c)
                };
                to[r * side + c] = from[fr * side + fc];
            }
        }
    }
    out
}

/// Each image scaled by `factor` <= 1 about its centre, by bilinear
/// interpolation; pixels that map outside the original are black.
pub fn shrunken(images: ArrayView2<f64>, side: usize, factor: f64) -> Array2<f64> {
    let centre = (side as f64 - 1.0) / 2.0;
    let mut out = Array2::zeros(images.dim());
    for (mut to, from) in out.rows_mut().into_iter().zip(images.rows()) {
        let pixel = |r: isize, c: isize| -> f64 {
            let inside = (0..side as isize).contains(&r) && (0..side as isize).contains(&c);
            if inside {
                from[r as usize * side + c as usize]
            } else {
                0.0
            }
        };
        for r in 0..side {
            for c in 0..side {
                let y = centre + (r as f64 - centre) / factor;
                let x = centre + (c as f64 - centre) / factor;
                let (y0, x0) = (y.floor(), x.floor());
                let (dy, dx) = (y - y0, x - x0);
                let (y0, x0) = (y0 as isize, x0 as isize);
                to[r * side + c] = (1.0 - dy) * (1.0 - dx) * pixel(y0, x0)
                    + (1.0 - dy) * dx * pixel(y0, x0 + 1)
                    + dy * (1.0 - dx) * pixel(y0 + 1, x0)
                    + dy * dx * pixel(y0 + 1, x0 + 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn flips_mirror_a_3x3_image() {
        let image = array![[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]];
        let lr = flipped(image.view(), 3, false);
        let ud = flipped(image.view(), 3, true);
        assert_eq!(lr, array![[3.0, 2.0, 1.0, 6.0, 5.0, 4.0, 9.0, 8.0, 7.0]]);
        assert_eq!(ud, array![[7.0, 8.0, 9.0, 4.0, 5.0, 6.0, 1.0, 2.0, 3.0]]);
        assert_eq!(flipped(lr.view(), 3, false), image);
    }

    #[test]
    fn shrinking_by_one_is_the_identity_and_by_a_half_keeps_the_centre() {
        let mut image = Array2::zeros((1, 25));
        image[[0, 12]] = 1.0;
        image[[0, 0]] = 1.0;
        assert_eq!(shrunken(image.view(), 5, 1.0), image);
        let half = shrunken(image.view(), 5, 0.5);
        // The centre stays; the corner pixel moves to (1, 1) at half weight
        // at most, and nothing appears at the border.
        assert_eq!(half[[0, 12]], 1.0);
        assert!(half[[0, 0]] == 0.0 && half[[0, 4]] == 0.0 && half[[0, 24]] == 0.0);
        assert!(half.iter().all(|x| (0.0..=1.0).contains(x)));
    }

    #[test]
    fn noise_stays_in_the_unit_interval() {
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(3);
        let noisy = with_gaussian_noise(array![[0.0, 1.0, 0.5]].view(), 5.0, &mut rng);
        assert!(noisy.iter().all(|x| (0.0..=1.0).contains(x)));
    }
}
