//! Public tests: run them with `cargo test --offline`. Every number is
//! compared with the oracle (crate `dbn`, exact enumeration in f64).

mod common;

use assignment_dbn::{log_bernoulli, log_generative, log_recognition, lower_bound, up_pass};
use bm_exact::{numerics::sigmoid, state_vector};
use ndarray::array;

#[test]
fn log_bernoulli_is_the_log_of_the_product() {
    let x = array![1.0, 0.0, 1.0];
    let a = array![0.3, -1.2, 2.0];
    let want: f64 = x
        .iter()
        .zip(&a)
        .map(|(&x, &a)| {
            if x == 1.0 {
                sigmoid(a).ln()
            } else {
                (1.0 - sigmoid(a)).ln()
            }
        })
        .sum();
    let got = log_bernoulli(x.view(), a.view());
    assert!(
        common::close(got, want, 1e-12),
        "log prod p^x (1 - p)^(1 - x) = {want}, got {got}"
    );
}

#[test]
fn log_bernoulli_is_finite_for_large_logits() {
    let x = array![0.0, 1.0, 1.0, 0.0];
    let a = array![50.0, -50.0, 800.0, -800.0];
    let got = log_bernoulli(x.view(), a.view());
    assert!(
        common::close(got, -100.0, 1e-12),
        "with logits (50, -50, 800, -800) and x = (0, 1, 1, 0) the answer is -100, got {got}: \
         use softplus, eq. (10.2), not the log of a probability that rounds to 0"
    );
}

#[test]
fn conditionals_match_the_oracle() {
    let layer = common::random_rbm(4, 3, 1.5, 101);
    for (sx, sy) in [(0, 0), (5, 3), (15, 6), (9, 7)] {
        let (x, y) = (state_vector(sx, 4), state_vector(sy, 3));
        let (down, up) = (
            log_generative(&layer, x.view(), y.view()),
            log_recognition(&layer, y.view(), x.view()),
        );
        let want_down = dbn::exact::log_generative(&layer, x.view(), y.view());
        let want_up = dbn::exact::log_recognition(&layer, y.view(), x.view());
        assert!(
            common::close(down, want_down, 1e-10),
            "log p(x = {x} | y = {y}) = {want_down}, got {down} (logits b + W^T y)"
        );
        assert!(
            common::close(up, want_up, 1e-10),
            "log q(y = {y} | x = {x}) = {want_up}, got {up} (logits c + W x)"
        );
    }
}

#[test]
fn up_pass_feeds_each_layer_the_one_below() {
    let layers = common::random_layers(&[5, 4, 3], 1.0, 102);
    let v = state_vector(19, 5);
    let got = up_pass(&layers, v.view());
    assert_eq!(got.len(), 2, "one entry per layer");
    let h1 = layers[0].hidden_probabilities(v.view());
    let h2 = layers[1].hidden_probabilities(h1.view());
    for (k, (g, w)) in got.iter().zip([&h1, &h2]).enumerate() {
        assert!(
            g.len() == w.len() && g.iter().zip(w.iter()).all(|(a, b)| (a - b).abs() < 1e-12),
            "h_{} should be {w}, got {g}",
            k + 1
        );
    }
}

#[test]
fn lower_bound_matches_the_oracle_on_a_two_layer_net() {
    let layers = common::random_layers(&[4, 3, 2], 1.0, 103);
    let (net, log_p_h1) = common::exact(&layers);
    for s in [0, 6, 11] {
        let v = state_vector(s, 4);
        let want = net.lower_bound(v.view(), log_p_h1.view());
        let got = lower_bound(&layers[0], v.view(), log_p_h1.view());
        assert!(
            common::close(got, want, 1e-10),
            "the bound (10.6) at v = {v} is {want}, got {got}"
        );
    }
}
