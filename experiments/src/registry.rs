//! The experiments the runner knows, by name.

use std::path::Path;

use anyhow::Result;

use crate::output::Outputs;

/// One experiment: its name (also the name of its configuration file and the
/// prefix of its figures), a one-line description, and how to run it from a
/// configuration file. `run` checks the configuration before any work and
/// returns the files to write; it writes nothing itself.
pub struct Experiment {
    pub name: &'static str,
    pub description: &'static str,
    pub run: fn(&Path) -> Result<Outputs>,
}

pub const EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: crate::cd_bias::NAME,
        description: crate::cd_bias::DESCRIPTION,
        run: crate::cd_bias::run,
    },
    Experiment {
        name: crate::mnist_rbm::NAME,
        description: crate::mnist_rbm::DESCRIPTION,
        run: crate::mnist_rbm::run,
    },
    Experiment {
        name: crate::ais_vs_exact::NAME,
        description: crate::ais_vs_exact::DESCRIPTION,
        run: crate::ais_vs_exact::run,
    },
    Experiment {
        name: crate::dbn_digits::NAME,
        description: crate::dbn_digits::DESCRIPTION,
        run: crate::dbn_digits::run,
    },
    Experiment {
        name: crate::langevin_2d::NAME,
        description: crate::langevin_2d::DESCRIPTION,
        run: crate::langevin_2d::run,
    },
    Experiment {
        name: crate::ebm_2d::NAME,
        description: crate::ebm_2d::DESCRIPTION,
        run: crate::ebm_2d::run,
    },
    Experiment {
        name: crate::ebm_digits::NAME,
        description: crate::ebm_digits::DESCRIPTION,
        run: crate::ebm_digits::run,
    },
    Experiment {
        name: crate::gb_rbm::NAME,
        description: crate::gb_rbm::DESCRIPTION,
        run: crate::gb_rbm::run,
    },
    Experiment {
        name: crate::dbn_mnist::NAME,
        description: crate::dbn_mnist::DESCRIPTION,
        run: crate::dbn_mnist::run,
    },
];

pub fn find(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}

/// One line per experiment: `name: description`.
pub fn list() -> String {
    EXPERIMENTS
        .iter()
        .map(|e| format!("{}: {}\n", e.name, e.description))
        .collect()
}
