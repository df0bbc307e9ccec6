//! The exact results for tiny DBNs: checked against an independent brute
//! force over every state, and the three facts of the chapter (eq. 10.6):
//! a transposed second layer makes the bound tight, training it raises the
//! bound, and the bound never exceeds log p(v).

// The brute force is written with index loops on purpose, to read like the sums.
#![allow(clippy::needless_range_loop)]

use bm_exact::{Rbm, state_vector};
use dbn::{ExactDbn, ExactLabels};
use ndarray::{Array1, Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

fn random_rbm(n_visible: usize, n_hidden: usize, scale: f64, rng: &mut ChaCha8Rng) -> Rbm {
    let normal = Normal::new(0.0, scale).unwrap();
    Rbm::new(
        Array1::from_shape_simple_fn(n_visible, || normal.sample(rng)),
        Array1::from_shape_simple_fn(n_hidden, || normal.sample(rng)),
        Array2::from_shape_simple_fn((n_hidden, n_visible), || normal.sample(rng)),
    )
    .unwrap()
}

/// A random net with layer sizes `sizes` (v first) and `n_labels` label units.
fn random_net(sizes: &[usize], n_labels: usize, seed: u64) -> ExactDbn {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = sizes
        .windows(2)
        .map(|w| random_rbm(w[0], w[1], 1.5, &mut rng))
        .collect();
    let normal = Normal::new(0.0, 1.5).unwrap();
    let labels = (n_labels > 0).then(|| ExactLabels {
        bias: Array1::from_shape_simple_fn(n_labels, || normal.sample(&mut rng)),
        weights: Array2::from_shape_simple_fn((sizes[sizes.len() - 1], n_labels), || {
            normal.sample(&mut rng)
        }),
    });
    ExactDbn::new(layers, labels).unwrap()
}

fn random_binary_data(n: usize, n_visible: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_fn((n, n_visible), |_| rng.random_range(0..2) as f64)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// p(x | y) = prod_j sigmoid(a_j)^x_j (1 - sigmoid(a_j))^(1 - x_j), a = b + W^T y,
/// written out with loops.
fn bernoulli_product(bias: ArrayView1<f64>, weights_t: &Array2<f64>, x: &[f64], y: &[f64]) -> f64 {
    let mut p = 1.0;
    for j in 0..x.len() {
        let mut a = bias[j];
        for (i, yi) in y.iter().enumerate() {
            a += weights_t[[j, i]] * yi;
        }
        p *= if x[j] == 1.0 {
            sigmoid(a)
        } else {
            1.0 - sigmoid(a)
        };
    }
    p
}

fn bits(s: usize, n: usize) -> Vec<f64> {
    state_vector(s as u64, n).to_vec()
}

/// p(h1) for every state of h1 by the plainest brute force: the joint of
/// the top RBM (with labels) over all of its states, times the directed
/// conditionals, summed over every layer above h1.
fn brute_force_p_h1(net: &ExactDbn) -> Vec<f64> {
    let layers = net.layers();
    let top = net.top();
    let (nx, nh) = (top.n_visible(), top.n_hidden());
    let n_labels = net.labels().map_or(1, |l| l.bias.len());
    // Unnormalised p(x) of the top RBM's visible layer from exp(-E).
    let mut p_x = vec![0.0; 1 << nx];
    for (sx, p) in p_x.iter_mut().enumerate() {
        let x = bits(sx, nx);
        for sh in 0..1 << nh {
            let h = bits(sh, nh);
            for l in 0..n_labels {
                let mut minus_energy = 0.0;
                for j in 0..nx {
                    minus_energy += top.visible_bias()[j] * x[j];
                }
                for i in 0..nh {
                    minus_energy += top.hidden_bias()[i] * h[i];
                    for j in 0..nx {
                        minus_energy += h[i] * top.weights()[[i, j]] * x[j];
                    }
                }
                if let Some(labels) = net.labels() {
                    minus_energy += labels.bias[l];
                    for i in 0..nh {
                        minus_energy += h[i] * labels.weights[[i, l]];
                    }
                }
                *p += minus_energy.exp();
            }
        }
    }
    let z: f64 = p_x.iter().sum();
    p_x.iter_mut().for_each(|p| *p /= z);
    // Down through the directed layers K-1, ..., 2.
    let mut upper = p_x;
    for layer in layers[1..layers.len() - 1].iter().rev() {
        let (n_lower, n_upper) = (layer.n_visible(), layer.n_hidden());
        let weights_t = layer.weights().t().to_owned();
        let mut lower = vec![0.0; 1 << n_lower];
        for (sx, p) in lower.iter_mut().enumerate() {
            for (sy, p_y) in upper.iter().enumerate() {
                let cond = bernoulli_product(
                    layer.visible_bias(),
                    &weights_t,
                    &bits(sx, n_lower),
                    &bits(sy, n_upper),
                );
                *p += p_y * cond;
            }
        }
        upper = lower;
    }
    upper
}

/// log p(v) and the bound by brute force from p(h1).
fn brute_force_log_p_and_bound(net: &ExactDbn, v: &[f64], p_h1: &[f64]) -> (f64, f64) {
    let bottom = &net.layers()[0];
    let n1 = bottom.n_hidden();
    let weights_t = bottom.weights().t().to_owned();
    let weights = bottom.weights().to_owned();
    let mut p_v = 0.0;
    let mut bound = 0.0;
    for (s, p) in p_h1.iter().enumerate() {
        let h1 = bits(s, n1);
        let joint = p * bernoulli_product(bottom.visible_bias(), &weights_t, v, &h1);
        let q = bernoulli_product(bottom.hidden_bias(), &weights, &h1, v);
        p_v += joint;
        bound += q * (joint / q).ln();
    }
    (p_v.ln(), bound)
}

#[test]
fn enumeration_matches_an_independent_brute_force() {
    for (sizes, n_labels, seed) in [
        (&[4, 3, 2][..], 0, 1),
        (&[3, 4, 3, 2][..], 0, 2),
        (&[4, 3, 2][..], 3, 3),
        (&[2, 3, 2, 3][..], 2, 4),
    ] {
        let net = random_net(sizes, n_labels, seed);
        let p_h1 = brute_force_p_h1(&net);
        let log_p_h1 = net.log_marginal_h1().unwrap();
        for (got, want) in log_p_h1.iter().zip(&p_h1) {
            assert!(
                (got - want.ln()).abs() < 1e-10,
                "{sizes:?}: {got} vs {}",
                want.ln()
            );
        }
        for s in 0..1 << sizes[0] {
            let v = bits(s, sizes[0]);
            let (log_p, bound) = brute_force_log_p_and_bound(&net, &v, &p_h1);
            let v = Array1::from(v);
            let got_log_p = net.log_probability(v.view(), log_p_h1.view());
            let got_bound = net.lower_bound(v.view(), log_p_h1.view());
            assert!(
                (got_log_p - log_p).abs() < 1e-10 * (1.0 + log_p.abs()),
                "{sizes:?}"
            );
            assert!(
                (got_bound - bound).abs() < 1e-10 * (1.0 + bound.abs()),
                "{sizes:?}"
            );
        }
        // p(v) sums to 1 over every visible state.
        let total: f64 = (0..1 << sizes[0])
            .map(|s| {
                net.log_probability(state_vector(s, sizes[0]).view(), log_p_h1.view())
                    .exp()
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}

#[test]
fn top_log_partition_is_the_rbm_log_partition_without_labels() {
    let net = random_net(&[3, 5, 4], 0, 9);
    let (_, log_z) = net.top_log_marginal().unwrap();
    let want = net.top().log_partition().unwrap();
    assert!((log_z - want).abs() < 1e-12 * want.abs().max(1.0));
}

/// Layer 2 = layer 1 transposed: weights W^T, visible bias c_1, hidden bias b_1.
fn transposed(layer: &Rbm) -> Rbm {
    Rbm::new(
        layer.hidden_bias().to_owned(),
        layer.visible_bias().to_owned(),
        layer.weights().t().to_owned(),
    )
    .unwrap()
}

#[test]
fn transposed_second_layer_makes_the_bound_tight() {
    for seed in 0..4 {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
        let layer1 = random_rbm(6, 4, 1.0, &mut rng);
        let net = ExactDbn::new(vec![layer1.clone(), transposed(&layer1)], None).unwrap();
        let data = random_binary_data(20, 6, seed);
        let summary = net.summary(data.view()).unwrap();
        let rbm_log_likelihood = layer1.mean_log_likelihood(data.view()).unwrap();
        assert!((summary.mean_lower_bound - rbm_log_likelihood).abs() < 1e-9);
        assert!((summary.mean_log_likelihood - rbm_log_likelihood).abs() < 1e-9);
    }
}

/// The gradient of layer 2's objective sum_{h1} Q(h1) log p(h1) (eq. 10.7):
/// the RBM gradient with the data distribution replaced by Q.
fn objective_gradient(layer2: &Rbm, aggregated: &Array1<f64>) -> bm_exact::Parameters {
    let n1 = layer2.n_visible();
    let states = Array2::from_shape_fn((1 << n1, n1), |(s, k)| ((s >> k) & 1) as f64);
    let hidden = Array2::from_shape_fn((1 << n1, layer2.n_hidden()), |(s, i)| {
        layer2.hidden_probabilities(states.row(s))[i]
    });
    let weighted_hidden = &hidden * &aggregated.view().insert_axis(ndarray::Axis(1));
    let data = bm_exact::Statistics {
        visible: states.t().dot(aggregated),
        hidden: weighted_hidden.sum_axis(ndarray::Axis(0)),
        hidden_visible: weighted_hidden.t().dot(&states),
    };
    data.minus(&layer2.model_statistics().unwrap())
}

#[test]
fn training_the_second_layer_raises_the_bound_at_every_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let layer1 = random_rbm(6, 4, 1.0, &mut rng);
    let data = random_binary_data(30, 6, 6);
    let mut layer2 = transposed(&layer1);
    let start = ExactDbn::new(vec![layer1.clone(), layer2.clone()], None).unwrap();
    let aggregated = start.aggregated_posterior(data.view()).unwrap();
    let mut bound = start.summary(data.view()).unwrap().mean_lower_bound;
    let first = bound;
    for step in 0..50 {
        let g = objective_gradient(&layer2, &aggregated);
        let rate = 0.05;
        layer2 = Rbm::new(
            &layer2.visible_bias() + &(rate * &g.visible_bias),
            &layer2.hidden_bias() + &(rate * &g.hidden_bias),
            &layer2.weights() + &(rate * &g.weights),
        )
        .unwrap();
        let net = ExactDbn::new(vec![layer1.clone(), layer2.clone()], None).unwrap();
        let summary = net.summary(data.view()).unwrap();
        assert!(
            summary.mean_lower_bound > bound,
            "step {step}: {} <= {bound}",
            summary.mean_lower_bound
        );
        assert!(summary.mean_lower_bound <= summary.mean_log_likelihood + 1e-12);
        bound = summary.mean_lower_bound;
    }
    assert!(
        bound > first + 1e-3,
        "the bound rose only from {first} to {bound}"
    );
}

#[test]
fn a_step_against_the_gradient_lowers_the_bound() {
    // The broken variant of the test above: descending instead of ascending
    // must lower the bound, so the ascent test can fail.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let layer1 = random_rbm(6, 4, 1.0, &mut rng);
    let data = random_binary_data(30, 6, 6);
    let layer2 = transposed(&layer1);
    let start = ExactDbn::new(vec![layer1.clone(), layer2.clone()], None).unwrap();
    let aggregated = start.aggregated_posterior(data.view()).unwrap();
    let before = start.summary(data.view()).unwrap().mean_lower_bound;
    let g = objective_gradient(&layer2, &aggregated);
    let descended = Rbm::new(
        &layer2.visible_bias() - &(0.05 * &g.visible_bias),
        &layer2.hidden_bias() - &(0.05 * &g.hidden_bias),
        &layer2.weights() - &(0.05 * &g.weights),
    )
    .unwrap();
    let net = ExactDbn::new(vec![layer1, descended], None).unwrap();
    assert!(net.summary(data.view()).unwrap().mean_lower_bound < before);
}

/// Jensen's inequality, eq. (10.5): the bound never exceeds the exact log p(v).
#[test]
fn the_bound_never_exceeds_log_p() {
    for seed in 0..6 {
        for (sizes, n_labels) in [
            (&[5, 3, 4][..], 0),
            (&[4, 3, 2, 3][..], 0),
            (&[4, 4, 3][..], 2),
        ] {
            let net = random_net(sizes, n_labels, 1000 + seed);
            let log_p_h1 = net.log_marginal_h1().unwrap();
            for s in 0..1 << sizes[0] {
                let v = state_vector(s, sizes[0]);
                let log_p = net.log_probability(v.view(), log_p_h1.view());
                let bound = net.lower_bound(v.view(), log_p_h1.view());
                assert!(bound <= log_p + 1e-12, "seed {seed}, {sizes:?}, v = {s}");
            }
        }
    }
}

#[test]
fn large_activations_stay_finite() {
    let mut net = random_net(&[4, 3, 2], 2, 3);
    let layers: Vec<Rbm> = net
        .layers()
        .iter()
        .map(|l| {
            Rbm::new(
                l.visible_bias().to_owned(),
                l.hidden_bias().to_owned(),
                80.0 * &l.weights(),
            )
            .unwrap()
        })
        .collect();
    net = ExactDbn::new(layers, net.labels().cloned()).unwrap();
    let data = random_binary_data(10, 4, 1);
    let summary = net.summary(data.view()).unwrap();
    assert!(summary.mean_log_likelihood.is_finite() && summary.mean_lower_bound.is_finite());
    assert!(summary.mean_lower_bound <= summary.mean_log_likelihood + 1e-9);
}

#[test]
fn too_large_nets_are_refused_before_enumerating() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let net = ExactDbn::new(
        vec![
            random_rbm(4, 30, 0.1, &mut rng),
            random_rbm(30, 2, 0.1, &mut rng),
        ],
        None,
    )
    .unwrap();
    let err = net.summary(random_binary_data(2, 4, 1).view()).unwrap_err();
    assert!(err.to_string().contains("2^30"), "{err}");
}

/// A 784-22-2 net passes the size check (2^22 states of h1), but the exact
/// summary of 100 examples would take hours: it is refused at once; a
/// 20-16-4 net on 100 examples (about a second) is within the limit.
#[test]
fn summary_refuses_work_of_hours_before_starting() {
    let net = random_net(&[784, 22, 2], 0, 5);
    net.check_size().unwrap();
    let started = std::time::Instant::now();
    let error = net
        .summary(random_binary_data(100, 784, 6).view())
        .unwrap_err();
    assert!(
        started.elapsed().as_secs() < 5,
        "refused only after {:?}",
        started.elapsed()
    );
    let message = error.to_string();
    assert!(
        message.contains("multiply-adds") && message.contains("100 examples"),
        "{message}"
    );
    assert!(error.is_bad_input());
    random_net(&[20, 16, 4], 0, 5).check_work(100).unwrap();
}

/// A 4-22-3000 net has 2^22 states of h1, within the table limit, but its
/// top RBM's marginal alone is about 2.8e11 multiply-adds (minutes to
/// hours): `check_size` refuses it at once, naming `layers`; with 30 top
/// units it is within the limit.
#[test]
fn the_top_rbm_table_counts_towards_the_work_limit() {
    let zeros = |n_visible: usize, n_hidden: usize| {
        Rbm::new(
            Array1::zeros(n_visible),
            Array1::zeros(n_hidden),
            Array2::zeros((n_hidden, n_visible)),
        )
        .unwrap()
    };
    let wide = ExactDbn::new(vec![zeros(4, 22), zeros(22, 3000)], None).unwrap();
    let message = wide.check_size().unwrap_err().to_string();
    assert!(
        message.contains("layers") && message.contains("multiply-adds"),
        "{message}"
    );
    let narrow = ExactDbn::new(vec![zeros(4, 22), zeros(22, 30)], None).unwrap();
    narrow.check_size().unwrap();
}
