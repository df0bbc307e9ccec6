//! # dbn: deep belief nets
//!
//! A deep belief net (Hinton, Osindero & Teh 2006) is a stack of RBMs,
//! bottom first: the top two layers form an undirected RBM, every layer
//! below is a directed sigmoid belief net. This crate builds it on top of
//! `rbm` (f32, fast kernels) and checks it against `bm_exact` (f64).
//!
//! ## Algorithm
//! - [`Dbn`]: the stack, with optional one-hot [`Labels`] beside the
//!   penultimate layer in the top RBM; the model file `format = "dbn"`.
//! - Recognition up-pass q(h_k | h_{k-1}) and generative down-pass
//!   p(h_{k-1} | h_k), eq. (10.1); generation by Gibbs sampling in the top
//!   RBM (optionally with a clamped label) and one down-pass.
//! - Classification by the free energy of each label, eq. (10.8).
//! - [`exact`]: for tiny nets, the exact log p(v), eq. (10.4), and the
//!   variational lower bound, eq. (10.6), by enumeration in f64.
//! - [`bound`]: the bound at MNIST size, eq. (10.11): log Z of the top RBM
//!   by AIS, one run with the labels as a softmax group ([`label_ais`],
//!   eq. (10.13)) or one run per clamped label, eq. (10.12), and the
//!   recognition chain by sampling, with an error bar.
//! - [`train_greedy`]: greedy layer-wise training, each layer an
//!   `rbm::Trainer` fed with the up-pass of the layers below.
//! - [`Classifier`]: the net unrolled into sigmoid layers with a softmax
//!   output and fine-tuned by backpropagation, eq. (10.9)-(10.10); with no
//!   hidden layer, multinomial logistic regression.
//!
//! ## Example
//! ```
//! use dbn::{Dbn, exact::ExactDbn};
//! use rbm::Rbm;
//! use ndarray::array;
//!
//! let layer1 = Rbm::zeros(3, 2);
//! let layer2 = Rbm::zeros(2, 2);
//! let net = Dbn::new(vec![layer1, layer2], None).unwrap();
//! // All parameters 0: p(v) is uniform over the 2^3 states.
//! let exact = net.to_exact().unwrap();
//! let summary = exact.summary(array![[1.0, 0.0, 1.0]].view()).unwrap();
//! assert!((summary.mean_log_likelihood + 3.0 * 2f64.ln()).abs() < 1e-12);
//! ```

pub mod bound;
mod classifier;
mod error;
pub mod exact;
mod file;
mod greedy;
pub mod label_ais;
mod model;
mod passes;

pub use bound::{
    BoundEstimate, BoundTerms, MAX_REPEAT_SPREAD, TopLogPartition, bound_terms,
    estimate_lower_bound, top_log_partition, top_log_partition_per_label,
};
pub use classifier::{Classifier, Dense, FineTuneConfig, accuracy, fine_tune};
pub use error::DbnError;
pub use exact::{ExactDbn, ExactLabels, ExactSummary};
pub use file::format_of;
pub use greedy::{
    EpochDone, GreedyConfig, GreedyResume, LayerConfig, train_greedy, train_greedy_from,
};
pub use model::{Dbn, Labels};
pub use passes::{UpPass, one_hot};
