//! Parallel tempering (replica exchange) for the RBM.
//!
//! ## Algorithm
//! The RBM at inverse temperature beta has energy `beta E(v, h)` (eq. (1.4)),
//! so
//!
//! ```text
//! p_beta(h_i = 1 | v) = sigmoid(beta (c_i + W_i v)),
//! p_beta(v_j = 1 | h) = sigmoid(beta (b_j + (W^T h)_j)),
//! F_beta(v) = -beta b·v - sum_i softplus(beta (c_i + W_i v)),
//! ```
//!
//! the tempered free energy of eq. (6.3). Hot chains (small beta) see a
//! flattened landscape and move between modes easily; swaps pass their
//! states down to the chain at beta = 1.
//!
//! Each [`ParallelTempering::sweep`] makes one block Gibbs step (eq. (5.1))
//! at every temperature, then proposes to swap the states of neighbouring
//! temperatures k and k + 1, for the even pairs (0-1, 2-3, ...) on one sweep
//! and the odd pairs (1-2, 3-4, ...) on the next. A swap of `v` (at
//! `beta_k`) and `v'` (at `beta_{k+1}`) is accepted with probability
//!
//! ```text
//! min(1, exp(F_k(v) + F_{k+1}(v') - F_k(v') - F_{k+1}(v))),
//! ```
//!
//! eq. (6.4): the Metropolis rule for the product distribution
//! `p_k(v) p_{k+1}(v')`, which it leaves invariant. Every column of chains
//! (one per temperature) is independent of the others.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;

use crate::error::{RbmError, config_error};
use crate::model::Rbm;
use crate::sampling::sample_bernoulli;

/// Inverse temperatures beta_0 = 1 > beta_1 > ... > beta_{L-1} > 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TemperatureLadder {
    betas: Vec<f64>,
}

impl TemperatureLadder {
    /// A ladder from its inverse temperatures: at least one, the first exactly
    /// 1 (the model itself), strictly decreasing, all in (0, 1].
    pub fn new(betas: Vec<f64>) -> Result<Self, RbmError> {
        let field = "temperature_ladder";
        match betas.first() {
            None => {
                return Err(config_error(
                    field,
                    "is empty; give at least the inverse temperature 1 (the model itself)",
                ));
            }
            Some(&first) if first != 1.0 => {
                return Err(config_error(
                    field,
                    format!(
                        "starts at {first}; the first inverse temperature must be 1, \
                         the model whose samples are wanted"
                    ),
                ));
            }
            Some(_) => {}
        }
        if let Some(k) = (1..betas.len()).find(|&k| !(betas[k] < betas[k - 1] && betas[k] > 0.0)) {
            return Err(config_error(
                field,
                format!(
                    "beta[{k}] = {} after beta[{}] = {}; inverse temperatures must decrease strictly \
                     and stay above 0",
                    betas[k],
                    k - 1,
                    betas[k - 1]
                ),
            ));
        }
        Ok(Self { betas })
    }

    /// `n_temperatures` inverse temperatures in geometric progression from 1
    /// down to `lowest_beta`: beta_k = lowest_beta^(k / (n - 1)), so that
    /// neighbouring ratios are equal. One temperature gives the ladder `[1.0]`.
    pub fn geometric(n_temperatures: usize, lowest_beta: f64) -> Result<Self, RbmError> {
        if n_temperatures == 0 {
            return Err(config_error(
                "n_temperatures",
                "is 0; parallel tempering needs at least the temperature 1",
            ));
        }
        if n_temperatures == 1 {
            return Self::new(vec![1.0]);
        }
        if !(lowest_beta > 0.0 && lowest_beta < 1.0) {
            return Err(config_error(
                "lowest_beta",
                format!("is {lowest_beta}; it must lie in (0, 1), e.g. 0.1"),
            ));
        }
        let steps = (n_temperatures - 1) as f64;
        Self::new(
            (0..n_temperatures)
                .map(|k| lowest_beta.powf(k as f64 / steps))
                .collect(),
        )
    }

    pub fn betas(&self) -> &[f64] {
        &self.betas
    }

    pub fn len(&self) -> usize {
        self.betas.len()
    }

    /// Always false: a ladder has at least the temperature 1.
    pub fn is_empty(&self) -> bool {
        self.betas.is_empty()
    }
}

/// A batch of chains at every temperature of a ladder; see the module docs.
#[derive(Clone, Debug)]
pub struct ParallelTempering {
    ladder: TemperatureLadder,
    /// states[k]: the visible states at beta_k, one chain per row.
    states: Vec<Array2<f32>>,
    proposed: Vec<u64>,
    accepted: Vec<u64>,
    sweeps_done: u64,
}

impl ParallelTempering {
    /// `n_chains` chains at each temperature of `ladder`, started at samples
    /// of p_beta(v | h = 0) = sigmoid(beta b).
    pub fn new(
        rbm: &Rbm,
        ladder: TemperatureLadder,
        n_chains: usize,
        rng: &mut impl Rng,
    ) -> Result<Self, RbmError> {
        if n_chains == 0 {
            return Err(config_error(
                "n_chains",
                "is 0; parallel tempering needs at least one chain per temperature",
            ));
        }
        rbm.to_exact()?; // refuses NaN or infinite parameters
        let states = ladder
            .betas()
            .iter()
            .map(|&beta| {
                let p = Array2::from_shape_fn((n_chains, rbm.n_visible()), |(_, j)| {
                    crate::numerics::sigmoid(beta as f32 * rbm.visible_bias[j])
                });
                sample_bernoulli(p.view(), rng)
            })
            .collect();
        let n_pairs = ladder.len() - 1;
        Ok(Self {
            ladder,
            states,
            proposed: vec![0; n_pairs],
            accepted: vec![0; n_pairs],
            sweeps_done: 0,
        })
    }

