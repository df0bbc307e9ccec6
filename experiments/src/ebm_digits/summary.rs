//! The table and the sentences the book includes, computed from the JSON.

use super::{Detection, EbmDigitsResults};

/// The target of the issue: AUROC against uniform noise.
pub const UNIFORM_NOISE_TARGET: f64 = 0.999;

/// AUROCs closer than this count as a tie in the sentences.
const TIE: f64 = 0.005;

fn table(results: &EbmDigitsResults) -> String {
    let mut md = String::from(
        "| outliers (vs the test digits) | images | AUROC, EBM energy | AUROC, RBM free energy | better |\n|---|---:|---:|---:|---|\n",
    );
    for d in &results.detection {
        md.push_str(&format!(
            "| {} | {} | {:.4} | {:.4} | {} |\n",
            d.outlier,
            d.n,
            d.ebm_auroc,
            d.rbm_auroc,
            winner(d)
        ));
    }
    md
}

/// "EBM", "RBM" or "tie" (within 0.005).
pub fn winner(d: &Detection) -> &'static str {
    if (d.ebm_auroc - d.rbm_auroc).abs() < TIE {
        "tie"
    } else if d.ebm_auroc > d.rbm_auroc {
        "EBM"
    } else {
        "RBM"
    }
}

fn names(results: &EbmDigitsResults, who: &str) -> String {
    let list: Vec<&str> = results
        .detection
        .iter()
        .filter(|d| winner(d) == who)
        .map(|d| d.outlier.as_str())
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

fn sentences(results: &EbmDigitsResults) -> String {
    let mut text = String::new();
    if let Some(u) = results
        .detection
        .iter()
        .find(|d| d.outlier == "uniform noise")
    {
        let verdict = if u.ebm_auroc >= UNIFORM_NOISE_TARGET {
            "meets"
        } else {
            "misses"
        };
        text.push_str(&format!(
            "Against uniform noise the energy's AUROC is {:.4}, which {verdict} the target of {UNIFORM_NOISE_TARGET}.\n",
            u.ebm_auroc
        ));
    }
    text.push_str(&format!(
        "The EBM's energy separates better on: {}. The RBM's free energy separates better on: {}. Within {TIE} of each other: {}.\n",
        names(results, "EBM"),
        names(results, "RBM"),
        names(results, "tie")
    ));
    let inverted: Vec<String> = results
        .detection
        .iter()
        .flat_map(|d| {
            [("EBM", d.ebm_auroc), ("RBM", d.rbm_auroc)]
                .into_iter()
                .filter(|(_, a)| *a < 0.5)
                .map(move |(who, a)| format!("{} ({who}, {a:.3})", d.outlier))
        })
        .collect();
    if !inverted.is_empty() {
        text.push_str(&format!(
            "Below 0.5, the model gives these outliers *lower* energy than the digits themselves: {}.\n",
            inverted.join(", ")
        ));
    }
    text.push_str(&samples_sentence(results));
    let caught = results.training.divergences.len();
    text.push_str(&format!(
        "Training ran {} iterations; the divergence detector caught and rolled back {caught} divergence{}, and none went unrecovered (an unrecovered one stops the run).\n",
        results.config.ebm.n_iterations,
        if caught == 1 { "" } else { "s" }
    ));
    text
}

/// The samples' mean energies against the test digits'.
fn samples_sentence(results: &EbmDigitsResults) -> String {
    let s = &results.samples;
    let test = results.test_ebm_mean_energy;
    let fresh = s.fresh_mean_energy.last().copied().unwrap_or(f64::NAN);
    let steps = s.fresh_steps.last().copied().unwrap_or(0);
    let verdict = if s.buffer_mean_energy.min(fresh) > test + 1.0 {
        "the chains at T = 1 stay well above the digits' energy: the model tells digits from its own samples, but its samples are not yet digits"
    } else {
        "the chains at T = 1 reach the digits' energy"
    };
    format!(
        "Mean energy of the test digits {test:.3}; of the replay buffer {:.3}; of fresh ULA chains after {steps} steps {fresh:.3}; of the cooled sampler at T = {:.2e} {:.3}: {verdict}.\n",
        s.buffer_mean_energy, s.cooled_temperature, s.cooled_mean_energy
    )
}

/// `ebm-digits-setup.md`: the models, data and sampler, from the configuration.
pub fn setup_markdown(results: &EbmDigitsResults) -> String {
    let c = &results.config;
    let sizes: Vec<String> = std::iter::once(results.n_pixels)
        .chain(c.ebm.hidden.iter().copied())
        .chain(std::iter::once(1))
        .map(|n| n.to_string())
        .collect();
    let estimator = match c.rbm.train.estimator {
        rbm::Estimator::Cd { k } => format!("CD-{k}"),
        rbm::Estimator::Pcd { k, n_chains } => format!("PCD-{k} ({n_chains} chains)"),
    };
    format!(
        "EBM: a {} {} network, {} iterations of batches of {}, {} ULA steps of size {} per batch, a replay buffer of {} (re-initialised with probability {}), alpha = {}, learning rate {}. \
         RBM: {} hidden units, {estimator}, {} epochs. \
         Data: {} training digits, {} test digits, {} Fashion-MNIST images; Gaussian noise of standard deviation {}, shrinking by a factor {}.\n",
        sizes.join("-"),
        c.ebm.activation.name(),
        c.ebm.n_iterations,
        c.ebm.batch_size,
        c.ebm.langevin_steps,
        c.ebm.langevin_step_size,
        c.ebm.buffer_size,
        c.ebm.reinit_probability,
        c.ebm.alpha,
        c.ebm.learning_rate,
        c.rbm.n_hidden,
        c.rbm.train.epochs,
        c.data.n_train,
        c.data.n_test,
        c.data.n_fashion,
        c.outliers.noise_std,
        c.outliers.shrink_factor,
    )
}

/// `ebm-digits-auroc.md`: the table, then the sentences.
pub fn markdown(results: &EbmDigitsResults) -> String {
    format!("{}\n{}", table(results), sentences(results))
}
