//! Numerically stable sigmoid and softplus in f32.
//!
//! These are the f32 twins of `bm_exact::numerics`: the same branches, so that
//! no exponential overflows. In f32, `e^x` overflows already at x = 89, so
//! `log(1 + e^x)` written as it stands fails for activations that a trained
//! RBM reaches easily.

/// sigmoid(x) = 1 / (1 + e^-x), eq. (2.7) in the book. Only e^-|x| is taken,
/// which lies in (0, 1], so the result is always in [0, 1] and never NaN.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// softplus(x) = log(1 + e^x), eq. (2.4) in the book, computed as
/// max(x, 0) + log(1 + e^-|x|) so that no exponential exceeds 1.
pub fn softplus(x: f32) -> f32 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_activations_stay_finite() {
        for x in [-1e4f32, -100.0, -89.0, 0.0, 89.0, 100.0, 1e4] {
            assert!(sigmoid(x).is_finite() && (0.0..=1.0).contains(&sigmoid(x)));
            assert!(softplus(x).is_finite() && softplus(x) >= 0.0);
        }
        assert_eq!(softplus(1e4), 1e4);
        assert_eq!(sigmoid(1e4), 1.0);
        assert_eq!(sigmoid(-1e4), 0.0);
    }

    #[test]
    fn matches_the_f64_oracle() {
        for k in -400..=400 {
            let x = k as f64 / 4.0;
            let (s, sp) = (
                bm_exact::numerics::sigmoid(x),
                bm_exact::numerics::softplus(x),
            );
            assert!((sigmoid(x as f32) as f64 - s).abs() <= 1e-7);
            assert!((softplus(x as f32) as f64 - sp).abs() <= 2e-7 * (1.0 + sp));
        }
    }
}
