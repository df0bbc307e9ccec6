//! The runner on bad input: exit status 2 and one line, for a configuration
//! that points to missing data, one that is a folder or an endless stream,
//! and an unknown name; `--help` says that outputs are regenerated.

mod common;

use assert_cmd::Command;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::cargo_bin("experiment")
        .unwrap()
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

#[test]
fn bad_configurations_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing_data = dir.path().join("missing-data.toml");
    let smoke = std::fs::read_to_string(common::smoke_config("mnist-rbm")).unwrap();
    let edited = smoke.replace("data/mnist-10k", "data/no-such-folder");
    assert_ne!(edited, smoke);
    std::fs::write(&missing_data, edited).unwrap();
    let out = dir.path().join("out");
    let folder = dir.path().to_str().unwrap();
    for (config, needle) in [
        (missing_data.to_str().unwrap(), "no-such-folder"),
        (folder, "folder"),
        ("/dev/zero", "/dev/zero"),
    ] {
        let args = [
            "mnist-rbm",
            "--config",
            config,
            "--out",
            out.to_str().unwrap(),
        ];
        let (code, _, stderr) = run(&args);
        assert_eq!(code, Some(2), "{config}: {stderr}");
        let error: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(error.len(), 1, "{stderr}");
        assert!(error[0].contains(needle), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "a refused run wrote {}", out.display());
    }
    let (code, _, stderr) = run(&["no-such-experiment"]);
    assert_eq!(code, Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn help_says_outputs_are_regenerated() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("regenerates its outputs by design"),
        "{stdout}"
    );
}
