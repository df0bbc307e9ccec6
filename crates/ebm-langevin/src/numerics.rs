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
    + Send
    + Sync
    + numerics::neural::Lane
    + 'static
{
    /// The constant `x` in this type.
    fn of(x: f64) -> Self;

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

    fn words_for_normals(n: usize) -> usize {
        n + n % 2
    }

    fn standard_normals(words: &[u64], out: &mut [f64]) {
        numerics::neural::standard_normals_f64(words, out)
    }
}

// ANCHOR: activations
/// The logistic sigmoid 1 / (1 + e^{-x}), evaluated without overflow.
pub fn sigmoid<F: Real>(x: F) -> F {
    let one = F::one();
    if x >= F::zero() {
        one / (one + (-x).exp())
    } else {
        let e = x.exp();
        e / (one + e)
    }
}

/// softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^{-|x|}).
pub fn softplus<F: Real>(x: F) -> F {
    x.max(F::zero()) + (-x.abs()).exp().ln_1p()
}

/// swish(x) = x sigmoid(x) (also called SiLU).
pub fn swish<F: Real>(x: F) -> F {
    x * sigmoid(x)
}

/// d swish / dx = s + x s (1 - s) with s = sigmoid(x).
pub fn swish_derivative<F: Real>(x: F) -> F {
    let s = sigmoid(x);
    s + x * s * (F::one() - s)
}
// ANCHOR_END: activations

/// log sum_i e^{x_i}, shifted by the largest term; -inf for an empty slice
/// or when every term is -inf.
pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + xs.iter().map(|&x| (x - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_for_large_activations() {
        for x in [-1e4_f64, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4] {
            assert!(sigmoid(x).is_finite() && softplus(x).is_finite());
            assert!(swish(x).is_finite() && swish_derivative(x).is_finite());
            assert!(sigmoid(x as f32).is_finite() && softplus(x as f32).is_finite());
        }
        assert_eq!(softplus(1e4_f64), 1e4);
        assert_eq!(softplus(-1e4_f64), 0.0);
    }

    #[test]
    fn match_the_naive_formulas_where_those_are_safe() {
        for i in -60..=60 {
            let x = i as f64 / 4.0;
            assert!((sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs() < 1e-15);
            assert!((softplus(x) - (1.0 + x.exp()).ln()).abs() < 1e-13);
            let h = 1e-5;
            let fd = (swish(x + h) - swish(x - h)) / (2.0 * h);
            assert!((swish_derivative(x) - fd).abs() < 1e-8, "x = {x}");
        }
    }

    #[test]
    fn log_sum_exp_is_shifted() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert!((log_sum_exp(&[0.0, 1.0f64.ln()]) - 2f64.ln()).abs() < 1e-15);
    }
}