    /// One block Gibbs step at every temperature, then swap proposals between
    /// the even or the odd neighbouring pairs (alternating from sweep to sweep).
    pub fn sweep(&mut self, rbm: &Rbm, rng: &mut impl Rng) {
        for (state, &beta) in self.states.iter_mut().zip(self.ladder.betas()) {
            *state = tempered_gibbs_step(rbm, beta, state.view(), rng);
        }
        let first_pair = (self.sweeps_done % 2) as usize;
        for k in (first_pair..self.ladder.len().saturating_sub(1)).step_by(2) {
            self.propose_swaps(rbm, k, rng);
        }
        self.sweeps_done += 1;
    }

    /// The chains at beta = 1: samples of the model, one per row.
    pub fn samples(&self) -> ArrayView2<'_, f32> {
        self.states[0].view()
    }

    /// The chains at every temperature, in ladder order.
    pub fn states(&self) -> &[Array2<f32>] {
        &self.states
    }

    /// The fraction of accepted swaps between temperatures k and k + 1, for
    /// every neighbouring pair (NaN for a pair not proposed yet). Rates near
    /// 0 mean the ladder is too sparse there; near 1, denser than needed.
    pub fn swap_rates(&self) -> Vec<f64> {
        self.accepted
            .iter()
            .zip(&self.proposed)
            .map(|(&a, &p)| a as f64 / p as f64)
            .collect()
    }

    pub fn ladder(&self) -> &TemperatureLadder {
        &self.ladder
    }

    pub fn n_chains(&self) -> usize {
        self.states[0].nrows()
    }
}

// ANCHOR: propose_swaps
impl ParallelTempering {
    /// Metropolis swaps between temperatures k and k + 1, chain by chain,
    /// accepted with the probability of eq. (6.4).
    fn propose_swaps(&mut self, rbm: &Rbm, k: usize, rng: &mut impl Rng) {
        let (beta_cold, beta_hot) = (self.ladder.betas()[k], self.ladder.betas()[k + 1]);
        let (lower, upper) = self.states.split_at_mut(k + 1);
        let (cold, hot) = (&mut lower[k], &mut upper[0]);
        let cold_parts = FreeEnergyParts::new(rbm, cold.view());
        let hot_parts = FreeEnergyParts::new(rbm, hot.view());
        // log acceptance = F_cold(v_cold) + F_hot(v_hot) - F_cold(v_hot) - F_hot(v_cold)
        let log_acceptance = cold_parts.at(beta_cold) + hot_parts.at(beta_hot)
            - hot_parts.at(beta_cold)
            - cold_parts.at(beta_hot);
        for (m, log_a) in log_acceptance.iter().enumerate() {
            self.proposed[k] += 1;
            if rng.random::<f64>().ln() < *log_a {
                self.accepted[k] += 1;
                let cold_row = cold.row(m).to_owned();
                cold.row_mut(m).assign(&hot.row(m));
                hot.row_mut(m).assign(&cold_row);
            }
        }
    }
}
// ANCHOR_END: propose_swaps

/// One block Gibbs step (eq. 5.1) of the RBM at inverse temperature `beta`:
/// h ~ sigmoid(beta (c + W v)), then v ~ sigmoid(beta (b + W^T h)), for
/// every row of `v`.
pub fn tempered_gibbs_step(
    rbm: &Rbm,
    beta: f64,
    v: ArrayView2<f32>,
    rng: &mut impl Rng,
) -> Array2<f32> {
    let beta = beta as f32;
    let hidden_input = v.dot(&rbm.weights.t()) + &rbm.hidden_bias;
    let h = sample_bernoulli(
        hidden_input
            .mapv(|a| crate::numerics::sigmoid(beta * a))
            .view(),
        rng,
    );
    let visible_input = h.dot(&rbm.weights) + &rbm.visible_bias;
    sample_bernoulli(
        visible_input
            .mapv(|a| crate::numerics::sigmoid(beta * a))
            .view(),
        rng,
    )
}

/// b·v and a = c + W v of a batch, from which F_beta(v) at any beta is cheap.
struct FreeEnergyParts {
    visible: Array1<f32>,
    hidden_input: Array2<f32>,
}

impl FreeEnergyParts {
    fn new(rbm: &Rbm, v: ArrayView2<f32>) -> Self {
        Self {
            visible: v.dot(&rbm.visible_bias),
            hidden_input: v.dot(&rbm.weights.t()) + &rbm.hidden_bias,
        }
    }

    /// F_beta(v) = -beta b·v - sum_i softplus(beta a_i), eq. (6.3), for every
    /// row, in f64.
    fn at(&self, beta: f64) -> Array1<f64> {
        let mut scaled = Vec::with_capacity(self.hidden_input.ncols());
        Array1::from_iter(self.hidden_input.axis_iter(Axis(0)).zip(&self.visible).map(
            |(a, &visible)| {
                scaled.clear();
                scaled.extend(a.iter().map(|&a| beta * f64::from(a)));
                -beta * f64::from(visible) - numerics::sum_softplus(&scaled)
            },
        ))
    }
}
