//! The variational bound at MNIST size, after Salakhutdinov & Murray (2008),
//! "On the quantitative analysis of deep belief networks", section 5: log Z
//! of the top RBM by AIS (`rbm::ais`), and the expectation over the
//! recognition chain by sampling it.
//!
//! ## Algorithm
//! - [`top_log_partition`]: log Z of the top RBM by AIS. Without label
//!   units, `rbm::ais`; with them, one run whose states carry the label as
//!   a softmax group beside h_{K-1} ([`crate::label_ais`], eq. (10.13)).
//!   The chains come as independent repeats: each repeat gives its own
//!   estimate, and their spread, with the effective sample size, decides
//!   whether the estimate is called reliable.
//! - [`top_log_partition_per_label`]: the older way, Z = sum_l e^{d_l} Z_l
//!   with Z_l the partition function of the top RBM with label l clamped
//!   on (hidden bias c + U_l), eq. (10.12): one AIS run per label.
//! - [`bound_terms`]: for each example v, `n_samples` draws of the
//!   recognition chain h_1 ~ q(h_1|v), ..., h_{K-1} ~ q(h_{K-1}|h_{K-2}),
//!   and for each the two parts of the integrand of eq. (10.11).
//! - [`estimate_lower_bound`]: their mean minus log Z, with an error bar
//!   from both the spread of the samples and that of the AIS weights.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::Rng;
use rbm::numerics::{sigmoid, softplus};
use rbm::{AisSchedule, Rbm, sample_bernoulli};

use crate::error::{DbnError, field_error};
use crate::label_ais::LabelPath;
use crate::model::Dbn;

/// How many standard errors the error bars span (as `rbm::ais`).
const ERROR_BAR_WIDTH: f64 = 3.0;

/// Examples handled together by [`bound_terms`], to bound the memory used.
const EXAMPLES_PER_BLOCK: usize = 100;

/// The spread (sample standard deviation, in nats) of the repeats' log Z
/// above which an estimate is not called reliable.
pub const MAX_REPEAT_SPREAD: f64 = 1.0;

/// log Z of the top RBM (with its label units) and its error bar.
#[derive(Clone, Debug, PartialEq)]
pub struct TopLogPartition {
    pub log_partition: f64,
    /// log(Z_hat - 3 se); minus infinity when that is not positive.
    pub log_partition_low: f64,
    /// log(Z_hat + 3 se).
    pub log_partition_high: f64,
    /// The effective sample size (sum w)^2 / sum w^2 of all chains of one
    /// run; with several runs (one per label), the smallest.
    pub min_effective_sample_size: f64,
    /// log Z from each independent repeat alone (empty with one repeat).
    pub repeats: Vec<f64>,
    /// The sample standard deviation of `repeats`; `None` with fewer than two.
    pub repeat_spread: Option<f64>,
    /// Every run has an effective sample size of at least a tenth of its
    /// chains (and 2), as `rbm::AisEstimate::is_reliable`, and the repeats,
    /// if any, spread by at most [`MAX_REPEAT_SPREAD`].
    pub reliable: bool,
    pub n_runs: usize,
    /// Chains of each run (all repeats together).
    pub n_chains: usize,
    pub n_betas: usize,
}

impl TopLogPartition {
    /// A known log Z (from enumeration), with no error bar.
    pub fn exact(log_partition: f64) -> Self {
        Self {
            log_partition,
            log_partition_low: log_partition,
            log_partition_high: log_partition,
            min_effective_sample_size: f64::INFINITY,
            repeats: Vec::new(),
            repeat_spread: None,
            reliable: true,
            n_runs: 0,
            n_chains: 0,
            n_betas: 0,
        }
    }
}

