//! Typed experiment configurations: TOML with `deny_unknown_fields`, then a
//! `check()` of the values, both before any work starts. Every error is one
//! line that names the file and the field.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A configuration that could not be used. The runner exits with code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the configuration: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: field `{field}`: {problem}", path.display())]
    Field {
        path: PathBuf,
        field: String,
        problem: String,
    },

    #[error("{}: {problem}", path.display())]
    Syntax { path: PathBuf, problem: String },
}

/// A value that is not allowed, found by [`Check::check`] (re-exported
/// from the workspace's one configuration layer).
pub use config::FieldError;

/// The checks that compare fields. Each value on its own was checked as the
/// TOML was read, by the value types of the `config` crate.
pub trait Check {
    fn check(&self) -> Result<(), FieldError>;
}

/// Read, parse and check a configuration file.
pub fn load<T: DeserializeOwned + Check>(path: &Path) -> Result<T, ConfigError> {
    let text = read_text(path)?;
    let config: T = config::from_toml_str(&text).map_err(|e| match e {
        config::TomlError::Field(e) => ConfigError::Field {
            path: path.to_path_buf(),
            field: e.field,
            problem: e.problem,
        },
        config::TomlError::Syntax(problem) => ConfigError::Syntax {
            path: path.to_path_buf(),
            problem,
        },
    })?;
    config.check().map_err(|e| ConfigError::Field {
        path: path.to_path_buf(),
        field: e.field,
        problem: e.problem,
    })?;
    Ok(config)
}

/// The most bytes a configuration may have; more (or an endless stream such
/// as /dev/zero) is refused.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The text of a configuration file: a file (not a folder) of at most
/// [`MAX_CONFIG_BYTES`] of UTF-8.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    let syntax = |problem: String| ConfigError::Syntax {
        path: path.to_path_buf(),
        problem,
    };
    let bytes = datasets::open_input(path)
        .and_then(|file| datasets::read_bounded(path, file, MAX_CONFIG_BYTES))
        .map_err(|e| match e {
            datasets::DataError::Io { source, .. } => ConfigError::Read {
                path: path.to_path_buf(),
                source,
            },
            datasets::DataError::NotAFile { .. } => {
                syntax("is a folder; expected a configuration file (TOML)".into())
            }
            _ => syntax(format!(
                "more than {MAX_CONFIG_BYTES} bytes; expected a configuration file (TOML)"
            )),
        })?;
    String::from_utf8(bytes).map_err(|e| {
        syntax(format!(
            "byte {} is not UTF-8 text; expected a configuration file (TOML)",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Checks shared by the experiments' `check()` functions.
pub mod rules {
    use super::FieldError;

    pub fn at_most(field: &str, value: usize, limit: usize, why: &str) -> Result<(), FieldError> {
        if value > limit {
            return Err(FieldError::new(
                field,
                format!("is {value}, more than {limit}: {why}"),
            ));
        }
        Ok(())
    }

    /// A list that needs at least one entry.
    pub fn not_empty<T>(field: &str, values: &[T]) -> Result<(), FieldError> {
        if values.is_empty() {
            return Err(FieldError::new(field, "is empty; give at least one value"));
        }
        Ok(())
    }
}
