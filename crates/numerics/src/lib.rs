//! # numerics: fast f64 kernels
//!
//! The inner loops that run billions of times: the sum of softplus over a
//! slice (the free energy's hidden term, once per enumerated state in
//! `bm-exact`'s fast path and once per chain and temperature in the `rbm`
//! crate's AIS) and scaled sigmoids. They trade obviousness for speed:
//! a branch-free exponential, logarithms of products, and instructions
//! chosen at run time (AVX-512, AVX2 with fused multiply-adds).
//!
//! They are *not* the oracle. `bm-exact` computes its reference values with
//! plain scalar code (`bm_exact::numerics`) and tests these kernels against
//! it; because the kernels pick fused multiply-adds on CPUs that have them,
//! their last bits can differ between machines.

// ANCHOR: log_weight_step
/// One AIS step's change of log p*(v), eq. (7.4), from inverse temperature
/// `previous` to `beta`: `visible_term` (the change of the visible units'
/// part, 0 where it cancels) plus sum_i softplus(beta a_i) - softplus(previous a_i)
/// over the hidden inputs `a`, in f64. `scratch` holds beta a_i, one entry
/// per hidden unit. The binary, Gaussian and label-unit AIS all add this to
/// their log weights.
pub fn log_weight_step<'a>(
    visible_term: f64,
    a: impl IntoIterator<Item = &'a f32> + Copy,
    previous: f64,
    beta: f64,
    scratch: &mut [f64],
) -> f64 {
    let mut sum_softplus_at = |scale: f64| {
        scratch
            .iter_mut()
            .zip(a)
            .for_each(|(x, &a)| *x = scale * f64::from(a));
        sum_softplus(scratch)
    };
    visible_term + sum_softplus_at(beta) - sum_softplus_at(previous)
}
// ANCHOR_END: log_weight_step

/// sum_j softplus(a_j): the inner loop of the partition function of an RBM,
/// which runs once for every enumerated state (2^20 times for 20 hidden units).
///
/// It uses softplus(x) = max(x, 0) + log(1 + e^{-|x|}) and adds the logarithms
/// as the logarithm of a product. Each factor 1 + e^{-|x|} lies in (1, 2], so a
/// product of 512 of them stays below 2^512 and cannot overflow. A slice of
/// length n then costs n exponentials (of non-positive numbers, see
/// [`exp_nonpositive`]) and n/512 logarithms. Eight independent accumulators let
/// the compiler process several elements per instruction; the widest vector
/// instructions the CPU has are chosen at run time.
pub fn sum_softplus(a: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("fma") {
            // SAFETY: the CPU has these features, checked on the line above.
            return unsafe { sum_softplus_avx512(a) };
        }
        if has!("avx2") && has!("fma") {
            // SAFETY: as above.
            return unsafe { sum_softplus_avx2(a) };
        }
    }
    sum_softplus_portable::<false>(a)
}

/// The same code as [`sum_softplus_portable`], compiled for CPUs with AVX-512
/// (eight f64 per instruction) and fused multiply-add.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn sum_softplus_avx512(a: &[f64]) -> f64 {
    sum_softplus_portable::<true>(a)
}

/// The same code compiled for CPUs with AVX2 (four f64 per instruction) and
/// fused multiply-add.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn sum_softplus_avx2(a: &[f64]) -> f64 {
    sum_softplus_portable::<true>(a)
}

const LANES: usize = 8;
const BLOCK: usize = 512;

#[inline(always)]
fn sum_softplus_portable<const FMA: bool>(a: &[f64]) -> f64 {
    let mut total = 0.0;
    for block in a.chunks(BLOCK) {
        let mut linear = [0.0; LANES];
        let mut product = [1.0; LANES];
        let lanes = block.chunks_exact(LANES);
        let rest = lanes.remainder();
        for chunk in lanes {
            for lane in 0..LANES {
                let x = chunk[lane];
                linear[lane] += x.max(0.0);
                product[lane] *= 1.0 + exp_nonpositive::<FMA>(-x.abs());
            }
        }
        for (lane, &x) in rest.iter().enumerate() {
            linear[lane] += x.max(0.0);
            product[lane] *= 1.0 + exp_nonpositive::<FMA>(-x.abs());
        }
        let block_product: f64 = product.iter().product();
        total += linear.iter().sum::<f64>() + block_product.ln();
    }
    total
}

/// out_j = scale * sigmoid(x_j) for every j: the conditional means of a
/// summed-out layer, weighted by the probability of the enumerated state.
/// Written with [`exp_nonpositive`] and a select instead of a branch, so that
/// the loop vectorises; it agrees with the plain `1 / (1 + exp(-x))` to a few ulp.
pub fn scaled_sigmoid_into(x: &[f64], scale: f64, out: &mut [f64]) {
    for (o, &x) in out.iter_mut().zip(x) {
        let t = exp_nonpositive::<false>(-x.abs()); // e^{-|x|}
        let sigmoid = if x >= 0.0 {
            1.0 / (1.0 + t)
        } else {
            t / (1.0 + t)
        };
        *o = scale * sigmoid;
    }
}

