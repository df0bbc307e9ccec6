//! (i) The map of the book in `introduction.md` (the table under "## A map of
//! the book") has one row per numbered chapter of `SUMMARY.md`. Its second
//! cell names, in backticks, exactly the crates whose code the chapter
//! includes (the folder under `crates/`, or `experiments`); its third cell
//! names exactly the experiments and example programs that write the
//! chapter's figures (`figures/NAME...`) and included tables
//! (`generated/NAME.md`). A file belongs to the experiment whose name starts
//! it (`cd-bias-bias.svg` to `cd-bias`, as DESIGN.md names figures), and
//! otherwise to the example program (`crates/*/examples/NAME.rs`) whose
//! source mentions it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};
use std::sync::LazyLock;

use regex::Regex;

use super::equations::chapter_numbers;
use super::{Tree, normalize, parse_includes};

const MAP_HEADING: &str = "## A map of the book";

static BACKTICKED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`]+)`").expect("valid regex"));
static PAGE_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\]\(([^)#]+\.md)").expect("valid regex"));
static FIGURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"figures/([\w.-]+?)\.(?:svg|png|json)").expect("valid regex"));

/// What one row of the map, or one chapter, names.
#[derive(Debug, Default, PartialEq)]
struct Entry {
    crates: BTreeSet<String>,
    producers: BTreeSet<String>,
}

/// The rows of the map: linked page -> (line, entry).
fn parse_map(intro: &str) -> BTreeMap<String, (usize, Entry)> {
    let mut rows = BTreeMap::new();
    let lines = intro.lines().enumerate();
    let in_map = lines.skip_while(|(_, l)| l.trim() != MAP_HEADING).skip(1);
    for (k, line) in in_map.take_while(|(_, l)| !l.starts_with("## ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(first), Some(crates), Some(producers)) =
            (cells.get(1), cells.get(2), cells.get(3))
        else {
            continue;
        };
        let Some(link) = PAGE_LINK.captures(first) else {
            continue;
        };
        let names = |cell: &str| -> BTreeSet<String> {
            BACKTICKED
                .captures_iter(cell)
                .map(|c| c[1].to_string())
                .collect()
        };
        let entry = Entry {
            crates: names(crates),
            producers: names(producers),
        };
        rows.insert(link[1].to_string(), (k + 1, entry));
    }
    rows
}

/// The crate of a source file: `crates/NAME/...` -> NAME, `experiments/...`.
fn crate_of(root: &Path, file: &Path) -> Option<String> {
    let mut parts = file.strip_prefix(root).ok()?.components();
    match parts.next()? {
        Component::Normal(top) if top == "crates" => {
            Some(parts.next()?.as_os_str().to_string_lossy().into_owned())
        }
        Component::Normal(top) if top == "experiments" => Some("experiments".into()),
        _ => None,
    }
}

/// Who writes the figure or table `stem`: an experiment, or an example.
fn producer_of(tree: &Tree, root: &Path, experiments: &[String], stem: &str) -> Option<String> {
    let experiment = experiments
        .iter()
        .filter(|e| stem == e.as_str() || stem.starts_with(&format!("{e}-")))
        .max_by_key(|e| e.len());
    if let Some(e) = experiment {
        return Some(e.clone());
    }
    let crates = root.join("crates");
    tree.paths_under(&crates, "rs")
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("examples")))
        .find(|p| tree.get(p).unwrap_or_default().contains(stem))
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
}

/// What chapter `page` includes and shows, with problems for unknown producers.
fn chapter_entry(
    tree: &Tree,
    root: &Path,
    page: &Path,
    experiments: &[String],
    problems: &mut Vec<String>,
) -> Entry {
    let text = tree.get(page).unwrap_or_default();
    let dir = page.parent().unwrap_or(root);
    let mut entry = Entry::default();
    let mut stems = BTreeSet::new();
    for inc in parse_includes(text) {
        let target = normalize(&dir.join(&inc.path));
        if let Some(name) = crate_of(root, &target) {
            entry.crates.insert(name);
        } else if target.parent().is_some_and(|d| d.ends_with("generated"))
            && let Some(stem) = target.file_stem()
        {
            stems.insert(stem.to_string_lossy().into_owned());
        }
    }
    stems.extend(FIGURE.captures_iter(text).map(|c| c[1].to_string()));
    for stem in stems {
        match producer_of(tree, root, experiments, &stem) {
            Some(p) => {
                entry.producers.insert(p);
            }
            None => problems.push(format!(
                "{}: no experiment or example program writes `{stem}`",
                page.strip_prefix(root).unwrap_or(page).display()
            )),
        }
    }
    entry
}