// ANCHOR: top_log_partition
/// log Z of the top RBM of `dbn` by AIS from `n_repeats` independent
/// repeats of `n_chains` chains each, pooled into one estimate: without
/// label units `rbm::ais`, with them one run over (h_{K-1}, label) on the
/// path of eq. (10.13). The base model's visible bias is fitted to the
/// up-pass of `data` to the top RBM's visible layer; its label bias is 0.
pub fn top_log_partition(
    dbn: &Dbn,
    data: ArrayView2<f32>,
    schedule: &AisSchedule,
    n_chains: usize,
    n_repeats: usize,
    rng: &mut impl Rng,
) -> Result<TopLogPartition, DbnError> {
    check_width(dbn, data)?;
    if n_chains == 0 || n_repeats == 0 {
        let problem = "AIS needs at least one chain and one repeat";
        return Err(field_error("n_chains", problem));
    }
    let top_visible = dbn.up_probabilities(data, dbn.n_layers() - 1);
    let base = rbm::base_rate_visible_bias(top_visible.view());
    let total = n_chains * n_repeats;
    let (log_base, log_weights) = match dbn.labels() {
        None => {
            let e = rbm::ais(dbn.top(), base.view(), schedule, total, rng)?;
            let log_base = rbm::base_log_partition(base.view(), dbn.top().n_hidden());
            (log_base, e.log_weights)
        }
        Some(labels) => {
            let label_base = Array1::zeros(labels.n_labels());
            let path = LabelPath::new(dbn.top(), labels, base.view(), label_base.view());
            let weights = path.log_weights(schedule.betas(), total, rng);
            (path.base_log_partition(), weights)
        }
    };
    let mut z = combine_runs(&[(log_base, log_weights.clone())], schedule.len());
    if n_repeats > 1 {
        z.repeats = log_weights
            .chunks(n_chains)
            .map(|w| combine_runs(&[(log_base, w.to_vec())], schedule.len()).log_partition)
            .collect();
        let spread = standard_deviation(&z.repeats);
        z.reliable &= spread <= MAX_REPEAT_SPREAD;
        z.repeat_spread = Some(spread);
    }
    Ok(z)
}
// ANCHOR_END: top_log_partition

/// The estimate from one run's log weights, for the tests of `label_ais`.
#[cfg(test)]
pub(crate) fn combine_for_tests(
    log_base: f64,
    log_weights: Vec<f64>,
    n_betas: usize,
) -> TopLogPartition {
    combine_runs(&[(log_base, log_weights)], n_betas)
}

/// The sample standard deviation of at least two numbers.
fn standard_deviation(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// log Z with labels by one AIS run per clamped label, eq. (10.12): the run
/// for label l is on the RBM whose hidden bias is c + U_l, and Z = sum_l
/// e^{d_l} Z_l. Ten runs cost ten times one run of the same chains; kept
/// for comparison with [`top_log_partition`].
pub fn top_log_partition_per_label(
    dbn: &Dbn,
    data: ArrayView2<f32>,
    schedule: &AisSchedule,
    n_chains: usize,
    rng: &mut impl Rng,
) -> Result<TopLogPartition, DbnError> {
    check_width(dbn, data)?;
    let top_visible = dbn.up_probabilities(data, dbn.n_layers() - 1);
    let base = rbm::base_rate_visible_bias(top_visible.view());
    let log_base = rbm::base_log_partition(base.view(), dbn.top().n_hidden());
    let mut runs = Vec::new(); // (d_l + log Z_A, log weights of the AIS run for Z_l)
    for (offset, clamped) in clamped_top_rbms(dbn) {
        let estimate = rbm::ais(&clamped, base.view(), schedule, n_chains, rng)?;
        runs.push((offset + log_base, estimate.log_weights));
    }
    Ok(combine_runs(&runs, schedule.len()))
}

/// The top RBM with each label clamped on (hidden bias c + U_l) and its
/// offset d_l; without labels, the top RBM itself with offset 0.
fn clamped_top_rbms(dbn: &Dbn) -> Vec<(f64, Rbm)> {
    let top = dbn.top();
    let Some(labels) = dbn.labels() else {
        return vec![(0.0, top.clone())];
    };
    (0..labels.n_labels())
        .map(|l| {
            let mut clamped = top.clone();
            clamped.hidden_bias = &top.hidden_bias + &labels.weights.column(l);
            (f64::from(labels.bias[l]), clamped)
        })
        .collect()
}

/// Z = sum_r e^{offset_r} mean_i w_ri, and the standard error of Z from
/// the sample variance of each run's weights; everything scaled by the
/// largest term so that nothing overflows. Each run is (offset, log weights).
fn combine_runs(runs: &[(f64, Vec<f64>)], n_betas: usize) -> TopLogPartition {
    let scaled: Vec<Vec<f64>> = runs
        .iter()
        .map(|(offset, log_weights)| log_weights.iter().map(|w| offset + w).collect())
        .collect();
    let max = scaled
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    let mut variance = 0.0;
    let mut min_effective_sample_size = f64::INFINITY;
    let mut reliable = true;
    for run in &scaled {
        let n = run.len() as f64;
        let w: Vec<f64> = run.iter().map(|x| (x - max).exp()).collect();
        let mean = w.iter().sum::<f64>() / n;
        // One chain shows no spread: the bar is then unbounded.
        let var = match run.len() {
            1 => f64::INFINITY,
            _ => w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0),
        };
        total += mean;
        variance += var / n;
        let ess = (n * mean).powi(2) / w.iter().map(|x| x * x).sum::<f64>();
        min_effective_sample_size = min_effective_sample_size.min(ess);
        reliable &= ess >= (rbm::ais::MIN_EFFECTIVE_FRACTION * n).max(2.0);
    }
    let half_width = ERROR_BAR_WIDTH * variance.sqrt();
    let log_low = if total > half_width {
        max + (total - half_width).ln()
    } else {
        f64::NEG_INFINITY
    };
    TopLogPartition {
        log_partition: max + total.ln(),
        log_partition_low: log_low,
        log_partition_high: max + (total + half_width).ln(),
        min_effective_sample_size,
        repeats: Vec::new(),
        repeat_spread: None,
        reliable,
        n_runs: runs.len(),
        n_chains: runs.first().map_or(0, |(_, w)| w.len()),
        n_betas,
    }
}

