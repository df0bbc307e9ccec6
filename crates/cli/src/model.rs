//! Model-format helpers shared by the subcommands: the file's format name,
//! whether log Z can be enumerated, and the f32 RBM of the `rbm` crate.

use bm_exact::{MAX_ENUMERATED_UNITS, Model, check_enumerable};

use crate::report::rbm_error;

/// The model file's `format`: "rbm" or "bm".
pub fn format_name(model: &Model) -> &'static str {
    match model {
        Model::Rbm(_) => "rbm",
        Model::Bm(_) => "bm",
    }
}

/// Whether log Z can be enumerated, with bm-exact's limit and message.
pub fn check_size(model: &Model) -> Result<(), bm_exact::ExactError> {
    match model {
        Model::Rbm(_) => check_enumerable(
            "log Z of this RBM",
            model.n_visible().min(model.n_hidden()),
            MAX_ENUMERATED_UNITS,
        ),
        Model::Bm(_) => check_enumerable(
            "log Z of this Boltzmann machine",
            model.n_visible() + model.n_hidden(),
            MAX_ENUMERATED_UNITS,
        ),
    }
}

/// The f32 RBM of the `rbm` crate; parameters too large for f32 are refused.
pub fn to_f32(exact: &bm_exact::Rbm) -> anyhow::Result<rbm::Rbm> {
    rbm::Rbm::check_f32_range(exact).map_err(rbm_error)?;
    Ok(rbm::Rbm::from_exact(exact))
}
