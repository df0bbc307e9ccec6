//! Solution markers, in nbgrader's grammar: the instructor writes the solution
//! once, between a line `// BEGIN SOLUTION` and a line `// END SOLUTION`.
//! Comment lines `// HINT: ...` just above `// BEGIN SOLUTION` are the hint.
//!
//! A source file is parsed into [`Region`]s; the release replaces each region
//! by `todo!("hint: ...")`, and a mutant replaces it by a wrong body. A region
//! is named after the function it sits in, so mutants can say which body they
//! replace. Every malformed marker is an error naming the file and the line.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::error::ClassroomError;

pub const BEGIN: &str = "// BEGIN SOLUTION";
pub const END: &str = "// END SOLUTION";
const HINT: &str = "// HINT:";

static FN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)").expect("valid regex"));

/// One solution region of a source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// The function the region sits in.
    pub name: String,
    /// 0-based index of the `// BEGIN SOLUTION` line.
    pub begin: usize,
    /// 0-based index of the `// END SOLUTION` line.
    pub end: usize,
    /// The hint, from the `// HINT:` lines above the region (may be empty).
    pub hint: String,
    /// The indentation of the `// BEGIN SOLUTION` line.
    pub indent: String,
}

/// A source file with its solution regions.
#[derive(Clone, Debug)]
pub struct MarkedFile {
    pub path: PathBuf,
    pub lines: Vec<String>,
    pub regions: Vec<Region>,
}

fn marker_error(path: &Path, line: usize, problem: impl Into<String>) -> ClassroomError {
    ClassroomError::Marker {
        path: path.to_path_buf(),
        line: line + 1,
        problem: problem.into(),
    }
}

/// Is this line meant as a marker? Anything that mentions BEGIN/END SOLUTION
/// but is not exactly a marker line is refused rather than silently ignored.
fn marker_kind(path: &Path, index: usize, line: &str) -> Result<Option<bool>, ClassroomError> {
    let trimmed = line.trim();
    if trimmed == BEGIN {
        return Ok(Some(true));
    }
    if trimmed == END {
        return Ok(Some(false));
    }
    if trimmed.contains("BEGIN SOLUTION") || trimmed.contains("END SOLUTION") {
        return Err(marker_error(
            path,
            index,
            format!(
                "malformed marker `{trimmed}`: expected a line that is exactly `{BEGIN}` or `{END}`"
            ),
        ));
    }
    Ok(None)
}

/// The hint lines directly above line `begin`, joined with spaces.
fn hint_above(lines: &[String], begin: usize) -> String {
    let mut hints: Vec<&str> = lines[..begin]
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with(HINT))
        .map(|l| l[HINT.len()..].trim())
        .collect();
    hints.reverse();
    hints.join(" ")
}

/// The name of the last function declared at or above line `begin`.
fn enclosing_function(lines: &[String], begin: usize) -> Option<String> {
    lines[..begin]
        .iter()
        .rev()
        .find_map(|l| FN_NAME.captures(l).map(|c| c[1].to_string()))
}

/// Parse the solution regions of one file; `text` is its content.
pub fn parse(path: &Path, text: &str) -> Result<MarkedFile, ClassroomError> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut regions = Vec::new();
    let mut open: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        match (marker_kind(path, index, line)?, open) {
            (None, _) => {}
            (Some(true), Some(outer)) => {
                return Err(marker_error(
                    path,
                    index,
                    format!(
                        "nested `{BEGIN}`: the region opened on line {} is not closed",
                        outer + 1
                    ),
                ));
            }
            (Some(true), None) => open = Some(index),
            (Some(false), None) => {
                return Err(marker_error(
                    path,
                    index,
                    format!("`{END}` without a `{BEGIN}` above it"),
                ));
            }
            (Some(false), Some(begin)) => {
                regions.push(region(path, &lines, begin, index, &regions)?);
                open = None;
            }
        }
    }
    if let Some(begin) = open {
        return Err(marker_error(
            path,
            begin,
            format!("unclosed `{BEGIN}`: no `{END}` below it"),
        ));
    }
    Ok(MarkedFile {
        path: path.to_path_buf(),
        lines,
        regions,
    })
}

