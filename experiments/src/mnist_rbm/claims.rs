//! The sentences of the mnist-rbm summary that state a pattern ("every
//! model", "the same order"). Each one computes its predicate from the
//! results and says what it found when the pattern does not hold, so the
//! chapter never claims more than the numbers show.

use super::{MnistRbmResults, ModelResult, Reference, SmallResult};

/// (train log p on the gap subset) - (test log p): how much better a model
/// does on digits it was trained on, measured on sets of the same size.
/// NaN if the results predate that measurement.
pub fn overfit(m: &ModelResult) -> f64 {
    m.evaluation
        .train_subset_log_probability
        .map_or(f64::NAN, |b| b.estimate)
        - m.evaluation.test_log_probability.estimate
}

/// Whether the results measured the log-probability of the gap subset.
pub fn measured_subset(models: &[ModelResult]) -> bool {
    models
        .iter()
        .all(|m| m.evaluation.train_subset_log_probability.is_some())
}

const NOT_MEASURED: &str = "This run did not measure the log-probability of the training subset \
     on which the gap is taken; rerun `mnist-rbm` to compare train and test like for like.";

/// The free-energy gap after the last epoch, eq. (8.3).
pub fn final_gap(m: &ModelResult) -> f64 {
    m.training
        .free_energy_gap
        .last()
        .copied()
        .unwrap_or(f64::NAN)
}

fn name(m: &ModelResult) -> &str {
    &m.training.name
}

/// Whether every model scores higher on its training subset than on the
/// test digits, and by how much.
pub fn overfitting_sentence(models: &[ModelResult], n_subset: usize) -> String {
    if !measured_subset(models) {
        return NOT_MEASURED.into();
    }
    let Some(lo) = models
        .iter()
        .min_by(|a, b| overfit(a).total_cmp(&overfit(b)))
    else {
        return String::new();
    };
    let hi = models
        .iter()
        .max_by(|a, b| overfit(a).total_cmp(&overfit(b)))
        .unwrap_or(lo);
    if overfit(lo) > 0.0 {
        format!(
            "On the first {n_subset} training digits (as many as there are test digits) every model \
             scores higher than on the test digits, by {:.2} nats ({}) to {:.2} nats ({}).",
            overfit(lo),
            name(lo),
            overfit(hi),
            name(hi)
        )
    } else {
        let worse: Vec<String> = models
            .iter()
            .filter(|m| overfit(m) <= 0.0)
            .map(|m| format!("{} ({:+.2} nats)", name(m), overfit(m)))
            .collect();
        format!(
            "Not every model scores higher on the first {n_subset} training digits than on the test \
             digits: train minus test log p is not positive for {}.",
            worse.join(", ")
        )
    }
}

/// Eq. (8.3) checked: the final free-energy gap against train-subset minus
/// test log p (log Z cancels, so they differ only by f32 rounding).
pub fn gap_sentence(models: &[ModelResult]) -> String {
    if !measured_subset(models) {
        return String::new();
    }
    let worst = models.iter().max_by(|a, b| {
        (final_gap(a) - overfit(a))
            .abs()
            .total_cmp(&(final_gap(b) - overfit(b)).abs())
    });
    let Some(w) = worst else {
        return String::new();
    };
    let diff = (final_gap(w) - overfit(w)).abs();
    if diff < 0.01 {
        format!(
            "For every model the final free-energy gap equals train-subset minus test log p to \
             within {diff:.1e} nats, as eq. (8.3) says (log Z cancels; only f32 rounding remains)."
        )
    } else {
        format!(
            "The final free-energy gap and train-subset minus test log p differ by up to {diff:.3} \
             nats ({}): more than rounding, so the two were not measured on the same model or data.",
            name(w)
        )
    }
}

fn test_log_p(models: &[ModelResult], model: &str) -> Option<f64> {
    models
        .iter()
        .find(|m| name(m) == model)
        .map(|m| m.evaluation.test_log_probability.estimate)
}

