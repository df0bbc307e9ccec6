//! bm-exact against an independent brute force: every quantity is recomputed
//! here by summing over all (v, h) states with the energy written out as
//! loops, without calling the code under test.

// The brute force indexes like the formulas in the book do.
#![allow(clippy::needless_range_loop)]

use bm_exact::{BoltzmannMachine, Model, Parameters, Rbm};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// |a - b| <= tol * max(|a|, |b|, 1): relative, absolute near zero.
fn assert_close(a: f64, b: f64, tol: f64, what: &str) {
    let scale = a.abs().max(b.abs()).max(1.0);
    assert!(
        (a - b).abs() <= tol * scale,
        "{what}: {a} vs {b} (diff {:e})",
        (a - b).abs()
    );
}

fn uniform(rng: &mut impl Rng, scale: f64) -> f64 {
    scale * (2.0 * rng.random::<f64>() - 1.0)
}

fn symmetric(n: usize, scale: f64, rng: &mut impl Rng) -> Array2<f64> {
    let mut a = Array2::zeros((n, n));
    for i in 0..n {
        for j in 0..i {
            let x = uniform(rng, scale);
            a[[i, j]] = x;
            a[[j, i]] = x;
        }
    }
    a
}

fn random_params(
    nv: usize,
    nh: usize,
    scale: f64,
    couplings: bool,
    rng: &mut impl Rng,
) -> Parameters {
    Parameters {
        visible_bias: Array1::from_shape_fn(nv, |_| uniform(rng, scale)),
        hidden_bias: Array1::from_shape_fn(nh, |_| uniform(rng, scale)),
        weights: Array2::from_shape_fn((nh, nv), |_| uniform(rng, scale)),
        visible_couplings: couplings.then(|| symmetric(nv, scale, rng)),
        hidden_couplings: couplings.then(|| symmetric(nh, scale, rng)),
    }
}

fn random_data(n: usize, nv: usize, rng: &mut impl Rng) -> Array2<f64> {
    Array2::from_shape_fn((n, nv), |_| if rng.random::<bool>() { 1.0 } else { 0.0 })
}

/// Every binary vector of length n, unit k = bit k.
fn states(n: usize) -> Vec<Vec<f64>> {
    (0..1u32 << n)
        .map(|s| (0..n).map(|k| ((s >> k) & 1) as f64).collect())
        .collect()
}

/// The energy of eq. (1.1), every sum written out, each pair i < j once.
fn energy(p: &Parameters, v: &[f64], h: &[f64]) -> f64 {
    let mut neg = 0.0;
    for j in 0..v.len() {
        neg += p.visible_bias[j] * v[j];
        if let Some(r) = &p.visible_couplings {
            for k in j + 1..v.len() {
                neg += r[[j, k]] * v[j] * v[k];
            }
        }
    }
    for i in 0..h.len() {
        neg += p.hidden_bias[i] * h[i];
        for j in 0..v.len() {
            neg += p.weights[[i, j]] * h[i] * v[j];
        }
        if let Some(t) = &p.hidden_couplings {
            for k in i + 1..h.len() {
                neg += t[[i, k]] * h[i] * h[k];
            }
        }
    }
    -neg
}

fn log_of_sum_of_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// log Z = log sum_v sum_h e^{-E(v, h)}, eq. (1.3), one term per state.
fn brute_log_z(p: &Parameters) -> f64 {
    let mut terms = vec![];
    for v in states(p.n_visible()) {
        for h in states(p.n_hidden()) {
            terms.push(-energy(p, &v, &h));
        }
    }
    log_of_sum_of_exp(&terms)
}

fn brute_free_energy(p: &Parameters, v: &[f64]) -> f64 {
    let terms: Vec<f64> = states(p.n_hidden())
        .iter()
        .map(|h| -energy(p, v, h))
        .collect();
    -log_of_sum_of_exp(&terms)
}

fn brute_mean_ll(p: &Parameters, data: &Array2<f64>) -> f64 {
    let log_z = brute_log_z(p);
    data.rows()
        .into_iter()
        .map(|v| -brute_free_energy(p, v.as_slice().unwrap()) - log_z)
        .sum::<f64>()
        / data.nrows() as f64
}

