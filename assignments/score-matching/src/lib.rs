//! Assignment 12: denoising score matching (chapter 12). Noise the data,
//! compute the target that grad_y E should match, the loss of a batch, and
//! the expected loss of a Gaussian model on Gaussian data in closed form.
//! The energy is any `ebm_langevin::Energy`: `energy.energies_and_grads(y)`
//! returns E and grad_y E for each row of y. One example per row.

use ebm_langevin::Energy;
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;

/// The noised data of eq. (12.2): y_i = x_i + sigma xi_i, xi_i ~ N(0, I).
pub fn perturb(clean: ArrayView2<f64>, sigma: f64, rng: &mut impl Rng) -> Array2<f64> {
    // HINT: sigma is the standard deviation of the noise, not its variance;
    // HINT: draw with rng.sample::<f64, _>(StandardNormal).
    // BEGIN SOLUTION
    clean.mapv(|x| x + sigma * rng.sample::<f64, _>(StandardNormal))
    // END SOLUTION
}

/// The target of denoising score matching, eqs. (12.2) and (12.3): the value
/// (y_i - x_i) / sigma^2 that grad_y E(y_i) should match, which is
/// -grad_y log q(y_i | x_i) for the Gaussian noise kernel.
pub fn dsm_target(clean: ArrayView2<f64>, noisy: ArrayView2<f64>, sigma: f64) -> Array2<f64> {
    // HINT: differentiate log q(y | x) = -|y - x|^2 / (2 sigma^2) + const in y.
    // BEGIN SOLUTION
    (&noisy - &clean) / (sigma * sigma)
    // END SOLUTION
}

/// The denoising score matching loss of a batch, eq. (12.3):
/// L = 1/(2n) sum_i |grad_y E(y_i) - (y_i - x_i) / sigma^2|^2.
pub fn dsm_loss(
    energy: &dyn Energy,
    clean: ArrayView2<f64>,
    noisy: ArrayView2<f64>,
    sigma: f64,
) -> f64 {
    // HINT: n is the number of examples (rows), not the number of coordinates.
    // BEGIN SOLUTION
    let (_, grad) = energy.energies_and_grads(noisy);
    let residual = grad - dsm_target(clean, noisy, sigma);
    residual.mapv(|r| r * r).sum() / (2.0 * clean.nrows() as f64)
    // END SOLUTION
}

/// The expected DSM loss, E over x and xi of eq. (12.3), for data
/// x ~ N(0, data_variance I) in `dim` dimensions and the Gaussian model
/// E(y) = |y|^2 / (2 model_variance). Its minimum over model_variance is at
/// data_variance + sigma^2, the variance of the noised data (eq. 12.4).
pub fn gaussian_dsm_expected_loss(
    data_variance: f64,
    model_variance: f64,
    sigma: f64,
    dim: usize,
) -> f64 {
    // HINT: write the residual as x / v + xi (sigma / v - 1 / sigma); x and xi are
    // HINT: independent with mean 0.
    // BEGIN SOLUTION
    let v = model_variance;
    let noise_factor = sigma / v - 1.0 / sigma;
    0.5 * dim as f64 * (data_variance / (v * v) + noise_factor * noise_factor)
    // END SOLUTION
}
