//! The book shows real code through `{{#include file:anchor}}`, and mdBook
//! silently includes nothing when the anchor does not exist. This test fails
//! instead, on:
//!
//! - (a) an include whose file does not exist (paths relative to the .md file),
//! - (b) an include naming an anchor that the file does not define, or lines
//!   past its end,
//! - (c) an anchor that is unclosed, duplicated, closed without being opened,
//!   or empty (no non-blank line between `ANCHOR` and `ANCHOR_END`),
//! - (d) an anchor under `crates/` or `experiments/` that no chapter includes,
//! - (e) a chapter in `SUMMARY.md` that does not exist, or a page under
//!   `book/src` that is missing from `SUMMARY.md` (pages under `generated/`
//!   and pages included by other pages are exempt).
//!
//! The module [`equations`] checks (f)-(h): equation tags follow the chapter
//! numbers of the sidebar, and the code and the book cite only equations that
//! exist, every one of them, but for the pure definitions listed in
//! [`equations::UNCITED_BY_DESIGN`]. The module [`map`] checks (i): the map
//! of the book in the introduction names the crates each chapter includes
//! and the experiments and examples that make its figures.
//!
//! The checker works on an in-memory [`Tree`] of files, so the unit tests
//! below can show on small strings that it catches each problem.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

#[path = "book_anchors/equations.rs"]
mod equations;
#[path = "book_anchors/map.rs"]
mod map;

/// Files by absolute, normalised path.
#[derive(Default)]
struct Tree {
    files: BTreeMap<PathBuf, String>,
}

impl Tree {
    fn get(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    fn paths_under<'a>(
        &'a self,
        dir: &'a Path,
        extension: &'a str,
    ) -> impl Iterator<Item = &'a Path> + 'a {
        self.files
            .keys()
            .map(PathBuf::as_path)
            .filter(move |p| p.starts_with(dir) && p.extension().is_some_and(|e| e == extension))
    }
}

/// What part of a file an include takes.
#[derive(Clone, Debug, PartialEq)]
enum Selection {
    Whole,
    Anchor(String),
    /// 1-based first and last line, as in `file:N:M`, `file:N:`, `file::M`, `file:N`.
    Lines(Option<usize>, Option<usize>),
}

#[derive(Clone, Debug, PartialEq)]
struct Include {
    /// 1-based line of the directive in the Markdown file.
    line: usize,
    /// The path as written, relative to the Markdown file.
    path: String,
    selection: Selection,
}

static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\\)?\{\{\s*#(?:include|rustdoc_include)\s+([^}\s]+)[^}]*\}\}")
        .expect("valid regex")
});
static ANCHOR_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"ANCHOR:\s*([\w-]+)").expect("valid regex"));
static ANCHOR_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"ANCHOR_END:\s*([\w-]+)").expect("valid regex"));
static SUMMARY_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\]\(([^)]*)\)").expect("valid regex"));

/// The `{{#include ...}}` and `{{#rustdoc_include ...}}` directives of a page,
/// except escaped ones (`\{{#include ...}}`), which mdBook prints literally.
fn parse_includes(markdown: &str) -> Vec<Include> {
    let mut includes = Vec::new();
    for (k, line) in markdown.lines().enumerate() {
        for cap in INCLUDE.captures_iter(line) {
            if cap.get(1).is_some() {
                continue;
            }
            let (path, selection) = parse_target(&cap[2]);
            includes.push(Include {
                line: k + 1,
                path,
                selection,
            });
        }
    }
    includes
}

/// Split `path[:anchor | :N | :N:M | :N: | ::M]` as mdBook does.
fn parse_target(target: &str) -> (String, Selection) {
    let Some((path, rest)) = target.split_once(':') else {
        return (target.to_string(), Selection::Whole);
    };
    let number = |s: &str| s.parse::<usize>().ok();
    let selection = match rest.split_once(':') {
        Some((from, to)) if from.chars().chain(to.chars()).all(|c| c.is_ascii_digit()) => {
            Selection::Lines(number(from), number(to))
        }
        None if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) => {
            Selection::Lines(number(rest), number(rest))
        }
        _ => Selection::Anchor(rest.to_string()),
    };
    (path.to_string(), selection)
}

