//! TrainConfig::check and the TOML form of the configuration.

use rbm::{Estimator, RbmError, TrainConfig};

fn field_of(err: RbmError) -> String {
    match err {
        RbmError::Config { field, .. } => field,
        other => panic!("expected a configuration error, got {other}"),
    }
}

#[test]
fn the_default_configuration_is_valid() {
    TrainConfig::default().check().unwrap();
}

#[test]
fn bad_settings_are_refused_naming_the_field() {
    let base = TrainConfig::default();
    let cases = [
        (
            TrainConfig {
                estimator: Estimator::Cd { k: 0 },
                ..base.clone()
            },
            "estimator.k",
        ),
        (
            TrainConfig {
                estimator: Estimator::Pcd { k: 0, n_chains: 10 },
                ..base.clone()
            },
            "estimator.k",
        ),
        (
            TrainConfig {
                estimator: Estimator::Pcd { k: 1, n_chains: 0 },
                ..base.clone()
            },
            "estimator.n_chains",
        ),
        (
            TrainConfig {
                learning_rate: -0.1,
                ..base.clone()
            },
            "learning_rate",
        ),
        (
            TrainConfig {
                learning_rate: 0.0,
                ..base.clone()
            },
            "learning_rate",
        ),
        (
            TrainConfig {
                learning_rate: f32::NAN,
                ..base.clone()
            },
            "learning_rate",
        ),
        (
            TrainConfig {
                learning_rate: f32::INFINITY,
                ..base.clone()
            },
            "learning_rate",
        ),
        (
            TrainConfig {
                batch_size: 0,
                ..base.clone()
            },
            "batch_size",
        ),
        (
            TrainConfig {
                final_momentum: 1.0,
                ..base.clone()
            },
            "final_momentum",
        ),
        (
            TrainConfig {
                initial_momentum: -0.1,
                ..base.clone()
            },
            "initial_momentum",
        ),
        (
            TrainConfig {
                weight_decay: -1e-4,
                ..base.clone()
            },
            "weight_decay",
        ),
    ];
    for (config, field) in cases {
        let err = config.check().unwrap_err();
        let message = err.to_string();
        assert!(message.contains(field), "{message}");
        assert_eq!(field_of(err), field);
    }
}

#[test]
fn toml_configuration_with_defaults() {
    let config = TrainConfig::from_toml_str(
        "learning_rate = 0.05\nweight_decay = 0.0\nbatch_size = 20\nepochs = 3\nseed = 7\n\
         estimator = { kind = \"pcd\", k = 2, n_chains = 50 }\n",
    )
    .unwrap();
    assert_eq!(config.estimator, Estimator::Pcd { k: 2, n_chains: 50 });
    assert_eq!((config.initial_momentum, config.final_momentum), (0.5, 0.9));
    assert_eq!(config.momentum_switch_epoch, 5);
    assert_eq!(config.momentum_at(4), 0.5);
    assert_eq!(config.momentum_at(5), 0.9);
    // Serialising and parsing again gives the same configuration.
    let text = toml::to_string(&config).unwrap();
    assert_eq!(TrainConfig::from_toml_str(&text).unwrap(), config);
}

#[test]
fn toml_configuration_errors_name_the_field() {
    let valid = "learning_rate = 0.1\nweight_decay = 0.0\nbatch_size = 10\nepochs = 1\nseed = 1\n";
    let cases = [
        (
            format!("{valid}estimator = {{ kind = \"cd\", k = 1 }}\nlearning_rat = 0.1\n"),
            "learning_rat",
        ),
        (
            format!("{valid}estimator = {{ kind = \"cd\", k = 1, n_chain = 3 }}\n"),
            "n_chain",
        ),
        (
            format!("{valid}estimator = {{ kind = \"cd\", k = 0 }}\n"),
            "estimator.k",
        ),
        (
            format!("{valid}estimator = {{ kind = \"gibbs\", k = 1 }}\n"),
            "gibbs",
        ),
        (valid.to_string(), "estimator"),
        (
            valid.replace("0.1", "-1.0") + "estimator = { kind = \"cd\", k = 1 }\n",
            "learning_rate",
        ),
    ];
    for (text, field) in cases {
        let message = TrainConfig::from_toml_str(&text).unwrap_err().to_string();
        assert!(message.contains(field), "expected `{field}` in: {message}");
    }
}

