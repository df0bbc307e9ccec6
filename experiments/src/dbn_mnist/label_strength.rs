//! Why a clamped label does or does not steer the top RBM's chain: how
//! strongly the label drives the top hidden units next to h_2; whether chains
//! started at digits of the clamped class stay in it; what parallel
//! tempering, which moves between the modes, finds for p(x | l); and whether
//! the chains follow the label once its weights U are multiplied by a gain
//! (eq. 10.14, for sampling only: the readout uses the trained net).

use anyhow::Result;
use dbn::Dbn;
use ndarray::{Array2, ArrayView2, Axis};
use rand_chacha::ChaCha8Rng;
use rbm::{ParallelTempering, TemperatureLadder};
use serde::{Deserialize, Serialize};

use crate::config::FieldError;
use crate::streams::stream;

const STREAM_LABEL_STRENGTH: u32 = 15;

/// In TOML: `[label_strength]` with `gains`, `n_chains_per_label`,
/// `n_gibbs_steps` and an optional `tempering` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelStrengthConfig {
    /// The factors the label weights U are multiplied by, one run each.
    pub gains: Vec<f32>,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains_per_label: usize,
    pub n_gibbs_steps: usize,
    /// Parallel tempering on the clamped top RBM (`Dbn::clamped_top`).
    #[serde(default)]
    pub tempering: Option<TemperingProbe>,
}

impl LabelStrengthConfig {
    /// Refuse settings that cannot measure anything, naming the field.
    pub fn check(&self) -> Result<(), FieldError> {
        if let Some(g) = self.gains.iter().find(|g| !(g.is_finite() && **g > 0.0)) {
            let problem = format!("holds {g}; every gain must be a finite number > 0");
            return Err(FieldError::new("label_strength.gains", problem));
        }
        let Some(t) = &self.tempering else {
            return Ok(());
        };
        let problem = if t.n_temperatures < 2 {
            Some((
                "n_temperatures",
                "must be at least 2: tempering swaps between temperatures",
            ))
        } else if t.n_sweeps == 0 {
            Some(("n_sweeps", "must be at least 1"))
        } else if !(t.lowest_beta > 0.0 && t.lowest_beta < 1.0) {
            Some(("lowest_beta", "must lie strictly between 0 and 1"))
        } else {
            None
        };
        match problem {
            Some((field, p)) => Err(FieldError::new(
                format!("label_strength.tempering.{field}"),
                p,
            )),
            None => Ok(()),
        }
    }
}

/// `tempering = { n_temperatures = 12, lowest_beta = 0.4, n_sweeps = 300 }`:
/// a geometric ladder from beta = 1 down to `lowest_beta`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TemperingProbe {
    pub n_temperatures: usize,
    pub lowest_beta: f64,
    pub n_sweeps: usize,
}

/// The chains under U multiplied by `gain`: the fraction read as the clamped label.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GainRun {
    pub gain: f32,
    pub follows: f64,
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
    /// Chains from the usual start whose last x has the clamped label as
    /// its most probable one under the trained net, p(l | x) of eq. (10.8).
    pub follows: f64,
    /// The same for chains started at the up-pass of training digits of
    /// the clamped class.
    pub follows_from_own_class: f64,
    /// The same for the beta = 1 chains of parallel tempering.
    pub follows_tempered: Option<f64>,
    /// The lowest swap rate between neighbouring temperatures, over all
    /// labels and pairs: near 0 means tempering did not connect the ladder.
    pub lowest_swap_rate: Option<f64>,
    pub with_gain: Vec<GainRun>,
    pub n_chains_per_label: usize,
    pub n_gibbs_steps: usize,
    pub tempering: Option<TemperingProbe>,
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
    let with_gain = config
        .gains
        .iter()
        .enumerate()
        .map(|(k, &gain)| {
            let sampler = net.with_label_gain(gain)?;
            let follows = follows(net, &sampler, config, seed, 2 + k as u32)?;
            Ok(GainRun { gain, follows })
        })
        .collect::<Result<Vec<_>>>()?;
    let (follows_tempered, lowest_swap_rate) = match &config.tempering {
        Some(t) => {
            let (f, rate) = follows_tempered(net, config, t, seed)?;
            (Some(f), Some(rate))
        }
        None => (None, None),
    };
    Ok(LabelStrength {
        input_sd_from_h2: mean_sd(from_h2),
        input_sd_from_label: mean_sd(from_label),
        follows: follows(net, net, config, seed, 0)?,
        follows_from_own_class: follows_from_own_class(net, x, labels, config, seed)?,
        follows_tempered,
        lowest_swap_rate,
        with_gain,
        n_chains_per_label: config.n_chains_per_label,
        n_gibbs_steps: config.n_gibbs_steps,
        tempering: config.tempering.clone(),
    })
}