/// <s s^T> with s = (v, h) under p(h | v) averaged over the data, and under p(v, h).
fn brute_second_moments(p: &Parameters, data: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let (nv, nh) = (p.n_visible(), p.n_hidden());
    let n = nv + nh;
    let joined = |v: &[f64], h: &[f64]| -> Vec<f64> { v.iter().chain(h).cloned().collect() };
    let mut data_m = Array2::zeros((n, n));
    for v in data.rows() {
        let v = v.as_slice().unwrap();
        let f = brute_free_energy(p, v);
        for h in states(nh) {
            let w = (-energy(p, v, &h) + f).exp() / data.nrows() as f64;
            let s = joined(v, &h);
            for i in 0..n {
                for j in 0..n {
                    data_m[[i, j]] += w * s[i] * s[j];
                }
            }
        }
    }
    let log_z = brute_log_z(p);
    let mut model_m = Array2::zeros((n, n));
    for v in states(nv) {
        for h in states(nh) {
            let w = (-energy(p, &v, &h) - log_z).exp();
            let s = joined(&v, &h);
            for i in 0..n {
                for j in 0..n {
                    model_m[[i, j]] += w * s[i] * s[j];
                }
            }
        }
    }
    (data_m, model_m)
}

/// The brute-force gradient: diagonal of <s s^T> gives the biases (s_i^2 = s_i).
fn check_gradient_against_brute_force(p: &Parameters, g: &Parameters, data: &Array2<f64>) {
    let (nv, nh) = (p.n_visible(), p.n_hidden());
    let (dm, mm) = brute_second_moments(p, data);
    let diff = &dm - &mm;
    let tol = 1e-10;
    for j in 0..nv {
        assert_close(
            g.visible_bias[j],
            diff[[j, j]],
            tol,
            "visible_bias gradient",
        );
        if let Some(r) = &g.visible_couplings {
            for k in 0..nv {
                let want = if j == k { 0.0 } else { diff[[j, k]] };
                assert_close(r[[j, k]], want, tol, "visible_couplings gradient");
            }
        }
    }
    for i in 0..nh {
        assert_close(
            g.hidden_bias[i],
            diff[[nv + i, nv + i]],
            tol,
            "hidden_bias gradient",
        );
        for j in 0..nv {
            assert_close(
                g.weights[[i, j]],
                diff[[nv + i, j]],
                tol,
                "weights gradient",
            );
        }
        if let Some(t) = &g.hidden_couplings {
            for k in 0..nh {
                let want = if i == k { 0.0 } else { diff[[nv + i, nv + k]] };
                assert_close(t[[i, k]], want, tol, "hidden_couplings gradient");
            }
        }
    }
}

const RBM_SHAPES: [(usize, usize); 9] = [
    (1, 1),
    (2, 3),
    (3, 2),
    (5, 4),
    (4, 7),
    (8, 6),
    (10, 3),
    (3, 10),
    (4, 0),
];
const SCALES: [f64; 4] = [0.1, 1.0, 4.0, 40.0];

#[test]
fn rbm_log_z_free_energies_and_likelihood_match_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (nv, nh) in RBM_SHAPES {
        for scale in SCALES {
            let p = random_params(nv, nh, scale, false, &mut rng);
            let rbm = Rbm::from_parameters(p.clone()).unwrap();
            let what = format!("RBM {nv}x{nh}, scale {scale}");
            let log_z = rbm.log_partition().unwrap();
            assert!(log_z.is_finite());
            assert_close(log_z, brute_log_z(&p), 1e-12, &format!("log Z of {what}"));
            for v in states(nv) {
                let v_arr = Array1::from(v.clone());
                assert_close(
                    rbm.free_energy(v_arr.view()),
                    brute_free_energy(&p, &v),
                    1e-12,
                    &what,
                );
            }
            for h in states(nh) {
                let terms: Vec<f64> = states(nv).iter().map(|v| -energy(&p, v, &h)).collect();
                let want = -log_of_sum_of_exp(&terms);
                assert_close(
                    rbm.hidden_free_energy(Array1::from(h).view()),
                    want,
                    1e-12,
                    &what,
                );
            }
            let data = random_data(7, nv, &mut rng);
            assert_close(
                rbm.mean_log_likelihood(data.view()).unwrap(),
                brute_mean_ll(&p, &data),
                1e-12,
                &what,
            );
        }
    }
}

