//! The TOML model format: round trips and errors that name the field.

use bm_exact::{ExactError, Model, parameters_from_toml, write_file};

const RBM: &str = r#"
format = "rbm"
version = 1
visible_bias = [0.1, -0.2, 0.0]
hidden_bias  = [0.0, 0.5]
weights = [[0.1, 0.2, 0.3], [0.0, -0.1, 0.4]]
"#;

const BM: &str = r#"
format = "bm"
version = 1
visible_bias = [0.1, -0.2]
hidden_bias  = [0.3]
weights = [[0.5, -0.4]]
visible_couplings = [[0.0, 0.7], [0.7, 0.0]]
hidden_couplings = [[0.0]]
"#;

fn error_of(text: &str) -> String {
    Model::from_toml_str(text).unwrap_err().to_string()
}

#[test]
fn models_round_trip_exactly() {
    for text in [RBM, BM] {
        let model = Model::from_toml_str(text).unwrap();
        let again = Model::from_toml_str(&model.to_toml_string()).unwrap();
        assert_eq!(model, again);
    }
    let tricky = RBM.replace("0.1, 0.2, 0.3", "0.1, 1e-300, 0.30000000000000004");
    let model = Model::from_toml_str(&tricky).unwrap();
    assert_eq!(
        Model::from_toml_str(&model.to_toml_string()).unwrap(),
        model
    );
}

#[test]
fn a_gradient_file_reads_like_a_model() {
    let model = Model::from_toml_str(BM).unwrap();
    let data = ndarray::array![[1.0, 0.0], [1.0, 1.0]];
    let g = model.log_likelihood_gradient(data.view()).unwrap();
    let text = bm_exact::parameters_to_toml("gradient", &g);
    let (format, read) = parameters_from_toml(&text).unwrap();
    assert_eq!(format, "gradient");
    assert_eq!(read, g);
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (
            RBM.replace("hidden_bias  = [0.0, 0.5]", "hidden_bias = [0.0]"),
            "weights",
        ),
        (RBM.replace("[0.0, -0.1, 0.4]", "[0.0, -0.1]"), "weights"),
        (RBM.replace("0.5]", "nan]"), "hidden_bias"),
        (RBM.replace("0.4]]", "inf]]"), "weights"),
        (RBM.replace("version = 1", "version = 2"), "version"),
        (RBM.replace("\"rbm\"", "\"dbn\""), "format"),
        (format!("{RBM}\nlearning_rate = 0.1\n"), "learning_rate"),
        (
            RBM.replace("visible_bias = [0.1, -0.2, 0.0]\n", ""),
            "visible_bias",
        ),
        (RBM.replace("[0.1, -0.2, 0.0]", "\"zero\""), "visible_bias"),
        (
            BM.replace("[[0.0, 0.7], [0.7, 0.0]]", "[[0.0, 0.7], [0.6, 0.0]]"),
            "visible_couplings",
        ),
        (
            BM.replace("[[0.0, 0.7], [0.7, 0.0]]", "[[0.1, 0.7], [0.7, 0.0]]"),
            "visible_couplings",
        ),
        (
            BM.replace(
                "hidden_couplings = [[0.0]]",
                "hidden_couplings = [[0.0, 1.0]]",
            ),
            "hidden_couplings",
        ),
        (
            format!(
                "{RBM}visible_couplings = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]\n"
            ),
            "visible_couplings",
        ),
    ];
    for (text, field) in cases {
        let e = error_of(&text);
        assert!(
            e.contains(field),
            "expected the message to name `{field}`: {e}"
        );
    }
    assert!(error_of("format = ").contains("line 1"));
}

#[test]
fn files_are_not_overwritten_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    let model = Model::from_toml_str(RBM).unwrap();
    model.save(&path, false).unwrap();
    assert_eq!(Model::load(&path).unwrap(), model);
    let err = write_file(&path, "x", false).unwrap_err();
    assert!(matches!(err, ExactError::WouldOverwrite(_)));
    assert!(err.to_string().contains("--force"));
    assert_eq!(Model::load(&path).unwrap(), model);
    write_file(&path, BM, true).unwrap();
    assert!(matches!(Model::load(&path).unwrap(), Model::Bm(_)));
    let missing = Model::load(dir.path().join("nope.toml")).unwrap_err();
    assert!(missing.to_string().contains("nope.toml") && missing.is_bad_input());
    std::fs::write(&path, "format = \"rbm\"\nversion = 1\n").unwrap();
    let bad = Model::load(&path).unwrap_err().to_string();
    assert!(
        bad.contains("model.toml") && bad.contains("visible_bias"),
        "{bad}"
    );
}

/// A file of another format (a DBN, with its `[[layers]]`) is refused by
/// its `format`, not by the first table these two formats do not know.
#[test]
fn another_format_is_named_by_its_format_field() {
    let dbn = "format = \"dbn\"\nversion = 1\n\n[[layers]]\nvisible_bias = [0.0]\n\
               hidden_bias = [0.0]\nweights = [[0.0]]\n";
    let message = error_of(dbn);
    assert!(
        message.contains("format") && message.contains("\"dbn\" is not a model format"),
        "{message}"
    );
}
