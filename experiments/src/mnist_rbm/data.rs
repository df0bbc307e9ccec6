//! The shipped digits, binarised once.

use std::path::Path;

use anyhow::{Context, Result, bail};
use ndarray::{Array2, s};

use super::config::{Binarize, DataConfig};
use super::{STREAM_BINARIZE, stream};

/// Binary digits, one per row, 0 or 1 in f32.
#[derive(Clone, Debug)]
pub struct Digits {
    pub train: Array2<f32>,
    pub test: Array2<f32>,
    /// The same test digits binarised in other ways (name, digits): a
    /// second stochastic draw and thresholding at 0.5, to measure how much
    /// the binarisation alone moves a test log-probability.
    pub test_binarisations: Vec<(String, Array2<f32>)>,
    /// (rows, cols) of one image: (28, 28).
    pub image_shape: (usize, usize),
}

impl Digits {
    /// The first `test.nrows()` training digits: a training subset the same
    /// size as the test set, for the free-energy gap.
    pub fn train_subset(&self) -> ndarray::ArrayView2<'_, f32> {
        let n = self.test.nrows().min(self.train.nrows());
        self.train.slice(s![..n, ..])
    }
}

/// Load `config.folder` (relative to `root` unless absolute), keep the first
/// `n_train` / `n_test` digits, and binarise them as configured.
pub fn load(config: &DataConfig, root: &Path, seed: u64) -> Result<Digits> {
    let folder = root.join(&config.folder);
    let (train, _, image_shape) =
        datasets::load_idx_folder(&folder, "train").with_context(|| {
            format!(
                "loading the training digits (data.folder = {:?})",
                config.folder
            )
        })?;
    let (test, _, _) = datasets::load_idx_folder(&folder, "t10k").with_context(|| {
        format!(
            "loading the test digits (data.folder = {:?})",
            config.folder
        )
    })?;
    for (field, want, have) in [
        ("data.n_train", config.n_train, train.nrows()),
        ("data.n_test", config.n_test, test.nrows()),
    ] {
        if want > have {
            bail!(
                "field `{field}` is {want}, but {} holds only {have} digits of that split",
                folder.display()
            );
        }
    }
    let mut rng = stream(config.binarize.seed_or(seed), STREAM_BINARIZE, 0);
    let mut binarize = |x: Array2<f32>| -> Array2<f32> {
        let x = x.mapv(f64::from);
        let b = match config.binarize {
            Binarize::Threshold { threshold } => datasets::binarize_threshold(x.view(), threshold),
            Binarize::Sample { .. } => datasets::binarize_sample(x.view(), &mut rng),
            Binarize::None => x,
        };
        b.mapv(|v| v as f32)
    };
    let train = binarize(train.slice(s![..config.n_train, ..]).to_owned());
    let test_intensities = test.slice(s![..config.n_test, ..]).mapv(f64::from);
    let test = binarize(test.slice(s![..config.n_test, ..]).to_owned());
    Ok(Digits {
        train,
        test,
        test_binarisations: other_binarisations(test_intensities.view(), seed),
        image_shape,
    })
}

/// The test digits binarised by a second, independent stochastic draw and
/// by thresholding at 0.5, whatever the configuration used for training.
fn other_binarisations(
    intensities: ndarray::ArrayView2<f64>,
    seed: u64,
) -> Vec<(String, Array2<f32>)> {
    let mut rng = stream(seed, STREAM_BINARIZE, 1);
    let draw = datasets::binarize_sample(intensities, &mut rng);
    let threshold = datasets::binarize_threshold(intensities, 0.5);
    vec![
        ("a second stochastic draw".into(), draw.mapv(|v| v as f32)),
        ("thresholded at 0.5".into(), threshold.mapv(|v| v as f32)),
    ]
}
