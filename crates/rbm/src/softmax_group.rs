//! A softmax group among the visible units: a block of units of which
//! exactly one is on, as the label units of Hinton, Osindero & Teh (2006).
//!
//! The energy is that of the RBM, eq. (2.1), restricted to states where the
//! group is one-hot. Given h, the other visible units stay independent
//! Bernoulli units, eq. (2.8); the group is one categorical unit with
//! p(unit l on | h) = softmax(b_G + (W^T h)_G)_l (chapter 10, "Label units").
//! Training with the group (a CD-k or PCD negative phase that draws it
//! one-hot) is [`crate::Trainer::set_softmax_group`]; this module holds the
//! readable path that the fast kernels are tested against.
//!
//! Random numbers: a Gibbs step draws exactly what [`crate::gibbs_step`]
//! draws (one uniform per hidden unit, then one per visible unit); the group
//! uses the uniform of its first unit for its categorical draw and ignores
//! the others, so the fast and readable paths stay draw for draw alike.

use std::ops::Range;

use ndarray::{Array2, ArrayView2, s};
use rand::Rng;

use crate::error::{RbmError, config_error};
use crate::gradient::{Gradient, PersistentChains, mean_statistics};
use crate::model::Rbm;
use crate::sampling::sample_bernoulli;

/// The visible units `start..end` (at least two) form one softmax group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoftmaxGroup {
    units: Range<usize>,
}

impl SoftmaxGroup {
    /// The group `units` of an RBM with `n_visible` visible units; refused
    /// when it has fewer than two units or reaches past the last one.
    pub fn new(units: Range<usize>, n_visible: usize) -> Result<Self, RbmError> {
        if units.end > n_visible || units.len() < 2 {
            return Err(config_error(
                "softmax_group",
                format!(
                    "units {}..{} do not form a group of at least 2 of the {n_visible} visible units",
                    units.start, units.end
                ),
            ));
        }
        Ok(Self { units })
    }

    /// The indices of the group's units.
    pub fn units(&self) -> Range<usize> {
        self.units.clone()
    }

    /// Overwrite the group's entries of one row by [`draw_one_hot`]: with
    /// `activations` = b_G + (W^T h)_G this is p(l | h) = softmax(d + U^T h)
    /// of chapter 10 ("Label units"); the other entries are left alone.
    pub fn resample_row(
        &self,
        activations: &[f32],
        u: f32,
        probabilities: &mut [f32],
        samples: &mut [f32],
    ) {
        let group = self.units();
        draw_one_hot(
            activations,
            u,
            &mut probabilities[group.clone()],
            &mut samples[group],
        );
    }
}

/// One categorical draw: `probabilities` become softmax(`activations`) and
/// `samples` the one-hot draw with the uniform `u` in [0, 1), the first l
/// with u < p_1 + ... + p_l. All three slices have one entry per category.
pub fn draw_one_hot(activations: &[f32], u: f32, probabilities: &mut [f32], samples: &mut [f32]) {
    let max = activations.iter().fold(f32::NEG_INFINITY, |m, &a| m.max(a));
    let mut total = 0.0;
    for (p, &a) in probabilities.iter_mut().zip(activations) {
        *p = (a - max).exp(); // at most 1: no overflow for any activation
        total += *p;
    }
    let mut chosen = None;
    let mut cumulative = 0.0;
    for (l, p) in probabilities.iter_mut().enumerate() {
        *p /= total;
        cumulative += *p;
        if chosen.is_none() && u < cumulative {
            chosen = Some(l);
        }
    }
    // Rounding can leave u just past the last sum: then the last category.
    let chosen = chosen.unwrap_or(samples.len() - 1);
    for (l, s) in samples.iter_mut().enumerate() {
        *s = if l == chosen { 1.0 } else { 0.0 };
    }
}

// ANCHOR: softmax_gibbs_step
/// One block Gibbs step v -> h -> v' (eq. 5.1) of an RBM whose visible
/// units `group` form a softmax group: h from p(h | v) (eq. 2.7), the other
/// visible units from eq. (2.8), and the group one-hot from
/// softmax(b_G + (W^T h)_G). Returns the new visible states.
pub fn softmax_gibbs_step(
    rbm: &Rbm,
    v: ArrayView2<f32>,
    group: &SoftmaxGroup,
    rng: &mut impl Rng,
) -> Array2<f32> {
    let h = sample_bernoulli(rbm.hidden_probabilities(v).view(), rng);
    let mut probabilities = rbm.visible_probabilities(h.view());
    let uniforms = probabilities.mapv(|_| rng.random::<f32>());
    let mut v_new = ndarray::Zip::from(&probabilities)
        .and(&uniforms)
        .map_collect(|&p, &u| if u < p { 1.0 } else { 0.0 });
    let activations = h.dot(&rbm.weights.slice(s![.., group.units()]))
        + rbm.visible_bias.slice(s![group.units()]);
    for (n, a) in activations.rows().into_iter().enumerate() {
        let mut p = probabilities.row_mut(n);
        let mut v_row = v_new.row_mut(n);
        group.resample_row(
            a.as_slice().expect("standard layout"),
            uniforms[[n, group.units().start]],
            p.as_slice_mut().expect("standard layout"),
            v_row.as_slice_mut().expect("standard layout"),
        );
    }
    v_new
}
// ANCHOR_END: softmax_gibbs_step

/// `k` steps of [`softmax_gibbs_step`] from `v`.
pub fn softmax_gibbs_chain(
    rbm: &Rbm,
    v: ArrayView2<f32>,
    k: usize,
    group: &SoftmaxGroup,
    rng: &mut impl Rng,
) -> Array2<f32> {
    let mut state = v.to_owned();
    for _ in 0..k {
        state = softmax_gibbs_step(rbm, state.view(), group, rng);
    }
    state
}

/// The CD-k update of eq. (5.2) with the group drawn one-hot in the
/// negative phase: [`crate::cd_gradient`] with [`softmax_gibbs_step`].
pub fn softmax_cd_gradient(
    rbm: &Rbm,
    batch: ArrayView2<f32>,
    k: usize,
    group: &SoftmaxGroup,
    rng: &mut impl Rng,
) -> Gradient {
    // CD-k is PCD from chains that start at the batch.
    let mut chains = PersistentChains::from_states(batch);
    softmax_pcd_gradient(&mut chains, rbm, batch, k, group, rng)
}

/// The PCD update of eq. (5.5) with the group drawn one-hot: the chains
/// advance `k` steps of [`softmax_gibbs_step`].
pub fn softmax_pcd_gradient(
    chains: &mut PersistentChains,
    rbm: &Rbm,
    batch: ArrayView2<f32>,
    k: usize,
    group: &SoftmaxGroup,
    rng: &mut impl Rng,
) -> Gradient {
    let states = softmax_gibbs_chain(rbm, chains.states(), k, group, rng);
    *chains.states_mut() = states;
    mean_statistics(rbm, batch).minus(&mean_statistics(rbm, chains.states()))
}
