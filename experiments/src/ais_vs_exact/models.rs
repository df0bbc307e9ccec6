//! The models whose log Z is estimated: RBMs trained on real digits and on
//! bars-and-stripes, small enough in their hidden layer that `bm_exact`
//! computes log Z exactly. Training is deterministic (the seeds of the
//! configuration), so the test can rebuild every model with [`train_all`].

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ndarray::{Array1, Array2, s};
use rbm::{Rbm, Trainer};
use serde::{Deserialize, Serialize};

use super::config::{AisVsExactConfig, BarsModel, MnistModel};

/// A trained model, its training data and its exact log Z.
pub struct TrainedModel {
    pub summary: ModelSummary,
    pub rbm: Rbm,
    /// The visible bias of the base-rate model (AIS starts there).
    pub base_visible_bias: Array1<f32>,
}

/// What the JSON records of each model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSummary {
    pub name: String,
    pub data: String,
    pub n_examples: usize,
    pub n_visible: usize,
    pub n_hidden: usize,
    /// The Frobenius norm of W: larger weights, harder AIS.
    pub weight_norm: f64,
    /// log Z by enumeration (eq. 3.1), from the f32 parameters widened to f64.
    pub exact_log_partition: f64,
    /// The exact mean log-likelihood of the training data, eq. (4.1).
    pub exact_log_likelihood: f64,
    /// log Z_A of the base-rate model.
    pub base_log_partition: f64,
}

/// The workspace root: the folder above the experiments package.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the experiments package sits inside the workspace")
        .to_path_buf()
}

/// Every model of the configuration, in order: the MNIST models, then bars.
pub fn train_all(config: &AisVsExactConfig) -> Result<Vec<TrainedModel>> {
    let mut models = Vec::new();
    for m in &config.mnist {
        models.push(train_mnist(m)?);
    }
    models.push(train_bars(&config.bars)?);
    Ok(models)
}

fn train_mnist(m: &MnistModel) -> Result<TrainedModel> {
    let folder = workspace_root().join(&m.folder);
    let (images, _, _) = datasets::load_idx_folder(&folder, "train")
        .with_context(|| format!("loading the digits of {}", m.name))?;
    let n = m.n_examples.min(images.nrows());
    let threshold = m.threshold as f32;
    let data = images
        .slice(s![..n, ..])
        .mapv(|x| if x > threshold { 1.0 } else { 0.0 });
    let description = format!(
        "first {n} digits of {}, binarised at {}",
        m.folder, m.threshold
    );
    train(&m.name, description, data, m.n_hidden, &m.train)
}

fn train_bars(b: &BarsModel) -> Result<TrainedModel> {
    let data = datasets::bars_and_stripes(b.side, b.side).mapv(|x| x as f32);
    let description = format!("all {}x{} bars-and-stripes images", b.side, b.side);
    train(&b.name, description, data, b.n_hidden, &b.train)
}

/// Hinton's initialisation, `train.epochs` epochs of the configured
/// estimator, then the exact quantities.
pub fn train(
    name: &str,
    description: String,
    data: Array2<f32>,
    n_hidden: usize,
    train: &rbm::TrainConfig,
) -> Result<TrainedModel> {
    // Not stream 0 of `train.seed`: the trainer starts its PCD chains there.
    let mut rng = crate::streams::stream(train.seed, super::STREAM_INIT, 0);
    let rbm = Rbm::initialise(n_hidden, data.view(), &mut rng);
    let mut trainer = Trainer::new(rbm, train.clone())?;
    trainer.train(data.view())?;
    let rbm = trainer.into_rbm();
    let exact = rbm.to_exact()?;
    let exact_log_partition = exact.log_partition()?;
    let exact_log_likelihood = exact.mean_log_likelihood(data.mapv(f64::from).view())?;
    let base_visible_bias = rbm::base_rate_visible_bias(data.view());
    let summary = ModelSummary {
        name: name.to_string(),
        data: description,
        n_examples: data.nrows(),
        n_visible: rbm.n_visible(),
        n_hidden,
        weight_norm: rbm
            .weights
            .iter()
            .map(|w| f64::from(*w).powi(2))
            .sum::<f64>()
            .sqrt(),
        exact_log_partition,
        exact_log_likelihood,
        base_log_partition: rbm::base_log_partition(base_visible_bias.view(), n_hidden),
    };
    Ok(TrainedModel {
        summary,
        rbm,
        base_visible_bias,
    })
}
