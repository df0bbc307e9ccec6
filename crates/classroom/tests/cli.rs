//! The `classroom` command on a toy checkout in a temporary folder: one
//! assignment without dependencies, so each grading compiles in a second.
//! Shows that bad input exits with status 2 and a message naming the file and
//! line, and that a panic, an endless loop or a compile error in a submission
//! costs points but never crashes the grader.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

const MANIFEST: &str = r#"[package]
name = "assignment-toy"
version = "0.1.0"
edition.workspace = true

[dependencies]
"#;

const LIB: &str = "/// The sum of a and b.
pub fn add(a: u64, b: u64) -> u64 {
    // HINT: use +.
    // BEGIN SOLUTION
    a + b
    // END SOLUTION
}

/// Twice a.
pub fn double(a: u64) -> u64 {
    // BEGIN SOLUTION
    2 * a
    // END SOLUTION
}
";

const META: &str = r#"title = "Toy"
chapter = "energy.md"
time_limit_secs = 2

[public]
adds = 2

[hidden]
doubles = 3
adds_large = 1
"#;

const MUTANTS: &str = r#"[[mutant]]
name = "minus"
why = "subtracts"
replace = { add = "    a.wrapping_sub(b)" }

[[mutant]]
name = "loops"
why = "never returns"
replace = { double = "    loop { std::hint::spin_loop() }" }
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A checkout with the toy assignment whose `src/lib.rs` is `lib`.
fn toy_checkout(lib: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    write(
        &r.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"assignments/*\"]\n\n[workspace.package]\nedition = \"2024\"\n",
    );
    write(&r.join("Cargo.lock"), "version = 4\n");
    let a = r.join("assignments/toy");
    write(&a.join("Cargo.toml"), MANIFEST);
    write(&a.join("src/lib.rs"), lib);
    write(&a.join("assignment.toml"), META);
    write(&a.join("mutants.toml"), MUTANTS);
    write(
        &a.join("tests/public.rs"),
        "#[test]\nfn adds() {\n    assert_eq!(assignment_toy::add(2, 3), 5, \"2 + 3 is 5\");\n}\n",
    );
    write(
        &a.join("tests/hidden.rs"),
        "#[test]\nfn doubles() {\n    assert_eq!(assignment_toy::double(4), 8);\n}\n\n#[test]\nfn adds_large() {\n    assert_eq!(assignment_toy::add(1 << 40, 1), (1 << 40) + 1);\n}\n",
    );
    root
}

