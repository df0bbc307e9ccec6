//! Deterministic estimates of log Z: naive mean field and its second-order
//! (TAP) correction, section "Mean field and TAP" of the chapter
//! "Estimating the partition function".
//!
//! ## Algorithm
//! Replace p(v, h) by a product of independent bits with means m (visible)
//! and mu (hidden). Gibbs' variational principle gives, for *any* such m and
//! mu, the lower bound
//! log Z >= b^T m + c^T mu + mu^T W m + S(m) + S(mu),
//! with S the entropy of independent bits; the best bound is at a fixed point
//! of mu = sigma(c + W m), m = sigma(b + W^T mu) (Peterson & Anderson 1987;
//! for RBMs Welling & Hinton 2002). The Thouless-Anderson-Palmer (TAP)
//! estimate adds the second-order term of Plefka's expansion,
//! (1/2) sum_ij W_ij^2 (m_j - m_j^2)(mu_i - mu_i^2), with the matching fixed
//! point (Gabrie, Tramel & Krzakala 2015). TAP is not a bound, but it is
//! exact to second order in W, where naive mean field is exact to first.
//! Both cost O(n d) per iteration, nothing like AIS, and both fail on
//! models with several strong modes, whose mass no single product of bits
//! describes. Computed in f64 from the f32 model.
//!
//! ## Example
//! ```
//! use rbm::{MeanFieldOrder, Rbm, mean_field_log_partition};
//!
//! let rbm = Rbm::zeros(4, 3);
//! let e = mean_field_log_partition(&rbm, MeanFieldOrder::Tap, 200);
//! // Without weights the bits are independent and both estimates are exact:
//! // log Z = (4 + 3) log 2.
//! assert!((e.log_partition - 7.0 * 2f64.ln()).abs() < 1e-12);
//! ```

use bm_exact::numerics::sigmoid;
use ndarray::{Array1, Array2};

use crate::Rbm;

/// Which estimate: the naive mean-field bound or its TAP correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeanFieldOrder {
    /// First order: a lower bound on log Z.
    Naive,
    /// Second order (Thouless-Anderson-Palmer): closer, but not a bound.
    Tap,
}

/// The estimate and where it was taken.
#[derive(Clone, Debug)]
pub struct MeanFieldEstimate {
    pub log_partition: f64,
    /// m_j, the mean of visible unit j at the fixed point.
    pub visible_means: Array1<f64>,
    /// mu_i, the mean of hidden unit i at the fixed point.
    pub hidden_means: Array1<f64>,
    /// Iterations used; `converged` is false if `max_iterations` ran out.
    pub iterations: usize,
    pub converged: bool,
}

/// Old and new means are mixed half and half: undamped parallel updates of
/// a bipartite model can oscillate between two states.
const DAMPING: f64 = 0.5;
const TOLERANCE: f64 = 1e-12;
/// Means are kept this far from 0 and 1 so that the entropies stay finite.
const EDGE: f64 = 1e-15;

/// Entropy of independent bits with means `m`, in nats.
fn bit_entropy(m: &Array1<f64>) -> f64 {
    m.iter()
        .map(|&p| {
            let p = p.clamp(EDGE, 1.0 - EDGE);
            -(p * p.ln() + (1.0 - p) * (1.0 - p).ln())
        })
        .sum()
}

/// The model widened to f64: (b, c, W, W squared elementwise).
struct Model64 {
    b: Array1<f64>,
    c: Array1<f64>,
    w: Array2<f64>,
    w2: Array2<f64>,
}

impl Model64 {
    fn new(rbm: &Rbm) -> Self {
        let w = rbm.weights.mapv(f64::from);
        Self {
            b: rbm.visible_bias.mapv(f64::from),
            c: rbm.hidden_bias.mapv(f64::from),
            w2: w.mapv(|x| x * x),
            w,
        }
    }

