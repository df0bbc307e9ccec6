//! # bm-exact: the oracle
//!
//! Tiny Boltzmann machines and restricted Boltzmann machines solved exactly,
//! by enumerating their states in f64. Every other crate of
//! boltzmann-workbench is tested against this one.
//!
//! ## Algorithm
//! - log Z of an RBM enumerates the smaller layer and sums the other out in
//!   closed form (eq. 3.1 in the book); log Z of a general machine enumerates
//!   every state in Gray-code order, so each step updates the energy in O(n)
//!   (eq. 3.3). Sums are kept in log space (eq. 3.2).
//! - Gradients are data statistics minus model statistics (eq. 4.3-4.5); the
//!   model statistics are exact expectations over the enumerated states.
//! - The expected CD-k update propagates the distribution of the Gibbs chain
//!   over visible states exactly (eq. 5.3).
//!
//! Models too large to enumerate are refused with [`ExactError::TooLarge`].
//!
//! ## Example
//! ```
//! use bm_exact::Rbm;
//! use ndarray::array;
//!
//! let rbm = Rbm::new(array![0.1, -0.2], array![0.3], array![[0.5, -0.4]]).unwrap();
//! // Brute force over the 2^3 states of (v, h):
//! let mut z = 0.0;
//! for s in 0..8u64 {
//!     let state = bm_exact::state_vector(s, 3);
//!     let (v, h) = state.view().split_at(ndarray::Axis(0), 2);
//!     z += (-rbm.energy(v, h)).exp();
//! }
//! assert!((rbm.log_partition().unwrap() - z.ln()).abs() < 1e-12);
//! ```

mod bm;
mod cd;
mod distribution;
mod enumerate;
mod error;
mod model_file;
pub mod numerics;
pub mod objectives;
mod params;
mod rbm;

pub use bm::BoltzmannMachine;
pub use distribution::{
    empirical_distribution, empirical_entropy, factorized_table, sample_states, state_index,
};
pub use enumerate::{
    Kernels, MAX_ENUMERATED_UNITS, MAX_TABLE_UNITS, check_enumerable, state_vector,
};
pub use error::{ExactError, Result};
pub use model_file::{
    FORMAT_VERSION, Model, matrix_from_rows, parameters_from_toml, parameters_to_toml,
    read_model_text, write_file,
};
pub use params::{Parameters, check_binary_data};
pub use rbm::{Layer, Rbm, Statistics};
