//! Kernels for the batched passes of a neural energy (the `ebm-langevin`
//! crate): a layer's activation and its derivative in one pass over a
//! row-major matrix, and standard normal numbers for Langevin noise.
//!
//! Like the rest of this crate they trade obviousness for speed: branch-free
//! exponentials and logarithms that the compiler turns into vector
//! instructions, chosen at run time. The readable scalar definitions come
//! first (the book shows them, and the readable path of `ebm-langevin` uses
//! them); the tests compare the kernels with them and with `std`.

use num_traits::Float;

// ANCHOR: activations
/// The logistic sigmoid 1 / (1 + e^{-x}), evaluated without overflow.
pub fn sigmoid<F: Float>(x: F) -> F {
    let one = F::one();
    if x >= F::zero() {
        one / (one + (-x).exp())
    } else {
        let e = x.exp();
        e / (one + e)
    }
}

/// softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^{-|x|}).
pub fn softplus<F: Float>(x: F) -> F {
    x.max(F::zero()) + (-x.abs()).exp().ln_1p()
}

/// swish(x) = x sigmoid(x) (also called SiLU).
pub fn swish<F: Float>(x: F) -> F {
    x * sigmoid(x)
}

/// d swish / dx = s + x s (1 - s) with s = sigmoid(x).
pub fn swish_derivative<F: Float>(x: F) -> F {
    let s = sigmoid(x);
    s + x * s * (F::one() - s)
}
// ANCHOR_END: activations

/// The float types the kernels run in (f32 and f64).
pub trait Lane: Float + Send + Sync + 'static {
    /// e^x for x <= 0, branch-free; inputs below the smallest normal result
    /// are clamped, so the result is never subnormal.
    fn exp_nonpositive(self) -> Self;
}

impl Lane for f64 {
    #[inline(always)]
    fn exp_nonpositive(self) -> f64 {
        crate::exp_nonpositive::<false>(self)
    }
}

impl Lane for f32 {
    #[inline(always)]
    fn exp_nonpositive(self) -> f32 {
        exp_nonpositive_f32(self)
    }
}

/// e^x for x <= 0 in f32: x = n ln 2 + r with |r| <= ln(2)/2, e^r by its
/// Taylor series to degree 7 (truncation below 1e-8) and 2^n written into the
/// exponent bits. Inputs below -87 are clamped there (e^-87 = 1.6e-38, just
/// above the smallest normal f32), so no subnormal number ever comes out:
/// those make the matrix products that follow many times slower.
#[inline(always)]
pub fn exp_nonpositive_f32(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4; // few mantissa bits: n * LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23
    let x = x.max(-87.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p: f32 = 1.0 / 5040.0;
    for factorial in [720.0, 120.0, 24.0, 6.0, 2.0, 1.0, 1.0] {
        p = p * r + 1.0 / factorial;
    }
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    p * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

/// The widest vector instructions this CPU has, among those the kernels use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Instructions {
    Avx512,
    Avx2,
    Portable,
}

fn best_instructions() -> Instructions {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("fma") {
            return Instructions::Avx512;
        }
        if has!("avx2") && has!("fma") {
            return Instructions::Avx2;
        }
    }
    Instructions::Portable
}

/// One layer's swish in place and its derivative beside it, for a row-major
/// matrix of pre-activations whose rows have `bias.len()` entries:
/// with x = a + bias, a <- swish(x) = x s and derivative <- s + x s (1 - s),
/// s = sigmoid(x) (eqs. (11.1)-(11.2) of the book). One pass, one exponential.
pub fn swish_with_derivative<F: Lane>(a: &mut [F], bias: &[F], derivative: &mut [F]) {
    assert_eq!(a.len(), derivative.len(), "one derivative per entry");
    match best_instructions() {
        // SAFETY: the CPU has the features, checked by `best_instructions`.
        #[cfg(target_arch = "x86_64")]
        Instructions::Avx512 => unsafe { swish_avx512(a, bias, derivative) },
        #[cfg(target_arch = "x86_64")]
        Instructions::Avx2 => unsafe { swish_avx2(a, bias, derivative) },
        _ => swish_portable(a, bias, derivative),
    }
}