/// Every problem of the map against the chapters. `experiments` are the
/// names of the experiments (the configurations in `experiments/configs/`).
pub fn check_map(tree: &Tree, root: &Path, book_src: &Path, experiments: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let intro_path = book_src.join("introduction.md");
    let Some(intro) = tree.get(&intro_path) else {
        return vec!["book/src/introduction.md does not exist".into()];
    };
    let mut rows = parse_map(intro);
    let summary = tree.get(&book_src.join("SUMMARY.md")).unwrap_or_default();
    let show_set = |s: &BTreeSet<String>| format!("{s:?}");
    for (page, number) in chapter_numbers(summary) {
        let actual = chapter_entry(
            tree,
            root,
            &book_src.join(&page),
            experiments,
            &mut problems,
        );
        let Some((line, listed)) = rows.remove(&page) else {
            problems.push(format!(
                "introduction.md: chapter {number} ({page}) is missing from \"{MAP_HEADING}\" (add a row)"
            ));
            continue;
        };
        let at = format!("introduction.md:{line}");
        if listed.crates != actual.crates {
            problems.push(format!(
                "{at}: the map lists crates {} for {page}, which includes code from {}",
                show_set(&listed.crates),
                show_set(&actual.crates)
            ));
        }
        if listed.producers != actual.producers {
            problems.push(format!(
                "{at}: the map lists {} as making the figures of {page}, which are made by {}",
                show_set(&listed.producers),
                show_set(&actual.producers)
            ));
        }
    }
    for (page, (line, _)) in rows {
        problems.push(format!(
            "introduction.md:{line}: the map has a row for {page}, which is no numbered chapter of SUMMARY.md"
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::{Files, ROOT, assert_one_problem, tree, with};

    const SUMMARY: &str =
        "# Summary\n\n[Introduction](introduction.md)\n- [One](one.md)\n- [Two](two.md)\n";
    const INTRO: &str = "# Introduction\n\n## A map of the book\n\n| chapter | code | made by |\n|---|---|---|\n\
                         | 1. [One](one.md) | `core` | experiment `fig-run` |\n\
                         | 2. [Two](two.md) | `core`, `experiments` | example `tables` |\n\
                         | assignments | none yet | |\n\n## Next\n";
    const ONE: &str =
        "{{#include ../../crates/core/src/lib.rs:a}}\n![f](figures/fig-run-curve.svg)\n";
    const TWO: &str = "{{#include ../../crates/core/src/lib.rs:a}}\n{{#include ../../experiments/src/x.rs:b}}\n\
                       {{#include generated/speed-table.md}}\n";

    fn good_book() -> Files {
        vec![
            ("book/src/SUMMARY.md", SUMMARY.into()),
            ("book/src/introduction.md", INTRO.into()),
            ("book/src/one.md", ONE.into()),
            ("book/src/two.md", TWO.into()),
            (
                "crates/core/examples/tables.rs",
                "// writes generated/speed-table.md\n".into(),
            ),
        ]
    }

    fn run(files: &[(&str, String)]) -> Vec<String> {
        let root = Path::new(ROOT);
        check_map(
            &tree(files),
            root,
            &root.join("book/src"),
            &["fig-run".to_string()],
        )
    }

    #[test]
    fn a_true_map_has_no_problems() {
        assert_eq!(run(&good_book()), Vec::<String>::new());
    }

    #[test]
    fn catches_a_chapter_missing_from_the_map() {
        let summary = format!("{SUMMARY}- [Three](three.md)\n");
        let files = with(
            with(good_book(), "book/src/SUMMARY.md", summary),
            "book/src/three.md",
            "# Three\n",
        );
        assert_one_problem(&run(&files), "chapter 3 (three.md) is missing");
    }

    #[test]
    fn catches_a_crate_the_map_forgot() {
        let one = format!("{ONE}{{{{#include ../../crates/other/src/lib.rs:c}}}}\n");
        let problems = run(&with(good_book(), "book/src/one.md", one));
        assert_one_problem(
            &problems,
            "introduction.md:7: the map lists crates {\"core\"} for one.md, which includes code from {\"core\", \"other\"}",
        );
    }

    #[test]
    fn catches_a_figure_maker_that_is_wrong_or_unknown() {
        let intro = INTRO.replace("experiment `fig-run`", "experiment `other-run`");
        let problems = run(&with(good_book(), "book/src/introduction.md", intro));
        assert_one_problem(
            &problems,
            "lists {\"other-run\"} as making the figures of one.md",
        );
        let one = format!("{ONE}![g](figures/nobody-made-this.png)\n");
        let problems = run(&with(good_book(), "book/src/one.md", one));
        assert_one_problem(
            &problems,
            "no experiment or example program writes `nobody-made-this`",
        );
    }

    #[test]
    fn catches_a_row_for_a_page_that_is_no_chapter() {
        let intro = INTRO.replace(
            "| assignments |",
            "| 3. [Old](old.md) | | |\n| assignments |",
        );
        let problems = run(&with(good_book(), "book/src/introduction.md", intro));
        assert_one_problem(
            &problems,
            "the map has a row for old.md, which is no numbered chapter",
        );
    }
}
