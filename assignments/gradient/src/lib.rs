//! Assignment 4: the exact gradient of the log-likelihood of an RBM
//! (chapter 4). You may use the oracle's `Rbm` methods from chapters 2-3:
//! `free_energy`, `hidden_probabilities`, `log_partition`.

use bm_exact::{Parameters, Rbm, state_vector};
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// Statistics in the layout of a gradient: visible (v), hidden (p(h=1|v))
/// and weights (p(h=1|v) v^T), no couplings.
pub fn zeros(rbm: &Rbm) -> Parameters {
    Parameters {
        visible_bias: Array1::zeros(rbm.n_visible()),
        hidden_bias: Array1::zeros(rbm.n_hidden()),
        weights: Array2::zeros((rbm.n_hidden(), rbm.n_visible())),
        visible_couplings: None,
        hidden_couplings: None,
    }
}

/// The data statistics of eq. (4.4): the means over the rows v of `data` of
/// v, p(h = 1 | v) and p(h = 1 | v) v^T.
pub fn data_statistics(rbm: &Rbm, data: ArrayView2<f64>) -> Parameters {
    // HINT: average over the rows; p(h = 1 | v) is rbm.hidden_probabilities(v).
    // BEGIN SOLUTION
    let mut stats = zeros(rbm);
    let n = data.nrows() as f64;
    for v in data.axis_iter(Axis(0)) {
        let h = rbm.hidden_probabilities(v);
        stats.visible_bias.scaled_add(1.0 / n, &v);
        stats.hidden_bias.scaled_add(1.0 / n, &h);
        let outer = h.insert_axis(Axis(1)).dot(&v.insert_axis(Axis(0)));
        stats.weights.scaled_add(1.0 / n, &outer);
    }
    stats
    // END SOLUTION
}

/// The model statistics of eq. (4.5): the same averages with v distributed
/// as the model's p(v) = e^{-F(v)} / Z, by enumerating every visible state.
pub fn model_statistics(rbm: &Rbm) -> Parameters {
    // HINT: p(v) = exp(-F(v) - log Z); state_vector(s, n_visible) is state s.
    // BEGIN SOLUTION
    let log_z = rbm.log_partition().expect("small enough to enumerate");
    let mut stats = zeros(rbm);
    for s in 0..1u64 << rbm.n_visible() {
        let v = state_vector(s, rbm.n_visible());
        let p = (-rbm.free_energy(v.view()) - log_z).exp();
        let h = rbm.hidden_probabilities(v.view());
        stats.visible_bias.scaled_add(p, &v);
        stats.hidden_bias.scaled_add(p, &h);
        let outer = h.insert_axis(Axis(1)).dot(&v.insert_axis(Axis(0)));
        stats.weights.scaled_add(p, &outer);
    }
    stats
    // END SOLUTION
}

/// The gradient of the mean log-likelihood, eq. (4.3): data statistics
/// minus model statistics, entry by entry.
pub fn log_likelihood_gradient(rbm: &Rbm, data: ArrayView2<f64>) -> Parameters {
    // HINT: which of the two terms raises the probability of the data?
    // BEGIN SOLUTION
    let (data_stats, model_stats) = (data_statistics(rbm, data), model_statistics(rbm));
    Parameters {
        visible_bias: data_stats.visible_bias - model_stats.visible_bias,
        hidden_bias: data_stats.hidden_bias - model_stats.hidden_bias,
        weights: data_stats.weights - model_stats.weights,
        visible_couplings: None,
        hidden_couplings: None,
    }
    // END SOLUTION
}