/// The two parts of the integrand of eq. (10.11) for `n_samples` draws of
/// the recognition chain per example; both of shape (n_examples, n_samples).
#[derive(Clone, Debug)]
pub struct BoundTerms {
    /// log p*(h_{K-1}) + sum_k log p(h_{k-1} | h_k): the unnormalised log
    /// joint of the sampled states under the generative model.
    pub log_joint: Array2<f64>,
    /// sum_k log q(h_k | h_{k-1}): the log probability of the draw.
    pub log_recognition: Array2<f64>,
}

// ANCHOR: bound_terms
/// Draw `n_samples` recognition chains per row of binary `data` and return
/// the parts of eq. (10.11) for each: h_k ~ q(h_k | h_{k-1}) for
/// k = 1, ..., K-1, then log p*(h_{K-1}) of the top RBM (summed over the
/// labels, if any) plus the generative and minus the recognition log
/// probabilities of every step.
pub fn bound_terms(
    dbn: &Dbn,
    data: ArrayView2<f32>,
    n_samples: usize,
    rng: &mut impl Rng,
) -> Result<BoundTerms, DbnError> {
    check_bound_inputs(dbn, data, n_samples)?;
    let n = data.nrows();
    let mut log_joint = Array2::zeros((n, n_samples));
    let mut log_recognition = Array2::zeros((n, n_samples));
    for first in (0..n).step_by(EXAMPLES_PER_BLOCK) {
        let rows = first..(first + EXAMPLES_PER_BLOCK).min(n);
        let block = data.slice(s![rows.clone(), ..]);
        // Row r * n_samples + t holds sample t of example r.
        let mut x = repeat_rows(block, n_samples);
        let mut joint = Array1::<f64>::zeros(x.nrows());
        let mut recognition = Array1::<f64>::zeros(x.nrows());
        for layer in &dbn.layers()[..dbn.n_layers() - 1] {
            let up_logits = x.dot(&layer.weights.t()) + &layer.hidden_bias;
            let y = sample_bernoulli(up_logits.mapv(sigmoid).view(), rng);
            recognition += &log_bernoulli_rows(y.view(), up_logits.view());
            let down_logits = y.dot(&layer.weights) + &layer.visible_bias;
            joint += &log_bernoulli_rows(x.view(), down_logits.view());
            x = y;
        }
        joint += &top_log_weights(dbn, x.view())?;
        let shape = (rows.len(), n_samples);
        let joint = joint
            .into_shape_with_order(shape)
            .expect("rows times samples");
        let recognition = recognition
            .into_shape_with_order(shape)
            .expect("rows times samples");
        log_joint.slice_mut(s![rows.clone(), ..]).assign(&joint);
        log_recognition.slice_mut(s![rows, ..]).assign(&recognition);
    }
    Ok(BoundTerms {
        log_joint,
        log_recognition,
    })
}
// ANCHOR_END: bound_terms

/// Each row of `block` repeated `times` times in a row.
fn repeat_rows(block: ArrayView2<f32>, times: usize) -> Array2<f32> {
    let order: Vec<usize> = (0..block.nrows())
        .flat_map(|r| std::iter::repeat_n(r, times))
        .collect();
    block.select(Axis(0), &order)
}

/// sum_j x_j a_j - softplus(a_j) for each row (eq. 10.2), summed in f64.
fn log_bernoulli_rows(x: ArrayView2<f32>, logits: ArrayView2<f32>) -> Array1<f64> {
    Array1::from_iter(x.rows().into_iter().zip(logits.rows()).map(|(x, a)| {
        x.iter()
            .zip(a)
            .map(|(&x, &a)| f64::from(x * a - softplus(a)))
            .sum()
    }))
}

/// log p*(x) of the top RBM for each row x = h_{K-1}: -F(x), or with label
/// units log sum_l e^{-F(x, l)} (eq. 10.8).
fn top_log_weights(dbn: &Dbn, x: ArrayView2<f32>) -> Result<Array1<f64>, DbnError> {
    if dbn.labels().is_none() {
        return Ok(dbn.top().free_energy(x).mapv(|f| -f64::from(f)));
    }
    let free_energies = dbn.label_free_energies(x)?;
    Ok(Array1::from_iter(free_energies.rows().into_iter().map(
        |row| {
            let row: Vec<f64> = row.iter().map(|&f| -f64::from(f)).collect();
            bm_exact::numerics::log_sum_exp(row)
        },
    )))
}

