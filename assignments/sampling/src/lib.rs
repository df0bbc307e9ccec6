//! Assignment 6: block Gibbs sampling of an RBM, checked by a chi-square
//! test against the exact distribution (chapter 6). You may use the
//! oracle's `Rbm` conditionals `hidden_probabilities` and
//! `visible_probabilities`.

use bm_exact::Rbm;
use ndarray::{Array1, Array2, ArrayView1};
use rand::Rng;

/// Independent binary draws: entry j is 1 with probability `p[j]`.
pub fn sample_bernoulli(p: &Array1<f64>, rng: &mut impl Rng) -> Array1<f64> {
    // HINT: compare a uniform draw rng.random::<f64>() with p[j].
    // BEGIN SOLUTION
    p.mapv(|pj| if rng.random::<f64>() < pj { 1.0 } else { 0.0 })
    // END SOLUTION
}

/// One block Gibbs step v -> h -> v': h ~ p(h | v), then v' ~ p(v | h),
/// eq. (6.1) in the book (the conditionals are eqs. 2.7 and 2.8).
pub fn gibbs_step(rbm: &Rbm, v: ArrayView1<f64>, rng: &mut impl Rng) -> Array1<f64> {
    // HINT: two draws with sample_bernoulli; the second uses the h just drawn.
    // BEGIN SOLUTION
    let h = sample_bernoulli(&rbm.hidden_probabilities(v), rng);
    sample_bernoulli(&rbm.visible_probabilities(h.view()), rng)
    // END SOLUTION
}

/// `n_chains` independent chains, each started at the all-zero state and
/// run for `n_steps` Gibbs steps; row c is the final state of chain c.
pub fn run_chains(rbm: &Rbm, n_chains: usize, n_steps: usize, rng: &mut impl Rng) -> Array2<f64> {
    // HINT: one row per chain; each chain calls gibbs_step n_steps times.
    // BEGIN SOLUTION
    let mut states = Array2::zeros((n_chains, rbm.n_visible()));
    for mut row in states.rows_mut() {
        let mut v = Array1::zeros(rbm.n_visible());
        for _ in 0..n_steps {
            v = gibbs_step(rbm, v.view(), rng);
        }
        row.assign(&v);
    }
    states
    // END SOLUTION
}