/// [`swish_portable`] compiled for AVX-512 with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn swish_avx512<F: Lane>(a: &mut [F], bias: &[F], derivative: &mut [F]) {
    swish_portable(a, bias, derivative)
}

/// [`swish_portable`] compiled for AVX2 with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn swish_avx2<F: Lane>(a: &mut [F], bias: &[F], derivative: &mut [F]) {
    swish_portable(a, bias, derivative)
}

#[inline(always)]
fn sigmoid_branch_free<F: Lane>(x: F) -> F {
    let t = (-x.abs()).exp_nonpositive(); // e^{-|x|}
    let s = F::one() / (F::one() + t);
    if x >= F::zero() { s } else { t * s }
}

#[inline(always)]
fn swish_portable<F: Lane>(a: &mut [F], bias: &[F], derivative: &mut [F]) {
    for (row, drow) in a
        .chunks_exact_mut(bias.len())
        .zip(derivative.chunks_exact_mut(bias.len()))
    {
        for ((a, d), &b) in row.iter_mut().zip(drow.iter_mut()).zip(bias) {
            let x = *a + b;
            let s = sigmoid_branch_free(x);
            *a = x * s;
            *d = s + x * s * (F::one() - s);
        }
    }
}

/// As [`swish_with_derivative`] for softplus: a <- softplus(x) =
/// max(x, 0) + log(1 + e^{-|x|}) and derivative <- sigmoid(x). The logarithm
/// is the library's `ln_1p`, so this one vectorises only in part.
pub fn softplus_with_derivative<F: Lane>(a: &mut [F], bias: &[F], derivative: &mut [F]) {
    assert_eq!(a.len(), derivative.len(), "one derivative per entry");
    for (row, drow) in a
        .chunks_exact_mut(bias.len())
        .zip(derivative.chunks_exact_mut(bias.len()))
    {
        for ((a, d), &b) in row.iter_mut().zip(drow.iter_mut()).zip(bias) {
            let x = *a + b;
            *a = x.max(F::zero()) + (-x.abs()).exp().ln_1p();
            *d = sigmoid_branch_free(x);
        }
    }
}

/// ln y for a normal, positive f32, branch-free: y = 2^e m with m in
/// [sqrt(1/2), sqrt(2)), ln m = 2 atanh(f), f = (m - 1) / (m + 1), |f| < 0.172,
/// by its series to f^9 (truncation below 1e-9).
#[inline(always)]
pub fn ln_positive_f32(y: f32) -> f32 {
    let bits = y.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // [1, 2)
    let high = m > std::f32::consts::SQRT_2;
    m = if high { 0.5 * m } else { m };
    e += high as i32;
    let f = (m - 1.0) / (m + 1.0);
    let f2 = f * f;
    let series =
        f * (2.0 + f2 * (2.0 / 3.0 + f2 * (2.0 / 5.0 + f2 * (2.0 / 7.0 + f2 * (2.0 / 9.0)))));
    e as f32 * std::f32::consts::LN_2 + series
}

/// (sin(pi t), cos(pi t)) for t in [-1/2, 1/2], by Taylor polynomials of
/// degree 11 and 12 in phi = pi t (truncation below 1e-7).
#[inline(always)]
pub fn sin_cos_pi_f32(t: f32) -> (f32, f32) {
    let phi = std::f32::consts::PI * t;
    let p2 = phi * phi;
    let mut sin: f32 = -1.0 / 39_916_800.0;
    for k in [362_880.0, -5_040.0, 120.0, -6.0, 1.0] {
        sin = sin * p2 + 1.0 / k;
    }
    let mut cos: f32 = 1.0 / 479_001_600.0;
    for k in [-3_628_800.0, 40_320.0, -720.0, 24.0, -2.0, 1.0] {
        cos = cos * p2 + 1.0 / k;
    }
    (sin * phi, cos)
}

