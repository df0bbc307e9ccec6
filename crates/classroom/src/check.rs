//! The check CI runs, in the spirit of rustlings' and nbgrader's
//! `validate --invert`: for every assignment the release compiles and scores
//! no more than its free points, the solution scores full marks, and every
//! planted mistake (mutant) scores less than the solution.

use std::path::Path;

use crate::assignment::{Assignment, Variant};
use crate::error::ClassroomError;
use crate::grade::{Grader, Report};
use crate::release::write;

/// One line of the check's table.
pub struct Outcome {
    pub assignment: String,
    pub variant: String,
    pub score: u32,
    pub max_score: u32,
    pub ok: bool,
    pub expected: String,
}

/// Grade `variant` of `assignment` as if a student had handed it in.
pub fn grade_variant(
    grader: &Grader,
    assignment: &Assignment,
    variant: Variant,
) -> Result<Report, ClassroomError> {
    let label = match variant {
        Variant::Release => "release".to_string(),
        Variant::Solution => "solution".to_string(),
        Variant::Mutant(m) => format!("mutant {}", m.name),
    };
    let scratch = grader.target.join("check").join(&assignment.name);
    let _ = std::fs::remove_dir_all(&scratch);
    for (rel, text) in assignment.sources(variant) {
        write(&scratch.join(rel), &text)?;
    }
    grader.grade_sources(assignment, &scratch.join("src"), &label, Vec::new())
}

/// Check one assignment; `progress` is called with each outcome as it comes.
pub fn check(
    grader: &Grader,
    assignment: &Assignment,
    progress: &mut impl FnMut(&Outcome),
) -> Result<Vec<Outcome>, ClassroomError> {
    let mut outcomes = Vec::new();
    let mut record = |variant: String, report: &Report, ok: bool, expected: String| {
        let outcome = Outcome {
            assignment: assignment.name.clone(),
            variant,
            score: report.score,
            max_score: report.max_score,
            ok,
            expected,
        };
        progress(&outcome);
        outcomes.push(outcome);
    };
    let free = assignment.meta.free_points;
    let release = grade_variant(grader, assignment, Variant::Release)?;
    let release_ok = release.compiled && release.score <= free;
    record(
        "release".into(),
        &release,
        release_ok,
        format!("compiles, at most {free}"),
    );
    let solution = grade_variant(grader, assignment, Variant::Solution)?;
    let full = solution.score == solution.max_score;
    record("solution".into(), &solution, full, "full marks".into());
    for m in &assignment.mutants {
        let report = grade_variant(grader, assignment, Variant::Mutant(m))?;
        let ok = report.score < solution.score;
        record(
            format!("mutant {}", m.name),
            &report,
            ok,
            "less than the solution".into(),
        );
    }
    Ok(outcomes)
}

/// The table of outcomes, one line each.
pub fn table(outcomes: &[Outcome]) -> String {
    outcomes.iter().map(line).collect()
}

pub fn line(o: &Outcome) -> String {
    format!(
        "{:<4} {:<22} {:<42} {:>3}/{:<3} (expected: {})\n",
        if o.ok { "ok" } else { "FAIL" },
        o.assignment,
        o.variant,
        o.score,
        o.max_score,
        o.expected
    )
}

/// The release of `assignment` must not contain the solution or hidden tests.
pub fn check_release_text(
    assignment: &Assignment,
    release_dir: &Path,
) -> Result<(), ClassroomError> {
    if release_dir.join(crate::assignment::HIDDEN_TESTS).exists() {
        return Err(ClassroomError::invalid(
            release_dir,
            "the release contains the hidden tests",
        ));
    }
    for (rel, _) in assignment.sources(Variant::Release) {
        let text = crate::error::read(&release_dir.join(&rel))?;
        if text.contains("BEGIN SOLUTION") || text.contains("END SOLUTION") {
            return Err(ClassroomError::invalid(
                release_dir.join(rel),
                "the release still contains solution markers",
            ));
        }
    }
    Ok(())
}