/// How many rows of `x` the net reads (lowest free energy) as `label`.
fn read_as(net: &Dbn, x: ArrayView2<f32>, label: usize) -> Result<usize> {
    let free_energies = net.label_free_energies(x)?;
    let lowest = |row: ndarray::ArrayView1<f32>| {
        (0..row.len()).fold(0, |best, l| if row[l] < row[best] { l } else { best })
    };
    Ok(free_energies
        .rows()
        .into_iter()
        .filter(|row| lowest(*row) == label)
        .count())
}

/// The fraction of `sampler`'s clamped chains whose last state `net` reads
/// as the clamped label.
fn follows(
    net: &Dbn,
    sampler: &Dbn,
    config: &LabelStrengthConfig,
    seed: u64,
    index: u32,
) -> Result<f64> {
    let mut rng = stream(seed, STREAM_LABEL_STRENGTH, index);
    let mut correct = 0;
    for label in 0..net.n_labels() {
        let (x, _) = sampler.sample_top(
            config.n_chains_per_label,
            config.n_gibbs_steps,
            Some(label),
            &mut rng,
        )?;
        correct += read_as(net, x.view(), label)?;
    }
    Ok(correct as f64 / (net.n_labels() * config.n_chains_per_label) as f64)
}

/// Chains of the clamped top RBM started at the up-pass (probabilities) of
/// the first `n_chains_per_label` training digits of the clamped class.
fn follows_from_own_class(
    net: &Dbn,
    x: ArrayView2<f32>,
    labels: &[usize],
    config: &LabelStrengthConfig,
    seed: u64,
) -> Result<f64> {
    let mut rng: ChaCha8Rng = stream(seed, STREAM_LABEL_STRENGTH, 1);
    let (mut correct, mut total) = (0, 0);
    for label in 0..net.n_labels() {
        let rows: Vec<usize> = (0..labels.len())
            .filter(|&n| labels[n] == label)
            .take(config.n_chains_per_label)
            .collect();
        let clamped = net.clamped_top(label)?;
        let start = x.select(Axis(0), &rows);
        let chains = rbm::gibbs_chain(&clamped, start.view(), config.n_gibbs_steps, &mut rng);
        correct += read_as(net, chains.view(), label)?;
        total += rows.len();
    }
    Ok(correct as f64 / total.max(1) as f64)
}

/// Parallel tempering on each clamped top RBM: the fraction of its beta = 1
/// chains read as the clamped label, and the lowest swap rate seen.
fn follows_tempered(
    net: &Dbn,
    config: &LabelStrengthConfig,
    t: &TemperingProbe,
    seed: u64,
) -> Result<(f64, f64)> {
    let mut rng = stream(seed, STREAM_LABEL_STRENGTH, 100);
    let (mut correct, mut lowest_rate) = (0, f64::INFINITY);
    for label in 0..net.n_labels() {
        let clamped = net.clamped_top(label)?;
        let ladder = TemperatureLadder::geometric(t.n_temperatures, t.lowest_beta)?;
        let mut tempering =
            ParallelTempering::new(&clamped, ladder, config.n_chains_per_label, &mut rng)?;
        for _ in 0..t.n_sweeps {
            tempering.sweep(&clamped, &mut rng);
        }
        correct += read_as(net, tempering.samples(), label)?;
        lowest_rate = tempering
            .swap_rates()
            .into_iter()
            .fold(lowest_rate, f64::min);
    }
    let fraction = correct as f64 / (net.n_labels() * config.n_chains_per_label) as f64;
    // check() asks for 2 temperatures and 1 sweep, so every pair was proposed.
    Ok((fraction, lowest_rate))
}

