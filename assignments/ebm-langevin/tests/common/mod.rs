//! 2-D target densities with closed forms (`ebm_langevin::Toy`, E = -log p)
//! and Pearson's chi-square test of samples on an 8 x 8 grid against the
//! exact cell probabilities, by quadrature (`ebm_langevin::oracle`).

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use ebm_langevin::oracle::{cell_counts, chi_square, integrated_cell_probabilities};
use ebm_langevin::{Grid2d, Toy};
use ndarray::{Array2, array};

pub use classroom_testkit::seeded;

/// N(0, std^2 I) in 2-D.
pub fn gaussian(std: f64) -> Toy {
    Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.0, 0.0]],
        std,
    }
}

/// The stationary law of ULA with step `step_size` on N(0, std^2 I): per
/// coordinate x' = (1 - a) x + sqrt(2 eps) xi with a = eps / std^2, whose
/// variance solves V = (1 - a)^2 V + 2 eps: V = std^2 / (1 - a / 2).
pub fn ula_stationary(std: f64, step_size: f64) -> Toy {
    let a = step_size / (std * std);
    gaussian(std / (1.0 - a / 2.0).sqrt())
}

/// Two overlapping Gaussians with unequal weights: not a Gaussian, so MALA's
/// correction matters everywhere.
pub fn two_gaussians() -> Toy {
    Toy::Mixture {
        weights: vec![0.7, 0.3],
        means: array![[-0.8, 0.0], [0.8, 0.4]],
        std: 0.7,
    }
}

/// `n_chains` chains started at the origin, each moved `n_steps` times by `step`.
pub fn run_from_origin(
    n_chains: usize,
    n_steps: usize,
    mut step: impl FnMut(&mut Array2<f64>),
) -> Array2<f64> {
    let mut x = Array2::zeros((n_chains, 2));
    for _ in 0..n_steps {
        step(&mut x);
    }
    x
}

/// The p-value of the chi-square test of the rows of `samples` against
/// `target` on the 8 x 8 grid over [-half_width, half_width]^2 (cells with
/// fewer than 5 expected samples pooled, as are samples outside the grid).
pub fn chi_square_p_value(samples: &Array2<f64>, target: &Toy, half_width: f64) -> f64 {
    let grid = Grid2d { half_width, n: 8 };
    let p = integrated_cell_probabilities(target, grid, 8);
    let (counts, outside) = cell_counts(samples.view(), grid);
    chi_square(&counts, outside, p.as_slice().expect("contiguous")).1
}
