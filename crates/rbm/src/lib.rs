//! # rbm: Bernoulli RBMs at scale, in f32
//!
//! Binary restricted Boltzmann machines with the notation of the book:
//! visible bias b, hidden bias c, weights W of shape (n_hidden, n_visible).
//! Everything works on batches (one example per row) through ndarray's
//! matrix products, in f32 for speed; `bm_exact` is the f64 oracle that the
//! tests compare against.
//!
//! ## Algorithm
//! - Conditionals p(h | v) and p(v | h), eq. (2.7)-(2.8), and the free energy
//!   F(v), eq. (2.3), with stable f32 sigmoid and softplus ([`numerics`]).
//! - Block Gibbs sampling, eq. (5.1): [`gibbs_step`].
//! - Gradient estimates: sampled CD-k, eq. (5.2) ([`cd_gradient`]), and
//!   persistent CD, eq. (5.5) ([`PersistentChains`]).
//! - Training with momentum and L2 weight decay on the weights, following
//!   Hinton's "A practical guide to training RBMs" ([`Trainer`]).
//! - Monitors: reconstruction error, free-energy gap, and the exact
//!   log-likelihood for tiny models ([`exact_mean_log_likelihood`]).
//! - Gaussian-Bernoulli RBMs for real-valued data, eq. (9.1)-(9.8):
//!   [`GaussianRbm`], [`Standardizer`], [`train_gaussian`]; their log Z by
//!   AIS, eq. (9.9)-(9.11): [`gaussian_ais`].
//!
//! The modules [`tempering`] (parallel tempering, chapter 6), [`ais`](mod@ais)
//! (annealed importance sampling, chapter 7) and [`gaussian`] (chapter 9)
//! describe their algorithms in full.
//!
//! ## The block Gibbs steps: which is which
//! Seven places draw h given v and then v given h (eq. (5.1)). The readable
//! ones are what the book shows; each fast one is tested against its
//! readable one.
//!
//! | where | what it samples | kind | tested against |
//! |---|---|---|---|
//! | [`gibbs_step`] (`sampling`) | the RBM, eq. (5.1) | readable, in the book (chapter 5) | bm-exact's p(v) (`tests/gibbs.rs`) |
//! | [`tempered_gibbs_step`] ([`tempering`]) | the RBM at inverse temperature beta | readable (chapter 6) | at beta = 1 the same draws as [`gibbs_step`] (`tests/gibbs.rs`) |
//! | the annealing step of [`ais`](mod@ais) (private) | p_beta between the base-rate model and the RBM, eq. (7.2) | fast: work arrays reused, uniforms drawn per layer | the same draws as [`tempered_gibbs_step`] up to rounding (`ais.rs` tests) |
//! | `kernels` (private, inside [`Trainer::train_epoch`]) | the CD-k / PCD update | fast: sparse products, two cores | the same update as [`cd_gradient`] plus the readable momentum step (`kernels.rs` tests) |
//! | [`softmax_gibbs_step`] ([`softmax_group`]) | the RBM with a softmax group of visible units (label units, chapter 10) | readable; the kernels run it when [`Trainer::set_softmax_group`] is set | the exact joint over one-hot groups (`tests/softmax_group.rs`); the kernels against it (`kernels.rs` tests) |
//! | [`GaussianRbm::gibbs_step`] ([`gaussian`]) | the Gaussian-Bernoulli RBM, eq. (9.2)-(9.3) | readable (chapter 9); no fast one | the exact mixture marginal (`tests/gaussian.rs`) |
//! | [`layerwise_gibbs_sweep`], [`sequential_gibbs_sweep`] (`bm_gibbs`) | a general Boltzmann machine, f64, eq. (6.2) | readable (chapter 6); layerwise only for R = T = 0 | bm-exact's tables (`tests/samplers.rs`) |
//!
//! ## Example
//! ```
//! use ndarray::array;
//! use rbm::{Estimator, Rbm, TrainConfig, Trainer};
//! use rand::SeedableRng;
//!
//! let data = array![[1.0f32, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]];
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
//! let rbm = Rbm::initialise(2, data.view(), &mut rng);
//! let config = TrainConfig {
//!     learning_rate: 0.1,
//!     batch_size: 2,
//!     epochs: 200,
//!     estimator: Estimator::Cd { k: 1 },
//!     ..TrainConfig::default()
//! };
//! let before = rbm::exact_mean_log_likelihood(&rbm, data.view()).unwrap();
//! let mut trainer = Trainer::new(rbm, config).unwrap();
//! trainer.train(data.view()).unwrap();
//! let after = rbm::exact_mean_log_likelihood(trainer.rbm(), data.view()).unwrap();
//! assert!(after > before);
//! ```

pub mod ais;
mod ais_check;
mod ais_gaussian;
mod bm_gibbs;
pub mod centering;
mod error;
pub mod gaussian;
mod gradient;
mod kernels;
mod mean_field;
mod model;
mod monitor;
pub mod negative_phase;
pub mod numerics;
mod pseudo_likelihood;
mod sampling;
pub mod softmax_group;
pub mod streams;
pub mod tempering;
mod train;

#[doc(inline)]
pub use ais::{
    AisEstimate, AisSchedule, CHAINS_PER_BLOCK, MIN_EFFECTIVE_FRACTION, Progress, ais,
    ais_with_progress, base_log_partition, base_rate_visible_bias, mean_log_probability,
    reverse_ais, reverse_ais_with_progress,
};
pub use ais_check::{CheckedEstimate, LowerBound, check_estimate, log_partition_lower_bound};
pub use ais_gaussian::{
    gaussian_ais, gaussian_ais_with_progress, gaussian_base_log_partition,
    gaussian_mean_log_probability,
};
pub use bm_gibbs::{layerwise_gibbs_sweep, local_field, sample_bm, sequential_gibbs_sweep};
#[doc(inline)]
pub use centering::{CenteringConfig, Offsets, centred_energy};
pub use error::RbmError;
#[doc(inline)]
pub use gaussian::{
    GaussianGradient, GaussianPersistentChains, GaussianRbm, GaussianTrainConfig, GaussianTrainer,
    LOG_VARIANCE_LIMIT, MAX_EXACT_HIDDEN_UNITS, MIN_STANDARD_DEVIATION, Standardizer,
    gaussian_statistics, train_gaussian,
};
pub use gradient::{Gradient, PersistentChains, cd_gradient, mean_statistics};
pub use mean_field::{
    MeanFieldEstimate, MeanFieldOrder, mean_field_log_partition, mean_field_statistics,
};
pub use model::{Rbm, check_data, check_fits_f32};
pub use monitor::{
    EpochMonitors, exact_mean_log_likelihood, free_energy_gap, reconstruction_error,
};
#[doc(inline)]
pub use negative_phase::{
    FastWeights, FastWeightsConfig, TemperingConfig, fast_pcd_gradient, learning_rate_at,
    tempered_gradient,
};
pub use pseudo_likelihood::{pseudo_log_likelihood, stochastic_pseudo_log_likelihood};
pub use sampling::{gibbs_chain, gibbs_step, sample_bernoulli};
pub use softmax_group::{
    SoftmaxGroup, draw_one_hot, softmax_cd_gradient, softmax_gibbs_chain, softmax_gibbs_step,
    softmax_pcd_gradient,
};
pub use streams::{initial_weights_rng, stream};
#[doc(inline)]
pub use tempering::{ParallelTempering, TemperatureLadder, tempered_gibbs_step};
pub use train::{Estimator, TrainConfig, Trainer};