/// e^x for x <= 0, without branches so that it vectorises.
///
/// Range reduction x = n ln 2 + r with |r| <= ln(2)/2, then e^r by its Taylor
/// series to degree 12 (truncation error below 2e-16) and 2^n written straight
/// into the exponent bits. Inputs below -708 are clamped there: e^-708 is
/// 3e-308, which no longer changes 1 + e^x. With `FMA` the polynomial uses
/// fused multiply-adds (one rounding instead of two); only use it where the
/// CPU has them, as a software `mul_add` is slow.
#[inline(always)]
pub fn exp_nonpositive<const FMA: bool>(x: f64) -> f64 {
    // ln 2 split in two so that n * LN2_HI is exact (Cody and Waite).
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Adding 1.5 * 2^52 rounds to the nearest integer and leaves it in the low bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let x = x.max(-708.0);
    let shifted = x * std::f64::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p: f64 = 1.0 / 479_001_600.0; // 1/12!
    for factorial in [
        39_916_800.0,
        3_628_800.0,
        362_880.0,
        40_320.0,
        5_040.0,
        720.0,
        120.0,
        24.0,
        6.0,
        2.0,
        1.0,
        1.0,
    ] {
        p = if FMA {
            p.mul_add(r, 1.0 / factorial)
        } else {
            p * r + 1.0 / factorial
        };
    }
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let two_to_n = f64::from_bits(n_bits.wrapping_add(1023) << 52);
    p * two_to_n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious definitions, for comparison only (also in `neural`'s tests).
    pub(crate) fn softplus(x: f64) -> f64 {
        x.max(0.0) + (-x.abs()).exp().ln_1p()
    }

    #[test]
    fn log_weight_step_is_the_change_of_log_p_star() {
        let a = [-3.0f32, 0.5, 40.0];
        let (previous, beta) = (0.25, 0.75);
        let want: f64 = 1.5
            + a.iter()
                .map(|&a| softplus(beta * f64::from(a)) - softplus(previous * f64::from(a)))
                .sum::<f64>();
        let got = log_weight_step(1.5, &a, previous, beta, &mut [0.0; 3]);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }

    pub(crate) fn sigmoid(x: f64) -> f64 {
        if x >= 0.0 {
            1.0 / (1.0 + (-x).exp())
        } else {
            x.exp() / (1.0 + x.exp())
        }
    }

    #[test]
    fn log_sum_exp_is_shifted() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert!((log_sum_exp(&[0.0, 1.0f64.ln()]) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn exp_nonpositive_is_accurate_to_a_few_ulp() {
        let mut x: f64 = -745.0;
        while x <= 0.0 {
            let want = x.max(-708.0).exp();
            let got = exp_nonpositive::<false>(x);
            let fused = exp_nonpositive::<true>(x);
            assert!((fused - want).abs() <= 4.0 * f64::EPSILON * want);
            assert!(
                (got - want).abs() <= 4.0 * f64::EPSILON * want,
                "x = {x}: {got} vs {want}"
            );
            x += 0.01337;
        }
        assert_eq!(exp_nonpositive::<false>(0.0), 1.0);
    }

    #[test]
    fn scaled_sigmoid_matches_scalar_sigmoid() {
        let x: Vec<f64> = (0..2001).map(|j| j as f64 / 20.0 - 50.0).collect();
        let mut out = vec![0.0; x.len()];
        scaled_sigmoid_into(&x, 0.25, &mut out);
        for (&x, &o) in x.iter().zip(&out) {
            let want = 0.25 * sigmoid(x);
            assert!(
                (o - want).abs() <= 4.0 * f64::EPSILON * want,
                "x = {x}: {o} vs {want}"
            );
        }
    }

    #[test]
    fn sum_softplus_matches_scalar_softplus() {
        for n in [0, 1, 7, 8, 9, 511, 512, 513, 784, 2000] {
            let a: Vec<f64> = (0..n)
                .map(|j| ((j * 7919) % 1000) as f64 / 25.0 - 20.0)
                .collect();
            let want: f64 = a.iter().map(|&x| softplus(x)).sum();
            let got = sum_softplus(&a);
            assert!(
                (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                "n = {n}: {got} vs {want}"
            );
            assert!(
                (sum_softplus_portable::<false>(&a) - got).abs() <= 1e-13 * want.abs().max(1.0)
            );
        }
    }
}

pub mod neural;
pub mod products;

/// log sum_i e^{x_i}, shifted by the largest term; -inf for an empty slice
/// or when every term is -inf.
pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + xs.iter().map(|&x| (x - max).exp()).sum::<f64>().ln()
}
