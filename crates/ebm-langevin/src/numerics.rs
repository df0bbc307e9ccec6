//! The few stable scalar functions this crate needs, in one place so that
//! they can later move to a shared numerics crate. Each is written so that
//! no finite input gives NaN or infinity: `exp` only ever sees a
//! non-positive argument.

use ndarray::linalg::{general_mat_mul, general_mat_vec_mul};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};

use numerics::products::gemm_into;

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

    /// c <- a b: the matrix products of the fast path. f32 (the speed path)
    /// uses the `gemm` crate, `numerics::products::gemm_into`; f64 keeps
    /// ndarray's `general_mat_mul`, so the f64 runs of the experiments and
    /// of `boltzmann ebm sample` keep their bytes.
    fn mat_mul_into(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>);

    /// y <- a x, the output layer's product, as [`Real::mat_mul_into`].
    fn mat_vec_into(a: ArrayView2<Self>, x: ArrayView1<Self>, y: ArrayViewMut1<Self>);
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

    fn mat_mul_into(a: ArrayView2<f32>, b: ArrayView2<f32>, c: ArrayViewMut2<f32>) {
        gemm_into(a, b, c)
    }

    fn mat_vec_into(a: ArrayView2<f32>, x: ArrayView1<f32>, y: ArrayViewMut1<f32>) {
        gemm_into(a, x.insert_axis(Axis(1)), y.insert_axis(Axis(1)))
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

    fn mat_mul_into(a: ArrayView2<f64>, b: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
        general_mat_mul(1.0, &a, &b, 0.0, &mut c)
    }

    fn mat_vec_into(a: ArrayView2<f64>, x: ArrayView1<f64>, mut y: ArrayViewMut1<f64>) {
        general_mat_vec_mul(1.0, &a, &x, 0.0, &mut y)
    }
}

/// The stable scalar functions live in the `numerics` crate, beside the
/// fused kernels of the fast path; they are re-exported here.
pub use numerics::log_sum_exp;
pub use numerics::neural::{sigmoid, softplus, swish, swish_derivative};
