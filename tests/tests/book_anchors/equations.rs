//! Equation numbers: the book and the code cite the same equations.
//!
//! Chapter N of the sidebar (the N-th numbered entry of `SUMMARY.md`) tags
//! its display equations `\tag{N.k}`. This check fails on:
//!
//! - (f) a tag whose first number is not the chapter's number, a tag in an
//!   unnumbered page, a tag used twice, or tags that do not run (N.1), (N.2),
//!   ... in reading order;
//! - (g) a citation `eq. (N.k)` in a `.rs` file (doc comment, comment or
//!   message) with no `\tag{N.k}` in chapter N, and a reference `(N.k)` or
//!   `eq. N.k` in a page of the book with no such tag;
//! - (h) a tagged equation that no `.rs` file cites, unless it is listed in
//!   [`UNCITED_BY_DESIGN`] (pure definitions), and an entry of that list
//!   that is stale (the equation is cited after all, or no longer exists).
//!
//! A citation is `eq.` or `eqs.` followed by one or more numbers, with or
//! without parentheses, joined by `,`, `and`, `to` or `-`: `eq. (2.4)`,
//! `eq. 5.2 and 5.5`, `eqs. (4.3)-(4.5)`. Every number of a range must exist,
//! but only the numbers written out count as citing an equation for (h): a
//! module comment `eq. (9.1)-(9.8)` does not stand in for the functions that
//! implement (9.2) to (9.7).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use super::{Tree, normalize};

/// Tagged equations that no function or test needs to cite, with the reason.
/// They define a symbol or state a fact that the cited equations use; code
/// implementing them would only restate the definition.
pub const UNCITED_BY_DESIGN: &[(&str, &str)] = &[];

/// An equation number `N.k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EqNumber {
    pub chapter: u32,
    pub index: u32,
}

impl std::fmt::Display for EqNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.chapter, self.index)
    }
}

impl std::str::FromStr for EqNumber {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (chapter, index) = s.split_once('.').ok_or(format!("`{s}` is not N.k"))?;
        let parse = |x: &str| x.parse::<u32>().map_err(|_| format!("`{s}` is not N.k"));
        Ok(EqNumber {
            chapter: parse(chapter)?,
            index: parse(index)?,
        })
    }
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\\tag\*?\{\s*(\d+)\.(\d+)\s*\}").expect("valid regex"));
static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    let number = r"\(?\s*\d+\.\d+\s*\)?";
    Regex::new(&format!(
        r"\b[Ee]qs?\.\s*{number}(?:\s*(?:,|and|to|-|–)\s*{number})*"
    ))
    .expect("valid regex")
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\.(\d+)\s*\)?\s*(-|–|to)?").expect("valid regex"));
/// A bare reference `(N.k)` in prose: not after a letter or digit, as in
/// `Dirichlet(0.5)`.
static PROSE_REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w.])\((\d+)\.(\d+)\)").expect("valid regex"));

/// One citation found in a file: the numbers it names explicitly and the
/// numbers inside its ranges.
#[derive(Debug, PartialEq)]
pub struct Citation {
    pub line: usize,
    pub named: Vec<EqNumber>,
    pub in_ranges: Vec<EqNumber>,
}

/// Every `eq. ...` citation of a text.
pub fn parse_citations(text: &str) -> Vec<Citation> {
    let mut citations = Vec::new();
    for (k, line) in text.lines().enumerate() {
        for m in CITATION.find_iter(line) {
            citations.push(citation_numbers(k + 1, m.as_str()));
        }
    }
    citations
}

/// The numbers of one citation, expanding `a.b - a.c` ranges.
fn citation_numbers(line: usize, citation: &str) -> Citation {
    let mut named = Vec::new();
    let mut in_ranges = Vec::new();
    let mut range_from: Option<EqNumber> = None;
    for cap in NUMBER.captures_iter(citation) {
        let n = EqNumber {
            chapter: cap[1].parse().unwrap_or(0),
            index: cap[2].parse().unwrap_or(0),
        };
        if let Some(from) = range_from.take() {
            let same_chapter = from.chapter == n.chapter;
            in_ranges.extend(
                (from.index + 1..n.index)
                    .filter(|_| same_chapter)
                    .map(|index| EqNumber { index, ..n }),
            );
        }
        named.push(n);
        if cap.get(3).is_some() {
            range_from = Some(n);
        }
    }
    Citation {
        line,
        named,
        in_ranges,
    }
}

