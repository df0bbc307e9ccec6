//! The table of assignments in the book's Instructor's guide is generated
//! from `assignments/` (points from each `assignment.toml`, mutants from each
//! `mutants.toml`); this test fails when it is stale.

use std::path::Path;

#[test]
fn the_instructors_guide_lists_every_assignment_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let all = classroom::load_all(&root.join("assignments")).expect("the assignments load");
    let want = classroom::assignment::catalogue_markdown(&all);
    let path = root.join("book/src/generated/assignments.md");
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "{} is stale; regenerate it with\n  cargo run --release -p classroom --example assignments_table\nexpected:\n{want}",
        path.display()
    );
    let guide = std::fs::read_to_string(root.join("book/src/instructors-guide.md")).unwrap();
    assert!(guide.contains("{{#include generated/assignments.md}}"));
}
