//! A DBN whose first layer is Gaussian-Bernoulli (real-valued v): its
//! conditionals against the direct formulas in f64, its exact log density
//! against the Gaussian-Bernoulli RBM's closed form and against quadrature,
//! the bound below it, the model file, unrolling, and training on the 8x8
//! digits standardised.

use std::ops::ControlFlow;

use dbn::exact::{log_gaussian_generative, log_gaussian_recognition};
use dbn::{
    Classifier, Dbn, ExactDbn, GreedyConfig, GreedyResume, LayerConfig, LayerKind, LayerTrainer,
    UpPass, VisibleUnits, train_greedy, train_greedy_from,
};
use ndarray::{Array1, Array2, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rbm::{Estimator, GaussianRbm, Rbm, Standardizer, TrainConfig};

fn random_rbm(n_visible: usize, n_hidden: usize, scale: f32, rng: &mut ChaCha8Rng) -> Rbm {
    let mut r = || scale * (2.0 * rng.random::<f32>() - 1.0);
    Rbm {
        visible_bias: Array1::from_shape_simple_fn(n_visible, &mut r),
        hidden_bias: Array1::from_shape_simple_fn(n_hidden, &mut r),
        weights: Array2::from_shape_simple_fn((n_hidden, n_visible), &mut r),
    }
}

/// A 3-2-3 net with Gaussian v and variances e^z, z in [-0.5, 0.5].
fn tiny_gaussian_net(seed: u64) -> Dbn {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = vec![
        random_rbm(3, 2, 1.0, &mut rng),
        random_rbm(2, 3, 1.5, &mut rng),
    ];
    let z = Array1::from_shape_simple_fn(3, || rng.random::<f32>() - 0.5);
    Dbn::new(layers, None)
        .unwrap()
        .with_gaussian_visible(z)
        .unwrap()
}

fn log_variance(net: &Dbn) -> Array1<f64> {
    match net.visible_units() {
        VisibleUnits::Gaussian { log_variance } => log_variance.mapv(f64::from),
        VisibleUnits::Binary => panic!("a Gaussian net"),
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn recognition_is_sigmoid_of_c_plus_w_v_over_sigma_squared() {
    let net = tiny_gaussian_net(1);
    let v = array![[0.3f32, -1.2, 2.0], [-0.7, 0.0, 0.4]];
    let q = net.up_probabilities(v.view(), 1);
    let layer = &net.layers()[0];
    let z = log_variance(&net);
    for (r, row) in v.rows().into_iter().enumerate() {
        for i in 0..2 {
            let mut a = layer.hidden_bias[i] as f64;
            for j in 0..3 {
                a += layer.weights[[i, j]] as f64 * row[j] as f64 / z[j].exp();
            }
            assert!(
                (q[[r, i]] as f64 - sigmoid(a)).abs() < 1e-6,
                "row {r}, unit {i}"
            );
        }
    }
    // The same q as the f64 oracle's log q(h1 | v), for every state of h1.
    let exact = net.to_exact().unwrap();
    let v0 = v.row(0).mapv(f64::from);
    for s in 0..4u64 {
        let h = bm_exact::state_vector(s, 2);
        let direct: f64 = (0..2)
            .map(|i| {
                let p = q[[0, i]] as f64;
                if h[i] == 1.0 { p.ln() } else { (1.0 - p).ln() }
            })
            .sum();
        let oracle = log_gaussian_recognition(&exact.layers()[0], z.view(), h.view(), v0.view());
        assert!((direct - oracle).abs() < 1e-5, "state {s}");
    }
}

#[test]
fn generation_ends_in_the_gaussian_mean_and_its_density_is_the_normal_one() {
    let net = tiny_gaussian_net(2);
    let h1 = array![[1.0f32, 0.0], [1.0, 1.0]];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mean = net.down_pass(h1.view(), &mut rng);
    let layer = &net.layers()[0];
    for r in 0..2 {
        for j in 0..3 {
            let direct: f32 = layer.visible_bias[j]
                + (0..2)
                    .map(|i| h1[[r, i]] * layer.weights[[i, j]])
                    .sum::<f32>();
            assert!((mean[[r, j]] - direct).abs() < 1e-6);
        }
    }
    // log p(v | h1) against the normal density written out.
    let exact = net.to_exact().unwrap();
    let z = log_variance(&net);
    let v = array![0.5, -1.0, 2.5];
    let h = array![1.0, 1.0];
    let mut direct = 0.0;
    for j in 0..3 {
        let sd = (0.5 * z[j]).exp();
        let m = mean[[1, j]] as f64;
        direct += (-(v[j] - m) * (v[j] - m) / (2.0 * sd * sd)).exp().ln()
            - (sd * (2.0 * std::f64::consts::PI).sqrt()).ln();
    }
    let oracle = log_gaussian_generative(&exact.layers()[0], z.view(), v.view(), h.view());
    assert!((direct - oracle).abs() < 1e-6, "{direct} vs {oracle}");
}

/// With one unit in h1, any distribution of h1 is a Bernoulli one, so a top
/// RBM without weights and visible bias logit p(h1 = 1) reproduces the
/// Gaussian-Bernoulli RBM's exact hidden marginal; the DBN is then that RBM,
/// and its exact log p(v) and its bound (q is the true posterior) equal the
/// RBM's closed-form log-likelihood, eq. (9.5), from the `rbm` crate.
#[test]
fn with_the_rbms_own_hidden_marginal_on_top_the_net_is_the_gaussian_rbm() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let bottom = random_rbm(4, 1, 1.0, &mut rng);
    let z = array![0.3f32, -0.2, 0.0, 0.5];
    let gaussian = GaussianRbm {
        visible_bias: bottom.visible_bias.clone(),
        hidden_bias: bottom.hidden_bias.clone(),
        weights: bottom.weights.clone(),
        log_variance: z.clone(),
    };
    let p_h = gaussian.hidden_distribution_exact().unwrap();
    let mut top = Rbm::zeros(1, 2);
    top.visible_bias[0] = (p_h[1] / p_h[0]).ln() as f32;
    let net = Dbn::new(vec![bottom, top], None)
        .unwrap()
        .with_gaussian_visible(z)
        .unwrap();
    let data = Array2::from_shape_fn((5, 4), |(n, j)| (n as f32 - 2.0) * 0.7 + j as f32 * 0.3);
    let expected = gaussian.exact_mean_log_likelihood(data.view()).unwrap();
    let exact = net.to_exact().unwrap();
    let log_p_h1 = exact.log_marginal_h1().unwrap();
    let z = log_variance(&net);
    let (mut log_p, mut bound) = (0.0, 0.0);
    for v in data.rows() {
        let v = v.mapv(f64::from);
        log_p += exact.gaussian_log_probability(z.view(), v.view(), log_p_h1.view()) / 5.0;
        bound += exact.gaussian_lower_bound(z.view(), v.view(), log_p_h1.view()) / 5.0;
    }
    // The top RBM's bias is rounded to f32, which moves p(h1) by ~1e-8.
    assert!((log_p - expected).abs() < 1e-6, "{log_p} vs {expected}");
    assert!((bound - expected).abs() < 1e-6, "{bound} vs {expected}");
}

/// An independent brute force: sum over (h1, h2) of e^{-E_top} / Z times
/// the normal density, written out without the crate's tables (index loops
/// that read like the sums they compute).
#[allow(clippy::needless_range_loop)]
fn brute_force_log_p(net: &Dbn, v: &[f64]) -> f64 {
    let (bottom, top) = (&net.layers()[0], &net.layers()[1]);
    let z = log_variance(net);
    let (n1, n2) = (top.n_visible(), top.n_hidden());
    let mut weight_sum = 0.0;
    let mut density_sum = 0.0;
    for s1 in 0..1u64 << n1 {
        let h1: Vec<f64> = (0..n1).map(|i| ((s1 >> i) & 1) as f64).collect();
        for s2 in 0..1u64 << n2 {
            let h2: Vec<f64> = (0..n2).map(|i| ((s2 >> i) & 1) as f64).collect();
            let mut minus_e = 0.0;
            for i in 0..n1 {
                minus_e += top.visible_bias[i] as f64 * h1[i];
            }
            for k in 0..n2 {
                minus_e += top.hidden_bias[k] as f64 * h2[k];
                for i in 0..n1 {
                    minus_e += h2[k] * top.weights[[k, i]] as f64 * h1[i];
                }
            }
            let mut density = 1.0;
            for (j, &x) in v.iter().enumerate() {
                let mut m = bottom.visible_bias[j] as f64;
                for i in 0..n1 {
                    m += h1[i] * bottom.weights[[i, j]] as f64;
                }
                let variance = z[j].exp();
                density *= (-(x - m) * (x - m) / (2.0 * variance)).exp()
                    / (2.0 * std::f64::consts::PI * variance).sqrt();
            }
            weight_sum += minus_e.exp();
            density_sum += minus_e.exp() * density;
        }
    }
    (density_sum / weight_sum).ln()
}

#[test]
fn exact_log_density_matches_brute_force_and_bounds_it_from_below() {
    for seed in 0..5 {
        let net = tiny_gaussian_net(10 + seed);
        let exact = net.to_exact().unwrap();
        let log_p_h1 = exact.log_marginal_h1().unwrap();
        let z = log_variance(&net);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..4 {
            let v: Vec<f64> = (0..3).map(|_| 4.0 * rng.random::<f64>() - 2.0).collect();
            let va = Array1::from(v.clone());
            let log_p = exact.gaussian_log_probability(z.view(), va.view(), log_p_h1.view());
            let bound = exact.gaussian_lower_bound(z.view(), va.view(), log_p_h1.view());
            let brute = brute_force_log_p(&net, &v);
            assert!(
                (log_p - brute).abs() < 1e-9,
                "seed {seed}: {log_p} vs {brute}"
            );
            assert!(
                bound <= log_p + 1e-12,
                "seed {seed}: bound {bound} > {log_p}"
            );
        }
    }
}

/// p(v) is a density: in one dimension its integral over v is 1 (the
/// trapezoidal rule on [-30, 30] with 60,001 points).
#[test]
fn the_density_integrates_to_one_by_quadrature() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let layers = vec![
        random_rbm(1, 3, 2.0, &mut rng),
        random_rbm(3, 2, 1.0, &mut rng),
    ];
    let net = Dbn::new(layers, None)
        .unwrap()
        .with_gaussian_visible(array![0.4f32])
        .unwrap();
    let exact = net.to_exact().unwrap();
    let log_p_h1 = exact.log_marginal_h1().unwrap();
    let z = log_variance(&net);
    let (a, b, n) = (-30.0, 30.0, 60_000);
    let step = (b - a) / n as f64;
    let integral: f64 = (0..=n)
        .map(|k| {
            let v = array![a + k as f64 * step];
            let p = exact
                .gaussian_log_probability(z.view(), v.view(), log_p_h1.view())
                .exp();
            if k == 0 || k == n { 0.5 * p } else { p }
        })
        .sum::<f64>()
        * step;
    assert!((integral - 1.0).abs() < 1e-9, "{integral}");
}

#[test]
fn a_gaussian_net_round_trips_through_its_file_and_old_files_load_unchanged() {
    let net = tiny_gaussian_net(4);
    let text = net.to_toml_string();
    assert!(text.contains("kind = \"gaussian\""), "{text}");
    assert!(text.contains("log_variance"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.toml");
    net.save(&path, false).unwrap();
    assert_eq!(Dbn::load(&path).unwrap(), net);
    // A binary net's file has no kind and reads back as binary.
    let binary = Dbn::new(net.layers().to_vec(), None).unwrap();
    assert!(!binary.to_toml_string().contains("kind"));
    // A gaussian layer without log_variance has unit variances.
    let unit = text
        .lines()
        .filter(|l| !l.starts_with("log_variance"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, unit).unwrap();
    let loaded = Dbn::load(&path).unwrap();
    assert_eq!(
        loaded.visible_units(),
        &VisibleUnits::Gaussian {
            log_variance: Array1::zeros(3)
        }
    );
}

fn replace_line(text: &str, start: &str, new: &str) -> String {
    text.lines()
        .map(|l| if l.starts_with(start) { new } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

fn refusal(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    Dbn::load(&path).unwrap_err().to_string()
}

#[test]
fn bad_gaussian_fields_are_refused_by_name() {
    let text = tiny_gaussian_net(5).to_toml_string();
    let cases = [
        (
            text.replacen("kind = \"gaussian\"", "kind = \"gauss\"", 1),
            "layer 1: field `kind`",
        ),
        (
            text.replacen("log_variance = [", "log_variance = [0.0, ", 1),
            "layer 1: field `log_variance`: has 4 entries",
        ),
        (
            text.replacen("kind = \"gaussian\"\n", "", 1),
            "layer 1: field `log_variance`: only a layer with kind = \"gaussian\"",
        ),
        (
            replace_line(&text, "log_variance", "log_variance = [nan, 0.0, 0.0]"),
            "layer 1: field `log_variance`: entry 0 is NaN",
        ),
    ];
    for (bad, expected) in cases {
        let message = refusal(&bad);
        assert!(message.contains(expected), "{message}\nexpected {expected}");
        assert!(message.contains("bad.toml"), "{message}");
    }
    // Gaussian in layer 2: move the kind line down one table.
    let binary_text = text
        .lines()
        .filter(|l| !l.starts_with("log_variance") && !l.starts_with("kind"))
        .collect::<Vec<_>>()
        .join("\n");
    let parts: Vec<&str> = binary_text.splitn(3, "[[layers]]").collect();
    let layer_two = format!(
        "{}[[layers]]{}[[layers]]\nkind = \"gaussian\"{}",
        parts[0], parts[1], parts[2]
    );
    let message = refusal(&layer_two);
    assert!(
        message.contains("layer 2: field `kind`: \"gaussian\" is allowed in layer 1 only"),
        "{message}"
    );
    // The enumeration oracle reads binary nets only, and says so.
    let message = ExactDbn::from_toml_str(&text).unwrap_err().to_string();
    assert!(message.contains("layer 1: field `kind`"), "{message}");
}

#[test]
fn the_unrolled_classifier_computes_the_gaussian_recognition_probabilities() {
    let net = tiny_gaussian_net(6);
    let classifier = Classifier::from_dbn(&net, 2);
    let v = array![[0.3f32, -1.2, 2.0], [-0.7, 0.0, 0.4]];
    let activities = classifier.forward(v.view());
    let expected = net.up_probabilities(v.view(), 2);
    assert!((&activities[2] - &expected).iter().all(|d| d.abs() < 1e-6));
    assert_eq!(classifier.layers[0].weights.dim(), (2, 3));
}

fn layer(n_hidden: usize, epochs: usize, seed: u64, kind: LayerKind) -> LayerConfig {
    LayerConfig {
        n_hidden,
        train: TrainConfig {
            learning_rate: if kind == LayerKind::Gaussian {
                0.01
            } else {
                0.05
            },
            batch_size: 20,
            epochs,
            estimator: Estimator::Cd { k: 1 },
            seed,
            ..TrainConfig::default()
        },
        kind,
        learn_variance: false,
    }
}

fn standardised_digits() -> (Array2<f32>, Vec<usize>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/digits-8x8/digits.csv.gz"
    );
    let digits = datasets::read_digits_8x8(path).unwrap();
    let images = digits.images.slice(s![..600, ..]).to_owned();
    let standardizer = Standardizer::fit(images.view()).unwrap();
    (
        standardizer.transform(images.view()).unwrap(),
        digits.labels[..600].to_vec(),
    )
}

/// Reconstruction error of v through h1 and back to the Gaussian mean.
fn reconstruction_error(net: &Dbn, data: &Array2<f32>) -> f32 {
    let h1 = net.up_probabilities(data.view(), 1);
    let gaussian = net.gaussian_first_layer().unwrap();
    let back = gaussian.visible_means(h1.view());
    (data - &back).mapv(|d| d * d).sum() / data.nrows() as f32
}

#[test]
fn greedy_training_on_standardised_digits_improves_reconstruction_and_classifies() {
    let (data, labels) = standardised_digits();
    let config = GreedyConfig {
        seed: 1,
        up_pass: UpPass::Probabilities,
        layers: vec![
            layer(32, 15, 2, LayerKind::Gaussian),
            layer(32, 15, 3, LayerKind::Bernoulli),
        ],
    };
    let untrained = {
        let mut c = config.clone();
        // Zero epochs are refused (they would pass the random start off as
        // trained): one epoch at a negligible rate leaves the start as it was.
        c.layers.iter_mut().for_each(|l| {
            l.train.epochs = 1;
            l.train.learning_rate = 1e-12;
        });
        train_greedy(data.view(), Some((&labels, 10)), &c, &mut |_| ()).unwrap()
    };
    let net = train_greedy(data.view(), Some((&labels, 10)), &config, &mut |_| ()).unwrap();
    assert!(matches!(net.visible_units(), VisibleUnits::Gaussian { .. }));
    let before = reconstruction_error(&untrained, &data);
    let after = reconstruction_error(&net, &data);
    // Standardised data: the untrained net reconstructs every v as about its
    // mean, an error of about 64 (one per pixel of unit variance).
    assert!(after < 0.6 * before, "reconstruction {before} -> {after}");
    let predicted = net.classify(data.view()).unwrap();
    let accuracy = dbn::accuracy(&predicted, &labels);
    assert!(accuracy > 0.5, "training accuracy {accuracy}");
}

#[test]
fn an_interrupted_gaussian_run_resumes_to_the_same_bits() {
    let (data, _) = standardised_digits();
    let data = data.slice(s![..200, ..]).to_owned();
    let mut config = GreedyConfig {
        seed: 4,
        up_pass: UpPass::Samples,
        layers: vec![
            layer(8, 3, 5, LayerKind::Gaussian),
            layer(6, 2, 6, LayerKind::Bernoulli),
        ],
    };
    config.layers[0].learn_variance = true;
    config.layers[0].train.estimator = Estimator::Pcd { k: 1, n_chains: 10 };
    let whole = train_greedy(data.view(), None, &config, &mut |_| ()).unwrap();
    for stop_after in 1..5 {
        let mut seen = 0;
        let mut saved: Option<(usize, GreedyResume)> = None;
        let mut hook = |done: dbn::EpochDone| {
            seen += 1;
            if seen < stop_after {
                return ControlFlow::Continue(());
            }
            let current = match done.trainer {
                LayerTrainer::Gaussian(t) => LayerTrainer::Gaussian(
                    rbm::GaussianTrainer::resume(
                        t.rbm().clone(),
                        t.config().clone(),
                        t.velocity().clone(),
                        t.chains().cloned(),
                        t.order().to_vec(),
                        t.epochs_done(),
                    )
                    .unwrap(),
                ),
                LayerTrainer::Bernoulli(t) => LayerTrainer::Bernoulli(t.clone()),
            };
            saved = Some((
                done.layer,
                GreedyResume {
                    finished: done.finished.to_vec(),
                    log_variance: done.log_variance.cloned(),
                    current: Some(current),
                },
            ));
            ControlFlow::Break(())
        };
        let stopped = train_greedy_from(
            data.view(),
            None,
            &config,
            GreedyResume::default(),
            &mut hook,
        )
        .unwrap();
        assert!(stopped.is_none());
        let (_, resume) = saved.unwrap();
        let resumed = train_greedy_from(data.view(), None, &config, resume, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap()
        .unwrap();
        assert_eq!(resumed, whole, "stopped after epoch {stop_after}");
    }
}

#[test]
fn a_gaussian_layer_above_layer_one_or_alone_is_refused() {
    let data = Array2::<f32>::zeros((4, 3));
    let mut config = GreedyConfig {
        seed: 1,
        up_pass: UpPass::Probabilities,
        layers: vec![
            layer(2, 1, 1, LayerKind::Bernoulli),
            layer(2, 1, 2, LayerKind::Gaussian),
        ],
    };
    let message = train_greedy(data.view(), None, &config, &mut |_| ())
        .unwrap_err()
        .to_string();
    assert!(message.contains("layer 2: field `kind`"), "{message}");
    config.layers = vec![layer(2, 1, 1, LayerKind::Gaussian)];
    let message = config.check().unwrap_err().to_string();
    assert!(message.contains("layer 1: field `kind`"), "{message}");
    config.layers = vec![
        layer(2, 1, 1, LayerKind::Bernoulli),
        layer(2, 1, 2, LayerKind::Bernoulli),
    ];
    config.layers[1].learn_variance = true;
    let message = config.check().unwrap_err().to_string();
    assert!(
        message.contains("layer 2: field `learn_variance`"),
        "{message}"
    );
    let single = Dbn::new(vec![Rbm::zeros(3, 2)], None).unwrap();
    let message = single
        .with_gaussian_visible(Array1::zeros(3))
        .unwrap_err()
        .to_string();
    assert!(message.contains("layers[1].kind"), "{message}");
}

/// A net trained on standardised data, carried to raw units: the same
/// recognition probabilities at every layer and the same classifier output,
/// given raw x instead of standardised x'.
#[test]
fn a_net_of_standardised_data_carries_over_to_raw_units() {
    let net = tiny_gaussian_net(8);
    let net = net
        .clone()
        .with_classifier(Classifier::from_dbn(&net, 2))
        .unwrap();
    let mut tuned = net.classifier().unwrap().clone();
    tuned.layers[2].weights.fill(0.3);
    tuned.layers[2].weights[[1, 0]] = -0.7;
    let net = net.with_classifier(tuned).unwrap();
    let raw = Array2::from_shape_fn((5, 3), |(n, j)| {
        5.0 * j as f32 + (n as f32) * (2.0 - j as f32 * 0.5)
    });
    let standardizer = Standardizer::fit(raw.view()).unwrap();
    let standardised = standardizer.transform(raw.view()).unwrap();
    let on_raw = net.clone().for_raw_data(&standardizer).unwrap();
    for k in 1..=2 {
        let a = on_raw.up_probabilities(raw.view(), k);
        let b = net.up_probabilities(standardised.view(), k);
        assert!((&a - &b).iter().all(|d| d.abs() < 1e-5), "layer {k}");
    }
    let a = on_raw.classifier().unwrap().log_probabilities(raw.view());
    let b = net
        .classifier()
        .unwrap()
        .log_probabilities(standardised.view());
    assert!((&a - &b).iter().all(|d| d.abs() < 1e-5));
    let binary = Dbn::new(net.layers().to_vec(), None).unwrap();
    assert!(binary.for_raw_data(&standardizer).is_err());
}
