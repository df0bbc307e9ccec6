//! What an AIS estimate can honestly promise, checked with bounds that cost
//! nothing (the book's chapter *Estimating the partition function*).
//!
//! - A hard lower bound. Z sums e^{-F(v)} over every visible state, so the
//!   sum over any set of distinct states is smaller:
//!   log Z >= log sum_{v in S} e^{-F(v)}. Any states will do: the data, the
//!   final states of the AIS chains. With S holding the data, log p(v) <= 0
//!   for every v of the data, as it must.
//! - The effective sample size of the weights: when a few chains carry the
//!   mean, the standard error (and so the bar) means little.
//! - Reverse AIS started at the data (Burda, Grosse & Salakhutdinov 2015):
//!   a stochastic *upper* estimate, high exactly when forward AIS misses
//!   modes that the data occupy.

use std::collections::HashSet;

use bm_exact::numerics::LogSumExp;
use ndarray::ArrayView1;

use crate::ais::AisEstimate;

/// log Z >= log sum_{v in S} e^{-F(v)} over a set S of distinct binary states.
#[derive(Clone, Debug, PartialEq)]
pub struct LowerBound {
    pub log_partition: f64,
    /// |S|: the distinct binary states summed (rows with values other than 0
    /// and 1 are left out, as are repeats).
    pub n_states: usize,
}

/// The hard lower bound over the distinct binary rows of `states`, with F
/// from the exact (f64) model, eq. (2.3). No state gives minus infinity.
pub fn log_partition_lower_bound<'a>(
    model: &bm_exact::Rbm,
    states: impl IntoIterator<Item = ArrayView1<'a, f64>>,
) -> LowerBound {
    let mut seen = HashSet::new();
    let mut sum = LogSumExp::new();
    for v in states {
        if !v.iter().all(|&x| x == 0.0 || x == 1.0) {
            continue;
        }
        let bits: Vec<bool> = v.iter().map(|&x| x == 1.0).collect();
        if seen.insert(bits) {
            sum.add(-model.free_energy(v));
        }
    }
    LowerBound {
        log_partition: sum.value(),
        n_states: seen.len(),
    }
}

/// An AIS estimate after the checks: never below the hard lower bound, with
/// its bar widened to what the checks found, and the reasons to distrust it.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedEstimate {
    /// max(AIS estimate, lower bound).
    pub log_partition: f64,
    /// max(low end of the AIS bar, lower bound): never excludes the bound.
    pub log_partition_low: f64,
    /// The high end of the AIS bar, raised to the reverse estimate when that
    /// lies above it, and never below the lower bound.
    pub log_partition_high: f64,
    pub lower_bound: LowerBound,
    /// The reverse (RAISE) estimate, when there were data to start from.
    pub log_partition_reverse: Option<f64>,
    /// Why the estimate should not be trusted; empty when nothing was found.
    pub warnings: Vec<String>,
}

impl CheckedEstimate {
    pub fn is_reliable(&self) -> bool {
        self.warnings.is_empty()
    }
}

/// Check `forward` against the hard `lower_bound` and the `reverse`
/// estimate (if any); see [`CheckedEstimate`].
pub fn check_estimate(
    forward: &AisEstimate,
    lower_bound: LowerBound,
    reverse: Option<&AisEstimate>,
) -> CheckedEstimate {
    let bound = lower_bound.log_partition;
    let mut warnings = Vec::new();
    if !forward.is_reliable() {
        warnings.push(format!(
            "effective sample size {:.1} of {} chains: a few chains carry the estimate, so \
             its error bar means little (use more inverse temperatures)",
            forward.effective_sample_size, forward.n_chains
        ));
    }
    if forward.log_partition < bound {
        warnings.push(format!(
            "the AIS estimate {:.6} lies below the hard lower bound {bound:.6} (from {} \
             distinct states) and was raised to it",
            forward.log_partition, lower_bound.n_states
        ));
    }
    let mut high = forward.log_partition_high.max(bound);
    let reverse = reverse.map(|r| r.log_partition);
    if let Some(r) = reverse.filter(|&r| r > high) {
        warnings.push(format!(
            "reverse AIS from the data gives {r:.6}, above the error bar: the chains missed \
             states the data occupy; the bar was widened to it"
        ));
        high = r;
    }
    CheckedEstimate {
        log_partition: forward.log_partition.max(bound),
        log_partition_low: forward.log_partition_low.max(bound),
        log_partition_high: high,
        lower_bound,
        log_partition_reverse: reverse,
        warnings,
    }
}
