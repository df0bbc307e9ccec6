//! One assignment as the instructor writes it: a folder `assignments/NAME/`
//! holding a cargo package `assignment-NAME` (solution between markers in
//! `src/`), `tests/public.rs`, `tests/hidden.rs`, `assignment.toml` (title,
//! chapter, points per named test, time limit) and `mutants.toml` (wrong
//! solutions that must lose points). Loading checks that these agree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::error::{ClassroomError, read};
use crate::markers::{self, MarkedFile};

/// The files of tests, relative to the assignment folder.
pub const PUBLIC_TESTS: &str = "tests/public.rs";
pub const HIDDEN_TESTS: &str = "tests/hidden.rs";

/// `assignment.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub title: String,
    /// The book page the assignment belongs to, e.g. `energy.md`.
    pub chapter: String,
    /// Wall-clock limit for each test, in seconds.
    pub time_limit_secs: f64,
    /// Points a release may score by design (0 unless a test is meant to pass
    /// before any work, which none of ours is).
    #[serde(default)]
    pub free_points: u32,
    /// Points per test function of `tests/public.rs`.
    pub public: BTreeMap<String, u32>,
    /// Points per test function of `tests/hidden.rs`.
    pub hidden: BTreeMap<String, u32>,
}

/// One planted mistake: the bodies it puts in place of solution regions.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutant {
    pub name: String,
    /// The mistake, as a student would make it.
    pub why: String,
    /// Region (function) name -> the wrong body.
    pub replace: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MutantsFile {
    mutant: Vec<Mutant>,
}

/// An assignment, loaded and checked.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub name: String,
    pub dir: PathBuf,
    pub meta: Meta,
    /// The files under `src/`, relative to the assignment folder.
    pub sources: Vec<(PathBuf, MarkedFile)>,
    pub mutants: Vec<Mutant>,
}

/// Which version of the sources to write.
#[derive(Clone, Copy, Debug)]
pub enum Variant<'a> {
    Release,
    Solution,
    Mutant(&'a Mutant),
}

static TEST_FN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"#\[test\]\s*(?:#\[[^\]]*\]\s*)*(?:pub\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)")
        .expect("valid regex")
});
static PACKAGE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*name\s*=\s*"assignment-([a-z0-9-]+)""#).expect("valid regex")
});

