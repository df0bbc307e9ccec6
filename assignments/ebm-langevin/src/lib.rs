//! Assignment 11: sampling p(x) = exp(-E(x)) / Z with Langevin dynamics
//! (chapter 11): one step of the unadjusted Langevin algorithm (ULA), the
//! proposal density and acceptance log-ratio of MALA, and one MALA step.
//! The energy is any `ebm_langevin::Energy`: `energy.energies_and_grads(x)`
//! returns E and grad_x E for each row of x. Each row of a state `x` is one
//! independent chain.

use ebm_langevin::Energy;
use ndarray::{Array2, ArrayView1, Axis};
use rand::Rng;
use rand_distr::StandardNormal;

/// One ULA step at temperature 1 for every row of `x`, eq. (11.5):
/// x <- x - eps grad E(x) + sqrt(2 eps) xi with xi ~ N(0, I).
pub fn ula_step(energy: &dyn Energy, x: &mut Array2<f64>, step_size: f64, rng: &mut impl Rng) {
    // HINT: one standard normal per coordinate, rng.sample::<f64, _>(StandardNormal);
    // HINT: mind the factor 2 under the square root and the sign of the gradient.
    // BEGIN SOLUTION
    let (_, grad) = energy.energies_and_grads(x.view());
    let noise_scale = (2.0 * step_size).sqrt();
    for (xi, g) in x.iter_mut().zip(&grad) {
        let z: f64 = rng.sample(StandardNormal);
        *xi += -step_size * g + noise_scale * z;
    }
    // END SOLUTION
}

/// log q(to | from) of the ULA proposal, eq. (11.6), without its constant:
/// -|to - from + eps grad E(from)|^2 / (4 eps), where `grad_from` is
/// grad E(from).
pub fn log_proposal(
    to: ArrayView1<f64>,
    from: ArrayView1<f64>,
    grad_from: ArrayView1<f64>,
    step_size: f64,
) -> f64 {
    // HINT: the proposal from `from` is a Gaussian with mean from - eps grad E(from)
    // HINT: and variance 2 eps in each coordinate.
    // BEGIN SOLUTION
    let r = &to - &from + step_size * &grad_from;
    -r.dot(&r) / (4.0 * step_size)
    // END SOLUTION
}

/// The log of MALA's acceptance ratio for the move x -> y, eq. (11.6):
/// -E(y) + E(x) + log q(x | y) - log q(y | x).
pub fn mala_log_ratio(
    energy: &dyn Energy,
    x: ArrayView1<f64>,
    y: ArrayView1<f64>,
    step_size: f64,
) -> f64 {
    // HINT: q(x | y) is the density of proposing the way back, from y to x; it
    // HINT: needs grad E(y). Stack x and y as two rows to get both energies at once.
    // BEGIN SOLUTION
    let points = ndarray::stack(Axis(0), &[x, y]).expect("x and y of equal length");
    let (e, g) = energy.energies_and_grads(points.view());
    -e[1] + e[0] + log_proposal(x, y, g.row(1), step_size) - log_proposal(y, x, g.row(0), step_size)
    // END SOLUTION
}

/// One MALA step for every row of `x`, eq. (11.6): propose y by a ULA step
/// and move to y with probability min(1, exp(mala_log_ratio)); otherwise
/// stay. Returns the number of rows that moved.
pub fn mala_step(
    energy: &dyn Energy,
    x: &mut Array2<f64>,
    step_size: f64,
    rng: &mut impl Rng,
) -> usize {
    // HINT: accept when ln(u) < log ratio for a uniform u = rng.random::<f64>();
    // HINT: a NaN ratio must never be accepted.
    // BEGIN SOLUTION
    let mut proposal = x.clone();
    ula_step(energy, &mut proposal, step_size, rng);
    let mut accepted = 0;
    for i in 0..x.nrows() {
        let log_ratio = mala_log_ratio(energy, x.row(i), proposal.row(i), step_size);
        if rng.random::<f64>().ln() < log_ratio {
            x.row_mut(i).assign(&proposal.row(i));
            accepted += 1;
        }
    }
    accepted
    // END SOLUTION
}