/// Our test log-probabilities against the published ones: the order, and
/// the steps between consecutive models in both.
pub fn reference_sentence(models: &[ModelResult], reference: &[Reference]) -> String {
    let pairs: Vec<(&str, f64, f64)> = reference
        .iter()
        .filter_map(|r| {
            test_log_p(models, &r.model)
                .map(|ours| (r.model.as_str(), ours, r.test_log_probability))
        })
        .collect();
    if pairs.len() < 2 {
        return String::new();
    }
    let same_order = pairs
        .windows(2)
        .all(|w| (w[1].1 - w[0].1).signum() == (w[1].2 - w[0].2).signum());
    let steps = |pick: &dyn Fn(&(&str, f64, f64)) -> f64| -> String {
        pairs
            .windows(2)
            .map(|w| format!("{:+.1}", pick(&w[1]) - pick(&w[0])))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let behind: Vec<f64> = pairs.iter().map(|p| p.2 - p.1).collect();
    let (lo, hi) = behind
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    let names: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    format!(
        "Our test log-probabilities of {} come in {} order as Salakhutdinov & Murray's. \
         The steps from one to the next are {} nats here and {} nats in their table; \
         ours are {:.1} to {:.1} nats below theirs.",
        names.join(", "),
        if same_order {
            "the same"
        } else {
            "a different"
        },
        steps(&|p| p.1),
        steps(&|p| p.2),
        lo,
        hi
    )
}

/// Flags the AIS runs whose estimate rests on a few chains.
pub fn reliability_sentence(models: &[ModelResult]) -> String {
    let weak: Vec<String> = models
        .iter()
        .filter(|m| {
            let e = &m.evaluation;
            e.effective_sample_size < 0.1 * e.n_chains as f64 || e.log_partition.low.is_none()
        })
        .map(|m| {
            let e = &m.evaluation;
            format!(
                "{} (effective sample size {:.1} of {} chains{})",
                name(m),
                e.effective_sample_size,
                e.n_chains,
                if e.log_partition.low.is_none() {
                    ", error bar open on the side of high log p"
                } else {
                    ""
                }
            )
        })
        .collect();
    if weak.is_empty() {
        "Every AIS run has an effective sample size of at least a tenth of its chains and a \
         bounded error bar."
            .into()
    } else {
        format!(
            "**Unreliable AIS estimates**: {}. A few chains carry almost all the weight; such an \
             estimate can be far too high in log p, by more than its bar shows.",
            weak.join("; ")
        )
    }
}

/// The small model: AIS against the exact value.
pub fn small_sentence(s: &SmallResult) -> String {
    format!(
        "The exact log Z lies {} the AIS error bar; AIS minus exact is {:+.3} nats \
         (AIS effective sample size {:.1} of {} chains).",
        if s.exact.ais_bracket_contains_exact {
            "inside"
        } else {
            "**outside**"
        },
        s.exact.ais_error,
        s.evaluation.effective_sample_size,
        s.evaluation.n_chains
    )
}

/// The long chains: pixels on relative to a training digit, and whether
/// the chains settle below the test digits' mean free energy.
pub fn chains_sentence(r: &MnistRbmResults) -> String {
    let mut ratios = Vec::new();
    let mut below = Vec::new();
    let mut above = Vec::new();
    for s in &r.samples {
        let pixels = s.mean_pixels_on.last().copied().unwrap_or(f64::NAN);
        ratios.push(format!(
            "{} {:.2}",
            s.model,
            pixels / r.train_mean_pixels_on
        ));
        let chain_f = s.mean_free_energy.last().copied().unwrap_or(f64::NAN);
        let test_f = r
            .models
            .iter()
            .find(|m| m.training.name == s.model)
            .map_or(f64::NAN, |m| m.test_mean_free_energy);
        if chain_f < test_f {
            below.push(s.model.as_str());
        } else {
            above.push(s.model.as_str());
        }
    }
    let free_energy = if above.is_empty() {
        "for every sampled model the chains' mean free energy is below the test digits'".into()
    } else {
        format!(
            "the chains' mean free energy is below the test digits' for {} and not for {}",
            if below.is_empty() {
                "none".into()
            } else {
                below.join(", ")
            },
            above.join(", ")
        )
    };
    format!(
        "Pixels on in the chains' states relative to a training digit: {}; {free_energy}.",
        ratios.join(", ")
    )
}
