//! The f32 net: model files, generation against the exact distribution,
//! classification by free energy, greedy training, the `[classifier]` table.

// The brute force is written with index loops on purpose, to read like the sums.
#![allow(clippy::needless_range_loop)]

use dbn::{Classifier, Dbn, ExactDbn, GreedyConfig, Labels, LayerConfig, UpPass, train_greedy};
use ndarray::{Array1, Array2, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rbm::{Estimator, Rbm, TrainConfig};
use statrs::distribution::{ChiSquared, ContinuousCDF};

fn random_layer(n_visible: usize, n_hidden: usize, rng: &mut ChaCha8Rng) -> Rbm {
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    Rbm {
        visible_bias: Array1::from_shape_simple_fn(n_visible, || normal.sample(rng)),
        hidden_bias: Array1::from_shape_simple_fn(n_hidden, || normal.sample(rng)),
        weights: Array2::from_shape_simple_fn((n_hidden, n_visible), || normal.sample(rng)),
    }
}

fn random_net(sizes: &[usize], n_labels: usize, seed: u64) -> Dbn {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = sizes
        .windows(2)
        .map(|w| random_layer(w[0], w[1], &mut rng))
        .collect();
    let labels = (n_labels > 0).then(|| {
        let n_top = sizes[sizes.len() - 1];
        let mut labels = Labels::zeros(n_top, n_labels);
        labels.weights.mapv_inplace(|_| rng.random_range(-3.0..3.0));
        labels.bias.mapv_inplace(|_| rng.random_range(-1.0..1.0));
        labels
    });
    Dbn::new(layers, labels).unwrap()
}

#[test]
fn model_files_round_trip() {
    let net = random_net(&[5, 4, 3, 6], 3, 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.toml");
    net.save(&path, false).unwrap();
    assert_eq!(Dbn::load(&path).unwrap(), net);
    let again = net.save(&path, false).unwrap_err().to_string();
    assert!(again.contains("already exists"), "{again}");
}

const TWO_LAYERS: &str = r#"
format = "dbn"
version = 1
[[layers]]
visible_bias = [0.0, 0.1, 0.2]
hidden_bias = [0.0, 0.5]
weights = [[0.1, 0.2, 0.3], [0.0, -0.1, 0.4]]
[[layers]]
visible_bias = [0.0, 0.0]
hidden_bias = [0.5]
weights = [[1.0, -1.0]]
"#;

#[test]
fn files_whose_layers_do_not_fit_are_refused_naming_the_layer() {
    assert!(ExactDbn::from_toml_str(TWO_LAYERS).is_ok());
    let bad = TWO_LAYERS.replace(
        "visible_bias = [0.0, 0.0]",
        "visible_bias = [0.0, 0.0, 0.0]",
    );
    let err = ExactDbn::from_toml_str(&bad).unwrap_err().to_string();
    // layer 2 now has 3 visible units, so its 2-column weights are refused first.
    assert!(
        err.starts_with("layer 2:") && err.contains("weights"),
        "{err}"
    );
    let bad = TWO_LAYERS.replace("weights = [[1.0, -1.0]]", "weights = [[1.0, -1.0, 2.0]]");
    let err = ExactDbn::from_toml_str(&bad).unwrap_err().to_string();
    assert!(
        err.starts_with("layer 2:") && err.contains("weights"),
        "{err}"
    );
    let bad = TWO_LAYERS.replace("hidden_bias = [0.5]", "hidden_bias = [0.5]\nbias = [1.0]");
    let err = ExactDbn::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("unknown field `bias`"), "{err}");
    let bad = TWO_LAYERS.replace("hidden_bias = [0.0, 0.5]", "hidden_bias = [0.0, nan]");
    let err = ExactDbn::from_toml_str(&bad).unwrap_err().to_string();
    assert!(
        err.starts_with("layer 1:") && err.contains("hidden_bias"),
        "{err}"
    );
    // A layer without hidden units (layer 1 empty, so layer 2 empty below).
    let empty = "[[layers]]\nvisible_bias = [0.0, 0.0]\nhidden_bias = []\nweights = []\n\n\
                 [[layers]]\nvisible_bias = []\nhidden_bias = [0.0]\nweights = [[]]\n";
    let err = ExactDbn::from_toml_str(&format!("format = \"dbn\"\nversion = 1\n\n{empty}"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("layer 1:") && err.contains("hidden_bias") && err.contains("empty"),
        "{err}"
    );
    let labels = "[labels]\nn_labels = 2\nbias = [0.0, 0.0]\nweights = [[0.3, -0.3], [1.0, 1.0]]\n";
    let err = ExactDbn::from_toml_str(&(TWO_LAYERS.to_string() + labels))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("labels.weights") && err.contains("1 rows"),
        "{err}"
    );
    let bad = TWO_LAYERS.replace("\"dbn\"", "\"rbm\"");
    assert!(
        ExactDbn::from_toml_str(&bad)
            .unwrap_err()
            .to_string()
            .contains("format")
    );
}

/// Chi-square statistic and p-value of observed counts against exact probabilities.
fn chi_square_p_value(counts: &[f64], probabilities: &[f64]) -> f64 {
    let n: f64 = counts.iter().sum();
    let statistic: f64 = counts
        .iter()
        .zip(probabilities)
        .map(|(c, p)| (c - n * p).powi(2) / (n * p))
        .sum();
    let dof = (counts.len() - 1) as f64;
    1.0 - ChiSquared::new(dof).unwrap().cdf(statistic)
}

/// How often each visible state occurs in 20,000 binary samples from the net.
fn generated_counts(net: &Dbn, n_gibbs_steps: usize, label: Option<usize>, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v = net
        .generate(20_000, n_gibbs_steps, label, &mut rng)
        .unwrap();
    let v = rbm::sample_bernoulli(v.view(), &mut rng);
    let mut counts = vec![0.0; 1 << net.n_visible()];
    for row in v.rows() {
        counts[bm_exact::state_index(row.mapv(f64::from).view()) as usize] += 1.0;
    }
    counts
}

/// Draw binary v from the net (`n_gibbs_steps` in the top RBM) and compare
/// the histogram with the exact p(v) by chi-square.
fn generation_p_value(n_gibbs_steps: usize) -> f64 {
    let net = random_net(&[3, 3, 2], 0, 7);
    let exact = net.to_exact().unwrap();
    let log_p_h1 = exact.log_marginal_h1().unwrap();
    let probabilities: Vec<f64> = (0..8)
        .map(|s| {
            exact
                .log_probability(bm_exact::state_vector(s, 3).view(), log_p_h1.view())
                .exp()
        })
        .collect();
    let counts = generated_counts(&net, n_gibbs_steps, None, 11);
    chi_square_p_value(&counts, &probabilities)
}

#[test]
fn generation_matches_the_exact_distribution() {
    let p = generation_p_value(50);
    assert!(p > 1e-3, "p-value {p}");
}

#[test]
fn generation_without_gibbs_steps_is_detected() {
    // The broken variant: no Gibbs steps in the top RBM, only the starting
    // state and one down-pass. The chi-square test must reject it.
    let p = generation_p_value(0);
    assert!(p < 1e-6, "p-value {p}");
}

/// p(v | label) for a net of two layers by the exact formula: the top RBM's
/// x = h1 with the label clamped, p(x | l) proportional to e^{-F(x, l)}.
fn clamped_p_value(label: usize, clamped: Option<usize>) -> f64 {
    let net = random_net(&[3, 2, 3], 3, 21);
    let exact = net.to_exact().unwrap();
    let free = |x: &Array1<f32>| {
        let x2 = x.clone().insert_axis(ndarray::Axis(0));
        net.label_free_energies(x2.view()).unwrap()[[0, label]] as f64
    };
    let log_weights: Vec<f64> = (0..4)
        .map(|s| -free(&bm_exact::state_vector(s, 2).mapv(|x| x as f32)))
        .collect();
    let log_z = bm_exact::numerics::log_sum_exp(log_weights.iter().copied());
    let p_v: Vec<f64> = (0..8)
        .map(|sv| {
            let v = bm_exact::state_vector(sv, 3);
            (0..4)
                .map(|sx| {
                    let x = bm_exact::state_vector(sx, 2);
                    (log_weights[sx as usize] - log_z
                        + dbn::exact::log_generative(&exact.layers()[0], v.view(), x.view()))
                    .exp()
                })
                .sum()
        })
        .collect();
    let counts = generated_counts(&net, 30, clamped, 12);
    chi_square_p_value(&counts, &p_v)
}

#[test]
fn clamped_label_generation_matches_the_exact_conditional() {
    for label in 0..3 {
        let p = clamped_p_value(label, Some(label));
        assert!(p > 1e-3, "label {label}: p-value {p}");
    }
    // Broken variants: the wrong label clamped, or the label left free.
    let p = clamped_p_value(0, Some(1));
    assert!(p < 1e-6, "label 1 instead of label 0: p-value {p}");
    let p = clamped_p_value(0, None);
    assert!(p < 1e-4, "no label instead of label 0: p-value {p}");
}

#[test]
fn label_free_energies_match_a_brute_force_sum_over_h() {
    let net = random_net(&[4, 3, 4], 3, 5);
    let x = array![[1.0f32, 0.0, 1.0], [0.0, 1.0, 1.0]];
    let f = net.label_free_energies(x.view()).unwrap();
    let top = net.top();
    let labels = net.labels().unwrap();
    for r in 0..2 {
        for l in 0..3 {
            let mut sum = 0.0f64;
            for sh in 0..16u64 {
                let h = bm_exact::state_vector(sh, 4);
                let mut minus_e = labels.bias[l] as f64;
                for j in 0..3 {
                    minus_e += top.visible_bias[j] as f64 * x[[r, j]] as f64;
                }
                for i in 0..4 {
                    let mut a = top.hidden_bias[i] as f64 + labels.weights[[i, l]] as f64;
                    for j in 0..3 {
                        a += top.weights[[i, j]] as f64 * x[[r, j]] as f64;
                    }
                    minus_e += h[i] * a;
                }
                sum += minus_e.exp();
            }
            assert!(
                (f[[r, l]] as f64 + sum.ln()).abs() < 1e-5,
                "row {r}, label {l}"
            );
        }
    }
}

fn layer(n_hidden: usize, epochs: usize, seed: u64) -> LayerConfig {
    LayerConfig {
        n_hidden,
        train: TrainConfig {
            learning_rate: 0.1,
            batch_size: 10,
            epochs,
            estimator: Estimator::Cd { k: 1 },
            seed,
            ..TrainConfig::default()
        },
        kind: Default::default(),
        learn_variance: false,
    }
}

#[test]
fn greedy_training_with_labels_learns_to_classify() {
    // Two classes of 8-pixel patterns: left half on or right half on, with noise.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let classes: Vec<usize> = (0..200).map(|n| n % 2).collect();
    let data = Array2::from_shape_fn((200, 8), |(n, j)| {
        let on = (j < 4) == (classes[n] == 0);
        let flip = rng.random::<f32>() < 0.1;
        if on != flip { 1.0 } else { 0.0 }
    });
    let config = GreedyConfig {
        seed: 1,
        up_pass: UpPass::Probabilities,
        layers: vec![layer(6, 20, 2), layer(8, 20, 3)],
    };
    let mut epochs = 0;
    let net = train_greedy(data.view(), Some((&classes, 2)), &config, &mut |_| {
        epochs += 1
    })
    .unwrap();
    assert_eq!(epochs, 40);
    assert_eq!(net.layer_sizes(), vec![8, 6, 8]);
    let predicted = net.classify(data.view()).unwrap();
    let correct = predicted
        .iter()
        .zip(&classes)
        .filter(|(p, c)| p == c)
        .count();
    assert!(correct >= 180, "{correct} of 200 correct");
    // Same seed, same bits.
    let again = train_greedy(data.view(), Some((&classes, 2)), &config, &mut |_| ()).unwrap();
    assert_eq!(again, net);
}

#[test]
fn bad_greedy_settings_name_the_layer() {
    let data = Array2::<f32>::zeros((4, 3));
    let mut config = GreedyConfig {
        seed: 1,
        up_pass: UpPass::Samples,
        layers: vec![layer(2, 1, 1), layer(0, 1, 2)],
    };
    let err = train_greedy(data.view(), None, &config, &mut |_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("layer 2:") && err.contains("n_hidden"),
        "{err}"
    );
    config.layers[1] = layer(2, 1, 2);
    let err = train_greedy(data.view(), Some((&[0, 1, 2], 2)), &config, &mut |_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("labels"), "{err}");
}

#[test]
fn the_example_file_of_the_notation_page_loads() {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../book/src/notation.md"
    ))
    .unwrap();
    let start = page
        .find("```toml\nformat = \"dbn\"")
        .expect("the dbn example")
        + "```toml\n".len();
    let end = start + page[start..].find("```").unwrap();
    let net = ExactDbn::from_toml_str(&page[start..end]).unwrap();
    assert_eq!(net.layers().len(), 2);
    assert_eq!(net.labels().unwrap().bias.len(), 2);
}