fn classroom(root: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("classroom")
        .unwrap()
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn malformed_markers_exit_2_naming_file_and_line() {
    let unclosed = LIB.replace("    2 * a\n    // END SOLUTION\n", "    2 * a\n");
    let root = toy_checkout(&unclosed);
    let out = classroom(root.path(), &["list"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("assignments/toy/src/lib.rs:11:") && message.contains("unclosed"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");

    let none = "pub fn add(a: u64, b: u64) -> u64 {\n    a + b\n}\npub fn double(a: u64) -> u64 {\n    2 * a\n}\n";
    let root = toy_checkout(none);
    let message = stderr(&classroom(root.path(), &["list"]));
    assert!(
        message.contains("src/lib.rs:1: missing markers"),
        "{message}"
    );
}

#[test]
fn bad_arguments_exit_2_and_nothing_is_overwritten() {
    let root = toy_checkout(LIB);
    let out = classroom(root.path(), &["grade", "/nonexistent/submission"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/submission: expected a folder"),
        "{}",
        stderr(&out)
    );

    let release = root.path().join("release");
    write(&release.join("keep.txt"), "mine");
    let out = classroom(root.path(), &["release", release.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = classroom(
        root.path(),
        &["release", release.to_str().unwrap(), "--only", "nope"],
    );
    assert_eq!(out.status.code(), Some(2));
}

fn grade_json(root: &Path, submission: &Path) -> serde_json::Value {
    let out = classroom(root, &["grade", submission.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn release_grade_and_check_end_to_end_on_untrusted_code() {
    let root = toy_checkout(LIB);
    let r = root.path();
    let release = r.join("release");
    let out = classroom(r, &["release", release.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let student = release.join("toy");
    let released = std::fs::read_to_string(student.join("src/lib.rs")).unwrap();
    assert!(released.contains("todo!(\"hint: use +.\")") && !released.contains("a + b"));
    assert!(!student.join("tests/hidden.rs").exists());

    // The untouched release: compiles, scores 0.
    let report = grade_json(r, &student);
    assert_eq!(
        (report["score"].as_u64(), report["max_score"].as_u64()),
        (Some(0), Some(6))
    );
    assert_eq!(report["compiled"], true);

    // Right `add`, endless `double`, and an edited public test: 3 points, the
    // edit reported, the hidden test's expectation never shown.
    let body = LIB.replace("    2 * a\n", "    loop { std::hint::spin_loop() }\n");
    write(&student.join("src/lib.rs"), &body);
    write(&student.join("tests/public.rs"), "#[test]\nfn adds() {}\n");
    let report = grade_json(r, &student);
    assert_eq!(report["score"].as_u64(), Some(3), "{report:#}");
    assert_eq!(report["changed_files"][0], "tests/public.rs (edited)");
    let statuses: Vec<&str> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"timed-out"), "{statuses:?}");
    assert!(
        !report.to_string().contains("doubles") && !report.to_string().contains("assert_eq"),
        "{report}"
    );

    // A panic in `add`: the public test fails with its message, nothing crashes.
    write(
        &student.join("src/lib.rs"),
        &LIB.replace("    a + b\n", "    panic!(\"oops\")\n"),
    );
    let report = grade_json(r, &student);
    assert_eq!(report["score"].as_u64(), Some(3), "{report:#}");
    assert!(
        report["tests"][0]["feedback"]
            .as_str()
            .unwrap()
            .contains("oops"),
        "{report:#}"
    );

    // A compile error: 0 points, the error shown, the grader still exits 0.
    write(
        &student.join("src/lib.rs"),
        &LIB.replace("    a + b\n", "    a + \n"),
    );
    let report = grade_json(r, &student);
    assert_eq!(
        (report["score"].as_u64(), report["compiled"].as_bool()),
        (Some(0), Some(false))
    );

    // grade-all: one row per submission, an unknown folder gets a row with its error.
    std::fs::create_dir_all(release.join("stranger")).unwrap();
    let csv = r.join("gradebook.csv");
    let out = classroom(
        r,
        &[
            "grade-all",
            release.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let book = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(book.lines().count(), 3, "{book}");
    assert!(
        book.contains("stranger") && book.contains(",toy,0,6,false,"),
        "{book}"
    );

    // check: release 0, solution 6, both mutants less.
    let out = classroom(r, &["check"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{table}{}", stderr(&out));
    assert!(
        table.contains("2 gradings") || table.contains("4 gradings"),
        "{table}"
    );
}

#[test]
fn check_fails_when_a_mutant_is_not_caught() {
    // A "mutant" that is the solution itself keeps full marks: the check
    // must say so and exit 1.
    let root = toy_checkout(LIB);
    let harmless = MUTANTS.replace("a.wrapping_sub(b)", "a + b");
    write(&root.path().join("assignments/toy/mutants.toml"), &harmless);
    let out = classroom(root.path(), &["check"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(
        table.contains("FAIL toy") && table.contains("mutant minus"),
        "{table}"
    );
}

#[test]
fn hostile_files_around_the_sources_are_reported_and_change_nothing() {
    // A submission with the right code whose test file is deleted and
    // renamed, whose manifest asks for a build script that would fail, and
    // which brings its own cargo configuration: each file is reported, and
    // the grade is that of the same sources in a clean copy of the release.
    let root = toy_checkout(LIB);
    let r = root.path();
    let release = r.join("release");
    let out = classroom(r, &["release", release.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clean = release.join("toy");
    write(&clean.join("src/lib.rs"), LIB);
    // Named after the student, with a package name of its own: recognised
    // by the functions it defines.
    let hostile = r.join("hostile").join("student-17");
    write(&hostile.join("src/lib.rs"), LIB);
    let manifest = std::fs::read_to_string(clean.join("Cargo.toml")).unwrap();
    write(
        &hostile.join("Cargo.toml"),
        &manifest.replace(
            "name = \"assignment-toy\"\nversion = \"0.1.0\"\n",
            "name = \"assignment-mine\"\nversion = \"0.1.0\"\nbuild = \"build.rs\"\n",
        ),
    );
    write(
        &hostile.join("build.rs"),
        "fn main() { panic!(\"a build script runs student code before any test\"); }\n",
    );
    write(
        &hostile.join(".cargo/config.toml"),
        "[build]\nrustflags = [\"--cfg\", \"graded\"]\n",
    );
    write(
        &hostile.join("tests/renamed.rs"),
        "#[test]\nfn adds() {}\n#[test]\nfn doubles() {}\n",
    );

    let honest = grade_json(r, &clean);
    let report = grade_json(r, &hostile);
    assert_eq!(honest["changed_files"], serde_json::json!([]), "{honest:#}");
    assert_eq!(report["assignment"], "toy", "{report:#}");
    assert_eq!(report["score"].as_u64(), Some(6), "{report:#}");
    assert_eq!(report["tests"], honest["tests"], "{report:#}");
    let changed: Vec<&str> = report["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for expected in [
        "Cargo.toml (edited)",
        "tests/public.rs (removed)",
        "tests/renamed.rs (added)",
        "build.rs (added)",
        ".cargo/config.toml (added)",
    ] {
        assert!(changed.contains(&expected), "{expected} not in {changed:?}");
    }
    assert_eq!(changed.len(), 5, "{changed:?}");
    let feedback = report["feedback"].to_string();
    assert!(
        feedback.contains("build.rs (added): not in the release; the grader ignored it"),
        "{feedback}"
    );

    // A wrong `double` still loses its 3 points: the renamed file's empty
    // `doubles` test is never run.
    let wrong = LIB.replace("    2 * a\n", "    3 * a\n");
    write(&hostile.join("src/lib.rs"), &wrong);
    let report = grade_json(r, &hostile);
    assert_eq!(report["score"].as_u64(), Some(3), "{report:#}");
}
