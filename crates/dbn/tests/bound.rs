//! The bound at MNIST size (eq. 10.11-10.12), checked on nets small enough
//! to enumerate: log Z of the top RBM with label units by AIS against the
//! exact log Z, and the sampled bound against the enumerated one. Each
//! statistical check is shown to fail on a deliberately broken variant.

use bm_exact::Rbm;
use dbn::bound::mean_and_sampling_error;
use dbn::{
    Dbn, ExactDbn, ExactLabels, TopLogPartition, bound_terms, estimate_lower_bound,
    top_log_partition, top_log_partition_per_label,
};
use ndarray::{Array1, Array2, Axis, concatenate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rbm::AisSchedule;

/// A random net with layer sizes `sizes` (v first) and `n_labels` label units.
fn random_net(sizes: &[usize], n_labels: usize, scale: f64, seed: u64) -> ExactDbn {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, scale).unwrap();
    let mut draw =
        |shape: (usize, usize)| Array2::from_shape_simple_fn(shape, || normal.sample(&mut rng));
    let layers = sizes
        .windows(2)
        .map(|w| {
            let b = draw((1, w[0])).row(0).to_owned();
            let c = draw((1, w[1])).row(0).to_owned();
            Rbm::new(b, c, draw((w[1], w[0]))).unwrap()
        })
        .collect();
    let labels = (n_labels > 0).then(|| ExactLabels {
        bias: draw((1, n_labels)).row(0).to_owned(),
        weights: draw((sizes[sizes.len() - 1], n_labels)),
    });
    ExactDbn::new(layers, labels).unwrap()
}

fn random_binary_data(n: usize, n_visible: usize, seed: u64) -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_fn((n, n_visible), |_| rng.random_range(0..2) as f32)
}

fn exact_log_partition(net: &ExactDbn) -> f64 {
    net.top_log_marginal().unwrap().1
}

fn exact_mean_bound(net: &ExactDbn, data: &Array2<f32>) -> f64 {
    let total: f64 = data
        .rows()
        .into_iter()
        .map(|v| net.recognition_bound(v.mapv(f64::from).view()).unwrap())
        .sum();
    total / data.nrows() as f64
}

#[test]
fn for_two_layers_the_enumerated_recognition_bound_is_eq_10_6() {
    let net = random_net(&[6, 5, 4], 3, 1.0, 1);
    let log_p_h1 = net.log_marginal_h1().unwrap();
    for v in random_binary_data(8, 6, 2).rows() {
        let v = v.mapv(f64::from);
        let recognition = net.recognition_bound(v.view()).unwrap();
        let bound = net.lower_bound(v.view(), log_p_h1.view());
        assert!(
            (recognition - bound).abs() < 1e-10,
            "{recognition} vs {bound}"
        );
    }
}

#[test]
fn for_three_layers_it_lies_below_eq_10_6() {
    let net = random_net(&[5, 4, 4, 3], 2, 1.0, 3);
    let log_p_h1 = net.log_marginal_h1().unwrap();
    for v in random_binary_data(8, 5, 4).rows() {
        let v = v.mapv(f64::from);
        let recognition = net.recognition_bound(v.view()).unwrap();
        let bound = net.lower_bound(v.view(), log_p_h1.view());
        assert!(recognition <= bound + 1e-10, "{recognition} > {bound}");
    }
}

fn schedule() -> AisSchedule {
    AisSchedule::linear(1000).unwrap()
}

#[test]
fn ais_log_partition_with_labels_brackets_the_exact_one() {
    for (n_labels, seed) in [(0, 5), (3, 6), (4, 7)] {
        let exact = random_net(&[8, 6, 5], n_labels, 1.0, seed);
        let net = Dbn::from_exact(&exact).unwrap();
        let data = random_binary_data(50, 8, seed + 100);
        let truth = exact_log_partition(&exact);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // One run over (h_{K-1}, label), eq. (10.13), as 4 repeats of 25 chains;
        // and one run per clamped label, eq. (10.12), of 100 chains each.
        let one_run = top_log_partition(&net, data.view(), &schedule(), 25, 4, &mut rng).unwrap();
        let per_label =
            top_log_partition_per_label(&net, data.view(), &schedule(), 100, &mut rng).unwrap();
        for (z, n_runs) in [(&one_run, 1), (&per_label, n_labels.max(1))] {
            assert!(z.reliable, "{z:?}");
            assert!(
                z.log_partition_low <= truth && truth <= z.log_partition_high,
                "labels {n_labels}: exact {truth} outside [{}, {}]",
                z.log_partition_low,
                z.log_partition_high
            );
            assert!((z.log_partition - truth).abs() < 0.05, "{z:?} vs {truth}");
            assert_eq!(z.n_runs, n_runs);
        }
        assert_eq!(one_run.repeats.len(), 4);
        assert!(one_run.repeat_spread.unwrap() < 0.1, "{one_run:?}");
    }
}

/// Too few inverse temperatures on a top RBM with strong weights: the
/// repeats disagree or the effective sample size collapses, and the
/// estimate must not be called reliable.
#[test]
fn a_short_schedule_on_a_hard_model_is_called_unreliable() {
    let exact = random_net(&[8, 10, 12], 4, 3.0, 8);
    let net = Dbn::from_exact(&exact).unwrap();
    let data = random_binary_data(50, 8, 108);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let short = AisSchedule::linear(3).unwrap();
    let z = top_log_partition(&net, data.view(), &short, 25, 4, &mut rng).unwrap();
    assert!(!z.reliable, "{z:?}");
}

