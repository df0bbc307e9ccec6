//! Runs the independent checkers of `tests/independent/` (pure Python, the
//! standard library only) against this build of `boltzmann`: they write
//! random small `dbn`, `rbm` and `ebm` files, solve them with their own brute
//! force or quadrature, and compare with `boltzmann exact --json` and
//! `boltzmann ebm sample`. Each checker is also run with a planted mistake
//! (or a broken sampler) and must then report a disagreement. Skipped, with a
//! message, where no `python3` is installed.

use std::path::PathBuf;
use std::process::Command;

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/independent")
        .join(name)
}

/// Exit status and standard output of a checker, or None without python3.
fn run(name: &str, extra: &[&str]) -> Option<(i32, String)> {
    let output = Command::new("python3")
        .arg(script(name))
        .args(["--bin", env!("CARGO_BIN_EXE_boltzmann")])
        .args(extra)
        .output();
    let Ok(output) = output else {
        eprintln!("python3 not found: the independent checkers were skipped");
        return None;
    };
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{name} failed to run: {stderr}");
    Some((output.status.code().unwrap_or(-1), stdout))
}

#[test]
fn exact_agrees_with_an_independent_brute_force() {
    let Some((code, stdout)) = run("check_exact.py", &["--cases", "20"]) else {
        return;
    };
    println!("{stdout}");
    assert_eq!(code, 0, "disagreements:\n{stdout}");
    assert!(stdout.contains("40 files checked against the brute force, 0 disagreements"));
}

#[test]
fn the_brute_force_comparison_can_fail() {
    for plant in ["labels-binary", "no-entropy"] {
        let Some((code, stdout)) = run("check_exact.py", &["--cases", "8", "--plant", plant])
        else {
            return;
        };
        assert_eq!(code, 1, "--plant {plant} was not detected:\n{stdout}");
    }
}

/// One 1-D and one 2-D energy; every sampler passes the chi-square test
/// against quadrature, and ULA at temperature 1/2 (the noise sqrt(eps)
/// instead of sqrt(2 eps)) is rejected on the same cells.
#[test]
fn ebm_samplers_agree_with_quadrature() {
    let Some((code, stdout)) = run("check_ebm.py", &["--cases", "1", "--samples", "2000"]) else {
        return;
    };
    println!("{stdout}");
    assert_eq!(code, 0, "failures:\n{stdout}");
    assert_eq!(stdout.matches("rejected").count(), 2, "{stdout}");
}