fn region(
    path: &Path,
    lines: &[String],
    begin: usize,
    end: usize,
    earlier: &[Region],
) -> Result<Region, ClassroomError> {
    if lines[begin + 1..end].iter().all(|l| l.trim().is_empty()) {
        return Err(marker_error(path, begin, "empty solution region"));
    }
    let name = enclosing_function(lines, begin)
        .ok_or_else(|| marker_error(path, begin, "solution region outside any function"))?;
    if let Some(other) = earlier.iter().find(|r| r.name == name) {
        return Err(marker_error(
            path,
            begin,
            format!(
                "second solution region in fn {name} (the first is on line {}): one region per function",
                other.begin + 1
            ),
        ));
    }
    let line = &lines[begin];
    let indent = line[..line.len() - line.trim_start().len()].to_string();
    Ok(Region {
        name,
        begin,
        end,
        hint: hint_above(lines, begin),
        indent,
    })
}

impl MarkedFile {
    /// The file with every region replaced by `replace(region)`, one line per
    /// element of the returned text (no trailing newline handling needed).
    fn rewrite(&self, mut replace: impl FnMut(&Region) -> String) -> String {
        let mut out = String::new();
        let mut next = 0;
        for r in &self.regions {
            for l in &self.lines[next..r.begin] {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(&replace(r));
            if !out.ends_with('\n') {
                out.push('\n');
            }
            next = r.end + 1;
        }
        for l in &self.lines[next..] {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    /// The student's version: each region becomes `todo!("hint: ...")`.
    pub fn release(&self) -> String {
        self.rewrite(|r| {
            let hint = if r.hint.is_empty() {
                "write this function (see the doc comment and the book)".to_string()
            } else {
                r.hint.clone()
            };
            // todo! takes a format string: braces in the hint must be doubled.
            let message = format!("hint: {hint}")
                .replace('{', "{{")
                .replace('}', "}}");
            format!("{}todo!({message:?})", r.indent)
        })
    }

    /// The solution itself, without the marker lines.
    pub fn solution(&self) -> String {
        self.rewrite(|r| self.lines[r.begin + 1..r.end].join("\n"))
    }

    /// The file with the regions named in `bodies` replaced by those bodies
    /// and every other region kept as the solution.
    pub fn substitute(&self, bodies: &std::collections::BTreeMap<String, String>) -> String {
        self.rewrite(|r| match bodies.get(&r.name) {
            Some(body) => body.trim_end_matches('\n').to_string(),
            None => self.lines[r.begin + 1..r.end].join("\n"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<MarkedFile, ClassroomError> {
        parse(Path::new("src/lib.rs"), text)
    }

    const GOOD: &str = "/// Doc.\npub fn energy(x: f64) -> f64 {\n    // HINT: negate the\n    // HINT: sum.\n    // BEGIN SOLUTION\n    -x\n    // END SOLUTION\n}\n\nfn other() -> u8 {\n    // BEGIN SOLUTION\n    1\n    // END SOLUTION\n}\n";

    #[test]
    fn regions_are_named_after_their_function_and_keep_their_hint() {
        let file = parse_str(GOOD).unwrap();
        let names: Vec<_> = file.regions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["energy", "other"]);
        assert_eq!(file.regions[0].hint, "negate the sum.");
        assert_eq!(file.regions[1].hint, "");
        assert_eq!((file.regions[0].begin, file.regions[0].end), (4, 6));
    }

    #[test]
    fn release_keeps_signature_doc_and_hint_and_drops_the_body() {
        let release = parse_str(GOOD).unwrap().release();
        assert!(release.contains("/// Doc.\npub fn energy(x: f64) -> f64 {\n"));
        assert!(release.contains("    // HINT: negate the\n"));
        assert!(release.contains("    todo!(\"hint: negate the sum.\")\n"));
        assert!(!release.contains("-x"));
        assert!(!release.contains("SOLUTION"));
    }

    #[test]
    fn braces_in_a_hint_are_escaped_for_todo() {
        let text = "fn f() -> f64 {\n    // HINT: e^{x - m}\n    // BEGIN SOLUTION\n    1.0\n    // END SOLUTION\n}\n";
        let release = parse_str(text).unwrap().release();
        assert!(
            release.contains("    todo!(\"hint: e^{{x - m}}\")\n"),
            "{release}"
        );
    }

    #[test]
    fn solution_and_substitution_drop_the_markers() {
        let file = parse_str(GOOD).unwrap();
        assert!(file.solution().contains("    -x\n"));
        assert!(!file.solution().contains("SOLUTION"));
        let bodies = [("energy".to_string(), "    x\n".to_string())].into();
        let mutant = file.substitute(&bodies);
        assert!(mutant.contains("{\n    // HINT: negate the\n    // HINT: sum.\n    x\n}"));
        assert!(mutant.contains("    1\n"));
    }

    fn error_line(text: &str) -> (usize, String) {
        match parse_str(text) {
            Err(ClassroomError::Marker {
                line,
                problem,
                path,
            }) => {
                assert_eq!(path, Path::new("src/lib.rs"));
                (line, problem)
            }
            other => panic!("expected a marker error, got {other:?}"),
        }
    }

    #[test]
    fn unclosed_region_names_its_begin_line() {
        let (line, problem) = error_line("fn f() {\n    // BEGIN SOLUTION\n    1\n}\n");
        assert_eq!(line, 2);
        assert!(problem.contains("unclosed"), "{problem}");
    }

    #[test]
    fn nested_region_names_the_inner_begin_line() {
        let (line, problem) = error_line(
            "fn f() {\n// BEGIN SOLUTION\n// BEGIN SOLUTION\n1\n// END SOLUTION\n// END SOLUTION\n}\n",
        );
        assert_eq!(line, 3);
        assert!(
            problem.contains("nested") && problem.contains("line 2"),
            "{problem}"
        );
    }

    #[test]
    fn end_without_begin_is_refused() {
        let (line, problem) = error_line("fn f() {\n    1\n    // END SOLUTION\n}\n");
        assert_eq!(line, 3);
        assert!(problem.contains("without"), "{problem}");
    }

    #[test]
    fn misspelt_marker_is_refused_not_ignored() {
        let (line, problem) = error_line("fn f() {\n    //BEGIN SOLUTION\n    1\n}\n");
        assert_eq!(line, 2);
        assert!(problem.contains("malformed"), "{problem}");
        let (line, _) = error_line("fn f() {\n    /* BEGIN SOLUTION */ 1\n}\n");
        assert_eq!(line, 2);
    }

    #[test]
    fn empty_region_outside_function_and_two_per_function_are_refused() {
        let (line, problem) = error_line("fn f() {\n// BEGIN SOLUTION\n\n// END SOLUTION\n}\n");
        assert_eq!((line, problem.contains("empty")), (2, true));
        let (line, problem) = error_line("// BEGIN SOLUTION\nconst X: u8 = 1;\n// END SOLUTION\n");
        assert_eq!((line, problem.contains("outside")), (1, true));
        let (line, problem) = error_line(
            "fn f() {\n// BEGIN SOLUTION\n1;\n// END SOLUTION\n// BEGIN SOLUTION\n2\n// END SOLUTION\n}\n",
        );
        assert_eq!((line, problem.contains("second")), (5, true));
    }

    #[test]
    fn a_file_without_markers_has_no_regions() {
        assert!(parse_str("fn f() {}\n").unwrap().regions.is_empty());
    }
}
