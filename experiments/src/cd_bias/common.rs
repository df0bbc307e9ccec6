//! Pieces the panels of cd-bias share: seeded random streams, parameters as
//! flat vectors and in JSON.

use bm_exact::Parameters;
use ndarray::{Array1, Array2};
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// Each panel (purpose) and run (index) has its own stream.
pub use crate::streams::stream;

pub const PANEL_BIAS: u32 = 1;
pub const PANEL_SPREAD: u32 = 2;
pub const PANEL_TRAINING: u32 = 3;
pub const PANEL_FIXED_POINTS: u32 = 4;

pub fn norm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// |update - gradient| / |gradient|: the relative error of an update.
pub fn relative_error(update: &[f64], gradient: &[f64]) -> f64 {
    let diff: Vec<f64> = update.iter().zip(gradient).map(|(u, g)| u - g).collect();
    norm(&diff) / norm(gradient)
}

/// The cosine of the angle between an update and the gradient; 0 for an
/// update of zeros (a sampled CD estimate is exactly 0 when every chain
/// ends where it started).
pub fn cosine(update: &[f64], gradient: &[f64]) -> f64 {
    let dot: f64 = update.iter().zip(gradient).map(|(u, g)| u * g).sum();
    let norms = norm(update) * norm(gradient);
    if norms == 0.0 { 0.0 } else { dot / norms }
}

/// RBM parameters as they appear in the JSON: the model-file layout.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RbmJson {
    pub visible_bias: Vec<f64>,
    pub hidden_bias: Vec<f64>,
    /// n_hidden rows of n_visible columns.
    pub weights: Vec<Vec<f64>>,
}

impl RbmJson {
    pub fn from_exact(rbm: &bm_exact::Rbm) -> Self {
        Self {
            visible_bias: rbm.visible_bias().to_vec(),
            hidden_bias: rbm.hidden_bias().to_vec(),
            weights: rbm
                .weights()
                .rows()
                .into_iter()
                .map(|r| r.to_vec())
                .collect(),
        }
    }

    pub fn to_exact(&self) -> bm_exact::Result<bm_exact::Rbm> {
        let n_visible = self.visible_bias.len();
        let flat: Vec<f64> = self.weights.concat();
        let weights =
            Array2::from_shape_vec((self.weights.len(), n_visible), flat).map_err(|_| {
                bm_exact::ExactError::Toml("weights: every row needs n_visible values".into())
            })?;
        bm_exact::Rbm::new(
            Array1::from(self.visible_bias.clone()),
            Array1::from(self.hidden_bias.clone()),
            weights,
        )
    }
}

/// A small random start: W_ij ~ N(0, init_std^2), biases 0.
pub fn random_start(
    n_visible: usize,
    n_hidden: usize,
    init_std: f64,
    rng: &mut impl rand::Rng,
) -> bm_exact::Rbm {
    let normal = Normal::new(0.0, init_std).expect("init_std is checked to be > 0");
    let weights = Array2::from_shape_simple_fn((n_hidden, n_visible), || normal.sample(rng));
    bm_exact::Rbm::new(Array1::zeros(n_visible), Array1::zeros(n_hidden), weights)
        .expect("finite random parameters")
}

/// theta + step * direction, in f64: one step of gradient ascent.
pub fn ascend(
    rbm: &bm_exact::Rbm,
    direction: &Parameters,
    step: f64,
) -> bm_exact::Result<bm_exact::Rbm> {
    bm_exact::Rbm::new(
        &rbm.visible_bias() + &(step * &direction.visible_bias),
        &rbm.hidden_bias() + &(step * &direction.hidden_bias),
        &rbm.weights() + &(step * &direction.weights),
    )
}

/// The Frobenius norm of W.
pub fn weight_norm(rbm: &bm_exact::Rbm) -> f64 {
    rbm.weights().iter().map(|w| w * w).sum::<f64>().sqrt()
}
