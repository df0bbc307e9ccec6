//! Annealed importance sampling (AIS) for log Z of an RBM, after
//! Salakhutdinov & Murray (2008), "On the quantitative analysis of deep
//! belief networks".
//!
//! ## Algorithm
//! A path of distributions runs from a base-rate model A (zero weights,
//! visible bias `b_A` fitted to the data marginals, see
//! [`base_rate_visible_bias`]) to the RBM B. At inverse temperature beta,
//! with hidden input `a = c + W v` (eqs. (7.2) and (7.4) in the book),
//!
//! ```text
//! p_beta(v, h) ∝ exp((1 - beta) b_A·v + beta (b_B·v + c·h + h^T W v)),
//! log p*_beta(v) = (1 - beta) b_A·v + beta b_B·v + sum_i softplus(beta a_i),
//! ```
//!
//! so `p_0 = A`, whose `log Z_A = n_hidden ln 2 + sum_j softplus(b_A_j)` is
//! closed form, and `p_1 = B` with `log p*_1(v) = -F(v)` (eq. (2.3)). Each
//! chain starts with an exact sample of A; at every step
//! `beta_{k-1} -> beta_k` it adds `log p*_k(v) - log p*_{k-1}(v)` to its log
//! weight (eq. (7.3)) and then makes one block Gibbs step (eq. (5.1)) that
//! leaves `p_k` invariant. The mean weight is an unbiased estimate of
//! `Z_B / Z_A`, so `log Z_B ≈ log Z_A + log mean w`.
//!
//! Chains run as matrices (one chain per row), in blocks of at most
//! [`CHAINS_PER_BLOCK`] that are spread over threads with rayon. Every block
//! has its own generator seeded from the caller's, so the result depends on
//! the seed only, not on the number of threads. Products are f32 (ndarray's
//! matrixmultiply); log weights are accumulated in f64, because late in the
//! schedule each increment is the small difference of two large sums.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, linalg::general_mat_mul};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{RbmError, config_error};
use crate::model::Rbm;

/// Unit means are kept this far from 0 and 1 before taking log(p / (1 - p))
/// in [`base_rate_visible_bias`] (as in [`Rbm::initialise`]).
const MEAN_CLAMP: f32 = 1e-3;

/// The number of chains that one thread advances together as one matrix.
pub const CHAINS_PER_BLOCK: usize = 25;

/// How many standard errors of the mean weight the error bar spans.
const ERROR_BAR_WIDTH: f64 = 3.0;

/// An AIS schedule of inverse temperatures 0 = beta_0 < beta_1 < ... < beta_K = 1.
#[derive(Clone, Debug, PartialEq)]
pub struct AisSchedule {
    betas: Vec<f64>,
}

impl AisSchedule {
    /// A schedule from its inverse temperatures: at least two, starting at
    /// exactly 0, ending at exactly 1, strictly increasing.
    pub fn new(betas: Vec<f64>) -> Result<Self, RbmError> {
        let field = "schedule";
        if betas.len() < 2 {
            return Err(config_error(
                field,
                format!(
                    "has {} inverse temperatures; AIS needs at least two, 0 (the base-rate model) \
                     and 1 (the RBM), and usually thousands",
                    betas.len()
                ),
            ));
        }
        if betas[0] != 0.0 {
            return Err(config_error(
                field,
                format!(
                    "starts at {}; the first inverse temperature must be 0 (the base-rate model)",
                    betas[0]
                ),
            ));
        }
        let last = betas[betas.len() - 1];
        if last != 1.0 {
            return Err(config_error(
                field,
                format!("ends at {last}; the last inverse temperature must be 1 (the RBM itself)"),
            ));
        }
        let increases = |k: usize| betas[k] > betas[k - 1]; // false for NaN
        if let Some(k) = (1..betas.len()).find(|&k| !increases(k)) {
            return Err(config_error(
                field,
                format!(
                    "beta[{k}] = {} is not larger than beta[{}] = {}; the schedule must increase strictly",
                    betas[k],
                    k - 1,
                    betas[k - 1]
                ),
            ));
        }
        Ok(Self { betas })
    }

