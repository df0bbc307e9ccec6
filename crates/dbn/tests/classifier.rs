//! Backpropagation against finite differences, and training of the
//! fine-tuned net and of softmax regression.

use dbn::{Classifier, Dense, FineTuneConfig, accuracy, fine_tune};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn tiny_problem(seed: u64) -> (Classifier, Array2<f32>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut net = Classifier::random(&[5, 4, 3], 3, &mut rng);
    // Non-zero output weights and biases everywhere, so every path matters.
    for layer in &mut net.layers {
        layer
            .weights
            .mapv_inplace(|w| w + rng.random_range(-0.5..0.5));
        layer.bias.mapv_inplace(|_| rng.random_range(-0.5..0.5));
    }
    let x = Array2::from_shape_fn((6, 5), |_| rng.random::<f32>());
    let labels = (0..6).map(|n| n % 3).collect();
    (net, x, labels)
}

/// The largest difference between `gradient` and central finite
/// differences of the loss, relative to max(|gradient|, 0.01).
fn worst_mismatch(net: &Classifier, x: &Array2<f32>, labels: &[usize], gradient: &[Dense]) -> f32 {
    let eps = 1e-2f32;
    let mut worst = 0.0f32;
    for (k, g) in gradient.iter().enumerate() {
        let entries = g.weights.len() + g.bias.len();
        for e in 0..entries {
            let nudged = |delta: f32| {
                let mut net = net.clone();
                let layer = &mut net.layers[k];
                if e < g.weights.len() {
                    let n_in = layer.weights.ncols();
                    layer.weights[[e / n_in, e % n_in]] += delta;
                } else {
                    layer.bias[e - g.weights.len()] += delta;
                }
                net.loss(x.view(), labels) as f64
            };
            let numeric = ((nudged(eps) - nudged(-eps)) / (2.0 * eps as f64)) as f32;
            let analytic = if e < g.weights.len() {
                g.weights.as_slice().unwrap()[e]
            } else {
                g.bias[e - g.weights.len()]
            };
            worst = worst.max((numeric - analytic).abs() / analytic.abs().max(0.01));
        }
    }
    worst
}

#[test]
fn backprop_matches_finite_differences() {
    for seed in 0..3 {
        let (net, x, labels) = tiny_problem(seed);
        let gradient = net.gradient(x.view(), &labels);
        let worst = worst_mismatch(&net, &x, &labels, &gradient);
        assert!(worst < 2e-2, "seed {seed}: relative mismatch {worst}");
    }
}

#[test]
fn a_wrong_gradient_fails_the_finite_difference_check() {
    // The broken variant: the middle layer's weight gradient 10% too large,
    // as if a factor were wrong. The same check must reject it.
    let (net, x, labels) = tiny_problem(0);
    let mut gradient = net.gradient(x.view(), &labels);
    gradient[1].weights *= 1.1;
    assert!(worst_mismatch(&net, &x, &labels, &gradient) > 5e-2);
}

#[test]
fn huge_logits_give_finite_losses() {
    let mut net = Classifier::softmax_regression(2, 3);
    net.layers[0].weights.fill(1e4);
    net.layers[0].weights[[1, 0]] = -1e4;
    let x = ndarray::array![[1.0f32, 0.0], [0.0, 1.0]];
    assert!(net.loss(x.view(), &[1, 2]).is_finite());
    assert!(
        net.gradient(x.view(), &[1, 2])
            .iter()
            .all(|g| g.weights.iter().all(|w| w.is_finite()))
    );
}

#[test]
fn softmax_regression_and_fine_tuning_learn_a_separable_problem() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let labels: Vec<usize> = (0..300).map(|n| n % 3).collect();
    let x = Array2::from_shape_fn((300, 6), |(n, j)| {
        let centre = if j / 2 == labels[n] { 0.8 } else { 0.2 };
        centre + rng.random_range(-0.15..0.15)
    });
    let config = FineTuneConfig {
        learning_rate: 0.5,
        momentum: 0.9,
        weight_decay: 0.0,
        batch_size: 20,
        epochs: 20,
        seed: 1,
    };
    for mut net in [
        Classifier::softmax_regression(6, 3),
        Classifier::random(&[6, 5], 3, &mut rng),
    ] {
        let before = net.loss(x.view(), &labels);
        let mut epochs = 0;
        fine_tune(&mut net, x.view(), &labels, &config, &mut |e, _| epochs = e).unwrap();
        assert_eq!(epochs, 20);
        assert!(net.loss(x.view(), &labels) < 0.5 * before);
        assert!(accuracy(&net.predict(x.view()), &labels) > 0.97);
    }
    let mut net = Classifier::softmax_regression(6, 3);
    let err = fine_tune(&mut net, x.view(), &labels[1..], &config, &mut |_, _| ()).unwrap_err();
    assert!(err.to_string().contains("labels"), "{err}");
}
