//! Energy-based models with an MLP energy, sampled by Langevin dynamics and
//! checked against the exact 2-D oracle (quadrature).
//!
//! # Algorithm
//! - [`Mlp`]: the energy E_theta(x), batched, with hand-derived gradients
//!   with respect to the input and the parameters (chapter 11 of the book).
//! - [`oracle`]: log Z and KL(data || model) by quadrature on a 2-D grid,
//!   and toy densities with closed forms.
//! - [`samplers`]: ULA with a temperature, MALA, annealed Langevin, the
//!   practitioner's cooled sampler, and a replay buffer.
//! - [`train`]: maximum likelihood with sampled negatives and denoising
//!   score matching, with Adam, clipping and a divergence detector.
//!
//! The network's output *is* the energy: low energy = likely.

pub mod error;
pub mod mlp;
pub mod model_file;
pub mod numerics;

pub use error::{EbmError, Result};
pub use mlp::{Activation, Layer, Mlp, ParamGrad, Workspace};
pub mod energy;
pub mod oracle;

pub use energy::{Energy, Tempered};
pub use oracle::{Grid2d, Toy};
pub mod samplers;
pub mod train;

pub use train::{Objective, TrainConfig, Trainer};
pub mod anomaly;