/// Numbered chapters of `SUMMARY.md`: page (relative to book/src) -> number.
/// Top-level list items count 1, 2, ...; nested items, prefix and suffix
/// chapters (lines without a list marker) get no chapter number here.
pub fn chapter_numbers(summary: &str) -> BTreeMap<String, u32> {
    let mut numbers = BTreeMap::new();
    let mut next = 0;
    for line in summary.lines() {
        let Some(item) = line.strip_prefix("- [").or(line.strip_prefix("* [")) else {
            continue;
        };
        next += 1;
        if let Some((_, rest)) = item.split_once("](") {
            let target = rest.split([')', '#']).next().unwrap_or_default().trim();
            if !target.is_empty() {
                numbers.insert(target.to_string(), next);
            }
        }
    }
    numbers
}

/// (f): the tags of every page, checked against the page's chapter number.
fn collect_tags(
    tree: &Tree,
    book_src: &Path,
    chapters: &BTreeMap<String, u32>,
    show: &dyn Fn(&Path) -> String,
    problems: &mut Vec<String>,
) -> BTreeMap<EqNumber, String> {
    let mut tags: BTreeMap<EqNumber, String> = BTreeMap::new();
    for page in tree.paths_under(book_src, "md") {
        let relative = page.strip_prefix(book_src).unwrap_or(page);
        let chapter = chapters.get(&relative.to_string_lossy().replace('\\', "/"));
        let mut next_index = 1;
        for (k, line) in tree.get(page).unwrap_or_default().lines().enumerate() {
            for cap in TAG.captures_iter(line) {
                let n = EqNumber {
                    chapter: cap[1].parse().unwrap_or(0),
                    index: cap[2].parse().unwrap_or(0),
                };
                let at = format!("{}:{}", show(page), k + 1);
                match chapter {
                    None => problems.push(format!(
                        "{at}: \\tag{{{n}}} in a page without a chapter number in SUMMARY.md"
                    )),
                    Some(&c) if c != n.chapter => problems.push(format!(
                        "{at}: \\tag{{{n}}} in chapter {c}: its tags must read ({c}.k)"
                    )),
                    Some(_) if n.index != next_index => problems.push(format!(
                        "{at}: \\tag{{{n}}} out of order: the next equation of chapter {} is ({}.{next_index})",
                        n.chapter, n.chapter
                    )),
                    Some(_) => {}
                }
                next_index = n.index + 1;
                if let Some(first) = tags.get(&n) {
                    problems.push(format!("{at}: \\tag{{{n}}} is also used at {first}"));
                } else {
                    tags.insert(n, at);
                }
            }
        }
    }
    tags
}

/// (g) for the book's own prose: `(N.k)` and `eq. N.k` with N a chapter
/// number must name a tag. `(0.5)` or `(13.2)` with no chapter 0 or 13 are
/// left alone.
fn check_prose_references(
    tree: &Tree,
    book_src: &Path,
    chapter_set: &BTreeSet<u32>,
    tags: &BTreeMap<EqNumber, String>,
    show: &dyn Fn(&Path) -> String,
    problems: &mut Vec<String>,
) {
    for page in tree.paths_under(book_src, "md") {
        let text = tree.get(page).unwrap_or_default();
        let without_tags = TAG.replace_all(text, "");
        for (k, line) in without_tags.lines().enumerate() {
            let bare = PROSE_REFERENCE.captures_iter(line).map(|cap| EqNumber {
                chapter: cap[1].parse().unwrap_or(0),
                index: cap[2].parse().unwrap_or(0),
            });
            let cited = parse_citations(line)
                .into_iter()
                .flat_map(|c| c.named.into_iter().chain(c.in_ranges));
            for n in bare.chain(cited) {
                if chapter_set.contains(&n.chapter) && !tags.contains_key(&n) {
                    problems.push(format!(
                        "{}:{}: refers to ({n}), but chapter {} has no \\tag{{{n}}}",
                        show(page),
                        k + 1,
                        n.chapter
                    ));
                }
            }
        }
    }
}