    /// `n_betas` inverse temperatures evenly spaced in [0, 1].
    pub fn linear(n_betas: usize) -> Result<Self, RbmError> {
        Self::new(evenly_spaced(n_betas)?)
    }

    /// `n_betas` inverse temperatures with the shape of
    /// [`AisSchedule::salakhutdinov_murray`]: of the steps, 500/14,500 cover
    /// [0, 0.5], 4,000/14,500 cover [0.5, 0.9] and 10,000/14,500 cover
    /// [0.9, 1], each evenly spaced; the steps are finest where the RBM's
    /// weights take over.
    pub fn scaled(n_betas: usize) -> Result<Self, RbmError> {
        const KNOTS: [(f64, f64); 4] = [
            (0.0, 0.0),
            (500.0 / 14_500.0, 0.5),
            (4_500.0 / 14_500.0, 0.9),
            (1.0, 1.0),
        ];
        let piecewise_linear = |t: f64| {
            let segment = KNOTS
                .windows(2)
                .find(|w| t <= w[1].0)
                .unwrap_or(&KNOTS[2..]);
            let ((t0, b0), (t1, b1)) = (segment[0], segment[1]);
            b0 + (b1 - b0) * (t - t0) / (t1 - t0)
        };
        let mut betas: Vec<f64> = evenly_spaced(n_betas)?
            .into_iter()
            .map(piecewise_linear)
            .collect();
        betas[n_betas - 1] = 1.0;
        Self::new(betas)
    }

    /// The schedule of Salakhutdinov & Murray (2008) and of their code:
    /// steps of 1e-3 in [0, 0.5], 1e-4 in [0.5, 0.9] and 1e-5 in [0.9, 1],
    /// that is 500 + 4,000 + 10,000 = 14,500 steps, 14,501 inverse temperatures.
    pub fn salakhutdinov_murray() -> Self {
        Self::scaled(14_501).expect("14,501 inverse temperatures make a valid schedule")
    }

    /// The number of inverse temperatures, beta_0 = 0 and beta_K = 1
    /// included; the chains make `len() - 1` steps.
    pub fn len(&self) -> usize {
        self.betas.len()
    }

    /// Always false: a schedule has at least two inverse temperatures.
    pub fn is_empty(&self) -> bool {
        self.betas.is_empty()
    }

    pub fn betas(&self) -> &[f64] {
        &self.betas
    }
}

/// k / (n - 1) for k = 0..n, with n >= 2.
fn evenly_spaced(n_betas: usize) -> Result<Vec<f64>, RbmError> {
    if n_betas < 2 {
        return Err(config_error(
            "n_betas",
            format!("is {n_betas}; AIS needs at least 2 inverse temperatures (0 and 1)"),
        ));
    }
    let steps = (n_betas - 1) as f64;
    Ok((0..n_betas).map(|k| k as f64 / steps).collect())
}

/// The result of [`ais`] (or [`reverse_ais`]): log Z with an error bar.
#[derive(Clone, Debug, PartialEq)]
pub struct AisEstimate {
    /// The estimate of log Z in nats.
    pub log_partition: f64,
    /// The lower end of the error bar: log Z_A + log(mean w - 3 se), where se
    /// is the standard error of the mean weight; minus infinity when
    /// mean w - 3 se <= 0 (the weights are too spread to bound log Z below).
    pub log_partition_low: f64,
    /// The upper end: log Z_A + log(mean w + 3 se).
    pub log_partition_high: f64,
    /// The log importance weight of every chain.
    pub log_weights: Vec<f64>,
    /// (sum w)^2 / sum w^2: how many independent samples the weighted chains
    /// are worth, between 1 and `n_chains`.
    pub effective_sample_size: f64,
    pub n_chains: usize,
    /// The number of inverse temperatures of the schedule.
    pub n_betas: usize,
    /// The visible state of every chain at the end of the schedule, one
    /// per row: states the model reached, which give the hard lower bound
    /// of [`crate::log_partition_lower_bound`].
    pub final_states: Array2<f32>,
}

