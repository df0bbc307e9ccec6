//! Assignment 5: a CD-k estimate of the gradient and its expected value
//! (chapter 5). You may use the oracle's `Rbm` conditionals
//! `hidden_probabilities` and `visible_probabilities`.

use bm_exact::{Parameters, Rbm};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;

/// Independent binary draws: entry j is 1 with probability `p[j]`.
pub fn sample_bernoulli(p: &Array1<f64>, rng: &mut impl Rng) -> Array1<f64> {
    // HINT: compare a uniform draw rng.random::<f64>() with p[j].
    // BEGIN SOLUTION
    p.mapv(|pj| if rng.random::<f64>() < pj { 1.0 } else { 0.0 })
    // END SOLUTION
}

/// One CD-k estimate of the gradient, eq. (5.2): for each row v_0 of `data`
/// run k block Gibbs steps v -> h -> v (h sampled from p(h|v), v from
/// p(v|h)), then average the data statistics (v_0, p(h=1|v_0),
/// p(h=1|v_0) v_0^T) minus the same statistics at v_k. Its expectation is
/// the exact expected update of eq. (5.3).
pub fn cd_update(rbm: &Rbm, data: ArrayView2<f64>, k: usize, rng: &mut impl Rng) -> Parameters {
    // HINT: each Gibbs step samples h from p(h|v) of the *current* v, then
    // HINT: a new v from p(v|h); the statistics use probabilities p(h=1|v).
    // BEGIN SOLUTION
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut update = Parameters {
        visible_bias: Array1::zeros(nv),
        hidden_bias: Array1::zeros(nh),
        weights: Array2::zeros((nh, nv)),
        visible_couplings: None,
        hidden_couplings: None,
    };
    let scale = 1.0 / data.nrows() as f64;
    for v0 in data.axis_iter(Axis(0)) {
        let mut v = v0.to_owned();
        for _ in 0..k {
            let h = sample_bernoulli(&rbm.hidden_probabilities(v.view()), rng);
            v = sample_bernoulli(&rbm.visible_probabilities(h.view()), rng);
        }
        for (state, sign) in [(v0.to_owned(), scale), (v, -scale)] {
            let h = rbm.hidden_probabilities(state.view());
            update.visible_bias.scaled_add(sign, &state);
            update.hidden_bias.scaled_add(sign, &h);
            let outer = h.insert_axis(Axis(1)).dot(&state.insert_axis(Axis(0)));
            update.weights.scaled_add(sign, &outer);
        }
    }
    update
    // END SOLUTION
}
