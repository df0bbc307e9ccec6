//! The ebm-digits experiment: an MLP energy (swish) trained by maximum
//! likelihood with Langevin negatives and a replay buffer (eq. 11.10) on the
//! shipped MNIST digits, then used as an anomaly detector, "low energy =
//! normal", against a Bernoulli RBM's free energy (eq. 2.3) as the baseline.
//!
//! 1. data loading: the digits of `data/mnist-10k` as intensities in
//!    [0, 1], and the clothes of `data/fashion-mnist-1k`;
//! 2. training: the EBM with `ebm_langevin::Trainer`, whose divergence
//!    detector's log goes into the JSON; the RBM with `rbm::Trainer`;
//! 3. samples: the replay buffer, and fresh ULA chains from uniform noise;
//! 4. detection: the AUROC (eq. 11.11) of each kind of outlier against the
//!    test digits, for both scores, in one table ([`summary`]).

pub mod config;
pub mod figures;
pub mod outliers;
pub mod summary;

use std::path::Path;

use anyhow::{Context, Result};
use ebm_langevin::anomaly::auroc;
use ebm_langevin::samplers::{CooledSampler, ula};
use ebm_langevin::train::DivergenceEvent;
use ebm_langevin::{Mlp, Trainer};
use ndarray::{Array2, ArrayView2, s};
use serde::{Deserialize, Serialize};

use crate::output::{Outputs, timed};
use crate::streams::stream;
pub use config::EbmDigitsConfig;

pub const NAME: &str = "ebm-digits";
pub const DESCRIPTION: &str = "An MLP energy on the shipped MNIST digits: replay-buffer and fresh-chain samples, and anomaly detection by energy (AUROC) against an RBM's free energy";

const STREAM_OUTLIERS: u32 = 1;
const STREAM_BINARIZE: u32 = 2;
const STREAM_RBM_INIT: u32 = 3;
const STREAM_FRESH: u32 = 4;
const STREAM_COOLED: u32 = 5;

/// The images, one per row, intensities in [0, 1].
pub struct Data {
    pub train: Array2<f64>,
    pub test: Array2<f64>,
    pub fashion: Array2<f64>,
    /// Images are side x side.
    pub side: usize,
}

/// Where the data are and which configuration file asked for them.
pub struct Sources<'a> {
    pub root: &'a Path,
    pub config_path: &'a Path,
}

/// The first `n` images of `split` in the IDX folder `folder`, or an error
/// naming the configuration file and field when it holds fewer.
fn load_split(
    at: &Sources,
    folder: &str,
    split: &str,
    n: usize,
    field: &str,
) -> Result<Array2<f64>> {
    let path = at.root.join(folder);
    let (images, _, _) = datasets::load_idx_folder(&path, split)?;
    if n > images.nrows() {
        return Err(crate::config::ConfigError::Field {
            path: at.config_path.to_path_buf(),
            field: field.into(),
            problem: format!(
                "is {n}, but {} holds only {} {split} images",
                path.display(),
                images.nrows()
            ),
        }
        .into());
    }
    Ok(images.slice(s![..n, ..]).mapv(f64::from))
}

pub fn load_data(config: &EbmDigitsConfig, at: &Sources) -> Result<Data> {
    let d = &config.data;
    let train = load_split(at, &d.folder, "train", d.n_train, "data.n_train")?;
    let test = load_split(at, &d.folder, "t10k", d.n_test, "data.n_test")?;
    let fashion = load_split(at, &d.fashion_folder, "t10k", d.n_fashion, "data.n_fashion")?;
    let side = (train.ncols() as f64).sqrt().round() as usize;
    anyhow::ensure!(
        side * side == train.ncols() && fashion.ncols() == train.ncols(),
        "the digits ({} pixels) and the clothes ({} pixels) must be square images of one size",
        train.ncols(),
        fashion.ncols()
    );
    Ok(Data {
        train,
        test,
        fashion,
        side,
    })
}

/// The training curves and the divergence detector's log.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TrainingLog {
    pub iterations: Vec<usize>,
    pub mean_positive_energy: Vec<f64>,
    pub mean_negative_energy: Vec<f64>,
    pub grad_norm: Vec<f64>,
    /// Every divergence caught and rolled back (an unrecovered one stops
    /// the run with an error instead).
    pub divergences: Vec<DivergenceEvent>,
}

// ANCHOR: train_digits
/// Maximum likelihood with Langevin negatives from the replay buffer,
/// eq. (11.10), on the training digits.
pub fn train_ebm(
    config: &EbmDigitsConfig,
    train: ArrayView2<f64>,
) -> Result<(Trainer, TrainingLog)> {
    let mut trainer = Trainer::new(config.ebm.clone(), train)?;
    let mut log = TrainingLog {
        iterations: Vec::new(),
        mean_positive_energy: Vec::new(),
        mean_negative_energy: Vec::new(),
        grad_norm: Vec::new(),
        divergences: Vec::new(),
    };
    while trainer.iteration < config.ebm.n_iterations {
        let report = trainer.step(train)?;
        if let Some(r) = report.filter(|r| r.iteration % config.log_every == 0) {
            log.iterations.push(r.iteration);
            log.mean_positive_energy.push(r.mean_positive_energy);
            log.mean_negative_energy.push(r.mean_negative_energy);
            log.grad_norm.push(r.grad_norm);
        }
    }
    log.divergences = trainer.events.clone();
    Ok((trainer, log))
}
// ANCHOR_END: train_digits

