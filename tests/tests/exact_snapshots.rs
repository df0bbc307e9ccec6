//! Snapshots of small exact results: log Z, the mean log-likelihood and its
//! gradient for fixed tiny models on all bars-and-stripes images, and the
//! exact expected CD-k updates. The models are defined by formulas below, so
//! the snapshots depend on nothing random. Numbers are written with 9
//! significant digits; review changes with `cargo insta review`.

use bm_exact::{BoltzmannMachine, Model, Parameters, Rbm, empirical_entropy};
use datasets::bars_and_stripes;
use ndarray::{Array1, Array2};
use serde_json::{Value, json};

/// A number rounded to 9 significant digits, as text, so that the last bits
/// of different CPUs' arithmetic do not show.
fn round(x: f64) -> Value {
    Value::String(format!("{x:.8e}"))
}

fn rounded(values: impl IntoIterator<Item = f64>) -> Value {
    Value::Array(values.into_iter().map(round).collect())
}

fn rounded_matrix(a: &Array2<f64>) -> Value {
    Value::Array(
        a.rows()
            .into_iter()
            .map(|r| rounded(r.iter().copied()))
            .collect(),
    )
}

fn parameters_json(p: &Parameters) -> Value {
    let mut v = json!({
        "visible_bias": rounded(p.visible_bias.iter().copied()),
        "hidden_bias": rounded(p.hidden_bias.iter().copied()),
        "weights": rounded_matrix(&p.weights),
    });
    if let Some(r) = &p.visible_couplings {
        v["visible_couplings"] = rounded_matrix(r);
    }
    if let Some(t) = &p.hidden_couplings {
        v["hidden_couplings"] = rounded_matrix(t);
    }
    v
}

/// Parameters of a fixed tiny model, from simple formulas.
fn fixed_parameters(n_visible: usize, n_hidden: usize, couplings: bool) -> Parameters {
    let coupling = |n: usize, scale: f64| {
        Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                0.0
            } else {
                scale * ((i + j) as f64).cos()
            }
        })
    };
    Parameters {
        visible_bias: Array1::from_shape_fn(n_visible, |j| 0.25 * (j % 3) as f64 - 0.25),
        hidden_bias: Array1::from_shape_fn(n_hidden, |i| 0.1 * i as f64 - 0.1),
        weights: Array2::from_shape_fn((n_hidden, n_visible), |(i, j)| {
            ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0
        }),
        visible_couplings: couplings.then(|| coupling(n_visible, 0.3)),
        hidden_couplings: couplings.then(|| coupling(n_hidden, 0.2)),
    }
}

fn exact_results(model: &Model, data: &Array2<f64>) -> Value {
    json!({
        "n_visible": model.n_visible(),
        "n_hidden": model.n_hidden(),
        "n_examples": data.nrows(),
        "n_states_enumerated": model.n_states_enumerated(),
        "log_partition": round(model.log_partition().unwrap()),
        "mean_log_likelihood": round(model.mean_log_likelihood(data.view()).unwrap()),
        "optimum_minus_data_entropy": round(-empirical_entropy(data.view())),
        "gradient": parameters_json(&model.log_likelihood_gradient(data.view()).unwrap()),
    })
}

#[test]
fn rbm_4x3_on_bars_and_stripes_2x2() {
    let rbm = Rbm::from_parameters(fixed_parameters(4, 3, false)).unwrap();
    let data = bars_and_stripes(2, 2);
    assert_eq!(data.nrows(), 6);
    insta::assert_json_snapshot!("rbm_4x3_bas_2x2", exact_results(&Model::Rbm(rbm), &data));
}

#[test]
fn rbm_9x4_on_bars_and_stripes_3x3() {
    let rbm = Rbm::from_parameters(fixed_parameters(9, 4, false)).unwrap();
    let data = bars_and_stripes(3, 3);
    assert_eq!(data.nrows(), 14);
    insta::assert_json_snapshot!("rbm_9x4_bas_3x3", exact_results(&Model::Rbm(rbm), &data));
}

#[test]
fn rbm_9x12_on_bars_and_stripes_3x3_enumerates_the_visible_layer() {
    let rbm = Rbm::from_parameters(fixed_parameters(9, 12, false)).unwrap();
    assert_eq!(rbm.enumerated_layer(), bm_exact::Layer::Visible);
    let data = bars_and_stripes(3, 3);
    insta::assert_json_snapshot!("rbm_9x12_bas_3x3", exact_results(&Model::Rbm(rbm), &data));
}

#[test]
fn general_bm_4_plus_2_on_bars_and_stripes_2x2() {
    let bm = BoltzmannMachine::from_parameters(fixed_parameters(4, 2, true)).unwrap();
    insta::assert_json_snapshot!(
        "bm_4_2_bas_2x2",
        exact_results(&Model::Bm(bm), &bars_and_stripes(2, 2))
    );
}

#[test]
fn general_bm_9_plus_3_on_bars_and_stripes_3x3() {
    let bm = BoltzmannMachine::from_parameters(fixed_parameters(9, 3, true)).unwrap();
    insta::assert_json_snapshot!(
        "bm_9_3_bas_3x3",
        exact_results(&Model::Bm(bm), &bars_and_stripes(3, 3))
    );
}

/// The table of the CD bias: relative distance and cosine between the exact
/// expected CD-k update and the exact gradient, for the 9 x 4 RBM on 3x3
/// bars-and-stripes.
#[test]
fn cd_bias_table_of_rbm_9x4() {
    let rbm = Rbm::from_parameters(fixed_parameters(9, 4, false)).unwrap();
    let data = bars_and_stripes(3, 3);
    let flat = |p: &Parameters| -> Array1<f64> {
        p.visible_bias
            .iter()
            .chain(&p.hidden_bias)
            .chain(p.weights.iter())
            .copied()
            .collect()
    };
    let gradient = flat(&rbm.log_likelihood_gradient(data.view()).unwrap());
    let rows: Vec<Value> = [1, 2, 5, 10]
        .into_iter()
        .map(|k| {
            let cd = flat(&rbm.expected_cd_update(data.view(), k).unwrap());
            let norm = |a: &Array1<f64>| a.dot(a).sqrt();
            json!({
                "k": k,
                "relative_error": round(norm(&(&cd - &gradient)) / norm(&gradient)),
                "cosine": round(cd.dot(&gradient) / (norm(&cd) * norm(&gradient))),
            })
        })
        .collect();
    insta::assert_json_snapshot!("cd_bias_rbm_9x4", rows);
}
