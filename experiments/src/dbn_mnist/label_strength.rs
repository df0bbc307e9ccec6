//! Why a clamped label does or does not steer the top RBM's chain: how
//! strongly the label drives the top hidden units next to h_2, and whether
//! the chains follow the label once its weights U are multiplied by a gain
//! (for sampling only: the readout uses the trained net).

use anyhow::Result;
use dbn::Dbn;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::streams::stream;

const STREAM_LABEL_STRENGTH: u32 = 15;

/// In TOML: `[label_strength]` with `gain`, `n_chains_per_label`, `n_gibbs_steps`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelStrengthConfig {
    /// The factor the label weights U are multiplied by for the second run.
    pub gain: f32,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains_per_label: usize,
    pub n_gibbs_steps: usize,
}

/// What was measured; the fractions are of all chains, every label pooled.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelStrength {
    /// Mean over the top hidden units of the standard deviation, over the
    /// training digits, of the input (W x)_i from their up-pass x = h_2.
    pub input_sd_from_h2: f64,
    /// The same for the input U_{i l} from their one-hot labels.
    pub input_sd_from_label: f64,
    /// Chains whose last x has the clamped label as its most probable one
    /// under the trained net, p(l | x) of eq. (10.8).
    pub follows: f64,
    /// The same with the chains run under U multiplied by `gain`.
    pub follows_with_gain: f64,
    pub gain: f32,
    pub n_chains_per_label: usize,
    pub n_gibbs_steps: usize,
}

/// Measure the label's strength on the up-pass `x` of the training digits.
pub fn measure(
    net: &Dbn,
    x: ArrayView2<f32>,
    labels: &[usize],
    config: &LabelStrengthConfig,
    seed: u64,
) -> Result<LabelStrength> {
    let units = net.labels().expect("the dbn-mnist net has label units");
    let from_h2 = x.dot(&net.top().weights.t());
    let from_label = dbn::one_hot(labels, units.n_labels()).dot(&units.weights.t());
    let mean_sd =
        |input: Array2<f32>| f64::from(input.std_axis(Axis(0), 0.0).mean().unwrap_or(0.0));
    let mut amplified = units.clone();
    amplified.weights *= config.gain;
    let sampler = Dbn::new(net.layers().to_vec(), Some(amplified))?;
    Ok(LabelStrength {
        input_sd_from_h2: mean_sd(from_h2),
        input_sd_from_label: mean_sd(from_label),
        follows: follows(net, net, config, seed, 0)?,
        follows_with_gain: follows(net, &sampler, config, seed, 1)?,
        gain: config.gain,
        n_chains_per_label: config.n_chains_per_label,
        n_gibbs_steps: config.n_gibbs_steps,
    })
}

/// The fraction of `sampler`'s clamped chains whose last state `net` reads
/// (lowest free energy) as the clamped label.
fn follows(
    net: &Dbn,
    sampler: &Dbn,
    config: &LabelStrengthConfig,
    seed: u64,
    index: u32,
) -> Result<f64> {
    let mut rng = stream(seed, STREAM_LABEL_STRENGTH, index);
    let n_labels = net.n_labels();
    let mut correct = 0;
    for label in 0..n_labels {
        let (x, _) = sampler.sample_top(
            config.n_chains_per_label,
            config.n_gibbs_steps,
            Some(label),
            &mut rng,
        )?;
        let free_energies = net.label_free_energies(x.view())?;
        for row in free_energies.rows() {
            let lowest = (0..n_labels).fold(0, |best, l| if row[l] < row[best] { l } else { best });
            correct += usize::from(lowest == label);
        }
    }
    Ok(correct as f64 / (n_labels * config.n_chains_per_label) as f64)
}

/// The sentence of the summary, every number from `s`, and its verdict:
/// the label is too weak when the amplified chains follow it by at least
/// half of all chains more than the plain ones.
pub fn sentence(s: &LabelStrength) -> String {
    let verdict = if s.follows_with_gain >= s.follows + 0.5 {
        "So the label weights that greedy training learns are too weak to steer the chain; \
         amplified, they do."
    } else {
        "So the strength of the label weights alone does not explain how the chains behave."
    };
    let numbers = format!(
        "Why? Over the training digits, the input a top hidden unit receives from h_2 varies \
         with a standard deviation of {:.2} on average, the input from the label with {:.2}. \
         In chains of {} Gibbs steps ({} per label), the trained net reads {:.0}% of the final \
         states of h_2 as the clamped label (the label of lowest free energy, eq. 10.8); with the \
         label weights multiplied by {} for sampling only, {:.0}%.\n",
        s.input_sd_from_h2,
        s.input_sd_from_label,
        super::thousands(s.n_gibbs_steps),
        s.n_chains_per_label,
        100.0 * s.follows,
        s.gain,
        100.0 * s.follows_with_gain,
    );
    format!("{} {verdict}\n", numbers.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbn::Labels;
    use ndarray::array;
    use rbm::Rbm;

    #[test]
    fn the_spreads_are_those_of_w_x_and_of_u_l() {
        // Top RBM: x of 2 units, 2 hidden units; labels 0, 1 alternate.
        let mut top = Rbm::zeros(2, 2);
        top.weights = array![[1.0, 0.0], [0.0, 3.0]];
        let labels = Labels {
            bias: array![0.0, 0.0],
            weights: array![[2.0, -2.0], [0.0, 1.0]],
        };
        let net = Dbn::new(vec![Rbm::zeros(3, 2), top], Some(labels)).unwrap();
        let x = array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]];
        let config = LabelStrengthConfig {
            gain: 2.0,
            n_chains_per_label: 3,
            n_gibbs_steps: 2,
        };
        let s = measure(&net, x.view(), &[0, 1, 0, 1], &config, 1).unwrap();
        // (W x)_1 is 1, 0, 1, 0 (sd 0.5), (W x)_2 is 0, 3, 0, 3 (sd 1.5).
        assert!((s.input_sd_from_h2 - 1.0).abs() < 1e-6, "{s:?}");
        // U_{1 l} is 2, -2, ... (sd 2), U_{2 l} is 0, 1, ... (sd 0.5).
        assert!((s.input_sd_from_label - 1.25).abs() < 1e-6, "{s:?}");
        for f in [s.follows, s.follows_with_gain] {
            assert!((f * 6.0 - (f * 6.0).round()).abs() < 1e-9, "{f}");
        }
    }
}
