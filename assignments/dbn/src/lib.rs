//! Assignment 10: the conditionals, the recognition up-pass and the
//! variational lower bound of a deep belief net (chapter 10), on tiny nets
//! whose layers are `bm_exact::Rbm`s, bottom layer first: layer k has
//! visible bias b_k, hidden bias c_k and weights W_k of shape
//! (|h_k|, |h_{k-1}|), with h_0 = v. You may use the stable `softplus` and
//! `sigmoid` of `bm_exact::numerics`.

use bm_exact::Rbm;
use ndarray::{Array1, ArrayView1};

/// log prod_j p_j^{x_j} (1 - p_j)^{1 - x_j} with p_j = sigmoid(a_j), for the
/// logits a: sum_j (x_j a_j - softplus(a_j)), eq. (10.2) in the book.
/// Finite for every finite logit, however large.
pub fn log_bernoulli(x: ArrayView1<f64>, logits: ArrayView1<f64>) -> f64 {
    // HINT: log sigmoid(a) = a - softplus(a) and log(1 - sigmoid(a)) = -softplus(a);
    // HINT: never take the log of a probability that may round to 0 or 1.
    // BEGIN SOLUTION
    x.iter()
        .zip(logits)
        .map(|(&x, &a)| x * a - bm_exact::numerics::softplus(a))
        .sum()
    // END SOLUTION
}

/// log p(h_{k-1} = x | h_k = y), the generative (downward) conditional of
/// `layer`, eq. (10.1): independent Bernoulli units with logits b_k + W_k^T y.
pub fn log_generative(layer: &Rbm, x: ArrayView1<f64>, y: ArrayView1<f64>) -> f64 {
    // HINT: going down uses the layer's visible bias (the RBM's p(v | h), eq. 2.8).
    // BEGIN SOLUTION
    let logits = &layer.visible_bias() + &layer.weights().t().dot(&y);
    log_bernoulli(x, logits.view())
    // END SOLUTION
}

/// log q(h_k = y | h_{k-1} = x), the recognition (upward) conditional of
/// `layer`, eq. (10.1): independent Bernoulli units with logits c_k + W_k x.
pub fn log_recognition(layer: &Rbm, y: ArrayView1<f64>, x: ArrayView1<f64>) -> f64 {
    // HINT: going up uses the layer's hidden bias (the RBM's p(h | v), eq. 2.7).
    // BEGIN SOLUTION
    let logits = &layer.hidden_bias() + &layer.weights().dot(&x);
    log_bernoulli(y, logits.view())
    // END SOLUTION
}

/// The recognition up-pass by probabilities (mean field), eq. (10.1):
/// h_1 = sigmoid(c_1 + W_1 v), then h_k = sigmoid(c_k + W_k h_{k-1}) with
/// the probabilities of the layer below as its input. Returns
/// [h_1, ..., h_K], one entry per layer.
pub fn up_pass(layers: &[Rbm], v: ArrayView1<f64>) -> Vec<Array1<f64>> {
    // HINT: feed each layer the probabilities the layer below produced, not v.
    // BEGIN SOLUTION
    let mut activity = v.to_owned();
    let mut out = Vec::with_capacity(layers.len());
    for layer in layers {
        activity = (&layer.hidden_bias() + &layer.weights().dot(&activity))
            .mapv(bm_exact::numerics::sigmoid);
        out.push(activity.clone());
    }
    out
    // END SOLUTION
}

/// The variational lower bound on log p(v) of Hinton et al. (2006),
/// eq. (10.6): sum_{h_1} q(h_1 | v) [log p(h_1) + log p(v | h_1)] + H(q),
/// with H(q) = -sum_{h_1} q(h_1 | v) log q(h_1 | v) and q the recognition
/// conditional of the bottom layer. `log_p_h1[s]` is log p(h_1) of the
/// state s of h_1 (bit k of s is unit k: `bm_exact::state_vector(s, n)`).
pub fn lower_bound(bottom: &Rbm, v: ArrayView1<f64>, log_p_h1: ArrayView1<f64>) -> f64 {
    // HINT: sum over every state s of h_1; do not forget the entropy of q, and a
    // HINT: term with q = 0 contributes 0 (the limit of q log q).
    // BEGIN SOLUTION
    let n = bottom.n_hidden();
    let mut bound = 0.0;
    for (s, &log_p) in log_p_h1.iter().enumerate() {
        let h1 = bm_exact::state_vector(s as u64, n);
        let log_q = log_recognition(bottom, h1.view(), v);
        let q = log_q.exp();
        if q > 0.0 {
            bound += q * (log_p + log_generative(bottom, v, h1.view()) - log_q);
        }
    }
    bound
    // END SOLUTION
}
