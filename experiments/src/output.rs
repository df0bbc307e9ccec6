//! The files an experiment produces. They are collected in memory while the
//! experiment runs and written only at the end, each one atomically (a
//! temporary file in the same folder, then a rename), so a failed or
//! interrupted run never leaves a half-written figure behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Run `f`, and tell the user on stderr how long it took (a failed write to
/// stderr does not fail the experiment).
pub fn timed<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = std::time::Instant::now();
    let result = f().with_context(|| what.to_string())?;
    let _ = writeln!(
        std::io::stderr(),
        "  {what}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(result)
}

/// Where an experiment's files go: figures and JSON into `figures`,
/// markdown included by the book into `generated`.
#[derive(Clone, Debug)]
pub struct Destinations {
    pub figures: PathBuf,
    pub generated: PathBuf,
}

impl Destinations {
    /// The book's folders under the workspace `root`.
    pub fn book(root: &Path) -> Self {
        Self {
            figures: root.join("book/src/figures"),
            generated: root.join("book/src/generated"),
        }
    }

    /// Everything into one folder (`--out`, used by tests).
    pub fn single(dir: &Path) -> Self {
        Self {
            figures: dir.to_path_buf(),
            generated: dir.to_path_buf(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Figure,
    Generated,
}

/// Files waiting to be written: (kind, file name, contents).
#[derive(Debug, Default)]
pub struct Outputs {
    files: Vec<(Kind, String, Vec<u8>)>,
}

impl Outputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// A figure or the JSON of numbers, e.g. `cd-bias-training.svg`.
    pub fn add_figure(&mut self, name: impl Into<String>, contents: String) {
        self.files
            .push((Kind::Figure, name.into(), contents.into_bytes()));
    }

    /// A figure that is not text, e.g. `mnist-rbm-filters.png`.
    pub fn add_binary_figure(&mut self, name: impl Into<String>, contents: Vec<u8>) {
        self.files.push((Kind::Figure, name.into(), contents));
    }

    /// Markdown that a chapter includes, e.g. `cd-bias-summary.md`.
    pub fn add_generated(&mut self, name: impl Into<String>, contents: String) {
        self.files
            .push((Kind::Generated, name.into(), contents.into_bytes()));
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Write every file (creating folders as needed); returns the paths written.
    pub fn write_all(self, to: &Destinations) -> Result<Vec<PathBuf>> {
        let mut written = Vec::with_capacity(self.files.len());
        for (kind, name, contents) in self.files {
            let dir = match kind {
                Kind::Figure => &to.figures,
                Kind::Generated => &to.generated,
            };
            let path = dir.join(&name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the folder {}", parent.display()))?;
            }
            fsio::write_atomic(&path, &contents, fsio::Overwrite::Allow)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// JSON for people and diffs: indented like `serde_json::to_string_pretty`,
/// but an array of plain numbers stays on one line. Numbers are printed by
/// serde_json, so they read back to the same f64 bits.
pub fn to_json(value: &impl serde::Serialize) -> Result<String> {
    let value = serde_json::to_value(value).context("serialising the results")?;
    let mut out = String::new();
    write_json(&value, 0, &mut out);
    out.push('\n');
    Ok(out)
}

fn write_json(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = |n: usize| "  ".repeat(n);
    match value {
        Value::Array(items) if items.iter().all(|v| !v.is_array() && !v.is_object()) => {
            out.push_str(&serde_json::to_string(value).expect("plain values serialise"));
        }
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Object(fields) => {
            out.push_str("{\n");
            for (i, (key, item)) in fields.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&serde_json::to_string(key).expect("a key serialises"));
                out.push_str(": ");
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        _ => out.push_str(&serde_json::to_string(value).expect("plain values serialise")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_number_arrays_on_one_line_and_round_trips() {
        let value = serde_json::json!({"a": [0.1, 1e-300, 3.0], "b": [{"c": [[1, 2], [3, 4]]}]});
        let text = to_json(&value).unwrap();
        assert!(text.contains("\"a\": [0.1,1e-300,3.0]"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