#[test]
fn a_resumed_greedy_run_equals_an_uninterrupted_one() {
    use dbn::{GreedyResume, train_greedy_from};
    use std::ops::ControlFlow;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let data = Array2::from_shape_fn((60, 6), |_| rng.random_range(0..2) as f32);
    let classes: Vec<usize> = (0..60).map(|n| n % 3).collect();
    let mut second = layer(4, 3, 3);
    second.train.estimator = Estimator::Pcd { k: 1, n_chains: 5 };
    let config = GreedyConfig {
        seed: 5,
        up_pass: UpPass::Samples,
        layers: vec![layer(5, 3, 2), second],
    };
    let labels = Some((&classes[..], 3));
    let whole = train_greedy(data.view(), labels, &config, &mut |_| ()).unwrap();
    // Stop after the first epoch of layer 2, keeping what a checkpoint keeps.
    let mut saved = None;
    let stopped = train_greedy_from(
        data.view(),
        labels,
        &config,
        GreedyResume::default(),
        &mut |d| {
            if d.layer == 2 && d.trainer.epochs_done() == 1 {
                let dbn::LayerTrainer::Bernoulli(t) = d.trainer else {
                    panic!("a binary layer");
                };
                let resumed = rbm::Trainer::resume(
                    t.rbm().clone(),
                    t.config().clone(),
                    t.velocity().clone(),
                    t.chains().cloned(),
                    t.epochs_done(),
                )
                .unwrap();
                saved = Some(GreedyResume {
                    finished: d.finished.to_vec(),
                    log_variance: None,
                    current: Some(dbn::LayerTrainer::Bernoulli(resumed)),
                });
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert!(stopped.is_none());
    let resumed = train_greedy_from(data.view(), labels, &config, saved.unwrap(), &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap()
    .unwrap();
    assert_eq!(resumed, whole);
}

// The `[classifier]` table: the fine-tuned net is saved and loaded bit for bit
// beside the generative layers; a table that does not fit is refused naming the field.

fn with_classifier(table: &str) -> String {
    format!("{TWO_LAYERS}{table}")
}

const CLASSIFIER: &str = r#"
[[classifier.layers]]
weights = [[0.1, 0.2, 0.3], [0.0, -0.1, 0.4]]
bias = [0.0, 0.5]
[[classifier.layers]]
weights = [[1.0, -1.0], [-1.0, 1.0]]
bias = [0.0, 0.25]
"#;

fn load(text: &str) -> Result<Dbn, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.toml");
    std::fs::write(&path, text).unwrap();
    Dbn::load(&path).map_err(|e| e.to_string())
}

#[test]
fn a_fine_tuned_classifier_round_trips_beside_the_layers() {
    let plain = load(TWO_LAYERS).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let classifier = Classifier::random(&plain.layer_sizes(), 3, &mut rng);
    let net = plain.clone().with_classifier(classifier.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tuned.toml");
    net.save(&path, false).unwrap();
    let loaded = Dbn::load(&path).unwrap();
    assert_eq!(loaded, net);
    assert_eq!(loaded.classifier(), Some(&classifier));
    // The generative layers are untouched, and the exact reader accepts the file.
    assert_eq!(loaded.layers(), plain.layers());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(ExactDbn::from_toml_str(&text).is_ok());
}

#[test]
fn the_table_of_the_notation_page_loads() {
    let net = load(&with_classifier(CLASSIFIER)).unwrap();
    let classifier = net.classifier().unwrap();
    assert_eq!(classifier.n_classes(), 2);
    assert_eq!(classifier.n_features(), 3);
}

#[test]
fn classifier_tables_that_do_not_fit_are_refused_naming_the_field() {
    let cases = [
        // first layer: 2 columns but the net has 3 visible units
        (
            "[[classifier.layers]]\nweights = [[1.0, 2.0], [0.0, 1.0]]\nbias = [0.0, 0.0]\n",
            "classifier.layers[1].weights",
        ),
        // bias of the wrong length
        (
            "[[classifier.layers]]\nweights = [[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]\nbias = [0.0]\n",
            "classifier.layers[1].bias",
        ),
        // second layer takes 3 inputs, the first gives 2
        (
            "[[classifier.layers]]\nweights = [[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]\nbias = [0.0, 0.0]\n\
             [[classifier.layers]]\nweights = [[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]\nbias = [0.0, 0.0]\n",
            "classifier.layers[2].weights",
        ),
        // one class
        (
            "[[classifier.layers]]\nweights = [[1.0, 2.0, 3.0]]\nbias = [0.0]\n",
            "classifier.layers[1].bias",
        ),
        // beyond f32
        (
            "[[classifier.layers]]\nweights = [[1e300, 2.0, 3.0], [0.0, 1.0, 2.0]]\nbias = [0.0, 0.0]\n",
            "classifier.layers[1].weights",
        ),
        ("[classifier]\nlayers = []\n", "classifier.layers"),
        (
            "[[classifier.layers]]\nweights = [[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]\nbias = [0.0, 0.0]\nsoftmax = true\n",
            "softmax",
        ),
    ];
    for (table, field) in cases {
        let e = load(&with_classifier(table)).unwrap_err();
        assert!(e.contains("net.toml") && e.contains(field), "{table}: {e}");
    }
}

/// p(x | l) of the top RBM by brute force over x and h in f64:
/// p(x, l) is proportional to sum_h e^{b.x + d_l + c.h + h.W x + h.U_l}.
fn exact_top_conditional(net: &Dbn, label: usize) -> Vec<f64> {
    exact_tilted_conditional(net, label, 1.0)
}

/// The tilted p_g(x | l) of eq. (10.14) by the same brute force, with the
/// label weights U_l multiplied by `gain`.
fn exact_tilted_conditional(net: &Dbn, label: usize, gain: f64) -> Vec<f64> {
    let (top, units) = (net.top(), net.labels().unwrap());
    let (n_x, n_h) = (top.n_visible(), top.n_hidden());
    let weights: Vec<f64> = (0..1u64 << n_x)
        .map(|sx| {
            let x = bm_exact::state_vector(sx, n_x);
            (0..1u64 << n_h)
                .map(|sh| {
                    let h = bm_exact::state_vector(sh, n_h);
                    let mut energy = f64::from(units.bias[label]);
                    for j in 0..n_x {
                        energy += f64::from(top.visible_bias[j]) * x[j];
                    }
                    for i in 0..n_h {
                        let mut input = f64::from(top.hidden_bias[i])
                            + gain * f64::from(units.weights[[i, label]]);
                        for j in 0..n_x {
                            input += f64::from(top.weights[[i, j]]) * x[j];
                        }
                        energy += h[i] * input;
                    }
                    energy.exp()
                })
                .sum()
        })
        .collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// The top RBM's chains after `n_gibbs_steps` with `clamped` held on,
/// against the exact p(x | label) by chi-square over the 2^4 states of x.
fn top_chain_p_value(label: usize, clamped: Option<usize>) -> f64 {
    let net = random_net(&[3, 4, 3], 4, 33);
    let mut rng = ChaCha8Rng::seed_from_u64(34);
    let (x, _) = net.sample_top(20_000, 30, clamped, &mut rng).unwrap();
    let mut counts = vec![0.0; 16];
    for row in x.rows() {
        counts[bm_exact::state_index(row.mapv(f64::from).view()) as usize] += 1.0;
    }
    chi_square_p_value(&counts, &exact_top_conditional(&net, label))
}

#[test]
fn the_clamped_top_chain_samples_the_exact_p_of_h2_given_the_label() {
    for label in 0..4 {
        let p = top_chain_p_value(label, Some(label));
        assert!(p > 1e-3, "label {label}: p-value {p}");
    }
    // Broken variants: the label left free, or another label clamped.
    let p = top_chain_p_value(0, None);
    assert!(p < 1e-6, "free label instead of label 0: p-value {p}");
    let p = top_chain_p_value(0, Some(2));
    assert!(p < 1e-6, "label 2 instead of label 0: p-value {p}");
}

/// Chi-square of the final states x of `sampler`'s clamped chains against
/// `probabilities` over the 2^4 states of x.
fn clamped_chains_p_value(sampler: &Dbn, label: usize, probabilities: &[f64]) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(35);
    let (x, _) = sampler
        .sample_top(20_000, 30, Some(label), &mut rng)
        .unwrap();
    let mut counts = vec![0.0; 16];
    for row in x.rows() {
        counts[bm_exact::state_index(row.mapv(f64::from).view()) as usize] += 1.0;
    }
    chi_square_p_value(&counts, probabilities)
}

#[test]
fn a_label_gain_samples_the_tilted_conditional() {
    let net = random_net(&[3, 4, 3], 4, 33);
    let gain = 2.5;
    let amplified = net.with_label_gain(gain).unwrap();
    for label in 0..4 {
        let exact = exact_tilted_conditional(&net, label, f64::from(gain));
        let p = clamped_chains_p_value(&amplified, label, &exact);
        assert!(p > 1e-3, "label {label}: p-value {p}");
    }
    // Broken variant: the gain ignored (the net's own chains).
    let exact = exact_tilted_conditional(&net, 0, f64::from(gain));
    let p = clamped_chains_p_value(&net, 0, &exact);
    assert!(p < 1e-6, "gain ignored: p-value {p}");
    // A gain of 1 is the net itself.
    assert_eq!(net.with_label_gain(1.0).unwrap(), net);
}

#[test]
fn a_label_gain_is_refused_when_it_cannot_apply() {
    let net = random_net(&[3, 4, 3], 4, 33);
    for gain in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        let e = net.with_label_gain(gain).unwrap_err().to_string();
        assert!(e.contains("label_gain"), "{gain}: {e}");
    }
    let unlabelled = random_net(&[3, 4, 3], 0, 33);
    let e = unlabelled.with_label_gain(2.0).unwrap_err().to_string();
    assert!(e.contains("labels"), "{e}");
    let e = unlabelled.clamped_top(0).unwrap_err().to_string();
    assert!(e.contains("labels"), "{e}");
    let e = net.clamped_top(4).unwrap_err().to_string();
    assert!(e.contains("label 4"), "{e}");
}

#[test]
fn parallel_tempering_on_the_clamped_top_rbm_samples_p_of_x_given_the_label() {
    // clamped_top makes an ordinary RBM of the top with l clamped, so rbm's
    // parallel tempering samples p(x | l); the exact p(x | l) by brute force.
    let net = random_net(&[3, 4, 3], 4, 33);
    let tempered_p_value = |rbm: &Rbm, label: usize| {
        let mut rng = ChaCha8Rng::seed_from_u64(36);
        let ladder = rbm::TemperatureLadder::geometric(4, 0.3).unwrap();
        let mut tempering = rbm::ParallelTempering::new(rbm, ladder, 20_000, &mut rng).unwrap();
        for _ in 0..30 {
            tempering.sweep(rbm, &mut rng);
        }
        let mut counts = vec![0.0; 16];
        for row in tempering.samples().rows() {
            counts[bm_exact::state_index(row.mapv(f64::from).view()) as usize] += 1.0;
        }
        chi_square_p_value(&counts, &exact_top_conditional(&net, label))
    };
    for label in 0..4 {
        let p = tempered_p_value(&net.clamped_top(label).unwrap(), label);
        assert!(p > 1e-3, "label {label}: p-value {p}");
    }
    // Broken variant: the top RBM without the label's input.
    let p = tempered_p_value(net.top(), 0);
    assert!(p < 1e-6, "label left out: p-value {p}");
}

#[test]
fn greedy_training_trains_the_labels_as_one_softmax_group() {
    // One labelled layer trained by train_greedy against the same layer
    // trained by hand on (v, one-hot l), with and without the softmax group.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let classes: Vec<usize> = (0..60).map(|n| n % 3).collect();
    let data = Array2::from_shape_fn((60, 5), |(n, j)| {
        f32::from(rng.random::<f32>() < 0.2 + 0.2 * ((classes[n] + j) % 3) as f32)
    });
    let config = GreedyConfig {
        seed: 4,
        up_pass: UpPass::Probabilities,
        layers: vec![layer(4, 3, 5)],
    };
    let net = train_greedy(data.view(), Some((&classes, 3)), &config, &mut |_| ()).unwrap();
    let joint = ndarray::concatenate![ndarray::Axis(1), data, dbn::one_hot(&classes, 3)];
    // Layer 1's initial weights come from stream 1 of the greedy seed.
    let mut init_rng = ChaCha8Rng::seed_from_u64(config.seed);
    init_rng.set_stream(1);
    let initial = Rbm::initialise(4, joint.view(), &mut init_rng);
    let by_hand = |softmax: bool| {
        let mut trainer =
            rbm::Trainer::new(initial.clone(), config.layers[0].train.clone()).unwrap();
        if softmax {
            trainer.set_softmax_group(5..8).unwrap();
        }
        for _ in 0..3 {
            trainer.train_epoch(joint.view());
        }
        trainer.into_rbm()
    };
    let matches_the_net = |joint: &Rbm| {
        let mut weights = joint.weights.clone();
        weights
            .slice_mut(ndarray::s![.., ..5])
            .assign(&net.top().weights);
        weights
            .slice_mut(ndarray::s![.., 5..])
            .assign(&net.labels().unwrap().weights);
        weights == joint.weights
    };
    assert!(
        matches_the_net(&by_hand(true)),
        "the softmax-group trainer's weights"
    );
    // The broken variant: labels as independent Bernoulli units.
    assert!(
        !matches_the_net(&by_hand(false)),
        "Bernoulli labels gave the same weights"
    );
}

/// Label units beyond f32 are refused naming the field and entry, as the
/// layers' parameters are, not reported as an infinity; so is a label gain
/// that would take them there.
#[test]
fn label_units_beyond_f32_are_refused_naming_the_field() {
    let labels = |bias: &str, weights: &str| {
        format!("{TWO_LAYERS}[labels]\nn_labels = 2\nbias = {bias}\nweights = {weights}\n")
    };
    assert!(load(&labels("[0.0, 0.0]", "[[0.3, -0.3]]")).is_ok());
    for (text, field) in [
        (labels("[0.0, 1e39]", "[[0.3, -0.3]]"), "labels.bias"),
        (labels("[0.0, 0.0]", "[[0.3, -1e39]]"), "labels.weights"),
    ] {
        let e = load(&text).unwrap_err();
        assert!(
            e.contains("net.toml") && e.contains(field) && e.contains("does not fit in f32"),
            "{e}"
        );
    }
    // A gain that takes U beyond f32 is the gain's fault, not the file's.
    let net = load(&labels("[0.0, 0.0]", "[[0.3, -2.0]]")).unwrap();
    assert!(net.with_label_gain(f32::MAX / 4.0).is_ok());
    let e = net.with_label_gain(f32::MAX).unwrap_err().to_string();
    assert!(
        e.contains("label_gain") && e.contains("entry 1") && !e.contains("labels.bias"),
        "{e}"
    );
}
