//! Gaussian-Bernoulli RBMs for real-valued data (chapter "Gaussian-Bernoulli
//! RBMs for real-valued data" of the book, eq. 9.1-9.8).
//!
//! A binary RBM models v in {0,1}^d; fed with real numbers it treats them as
//! probabilities or, worse, as binary states, and its p(v) puts no mass on
//! the values the data actually take. A Gaussian-Bernoulli RBM replaces the
//! binary visible units by Gaussian ones, keeping binary hidden units.
//!
//! ## Algorithm
//! - The energy of Cho, Ilin and Raiko (2011), eq. (9.1), with one variance
//!   sigma_j^2 = e^{z_j} per visible unit, eq. (9.6). By default z = 0 (unit
//!   variance), which suits data standardised by [`Standardizer`].
//! - Conditionals p(h_i = 1 | v), eq. (9.2), and p(v_j | h), a Gaussian,
//!   eq. (9.3); block Gibbs sampling as for the binary RBM.
//! - The free energy F(v), eq. (9.4), and for small hidden layers the exact
//!   log Z in closed form, eq. (9.5), in f64.
//! - CD-k and PCD gradients for b, c, W and z from -dE/dtheta, eq. (9.8), and
//!   a small training loop with momentum and weight decay ([`train_gaussian`]).
//!
//! ## Example
//! ```
//! use ndarray::array;
//! use rand::SeedableRng;
//! use rbm::{GaussianRbm, GaussianTrainConfig, Standardizer, train_gaussian};
//!
//! let raw = array![[1.0f32, 10.0], [1.5, 12.0], [3.0, 30.0], [3.5, 31.0]];
//! let standardizer = Standardizer::fit(raw.view()).unwrap();
//! let data = standardizer.transform(raw.view()).unwrap();
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
//! let mut rbm = GaussianRbm::initialise(2, data.view(), &mut rng);
//! let config = GaussianTrainConfig { epochs: 50, batch_size: 2, ..Default::default() };
//! train_gaussian(&mut rbm, data.view(), &config, &mut rng).unwrap();
//! let log_likelihood = rbm.exact_mean_log_likelihood(data.view()).unwrap();
//! assert!(log_likelihood.is_finite());
//! ```

mod exact;
mod gradient;
mod standardize;
mod train;

pub use exact::MAX_EXACT_HIDDEN_UNITS;
pub use gradient::{GaussianGradient, GaussianPersistentChains, gaussian_statistics};
pub use standardize::{MIN_STANDARD_DEVIATION, Standardizer};
pub use train::{GaussianTrainConfig, GaussianTrainer, LOG_VARIANCE_LIMIT, train_gaussian};

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;
use rand_distr::{Distribution, Normal, StandardNormal};

use crate::error::RbmError;
use crate::model::check_data_shape;
use crate::numerics::{sigmoid, softplus};
use crate::sampling::sample_bernoulli;

/// A Gaussian-Bernoulli RBM in f32: real-valued visible units v with means
/// set by the visible bias b and variances sigma_j^2 = e^{z_j}
/// (`log_variance`), binary hidden units with bias c, and weights W of shape
/// (n_hidden, n_visible) as in the binary [`crate::Rbm`].
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianRbm {
    pub visible_bias: Array1<f32>,
    pub hidden_bias: Array1<f32>,
    pub weights: Array2<f32>,
    /// z_j = log sigma_j^2, eq. (9.6). All zeros means unit variances.
    pub log_variance: Array1<f32>,
}

/// The standard deviation of the initial weights (Hinton's practical guide).
const INITIAL_WEIGHT_SD: f32 = 0.01;

impl GaussianRbm {
    /// Every parameter 0: unit variances, p(v) = N(0, I) times the constant
    /// 2^n from the hidden units.
    pub fn zeros(n_visible: usize, n_hidden: usize) -> Self {
        Self {
            visible_bias: Array1::zeros(n_visible),
            hidden_bias: Array1::zeros(n_hidden),
            weights: Array2::zeros((n_hidden, n_visible)),
            log_variance: Array1::zeros(n_visible),
        }
    }

    /// Weights from N(0, 0.01^2), hidden bias 0, unit variances (z = 0), and
    /// the visible bias at the data mean, so that p(v | h = 0) is already
    /// centred on the data (0 for standardised data). Empty data gives b = 0.
    pub fn initialise(n_hidden: usize, data: ArrayView2<f32>, rng: &mut impl Rng) -> Self {
        let n_visible = data.ncols();
        let normal = Normal::new(0.0, INITIAL_WEIGHT_SD).expect("a positive standard deviation");
        Self {
            visible_bias: data
                .mean_axis(Axis(0))
                .unwrap_or_else(|| Array1::zeros(n_visible)),
            hidden_bias: Array1::zeros(n_hidden),
            weights: Array2::from_shape_simple_fn((n_hidden, n_visible), || normal.sample(rng)),
            log_variance: Array1::zeros(n_visible),
        }
    }

    pub fn n_visible(&self) -> usize {
        self.visible_bias.len()
    }

    pub fn n_hidden(&self) -> usize {
        self.hidden_bias.len()
    }

