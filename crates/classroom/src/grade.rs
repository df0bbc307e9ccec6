//! Grading one submission: the student's `src/` is built together with the
//! instructor's own `Cargo.toml` and tests, in a work folder under
//! `target/classroom/work/NAME` with one shared, reused `CARGO_TARGET_DIR`
//! (`target/classroom/cargo`), offline. Each named test then runs in its own
//! process with the assignment's time limit, so a panic, an endless loop or a
//! compile error costs the affected tests their points and nothing else.
//!
//! Student code is untrusted but not sandboxed: it runs with the grader's
//! rights. Grade on a machine or account you do not mind it touching.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use wait_timeout::ChildExt;

use crate::assignment::Assignment;
use crate::error::{ClassroomError, read};
use crate::release::{write, write_workspace_root};

/// Longest a build may take before it counts as failed.
const BUILD_LIMIT: Duration = Duration::from_secs(900);
/// Lines of a failing public test's output shown to the student.
const FEEDBACK_LINES: usize = 12;

/// Where grading builds: the repository and its `target/classroom`.
#[derive(Clone, Debug)]
pub struct Grader {
    pub repo: PathBuf,
    pub target: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    TimedOut,
    DidNotCompile,
}

#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    /// The test's name; hidden tests are numbered (`hidden-1`, ...), never named.
    pub name: String,
    pub visibility: &'static str,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    /// For public tests: the first lines of the failure. Never set for hidden tests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub assignment: String,
    pub title: String,
    pub submission: String,
    pub score: u32,
    pub max_score: u32,
    pub compiled: bool,
    /// Test files (and the manifest) that differ from the release; the
    /// instructor's copies were used instead.
    pub changed_files: Vec<String>,
    pub hidden_passed: usize,
    pub hidden_total: usize,
    /// What the student is told, one line each.
    pub feedback: Vec<String>,
    pub tests: Vec<TestResult>,
}

fn sha256(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok().map(|b| Sha256::digest(b).to_vec())
}

/// Files of the submission that differ from the release, compared by
/// SHA-256: the manifest and the test files, which the grader replaces by
/// the instructor's copies (`edited`, `removed`), and every other file
/// outside `src/` that the release does not have, such as a `build.rs`, a
/// `.cargo/config.toml` or a renamed test file, which the grader never
/// reads (`added`). `target/` and `.git/` are skipped.
pub fn changed_files(
    assignment: &Assignment,
    submission: &Path,
) -> Result<Vec<String>, ClassroomError> {
    let released = assignment.test_files(false)?;
    let mut changed = Vec::new();
    for rel in std::iter::once(PathBuf::from("Cargo.toml")).chain(released.iter().cloned()) {
        match sha256(&submission.join(&rel)) {
            None => changed.push(format!("{} (removed)", rel.display())),
            Some(sum) if sha256(&assignment.dir.join(&rel)).as_ref() != Some(&sum) => {
                changed.push(format!("{} (edited)", rel.display()))
            }
            Some(_) => {}
        }
    }
    let known = |rel: &Path| {
        rel.starts_with("src")
            || rel == Path::new("Cargo.toml")
            || rel == Path::new("README.md")
            || released.iter().any(|r| r == rel)
    };
    let walk = walkdir::WalkDir::new(submission)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.depth() == 1 && (e.file_name() == "target" || e.file_name() == ".git"))
        });
    for entry in walk.flatten() {
        let rel = entry
            .path()
            .strip_prefix(submission)
            .unwrap_or(entry.path());
        if entry.file_type().is_file() && !known(rel) {
            changed.push(format!("{} (added)", rel.display()));
        }
    }
    Ok(changed)
}

/// Copy the `.rs` files under `from` (the student's `src/`) into `to`.
fn copy_sources(from: &Path, to: &Path) -> Result<(), ClassroomError> {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|e| ClassroomError::invalid(from, e.to_string()))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "rs") {
            let rel = entry.path().strip_prefix(from).expect("under from");
            write(&to.join(rel), &read(entry.path())?)?;
        }
    }
    Ok(())
}

/// The outcome of building one test target.
enum Build {
    Executable(PathBuf),
    Failed {
        in_student_code: bool,
        messages: Vec<String>,
    },
}

impl Grader {
    pub fn new(repo: &Path) -> Self {
        Grader {
            repo: repo.to_path_buf(),
            target: repo.join("target").join("classroom"),
        }
    }

