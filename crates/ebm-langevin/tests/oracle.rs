//! The quadrature oracle against closed forms.

use ebm_langevin::oracle::{Grid2d, Toy, kl_data_model, log_partition};
use ndarray::array;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A normalised density as an energy has log Z = 0.
#[test]
fn log_partition_of_normalised_toys_is_zero_and_converges() {
    let toys = [
        Toy::eight_gaussians(2.0, 0.25),
        Toy::Ring {
            radius: 2.0,
            width: 0.25,
        },
        Toy::Mixture {
            weights: vec![1.0],
            means: array![[0.3, -0.2]],
            std: 0.5,
        },
    ];
    for toy in &toys {
        let mut previous = f64::INFINITY;
        for n in [32, 64, 128] {
            let z = log_partition(toy, Grid2d { half_width: 4.0, n });
            let error = z.value.abs();
            // The midpoint rule converges fast on smooth densities: down to round-off.
            assert!(
                error < previous || error < 1e-12,
                "{toy:?}: n = {n}: error {error} did not shrink"
            );
            // The stated error (n against 2n) bounds the true one once the
            // square holds all the mass.
            assert!(z.edge_mass < 1e-9, "{toy:?}: edge mass {}", z.edge_mass);
            assert!(
                error <= z.discretisation_error + 1e-9,
                "{toy:?}: n = {n}: {error} > {}",
                z.discretisation_error
            );
            previous = error;
        }
        assert!(
            previous < 1e-3,
            "{toy:?}: log Z = {previous} on 256 x 256 cells"
        );
    }
}

#[test]
fn the_edge_mass_reveals_a_square_that_is_too_small() {
    let wide = Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.0, 0.0]],
        std: 2.0,
    };
    let z = log_partition(
        &wide,
        Grid2d {
            half_width: 2.0,
            n: 64,
        },
    );
    assert!(z.edge_mass > 1e-3 && z.value < -0.1);
}

#[test]
fn checkerboard_integrates_to_one() {
    let board = Toy::Checkerboard {
        k: 4,
        half_width: 2.0,
    };
    let grid = Grid2d {
        half_width: 2.0,
        n: 64,
    };
    let total: f64 = grid
        .centres()
        .outer_iter()
        .map(|c| board.log_density(&c.to_vec()).exp() * grid.cell_side().powi(2))
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
}

/// KL(N(0, s^2 I) || N(m, s^2 I)) = |m|^2 / (2 s^2), eq. (11.10).
#[test]
fn kl_by_quadrature_matches_the_closed_form() {
    let data = Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.0, 0.0]],
        std: 0.5,
    };
    let model = Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.3, -0.4]],
        std: 0.5,
    };
    let grid = Grid2d {
        half_width: 4.0,
        n: 200,
    };
    let kl = kl_data_model(&data, &model, grid);
    let exact = (0.09 + 0.16) / (2.0 * 0.25);
    assert!((kl - exact).abs() < 1e-3, "{kl} vs {exact}");
    assert!(kl_data_model(&data, &data, grid).abs() < 1e-10);
}

/// Samples of the toys have the moments of their densities.
#[test]
fn toy_samples_follow_their_densities() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let ring = Toy::Ring {
        radius: 2.0,
        width: 0.25,
    };
    let x = ring.sample(20_000, &mut rng);
    let mean_r: f64 = x.outer_iter().map(|r| r[0].hypot(r[1])).sum::<f64>() / 20_000.0;
    // E[r] by quadrature of the radial density r exp(-(r - R)^2 / (2 w^2)).
    let (mut num, mut den) = (0.0, 0.0);
    for k in 1..100_000 {
        let r = k as f64 * 1e-4;
        let w = r * (-(r - 2.0f64).powi(2) / (2.0 * 0.0625)).exp();
        num += r * w;
        den += w;
    }
    assert!(
        (mean_r - num / den).abs() < 0.01,
        "{mean_r} vs {}",
        num / den
    );
    let board = Toy::Checkerboard {
        k: 4,
        half_width: 2.0,
    };
    let y = board.sample(1000, &mut rng);
    assert!(
        y.outer_iter()
            .all(|r| board.log_density(&r.to_vec()).is_finite())
    );
}

#[test]
fn one_dimensional_quadrature_of_a_mixture() {
    use ebm_langevin::oracle::log_partition_1d;
    let toy = Toy::Mixture {
        weights: vec![0.8, 0.2],
        means: array![[-5.0], [5.0]],
        std: 1.0,
    };
    let z = log_partition_1d(&toy, 12.0, 400);
    assert!(z.value.abs() < 1e-9 && z.edge_mass < 1e-12, "{z:?}");
}