/// The broken variant: label units treated as free binary units of the top
/// RBM's visible layer (every 0/1 pattern, not one-hot), one AIS run. Its
/// error bar must miss the exact log Z, or the check above could not fail.
#[test]
fn broken_ais_over_free_label_units_misses_the_exact_log_z() {
    let exact = random_net(&[8, 6, 5], 3, 1.0, 6);
    let net = Dbn::from_exact(&exact).unwrap();
    let labels = net.labels().unwrap();
    let top = net.top();
    let joint = rbm::Rbm {
        visible_bias: concatenate![Axis(0), top.visible_bias, labels.bias],
        hidden_bias: top.hidden_bias.clone(),
        weights: concatenate![Axis(1), top.weights, labels.weights],
    };
    let base = Array1::zeros(joint.n_visible());
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let wrong = rbm::ais(&joint, base.view(), &schedule(), 100, &mut rng).unwrap();
    let truth = exact_log_partition(&exact);
    assert!(
        truth < wrong.log_partition_low || truth > wrong.log_partition_high,
        "the broken variant's bar [{}, {}] holds {truth}",
        wrong.log_partition_low,
        wrong.log_partition_high
    );
}

/// |estimate - exact| in standard errors of the recognition sampling.
fn z_score(estimate: f64, exact: f64, standard_error: f64) -> f64 {
    (estimate - exact).abs() / standard_error
}

#[test]
fn sampled_bound_matches_the_enumerated_bound() {
    for (sizes, n_labels, seed) in [
        (&[6, 5, 4][..], 3, 11),
        (&[5, 4, 4, 3][..], 2, 12),
        (&[6, 4, 5][..], 0, 13),
    ] {
        let exact = random_net(sizes, n_labels, 1.0, seed);
        let net = Dbn::from_exact(&exact).unwrap();
        let data = random_binary_data(40, sizes[0], seed);
        let log_z = TopLogPartition::exact(exact_log_partition(&exact));
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let estimate = estimate_lower_bound(&net, data.view(), &log_z, 50, &mut rng).unwrap();
        let truth = exact_mean_bound(&exact, &data);
        let z = z_score(
            estimate.mean_lower_bound,
            truth,
            estimate.sampling_standard_error,
        );
        assert!(z < 3.0, "sizes {sizes:?}: {estimate:?} vs {truth}, z = {z}");
        assert!(estimate.low <= truth && truth <= estimate.high);
    }
}

/// The broken variant forgets the entropy term -log q: the same z-test must
/// reject it.
#[test]
fn broken_bound_without_the_entropy_term_is_rejected() {
    let exact = random_net(&[6, 5, 4], 3, 1.0, 11);
    let net = Dbn::from_exact(&exact).unwrap();
    let data = random_binary_data(40, 6, 11);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let terms = bound_terms(&net, data.view(), 50, &mut rng).unwrap();
    let (mean, standard_error) = mean_and_sampling_error(terms.log_joint.view());
    let broken = mean - exact_log_partition(&exact);
    let truth = exact_mean_bound(&exact, &data);
    assert!(
        z_score(broken, truth, standard_error) > 3.0,
        "{broken} vs {truth}"
    );
}

#[test]
fn bound_with_ais_log_z_brackets_the_enumerated_bound() {
    let exact = random_net(&[8, 6, 5], 4, 1.0, 21);
    let net = Dbn::from_exact(&exact).unwrap();
    let data = random_binary_data(40, 8, 21);
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let log_z = top_log_partition(&net, data.view(), &schedule(), 50, 2, &mut rng).unwrap();
    let estimate = estimate_lower_bound(&net, data.view(), &log_z, 50, &mut rng).unwrap();
    let truth = exact_mean_bound(&exact, &data);
    assert!(
        estimate.low <= truth && truth <= estimate.high,
        "{truth} outside [{}, {}]",
        estimate.low,
        estimate.high
    );
    // The exact bound also lies below the exact log p(v) of eq. (10.4).
    let summary = exact.summary(data.mapv(f64::from).view()).unwrap();
    assert!(truth <= summary.mean_log_likelihood + 1e-10);
}

#[test]
fn bad_input_is_refused_naming_the_problem() {
    let exact = random_net(&[4, 3, 2], 0, 1.0, 31);
    let net = Dbn::from_exact(&exact).unwrap();
    let log_z = TopLogPartition::exact(0.0);
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let grey = Array2::from_elem((2, 4), 0.5f32);
    let e = estimate_lower_bound(&net, grey.view(), &log_z, 10, &mut rng).unwrap_err();
    assert!(e.to_string().contains("binary"), "{e}");
    let data = random_binary_data(2, 4, 31);
    let e = estimate_lower_bound(&net, data.view(), &log_z, 1, &mut rng).unwrap_err();
    assert!(e.to_string().contains("n_samples"), "{e}");
    let wide = random_binary_data(2, 5, 31);
    let e = estimate_lower_bound(&net, wide.view(), &log_z, 10, &mut rng).unwrap_err();
    assert!(e.to_string().contains("visible units"), "{e}");
}