/// The bound and its error bar: what [`estimate_lower_bound`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundEstimate {
    /// The estimate of the mean bound over the data, in nats.
    pub mean_lower_bound: f64,
    /// The error bar: 3 standard errors of the recognition samples and the
    /// AIS error bar of log Z, added in quadrature on each side. `high` is
    /// infinite when the AIS bar of log Z has no lower end.
    pub low: f64,
    pub high: f64,
    /// The mean over the data and the samples of log p* - log q (before log Z).
    pub mean_unnormalised: f64,
    /// Its standard error from the spread of the samples within each example.
    pub sampling_standard_error: f64,
    pub log_partition: TopLogPartition,
    pub n_examples: usize,
    pub n_samples: usize,
}

// ANCHOR: estimate_lower_bound
/// The mean over the rows of binary `data` of the bound of eq. (10.11),
/// estimated with `n_samples` (at least 2) recognition draws per example
/// and the given log Z. The sampling error is the spread of the draws
/// within each example, sqrt(sum_v var_v / n_samples) / N.
pub fn estimate_lower_bound(
    dbn: &Dbn,
    data: ArrayView2<f32>,
    log_partition: &TopLogPartition,
    n_samples: usize,
    rng: &mut impl Rng,
) -> Result<BoundEstimate, DbnError> {
    let terms = bound_terms(dbn, data, n_samples, rng)?;
    let integrand = &terms.log_joint - &terms.log_recognition;
    let (mean, standard_error) = mean_and_sampling_error(integrand.view());
    let bound = mean - log_partition.log_partition;
    let sampling = ERROR_BAR_WIDTH * standard_error;
    let z = log_partition;
    let below = (sampling.powi(2) + (z.log_partition_high - z.log_partition).powi(2)).sqrt();
    let above = (sampling.powi(2) + (z.log_partition - z.log_partition_low).powi(2)).sqrt();
    Ok(BoundEstimate {
        mean_lower_bound: bound,
        low: bound - below,
        high: bound + above,
        mean_unnormalised: mean,
        sampling_standard_error: standard_error,
        log_partition: log_partition.clone(),
        n_examples: data.nrows(),
        n_samples,
    })
}
// ANCHOR_END: estimate_lower_bound

/// The mean of all entries of (examples, samples) and the standard error of
/// that mean due to the samples: sqrt(sum_v s_v^2 / S) / N, with s_v^2 the
/// unbiased variance of row v.
pub fn mean_and_sampling_error(values: ArrayView2<f64>) -> (f64, f64) {
    let (n, n_samples) = values.dim();
    let mean = values.mean().unwrap_or(f64::NAN);
    let variance_sum: f64 = values
        .rows()
        .into_iter()
        .map(|row| row_variance(row) / n_samples as f64)
        .sum();
    (mean, variance_sum.sqrt() / n as f64)
}

fn row_variance(row: ArrayView1<f64>) -> f64 {
    let n = row.len() as f64;
    let mean = row.sum() / n;
    row.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
}

fn check_width(dbn: &Dbn, data: ArrayView2<f32>) -> Result<(), DbnError> {
    if data.ncols() != dbn.n_visible() {
        return Err(DbnError::Data(format!(
            "each example has {} values but the net has {} visible units",
            data.ncols(),
            dbn.n_visible()
        )));
    }
    if data.nrows() == 0 {
        return Err(DbnError::Data("no examples; give at least one".into()));
    }
    Ok(())
}

fn check_bound_inputs(dbn: &Dbn, data: ArrayView2<f32>, n_samples: usize) -> Result<(), DbnError> {
    check_width(dbn, data)?;
    if dbn.n_layers() < 2 {
        return Err(field_error(
            "layers",
            "the bound needs a net of two or more layers; for one RBM use rbm::ais",
        ));
    }
    if n_samples < 2 {
        return Err(field_error(
            "n_samples",
            format!("is {n_samples}; at least 2 recognition samples per example give an error bar"),
        ));
    }
    if let Some((k, x)) = data
        .iter()
        .enumerate()
        .find(|(_, x)| **x != 0.0 && **x != 1.0)
    {
        let (row, column) = (k / data.ncols() + 1, k % data.ncols() + 1);
        return Err(DbnError::Data(format!(
            "example {row}, value {column} is {x}; the bound is for binary data (binarise first)"
        )));
    }
    Ok(())
}
