//! Public tests: run them with `cargo test --offline`. The rbm crate works
//! in f32, so the comparisons allow 1e-4 relative error.

mod common;

use assignment_gaussian_rbm::{free_energy, hidden_probabilities, visible_mean};
use ndarray::{Array2, array};

#[test]
fn free_energy_matches_the_rbm_crate() {
    let g = common::random_rbm(3, 2, 1.0, 0.6, 91);
    let twin = common::twin(&g);
    for v in [
        array![0.0, 0.0, 0.0],
        array![1.5, -0.3, 0.7],
        array![-2.0, 2.0, 0.1],
    ] {
        let want =
            twin.free_energy(v.mapv(|x| x as f32).insert_axis(ndarray::Axis(0)).view())[0] as f64;
        let got = free_energy(&g, v.view());
        assert!(
            common::close(got, want, 1e-4),
            "F(v) for v = {v}: expected {want}, got {got} (eq. 9.4)"
        );
    }
}

#[test]
fn conditionals_match_the_rbm_crate() {
    let g = common::random_rbm(3, 2, 1.0, 0.6, 92);
    let twin = common::twin(&g);
    let v = array![0.4, -1.2, 2.0];
    let want = twin.hidden_probabilities(v.mapv(|x| x as f32).insert_axis(ndarray::Axis(0)).view());
    let got = hidden_probabilities(&g, v.view());
    for i in 0..2 {
        assert!(
            common::close(got[i], want[[0, i]] as f64, 1e-4),
            "p(h=1|v): expected {want}, got {got} (eq. 9.2)"
        );
    }
    let h = array![1.0, 0.0];
    let want: Array2<f32> =
        twin.visible_means(h.mapv(|x| x as f32).insert_axis(ndarray::Axis(0)).view());
    let got = visible_mean(&g, h.view());
    for j in 0..3 {
        assert!(
            common::close(got[j], want[[0, j]] as f64, 1e-4),
            "mean of p(v|h): expected {want}, got {got} (eq. 9.3)"
        );
    }
}