    /// The naive mean-field bound, or with `tap` the TAP free energy, at (m, mu).
    fn negative_free_energy(&self, m: &Array1<f64>, mu: &Array1<f64>, tap: bool) -> f64 {
        let first = self.b.dot(m) + self.c.dot(mu) + mu.dot(&self.w.dot(m));
        let mut value = first + bit_entropy(m) + bit_entropy(mu);
        if tap {
            let var_m = m.mapv(|x| x - x * x);
            let var_mu = mu.mapv(|x| x - x * x);
            value += 0.5 * var_mu.dot(&self.w2.dot(&var_m));
        }
        value
    }

    /// One damped parallel update of mu, then of m (with the TAP reaction
    /// terms when `tap`). Returns the largest change.
    fn update(&self, m: &mut Array1<f64>, mu: &mut Array1<f64>, tap: bool) -> f64 {
        let mut change: f64 = 0.0;
        let var_m = m.mapv(|x| x - x * x);
        let mut field = &self.c + &self.w.dot(&*m);
        if tap {
            field -= &(mu.mapv(|x| x - 0.5) * self.w2.dot(&var_m));
        }
        for (x, f) in mu.iter_mut().zip(&field) {
            let new = (1.0 - DAMPING) * sigmoid(*f) + DAMPING * *x;
            change = change.max((new - *x).abs());
            *x = new;
        }
        let var_mu = mu.mapv(|x| x - x * x);
        let mut field = &self.b + &self.w.t().dot(&*mu);
        if tap {
            field -= &(m.mapv(|x| x - 0.5) * self.w2.t().dot(&var_mu));
        }
        for (x, f) in m.iter_mut().zip(&field) {
            let new = (1.0 - DAMPING) * sigmoid(*f) + DAMPING * *x;
            change = change.max((new - *x).abs());
            *x = new;
        }
        change
    }
}

// ANCHOR: mean_field
/// log Z of `rbm` by naive mean field (a lower bound) or TAP, from the
/// independent-units start m = sigma(b), mu = sigma(c), iterating the
/// fixed-point equations at most `max_iterations` times.
pub fn mean_field_log_partition(
    rbm: &Rbm,
    order: MeanFieldOrder,
    max_iterations: usize,
) -> MeanFieldEstimate {
    let model = Model64::new(rbm);
    let tap = order == MeanFieldOrder::Tap;
    let mut m = model.b.mapv(sigmoid);
    let mut mu = model.c.mapv(sigmoid);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iterations && !converged {
        iterations += 1;
        converged = model.update(&mut m, &mut mu, tap) < TOLERANCE;
    }
    MeanFieldEstimate {
        log_partition: model.negative_free_energy(&m, &mu, tap),
        visible_means: m,
        hidden_means: mu,
        iterations,
        converged,
    }
}
// ANCHOR_END: mean_field

// ANCHOR: mean_field_statistics
/// The model term of the gradient, eq. (4.3), by mean field, eq. (7.7):
/// `E[v] ~ m`, `E[h] ~ mu` and `E[h v^T] ~ mu m^T`, plus for TAP the reaction
/// term W_ij (mu_i - mu_i^2)(m_j - m_j^2). These are the derivatives of the
/// estimate's log Z with respect to b, c and W at its fixed point (the
/// fixed point is stationary, so only the explicit dependence counts), as
/// the exact model statistics are the derivatives of the exact log Z.
pub fn mean_field_statistics(
    rbm: &Rbm,
    estimate: &MeanFieldEstimate,
    order: MeanFieldOrder,
) -> bm_exact::Statistics {
    let m = &estimate.visible_means;
    let mu = &estimate.hidden_means;
    let mut hidden_visible = outer(mu, m);
    if order == MeanFieldOrder::Tap {
        let var_m = m.mapv(|x| x - x * x);
        let var_mu = mu.mapv(|x| x - x * x);
        let w = rbm.weights.mapv(f64::from);
        hidden_visible += &(w * outer(&var_mu, &var_m));
    }
    bm_exact::Statistics {
        visible: m.clone(),
        hidden: mu.clone(),
        hidden_visible,
    }
}
// ANCHOR_END: mean_field_statistics

/// The outer product a b^T.
fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.len(), b.len()), |(i, j)| a[i] * b[j])
}
