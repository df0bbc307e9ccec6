//! Scaffolding shared by the end-to-end tests of the `experiment` binary:
//! every helper takes the experiment's name (`cd-bias`, `ais-vs-exact`,
//! `mnist-rbm`) and runs the binary the way a student would.

// Each test binary uses a subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The smoke configuration of `experiment`, `configs/NAME.smoke.toml`.
pub fn smoke_config(experiment: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("configs/{experiment}.smoke.toml"))
}

/// Run `experiment --smoke` into `out`; `threads`: rayon's thread count,
/// which must not change a single bit.
pub fn run_smoke(experiment: &str, out: &Path, threads: &str) {
    Command::cargo_bin("experiment")
        .unwrap()
        .env("RAYON_NUM_THREADS", threads)
        .args([experiment, "--smoke", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// Run the smoke configuration twice, with 2 and with 1 thread, and check
/// that both runs write exactly `files` (no temporary files left behind),
/// byte for byte the same, and that every SVG among them is a whole SVG
/// with text. Returns the directory of the first run.
pub fn smoke_twice(experiment: &str, files: &[&str]) -> TempDir {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    run_smoke(experiment, first.path(), "2");
    run_smoke(experiment, second.path(), "1");
    for name in files {
        let a = std::fs::read(first.path().join(name)).unwrap();
        let b = std::fs::read(second.path().join(name)).unwrap();
        assert!(
            a == b,
            "{name} differs between two runs with the same seed and 1 or 2 threads"
        );
    }
    // Nothing but the outputs: no temporary files left behind.
    assert_eq!(
        std::fs::read_dir(first.path()).unwrap().count(),
        files.len()
    );
    for name in files.iter().filter(|n| n.ends_with(".svg")) {
        let svg = std::fs::read_to_string(first.path().join(name)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{name}"
        );
        assert!(svg.contains("<text"), "{name} has no text");
    }
    first
}

/// A number in the JSON agrees with the oracle's to 1e-9, relative to
/// `max(|want|, 1)`.
pub fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: JSON has {got}, the oracle gives {want}"
    );
}

/// Run `experiment` with a configuration made from its smoke one by `edit`;
/// it must fail with exit code 2, name the file and `field` on its `error:`
/// line, and write nothing. Returns the standard error, for checks that
/// only one experiment can make (e.g. that no work had started).
pub fn assert_refused(experiment: &str, edit: impl Fn(&str) -> String, field: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    let original = std::fs::read_to_string(smoke_config(experiment)).unwrap();
    let text = edit(&original);
    assert_ne!(text, original, "the edit for `{field}` changed nothing");
    std::fs::write(&config, text).unwrap();
    let out = dir.path().join("out");
    let assert = Command::cargo_bin("experiment")
        .unwrap()
        .args([experiment, "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("");
    assert!(error.contains("bad.toml"), "no file name in: {stderr}");
    assert!(error.contains(field), "no field `{field}` in: {stderr}");
    assert!(
        !out.exists(),
        "a refused configuration wrote {}",
        out.display()
    );
    stderr
}

/// `experiment --list` names `experiment` at the start of a line.
pub fn assert_listed(experiment: &str) {
    let assert = Command::cargo_bin("experiment")
        .unwrap()
        .arg("--list")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("{experiment}: "))),
        "{stdout}"
    );
}

/// An unknown experiment name fails with exit code 2, and the message names
/// it and lists `experiment` among the known ones.
pub fn assert_unknown_name_refused(experiment: &str) {
    let assert = Command::cargo_bin("experiment")
        .unwrap()
        .arg("no-such-experiment")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("no-such-experiment") && stderr.contains(experiment),
        "{stderr}"
    );
}
