//! Helpers shared by the cross-crate tests.
//!
//! The book's free-standing Rust examples are compiled and run as doctests of
//! this crate: each chapter that has such examples is included below as the
//! documentation of an empty type, so `cargo test -p workspace-tests` runs
//! them against the real `bm-exact`. Listings included from crate sources
//! are fenced as `rust,ignore` in the book and tested by their own crates.

/// The examples of chapter 3, *Exact partition functions for tiny machines*.
#[cfg(doctest)]
#[doc = include_str!("../../book/src/partition.md")]
pub struct PartitionChapterDoctests;
