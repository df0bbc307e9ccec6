# boltzmann-workbench: `just` lists the recipes.

default:
    @just --list

# Run every test of the workspace (the README's test command).
test:
    cargo test --workspace

# Regenerate one figure of the book, e.g. `just experiment cd-bias`.
experiment NAME:
    cargo run --release -p experiments -- {{NAME}}

# List the experiments, one line each.
experiments:
    cargo run --release -p experiments -- --list

# Regenerate the tables of program output that the book includes.
book-tables:
    cargo run --release -p bm-exact --example logz_scaling
    cargo run --release -p bm-exact --example gradient_check
    cargo run --release -p bm-exact --example cd_relatives
    cargo run --release -p rbm --example mean_field_logz
    cargo run --release -p classroom --example assignments_table

# Build the book into book/book (needs mdbook and mdbook-katex, see README),
# with the API docs (rustdoc, warnings denied) in book/book/api.
book:
    mdbook build book
    bash .ci/api-docs

# Open every page of the built book in headless Chromium (offline): fails on
# unrendered math, broken images or links, requests leaving the machine,
# equations wider than the column, or an empty search. Needs chromium and npm.
book-browser-check: book
    bash .ci/book-browser-check

# Serve the book on localhost with live reload.
serve:
    mdbook serve book

# Time log Z by enumeration (784 x 20, 784 x 25 RBMs; 24-unit BM).
bench:
    cargo bench -p bm-exact

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Everything CI runs.
ci:
    bash .ci/run

# Write the student release of the assignments into OUT (refuses a non-empty OUT without --force).
assign OUT="assignments-release" *FLAGS:
    cargo run --release -p classroom -- release {{OUT}} {{FLAGS}}

# Grade one submission: a student's copy of one assignment's release folder.
grade DIR *FLAGS:
    cargo run --release -p classroom -- grade {{DIR}} {{FLAGS}}

# Grade every submission in FOLDER into a CSV gradebook.
grade-all FOLDER CSV="gradebook.csv":
    cargo run --release -p classroom -- grade-all {{FOLDER}} --csv {{CSV}}

# Check the assignments: releases score 0, solutions full marks, mutants less.
assignments-check:
    cargo run --release -p classroom -- check

# Time one greedy-pretraining epoch (784 x 500) and one fine-tuning epoch against their references.
bench-dbn:
    cargo bench -p dbn --bench greedy

# The independent checkers of tests/independent (pure Python) on many random files.
independent-check CASES="200":
    cargo build --release -p boltzmann-cli
    python3 tests/independent/check_exact.py --bin target/release/boltzmann --cases {{CASES}}
    python3 tests/independent/check_ebm.py --bin target/release/boltzmann --cases 4