/// The effective sample size below which an estimate is marked unreliable:
/// a tenth of the chains, and never fewer than 2 (see [`AisEstimate::is_reliable`]).
pub const MIN_EFFECTIVE_FRACTION: f64 = 0.1;

impl AisEstimate {
    /// Whether the weights are spread evenly enough for the error bar to mean
    /// something: an effective sample size of at least a tenth of the chains
    /// (and at least 2). With fewer, a handful of chains carries the mean
    /// weight, its standard error is itself a guess, and log Z is typically
    /// far too low.
    pub fn is_reliable(&self) -> bool {
        let needed = (MIN_EFFECTIVE_FRACTION * self.n_chains as f64).max(2.0);
        self.effective_sample_size >= needed
    }
}

/// Called with the number of chain steps done since the previous call, so
/// that a progress bar can advance to `n_chains * (n_betas - 1)` in all.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// How many annealing steps a block makes between two progress reports.
pub(crate) const PROGRESS_EVERY: usize = 100;

/// The visible bias of the base-rate model of Salakhutdinov & Murray:
/// b_A_j = log(p_j / (1 - p_j)) where p_j is the mean of column j of `data`,
/// clamped to [0.001, 0.999] so that a pixel that is always off gets a large
/// but finite bias. With zero weights this model reproduces the data's unit
/// marginals. Empty data gives 0 (the uniform distribution).
pub fn base_rate_visible_bias(data: ArrayView2<f32>) -> Array1<f32> {
    match data.mean_axis(Axis(0)) {
        Some(means) => means.mapv(|p| {
            let p = p.clamp(MEAN_CLAMP, 1.0 - MEAN_CLAMP);
            (p / (1.0 - p)).ln()
        }),
        None => Array1::zeros(data.ncols()),
    }
}

/// log Z_A of the base-rate model with visible bias b_A and `n_hidden`
/// unconnected hidden units: n_hidden ln 2 + sum_j softplus(b_A_j).
pub fn base_log_partition(base_visible_bias: ArrayView1<f32>, n_hidden: usize) -> f64 {
    let bias: Vec<f64> = base_visible_bias.iter().map(|&b| f64::from(b)).collect();
    n_hidden as f64 * std::f64::consts::LN_2 + numerics::sum_softplus(&bias)
}

/// log Z of `rbm` by annealed importance sampling: `n_chains` chains from the
/// base-rate model with visible bias `base_visible_bias` (see
/// [`base_rate_visible_bias`]) through `schedule`. The estimate is the
/// log-mean-exp of the log weights plus log Z_A; see [`AisEstimate`] for the
/// error bar. In expectation it lies below log Z (Jensen's inequality), so a
/// short schedule under-estimates log Z and over-estimates log-likelihoods.
///
/// Errors, before any work: zero chains, a bias of the wrong length or with
/// a non-finite entry, or a model with a non-finite parameter.
pub fn ais(
    rbm: &Rbm,
    base_visible_bias: ArrayView1<f32>,
    schedule: &AisSchedule,
    n_chains: usize,
    rng: &mut impl Rng,
) -> Result<AisEstimate, RbmError> {
    ais_with_progress(rbm, base_visible_bias, schedule, n_chains, rng, &|_| {})
}

/// [`ais`] that reports its progress to `progress` (chain steps done).
pub fn ais_with_progress(
    rbm: &Rbm,
    base_visible_bias: ArrayView1<f32>,
    schedule: &AisSchedule,
    n_chains: usize,
    rng: &mut impl Rng,
    progress: Progress,
) -> Result<AisEstimate, RbmError> {
    check_inputs(rbm, base_visible_bias, n_chains)?;
    let path = AnnealingPath::new(rbm, base_visible_bias);
    let start = |n, rng: &mut ChaCha8Rng| path.sample_base(n, rng);
    let (log_weights, final_states) =
        run_blocks(&path, schedule.betas(), n_chains, rng, start, progress);
    let log_base = base_log_partition(base_visible_bias, rbm.n_hidden());
    Ok(estimate(
        log_base,
        (log_weights, final_states),
        schedule.len(),
        Direction::Forward,
    ))
}

