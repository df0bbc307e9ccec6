//! Centering, eq. (5.9)-(5.11), against exact enumeration: the centred
//! energy is the plain energy up to a constant, the centred gradient at zero
//! offsets is the plain gradient, and at any offsets it is the derivative of
//! the exact log-likelihood in the centred parameters (which the plain
//! gradient is not).

mod common;

use common::tiny_rbm;
use ndarray::{Array1, Array2, array};
use rand::SeedableRng;
use rbm::{
    CenteringConfig, Estimator, Gradient, Offsets, Rbm, TrainConfig, Trainer, centred_energy,
};

fn offsets() -> Offsets {
    Offsets {
        visible: array![0.3, 0.8, 0.5, 0.1],
        hidden: array![0.6, 0.2, 0.9],
    }
}

fn data() -> Array2<f64> {
    array![
        [1.0, 0.0, 1.0, 1.0],
        [0.0, 1.0, 0.0, 1.0],
        [1.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 1.0]
    ]
}

#[test]
fn the_centred_energy_is_the_plain_energy_plus_a_constant() {
    let model = tiny_rbm();
    let exact = model.to_exact().unwrap();
    let offsets = offsets();
    let mut differences = Vec::new();
    for v in 0..1u64 << 4 {
        for h in 0..1u64 << 3 {
            let (v, h) = (bm_exact::state_vector(v, 4), bm_exact::state_vector(h, 3));
            let centred = centred_energy(&model, &offsets, v.view(), h.view());
            differences.push(centred - exact.energy(v.view(), h.view()));
        }
    }
    let spread = differences.iter().fold(f64::NEG_INFINITY, |m, &d| m.max(d))
        - differences.iter().fold(f64::INFINITY, |m, &d| m.min(d));
    // The centred biases are rounded to f32 once: differences of 1e-6.
    assert!(spread < 1e-5, "spread {spread}");
    // The constant is mu·b' + lambda·c' - lambda^T W mu.
    let (b, c) = offsets.centred_biases(&model);
    let constant = f64::from(
        offsets.visible.dot(&b) + offsets.hidden.dot(&c)
            - offsets.hidden.dot(&model.weights.dot(&offsets.visible)),
    );
    assert!(
        (differences[0] - constant).abs() < 1e-5,
        "{} {constant}",
        differences[0]
    );
}

#[test]
fn at_zero_offsets_the_centred_gradient_is_the_plain_gradient() {
    let model = tiny_rbm();
    let gradient = Gradient::from_exact(
        &model
            .to_exact()
            .unwrap()
            .log_likelihood_gradient(data().view())
            .unwrap(),
    );
    let zero = Offsets::zeros(&model);
    assert_eq!(zero.centred_gradient(&gradient), gradient);
    assert_eq!(zero.plain_step(&gradient), gradient);
    assert_ne!(offsets().centred_gradient(&gradient), gradient);
}

/// The plain RBM of centred parameters (W, b', c') and offsets, eq. (5.9):
/// b = b' - W^T lambda, c = c' - W mu; in f64.
fn plain_from_centred(
    weights: &Array2<f64>,
    b: &Array1<f64>,
    c: &Array1<f64>,
    offsets: &Offsets,
) -> bm_exact::Rbm {
    let (mu, lambda) = (
        offsets.visible.mapv(f64::from),
        offsets.hidden.mapv(f64::from),
    );
    bm_exact::Rbm::new(
        b - &weights.t().dot(&lambda),
        c - &weights.dot(&mu),
        weights.clone(),
    )
    .unwrap()
}

