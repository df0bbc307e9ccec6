//! How intensities in [0, 1] become binary values, as the CLI's `train` and
//! the `mnist-rbm` experiment read it; the binarisation itself is
//! `datasets::binarize_threshold` / `datasets::binarize_sample`.

use serde::{Deserialize, Serialize};

use crate::values::Real;

/// How intensities become binary values (in TOML:
/// `binarize = { kind = "threshold", threshold = 0.5 }`,
/// `{ kind = "sample" }`, `{ kind = "sample", seed = 1 }` or `{ kind = "none" }`).
/// Generic over the threshold's float type (f32 in the CLI, f64 in the
/// experiments).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(
    try_from = "BinarizeTable<F>",
    into = "BinarizeTable<F>",
    bound = "F: Real"
)]
pub enum Binarize<F: Real> {
    /// 1 where the intensity is above the threshold.
    Threshold { threshold: F },
    /// Each value 1 with probability equal to its intensity; from `seed`, or
    /// where it is `None`, from the seed of the run (a user that has none
    /// refuses `None` in its own checks).
    Sample { seed: Option<u64> },
    /// Keep intensities as they are (used as probabilities).
    None,
}

impl<F: Real> Binarize<F> {
    /// The seed of a sampled binarisation: its own if it has one, else
    /// `run_seed` (also for the other kinds, which draw nothing).
    pub fn seed_or(&self, run_seed: u64) -> u64 {
        match *self {
            Binarize::Sample { seed: Some(seed) } => seed,
            _ => run_seed,
        }
    }
}

/// [`Binarize`] as read and written: a plain table, as for `rbm::Estimator`
/// (a tagged enum would lose the position of a bad value); a threshold
/// outside [0, 1) is refused as it is read, named `binarize.threshold`.
#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields, bound = "F: Real")]
struct BinarizeTable<F: Real> {
    kind: BinarizeKind,
    #[serde(
        default,
        deserialize_with = "crate::de::optional_proper_fraction",
        skip_serializing_if = "Option::is_none"
    )]
    threshold: Option<F>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
enum BinarizeKind {
    Threshold,
    Sample,
    None,
}

impl<F: Real> TryFrom<BinarizeTable<F>> for Binarize<F> {
    type Error = &'static str;

    fn try_from(table: BinarizeTable<F>) -> Result<Self, Self::Error> {
        match (table.kind, table.threshold, table.seed) {
            (BinarizeKind::Threshold, Some(threshold), None) => {
                Ok(Binarize::Threshold { threshold })
            }
            (BinarizeKind::Sample, None, seed) => Ok(Binarize::Sample { seed }),
            (BinarizeKind::None, None, None) => Ok(Binarize::None),
            (BinarizeKind::Threshold, ..) => {
                Err("kind = \"threshold\" takes `threshold` (e.g. 0.5) and nothing else")
            }
            (BinarizeKind::Sample, ..) => {
                Err("kind = \"sample\" takes `seed` (where allowed) and nothing else")
            }
            (BinarizeKind::None, ..) => Err("kind = \"none\" takes no other key"),
        }
    }
}

impl<F: Real> From<Binarize<F>> for BinarizeTable<F> {
    fn from(binarize: Binarize<F>) -> Self {
        let (kind, threshold, seed) = match binarize {
            Binarize::Threshold { threshold } => (BinarizeKind::Threshold, Some(threshold), None),
            Binarize::Sample { seed } => (BinarizeKind::Sample, None, seed),
            Binarize::None => (BinarizeKind::None, None, None),
        };
        Self {
            kind,
            threshold,
            seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct File {
        binarize: Binarize<f64>,
    }

    /// Checked as it is read, naming `binarize.threshold`; written back in
    /// the same form.
    #[test]
    fn binarize_is_checked_as_it_is_read() {
        let read = |value: &str| crate::from_toml_str::<File>(&format!("binarize = {value}\n"));
        for (value, expected) in [
            (
                "{ kind = \"threshold\", threshold = 0.25 }",
                Binarize::Threshold { threshold: 0.25 },
            ),
            ("{ kind = \"sample\" }", Binarize::Sample { seed: None }),
            (
                "{ kind = \"sample\", seed = 3 }",
                Binarize::Sample { seed: Some(3) },
            ),
            ("{ kind = \"none\" }", Binarize::None),
        ] {
            let file = read(value).unwrap();
            assert_eq!(file.binarize, expected);
            let written = toml::to_string(&file).unwrap();
            let again = crate::from_toml_str::<File>(&written).unwrap();
            assert_eq!(again.binarize, expected, "{written}");
        }
        for (value, starts) in [
            (
                "{ kind = \"threshold\", threshold = 1.0 }",
                "field `binarize.threshold`: is 1;",
            ),
            (
                "{ kind = \"threshold\" }",
                "field `binarize`: kind = \"threshold\" takes",
            ),
            (
                "{ kind = \"threshold\", threshold = 0.5, seed = 1 }",
                "field `binarize`: kind = \"threshold\" takes",
            ),
            (
                "{ kind = \"sample\", threshold = 0.5 }",
                "field `binarize`: kind = \"sample\" takes",
            ),
            (
                "{ kind = \"none\", seed = 1 }",
                "field `binarize`: kind = \"none\" takes",
            ),
            ("{ kind = \"coin\" }", "field `binarize.kind`"),
        ] {
            let message = read(value).unwrap_err().to_string();
            assert!(
                message.starts_with(starts),
                "expected `{starts}...`, got: {message}"
            );
        }
    }
}