    /// Grade the student sources in `src` (a submission's `src/` folder)
    /// against the instructor's tests of `assignment`.
    pub fn grade_sources(
        &self,
        assignment: &Assignment,
        src: &Path,
        submission: &str,
        changed_files: Vec<String>,
    ) -> Result<Report, ClassroomError> {
        let work_root = self.target.join("work");
        std::fs::create_dir_all(&work_root).map_err(ClassroomError::io(&work_root))?;
        let lock_path = work_root.join(format!("{}.lock", assignment.name));
        let lock = File::create(&lock_path).map_err(ClassroomError::io(&lock_path))?;
        lock.lock().map_err(ClassroomError::io(&lock_path))?;

        let work = work_root.join(&assignment.name);
        let package = work.join(&assignment.name);
        if package.exists() {
            std::fs::remove_dir_all(&package).map_err(ClassroomError::io(&package))?;
        }
        write_workspace_root(&self.repo, &work, &[assignment.name.as_str()])?;
        write(
            &package.join("Cargo.toml"),
            &read(&assignment.dir.join("Cargo.toml"))?,
        )?;
        for rel in assignment.test_files(true)? {
            write(&package.join(&rel), &read(&assignment.dir.join(&rel))?)?;
        }
        copy_sources(src, &package.join("src"))?;

        let mut report = Report {
            assignment: assignment.name.clone(),
            title: assignment.meta.title.clone(),
            submission: submission.to_string(),
            score: 0,
            max_score: assignment.max_score(),
            compiled: true,
            changed_files,
            hidden_passed: 0,
            hidden_total: assignment.meta.hidden.len(),
            feedback: Vec::new(),
            tests: Vec::new(),
        };
        for file in &report.changed_files {
            report.feedback.push(if file.ends_with("(added)") {
                format!("{file}: not in the release; the grader ignored it")
            } else {
                format!("{file}: differs from the release; the grader used the instructor's copy")
            });
        }
        let log = self.build(assignment, &work)?;
        for target in ["public", "hidden"] {
            let build = parse_build_log(&log, target);
            self.grade_target(assignment, &work, target, build, &mut report)?;
        }
        report.score = report.tests.iter().map(|t| t.points).sum();
        report.hidden_passed = report
            .tests
            .iter()
            .filter(|t| t.visibility == "hidden" && t.status == Status::Passed)
            .count();
        let hidden_points: u32 = report
            .tests
            .iter()
            .filter(|t| t.visibility == "hidden")
            .map(|t| t.points)
            .sum();
        let hidden_max: u32 = assignment.meta.hidden.values().sum();
        report.feedback.push(format!(
            "hidden tests: {} of {} passed ({hidden_points}/{hidden_max} points)",
            report.hidden_passed, report.hidden_total
        ));
        Ok(report)
    }

    fn grade_target(
        &self,
        assignment: &Assignment,
        work: &Path,
        target: &'static str,
        build: Build,
        report: &mut Report,
    ) -> Result<(), ClassroomError> {
        let hidden = target == "hidden";
        let table = if hidden {
            &assignment.meta.hidden
        } else {
            &assignment.meta.public
        };
        if let Build::Failed {
            in_student_code,
            messages,
        } = &build
        {
            report.compiled &= !in_student_code;
            let line = match (in_student_code, hidden) {
                (true, _) => format!("your code does not compile ({target} tests get 0):\n{}", messages.join("\n")),
                (false, false) => format!("the public tests do not compile against your code:\n{}", messages.join("\n")),
                (false, true) => "the hidden tests do not compile against your code: keep the names and signatures of the release".to_string(),
            };
            if !(hidden && *in_student_code) {
                report.feedback.push(line);
            }
        }
        let limit = Duration::from_secs_f64(assignment.meta.time_limit_secs);
        for (index, (name, &max_points)) in table.iter().enumerate() {
            let (status, output) = match &build {
                Build::Executable(exe) => run_test(exe, &work.join(&assignment.name), name, limit)?,
                Build::Failed { .. } => (Status::DidNotCompile, String::new()),
            };
            let feedback = (!hidden && status != Status::Passed)
                .then(|| failure_feedback(status, &output, limit));
            if let Some(text) = &feedback {
                report.feedback.push(format!("public test {name} {text}"));
            }
            report.tests.push(TestResult {
                name: if hidden {
                    format!("hidden-{}", index + 1)
                } else {
                    name.clone()
                },
                visibility: target,
                status,
                points: if status == Status::Passed {
                    max_points
                } else {
                    0
                },
                max_points,
                feedback,
            });
        }
        Ok(())
    }