#[test]
fn the_centred_gradient_is_the_exact_derivative_in_the_centred_parameters() {
    let model = tiny_rbm();
    let offsets = offsets();
    let data = data();
    let weights = model.weights.mapv(f64::from);
    let (b, c) = offsets.centred_biases(&model);
    let (b, c) = (b.mapv(f64::from), c.mapv(f64::from));
    let log_likelihood = |w: &Array2<f64>, b: &Array1<f64>, c: &Array1<f64>| {
        plain_from_centred(w, b, c, &offsets)
            .mean_log_likelihood(data.view())
            .unwrap()
    };
    let plain = Gradient::from_exact(
        &plain_from_centred(&weights, &b, &c, &offsets)
            .log_likelihood_gradient(data.view())
            .unwrap(),
    );
    let centred = offsets.centred_gradient(&plain);
    let step = 1e-5;
    let (mut worst_centred, mut worst_plain) = (0.0f64, 0.0f64);
    for ((i, j), _) in weights.indexed_iter() {
        let (mut up, mut down) = (weights.clone(), weights.clone());
        up[[i, j]] += step;
        down[[i, j]] -= step;
        let numeric = (log_likelihood(&up, &b, &c) - log_likelihood(&down, &b, &c)) / (2.0 * step);
        worst_centred = worst_centred.max((numeric - f64::from(centred.weights[[i, j]])).abs());
        worst_plain = worst_plain.max((numeric - f64::from(plain.weights[[i, j]])).abs());
    }
    for j in 0..b.len() {
        let (mut up, mut down) = (b.clone(), b.clone());
        up[j] += step;
        down[j] -= step;
        let numeric = (log_likelihood(&weights, &up, &c) - log_likelihood(&weights, &down, &c))
            / (2.0 * step);
        worst_centred = worst_centred.max((numeric - f64::from(centred.visible_bias[j])).abs());
    }
    for i in 0..c.len() {
        let (mut up, mut down) = (c.clone(), c.clone());
        up[i] += step;
        down[i] -= step;
        let numeric = (log_likelihood(&weights, &b, &up) - log_likelihood(&weights, &b, &down))
            / (2.0 * step);
        worst_centred = worst_centred.max((numeric - f64::from(centred.hidden_bias[i])).abs());
    }
    eprintln!("largest error: centred gradient {worst_centred:e}, plain gradient {worst_plain:e}");
    assert!(worst_centred < 1e-5, "{worst_centred}");
    // The plain weight gradient is the derivative in the plain parameters,
    // not in the centred ones: the same check rejects it.
    assert!(worst_plain > 1e-2, "{worst_plain}");
}

#[test]
fn the_plain_step_moves_the_plain_parameters_as_the_centred_step_moves_the_centred_ones() {
    let model = tiny_rbm();
    let offsets = offsets();
    let centred = Gradient {
        visible_bias: array![0.1, -0.2, 0.3, 0.05],
        hidden_bias: array![-0.1, 0.2, 0.4],
        weights: Array2::from_shape_fn((3, 4), |(i, j)| 0.1 * (i as f32) - 0.05 * (j as f32)),
    };
    let step = offsets.plain_step(&centred);
    let (b, c) = offsets.centred_biases(&model);
    let moved = Rbm {
        weights: &model.weights + &centred.weights,
        visible_bias: Array1::zeros(4),
        hidden_bias: Array1::zeros(3),
    };
    // b = b' - W^T lambda with the moved W and b' + grad b'.
    let b_after = &(&b + &centred.visible_bias) - &moved.weights.t().dot(&offsets.hidden);
    let c_after = &(&c + &centred.hidden_bias) - &moved.weights.dot(&offsets.visible);
    let close =
        |a: &Array1<f32>, b: &Array1<f32>| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
    assert!(close(&b_after, &(&model.visible_bias + &step.visible_bias)));
    assert!(close(&c_after, &(&model.hidden_bias + &step.hidden_bias)));
    assert_eq!(step.weights, centred.weights);
}

#[test]
fn a_centred_trainer_tracks_the_data_means_and_raises_the_likelihood() {
    let data = data().mapv(|x| x as f32);
    let config = TrainConfig {
        learning_rate: 0.1,
        batch_size: 4,
        epochs: 300,
        estimator: Estimator::Cd { k: 1 },
        centering: Some(CenteringConfig { offset_rate: 0.1 }),
        ..TrainConfig::default()
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let model = Rbm::initialise(3, data.view(), &mut rng);
    let before = rbm::exact_mean_log_likelihood(&model, data.view()).unwrap();
    let mut trainer = Trainer::new(model, config).unwrap();
    trainer.train(data.view()).unwrap();
    let after = rbm::exact_mean_log_likelihood(trainer.rbm(), data.view()).unwrap();
    eprintln!("exact log-likelihood {before} -> {after}");
    assert!(after > before + 0.3, "{before} -> {after}");
    // Full batches: mu is the running mean of the data's unit means.
    let offsets = trainer.offsets().unwrap();
    let means = [0.75f32, 0.5, 0.25, 0.75];
    assert!(
        offsets
            .visible
            .iter()
            .zip(means)
            .all(|(m, x)| (m - x).abs() < 1e-3)
    );
}
