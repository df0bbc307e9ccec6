//! Long block-Gibbs chains (eq. 5.1) from random states: what the model
//! believes digits look like.

use ndarray::{Array2, Axis};
use rand::Rng;
use rbm::Rbm;
use serde::{Deserialize, Serialize};

/// What the chains of one model did; the images go to the PNG.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSummary {
    pub model: String,
    /// Gibbs steps done at each snapshot.
    pub steps: Vec<usize>,
    /// Mean free energy (eq. 2.3) of the chains' visible states at each
    /// snapshot; compare with that of the test digits.
    pub mean_free_energy: Vec<f64>,
    /// Mean number of pixels on at each snapshot.
    pub mean_pixels_on: Vec<f64>,
}

/// Run `n_chains` chains from uniformly random binary states for
/// `n_snapshots * snapshot_every` steps. Returns the summary and the images:
/// p(v | h) (eq. 2.8) at every snapshot, row `chain * n_snapshots + snapshot`.
pub fn run(
    name: &str,
    rbm: &Rbm,
    n_chains: usize,
    n_snapshots: usize,
    snapshot_every: usize,
    rng: &mut impl Rng,
) -> (ChainSummary, Array2<f32>) {
    let n_visible = rbm.n_visible();
    let mut v = Array2::from_shape_simple_fn((n_chains, n_visible), || {
        if rng.random::<bool>() { 1.0f32 } else { 0.0 }
    });
    let mut images = Array2::zeros((n_chains * n_snapshots, n_visible));
    let mut summary = ChainSummary {
        model: name.to_string(),
        steps: Vec::new(),
        mean_free_energy: Vec::new(),
        mean_pixels_on: Vec::new(),
    };
    for snapshot in 0..n_snapshots {
        let mut probabilities = Array2::zeros((0, n_visible));
        for _ in 0..snapshot_every {
            let h = rbm::sample_bernoulli(rbm.hidden_probabilities(v.view()).view(), rng);
            probabilities = rbm.visible_probabilities(h.view());
            v = rbm::sample_bernoulli(probabilities.view(), rng);
        }
        for (chain, p) in probabilities.axis_iter(Axis(0)).enumerate() {
            images.row_mut(chain * n_snapshots + snapshot).assign(&p);
        }
        summary.steps.push((snapshot + 1) * snapshot_every);
        let free_energy = rbm.free_energy(v.view());
        summary
            .mean_free_energy
            .push(free_energy.iter().map(|&f| f64::from(f)).sum::<f64>() / n_chains as f64);
        summary
            .mean_pixels_on
            .push(v.iter().map(|&x| f64::from(x)).sum::<f64>() / n_chains as f64);
    }
    (summary, images)
}

/// The rows of W (the filters) of the first `n` hidden units, each scaled
/// by its own largest |w| so that 0 is mid grey, positive weights light and
/// negative weights dark.
pub fn filter_images(rbm: &Rbm, n: usize) -> Array2<f32> {
    let mut images = rbm.weights.slice(ndarray::s![..n, ..]).to_owned();
    for mut row in images.rows_mut() {
        let scale = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = if scale > 0.0 { scale } else { 1.0 };
        row.mapv_inplace(|w| 0.5 + 0.5 * w / scale);
    }
    images
}
