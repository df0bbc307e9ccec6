//! Numerically stable scalar functions: softplus, sigmoid and log-sum-exp.
//!
//! Every function here is written so that large activations give finite
//! results: the book's chapter *Exact partition functions for tiny machines*
//! explains why `log(1 + exp(x))` must never be computed as written.

/// softplus(x) = log(1 + e^x), eq. (2.4) in the book, without overflow for large x.
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// sigmoid(x) = 1 / (1 + e^-x), eq. (2.7) in the book, without overflow for large |x|.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

// ANCHOR: log_sum_exp
/// A running log-sum-exp: `value()` is log(sum_k e^{x_k}) over every `x_k` added,
/// eq. (3.2) in the book. It keeps the largest term `max` apart, so that no
/// exponential it takes is larger than 1.
#[derive(Clone, Copy, Debug)]
pub struct LogSumExp {
    max: f64,
    /// sum_k e^{x_k - max}
    scaled_sum: f64,
}

impl LogSumExp {
    pub fn new() -> Self {
        Self {
            max: f64::NEG_INFINITY,
            scaled_sum: 0.0,
        }
    }

    pub fn add(&mut self, x: f64) {
        if x == f64::NEG_INFINITY {
            return; // e^-inf = 0 adds nothing
        }
        if x <= self.max {
            self.scaled_sum += (x - self.max).exp();
        } else {
            self.scaled_sum = self.scaled_sum * (self.max - x).exp() + 1.0;
            self.max = x;
        }
    }

    /// The log-sum-exp of the terms of both accumulators.
    pub fn merge(self, other: Self) -> Self {
        if other.max == f64::NEG_INFINITY {
            return self;
        }
        if self.max == f64::NEG_INFINITY {
            return other;
        }
        let max = self.max.max(other.max);
        Self {
            max,
            scaled_sum: self.scaled_sum * (self.max - max).exp()
                + other.scaled_sum * (other.max - max).exp(),
        }
    }

    pub fn value(self) -> f64 {
        self.max + self.scaled_sum.ln()
    }
}
// ANCHOR_END: log_sum_exp

impl Default for LogSumExp {
    fn default() -> Self {
        Self::new()
    }
}

/// log(sum_k e^{x_k}), eq. (3.2) in the book.
pub fn log_sum_exp(xs: impl IntoIterator<Item = f64>) -> f64 {
    let mut acc = LogSumExp::new();
    xs.into_iter().for_each(|x| acc.add(x));
    acc.value()
}

/// sum_j softplus(a_j), term by term in order: the plain reference for the
/// free energy's hidden term, eq. (2.3). The fast kernel with the same name
/// in the `numerics` crate is tested against it.
pub fn sum_softplus(a: &[f64]) -> f64 {
    a.iter().map(|&x| softplus(x)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_softplus(x: f64) -> f64 {
        (1.0 + x.exp()).ln()
    }

    #[test]
    fn softplus_matches_definition_where_the_definition_is_safe() {
        for &x in &[-5.0, -1.0, -1e-3, 0.0, 1e-3, 0.7, 5.0, 30.0] {
            let rel = (softplus(x) - naive_softplus(x)).abs() / naive_softplus(x);
            assert!(
                rel < 1e-13,
                "x = {x}: {} vs {}",
                softplus(x),
                naive_softplus(x)
            );
        }
        // There log(1 + e^x) loses every digit to rounding; softplus(x) = e^x - e^{2x}/2 + ...
        let x = -30.0f64;
        assert!((softplus(x) - (x.exp() - (2.0 * x).exp() / 2.0)).abs() < 1e-28);
    }

    #[test]
    fn softplus_and_sigmoid_are_finite_for_huge_activations() {
        assert_eq!(softplus(1e6), 1e6);
        assert_eq!(softplus(-1e6), 0.0);
        assert_eq!(sigmoid(1e6), 1.0);
        assert_eq!(sigmoid(-1e6), 0.0);
        assert!((sigmoid(0.3) + sigmoid(-0.3) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn log_sum_exp_is_stable_and_merges() {
        let xs = [1000.0, 1000.0, -1000.0, 999.0];
        let expected = 1000.0 + (2.0 + (-1.0f64).exp()).ln();
        assert!((log_sum_exp(xs) - expected).abs() < 1e-12);
        let mut a = LogSumExp::new();
        let mut b = LogSumExp::new();
        a.add(xs[0]);
        a.add(xs[1]);
        b.add(xs[2]);
        b.add(xs[3]);
        assert!((a.merge(b).value() - expected).abs() < 1e-12);
        assert_eq!(log_sum_exp([]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp([f64::NEG_INFINITY, 0.0]), 0.0);
    }

    #[test]
    fn fast_kernels_match_the_plain_reference() {
        for n in [0, 1, 7, 8, 9, 511, 512, 513, 784, 2000] {
            let a: Vec<f64> = (0..n)
                .map(|j| ((j * 7919) % 1000) as f64 / 25.0 - 20.0)
                .collect();
            let want = sum_softplus(&a);
            let got = numerics::sum_softplus(&a);
            assert!(
                (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                "n = {n}: {got} vs {want}"
            );
            let mut out = vec![0.0; n];
            numerics::scaled_sigmoid_into(&a, 0.25, &mut out);
            for (&x, &o) in a.iter().zip(&out) {
                let want = 0.25 * sigmoid(x);
                assert!((o - want).abs() <= 4.0 * f64::EPSILON * want, "x = {x}");
            }
        }
    }
}
