//! # config: the one configuration layer
//!
//! Every configuration of the workspace (rbm's `TrainConfig`, the CLI's
//! files and flags, the experiments' TOML files) is checked in two steps,
//! both before any work starts:
//!
//! 1. **Each value on its own**, by a validated value type of this crate
//!    ([`PositiveCount`], [`Positive`], [`NonNegative`], [`Fraction`],
//!    [`ProperFraction`], [`Momentum`]). A value type can only be made
//!    through its `new`, which refuses a value outside its range; its
//!    `Deserialize` calls `new`, so a bad value is refused *when the TOML is
//!    read*, and [`from_toml_str`] names the field as `table.key`.
//!    A struct whose Rust fields must stay plain numbers (because code
//!    builds it with a struct literal) uses the functions of [`de`] in
//!    `#[serde(deserialize_with = ...)]`: the same rule, the same message.
//! 2. **Fields against each other** (a checkpoint after the last iteration,
//!    an exact-enumeration limit) stay as code in each configuration's
//!    `check()`, returning a [`FieldError`].
//!
//! ## Example
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Sampling {
//!     n_chains: config::PositiveCount,
//!     #[serde(deserialize_with = "config::de::positive")]
//!     step_size: f64,
//! }
//!
//! let err = config::from_toml_str::<Sampling>("n_chains = 0\nstep_size = 0.1\n")
//!     .err()
//!     .unwrap();
//! assert_eq!(err.to_string(), "field `n_chains`: is 0; expected a whole number >= 1");
//! let ok: Sampling = config::from_toml_str("n_chains = 4\nstep_size = 0.1\n").unwrap();
//! assert_eq!(ok.n_chains.get(), 4);
//! ```

mod binarize;
pub mod de;
mod load;
mod values;

pub use binarize::Binarize;
pub use load::{TomlError, from_toml_str};
pub use values::{
    FieldError, Fraction, Momentum, NonNegative, Positive, PositiveCount, ProperFraction, Real,
    ValueError,
};
