//! Assignment 7: annealed importance sampling (AIS) for log Z of an RBM
//! (chapter 7), from the uniform base distribution: b_A = 0, so that
//! p*_0 is uniform over (v, h) and Z_A = 2^(n_visible + n_hidden).

use bm_exact::Rbm;
use ndarray::{Array1, ArrayView1};
use rand::Rng;

/// log p*_beta(v) = beta b^T v + sum_i softplus(beta (c_i + W_i v)): the
/// unnormalised log-probability of v at inverse temperature beta, the
/// book's eq. (7.4) with b_A = 0. Use the stable softplus of
/// `bm_exact::numerics`.
pub fn log_p_star(rbm: &Rbm, beta: f64, v: ArrayView1<f64>) -> f64 {
    // HINT: at beta = 1 this is -F(v); at beta = 0 it is n_hidden * ln 2.
    // BEGIN SOLUTION
    let activations = (&rbm.hidden_bias() + &rbm.weights().dot(&v)) * beta;
    beta * rbm.visible_bias().dot(&v)
        + activations
            .iter()
            .map(|&a| bm_exact::numerics::softplus(a))
            .sum::<f64>()
    // END SOLUTION
}

/// One block Gibbs step v -> h -> v' of the RBM whose parameters are all
/// multiplied by beta (this step leaves p_beta invariant).
pub fn gibbs_step_at(rbm: &Rbm, beta: f64, v: ArrayView1<f64>, rng: &mut impl Rng) -> Array1<f64> {
    // HINT: p(h_i = 1 | v) = sigmoid(beta (c_i + W_i v)), and alike for v'.
    // BEGIN SOLUTION
    use bm_exact::numerics::sigmoid;
    let mut draw = |a: f64| {
        if rng.random::<f64>() < sigmoid(beta * a) {
            1.0
        } else {
            0.0
        }
    };
    let h = (&rbm.hidden_bias() + &rbm.weights().dot(&v)).mapv(&mut draw);
    (&rbm.visible_bias() + &rbm.weights().t().dot(&h)).mapv(draw)
    // END SOLUTION
}

/// The log importance weights of `n_chains` independent AIS runs along the
/// schedule `betas` (`betas[0] = 0`, increasing, last = 1), eq. (7.3): start
/// each chain at a uniform random v; for k = 1..K add
/// log p*_{beta_k}(v) - log p*_{beta_{k-1}}(v), then move v by one Gibbs
/// step at beta_k.
pub fn ais_log_weights(rbm: &Rbm, betas: &[f64], n_chains: usize, rng: &mut impl Rng) -> Vec<f64> {
    // HINT: the weight of step k compares temperature k with temperature k - 1
    // HINT: at the same v, before v moves at temperature k.
    // BEGIN SOLUTION
    (0..n_chains)
        .map(|_| {
            let mut v = Array1::from_shape_fn(rbm.n_visible(), |_| {
                if rng.random::<bool>() { 1.0 } else { 0.0 }
            });
            let mut log_w = 0.0;
            for k in 1..betas.len() {
                log_w +=
                    log_p_star(rbm, betas[k], v.view()) - log_p_star(rbm, betas[k - 1], v.view());
                v = gibbs_step_at(rbm, betas[k], v.view(), rng);
            }
            log_w
        })
        .collect()
    // END SOLUTION
}

/// The AIS estimate log Z_A + log( (1/M) sum_m w_m ), computed stably from
/// the log weights; log Z_A = (n_visible + n_hidden) ln 2.
pub fn log_partition_estimate(rbm: &Rbm, log_weights: &[f64]) -> f64 {
    // HINT: log-mean-exp, not the mean of the logs (eq. 7.5 says why).
    // BEGIN SOLUTION
    let log_z_a = (rbm.n_visible() + rbm.n_hidden()) as f64 * std::f64::consts::LN_2;
    let log_sum = bm_exact::numerics::log_sum_exp(log_weights.iter().copied());
    log_z_a + log_sum - (log_weights.len() as f64).ln()
    // END SOLUTION
}
