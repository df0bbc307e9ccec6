//! Public tests: run them with `cargo test --offline`.

mod common;

use assignment_gradient::{data_statistics, log_likelihood_gradient};

#[test]
fn data_statistics_of_one_example() {
    let rbm = common::random_rbm(3, 2, 31);
    let data = common::data(&[0b101], 3);
    let stats = data_statistics(&rbm, data.view());
    let v = data.row(0);
    let h = rbm.hidden_probabilities(v);
    assert!(
        (&stats.visible_bias - &v).iter().all(|x| x.abs() < 1e-12),
        "visible: expected v = {v}"
    );
    assert!(
        (&stats.hidden_bias - &h).iter().all(|x| x.abs() < 1e-12),
        "hidden: expected p(h=1|v) = {h}"
    );
    assert!(
        (stats.weights[[1, 2]] - h[1] * v[2]).abs() < 1e-12,
        "weights[i][j] = p(h_i=1|v) v_j"
    );
}

#[test]
fn gradient_matches_the_oracle() {
    let rbm = common::random_rbm(4, 3, 32);
    let data = common::data(&[0b0011, 0b1100, 0b1111, 0b0110], 4);
    let want = rbm.log_likelihood_gradient(data.view()).unwrap();
    let got = log_likelihood_gradient(&rbm, data.view());
    let d = common::max_difference(&got, &want);
    assert!(
        d < 1e-10,
        "largest difference from the exact gradient: {d} (eq. 4.3: data minus model)"
    );
}