    /// Refuse a model with inconsistent shapes or a NaN or infinite parameter;
    /// the message names the field.
    pub fn check(&self) -> Result<(), RbmError> {
        let (n_visible, n_hidden) = (self.n_visible(), self.n_hidden());
        if self.weights.dim() != (n_hidden, n_visible) || self.log_variance.len() != n_visible {
            return Err(RbmError::Model(format!(
                "field `weights` has shape {:?} and `log_variance` length {}, but the biases \
                 ask for weights ({n_hidden}, {n_visible}) and log_variance {n_visible}",
                self.weights.dim(),
                self.log_variance.len()
            )));
        }
        let not_finite = |x: &f32| !x.is_finite();
        let fields = [
            (
                "visible_bias",
                self.visible_bias.iter().position(not_finite),
            ),
            ("hidden_bias", self.hidden_bias.iter().position(not_finite)),
            ("weights", self.weights.iter().position(not_finite)),
            (
                "log_variance",
                self.log_variance.iter().position(not_finite),
            ),
        ];
        for (field, position) in fields {
            if let Some(index) = position {
                return Err(RbmError::Model(format!(
                    "field `{field}`: entry {index} is not a finite number; \
                     fix or reinitialise the model"
                )));
            }
        }
        Ok(())
    }

    /// Refuse data that the model cannot score: a wrong number of columns,
    /// no rows, or a NaN or infinite value.
    pub fn check_data(&self, data: ArrayView2<f32>) -> Result<(), RbmError> {
        check_data_shape(data, self.n_visible())?;
        if let Some(((row, col), x)) = data.indexed_iter().find(|(_, x)| !x.is_finite()) {
            return Err(RbmError::Data(format!(
                "row {}, column {}: value {x} is not a finite number",
                row + 1,
                col + 1
            )));
        }
        Ok(())
    }
}

// ANCHOR: gaussian_energy
impl GaussianRbm {
    /// sigma_j^2 = e^{z_j}, eq. (9.6): positive for every real z_j.
    pub fn variance(&self) -> Array1<f32> {
        self.log_variance.mapv(f32::exp)
    }

    /// The energy of eq. (9.1), one value per row pair (v, h):
    /// E(v,h) = sum_j (v_j - b_j)^2 / (2 sigma_j^2) - c^T h - sum_ij h_i W_ij v_j / sigma_j^2.
    pub fn energy(&self, v: ArrayView2<f32>, h: ArrayView2<f32>) -> Array1<f32> {
        let variance = self.variance();
        let quadratic =
            ((&v - &self.visible_bias).mapv(|x| x * x) / (2.0 * &variance)).sum_axis(Axis(1));
        let scaled_v = &v / &variance;
        let interaction = (&h * &scaled_v.dot(&self.weights.t())).sum_axis(Axis(1));
        quadratic - h.dot(&self.hidden_bias) - interaction
    }
}
// ANCHOR_END: gaussian_energy

// ANCHOR: gaussian_conditionals
impl GaussianRbm {
    /// a_i = c_i + sum_j W_ij v_j / sigma_j^2, the input of hidden unit i, per row v.
    pub fn hidden_inputs(&self, v: ArrayView2<f32>) -> Array2<f32> {
        (&v / &self.variance()).dot(&self.weights.t()) + &self.hidden_bias
    }

    /// p(h_i = 1 | v) = sigmoid(a_i), eq. (9.2); shape (batch, n_hidden).
    pub fn hidden_probabilities(&self, v: ArrayView2<f32>) -> Array2<f32> {
        self.hidden_inputs(v).mapv(sigmoid)
    }

    /// The mean b_j + (W^T h)_j of p(v_j | h), eq. (9.3); shape (batch, n_visible).
    pub fn visible_means(&self, h: ArrayView2<f32>) -> Array2<f32> {
        h.dot(&self.weights) + &self.visible_bias
    }

    /// v ~ p(v | h) = N(b + W^T h, diag sigma^2), eq. (9.3), one row per row
    /// of `h`: mean plus sigma_j times a standard normal draw.
    pub fn sample_visible(&self, h: ArrayView2<f32>, rng: &mut impl Rng) -> Array2<f32> {
        let sd = self.log_variance.mapv(|z| (0.5 * z).exp());
        let noise: Array2<f32> =
            Array2::from_shape_simple_fn((h.nrows(), self.n_visible()), || {
                StandardNormal.sample(rng)
            });
        self.visible_means(h) + noise * &sd
    }
}
// ANCHOR_END: gaussian_conditionals

// ANCHOR: gaussian_free_energy
impl GaussianRbm {
    /// F(v) = sum_j (v_j - b_j)^2 / (2 sigma_j^2) - sum_i softplus(a_i),
    /// eq. (9.4), one value per row v, with the stable softplus.
    pub fn free_energy(&self, v: ArrayView2<f32>) -> Array1<f32> {
        let quadratic = ((&v - &self.visible_bias).mapv(|x| x * x) / (2.0 * &self.variance()))
            .sum_axis(Axis(1));
        quadratic - self.hidden_inputs(v).mapv(softplus).sum_axis(Axis(1))
    }
}
// ANCHOR_END: gaussian_free_energy

// ANCHOR: gaussian_gibbs
impl GaussianRbm {
    /// One block Gibbs step v -> h -> v', eq. (5.1) with the conditionals
    /// (9.2) and (9.3): binary h from p(h | v), then Gaussian v' from p(v | h).
    pub fn gibbs_step(&self, v: ArrayView2<f32>, rng: &mut impl Rng) -> Array2<f32> {
        let h = sample_bernoulli(self.hidden_probabilities(v).view(), rng);
        self.sample_visible(h.view(), rng)
    }
}
// ANCHOR_END: gaussian_gibbs

impl GaussianRbm {
    /// `n_gibbs_steps` block Gibbs steps from `v`.
    pub fn gibbs_chain(
        &self,
        v: ArrayView2<f32>,
        n_gibbs_steps: usize,
        rng: &mut impl Rng,
    ) -> Array2<f32> {
        let mut state = v.to_owned();
        for _ in 0..n_gibbs_steps {
            state = self.gibbs_step(state.view(), rng);
        }
        state
    }
}
