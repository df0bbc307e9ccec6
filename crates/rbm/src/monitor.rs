//! Cheap monitors of training (Hinton's guide, sections 5 and 6) and the
//! exact log-likelihood for models small enough to enumerate.

use ndarray::ArrayView2;

use crate::error::RbmError;
use crate::model::Rbm;

/// What [`crate::Trainer::epoch`] measured after one epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochMonitors {
    /// The number of epochs done, counting this one (so the first is 1).
    pub epoch: usize,
    /// The momentum used during this epoch.
    pub momentum: f32,
    /// [`reconstruction_error`] on the training data after this epoch.
    pub reconstruction_error: f32,
}

/// The squared reconstruction error: one deterministic pass
/// v -> p(h | v) -> p(v | h = p(h | v)) (eq. 2.7 then 2.8, probabilities
/// throughout, no sampling), then sum_j (v_j - p_j)^2 summed over the visible
/// units and averaged over the examples. Easy to compute but not what CD
/// optimises: use it to spot divergence, not to compare models.
pub fn reconstruction_error(rbm: &Rbm, data: ArrayView2<f32>) -> f32 {
    let hidden = rbm.hidden_probabilities(data);
    let reconstruction = rbm.visible_probabilities(hidden.view());
    (&data - &reconstruction).mapv(|d| d * d).sum() / data.nrows() as f32
}

// ANCHOR: free_energy_gap
/// The free-energy gap of eq. (8.3): mean F(held_out) - mean F(train), with
/// F of eq. (2.3). log Z cancels, so
/// this is computable at any size; it estimates mean log p(train) - mean
/// log p(held_out), and a gap that keeps growing signals overfitting
/// (Hinton's guide, section 6). NaN if either set is empty.
pub fn free_energy_gap(rbm: &Rbm, train: ArrayView2<f32>, held_out: ArrayView2<f32>) -> f32 {
    let mean = |v: ArrayView2<f32>| rbm.free_energy(v).mean().unwrap_or(f32::NAN);
    mean(held_out) - mean(train)
}
// ANCHOR_END: free_energy_gap

/// The exact mean log-likelihood in nats, eq. (4.1), computed in f64 by
/// `bm_exact` (so only for models whose smaller layer it can enumerate, and
/// for binary data).
pub fn exact_mean_log_likelihood(rbm: &Rbm, data: ArrayView2<f32>) -> Result<f64, RbmError> {
    Ok(rbm
        .to_exact()?
        .mean_log_likelihood(data.mapv(f64::from).view())?)
}
