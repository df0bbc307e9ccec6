//! The `classroom` command: release, grade, grade-all, check (see the book's
//! appendix *Instructor's guide*). Exit status 2 on bad input, 1 when a check
//! fails or something else goes wrong.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use classroom::assignment::{Assignment, package_assignment};
use classroom::check::{self, Outcome};
use classroom::grade::{Grader, Report, changed_files};
use classroom::{ClassroomError, load_all};

#[derive(Parser)]
#[command(
    name = "classroom",
    about = "Release, grade and check the book's assignments"
)]
struct Cli {
    /// The boltzmann-workbench checkout (holds assignments/ and Cargo.toml).
    #[arg(long, global = true, default_value = default_root())]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

fn default_root() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
}

#[derive(Subcommand)]
enum Command {
    /// Write the student release (a cargo workspace) into OUT.
    Release {
        out: PathBuf,
        /// Only this assignment.
        #[arg(long)]
        only: Option<String>,
        /// Overwrite OUT if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Grade one submission (a student's copy of one assignment's release folder).
    Grade {
        submission: PathBuf,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Grade every submission (sub-folder) of FOLDER into a CSV gradebook.
    GradeAll {
        folder: PathBuf,
        #[arg(long)]
        csv: PathBuf,
        /// Overwrite the CSV file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check every assignment: the release scores 0, the solution full marks,
    /// each mutant less than the solution.
    Check {
        #[arg(long)]
        only: Option<String>,
    },
    /// List the assignments with their points and mutants.
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let bad_input = e.downcast_ref::<ClassroomError>().is_some();
            eprintln!("error: {e:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = cli
        .root
        .canonicalize()
        .map_err(ClassroomError::io(&cli.root))?;
    let all = load_all(&root.join("assignments"))?;
    let grader = Grader::new(&root);
    match cli.command {
        Command::Release { out, only, force } => {
            let chosen = select(&all, only.as_deref(), &root)?;
            for dir in classroom::release::release(&root, &chosen, &out, force)? {
                println!("wrote {}", dir.display());
            }
        }
        Command::Grade { submission, json } => {
            let report = grade(&grader, &all, &submission)?;
            let text = if json {
                serde_json::to_string_pretty(&report)? + "\n"
            } else {
                report.text()
            };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
        Command::GradeAll { folder, csv, force } => grade_all(&grader, &all, &folder, &csv, force)?,
        Command::Check { only } => {
            return check_all(&grader, &select(&all, only.as_deref(), &root)?);
        }
        Command::List => {
            for a in &all {
                let mutants: Vec<&str> = a.mutants.iter().map(|m| m.name.as_str()).collect();
                println!(
                    "{:<24} {:>3} points  {}  mutants: {}",
                    a.name,
                    a.max_score(),
                    a.meta.title,
                    mutants.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn select<'a>(
    all: &'a [Assignment],
    only: Option<&str>,
    root: &Path,
) -> Result<Vec<&'a Assignment>, ClassroomError> {
    match only {
        None => Ok(all.iter().collect()),
        Some(name) => all
            .iter()
            .find(|a| a.name == name)
            .map(|a| vec![a])
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
                ClassroomError::invalid(
                    root.join("assignments"),
                    format!(
                        "--only {name}: no such assignment (expected one of {})",
                        names.join(", ")
                    ),
                )
            }),
    }
}

/// Which assignment a submission folder belongs to: its package name, else
/// its folder name, provided its `src/` defines the functions that
/// assignment asks for; else the one assignment whose functions it defines
/// (so an edited manifest does not lose a student the grade).
fn identify<'a>(
    all: &'a [Assignment],
    submission: &Path,
) -> Result<&'a Assignment, ClassroomError> {
    if !submission.is_dir() {
        return Err(ClassroomError::invalid(
            submission,
            "expected a folder (a student's copy of one assignment)",
        ));
    }
    let by_package = std::fs::read_to_string(submission.join("Cargo.toml"))
        .ok()
        .and_then(|t| package_assignment(&t));
    let by_folder = submission
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    let named: Vec<&Assignment> = [by_package, by_folder]
        .into_iter()
        .flatten()
        .filter_map(|name| all.iter().find(|a| a.name == name))
        .collect();
    let sources = source_text(&submission.join("src"));
    let by_code: Vec<&Assignment> = all.iter().filter(|a| a.defined_by(&sources)).collect();
    named
        .iter()
        .find(|a| a.defined_by(&sources))
        .or(by_code.first().filter(|_| by_code.len() == 1))
        .or(named.first())
        .copied()
        .ok_or_else(|| {
            ClassroomError::invalid(
                submission.join("Cargo.toml"),
                "package.name: expected \"assignment-NAME\" for one of the assignments (or a folder named after one)",
            )
        })
}

/// Every `.rs` file under `src`, concatenated (empty if there is none).
fn source_text(src: &Path) -> String {
    walkdir::WalkDir::new(src)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

fn grade(grader: &Grader, all: &[Assignment], submission: &Path) -> Result<Report, ClassroomError> {
    let assignment = identify(all, submission)?;
    let changed = changed_files(assignment, submission)?;
    grader.grade_sources(
        assignment,
        &submission.join("src"),
        &submission.display().to_string(),
        changed,
    )
}

fn grade_all(
    grader: &Grader,
    all: &[Assignment],
    folder: &Path,
    csv_path: &Path,
    force: bool,
) -> anyhow::Result<()> {
    if csv_path.exists() && !force {
        return Err(ClassroomError::invalid(
            csv_path,
            "the gradebook exists; pass --force to overwrite it",
        )
        .into());
    }
    let mut submissions: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(ClassroomError::io(folder))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Hidden folders (.cargo of a release) and cargo's target/ are not submissions.
        .filter(|p| {
            p.is_dir()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.') || n == "target")
        })
        .collect();
    submissions.sort();
    // The gradebook is written whole at the end, through the one atomic writer.
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "submission",
        "assignment",
        "score",
        "max_score",
        "compiled",
        "hidden_passed",
        "hidden_total",
        "changed_files",
        "tests",
        "error",
    ])?;
    for submission in &submissions {
        let row = match grade(grader, all, submission) {
            Ok(r) => {
                eprintln!(
                    "{}: {} {}/{}",
                    submission.display(),
                    r.assignment,
                    r.score,
                    r.max_score
                );
                let tests: Vec<String> = r
                    .tests
                    .iter()
                    .map(|t| format!("{}={}/{}", t.name, t.points, t.max_points))
                    .collect();
                vec![
                    r.submission.clone(),
                    r.assignment.clone(),
                    r.score.to_string(),
                    r.max_score.to_string(),
                    r.compiled.to_string(),
                    r.hidden_passed.to_string(),
                    r.hidden_total.to_string(),
                    r.changed_files.join("; "),
                    tests.join("; "),
                    String::new(),
                ]
            }
            Err(e) => {
                eprintln!("{}: not graded: {e}", submission.display());
                let mut row = vec![submission.display().to_string(), String::new(), "0".into()];
                row.extend(std::iter::repeat_n(String::new(), 6));
                row.push(e.to_string());
                row
            }
        };
        writer.write_record(&row)?;
    }
    let bytes = writer.into_inner().context("writing the gradebook")?;
    fsio::write_atomic(csv_path, &bytes, force).map_err(ClassroomError::io(csv_path))?;
    println!(
        "wrote {} ({} submissions)",
        csv_path.display(),
        submissions.len()
    );
    Ok(())
}

fn check_all(grader: &Grader, chosen: &[&Assignment]) -> anyhow::Result<ExitCode> {
    let release_dir = grader.target.join("check-release");
    classroom::release::release(&grader.repo, chosen, &release_dir, true)?;
    let mut outcomes: Vec<Outcome> = Vec::new();
    for a in chosen {
        check::check_release_text(a, &release_dir.join(&a.name))?;
        let mut progress = |o: &Outcome| {
            print!("{}", check::line(o));
            let _ = std::io::stdout().flush();
        };
        outcomes.extend(check::check(grader, a, &mut progress)?);
    }
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    println!(
        "{} assignments, {} gradings, {failed} failed",
        chosen.len(),
        outcomes.len()
    );
    if failed > 0 {
        print!(
            "failed:\n{}",
            check::table(&outcomes.into_iter().filter(|o| !o.ok).collect::<Vec<_>>())
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