/// The optimiser section is written once for both trainers (the
/// `optimiser_settings!` macro) and stays flat, so a refused value is named
/// as it is read, in a file of its own and inside a table.
#[test]
fn a_bad_learning_rate_is_named_in_both_trainers() {
    use rbm::GaussianTrainConfig;
    let rest =
        "weight_decay = 0.0\nbatch_size = 10\nepochs = 1\nestimator = { kind = \"cd\", k = 1 }\n";
    let bernoulli = format!("learning_rate = -0.1\nseed = 1\n{rest}");
    let gaussian = format!("learning_rate = -0.1\nlearn_variance = false\n{rest}");
    for message in [
        TrainConfig::from_toml_str(&bernoulli)
            .unwrap_err()
            .to_string(),
        GaussianTrainConfig::from_toml_str(&gaussian)
            .unwrap_err()
            .to_string(),
    ] {
        assert!(message.contains("`learning_rate`"), "{message}");
        assert!(message.contains("expected"), "{message}");
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Both {
        bernoulli: TrainConfig,
        gaussian: GaussianTrainConfig,
    }
    let good = |rate: &str| format!("learning_rate = {rate}\n{rest}");
    let file = |b: &str, g: &str| {
        format!(
            "[bernoulli]\nseed = 1\n{}\n[gaussian]\nlearn_variance = true\n{}",
            good(b),
            good(g)
        )
    };
    assert!(config::from_toml_str::<Both>(&file("0.1", "0.001")).is_ok());
    for (text, field) in [
        (file("-0.1", "0.001"), "`bernoulli.learning_rate`"),
        (file("0.1", "nan"), "`gaussian.learning_rate`"),
    ] {
        let message = config::from_toml_str::<Both>(&text)
            .unwrap_err()
            .to_string();
        assert!(message.starts_with(&format!("field {field}:")), "{message}");
    }
}

/// The estimator's values are checked as the TOML is read, by their value
/// types, and the error names `table.estimator.key` (an internally tagged
/// enum would have lost the position of the value).
#[test]
fn estimator_values_are_named_as_they_are_read() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct File {
        train: TrainConfig,
    }
    let text = |estimator: &str| {
        format!(
            "[train]\nlearning_rate = 0.1\nweight_decay = 0.0\nbatch_size = 10\nepochs = 1\nseed = 1\nestimator = {estimator}\n"
        )
    };
    let read = |estimator: &str| config::from_toml_str::<File>(&text(estimator));
    assert_eq!(
        read("{ kind = \"pcd\", k = 2, n_chains = 7 }")
            .unwrap()
            .train
            .estimator,
        Estimator::Pcd { k: 2, n_chains: 7 }
    );
    assert_eq!(
        read("{ kind = \"cd\", k = 3 }").unwrap().train.estimator,
        Estimator::Cd { k: 3 }
    );
    for (estimator, starts) in [
        (
            "{ kind = \"cd\", k = 0 }",
            "field `train.estimator.k`: is 0;",
        ),
        (
            "{ kind = \"pcd\", k = 1, n_chains = 0 }",
            "field `train.estimator.n_chains`: is 0;",
        ),
        (
            "{ kind = \"pcd\", k = -1, n_chains = 3 }",
            "field `train.estimator.k`",
        ),
        (
            "{ kind = \"pcd\", k = 1 }",
            "field `train.estimator`: kind = \"pcd\" needs `n_chains`",
        ),
        (
            "{ kind = \"cd\", k = 1, n_chains = 3 }",
            "field `train.estimator`: `n_chains` is only",
        ),
        (
            "{ kind = \"gibbs\", k = 1 }",
            "field `train.estimator.kind`",
        ),
    ] {
        let message = read(estimator).unwrap_err().to_string();
        assert!(
            message.starts_with(starts),
            "expected `{starts}...`, got: {message}"
        );
    }
    // What is written reads back the same.
    for estimator in [Estimator::Cd { k: 4 }, Estimator::Pcd { k: 1, n_chains: 9 }] {
        let config = TrainConfig {
            estimator,
            ..TrainConfig::default()
        };
        let written = toml::to_string(&config).unwrap();
        assert_eq!(TrainConfig::from_toml_str(&written).unwrap(), config);
    }
}
