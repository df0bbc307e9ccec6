//! Centering: the centred gradient of Montavon and Muller (2012) and
//! Melchior, Fischer and Wiskott (2016), a relative of Cho, Raiko and Ilin's
//! enhanced gradient (2011), as an option of [`crate::Trainer`].
//!
//! ## Algorithm
//! With offsets mu (visible) and lambda (hidden), the centred RBM has the
//! energy of eq. (5.9),
//! `E(v, h) = -(v - mu)·b' - (h - lambda)·c' - (h - lambda)^T W (v - mu)`,
//! the same distribution as the plain RBM with `b = b' - W^T lambda` and
//! `c = c' - W mu` (the energies differ by a constant). Its log-likelihood
//! gradient, eq. (5.10), is the plain one with the weight term centred:
//! `<(h - lambda)(v - mu)^T>_data - <(h - lambda)(v - mu)^T>_model`. The
//! trainer keeps the plain parameters (so model files do not change) and
//! maps the centred step back to them, eq. (5.11); the offsets follow the
//! data means of v and p(h | v) as running averages.

use ndarray::{Array1, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{RbmError, config_error};
use crate::gradient::Gradient;
use crate::model::Rbm;
use crate::numerics::sigmoid;

/// Centering in TOML: `centering = { offset_rate = 0.01 }`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CenteringConfig {
    /// nu in (0, 1]: the weight of each minibatch's means in the running
    /// averages of the offsets (Melchior et al. use 0.01 to 0.1).
    pub offset_rate: f32,
}

impl CenteringConfig {
    pub(crate) fn check(&self) -> Result<(), RbmError> {
        if !(self.offset_rate > 0.0 && self.offset_rate <= 1.0) {
            return Err(config_error(
                "centering.offset_rate",
                format!("{} is outside (0, 1]; try 0.01", self.offset_rate),
            ));
        }
        Ok(())
    }
}

/// The offsets mu (visible) and lambda (hidden) of eq. (5.9).
#[derive(Clone, Debug, PartialEq)]
pub struct Offsets {
    pub visible: Array1<f32>,
    pub hidden: Array1<f32>,
}

impl Offsets {
    /// mu = 0, lambda = 0: the centred model is the plain one.
    pub fn zeros(rbm: &Rbm) -> Self {
        Self {
            visible: Array1::zeros(rbm.n_visible()),
            hidden: Array1::zeros(rbm.n_hidden()),
        }
    }

    /// mu = sigmoid(b), lambda = sigmoid(c): the unit means of a model with
    /// small weights. For a model from [`Rbm::initialise`], mu is the data's
    /// mean.
    pub fn initial(rbm: &Rbm) -> Self {
        Self {
            visible: rbm.visible_bias.mapv(sigmoid),
            hidden: rbm.hidden_bias.mapv(sigmoid),
        }
    }

    /// The centred biases of the same model, eq. (5.9):
    /// b' = b + W^T lambda, c' = c + W mu.
    pub fn centred_biases(&self, rbm: &Rbm) -> (Array1<f32>, Array1<f32>) {
        (
            &rbm.visible_bias + &rbm.weights.t().dot(&self.hidden),
            &rbm.hidden_bias + &rbm.weights.dot(&self.visible),
        )
    }

    /// mu <- (1 - nu) mu + nu mean(v), lambda <- (1 - nu) lambda + nu mean(p(h | v))
    /// over the minibatch: the running averages of the data means.
    pub fn track(&mut self, rbm: &Rbm, batch: ArrayView2<f32>, offset_rate: f32) {
        let n = batch.nrows() as f32;
        let hidden_mean = rbm.hidden_probabilities(batch).sum_axis(Axis(0)) / n;
        let visible_mean = batch.sum_axis(Axis(0)) / n;
        self.visible *= 1.0 - offset_rate;
        self.visible.scaled_add(offset_rate, &visible_mean);
        self.hidden *= 1.0 - offset_rate;
        self.hidden.scaled_add(offset_rate, &hidden_mean);
    }
}

// ANCHOR: centred_update
impl Offsets {
    /// The centred gradient, eq. (5.10) in the book, from a plain estimate
    /// (data statistics minus model statistics, any negative phase):
    /// grad W' = grad W - lambda (grad b)^T - (grad c) mu^T; the bias
    /// gradients are unchanged. At zero offsets it is the plain gradient.
    pub fn centred_gradient(&self, plain: &Gradient) -> Gradient {
        let outer = |a: &Array1<f32>, b: &Array1<f32>| {
            a.view()
                .insert_axis(Axis(1))
                .dot(&b.view().insert_axis(Axis(0)))
        };
        Gradient {
            weights: &plain.weights
                - &outer(&self.hidden, &plain.visible_bias)
                - outer(&plain.hidden_bias, &self.visible),
            visible_bias: plain.visible_bias.clone(),
            hidden_bias: plain.hidden_bias.clone(),
        }
    }

    /// A step along the centred gradient, written in the plain parameters,
    /// eq. (5.11): Delta W = grad W', Delta b = grad b' - (grad W')^T lambda,
    /// Delta c = grad c' - (grad W') mu.
    pub fn plain_step(&self, centred: &Gradient) -> Gradient {
        Gradient {
            visible_bias: &centred.visible_bias - &centred.weights.t().dot(&self.hidden),
            hidden_bias: &centred.hidden_bias - &centred.weights.dot(&self.visible),
            weights: centred.weights.clone(),
        }
    }
}
// ANCHOR_END: centred_update

/// The centred energy of eq. (5.9) in f64, for the biases b', c' of
/// [`Offsets::centred_biases`]:
/// E(v, h) = -(v - mu)·b' - (h - lambda)·c' - (h - lambda)^T W (v - mu).
pub fn centred_energy(rbm: &Rbm, offsets: &Offsets, v: ArrayView1<f64>, h: ArrayView1<f64>) -> f64 {
    let (b, c) = offsets.centred_biases(rbm);
    let v: Array1<f64> = &v - &offsets.visible.mapv(f64::from);
    let h: Array1<f64> = &h - &offsets.hidden.mapv(f64::from);
    let weights = rbm.weights.mapv(f64::from);
    -v.dot(&b.mapv(f64::from)) - h.dot(&c.mapv(f64::from)) - h.dot(&weights.dot(&v))
}