/// The anchors of a source file: name -> 1-based line of `ANCHOR:`, and the
/// problems found (unclosed, duplicated, empty, closed without being opened).
fn parse_anchors(source: &str) -> (BTreeMap<String, usize>, Vec<String>) {
    let mut defined = BTreeMap::new();
    let mut problems = Vec::new();
    // name -> (line of ANCHOR:, non-blank lines of content so far)
    let mut open: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (k, line) in source.lines().enumerate() {
        let line_no = k + 1;
        if let Some(cap) = ANCHOR_END.captures(line) {
            let name = cap[1].to_string();
            match open.remove(&name) {
                Some((start, 0)) => problems.push(format!(
                    "line {start}: anchor `{name}` is empty (nothing between ANCHOR and ANCHOR_END)"
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "line {line_no}: ANCHOR_END: {name} without an open ANCHOR: {name}"
                )),
            }
        } else if let Some(cap) = ANCHOR_START.captures(line) {
            let name = cap[1].to_string();
            if let Some(first) = defined.get(&name) {
                problems.push(format!(
                    "line {line_no}: anchor `{name}` is defined twice (first at line {first})"
                ));
            } else {
                defined.insert(name.clone(), line_no);
            }
            open.insert(name, (line_no, 0));
        } else if !line.trim().is_empty() {
            for (_, content) in open.values_mut() {
                *content += 1;
            }
        }
    }
    for (name, (start, _)) in open {
        problems.push(format!(
            "line {start}: anchor `{name}` is never closed (add `ANCHOR_END: {name}`)"
        ));
    }
    (defined, problems)
}

/// The pages that SUMMARY.md links to, relative to book/src.
fn parse_summary(summary: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    for (k, line) in summary.lines().enumerate() {
        for cap in SUMMARY_LINK.captures_iter(line) {
            let target = cap[1].split('#').next().unwrap_or_default().trim();
            if !target.is_empty() {
                links.push((k + 1, target.to_string())); // empty targets are drafts
            }
        }
    }
    links
}

/// `a/b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Every problem of the book in `book_src` whose listings come from `.rs`
/// files under `source_roots`. Paths in messages are relative to `root`.
fn check(tree: &Tree, root: &Path, book_src: &Path, source_roots: &[PathBuf]) -> Vec<String> {
    let show = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut problems = Vec::new();
    let mut used: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    let mut included_whole: BTreeSet<PathBuf> = BTreeSet::new();
    let mut included_pages: BTreeSet<PathBuf> = BTreeSet::new();

    // (a), (b): every include of every page.
    let pages: Vec<&Path> = tree.paths_under(book_src, "md").collect();
    for &page in &pages {
        let dir = page.parent().unwrap_or(book_src);
        for inc in parse_includes(tree.get(page).unwrap_or_default()) {
            let at = format!("{}:{}", show(page), inc.line);
            let target = normalize(&dir.join(&inc.path));
            let Some(text) = tree.get(&target) else {
                problems.push(format!(
                    "{at}: includes `{}`, but {} does not exist",
                    inc.path,
                    show(&target)
                ));
                continue;
            };
            if target.extension().is_some_and(|e| e == "md") {
                included_pages.insert(target.clone());
            }
            match &inc.selection {
                Selection::Whole => {
                    included_whole.insert(target);
                }
                Selection::Anchor(name) => {
                    if !parse_anchors(text).0.contains_key(name) {
                        problems.push(format!(
                            "{at}: anchor `{name}` is not defined in {} (add `// ANCHOR: {name}` and `// ANCHOR_END: {name}` there)",
                            show(&target)
                        ));
                    }
                    used.insert((target, name.clone()));
                }
                Selection::Lines(from, to) => {
                    let n_lines = text.lines().count();
                    let past_end = |x: &Option<usize>| x.is_some_and(|x| x == 0 || x > n_lines);
                    if past_end(from) || past_end(to) {
                        problems.push(format!(
                            "{at}: lines {from:?}..{to:?} of {} do not exist (it has {n_lines} lines)",
                            show(&target)
                        ));
                    }
                }
            }
        }
    }

    // (c), (d): the anchors of every source file, and of every included file.
    let mut anchored: BTreeSet<&Path> = source_roots
        .iter()
        .flat_map(|r| tree.paths_under(r, "rs"))
        .collect();
    let include_targets: Vec<&PathBuf> = used.iter().map(|(p, _)| p).collect();
    anchored.extend(include_targets.iter().map(|p| p.as_path()));
    for file in anchored {
        let (defined, file_problems) = parse_anchors(tree.get(file).unwrap_or_default());
        problems.extend(
            file_problems
                .into_iter()
                .map(|p| format!("{}: {p}", show(file))),
        );
        let is_source = source_roots.iter().any(|r| file.starts_with(r));
        for (name, line) in defined {
            let is_used =
                included_whole.contains(file) || used.contains(&(file.to_path_buf(), name.clone()));
            if is_source && !is_used {
                problems.push(format!(
                    "{}:{line}: anchor `{name}` is not included by any chapter",
                    show(file)
                ));
            }
        }
    }

    // (e): SUMMARY.md against the pages.
    let summary_path = book_src.join("SUMMARY.md");
    let Some(summary) = tree.get(&summary_path) else {
        problems.push(format!("{} does not exist", show(&summary_path)));
        return problems;
    };
    let mut listed = BTreeSet::new();
    for (line, link) in parse_summary(summary) {
        let page = normalize(&book_src.join(&link));
        if tree.get(&page).is_none() {
            problems.push(format!(
                "{}:{line}: chapter `{link}` does not exist",
                show(&summary_path)
            ));
        }
        listed.insert(page);
    }
    let generated = book_src.join("generated");
    for &page in &pages {
        let exempt =
            page == summary_path || page.starts_with(&generated) || included_pages.contains(page);
        if !exempt && !listed.contains(page) {
            problems.push(format!(
                "{}: not listed in SUMMARY.md (add it there, or move it under generated/)",
                show(page)
            ));
        }
    }
    problems
}

