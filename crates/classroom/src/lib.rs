//! # classroom: assignments for the book
//!
//! Each folder of `assignments/` is one assignment, written once by the
//! instructor with the solution between `// BEGIN SOLUTION` / `// END SOLUTION`
//! markers (nbgrader's grammar), public and hidden tests, points per named
//! test and planted mistakes (mutants). This crate makes the student release
//! ([`release`]), grades a submission ([`grade`]) and checks that the release
//! fails, the solution passes and every mutant loses points ([`check`]).
//! The book's appendix *Instructor's guide* explains the workflow.

pub mod assignment;
pub mod check;
pub mod error;
pub mod grade;
pub mod markers;
pub mod release;

pub use assignment::{Assignment, Variant, load_all};
pub use error::ClassroomError;
pub use grade::{Grader, Report};