#[test]
fn bm_log_z_free_energies_and_likelihood_match_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for (nv, nh) in [(1, 1), (2, 3), (4, 2), (5, 5), (3, 0), (6, 6), (2, 8)] {
        for scale in SCALES {
            let p = random_params(nv, nh, scale, true, &mut rng);
            let bm = BoltzmannMachine::from_parameters(p.clone()).unwrap();
            let what = format!("BM {nv}+{nh}, scale {scale}");
            assert_close(
                bm.log_partition().unwrap(),
                brute_log_z(&p),
                1e-12,
                &format!("log Z of {what}"),
            );
            for v in states(nv) {
                let got = bm.free_energy(Array1::from(v.clone()).view()).unwrap();
                assert_close(got, brute_free_energy(&p, &v), 1e-12, &what);
            }
            let data = random_data(6, nv, &mut rng);
            assert_close(
                bm.mean_log_likelihood(data.view()).unwrap(),
                brute_mean_ll(&p, &data),
                1e-12,
                &what,
            );
        }
    }
}

#[test]
fn energies_match_the_written_out_formula() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let p = random_params(4, 3, 2.0, true, &mut rng);
    let bm = BoltzmannMachine::from_parameters(p.clone()).unwrap();
    let rbm_p = Parameters {
        visible_couplings: None,
        hidden_couplings: None,
        ..p.clone()
    };
    let rbm = Rbm::from_parameters(rbm_p.clone()).unwrap();
    for v in states(4) {
        for h in states(3) {
            let (va, ha) = (Array1::from(v.clone()), Array1::from(h.clone()));
            assert_close(
                bm.energy(va.view(), ha.view()),
                energy(&p, &v, &h),
                1e-14,
                "BM energy",
            );
            assert_close(
                rbm.energy(va.view(), ha.view()),
                energy(&rbm_p, &v, &h),
                1e-14,
                "RBM energy",
            );
        }
    }
}

#[test]
fn rbm_conditionals_are_ratios_of_the_joint() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let rbm = Rbm::from_parameters(random_params(3, 4, 2.0, false, &mut rng)).unwrap();
    let joint = rbm.joint_distribution().unwrap();
    for (sv, v) in states(3).iter().enumerate() {
        let row = joint.row(sv);
        let p_h = rbm.hidden_probabilities(Array1::from(v.clone()).view());
        for i in 0..4 {
            let on: f64 = row
                .iter()
                .enumerate()
                .filter(|(sh, _)| sh >> i & 1 == 1)
                .map(|(_, p)| p)
                .sum();
            assert_close(p_h[i], on / row.sum(), 1e-12, "p(h_i = 1 | v)");
        }
    }
    for (sh, h) in states(4).iter().enumerate() {
        let col = joint.column(sh);
        let p_v = rbm.visible_probabilities(Array1::from(h.clone()).view());
        for j in 0..3 {
            let on: f64 = col
                .iter()
                .enumerate()
                .filter(|(sv, _)| sv >> j & 1 == 1)
                .map(|(_, p)| p)
                .sum();
            assert_close(p_v[j], on / col.sum(), 1e-12, "p(v_j = 1 | h)");
        }
    }
}

#[test]
fn probability_tables_are_consistent() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let rbm = Rbm::from_parameters(random_params(4, 3, 1.5, false, &mut rng)).unwrap();
    let joint = rbm.joint_distribution().unwrap();
    assert_close(joint.sum(), 1.0, 1e-13, "sum of p(v, h)");
    let p_v = rbm.visible_distribution().unwrap();
    let p_h = rbm.hidden_distribution().unwrap();
    for s in 0..16 {
        assert_close(p_v[s], joint.row(s).sum(), 1e-13, "p(v) marginal");
    }
    for s in 0..8 {
        assert_close(p_h[s], joint.column(s).sum(), 1e-13, "p(h) marginal");
    }
    let bm = BoltzmannMachine::from_parameters(random_params(3, 3, 1.5, true, &mut rng)).unwrap();
    let bm_joint = bm.joint_distribution().unwrap();
    let bm_v = bm.visible_distribution().unwrap();
    assert_close(bm_joint.sum(), 1.0, 1e-13, "BM joint");
    for sv in 0..8 {
        let marginal: f64 = (0..8).map(|sh| bm_joint[sv | sh << 3]).sum();
        assert_close(bm_v[sv], marginal, 1e-13, "BM p(v)");
    }
}

#[test]
fn gradients_match_brute_force_expectations() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for (nv, nh) in [(2, 3), (4, 4), (6, 2), (3, 7)] {
        for scale in [0.5, 3.0] {
            let data = random_data(9, nv, &mut rng);
            let p = random_params(nv, nh, scale, false, &mut rng);
            let g = Rbm::from_parameters(p.clone())
                .unwrap()
                .log_likelihood_gradient(data.view())
                .unwrap();
            check_gradient_against_brute_force(&p, &g, &data);
            let p = random_params(nv, nh, scale, true, &mut rng);
            let g = BoltzmannMachine::from_parameters(p.clone())
                .unwrap()
                .log_likelihood_gradient(data.view())
                .unwrap();
            check_gradient_against_brute_force(&p, &g, &data);
        }
    }
}

