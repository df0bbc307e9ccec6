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

/// A value that is not allowed, found by [`Check::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub problem: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Validation of the values of a configuration (types and names are already
/// checked by serde).
pub trait Check {
    fn check(&self) -> Result<(), FieldError>;
}

/// Read, parse and check a configuration file.
pub fn load<T: DeserializeOwned + Check>(path: &Path) -> Result<T, ConfigError> {
    let text = read_text(path)?;
    let config: T = toml::from_str(&text).map_err(|e| parse_error(path, &text, &e))?;
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

/// A TOML error as one line. toml names an unknown field in its message but
/// not the field whose value has the wrong type, so the field is read off the
/// line the error points at (and the `[table]` above it).
fn parse_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let problem = e.message().trim().replace('\n', " ");
    match e.span().and_then(|span| field_at(text, span.start)) {
        Some(field) => ConfigError::Field {
            path: path.to_path_buf(),
            field,
            problem,
        },
        None => ConfigError::Syntax {
            path: path.to_path_buf(),
            problem,
        },
    }
}

/// The dotted name `table.key` of the `key = value` line holding byte `offset`.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let key = line.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// Checks shared by the experiments' `check()` functions.
pub mod rules {
    use super::FieldError;

    pub fn positive_count(field: &str, value: usize) -> Result<(), FieldError> {
        if value == 0 {
            return Err(FieldError::new(field, "must be at least 1"));
        }
        Ok(())
    }

    pub fn positive_finite(field: &str, value: f64) -> Result<(), FieldError> {
        if !(value.is_finite() && value > 0.0) {
            return Err(FieldError::new(
                field,
                format!("is {value}; it must be a finite number greater than 0"),
            ));
        }
        Ok(())
    }

    pub fn gibbs_steps(field: &str, k: usize) -> Result<(), FieldError> {
        if k == 0 {
            return Err(FieldError::new(
                field,
                "k = 0 Gibbs steps; CD-k and PCD-k need k >= 1",
            ));
        }
        Ok(())
    }

    pub fn at_most(field: &str, value: usize, limit: usize, why: &str) -> Result<(), FieldError> {
        if value > limit {
            return Err(FieldError::new(
                field,
                format!("is {value}, more than {limit}: {why}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_at_names_table_and_key() {
        let text = "seed = 1\n[bias]\nn_hidden = 4\nlearning_rate = \"x\"\n";
        let offset = text.find("\"x\"").unwrap();
        assert_eq!(
            field_at(text, offset).as_deref(),
            Some("bias.learning_rate")
        );
        assert_eq!(field_at(text, 2).as_deref(), Some("seed"));
        assert_eq!(field_at(text, text.find("[bias]").unwrap()), None);
    }
}
