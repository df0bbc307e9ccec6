//! The settings of `boltzmann train` and their resolution: a TOML file,
//! then the flags (flags win), then the checks. Every value on its own is
//! checked by the value types of the `config` crate as the file is read;
//! the same types check the flags here.

use std::path::{Path, PathBuf};

use config::{FieldError, PositiveCount, ProperFraction};
use rbm::{Estimator, RbmError, TrainConfig};
use serde::{Deserialize, Serialize};

use crate::report::BadInput;

/// The flags that set what the file can set.
#[derive(Debug, clap::Args)]
pub struct SettingFlags {
    /// The data: a CSV file (one example per line, values in [0, 1]) or an
    /// MNIST-style folder of IDX files (its train split; t10k is held out).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,

    /// Hidden units.
    #[arg(long, value_name = "N")]
    hidden: Option<usize>,

    /// CD-K: K Gibbs steps from the data per update.
    #[arg(long, value_name = "K", conflicts_with = "pcd")]
    cd: Option<usize>,

    /// Persistent CD with one Gibbs step and one chain per example of a minibatch.
    #[arg(long)]
    pcd: bool,

    #[arg(long, value_name = "N")]
    epochs: Option<usize>,

    #[arg(long, value_name = "N")]
    batch_size: Option<usize>,

    /// The learning rate.
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    lr: Option<f32>,

    /// Momentum for every epoch (sets both initial and final momentum).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    momentum: Option<f32>,

    /// L2 weight decay on the weights.
    #[arg(long, value_name = "DECAY", allow_negative_numbers = true)]
    weight_decay: Option<f32>,

    /// Seeds the initial weights, the shuffling and every Gibbs sample.
    #[arg(long)]
    seed: Option<u64>,

    /// Where to write the trained model (TOML, format = "rbm").
    #[arg(long, value_name = "MODEL.toml")]
    out: Option<PathBuf>,
}

/// How intensities become binary values: the `config` crate's, with an
/// f32 threshold; `boltzmann train` needs the seed of `kind = "sample"`.
pub type Binarize = config::Binarize<f32>;

/// The configuration file. Every field has a default except `data`,
/// `n_hidden` and `out`, which may also come from flags.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    data: Option<PathBuf>,
    n_hidden: Option<PositiveCount>,
    out: Option<PathBuf>,
    binarize: Option<Binarize>,
    /// Fraction of a CSV file's examples (its last rows) held out for the
    /// free-energy gap; an IDX folder holds out its t10k split instead.
    held_out_fraction: Option<ProperFraction>,
    train: Option<TrainConfig>,
}

/// Everything that decides the trained model; stored in the checkpoint and
/// compared on `--resume`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Settings {
    pub data: PathBuf,
    pub n_hidden: usize,
    pub binarize: Binarize,
    pub held_out_fraction: f64,
    pub train: TrainConfig,
}

/// Merge the configuration file (if any) and the flags (flags win), then
/// check. Returns the settings and the model file to write.
pub fn resolve(config: Option<&Path>, flags: &SettingFlags) -> anyhow::Result<(Settings, PathBuf)> {
    let file = match config {
        Some(path) => read_config(path)?,
        None => ConfigFile::default(),
    };
    let origin = config.map_or("the command line".to_string(), |p| p.display().to_string());
    let missing = |flag: &str, field: &str| {
        BadInput(format!(
            "{origin}: no {field}; give --{flag} or set `{field}` in a configuration file"
        ))
    };
    let data = flags
        .data
        .clone()
        .or(file.data)
        .ok_or_else(|| missing("data", "data"))?;
    let n_hidden = flags
        .hidden
        .or(file.n_hidden.map(PositiveCount::get))
        .ok_or_else(|| missing("hidden", "n_hidden"))?;
    let out = flags
        .out
        .clone()
        .or(file.out)
        .ok_or_else(|| missing("out", "out"))?;
    let mut train = file.train.unwrap_or_default();
    apply_flags(flags, &mut train);
    let settings = Settings {
        data,
        n_hidden,
        binarize: file
            .binarize
            .unwrap_or(Binarize::Threshold { threshold: 0.5 }),
        held_out_fraction: file.held_out_fraction.map_or(0.0, ProperFraction::get),
        train,
    };
    check(&settings).map_err(|problem| BadInput(format!("{origin}: {problem}")))?;
    Ok((settings, out))
}