/// Every equation problem of the book in `book_src`, with citations read
/// from the `.rs` files under `citing_roots` except `skip` (this checker,
/// whose own tests spell out bad citations). Paths in messages are relative
/// to `root`.
pub fn check_equations(
    tree: &Tree,
    root: &Path,
    book_src: &Path,
    citing_roots: &[PathBuf],
    skip: &Path,
    uncited_by_design: &[(&str, &str)],
) -> Vec<String> {
    let show = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut problems = Vec::new();
    let summary = tree.get(&book_src.join("SUMMARY.md")).unwrap_or_default();
    let chapters = chapter_numbers(summary);
    let chapter_set: BTreeSet<u32> = chapters.values().copied().collect();
    let tags = collect_tags(tree, book_src, &chapters, &show, &mut problems);
    check_prose_references(tree, book_src, &chapter_set, &tags, &show, &mut problems);

    // (g) for the code, and what it cites for (h).
    let mut cited: BTreeSet<EqNumber> = BTreeSet::new();
    let sources: BTreeSet<&Path> = citing_roots
        .iter()
        .flat_map(|r| tree.paths_under(r, "rs"))
        .filter(|p| *p != skip)
        .collect();
    for file in sources {
        for citation in parse_citations(tree.get(file).unwrap_or_default()) {
            for n in citation.named.iter().chain(&citation.in_ranges) {
                if !tags.contains_key(n) {
                    problems.push(format!(
                        "{}:{}: cites eq. ({n}), but chapter {} has no \\tag{{{n}}}",
                        show(file),
                        citation.line,
                        n.chapter
                    ));
                }
            }
            cited.extend(citation.named);
        }
    }

    // (h): every tag is cited or listed, and every listed one is needed.
    let mut exempt = BTreeSet::new();
    for (number, reason) in uncited_by_design {
        match number.parse::<EqNumber>() {
            Ok(n) if !tags.contains_key(&n) => problems.push(format!(
                "UNCITED_BY_DESIGN lists ({n}) ({reason}), but no chapter tags it: remove it"
            )),
            Ok(n) if cited.contains(&n) => problems.push(format!(
                "UNCITED_BY_DESIGN lists ({n}) ({reason}), but code cites it: remove it from the list"
            )),
            Ok(n) => {
                exempt.insert(n);
            }
            Err(e) => problems.push(format!("UNCITED_BY_DESIGN: {e}")),
        }
    }
    for (n, at) in &tags {
        if !cited.contains(n) && !exempt.contains(n) {
            problems.push(format!(
                "{at}: eq. ({n}) is cited by no function or test (cite it in the doc comment of the code that implements or checks it, or list it in UNCITED_BY_DESIGN with the reason)"
            ));
        }
    }
    problems
}

/// The path of this checker's own source, skipped when reading citations.
pub fn checker_source(root: &Path) -> PathBuf {
    normalize(&root.join("tests/tests/book_anchors/equations.rs"))
}

