//! Exact log Z and log-likelihoods for small hidden layers, in f64.
//!
//! For each hidden state h the integral over v is a Gaussian integral, so
//! Z = sum_h e^{-F(h)} with the hidden free energy of eq. (9.5); only the 2^n
//! hidden states are enumerated, however many visible units there are.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use bm_exact::numerics::{LogSumExp, softplus};
use bm_exact::{check_enumerable, state_vector};

use super::GaussianRbm;
use crate::error::RbmError;

/// The largest hidden layer whose 2^n states are enumerated for log Z.
pub const MAX_EXACT_HIDDEN_UNITS: usize = 24;

/// The parameters widened to f64 (exactly: every f32 is an f64).
struct Exact64 {
    visible_bias: Array1<f64>,
    hidden_bias: Array1<f64>,
    weights: Array2<f64>,
    variance: Array1<f64>,
    log_variance: Array1<f64>,
}

impl Exact64 {
    fn new(rbm: &GaussianRbm) -> Self {
        let log_variance = rbm.log_variance.mapv(f64::from);
        Self {
            visible_bias: rbm.visible_bias.mapv(f64::from),
            hidden_bias: rbm.hidden_bias.mapv(f64::from),
            weights: rbm.weights.mapv(f64::from),
            variance: log_variance.mapv(f64::exp),
            log_variance,
        }
    }

    /// F(v) of eq. (9.4) in f64.
    fn free_energy(&self, v: ArrayView1<f64>) -> f64 {
        let quadratic: f64 =
            ((&v - &self.visible_bias).mapv(|x| x * x) / (2.0 * &self.variance)).sum();
        let inputs = self.weights.dot(&(&v / &self.variance)) + &self.hidden_bias;
        quadratic - inputs.iter().map(|&a| softplus(a)).sum::<f64>()
    }

    /// F(h) of eq. (9.5): -c^T h - sum_j [ (m_j^2 - b_j^2) / (2 sigma_j^2)
    /// + log(2 pi sigma_j^2) / 2 ] with m = b + W^T h.
    fn hidden_free_energy(&self, h: ArrayView1<f64>) -> f64 {
        let b = &self.visible_bias;
        let m = self.weights.t().dot(&h) + b;
        let gaussian: f64 = ((&m * &m - b * b) / (2.0 * &self.variance)).sum();
        let normaliser: f64 = self
            .log_variance
            .iter()
            .map(|z| 0.5 * ((2.0 * std::f64::consts::PI).ln() + z))
            .sum();
        -self.hidden_bias.dot(&h) - gaussian - normaliser
    }

    /// -F(h) for every hidden state s = 0 .. 2^n - 1 (unit k is bit k of s).
    fn negative_hidden_free_energies(&self) -> Array1<f64> {
        let n = self.hidden_bias.len();
        Array1::from_iter(
            (0..1u64 << n).map(|s| -self.hidden_free_energy(state_vector(s, n).view())),
        )
    }
}

// ANCHOR: gaussian_log_partition
impl GaussianRbm {
    /// log Z = log sum_h e^{-F(h)}, eq. (9.5), in f64: each hidden state
    /// contributes a Gaussian integral over v in closed form, and the 2^n
    /// terms are added with log-sum-exp (eq. 3.2). Refused for more than
    /// [`MAX_EXACT_HIDDEN_UNITS`] hidden units or non-finite parameters.
    pub fn log_partition_exact(&self) -> Result<f64, RbmError> {
        self.check()?;
        check_enumerable(
            "the hidden layer of a Gaussian-Bernoulli RBM",
            self.n_hidden(),
            MAX_EXACT_HIDDEN_UNITS,
        )?;
        let mut total = LogSumExp::new();
        for x in Exact64::new(self).negative_hidden_free_energies() {
            total.add(x);
        }
        Ok(total.value())
    }
}
// ANCHOR_END: gaussian_log_partition

impl GaussianRbm {
    /// p(h) = e^{-F(h)} / Z for every hidden state s (unit k is bit k of s):
    /// the mixture weights of p(v) = sum_h p(h) N(v; b + W^T h, diag sigma^2).
    pub fn hidden_distribution_exact(&self) -> Result<Array1<f64>, RbmError> {
        let log_partition = self.log_partition_exact()?;
        Ok(Exact64::new(self)
            .negative_hidden_free_energies()
            .mapv(|x| (x - log_partition).exp()))
    }

    /// The exact mean log-likelihood in nats per example, eq. (4.1):
    /// mean over the rows v of -F(v) - log Z, in f64. This is a density, so
    /// it can be positive; it changes by -sum_j log(std_j) when the data were
    /// divided by std_j (see [`super::Standardizer`]).
    pub fn exact_mean_log_likelihood(&self, data: ArrayView2<f32>) -> Result<f64, RbmError> {
        let mean_free_energy = self.mean_free_energy_exact(data)?;
        Ok(-mean_free_energy - self.log_partition_exact()?)
    }

    /// The mean over the rows v of F(v), eq. (9.4), in f64: the data term of
    /// a log-likelihood whose log Z comes from the closed form or from AIS
    /// ([`crate::gaussian_mean_log_probability`]).
    pub fn mean_free_energy_exact(&self, data: ArrayView2<f32>) -> Result<f64, RbmError> {
        self.check()?;
        self.check_data(data)?;
        let exact = Exact64::new(self);
        let data = data.mapv(f64::from);
        let total: f64 = data.axis_iter(Axis(0)).map(|v| exact.free_energy(v)).sum();
        Ok(total / data.nrows() as f64)
    }
}
