//! `boltzmann dbn ...` and the DBN case of `boltzmann exact`.

pub mod exact;

use dbn::DbnError;

use crate::report::BadInput;

/// Whether `path` holds a model file with `format = "dbn"`. A file that
/// cannot be read or parsed is left to the ordinary loader, which reports it.
pub fn is_dbn_file(path: &std::path::Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| dbn::format_of(&text))
        .is_some_and(|format| format == "dbn")
}

/// DbnErrors that are the user's fault become BadInput (exit code 2).
pub fn dbn_error(e: DbnError) -> anyhow::Error {
    if e.is_bad_input() {
        BadInput(e.to_string()).into()
    } else {
        e.into()
    }
}