/// The names of the `#[test]` functions of a test file.
pub fn test_names(text: &str) -> Vec<String> {
    TEST_FN
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

/// The assignment a package belongs to, from its `Cargo.toml` text.
pub fn package_assignment(cargo_toml: &str) -> Option<String> {
    PACKAGE_NAME.captures(cargo_toml).map(|c| c[1].to_string())
}

impl Assignment {
    /// Load and check the assignment in `dir`.
    pub fn load(dir: &Path) -> Result<Self, ClassroomError> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
            .ok_or_else(|| {
                ClassroomError::invalid(dir, "an assignment folder name uses only a-z, 0-9 and '-'")
            })?
            .to_string();
        let manifest_path = dir.join("Cargo.toml");
        let manifest = read(&manifest_path)?;
        if package_assignment(&manifest).as_deref() != Some(name.as_str()) {
            return Err(ClassroomError::invalid(
                manifest_path,
                format!("package.name: expected \"assignment-{name}\" (the folder's name)"),
            ));
        }
        let meta_path = dir.join("assignment.toml");
        let meta: Meta = toml::from_str(&read(&meta_path)?)
            .map_err(|e| ClassroomError::invalid(&meta_path, e.message().to_string()))?;
        let assignment = Assignment {
            sources: load_sources(dir)?,
            mutants: load_mutants(&dir.join("mutants.toml"))?,
            name,
            dir: dir.to_path_buf(),
            meta,
        };
        assignment.check()?;
        Ok(assignment)
    }

    fn check(&self) -> Result<(), ClassroomError> {
        let meta_path = self.dir.join("assignment.toml");
        if !(self.meta.time_limit_secs.is_finite() && self.meta.time_limit_secs > 0.0) {
            return Err(ClassroomError::invalid(
                &meta_path,
                "time_limit_secs: expected a positive number of seconds",
            ));
        }
        for (file, table, field) in [
            (PUBLIC_TESTS, &self.meta.public, "public"),
            (HIDDEN_TESTS, &self.meta.hidden, "hidden"),
        ] {
            let names: BTreeSet<String> = test_names(&read(&self.dir.join(file))?)
                .into_iter()
                .collect();
            let listed: BTreeSet<String> = table.keys().cloned().collect();
            if names != listed || names.is_empty() {
                return Err(ClassroomError::invalid(
                    &meta_path,
                    format!(
                        "[{field}]: expected points for exactly the #[test] functions of {file} ({}), found entries for ({})",
                        join(&names),
                        join(&listed)
                    ),
                ));
            }
            if let Some((test, _)) = table.iter().find(|(_, p)| **p == 0) {
                return Err(ClassroomError::invalid(
                    &meta_path,
                    format!("[{field}].{test}: expected at least 1 point"),
                ));
            }
        }
        if let Some(both) = self
            .meta
            .public
            .keys()
            .find(|k| self.meta.hidden.contains_key(*k))
        {
            return Err(ClassroomError::invalid(
                &meta_path,
                format!("test {both} is listed as public and as hidden"),
            ));
        }
        if self.meta.free_points > self.max_score() {
            return Err(ClassroomError::invalid(
                &meta_path,
                "free_points: expected at most the total of the points",
            ));
        }
        let regions = self.region_names();
        if regions.is_empty() {
            return Err(ClassroomError::Marker {
                path: self.dir.join("src/lib.rs"),
                line: 1,
                problem: format!(
                    "missing markers: no `{}` in any file under src/",
                    markers::BEGIN
                ),
            });
        }
        self.check_mutants(&regions)
    }

    fn check_mutants(&self, regions: &BTreeSet<String>) -> Result<(), ClassroomError> {
        let path = self.dir.join("mutants.toml");
        if self.mutants.len() < 2 {
            return Err(ClassroomError::invalid(
                &path,
                "expected at least two [[mutant]] entries",
            ));
        }
        let mut seen = BTreeSet::new();
        for m in &self.mutants {
            if !seen.insert(&m.name) {
                return Err(ClassroomError::invalid(
                    &path,
                    format!("mutant {}: the name is used twice", m.name),
                ));
            }
            if m.replace.is_empty() {
                return Err(ClassroomError::invalid(
                    &path,
                    format!("mutant {}: replace is empty", m.name),
                ));
            }
            if let Some(unknown) = m.replace.keys().find(|k| !regions.contains(*k)) {
                return Err(ClassroomError::invalid(
                    &path,
                    format!(
                        "mutant {}: replace.{unknown}: no solution region in a fn of that name (regions: {})",
                        m.name,
                        join(regions)
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn region_names(&self) -> BTreeSet<String> {
        self.sources
            .iter()
            .flat_map(|(_, f)| f.regions.iter().map(|r| r.name.clone()))
            .collect()
    }

    /// The files under `tests/` (relative to the assignment folder): the
    /// public tests and their helpers, and `tests/hidden.rs` if `with_hidden`.
    pub fn test_files(&self, with_hidden: bool) -> Result<Vec<PathBuf>, ClassroomError> {
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(self.dir.join("tests")).sort_by_file_name() {
            let entry = entry
                .map_err(|e| ClassroomError::invalid(self.dir.join("tests"), e.to_string()))?;
            let rel = entry
                .path()
                .strip_prefix(&self.dir)
                .expect("under dir")
                .to_path_buf();
            if entry.file_type().is_file() && (with_hidden || rel != Path::new(HIDDEN_TESTS)) {
                files.push(rel);
            }
        }
        Ok(files)
    }

    /// Whether `sources` (a submission's `src/` files, concatenated) define
    /// every function the student writes: how a submission whose manifest
    /// was edited is still recognised.
    pub fn defined_by(&self, sources: &str) -> bool {
        self.region_names().iter().all(|name| {
            Regex::new(&format!(r"\bfn\s+{}\s*[(<]", regex::escape(name)))
                .is_ok_and(|re| re.is_match(sources))
        })
    }

    pub fn max_score(&self) -> u32 {
        self.meta
            .public
            .values()
            .chain(self.meta.hidden.values())
            .sum()
    }

    pub fn mutant(&self, name: &str) -> Option<&Mutant> {
        self.mutants.iter().find(|m| m.name == name)
    }

    /// The files under `src/` (relative paths) in the requested version.
    pub fn sources(&self, variant: Variant) -> Vec<(PathBuf, String)> {
        self.sources
            .iter()
            .map(|(rel, file)| {
                let text = match variant {
                    Variant::Release => file.release(),
                    Variant::Solution => file.solution(),
                    Variant::Mutant(m) => file.substitute(&m.replace),
                };
                (rel.clone(), text)
            })
            .collect()
    }
}

fn join<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names.into_iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Every `.rs` file under `dir/src`, parsed for markers.
fn load_sources(dir: &Path) -> Result<Vec<(PathBuf, MarkedFile)>, ClassroomError> {
    let mut sources = Vec::new();
    let mut names: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir.join("src")).sort_by_file_name() {
        let entry = entry.map_err(|e| ClassroomError::invalid(dir.join("src"), e.to_string()))?;
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = markers::parse(entry.path(), &read(entry.path())?)?;
        for r in &file.regions {
            if let Some(other) = names.insert(r.name.clone(), entry.path().to_path_buf()) {
                return Err(ClassroomError::Marker {
                    path: entry.path().to_path_buf(),
                    line: r.begin + 1,
                    problem: format!(
                        "fn {} also has a solution region in {}",
                        r.name,
                        other.display()
                    ),
                });
            }
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("under dir")
            .to_path_buf();
        sources.push((rel, file));
    }
    Ok(sources)
}

fn load_mutants(path: &Path) -> Result<Vec<Mutant>, ClassroomError> {
    let file: MutantsFile = toml::from_str(&read(path)?)
        .map_err(|e| ClassroomError::invalid(path, e.message().to_string()))?;
    Ok(file.mutant)
}

/// Every assignment under `root`, in the order of the book's chapters.
pub fn load_all(root: &Path) -> Result<Vec<Assignment>, ClassroomError> {
    let entries = std::fs::read_dir(root).map_err(ClassroomError::io(root))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("assignment.toml").is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(ClassroomError::invalid(
            root,
            "no assignment folders (with an assignment.toml) here",
        ));
    }
    let mut all = dirs
        .iter()
        .map(|d| Assignment::load(d))
        .collect::<Result<Vec<_>, _>>()?;
    // In the book's order where the chapter is in SUMMARY.md, then by name.
    let summary = root
        .parent()
        .and_then(|checkout| std::fs::read_to_string(checkout.join("book/src/SUMMARY.md")).ok())
        .unwrap_or_default();
    all.sort_by_key(|a| {
        let position = summary.find(&format!("({})", a.meta.chapter));
        (position.unwrap_or(usize::MAX), a.name.clone())
    });
    Ok(all)
}

/// The table of the Instructor's guide (`book/src/generated/assignments.md`,
/// written by the example `assignments_table`):
/// one row per assignment with its chapter, folder, points and mutants.
pub fn catalogue_markdown(all: &[Assignment]) -> String {
    let mut out = String::from(
        "| assignment (chapter) | folder | points: public + hidden | planted mistakes (mutants) |\n\
         |---|---|---|---|\n",
    );
    for a in all {
        let public: u32 = a.meta.public.values().sum();
        let hidden: u32 = a.meta.hidden.values().sum();
        let mutants: Vec<String> = a.mutants.iter().map(|m| format!("`{}`", m.name)).collect();
        out.push_str(&format!(
            "| [{}]({}) | `assignments/{}` | {} = {public} + {hidden} | {} |\n",
            a.meta.title,
            a.meta.chapter,
            a.name,
            a.max_score(),
            mutants.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_finds_test_functions_with_attributes() {
        let text = "#[test]\nfn a() {}\n\n#[test]\n#[ignore]\nfn b() {}\nfn helper() {}\n";
        assert_eq!(test_names(text), ["a", "b"]);
    }

    #[test]
    fn defined_by_needs_every_solved_function() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("toy");
        let write = |rel: &str, text: &str| {
            std::fs::create_dir_all(a.join(rel).parent().unwrap()).unwrap();
            std::fs::write(a.join(rel), text).unwrap();
        };
        write("Cargo.toml", "[package]\nname = \"assignment-toy\"\n");
        write(
            "src/lib.rs",
            "fn energy() {\n    // BEGIN SOLUTION\n    1\n    // END SOLUTION\n}\n",
        );
        write(
            "assignment.toml",
            "title = \"t\"\nchapter = \"c.md\"\ntime_limit_secs = 1\n[public]\na = 1\n[hidden]\nb = 1\n",
        );
        write("tests/public.rs", "#[test]\nfn a() {}\n");
        write("tests/hidden.rs", "#[test]\nfn b() {}\n");
        let mutants = "[[mutant]]\nname = \"m1\"\nwhy = \"w\"\nreplace = { energy = \"2\" }\n";
        write(
            "mutants.toml",
            &format!("{mutants}{}", mutants.replace("m1", "m2")),
        );
        let toy = Assignment::load(&a).unwrap();
        assert!(toy.defined_by("pub fn energy(v: f64) -> f64 { v }"));
        assert!(!toy.defined_by("pub fn free_energy(v: f64) -> f64 { v }"));
    }

    #[test]
    fn package_assignment_reads_the_package_name() {
        assert_eq!(
            package_assignment("[package]\nname = \"assignment-energy\"\n").as_deref(),
            Some("energy")
        );
        assert_eq!(package_assignment("[package]\nname = \"energy\"\n"), None);
    }
}