fn read_config(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let problem = format!("{}: {e}", path.display());
        match e.kind() {
            std::io::ErrorKind::NotFound => anyhow::Error::from(BadInput(problem)),
            _ => anyhow::anyhow!(problem),
        }
    })?;
    config::from_toml_str(&text).map_err(|e| BadInput(format!("{}: {e}", path.display())).into())
}

fn apply_flags(flags: &SettingFlags, train: &mut TrainConfig) {
    if let Some(k) = flags.cd {
        train.estimator = Estimator::Cd { k };
    }
    if let Some(epochs) = flags.epochs {
        train.epochs = epochs;
    }
    if let Some(batch_size) = flags.batch_size {
        train.batch_size = batch_size;
    }
    if flags.pcd {
        train.estimator = Estimator::Pcd {
            k: 1,
            n_chains: train.batch_size,
        };
    }
    if let Some(lr) = flags.lr {
        train.learning_rate = lr;
    }
    if let Some(m) = flags.momentum {
        (train.initial_momentum, train.final_momentum) = (m, m);
    }
    if let Some(decay) = flags.weight_decay {
        train.weight_decay = decay;
    }
    if let Some(seed) = flags.seed {
        train.seed = seed;
    }
}

/// Each problem names the field (as in the configuration file). The file's
/// values were checked as it was read; these checks cover the flags too.
fn check(settings: &Settings) -> Result<(), String> {
    settings.train.check().map_err(|e| match e {
        RbmError::Config { field, problem } => {
            FieldError::new(field, problem).within("train").to_string()
        }
        other => other.to_string(),
    })?;
    PositiveCount::new(settings.n_hidden).map_err(|e| format!("{}; try 100", e.at("n_hidden")))?;
    ProperFraction::new(settings.held_out_fraction)
        .map_err(|e| format!("{}; try 0.1", e.at("held_out_fraction")))?;
    match settings.binarize {
        Binarize::Threshold { threshold } => {
            ProperFraction::new(threshold)
                .map_err(|e| format!("{}; try 0.5", e.at("binarize.threshold")))?;
        }
        Binarize::Sample { seed: None } => {
            return Err(FieldError::new(
                "binarize",
                "kind = \"sample\" takes `seed` here (e.g. seed = 1)",
            )
            .to_string());
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `boltzmann train` has no seed of its own for the binarisation: a
    /// `kind = "sample"` without `seed` is refused, naming `binarize`.
    #[test]
    fn sampled_binarisation_needs_its_seed() {
        let mut settings = Settings {
            data: PathBuf::from("d.csv"),
            n_hidden: 4,
            binarize: Binarize::Sample { seed: Some(1) },
            held_out_fraction: 0.0,
            train: TrainConfig::default(),
        };
        assert_eq!(check(&settings), Ok(()));
        settings.binarize = Binarize::Sample { seed: None };
        let message = check(&settings).unwrap_err();
        assert!(
            message.starts_with("field `binarize`: kind = \"sample\" takes `seed`"),
            "{message}"
        );
    }

    /// `binarize` is checked as the file is read, naming `binarize.threshold`
    /// (a tagged enum would have lost the value's position); it is written
    /// back in the same form.
    #[test]
    fn binarize_is_checked_as_it_is_read() {
        let read =
            |value: &str| config::from_toml_str::<ConfigFile>(&format!("binarize = {value}\n"));
        for (value, expected) in [
            (
                "{ kind = \"threshold\", threshold = 0.25 }",
                Binarize::Threshold { threshold: 0.25 },
            ),
            (
                "{ kind = \"sample\", seed = 3 }",
                Binarize::Sample { seed: Some(3) },
            ),
            ("{ kind = \"none\" }", Binarize::None),
        ] {
            assert_eq!(read(value).unwrap().binarize, Some(expected));
            #[derive(Serialize)]
            struct Written {
                binarize: Binarize,
            }
            let written = toml::to_string(&Written { binarize: expected }).unwrap();
            let again = config::from_toml_str::<ConfigFile>(&written).unwrap();
            assert_eq!(again.binarize, Some(expected), "{written}");
        }
        // The other refusals are the `config` crate's (`config::Binarize`'s tests);
        // here, that a bad value in this file is named where it stands.
        let message = read("{ kind = \"threshold\", threshold = 1.5 }")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("field `binarize.threshold`: is 1.5;"),
            "{message}"
        );
    }
}