/// The RBM baseline on the same training digits, binarised once by a draw
/// with each intensity as the probability of a 1.
pub fn train_rbm(config: &EbmDigitsConfig, train: ArrayView2<f64>) -> Result<rbm::Rbm> {
    let mut rng = stream(config.seed, STREAM_BINARIZE, 0);
    let binary = datasets::binarize_sample(train, &mut rng).mapv(|v| v as f32);
    let mut init = stream(config.seed, STREAM_RBM_INIT, 0);
    let model = rbm::Rbm::initialise(config.rbm.n_hidden, binary.view(), &mut init);
    let mut trainer = rbm::Trainer::new(model, config.rbm.train.clone())?;
    trainer.train(binary.view())?;
    Ok(trainer.into_rbm())
}

/// The kinds of outliers, each made from the test digits (or drawn), with
/// their names in the table.
pub fn outlier_sets(config: &EbmDigitsConfig, data: &Data) -> Vec<(String, Array2<f64>)> {
    let test = data.test.view();
    let mut rng = stream(config.seed, STREAM_OUTLIERS, 0);
    let o = &config.outliers;
    vec![
        (
            "uniform noise".into(),
            outliers::uniform_noise(test.nrows(), test.ncols(), &mut rng),
        ),
        (
            format!("digits + N(0, {}^2) noise", o.noise_std),
            outliers::with_gaussian_noise(test, o.noise_std, &mut rng),
        ),
        (
            "digits flipped left-right".into(),
            outliers::flipped(test, data.side, false),
        ),
        (
            "digits flipped upside down".into(),
            outliers::flipped(test, data.side, true),
        ),
        (
            format!("digits shrunken x{}", o.shrink_factor),
            outliers::shrunken(test, data.side, o.shrink_factor),
        ),
        ("Fashion-MNIST".into(), data.fashion.clone()),
    ]
}

/// One row of the table: how well each score tells `outlier` from the test
/// digits (AUROC, eq. 11.11; 1 is perfect, 0.5 is chance, below 0.5 means
/// the outliers look *more* likely than the digits).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Detection {
    pub outlier: String,
    pub n: usize,
    pub ebm_auroc: f64,
    pub rbm_auroc: f64,
    pub ebm_mean_energy: f64,
    pub rbm_mean_free_energy: f64,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len().max(1) as f64
}

/// Scores: the EBM's energy and the RBM's free energy (on the same images).
fn scores(model: &Mlp<f64>, baseline: &rbm::Rbm, images: ArrayView2<f64>) -> (Vec<f64>, Vec<f64>) {
    let energy = model.energies(images).to_vec();
    let free = baseline.free_energy(images.mapv(|v| v as f32).view());
    (energy, free.iter().map(|&f| f64::from(f)).collect())
}

pub fn detect(
    model: &Mlp<f64>,
    baseline: &rbm::Rbm,
    test: ArrayView2<f64>,
    sets: &[(String, Array2<f64>)],
) -> Result<(f64, f64, Vec<Detection>)> {
    let (e_test, f_test) = scores(model, baseline, test);
    let rows = sets
        .iter()
        .map(|(name, images)| {
            let (e, f) = scores(model, baseline, images.view());
            Ok(Detection {
                outlier: name.clone(),
                n: images.nrows(),
                ebm_auroc: auroc(&e_test, &e).with_context(|| format!("EBM energies, {name}"))?,
                rbm_auroc: auroc(&f_test, &f)
                    .with_context(|| format!("RBM free energies, {name}"))?,
                ebm_mean_energy: mean(&e),
                rbm_mean_free_energy: mean(&f),
            })
        })
        .collect::<Result<_>>()?;
    Ok((mean(&e_test), mean(&f_test), rows))
}

/// Mean energies of the samples, beside the test digits'.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SampleSummary {
    pub buffer_mean_energy: f64,
    /// ULA steps of the fresh chains, and their mean energy after each.
    pub fresh_steps: Vec<usize>,
    pub fresh_mean_energy: Vec<f64>,
    /// The cooled sampler's temperature s^2 / (2 eps), eq. (11.7), and the
    /// mean energy of its samples.
    pub cooled_temperature: f64,
    pub cooled_mean_energy: f64,
}