/// Add every `*.extension` file under `dir` to `tree`, skipping build output
/// and hidden folders.
fn read_files(dir: &Path, extension: &str, tree: &mut Tree) {
    let walk = walkdir::WalkDir::new(dir).into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        !(e.file_type().is_dir() && (name == "target" || name.starts_with('.')))
    });
    for entry in walk.filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == extension) {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            tree.files.insert(normalize(path), text);
        }
    }
}

/// The real workspace: book/src/**/*.md, crates/**/*.rs, experiments/**/*.rs,
/// and every other file that a page includes.
fn load_workspace(book_src: &Path, source_roots: &[PathBuf]) -> Tree {
    let mut tree = Tree::default();
    read_files(book_src, "md", &mut tree);
    for r in source_roots {
        read_files(r, "rs", &mut tree);
    }
    let pages: Vec<PathBuf> = tree
        .paths_under(book_src, "md")
        .map(Path::to_path_buf)
        .collect();
    for page in pages {
        let dir = page.parent().unwrap_or(book_src).to_path_buf();
        for inc in parse_includes(&tree.files[&page].clone()) {
            if let Entry::Vacant(slot) = tree.files.entry(normalize(&dir.join(&inc.path)))
                && let Ok(text) = std::fs::read_to_string(slot.key())
            {
                slot.insert(text);
            }
        }
    }
    tree
}

/// The workspace this test crate sits in.
fn workspace_root() -> PathBuf {
    normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s) {what}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_book_has_no_dangling_includes_and_no_bad_or_unused_anchors() {
    let root = workspace_root();
    let book_src = root.join("book/src");
    let source_roots = [root.join("crates"), root.join("experiments")];
    let tree = load_workspace(&book_src, &source_roots);
    assert!(
        tree.get(&book_src.join("SUMMARY.md")).is_some(),
        "no book at {}",
        book_src.display()
    );
    assert_no_problems("in the book", check(&tree, &root, &book_src, &source_roots));
}

#[test]
fn every_equation_tag_follows_its_chapter_and_is_cited_by_code() {
    let root = workspace_root();
    let book_src = root.join("book/src");
    // assignments/ (solutions and tests, once it exists) cites equations too.
    let citing_roots = [
        root.join("crates"),
        root.join("experiments"),
        root.join("tests"),
        root.join("assignments"),
    ];
    let tree = load_workspace(&book_src, &citing_roots);
    let problems = equations::check_equations(
        &tree,
        &root,
        &book_src,
        &citing_roots,
        &equations::checker_source(&root),
        equations::UNCITED_BY_DESIGN,
    );
    assert_no_problems("with equation numbers", problems);
}

#[test]
fn the_map_of_the_book_matches_its_chapters() {
    let root = workspace_root();
    let book_src = root.join("book/src");
    let source_roots = [root.join("crates"), root.join("experiments")];
    let tree = load_workspace(&book_src, &source_roots);
    let experiments: BTreeSet<String> = std::fs::read_dir(root.join("experiments/configs"))
        .expect("experiments/configs exists")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".toml")?;
            Some(stem.strip_suffix(".smoke").unwrap_or(stem).to_string())
        })
        .collect();
    let experiments: Vec<String> = experiments.into_iter().collect();
    let problems = map::check_map(&tree, &root, &book_src, &experiments);
    assert_no_problems("with the map of the book", problems);
}