/// The sentences of the summary, every number from `s`, and the verdicts.
pub fn sentence(s: &LabelStrength) -> String {
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let mut text = format!(
        "Why? Over the training digits, the input a top hidden unit receives from h_2 varies \
         with a standard deviation of {:.2} on average, the input from the label with {:.2}. \
         The chains below run {} per label with the label clamped, for {} Gibbs steps unless \
         said otherwise; the trained net reads their final states of h_2 (the label of lowest \
         free energy, eq. 10.8). From the usual start, {} are read as the clamped label; \
         started at digits of the clamped class, {}.",
        s.input_sd_from_h2,
        s.input_sd_from_label,
        s.n_chains_per_label,
        super::thousands(s.n_gibbs_steps),
        pct(s.follows),
        pct(s.follows_from_own_class),
    );
    if let (Some(t), Some(f), Some(rate)) = (&s.tempering, s.follows_tempered, s.lowest_swap_rate) {
        text += &format!(
            " Parallel tempering on the clamped top RBM ({} temperatures down to beta = {}, {} \
             sweeps, lowest swap rate {:.2}), which can move between modes that a plain chain \
             cannot leave, gives {}. {}",
            t.n_temperatures,
            t.lowest_beta,
            super::thousands(t.n_sweeps),
            rate,
            pct(f),
            tempering_verdict(s, f, rate),
        );
    }
    let gains: Vec<String> = s
        .with_gain
        .iter()
        .map(|g| format!("{} with gain {}", pct(g.follows), g.gain))
        .collect();
    if !gains.is_empty() {
        text += &format!(
            "\n\nWith the label weights U multiplied by a gain for sampling only (eq. 10.14): {}.",
            gains.join(", ")
        );
    }
    text + "\n"
}

/// What the tempered chains suggest about the sampler and the model. Two
/// fractions differ only when they are more than two binomial standard
/// errors (at p = 1/2) apart; a swap rate above 0 does not prove that the
/// ladder mixes, so the verdicts say "suggest", not "prove".
fn tempering_verdict(s: &LabelStrength, tempered: f64, lowest_rate: f64) -> &'static str {
    let n_chains = (s.n_chains_per_label * 10) as f64;
    let margin = 1.0 / n_chains.sqrt();
    if lowest_rate.is_nan() || lowest_rate < 0.01 {
        "Some neighbouring temperatures almost never swapped, so tempering may not have mixed \
         either, and this number proves little."
    } else if tempered > s.follows + margin {
        "Tempering follows the label more often than the plain chains, so at least part of \
         the failure is slow mixing, not the model."
    } else if tempered >= 0.5 {
        "The chains follow the label with or without tempering."
    } else if s.follows_from_own_class > tempered + margin {
        "Chains started inside the class stay there more often, but tempering agrees with the \
         plain chains: this suggests that the class is a region a chain can stay in while most \
         of the mass of the trained top RBM's p(h_2 | l) lies in states the net reads as other \
         labels, so that the sampler alone does not explain the failure."
    } else {
        "Neither tempering nor a start inside the class makes the chains follow the label more \
         often. This suggests that most of the mass of the trained top RBM's p(h_2 | l) lies in \
         states the net reads as other labels, so that the sampler alone does not explain the \
         failure (a longer ladder or more sweeps could still change the tempered number)."
    }
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
            gains: vec![2.0],
            n_chains_per_label: 3,
            n_gibbs_steps: 2,
            tempering: Some(TemperingProbe {
                n_temperatures: 3,
                lowest_beta: 0.5,
                n_sweeps: 2,
            }),
        };
        let s = measure(&net, x.view(), &[0, 1, 0, 1], &config, 1).unwrap();
        // (W x)_1 is 1, 0, 1, 0 (sd 0.5), (W x)_2 is 0, 3, 0, 3 (sd 1.5).
        assert!((s.input_sd_from_h2 - 1.0).abs() < 1e-6, "{s:?}");
        // U_{1 l} is 2, -2, ... (sd 2), U_{2 l} is 0, 1, ... (sd 0.5).
        assert!((s.input_sd_from_label - 1.25).abs() < 1e-6, "{s:?}");
        let tempered = s.follows_tempered.unwrap();
        for f in [
            s.follows,
            s.follows_from_own_class,
            tempered,
            s.with_gain[0].follows,
        ] {
            assert!((f * 6.0 - (f * 6.0).round()).abs() < 1e-9, "{f}");
        }
    }
}