/// Standard normal numbers by the Box-Muller transform, two from each u64:
/// its high 24 bits give u1 in (0, 1], its low 24 bits t in [-1/2, 1/2), and
/// r = sqrt(-2 ln u1), (z1, z2) = (r cos 2 pi t, r sin 2 pi t), with
/// sin 2 phi = 2 sin phi cos phi and cos 2 phi = 1 - 2 sin^2 phi.
/// Needs `bits.len() >= out.len().div_ceil(2)`.
pub fn standard_normals_f32(bits: &[u64], out: &mut [f32]) {
    assert!(
        bits.len() >= out.len().div_ceil(2),
        "one u64 per two normals"
    );
    match best_instructions() {
        // SAFETY: the CPU has the features, checked by `best_instructions`.
        #[cfg(target_arch = "x86_64")]
        Instructions::Avx512 => unsafe { normals_avx512(bits, out) },
        #[cfg(target_arch = "x86_64")]
        Instructions::Avx2 => unsafe { normals_avx2(bits, out) },
        _ => normals_portable(bits, out),
    }
}

/// [`normals_portable`] compiled for AVX-512 with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn normals_avx512(bits: &[u64], out: &mut [f32]) {
    normals_portable(bits, out)
}

/// [`normals_portable`] compiled for AVX2 with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn normals_avx2(bits: &[u64], out: &mut [f32]) {
    normals_portable(bits, out)
}

#[inline(always)]
fn box_muller_f32(bits: u64) -> (f32, f32) {
    const UNIT: f32 = 1.0 / 16_777_216.0; // 2^-24
    let u1 = ((bits >> 40) + 1) as f32 * UNIT;
    let t = (bits & 0x00ff_ffff) as f32 * UNIT - 0.5;
    let r = (-2.0 * ln_positive_f32(u1)).sqrt();
    let (s, c) = sin_cos_pi_f32(t);
    (r * (1.0 - 2.0 * s * s), r * (2.0 * s * c))
}

#[inline(always)]
fn normals_portable(bits: &[u64], out: &mut [f32]) {
    let n_pairs = out.len() / 2;
    let mut pairs = out.chunks_exact_mut(2);
    for (pair, &b) in (&mut pairs).zip(bits) {
        (pair[0], pair[1]) = box_muller_f32(b);
    }
    if let [last] = pairs.into_remainder() {
        *last = box_muller_f32(bits[n_pairs]).0;
    }
}