// The checker on small made-up books: each test shows one problem is caught.
#[cfg(test)]
mod checker {
    use super::*;

    pub(crate) const ROOT: &str = "/r";

    /// A made-up workspace from (path relative to /r, contents) pairs.
    pub(crate) fn tree(files: &[(&str, String)]) -> Tree {
        Tree {
            files: files
                .iter()
                .map(|(p, text)| (Path::new(ROOT).join(p), text.clone()))
                .collect(),
        }
    }

    fn run(files: &[(&str, String)]) -> Vec<String> {
        let root = Path::new(ROOT);
        check(
            &tree(files),
            root,
            &root.join("book/src"),
            &[root.join("crates"), root.join("experiments")],
        )
    }

    const SUMMARY: &str = "# Summary\n\n[Intro](intro.md)\n- [Chapter](ch.md)\n";
    const SOURCE: &str =
        "fn a() {}\n// ANCHOR: energy\nfn energy() -> f64 {\n    1.0\n}\n// ANCHOR_END: energy\n";
    const CHAPTER: &str =
        "# Chapter\n\n```rust,ignore\n{{#include ../../crates/x/src/lib.rs:energy}}\n```\n";

    pub(crate) type Files = Vec<(&'static str, String)>;

    fn good_book() -> Files {
        vec![
            ("book/src/SUMMARY.md", SUMMARY.into()),
            ("book/src/intro.md", "# Intro\n".into()),
            ("book/src/ch.md", CHAPTER.into()),
            ("crates/x/src/lib.rs", SOURCE.into()),
        ]
    }

    /// `files` with `path` added or replaced.
    pub(crate) fn with(mut files: Files, path: &'static str, text: impl Into<String>) -> Files {
        files.retain(|(p, _)| *p != path);
        files.push((path, text.into()));
        files
    }

    pub(crate) fn assert_one_problem(problems: &[String], needle: &str) {
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].contains(needle), "{problems:#?}");
    }

    #[test]
    fn a_good_book_has_no_problems() {
        assert_eq!(run(&good_book()), Vec::<String>::new());
    }

    #[test]
    fn parses_every_include_form() {
        let md = "{{#include a.rs}}\n{{#include a.rs:name}} and {{ #include b.rs:2:5 }}\n\
                  {{#rustdoc_include c.rs:3:}}\n{{#include d.rs::4}}\n{{#include e.rs:7}}\n\
                  \\{{#include escaped.rs:x}}\n";
        let got: Vec<(usize, String, Selection)> = parse_includes(md)
            .into_iter()
            .map(|i| (i.line, i.path, i.selection))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "a.rs".into(), Selection::Whole),
                (2, "a.rs".into(), Selection::Anchor("name".into())),
                (2, "b.rs".into(), Selection::Lines(Some(2), Some(5))),
                (3, "c.rs".into(), Selection::Lines(Some(3), None)),
                (4, "d.rs".into(), Selection::Lines(None, Some(4))),
                (5, "e.rs".into(), Selection::Lines(Some(7), Some(7))),
            ]
        );
    }

    #[test]
    fn catches_an_include_of_a_missing_file() {
        let md = "{{#include ../../crates/x/src/lib.rs:energy}}\n{{#include ../../crates/x/src/gone.rs}}\n";
        let problems = run(&with(good_book(), "book/src/ch.md", md));
        assert_one_problem(
            &problems,
            "book/src/ch.md:2: includes `../../crates/x/src/gone.rs`, but crates/x/src/gone.rs does not exist",
        );
    }

    #[test]
    fn catches_a_missing_file_behind_an_anchor_or_rustdoc_include() {
        let md = "{{#include ../../crates/x/src/lib.rs:energy}}\n{{#rustdoc_include ../nowhere.rs:energy}}\n";
        let problems = run(&with(good_book(), "book/src/ch.md", md));
        assert_one_problem(&problems, "book/nowhere.rs does not exist");
    }

    #[test]
    fn catches_an_unknown_anchor() {
        let md = "{{#include ../../crates/x/src/lib.rs:energy}}\n{{#include ../../crates/x/src/lib.rs:enrgy}}\n";
        let problems = run(&with(good_book(), "book/src/ch.md", md));
        assert_one_problem(
            &problems,
            "anchor `enrgy` is not defined in crates/x/src/lib.rs",
        );
    }

    #[test]
    fn catches_lines_past_the_end() {
        let md = "{{#include ../../crates/x/src/lib.rs:energy}}\n{{#include ../../crates/x/src/lib.rs:5:40}}\n";
        let problems = run(&with(good_book(), "book/src/ch.md", md));
        assert_one_problem(&problems, "it has 6 lines");
    }

    #[test]
    fn catches_an_unclosed_anchor() {
        let src = "// ANCHOR: energy\nfn energy() {}\n";
        let problems = run(&with(good_book(), "crates/x/src/lib.rs", src));
        assert_one_problem(&problems, "anchor `energy` is never closed");
    }

    #[test]
    fn catches_a_duplicated_anchor() {
        let src = "// ANCHOR: energy\nfn a() {}\n// ANCHOR_END: energy\n// ANCHOR: energy\nfn b() {}\n// ANCHOR_END: energy\n";
        let problems = run(&with(good_book(), "crates/x/src/lib.rs", src));
        assert_one_problem(
            &problems,
            "line 4: anchor `energy` is defined twice (first at line 1)",
        );
    }

    #[test]
    fn catches_an_empty_anchor_even_around_another_marker() {
        let src = "// ANCHOR: energy\n\n// ANCHOR: inner\n   \n// ANCHOR_END: inner\n// ANCHOR_END: energy\n";
        let md = "{{#include ../../crates/x/src/lib.rs:energy}}\n{{#include ../../crates/x/src/lib.rs:inner}}\n";
        let files = with(
            with(good_book(), "crates/x/src/lib.rs", src),
            "book/src/ch.md",
            md,
        );
        let problems = run(&files);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("anchor `energy` is empty"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("anchor `inner` is empty"))
        );
    }

    #[test]
    fn catches_an_end_without_a_start() {
        let src = format!("{SOURCE}// ANCHOR_END: stray\n");
        let problems = run(&with(good_book(), "crates/x/src/lib.rs", src));
        assert_one_problem(
            &problems,
            "line 7: ANCHOR_END: stray without an open ANCHOR: stray",
        );
    }

    #[test]
    fn catches_an_unused_anchor_in_crates_and_experiments() {
        let unused = "// ANCHOR: forgotten\nfn forgotten() {}\n// ANCHOR_END: forgotten\n";
        let problems = run(&with(good_book(), "crates/y/src/lib.rs", unused));
        assert_one_problem(
            &problems,
            "crates/y/src/lib.rs:1: anchor `forgotten` is not included by any chapter",
        );
        let problems = run(&with(good_book(), "experiments/src/main.rs", unused));
        assert_one_problem(
            &problems,
            "experiments/src/main.rs:1: anchor `forgotten` is not included",
        );
    }

    #[test]
    fn an_include_of_the_whole_file_uses_its_anchors() {
        let md = "{{#include ../../crates/x/src/lib.rs}}\n";
        assert_eq!(
            run(&with(good_book(), "book/src/ch.md", md)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn catches_a_chapter_listed_but_missing() {
        let summary = "# Summary\n\n[Intro](intro.md)\n- [Chapter](ch.md)\n- [Later](later.md)\n- [Draft]()\n";
        let problems = run(&with(good_book(), "book/src/SUMMARY.md", summary));
        assert_one_problem(
            &problems,
            "book/src/SUMMARY.md:5: chapter `later.md` does not exist",
        );
    }

    #[test]
    fn catches_a_page_missing_from_the_summary() {
        let problems = run(&with(good_book(), "book/src/orphan.md", "# Orphan\n"));
        assert_one_problem(&problems, "book/src/orphan.md: not listed in SUMMARY.md");
    }

    #[test]
    fn generated_and_included_pages_need_no_summary_entry() {
        let md = "{{#include ../../crates/x/src/lib.rs:energy}}\n{{#include parts/table.md}}\n";
        let files = with(
            with(
                with(good_book(), "book/src/ch.md", md),
                "book/src/parts/table.md",
                "| a |\n|---|\n",
            ),
            "book/src/generated/timings.md",
            "| t |\n",
        );
        assert_eq!(run(&files), Vec::<String>::new());
    }

    #[test]
    fn normalize_resolves_parent_components() {
        assert_eq!(
            normalize(Path::new("/r/book/src/../../crates/./x.rs")),
            PathBuf::from("/r/crates/x.rs")
        );
    }
}