/// Reverse AIS: chains start at samples of the RBM itself (`start`, one per
/// row: exact samples, or the states of long-run Gibbs or persistent chains)
/// and run the schedule backwards to the base-rate model. Their mean weight
/// estimates Z_A / Z_B, so log Z_B ≈ log Z_A - log mean w. From exact model
/// samples this is the reverse half of bidirectional Monte Carlo (Grosse,
/// Ghahramani & Adams, 2015); RAISE (Burda, Grosse & Salakhutdinov, 2015)
/// instead starts its reverse chain at a data point. The estimate is biased
/// *upwards* (the opposite of [`ais`]), so with exact samples the two
/// bracket log Z in expectation, not run by run; from badly mixed samples it
/// is not conservative.
/// The error bar is the same 3-standard-error bar, turned around.
pub fn reverse_ais(
    rbm: &Rbm,
    base_visible_bias: ArrayView1<f32>,
    schedule: &AisSchedule,
    start: ArrayView2<f32>,
    rng: &mut impl Rng,
) -> Result<AisEstimate, RbmError> {
    reverse_ais_with_progress(rbm, base_visible_bias, schedule, start, rng, &|_| {})
}

/// [`reverse_ais`] that reports its progress to `progress` (chain steps done).
pub fn reverse_ais_with_progress(
    rbm: &Rbm,
    base_visible_bias: ArrayView1<f32>,
    schedule: &AisSchedule,
    start: ArrayView2<f32>,
    rng: &mut impl Rng,
    progress: Progress,
) -> Result<AisEstimate, RbmError> {
    check_inputs(rbm, base_visible_bias, start.nrows())?;
    crate::model::check_data(rbm, start)?;
    let path = AnnealingPath::new(rbm, base_visible_bias);
    let reversed: Vec<f64> = schedule.betas().iter().rev().copied().collect();
    let mut next_row = 0;
    let next_rows = |n, _: &mut ChaCha8Rng| {
        let rows = start
            .slice(ndarray::s![next_row..next_row + n, ..])
            .to_owned();
        next_row += n;
        rows
    };
    let run = run_blocks(&path, &reversed, start.nrows(), rng, next_rows, progress);
    let log_base = base_log_partition(base_visible_bias, rbm.n_hidden());
    Ok(estimate(log_base, run, schedule.len(), Direction::Reverse))
}

/// The mean log-probability of the rows of `data` under `rbm`, eq. (4.1) and
/// eq. (8.4):
/// -mean F(v) - log Z with log Z from `estimate`. Returns (estimate, low,
/// high), where low and high use the ends of the AIS error bar (a larger
/// log Z gives a lower log-probability).
pub fn mean_log_probability(
    rbm: &Rbm,
    data: ArrayView2<f32>,
    estimate: &AisEstimate,
) -> (f64, f64, f64) {
    let free_energies = rbm.free_energy(data);
    let mean_free_energy =
        free_energies.iter().map(|&f| f64::from(f)).sum::<f64>() / data.nrows() as f64;
    estimate.mean_log_probability(mean_free_energy)
}

impl AisEstimate {
    /// -mean F - log Z with log Z from this estimate, as (estimate, low,
    /// high): a larger log Z gives a lower log-probability, so low uses the
    /// high end of the bar.
    pub fn mean_log_probability(&self, mean_free_energy: f64) -> (f64, f64, f64) {
        (
            -mean_free_energy - self.log_partition,
            -mean_free_energy - self.log_partition_high,
            -mean_free_energy - self.log_partition_low,
        )
    }
}