// The equation check on small made-up books: each test shows that one
// problem is caught. (This file is skipped when the real book is checked,
// so the bad citations below do not count.)
#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::{Files, ROOT, assert_one_problem, tree, with};
    const SUMMARY: &str =
        "# Summary\n\n[Intro](intro.md)\n\n# Part\n\n- [One](one.md)\n- [Two](two.md)\n";
    const ONE: &str = "$$ E \\tag{1.1} $$\n$$ Z \\tag{1.2} $$\nBy (1.1), eq. 1.2 holds.\n";
    const TWO: &str = "$$ F \\tag{2.1} $$\nFrom (1.2) and (2.1); Dirichlet(0.5), section 13.2.\n";
    const CODE: &str = "/// Energy, eq. (1.1) in the book.\nfn energy() {}\n\
                        /// eqs. (1.2) and (2.1)\nfn z() {}\n";

    fn good_book() -> Files {
        vec![
            ("book/src/SUMMARY.md", SUMMARY.into()),
            ("book/src/intro.md", "# Intro\n".into()),
            ("book/src/one.md", ONE.into()),
            ("book/src/two.md", TWO.into()),
            ("crates/x/src/lib.rs", CODE.into()),
        ]
    }

    fn run_with(files: &[(&str, String)], exempt: &[(&str, &str)]) -> Vec<String> {
        let tree = tree(files);
        let root = Path::new(ROOT);
        check_equations(
            &tree,
            root,
            &root.join("book/src"),
            &[root.join("crates"), root.join("tests")],
            &root.join("tests/skipped.rs"),
            exempt,
        )
    }

    fn run(files: &[(&str, String)]) -> Vec<String> {
        run_with(files, &[])
    }

    fn eq(chapter: u32, index: u32) -> EqNumber {
        EqNumber { chapter, index }
    }

    #[test]
    fn a_good_book_has_no_equation_problems() {
        assert_eq!(run(&good_book()), Vec::<String>::new());
    }

    #[test]
    fn parses_every_citation_form() {
        let text =
            "eq. (2.4) in; Eq. 5.2 and 5.5; eqs. (4.3)-(4.6), (1.1) to 1.2\nfreq. 3.3, (7.7)";
        let got = parse_citations(text);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert_eq!(got[0].named, vec![eq(2, 4)]);
        assert_eq!(got[1].named, vec![eq(5, 2), eq(5, 5)]);
        assert!(got[1].in_ranges.is_empty());
        assert_eq!(got[2].named, vec![eq(4, 3), eq(4, 6), eq(1, 1), eq(1, 2)]);
        assert_eq!(got[2].in_ranges, vec![eq(4, 4), eq(4, 5)]);
    }

    #[test]
    fn numbers_chapters_as_the_sidebar_does() {
        let summary = "[Intro](intro.md)\n# Part\n- [A](a.md)\n    - [A1](a1.md)\n- [Draft]()\n\
                       * [C](c.md#top)\n\n[Appendix](appendix.md)\n";
        let numbers = chapter_numbers(summary);
        let expected: BTreeMap<String, u32> = [("a.md".to_string(), 1), ("c.md".to_string(), 3)]
            .into_iter()
            .collect();
        assert_eq!(numbers, expected);
    }

    #[test]
    fn catches_a_tag_that_does_not_follow_its_chapter() {
        let two = TWO.replace("\\tag{2.1}", "\\tag{6.1}");
        let problems = run(&with(good_book(), "book/src/two.md", two));
        // The tag is wrong, and the code and the prose now cite a missing (2.1).
        assert!(
            problems.iter().any(|p| p
                .contains("book/src/two.md:1: \\tag{6.1} in chapter 2: its tags must read (2.k)")),
            "{problems:#?}"
        );
    }

    #[test]
    fn catches_a_tag_in_an_unnumbered_page() {
        let intro = "$$ x \\tag{0.1} $$\n";
        let code = format!("{CODE}/// eq. (0.1)\n");
        let files = with(
            with(good_book(), "book/src/intro.md", intro),
            "crates/x/src/lib.rs",
            code,
        );
        assert_one_problem(
            &run(&files),
            "book/src/intro.md:1: \\tag{0.1} in a page without a chapter number",
        );
    }

    #[test]
    fn catches_tags_out_of_reading_order() {
        let one = "$$ E \\tag{1.2} $$\n$$ Z \\tag{1.1} $$\nBy (1.1), eq. 1.2 holds.\n";
        let problems = run(&with(good_book(), "book/src/one.md", one));
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].contains(
            "book/src/one.md:1: \\tag{1.2} out of order: the next equation of chapter 1 is (1.1)"
        ));
        assert!(problems[1].contains(
            "book/src/one.md:2: \\tag{1.1} out of order: the next equation of chapter 1 is (1.3)"
        ));
    }

    #[test]
    fn catches_a_tag_used_twice() {
        let one = format!("{ONE}$$ again \\tag{{1.1}} $$\n");
        let problems = run(&with(good_book(), "book/src/one.md", one));
        // A second (1.1) is also out of order; both are reported.
        assert_eq!(problems.len(), 2, "{problems:#?}");
        let duplicate = "book/src/one.md:4: \\tag{1.1} is also used at book/src/one.md:1";
        assert!(
            problems.iter().any(|p| p.contains(duplicate)),
            "{problems:#?}"
        );
    }

    #[test]
    fn catches_code_citing_a_missing_equation() {
        let code = format!("{CODE}/// Free energy, eq. (1.9).\nfn f() {{}}\n");
        let problems = run(&with(good_book(), "crates/x/src/lib.rs", code));
        assert_one_problem(
            &problems,
            "crates/x/src/lib.rs:5: cites eq. (1.9), but chapter 1 has no \\tag{1.9}",
        );
    }

    #[test]
    fn catches_a_range_through_a_missing_equation() {
        let code = format!("{CODE}// eq. 1.1-1.3\n");
        let problems = run(&with(good_book(), "crates/x/src/lib.rs", code));
        assert_one_problem(
            &problems,
            "cites eq. (1.3), but chapter 1 has no \\tag{1.3}",
        );
    }

    #[test]
    fn catches_prose_referring_to_a_missing_equation() {
        let two = format!("{TWO}As (1.7) shows, and eq. 2.2 too.\n");
        let problems = run(&with(good_book(), "book/src/two.md", two));
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0]
                .contains("book/src/two.md:3: refers to (1.7), but chapter 1 has no \\tag{1.7}")
        );
        assert!(problems[1].contains("refers to (2.2)"));
    }

    #[test]
    fn catches_an_equation_that_no_code_cites() {
        let code = "/// Energy, eq. (1.1) in the book.\nfn energy() {}\n/// eq. (2.1)\nfn f() {}\n";
        let problems = run(&with(good_book(), "crates/x/src/lib.rs", code));
        assert_one_problem(
            &problems,
            "book/src/one.md:2: eq. (1.2) is cited by no function or test",
        );
    }

    #[test]
    fn a_range_alone_does_not_cite_the_equations_inside_it() {
        let one = "$$ \\tag{1.1} $$\n$$ \\tag{1.2} $$\n$$ \\tag{1.3} $$\n";
        let code = "//! eq. (1.1)-(1.3)\n/// eq. (2.1)\nfn f() {}\n";
        let files = with(
            with(good_book(), "book/src/one.md", one),
            "crates/x/src/lib.rs",
            code,
        );
        assert_one_problem(&run(&files), "eq. (1.2) is cited by no function or test");
    }

    #[test]
    fn a_test_may_be_the_one_that_cites() {
        let code = "/// Energy, eq. (1.1) in the book.\nfn energy() {}\n/// eq. (2.1)\nfn f() {}\n";
        let files = with(
            with(good_book(), "crates/x/src/lib.rs", code),
            "tests/tests/z.rs",
            "/// log Z term by term, eq. (1.2).\n#[test]\nfn z() {}\n",
        );
        assert_eq!(run(&files), Vec::<String>::new());
    }

    #[test]
    fn the_checker_file_itself_is_skipped() {
        let files = with(good_book(), "tests/skipped.rs", "// eq. (9.9)\n");
        assert_eq!(run(&files), Vec::<String>::new());
    }

    #[test]
    fn a_listed_exception_passes_and_a_stale_one_fails() {
        let code = "/// Energy, eq. (1.1) in the book.\nfn energy() {}\n/// eq. (2.1)\nfn f() {}\n";
        let files = with(good_book(), "crates/x/src/lib.rs", code);
        assert_eq!(
            run_with(&files, &[("1.2", "definition of Z")]),
            Vec::<String>::new()
        );
        assert_one_problem(
            &run_with(&good_book(), &[("1.2", "definition of Z")]),
            "UNCITED_BY_DESIGN lists (1.2) (definition of Z), but code cites it",
        );
        let problems = run_with(&files, &[("1.2", "Z"), ("1.5", "gone")]);
        assert_one_problem(
            &problems,
            "UNCITED_BY_DESIGN lists (1.5) (gone), but no chapter tags it",
        );
        let problems = run_with(&files, &[("1.2", "Z"), ("one", "typo")]);
        assert_one_problem(&problems, "UNCITED_BY_DESIGN: `one` is not N.k");
    }
}