/// Central finite differences of the mean log-likelihood, one parameter at a
/// time; a coupling pair moves at both of its places.
fn finite_difference(
    p: &Parameters,
    data: &Array2<f64>,
    bump: impl Fn(&mut Parameters, f64),
) -> f64 {
    let eps = 1e-5;
    let ll = |delta: f64| {
        let mut q = p.clone();
        bump(&mut q, delta);
        let model = if q.visible_couplings.is_some() {
            Model::Bm(BoltzmannMachine::from_parameters(q).unwrap())
        } else {
            Model::Rbm(Rbm::from_parameters(q).unwrap())
        };
        model.mean_log_likelihood(data.view()).unwrap()
    };
    (ll(eps) - ll(-eps)) / (2.0 * eps)
}

/// The "CD loss" of eq. (5.4), mean F(v_0) - mean F(v_k) with the samples
/// v_k held fixed, has as its gradient exactly minus the CD step of
/// eq. (5.2): the statistics at v_0 minus those at v_k. Checked against
/// central finite differences of the brute-force free energy.
#[test]
fn the_cd_loss_gradient_is_minus_the_cd_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let p = random_params(4, 3, 1.0, false, &mut rng);
    let (v0, vk) = (random_data(6, 4, &mut rng), random_data(6, 4, &mut rng));
    let rbm = Rbm::from_parameters(p.clone()).unwrap();
    let step = rbm
        .data_statistics(v0.view())
        .minus(&rbm.data_statistics(vk.view()));
    let mean_f = |q: &Parameters, data: &Array2<f64>| {
        data.rows()
            .into_iter()
            .map(|v| brute_free_energy(q, v.as_slice().unwrap()))
            .sum::<f64>()
            / data.nrows() as f64
    };
    let loss_derivative = |bump: &dyn Fn(&mut Parameters, f64)| {
        let eps = 1e-5;
        let loss = |delta: f64| {
            let mut q = p.clone();
            bump(&mut q, delta);
            mean_f(&q, &v0) - mean_f(&q, &vk)
        };
        (loss(eps) - loss(-eps)) / (2.0 * eps)
    };
    let tol = 1e-7;
    for j in 0..4 {
        let fd = loss_derivative(&|q, d| q.visible_bias[j] += d);
        assert_close(-fd, step.visible_bias[j], tol, "d loss / db");
    }
    for i in 0..3 {
        let fd = loss_derivative(&|q, d| q.hidden_bias[i] += d);
        assert_close(-fd, step.hidden_bias[i], tol, "d loss / dc");
        for j in 0..4 {
            let fd = loss_derivative(&|q, d| q.weights[[i, j]] += d);
            assert_close(-fd, step.weights[[i, j]], tol, "d loss / dW");
        }
    }
}

#[test]
fn gradients_match_finite_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for couplings in [false, true] {
        let p = random_params(4, 3, 1.0, couplings, &mut rng);
        let data = random_data(10, 4, &mut rng);
        let model = if couplings {
            Model::Bm(BoltzmannMachine::from_parameters(p.clone()).unwrap())
        } else {
            Model::Rbm(Rbm::from_parameters(p.clone()).unwrap())
        };
        let g = model.log_likelihood_gradient(data.view()).unwrap();
        let tol = 1e-7;
        for j in 0..4 {
            let fd = finite_difference(&p, &data, |q, d| q.visible_bias[j] += d);
            assert_close(g.visible_bias[j], fd, tol, "d/db");
        }
        for i in 0..3 {
            let fd = finite_difference(&p, &data, |q, d| q.hidden_bias[i] += d);
            assert_close(g.hidden_bias[i], fd, tol, "d/dc");
            for j in 0..4 {
                let fd = finite_difference(&p, &data, |q, d| q.weights[[i, j]] += d);
                assert_close(g.weights[[i, j]], fd, tol, "d/dW");
            }
        }
        if couplings {
            let fd = finite_difference(&p, &data, |q, d| {
                let r = q.visible_couplings.as_mut().unwrap();
                r[[0, 2]] += d;
                r[[2, 0]] += d;
            });
            assert_close(
                g.visible_couplings.as_ref().unwrap()[[0, 2]],
                fd,
                tol,
                "d/dR_02",
            );
            let fd = finite_difference(&p, &data, |q, d| {
                let t = q.hidden_couplings.as_mut().unwrap();
                t[[1, 2]] += d;
                t[[2, 1]] += d;
            });
            assert_close(
                g.hidden_couplings.as_ref().unwrap()[[2, 1]],
                fd,
                tol,
                "d/dT_12",
            );
        }
    }
}