/// Standard normal numbers in f64 by the same transform with the library's
/// `ln`, `sqrt` and `sin_cos` (not vectorised), one u64 per number: 53 bits
/// each for u1 and t. Needs `bits.len() >= out.len() + out.len() % 2`.
pub fn standard_normals_f64(bits: &[u64], out: &mut [f64]) {
    assert!(
        bits.len() >= out.len() + out.len() % 2,
        "one u64 per normal"
    );
    const UNIT: f64 = 1.0 / 9_007_199_254_740_992.0; // 2^-53
    for (k, pair) in out.chunks_mut(2).enumerate() {
        let u1 = ((bits[2 * k] >> 11) + 1) as f64 * UNIT;
        let t = (bits[2 * k + 1] >> 11) as f64 * UNIT;
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * std::f64::consts::PI * t).sin_cos();
        pair[0] = r * c;
        if let Some(z) = pair.get_mut(1) {
            *z = r * s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ContinuousCDF, Normal};

    #[test]
    fn exp_nonpositive_f32_is_accurate_and_never_subnormal() {
        let mut x: f32 = -120.0;
        while x <= 0.0 {
            let want = (x.max(-87.0) as f64).exp();
            let got = exp_nonpositive_f32(x) as f64;
            assert!(
                (got - want).abs() <= 3.0 * f32::EPSILON as f64 * want,
                "x = {x}"
            );
            assert!(got.is_normal());
            x += 0.0131;
        }
        assert_eq!(exp_nonpositive_f32(0.0), 1.0);
    }

    fn check_activation<F: Lane + Into<f64>>(
        kernel: fn(&mut [F], &[F], &mut [F]),
        value: fn(f64) -> f64,
        slope: fn(f64) -> f64,
        tol: f64,
    ) {
        let bias: Vec<F> = [0.5, -0.25, 0.0]
            .iter()
            .map(|&b| F::from(b).unwrap())
            .collect();
        let xs: Vec<f64> = (0..3000).map(|k| k as f64 / 10.0 - 150.0).collect();
        let mut a: Vec<F> = xs.iter().map(|&x| F::from(x).unwrap()).collect();
        let mut d = vec![F::zero(); a.len()];
        kernel(&mut a, &bias, &mut d);
        for (k, &x) in xs.iter().enumerate() {
            let x = x + bias[k % 3].into();
            let (a, d): (f64, f64) = (a[k].into(), d[k].into());
            assert!(
                (a - value(x)).abs() <= tol * (1.0 + value(x).abs()),
                "x = {x}: {a}"
            );
            assert!(
                (d - slope(x)).abs() <= tol * (1.0 + slope(x).abs()),
                "x = {x}: {d}"
            );
        }
    }

    #[test]
    fn fused_activations_match_the_definitions() {
        let swish = |x: f64| x * sigmoid(x);
        let swish_slope = |x: f64| sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x)));
        check_activation::<f64>(swish_with_derivative, swish, swish_slope, 1e-14);
        check_activation::<f32>(swish_with_derivative, swish, swish_slope, 1e-6);
        check_activation::<f64>(softplus_with_derivative, softplus, sigmoid, 1e-14);
        check_activation::<f32>(softplus_with_derivative, softplus, sigmoid, 1e-6);
        let mut tiny = vec![-200.0f32; 16];
        let mut d = vec![0.0f32; 16];
        swish_with_derivative(&mut tiny, &[0.0], &mut d);
        assert!(
            tiny.iter().chain(&d).all(|v| v.is_normal()),
            "no subnormals"
        );
    }

    #[test]
    fn ln_and_sin_cos_match_std() {
        for k in 0..=(1 << 16) {
            let y = (k as f32 + 0.5) / 65_536.5; // (0, 1]
            let want = (y as f64).ln();
            assert!((ln_positive_f32(y) as f64 - want).abs() <= 2e-7 * (1.0 + want.abs()));
            let t = k as f32 / 65_536.0 - 0.5;
            let (s, c) = sin_cos_pi_f32(t);
            let (ws, wc) = (std::f64::consts::PI * t as f64).sin_cos();
            assert!(
                (s as f64 - ws).abs() < 2e-7 && (c as f64 - wc).abs() < 2e-7,
                "t = {t}"
            );
        }
    }

    /// Kolmogorov-Smirnov statistic of `z` against N(0, 1).
    fn ks_statistic(z: &mut [f64]) -> f64 {
        let normal = Normal::standard();
        z.sort_by(|a, b| a.total_cmp(b));
        let n = z.len() as f64;
        z.iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = normal.cdf(x);
                (f - i as f64 / n).abs().max((i as f64 + 1.0) / n - f)
            })
            .fold(0.0, f64::max)
    }

    /// A fixed sequence of well-mixed 64-bit words (SplitMix64's output).
    fn test_bits(n: usize) -> Vec<u64> {
        let mut state = 0x1234_5678_u64;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            })
            .collect()
    }

    /// The critical KS value at level 0.001 for n samples, 1.949 / sqrt(n).
    fn ks_critical(n: usize) -> f64 {
        1.949 / (n as f64).sqrt()
    }

    #[test]
    fn box_muller_passes_kolmogorov_smirnov() {
        let n = 100_001; // odd: the last number uses half a word
        let bits = test_bits(n);
        let mut z32 = vec![0.0f32; n];
        standard_normals_f32(&bits, &mut z32);
        let mut z: Vec<f64> = z32.iter().map(|&v| v as f64).collect();
        assert!(ks_statistic(&mut z) < ks_critical(n));
        let mut z64 = vec![0.0f64; n];
        standard_normals_f64(&bits[..n - 1], &mut z64[..n - 1]);
        assert!(ks_statistic(&mut z64[..n - 1]) < ks_critical(n - 1));
        let mut portable = vec![0.0f32; n];
        normals_portable(&bits, &mut portable);
        assert!(portable.iter().zip(&z32).all(|(a, b)| (a - b).abs() < 1e-5));
    }

    /// The same test fails a broken transform, r = sqrt(-ln u1): the test can fail.
    #[test]
    fn kolmogorov_smirnov_rejects_a_broken_box_muller() {
        let n = 100_000;
        let mut z: Vec<f64> = test_bits(n / 2)
            .iter()
            .flat_map(|&b| {
                let (z1, z2) = box_muller_f32(b);
                [z1 as f64 / 2f64.sqrt(), z2 as f64 / 2f64.sqrt()]
            })
            .collect();
        assert!(ks_statistic(&mut z) > ks_critical(n));
    }

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
}