fn check_inputs(
    rbm: &Rbm,
    base_visible_bias: ArrayView1<f32>,
    n_chains: usize,
) -> Result<(), RbmError> {
    if n_chains == 0 {
        return Err(config_error(
            "n_chains",
            "is 0; AIS needs at least one chain (Salakhutdinov & Murray used 100)",
        ));
    }
    if base_visible_bias.len() != rbm.n_visible() {
        return Err(config_error(
            "base_visible_bias",
            format!(
                "has {} entries but the model has {} visible units; \
                 compute it with base_rate_visible_bias on the training data",
                base_visible_bias.len(),
                rbm.n_visible()
            ),
        ));
    }
    if let Some((j, b)) = base_visible_bias
        .iter()
        .enumerate()
        .find(|(_, b)| !b.is_finite())
    {
        return Err(config_error(
            "base_visible_bias",
            format!("entry {j} is {b}; every bias must be a finite number"),
        ));
    }
    rbm.to_exact()?; // refuses NaN or infinite parameters, naming the field
    Ok(())
}

/// Split the chains into blocks of at most [`CHAINS_PER_BLOCK`], give each
/// block its start states (from `start(n, rng)`) and its own seed, anneal
/// the blocks in parallel and return the log weights and the final states
/// in chain order.
pub(crate) fn run_blocks(
    path: &impl Anneal,
    betas: &[f64],
    n_chains: usize,
    rng: &mut impl Rng,
    mut start: impl FnMut(usize, &mut ChaCha8Rng) -> Array2<f32>,
    progress: Progress,
) -> (Vec<f64>, Array2<f32>) {
    let blocks: Vec<(Array2<f32>, ChaCha8Rng)> = (0..n_chains)
        .step_by(CHAINS_PER_BLOCK)
        .map(|first| {
            let mut block_rng = ChaCha8Rng::seed_from_u64(rng.random());
            let n = CHAINS_PER_BLOCK.min(n_chains - first);
            (start(n, &mut block_rng), block_rng)
        })
        .collect();
    let runs: Vec<(Vec<f64>, Array2<f32>)> = blocks
        .into_par_iter()
        .map(|(v, mut block_rng)| path.anneal(betas, v, &mut block_rng, progress))
        .collect();
    let states: Vec<_> = runs.iter().map(|(_, v)| v.view()).collect();
    let final_states = ndarray::concatenate(Axis(0), &states).expect("blocks of equal width");
    let log_weights = runs.iter().flat_map(|(w, _)| w.iter().copied()).collect();
    (log_weights, final_states)
}

/// An annealing path whose blocks of chains [`run_blocks`] runs in parallel:
/// the Bernoulli path below and the Gaussian-Bernoulli one of
/// [`crate::gaussian_ais`].
pub(crate) trait Anneal: Sync {
    /// Run the chains of one block (one per row of `v`, samples of
    /// p_{betas[0]}) through `betas`; return each chain's log weight,
    /// eq. (7.3), and the chains' final states.
    fn anneal(
        &self,
        betas: &[f64],
        v: Array2<f32>,
        rng: &mut ChaCha8Rng,
        progress: Progress,
    ) -> (Vec<f64>, Array2<f32>);
}

/// The path p_beta from the base-rate model (beta = 0) to the RBM (beta = 1):
/// p*_beta = p*_A^(1 - beta) p*_B^beta, eq. (7.2).
struct AnnealingPath<'a> {
    rbm: &'a Rbm,
    base_visible_bias: Array1<f32>,
    /// b_B - b_A: log p*_beta(v) = b_A·v + beta (b_B - b_A)·v + sum_i softplus(beta a_i).
    bias_difference: Array1<f32>,
}

/// The work arrays of one block of chains, allocated once.
struct Chains {
    /// Visible states, one chain per row.
    v: Array2<f32>,
    /// a = c + v W^T, computed once per step and used twice.
    hidden_input: Array2<f32>,
    h: Array2<f32>,
    /// h W, then the visible states drawn from it.
    visible_input: Array2<f32>,
    uniforms: Vec<f32>,
    scaled_input: Vec<f64>,
    /// Zeros: the hidden layer has no offset beyond a, which holds c already.
    no_offset: Array1<f32>,
}

impl<'a> AnnealingPath<'a> {
    fn new(rbm: &'a Rbm, base_visible_bias: ArrayView1<f32>) -> Self {
        Self {
            rbm,
            base_visible_bias: base_visible_bias.to_owned(),
            bias_difference: &rbm.visible_bias - &base_visible_bias,
        }
    }