#[test]
fn an_rbm_is_a_boltzmann_machine_without_lateral_couplings() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let rbm = Rbm::from_parameters(random_params(5, 4, 2.0, false, &mut rng)).unwrap();
    let bm = BoltzmannMachine::from_rbm(&rbm);
    let data = random_data(8, 5, &mut rng);
    assert_close(
        rbm.log_partition().unwrap(),
        bm.log_partition().unwrap(),
        1e-13,
        "log Z",
    );
    let (g_rbm, g_bm) = (
        rbm.log_likelihood_gradient(data.view()).unwrap(),
        bm.log_likelihood_gradient(data.view()).unwrap(),
    );
    for (a, b) in g_rbm.weights.iter().zip(g_bm.weights.iter()) {
        assert_close(*a, *b, 1e-12, "weights gradient");
    }
}

/// The expected CD-k update by brute force: transition matrices built from
/// joint probabilities, the chain propagated k times.
fn brute_expected_cd(p: &Parameters, data: &Array2<f64>, k: usize) -> Array2<f64> {
    let (nv, nh) = (p.n_visible(), p.n_hidden());
    let (vs, hs) = (states(nv), states(nh));
    let weight = |v: &[f64], h: &[f64]| (-energy(p, v, h)).exp();
    let up = Array2::from_shape_fn((vs.len(), hs.len()), |(a, b)| {
        weight(&vs[a], &hs[b]) / hs.iter().map(|h| weight(&vs[a], h)).sum::<f64>()
    });
    let down = Array2::from_shape_fn((hs.len(), vs.len()), |(b, a)| {
        weight(&vs[a], &hs[b]) / vs.iter().map(|v| weight(v, &hs[b])).sum::<f64>()
    });
    let index = |v: &[f64]| {
        v.iter()
            .enumerate()
            .map(|(k, x)| (*x as usize) << k)
            .sum::<usize>()
    };
    let mut start = Array1::zeros(vs.len());
    for v in data.rows() {
        start[index(v.as_slice().unwrap())] += 1.0 / data.nrows() as f64;
    }
    let mut chain = start.clone();
    for _ in 0..k {
        chain = chain.dot(&up).dot(&down);
    }
    // E[p(h_i = 1 | v) v_j] under a distribution over v.
    let stat = |dist: &Array1<f64>| {
        Array2::from_shape_fn((nh, nv), |(i, j)| {
            (0..vs.len())
                .map(|a| {
                    let on: f64 = (0..hs.len())
                        .filter(|b| b >> i & 1 == 1)
                        .map(|b| up[[a, b]])
                        .sum();
                    dist[a] * on * vs[a][j]
                })
                .sum()
        })
    };
    stat(&start) - stat(&chain)
}

#[test]
fn expected_cd_matches_brute_force_and_converges_to_the_gradient() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let data = random_data(12, 4, &mut rng);
    let p = random_params(4, 3, 2.0, false, &mut rng);
    let rbm = Rbm::from_parameters(p.clone()).unwrap();
    for k in [1, 2, 5] {
        let cd = rbm.expected_cd_update(data.view(), k).unwrap();
        let want = brute_expected_cd(&p, &data, k);
        for (a, b) in cd.weights.iter().zip(want.iter()) {
            assert_close(*a, *b, 1e-12, &format!("CD-{k} weights"));
        }
    }
    let gradient = rbm.log_likelihood_gradient(data.view()).unwrap();
    let distance = |k: usize| {
        let cd = rbm.expected_cd_update(data.view(), k).unwrap();
        (&cd.weights - &gradient.weights).mapv(f64::abs).sum()
            + (&cd.visible_bias - &gradient.visible_bias)
                .mapv(f64::abs)
                .sum()
            + (&cd.hidden_bias - &gradient.hidden_bias)
                .mapv(f64::abs)
                .sum()
    };
    assert!(
        distance(1) > 1e-3,
        "CD-1 should be biased here: {}",
        distance(1)
    );
    assert!(distance(10) < distance(1));
    assert!(
        distance(2000) < 1e-9,
        "CD-2000 vs gradient: {}",
        distance(2000)
    );
}

