//! # experiments: the figures of the book, regenerated
//!
//! Each experiment reads a typed TOML configuration from
//! `experiments/configs/NAME.toml`, checks it before doing any work, and
//! writes its figures (SVG) and numbers (JSON) into `book/src/figures/`.
//! Run one with `cargo run --release -p experiments -- NAME`.

pub mod ais_vs_exact;
pub mod cd_bias;
pub mod config;
pub mod dbn_digits;
pub mod dbn_mnist;
pub mod ebm_2d;
pub mod ebm_digits;
pub mod gb_rbm;
pub mod langevin_2d;
pub mod mnist_rbm;
pub mod output;
pub mod plot;
pub mod registry;
pub mod streams;
