//! Chapter 12's equations checked by quadrature in one dimension.

use ebm_langevin::Energy;
use ebm_langevin::oracle::Toy;
use ndarray::{Array2, array};

fn data() -> Toy {
    Toy::Mixture {
        weights: vec![0.8, 0.2],
        means: array![[-1.0], [1.5]],
        std: 0.5,
    }
}

fn density(toy: &Toy, x: f64) -> f64 {
    toy.log_density(&[x]).exp()
}

fn score_of(toy: &Toy, x: f64) -> f64 {
    -toy.energies_and_grads(Array2::from_elem((1, 1), x).view())
        .1[[0, 0]]
}

/// Eq. (12.4): the mixture convolved with N(0, sigma^2) is the mixture with
/// variance s^2 + sigma^2, checked by numerical convolution.
#[test]
fn noising_a_mixture_widens_its_components() {
    let sigma = 0.7;
    let noised = data().noised(sigma).unwrap();
    let h = 0.005;
    for &y in &[-3.0, -1.0, 0.0, 0.4, 2.5] {
        let conv: f64 = (-2000..2000)
            .map(|k| {
                let x = k as f64 * h;
                let kernel = (-(y - x) * (y - x) / (2.0 * sigma * sigma)).exp()
                    / (2.0 * std::f64::consts::PI * sigma * sigma).sqrt();
                density(&data(), x) * kernel * h
            })
            .sum();
        assert!(
            (conv - density(&noised, y)).abs() < 1e-10,
            "{y}: {conv} vs {}",
            density(&noised, y)
        );
    }
}

/// Eq. (12.2): the denoising objective and the Fisher divergence, eq. (12.1), to the
/// noised density differ by a constant: for two models, the differences of
/// both sides agree.
#[test]
fn denoising_score_matching_equals_the_fisher_divergence_up_to_a_constant() {
    let sigma = 0.7;
    let q = data().noised(sigma).unwrap();
    let models: [fn(f64) -> f64; 2] = [|x| 0.8 * x, |x| 0.3 * x * x * x + x - 0.5];
    let h = 0.01;
    let grid: Vec<f64> = (-900..900).map(|k| (k as f64 + 0.5) * h).collect();
    let denoising = |grad_e: fn(f64) -> f64| -> f64 {
        let mut total = 0.0;
        for &x in &grid {
            let px = density(&data(), x);
            if px < 1e-300 {
                continue;
            }
            for &y in &grid {
                let kernel = (-(y - x) * (y - x) / (2.0 * sigma * sigma)).exp()
                    / (2.0 * std::f64::consts::PI * sigma * sigma).sqrt();
                let r = grad_e(y) - (y - x) / (sigma * sigma);
                total += 0.5 * px * kernel * r * r * h * h;
            }
        }
        total
    };
    let fisher = |grad_e: fn(f64) -> f64| -> f64 {
        grid.iter()
            .map(|&y| 0.5 * density(&q, y) * (grad_e(y) + score_of(&q, y)).powi(2) * h)
            .sum()
    };
    let left = denoising(models[0]) - denoising(models[1]);
    let right = fisher(models[0]) - fisher(models[1]);
    assert!(
        (left - right).abs() < 1e-6 * right.abs().max(1.0),
        "{left} vs {right}"
    );
    // The constant C is not zero: the two objectives are not equal.
    assert!((denoising(models[0]) - fisher(models[0])).abs() > 0.1);
}