/// The p-value of Pearson's chi-square test of samples against a table.
fn chi_square_p_value(samples: &Array2<f64>, table: &Array1<f64>) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let n = samples.nrows() as f64;
    let mut counts = Array1::<f64>::zeros(table.len());
    for row in samples.rows() {
        counts[bm_exact::state_index(row) as usize] += 1.0;
    }
    let chi2: f64 = counts
        .iter()
        .zip(table)
        .map(|(c, p)| (c - n * p).powi(2) / (n * p))
        .sum();
    let dof = (table.len() - 1) as f64;
    1.0 - ChiSquared::new(dof).unwrap().cdf(chi2)
}

#[test]
fn exact_samples_pass_a_chi_square_test() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let rbm = Rbm::from_parameters(random_params(4, 3, 1.5, false, &mut rng)).unwrap();
    let p = rbm.visible_distribution().unwrap();
    let samples = rbm.sample_visible(20_000, &mut rng).unwrap();
    let p_value = chi_square_p_value(&samples, &p);
    assert!(p_value > 1e-3, "p = {p_value}");
    // The same test rejects samples drawn from a different model.
    let other = Rbm::from_parameters(random_params(4, 3, 1.5, false, &mut rng)).unwrap();
    let wrong = other.sample_visible(20_000, &mut rng).unwrap();
    assert!(chi_square_p_value(&wrong, &p) < 1e-6);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let rbm = Rbm::from_parameters(random_params(30, 14, 1.0, false, &mut rng)).unwrap();
    let bm = BoltzmannMachine::from_parameters(random_params(8, 8, 1.0, true, &mut rng)).unwrap();
    let here = (rbm.log_partition().unwrap(), bm.log_partition().unwrap());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let one_thread = pool.install(|| (rbm.log_partition().unwrap(), bm.log_partition().unwrap()));
    assert_eq!(here.0.to_bits(), one_thread.0.to_bits());
    assert_eq!(here.1.to_bits(), one_thread.1.to_bits());
}

#[test]
fn too_large_models_are_refused_at_once() {
    let rbm = Rbm::new(
        Array1::zeros(31),
        Array1::zeros(31),
        Array2::zeros((31, 31)),
    )
    .unwrap();
    let e = rbm.log_partition().unwrap_err().to_string();
    assert!(e.contains("2^31") && e.contains("AIS"), "{e}");
    let big = Rbm::new(
        Array1::zeros(784),
        Array1::zeros(40),
        Array2::zeros((40, 784)),
    )
    .unwrap();
    assert!(big.log_partition().is_err());
    let bm = BoltzmannMachine::from_parameters(random_params(
        16,
        15,
        0.1,
        true,
        &mut ChaCha8Rng::seed_from_u64(0),
    ))
    .unwrap();
    assert!(
        bm.log_partition()
            .unwrap_err()
            .to_string()
            .contains("2^31 = 2147483648")
    );
    let data = Array2::zeros((1, 16));
    assert!(bm.log_likelihood_gradient(data.view()).is_err());
}

#[test]
fn log_z_with_a_wide_visible_layer_matches_the_sum_of_hidden_free_energies() {
    // Too wide for brute force over v, but F(h) (checked against brute force
    // above) sums v out with the scalar softplus: an independent path to the
    // fast vectorised one.
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for (nv, scale) in [(300, 0.3), (784, 0.05), (97, 3.0)] {
        let rbm = Rbm::from_parameters(random_params(nv, 9, scale, false, &mut rng)).unwrap();
        let terms: Vec<f64> = states(9)
            .into_iter()
            .map(|h| -rbm.hidden_free_energy(Array1::from(h).view()))
            .collect();
        assert_close(
            rbm.log_partition().unwrap(),
            log_of_sum_of_exp(&terms),
            1e-12,
            "wide RBM",
        );
        // And with the layers swapped the visible layer is enumerated.
        let p = rbm.to_parameters();
        let swapped = Rbm::new(
            p.hidden_bias.clone(),
            p.visible_bias.clone(),
            p.weights.t().to_owned(),
        )
        .unwrap();
        assert_eq!(swapped.enumerated_layer(), bm_exact::Layer::Visible);
        assert_close(
            swapped.log_partition().unwrap(),
            rbm.log_partition().unwrap(),
            1e-12,
            "swapped",
        );
    }
}
