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

/// The most work log Z by enumeration may take here, in units of one
/// softplus (RBM) or one coupling (BM) per state: 2^33, a minute or two on a
/// laptop. bm-exact's limit of 2^30 states alone lets a 784 x 30 RBM run for
/// hours (2^24 states of 784 units took 3 minutes of CPU here).
const MAX_ENUMERATION_WORK: f64 = (1u64 << 33) as f64;

/// Whether log Z can be enumerated in minutes: bm-exact's limit on the
/// number of states, lowered for wide models so that the work per state
/// times the states stays under `MAX_ENUMERATION_WORK`; bm-exact's message.
pub fn check_size(model: &Model) -> Result<(), bm_exact::ExactError> {
    let (n_visible, n_hidden) = (model.n_visible(), model.n_hidden());
    let (what, n_enumerated, work_per_state) = match model {
        Model::Rbm(_) => (
            "log Z of this RBM",
            n_visible.min(n_hidden),
            n_visible.max(n_hidden) + 1,
        ),
        Model::Bm(_) => {
            let n = n_visible + n_hidden;
            ("log Z of this Boltzmann machine", n, (n + 1) * (n + 1))
        }
    };
    let affordable = (MAX_ENUMERATION_WORK / work_per_state as f64)
        .log2()
        .floor() as usize;
    check_enumerable(what, n_enumerated, MAX_ENUMERATED_UNITS.min(affordable))
}

/// The f32 RBM of the `rbm` crate; parameters too large for f32 are refused.
pub fn to_f32(exact: &bm_exact::Rbm) -> anyhow::Result<rbm::Rbm> {
    rbm::Rbm::check_f32_range(exact).map_err(rbm_error)?;
    Ok(rbm::Rbm::from_exact(exact))
}
