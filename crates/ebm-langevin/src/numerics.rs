//! The few stable scalar functions this crate needs, in one place so that
//! they can later move to a shared numerics crate. Each is written so that
//! no finite input gives NaN or infinity: `exp` only ever sees a
//! non-positive argument.

/// The float types the networks run in: f64 for the oracle and the tests,
/// f32 for speed. `of` converts a constant written in f64.
pub trait Real:
    num_traits::Float
    + ndarray::LinalgScalar
    + ndarray::ScalarOperand
    + std::fmt::Debug
    + std::fmt::Display
    + std::iter::Sum
    + Default
    + Send
    + Sync
    + numerics::neural::Lane
    + 'static
{
    /// The constant `x` in this type.
    fn of(x: f64) -> Self;

    /// This number in f64 (exact for f32 and f64).
    fn as_f64(self) -> f64;

    /// How many random 64-bit words [`Real::standard_normals`] needs for
    /// `n` numbers.
    fn words_for_normals(n: usize) -> usize;

    /// Fill `out` with standard normal numbers made from `words` (the
    /// `numerics` crate's Box-Muller kernels).
    fn standard_normals(words: &[u64], out: &mut [Self]);
}

impl Real for f32 {
    fn of(x: f64) -> f32 {
        x as f32
    }

    fn as_f64(self) -> f64 {
        self as f64
    }

    fn words_for_normals(n: usize) -> usize {
        n.div_ceil(2)
    }

    fn standard_normals(words: &[u64], out: &mut [f32]) {
        numerics::neural::standard_normals_f32(words, out)
    }
}

impl Real for f64 {
    fn of(x: f64) -> f64 {
        x
    }

    fn as_f64(self) -> f64 {
        self
    }

    fn words_for_normals(n: usize) -> usize {
        n + n % 2
    }

    fn standard_normals(words: &[u64], out: &mut [f64]) {
        numerics::neural::standard_normals_f64(words, out)
    }
}

/// The stable scalar functions live in the `numerics` crate, beside the
/// fused kernels of the fast path; they are re-exported here.
pub use numerics::log_sum_exp;
pub use numerics::neural::{sigmoid, softplus, swish, swish_derivative};