    /// Build both test targets, offline, into the shared target folder, and
    /// return cargo's JSON messages (`--no-fail-fast` keeps going: a hidden test file that
    /// does not compile does not cost the public tests).
    fn build(&self, assignment: &Assignment, work: &Path) -> Result<String, ClassroomError> {
        let log = work.join("build.jsonl");
        let errors = work.join("build.stderr");
        let stdout = File::create(&log).map_err(ClassroomError::io(&log))?;
        let package = format!("assignment-{}", assignment.name);
        let mut child = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "--offline",
                "--no-run",
                "--message-format=json",
                "--quiet",
                "--no-fail-fast",
            ])
            .args(["-p", &package, "--test", "public", "--test", "hidden"])
            .arg("--manifest-path")
            .arg(work.join("Cargo.toml"))
            .current_dir(work)
            .env("CARGO_TARGET_DIR", self.target.join("cargo"))
            .env_remove("RUSTFLAGS")
            .stdout(stdout)
            .stderr(File::create(&errors).map_err(ClassroomError::io(&errors))?)
            .spawn()
            .map_err(ClassroomError::io("cargo"))?;
        let finished = child
            .wait_timeout(BUILD_LIMIT)
            .map_err(ClassroomError::io("cargo"))?;
        if finished.is_none() {
            let _ = child.kill();
            let _ = child.wait();
            // No artifact in the log: both targets count as not compiled.
            let note = format!("the build took longer than {} s", BUILD_LIMIT.as_secs());
            return Ok(
                serde_json::json!({"reason": "compiler-message", "target": {"kind": ["lib"]},
                "message": {"level": "error", "rendered": note, "spans": []}})
                .to_string(),
            );
        }
        let text = read(&log)?;
        let compiler_error = text.lines().any(|l| {
            l.contains(r#""reason":"compiler-message""#) && l.contains(r#""level":"error""#)
        });
        if finished.is_some_and(|status| !status.success()) && !compiler_error {
            // Not the student's fault (no compiler error): a grader problem.
            let stderr = read(&errors).unwrap_or_default();
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(ClassroomError::invalid(
                work.join("Cargo.toml"),
                format!(
                    "cargo failed without a compiler error: {}",
                    tail.join(" | ")
                ),
            ));
        }
        Ok(text)
    }
}

/// The test executable of `target`, or the errors that kept it from building.
fn parse_build_log(log: &str, target: &str) -> Build {
    let mut messages = Vec::new();
    let mut in_student_code = false;
    for line in log.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("compiler-artifact") if msg["target"]["name"] == target => {
                if let Some(exe) = msg["executable"].as_str() {
                    return Build::Executable(PathBuf::from(exe));
                }
            }
            Some("compiler-message")
                if msg["message"]["level"] == "error"
                    && (msg["target"]["name"] == target || msg["target"]["kind"][0] == "lib") =>
            {
                let spans = msg["message"]["spans"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let student = spans.iter().any(|s| {
                    s["is_primary"] == true
                        && s["file_name"].as_str().is_some_and(|f| f.contains("src/"))
                });
                in_student_code |= student || msg["target"]["kind"][0] == "lib";
                if messages.len() < 3 {
                    messages.push(
                        msg["message"]["rendered"]
                            .as_str()
                            .unwrap_or("")
                            .trim_end()
                            .to_string(),
                    );
                }
            }
            _ => {}
        }
    }
    if messages.is_empty() {
        messages.push("the build failed (cargo printed no compiler error)".into());
    }
    Build::Failed {
        in_student_code,
        messages,
    }
}

/// Run one named test in its own process with a time limit.
fn run_test(
    exe: &Path,
    cwd: &Path,
    name: &str,
    limit: Duration,
) -> Result<(Status, String), ClassroomError> {
    let out_path = cwd.join(format!("test-{name}.out"));
    let out = File::create(&out_path).map_err(ClassroomError::io(&out_path))?;
    let err = out.try_clone().map_err(ClassroomError::io(&out_path))?;
    let mut child = Command::new(exe)
        .args(["--exact", name, "--test-threads=1"])
        .current_dir(cwd)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(ClassroomError::io(exe))?;
    let status = match child.wait_timeout(limit).map_err(ClassroomError::io(exe))? {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((Status::TimedOut, String::new()));
        }
    };
    let output = std::fs::read(&out_path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    // Exactly one test must have run and passed: a test missing from the
    // binary runs nothing and exits 0.
    let passed = status.success() && output.contains("test result: ok. 1 passed");
    Ok((
        if passed {
            Status::Passed
        } else {
            Status::Failed
        },
        output,
    ))
}

/// What a student sees about a failed public test: its panic message.
fn failure_feedback(status: Status, output: &str, limit: Duration) -> String {
    match status {
        Status::TimedOut => format!("took longer than {} s (endless loop?)", limit.as_secs_f64()),
        Status::DidNotCompile => "did not compile".into(),
        _ => {
            let body: Vec<&str> = output
                .lines()
                .skip_while(|l| !l.starts_with("---- "))
                .skip(1)
                .take_while(|l| !l.starts_with("failures:"))
                .filter(|l| {
                    !l.trim().is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE")
                })
                .take(FEEDBACK_LINES)
                .collect();
            if body.is_empty() {
                "failed".into()
            } else {
                format!("failed:\n  {}", body.join("\n  "))
            }
        }
    }
}

impl Report {
    /// The text a student and an instructor read: public tests by name,
    /// hidden tests as a count.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{} ({}): {}\n",
            self.assignment, self.title, self.submission
        );
        for t in &self.tests {
            let status = serde_json::to_value(t.status).expect("a status serialises");
            let status = status.as_str().unwrap_or_default();
            out.push_str(&format!(
                "  {:<6} {:<44} {:>3}/{:<3} {status}\n",
                t.visibility, t.name, t.points, t.max_points
            ));
        }
        for line in &self.feedback {
            out.push_str(&format!("  - {}\n", line.replace('\n', "\n    ")));
        }
        out.push_str(&format!("score: {}/{}\n", self.score, self.max_score));
        out
    }
}