/// Fresh ULA chains (eq. 11.5) from uniform noise with the training's step
/// size: their mean energy at each of `fresh_steps`, and the final states.
pub fn fresh_chains(
    config: &EbmDigitsConfig,
    model: &Mlp<f64>,
    n_pixels: usize,
) -> (Vec<f64>, Array2<f64>) {
    let mut rng = stream(config.seed, STREAM_FRESH, 0);
    let mut x = outliers::uniform_noise(config.samples.n_images, n_pixels, &mut rng);
    let mut done = 0;
    let mut energies = Vec::new();
    for &steps in &config.samples.fresh_steps {
        ula(
            model,
            &mut x,
            steps - done,
            config.ebm.langevin_step_size,
            &mut rng,
        );
        done = steps;
        energies.push(mean(&model.energies(x.view()).to_vec()));
    }
    (energies, x)
}

/// The practitioner's sampler (eq. 11.7) from uniform noise, clamped to
/// [0, 1]: a chain at temperature s^2 / (2 eps), far below 1.
pub fn cooled_chains(
    config: &EbmDigitsConfig,
    model: &Mlp<f64>,
    n_pixels: usize,
) -> (CooledSampler, Array2<f64>) {
    let s = &config.samples;
    let sampler = CooledSampler {
        step_size: s.cooled_step_size,
        noise_std: s.cooled_noise_std,
        grad_clip: None,
        clamp: Some((0.0, 1.0)),
    };
    let mut rng = stream(config.seed, STREAM_COOLED, 0);
    let mut x = outliers::uniform_noise(s.n_images, n_pixels, &mut rng);
    for _ in 0..s.cooled_steps {
        sampler.step(model, &mut x, &mut rng);
    }
    (sampler, x)
}

/// Everything the experiment measured: the contents of `ebm-digits.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EbmDigitsResults {
    pub experiment: String,
    pub config: EbmDigitsConfig,
    /// Pixels per image (the network's input width).
    pub n_pixels: usize,
    pub training: TrainingLog,
    pub test_ebm_mean_energy: f64,
    pub test_rbm_mean_free_energy: f64,
    pub detection: Vec<Detection>,
    pub samples: SampleSummary,
}

/// The image grids of the figures, values in [0, 1].
pub struct Images {
    pub buffer: Array2<f64>,
    pub fresh: Array2<f64>,
    pub cooled: Array2<f64>,
}

pub fn compute(config: &EbmDigitsConfig, at: &Sources) -> Result<(EbmDigitsResults, Images)> {
    let data = load_data(config, at)?;
    let (trainer, training) = timed("training the EBM", || train_ebm(config, data.train.view()))?;
    let baseline = timed("training the RBM", || train_rbm(config, data.train.view()))?;
    let sets = outlier_sets(config, &data);
    let (test_e, test_f, detection) = detect(&trainer.model, &baseline, data.test.view(), &sets)?;
    let n = config.samples.n_images;
    let buffer = trainer
        .buffer
        .as_ref()
        .map(|b| {
            b.samples
                .slice(s![..n.min(b.samples.nrows()), ..])
                .to_owned()
        })
        .unwrap_or_else(|| Array2::zeros((0, data.train.ncols())));
    let (fresh_mean_energy, fresh) = fresh_chains(config, &trainer.model, data.train.ncols());
    let (sampler, cooled) = cooled_chains(config, &trainer.model, data.train.ncols());
    let samples = SampleSummary {
        buffer_mean_energy: mean(&trainer.model.energies(buffer.view()).to_vec()),
        fresh_steps: config.samples.fresh_steps.clone(),
        fresh_mean_energy,
        cooled_temperature: sampler.temperature(),
        cooled_mean_energy: mean(&trainer.model.energies(cooled.view()).to_vec()),
    };
    let results = EbmDigitsResults {
        experiment: NAME.into(),
        config: config.clone(),
        n_pixels: data.train.ncols(),
        training,
        test_ebm_mean_energy: test_e,
        test_rbm_mean_free_energy: test_f,
        detection,
        samples,
    };
    Ok((
        results,
        Images {
            buffer,
            fresh,
            cooled,
        },
    ))
}

pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: EbmDigitsConfig = crate::config::load(config_path)?;
    let root = crate::mnist_rbm::workspace_root();
    let at = Sources {
        root: &root,
        config_path,
    };
    let (results, images) = compute(&config, &at)?;
    let side = (images.fresh.ncols() as f64).sqrt().round() as usize;
    let per_row = config.samples.images_per_row;
    let mut outputs = Outputs::new();
    outputs.add_binary_figure(
        format!("{NAME}-buffer.png"),
        figures::grid(&images.buffer, side, per_row)?,
    );
    outputs.add_binary_figure(
        format!("{NAME}-fresh.png"),
        figures::grid(&images.fresh, side, per_row)?,
    );
    outputs.add_binary_figure(
        format!("{NAME}-cooled.png"),
        figures::grid(&images.cooled, side, per_row)?,
    );
    outputs.add_figure(format!("{NAME}-energies.svg"), figures::energies(&results)?);
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(
        format!("{NAME}-setup.md"),
        summary::setup_markdown(&results),
    );
    outputs.add_generated(format!("{NAME}-auroc.md"), summary::markdown(&results));
    Ok(outputs)
}