    /// Exact samples of the base-rate model: independent units with p = sigmoid(b_A).
    fn sample_base(&self, n: usize, rng: &mut impl Rng) -> Array2<f32> {
        // Zero inputs with scale 0 leave p = sigmoid(b_A).
        let mut v = Array2::zeros((n, self.base_visible_bias.len()));
        sample_logistic(
            &mut v,
            0.0,
            self.base_visible_bias.view(),
            &mut Vec::new(),
            rng,
        );
        v
    }

    /// a = c + v W^T, into `chains.hidden_input`.
    fn hidden_input(&self, chains: &mut Chains) {
        let a = &mut chains.hidden_input;
        let shape = a.raw_dim();
        a.assign(
            &self
                .rbm
                .hidden_bias
                .broadcast(shape)
                .expect("one row per chain"),
        );
        general_mat_mul(1.0, &chains.v, &self.rbm.weights.t(), 1.0, a);
    }

    /// One block Gibbs step under p_beta (eq. 5.1 at inverse temperature beta):
    /// h ~ sigmoid(beta a), then v ~ sigmoid(b_A + beta (b_B - b_A) + beta h W).
    fn gibbs_step(&self, chains: &mut Chains, beta: f64, rng: &mut impl Rng) {
        let beta = beta as f32;
        chains.h.assign(&chains.hidden_input);
        sample_logistic(
            &mut chains.h,
            beta,
            chains.no_offset.view(),
            &mut chains.uniforms,
            rng,
        );
        general_mat_mul(
            1.0,
            &chains.h,
            &self.rbm.weights,
            0.0,
            &mut chains.visible_input,
        );
        let offset = &self.base_visible_bias + &(beta * &self.bias_difference);
        sample_logistic(
            &mut chains.visible_input,
            beta,
            offset.view(),
            &mut chains.uniforms,
            rng,
        );
        std::mem::swap(&mut chains.v, &mut chains.visible_input);
    }
}

// ANCHOR: ais_anneal
impl Anneal for AnnealingPath<'_> {
    /// Run the chains of one block through `betas` from `v`, samples of
    /// p_{betas[0]}; return each chain's log weight, eq. (7.3): the sum over
    /// steps of log p*_k(v_k) - log p*_{k-1}(v_k), and the chains' final states.
    fn anneal(
        &self,
        betas: &[f64],
        v: Array2<f32>,
        rng: &mut ChaCha8Rng,
        progress: Progress,
    ) -> (Vec<f64>, Array2<f32>) {
        let n = v.nrows();
        let (n_visible, n_hidden) = (self.rbm.n_visible(), self.rbm.n_hidden());
        let mut chains = Chains {
            v,
            hidden_input: Array2::zeros((n, n_hidden)),
            h: Array2::zeros((n, n_hidden)),
            visible_input: Array2::zeros((n, n_visible)),
            uniforms: Vec::with_capacity(n * n_visible.max(n_hidden)),
            scaled_input: vec![0.0; n_hidden],
            no_offset: Array1::zeros(n_hidden),
        };
        let mut log_weights = vec![0.0; n];
        for (k, pair) in betas.windows(2).enumerate() {
            let (previous, beta) = (pair[0], pair[1]);
            self.hidden_input(&mut chains);
            self.add_log_weights(&mut chains, previous, beta, &mut log_weights);
            if k + 2 < betas.len() {
                self.gibbs_step(&mut chains, beta, rng);
            }
            if (k + 1) % PROGRESS_EVERY == 0 {
                progress((n * PROGRESS_EVERY) as u64);
            }
        }
        progress((n * ((betas.len() - 1) % PROGRESS_EVERY)) as u64);
        (log_weights, chains.v)
    }
}

