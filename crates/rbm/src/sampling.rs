//! Bernoulli sampling and block Gibbs sampling.

use ndarray::{Array2, ArrayView2};
use rand::Rng;

use crate::model::Rbm;

/// Independent binary samples: entry (n, j) is 1 with probability
/// `probabilities[[n, j]]` and 0 otherwise, drawn as u < p with u uniform in
/// [0, 1). So p = 0 is never on and p = 1 is always on.
pub fn sample_bernoulli(probabilities: ArrayView2<f32>, rng: &mut impl Rng) -> Array2<f32> {
    probabilities.mapv(|p| if rng.random::<f32>() < p { 1.0 } else { 0.0 })
}

// ANCHOR: gibbs_step
/// One block Gibbs step v -> h -> v', eq. (5.1) in the book, for every row of
/// `v` at once: all hidden units are sampled together from p(h | v) (eq. 2.7),
/// then all visible units together from p(v | h) (eq. 2.8). Returns the new
/// visible states, shape (batch, n_visible).
pub fn gibbs_step(rbm: &Rbm, v: ArrayView2<f32>, rng: &mut impl Rng) -> Array2<f32> {
    let h = sample_bernoulli(rbm.hidden_probabilities(v).view(), rng);
    sample_bernoulli(rbm.visible_probabilities(h.view()).view(), rng)
}
// ANCHOR_END: gibbs_step

/// `n_gibbs_steps` block Gibbs steps from `v`: the chain of eq. (6.1), each
/// step eq. (5.1).
pub fn gibbs_chain(
    rbm: &Rbm,
    v: ArrayView2<f32>,
    n_gibbs_steps: usize,
    rng: &mut impl Rng,
) -> Array2<f32> {
    let mut state = v.to_owned();
    for _ in 0..n_gibbs_steps {
        state = gibbs_step(rbm, state.view(), rng);
    }
    state
}