impl AnnealingPath<'_> {
    /// log w += log p*_beta(v) - log p*_previous(v), with log p*_beta of eq. (7.4):
    ///        = (beta - previous) (b_B - b_A)·v + sum_i softplus(beta a_i) - softplus(previous a_i),
    /// in f64.
    fn add_log_weights(
        &self,
        chains: &mut Chains,
        previous: f64,
        beta: f64,
        log_weights: &mut [f64],
    ) {
        let visible_terms = chains.v.dot(&self.bias_difference);
        let buffer = &mut chains.scaled_input;
        for ((a, visible), log_weight) in chains
            .hidden_input
            .rows()
            .into_iter()
            .zip(visible_terms)
            .zip(log_weights)
        {
            let visible_term = (beta - previous) * f64::from(visible);
            *log_weight += numerics::log_weight_step(visible_term, a, previous, beta, buffer);
        }
    }
}
// ANCHOR_END: ais_anneal

/// Replace every entry x_nj of `x` by a sample that is 1 with probability
/// sigmoid(scale x_nj + offset_j), drawing all uniforms in one go.
fn sample_logistic(
    x: &mut Array2<f32>,
    scale: f32,
    offset: ArrayView1<f32>,
    uniforms: &mut Vec<f32>,
    rng: &mut impl Rng,
) {
    if offset.is_empty() {
        return; // a layer without units: nothing to draw
    }
    uniforms.clear();
    uniforms.extend((0..x.len()).map(|_| rng.random::<f32>()));
    let offset = offset.as_slice().expect("biases are contiguous");
    let x = x.as_slice_mut().expect("work arrays are contiguous");
    for (row, u) in x
        .chunks_exact_mut(offset.len())
        .zip(uniforms.chunks_exact(offset.len()))
    {
        for ((x, &u), &b) in row.iter_mut().zip(u).zip(offset) {
            *x = bernoulli_of_logit(scale * *x + b, u);
        }
    }
}

/// 1 if u < sigmoid(input), else 0, written as u (1 + e^-input) < 1 so that
/// an overflowing exponential (input < -88) gives infinity and thus 0.
#[inline]
fn bernoulli_of_logit(input: f32, u: f32) -> f32 {
    if u * (1.0 + (-input).exp()) < 1.0 {
        1.0
    } else {
        0.0
    }
}

pub(crate) enum Direction {
    Forward,
    Reverse,
}

/// Turn log weights into the estimate. Forward: log Z = log Z_A + log mean w,
/// the mean weight estimating Z_B / Z_A as in eq. (7.1); reverse: log Z =
/// log Z_A - log mean w. The error bar spans 3 standard errors of the mean
/// weight, eq. (7.6). Weights are taken relative to the largest, so no
/// exponential overflows.
pub(crate) fn estimate(
    log_base: f64,
    (log_weights, final_states): (Vec<f64>, Array2<f32>),
    n_betas: usize,
    direction: Direction,
) -> AisEstimate {
    let n = log_weights.len() as f64;
    let max = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let relative: Vec<f64> = log_weights.iter().map(|lw| (lw - max).exp()).collect();
    let mean = relative.iter().sum::<f64>() / n;
    let variance = relative.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // With one chain there is no spread to measure: the bar is unbounded.
    let standard_error = if n > 1.0 {
        (variance / n).sqrt()
    } else {
        f64::INFINITY
    };
    let log_mean = max + mean.ln();
    let log_low = max + (mean - ERROR_BAR_WIDTH * standard_error).max(0.0).ln();
    let log_high = max + (mean + ERROR_BAR_WIDTH * standard_error).ln();
    let sum_squares: f64 = relative.iter().map(|w| w * w).sum();
    let effective_sample_size = (n * mean).powi(2) / sum_squares;
    let (log_partition, log_partition_low, log_partition_high) = match direction {
        Direction::Forward => (log_base + log_mean, log_base + log_low, log_base + log_high),
        Direction::Reverse => (log_base - log_mean, log_base - log_high, log_base - log_low),
    };
    AisEstimate {
        log_partition,
        log_partition_low,
        log_partition_high,
        n_chains: log_weights.len(),
        log_weights,
        effective_sample_size,
        n_betas,
        final_states,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model with weights of order 1 and random biases, and random binary
    /// start states, one per row.
    fn model_and_states(seed: u64, n_chains: usize) -> (Rbm, Array2<f32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut rbm = Rbm::zeros(15, 11);
        rbm.weights
            .mapv_inplace(|_| 2.0 * rng.random::<f32>() - 1.0);
        rbm.visible_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
        rbm.hidden_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
        let v = Array2::from_shape_simple_fn((n_chains, 15), || f32::from(rng.random::<bool>()));
        (rbm, v)
    }

    /// The fast step of AIS (work arrays, uniforms drawn per layer, the
    /// logit form u (1 + e^-x) < 1 of the draw) against the readable
    /// `tempered_gibbs_step`: from a base model with zero biases, p_beta is
    /// the RBM at inverse temperature beta, and fed the same seed the two
    /// draw the same states but where rounding moves p across u.
    #[test]
    fn the_fast_annealing_step_draws_what_the_readable_tempered_step_draws() {
        let n_chains = 2000;
        let (rbm, v) = model_and_states(5, n_chains);
        let zero_base = Array1::zeros(rbm.n_visible());
        let path = AnnealingPath::new(&rbm, zero_base.view());
        for beta in [0.3, 1.0] {
            let mut chains = Chains {
                v: v.clone(),
                hidden_input: Array2::zeros((n_chains, rbm.n_hidden())),
                h: Array2::zeros((n_chains, rbm.n_hidden())),
                visible_input: Array2::zeros((n_chains, rbm.n_visible())),
                uniforms: Vec::new(),
                scaled_input: vec![0.0; rbm.n_hidden()],
                no_offset: Array1::zeros(rbm.n_hidden()),
            };
            path.hidden_input(&mut chains);
            path.gibbs_step(&mut chains, beta, &mut ChaCha8Rng::seed_from_u64(9));
            let readable =
                crate::tempered_gibbs_step(&rbm, beta, v.view(), &mut ChaCha8Rng::seed_from_u64(9));
            // A differing hidden unit changes its row's visible input, so
            // count rows: at most 1 in 1000 may differ, and most must not.
            let differing = (0..n_chains)
                .filter(|&n| chains.v.row(n) != readable.row(n))
                .count();
            assert!(
                differing <= n_chains / 1000,
                "beta {beta}: {differing} rows differ"
            );
        }
    }

    #[test]
    fn salakhutdinov_murray_schedule_has_their_steps() {
        let s = AisSchedule::salakhutdinov_murray();
        assert_eq!(s.len(), 14_501);
        let b = s.betas();
        assert_eq!((b[0], b[14_500]), (0.0, 1.0));
        assert!((b[500] - 0.5).abs() < 1e-12 && (b[4_500] - 0.9).abs() < 1e-12);
        assert!((b[1] - 1e-3).abs() < 1e-12);
        assert!((b[501] - b[500] - 1e-4).abs() < 1e-12);
        assert!((b[14_500] - b[14_499] - 1e-5).abs() < 1e-12);
    }

    #[test]
    fn error_bar_of_equal_weights_is_a_point() {
        let states = || Array2::zeros((10, 1));
        let e = estimate(1.0, (vec![2.0; 10], states()), 3, Direction::Forward);
        assert!((e.log_partition - 3.0).abs() < 1e-12);
        assert!((e.log_partition_low - 3.0).abs() < 1e-12);
        assert!((e.log_partition_high - 3.0).abs() < 1e-12);
        assert!((e.effective_sample_size - 10.0).abs() < 1e-9);
        let r = estimate(1.0, (vec![2.0; 10], states()), 3, Direction::Reverse);
        assert!((r.log_partition + 1.0).abs() < 1e-12);
    }

    #[test]
    fn spread_weights_give_an_unbounded_low_end() {
        let weights = vec![0.0, -50.0, -50.0];
        let e = estimate(0.0, (weights, Array2::zeros((3, 1))), 3, Direction::Forward);
        assert!(!e.is_reliable());
        assert_eq!(e.log_partition_low, f64::NEG_INFINITY);
        assert!(e.log_partition_high > e.log_partition);
        assert!((e.effective_sample_size - 1.0).abs() < 1e-9);
    }
}
