//! Samplers against the exact 2-D oracle: chi-square tests on grid cells,
//! each shown to fail on a deliberately broken sampler.

use ebm_langevin::oracle::{Grid2d, Toy, cell_counts, chi_square, integrated_cell_probabilities};
use ebm_langevin::samplers::{
    CooledSampler, LangevinWorkspace, annealed_langevin, annealed_langevin_batched, mala,
    mala_step_batched, ula, ula_step, ula_step_batched,
};
use ebm_langevin::{Activation, Energy, Layer, Mlp, Tempered};
use ndarray::{Array2, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A fixed, confining, asymmetric 2-D energy: a softplus MLP 2-6-1.
fn fixed_energy() -> Mlp<f64> {
    Mlp {
        activation: Activation::Softplus,
        layers: vec![
            Layer {
                weights: array![
                    [3.0, 0.0],
                    [-3.0, 0.0],
                    [0.0, 3.0],
                    [0.0, -3.0],
                    [2.0, 2.0],
                    [-1.0, 2.0]
                ],
                bias: array![-1.0, 0.0, 1.0, -2.0, 0.0, 0.5],
            },
            Layer {
                weights: array![[1.0, 1.0, 1.0, 1.0, 0.5, 0.8]],
                bias: array![0.0],
            },
        ],
    }
}

const N_CHAINS: usize = 4000;
const GRID: Grid2d = Grid2d {
    half_width: 4.0,
    n: 8,
};

fn start(seed: u64) -> (Array2<f64>, ChaCha8Rng) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_simple_fn((N_CHAINS, 2), || rng.sample::<f64, _>(StandardNormal));
    (x, rng)
}

/// The p-value of the chi-square test of the samples against quadrature.
fn p_value(energy: &Mlp<f64>, samples: &Array2<f64>) -> f64 {
    let probabilities = integrated_cell_probabilities(energy, GRID, 32);
    let (counts, outside) = cell_counts(samples.view(), GRID);
    chi_square(&counts, outside, probabilities.as_slice().unwrap()).1
}

/// ULA with a small step: samples pass; noise sqrt(eps) (T = 1/2) fails.
#[test]
fn ula_with_a_small_step_passes_and_too_little_noise_fails() {
    let energy = fixed_energy();
    let (mut x, mut rng) = start(1);
    ula(&energy, &mut x, 2000, 0.002, &mut rng);
    let p = p_value(&energy, &x);
    assert!(p > 1e-3, "ULA: p = {p}");

    let (mut x, mut rng) = start(1);
    for _ in 0..2000 {
        // The broken variant: noise sqrt(eps) instead of sqrt(2 eps).
        ula_step(&energy, &mut x, 0.002, 0.5, &mut rng);
    }
    let p = p_value(&energy, &x);
    assert!(p < 1e-10, "broken ULA passed: p = {p}");
}

/// The fast batched ULA (f64 and f32) passes the same test; with noise
/// sqrt(eps) (T = 1/2) it fails (checked in f64, which shares the code).
#[test]
fn batched_ula_passes_and_too_little_noise_fails() {
    let energy = fixed_energy();
    let energy32: Mlp<f32> = energy.cast();
    for (temperature, passes) in [(1.0, true), (0.5, false)] {
        let (mut x, mut rng) = start(3);
        let mut ws = LangevinWorkspace::default();
        for _ in 0..2000 {
            ula_step_batched(&energy, &mut x, 0.002, temperature, &mut ws, &mut rng);
        }
        let p = p_value(&energy, &x);
        if !passes {
            assert!(p < 1e-10, "broken batched ULA passed: p = {p}");
            continue;
        }
        assert!(p > 1e-3, "batched ULA: p = {p}");
        let (x32, mut rng) = start(4);
        let mut x32 = x32.mapv(|v| v as f32);
        let mut ws = LangevinWorkspace::default();
        for _ in 0..2000 {
            ula_step_batched(&energy32, &mut x32, 0.002, temperature, &mut ws, &mut rng);
        }
        let p32 = p_value(&energy, &x32.mapv(|v| v as f64));
        assert!(p32 > 1e-3, "batched ULA in f32: p = {p32}");
    }
}

/// MALA: samples pass at a large step; the sign-flipped gradient fails.
#[test]
fn mala_passes_and_a_flipped_gradient_fails() {
    let energy = fixed_energy();
    let (mut x, mut rng) = start(2);
    let acceptance = mala(&energy, &mut x, 300, 0.05, &mut rng);
    assert!((0.5..1.0).contains(&acceptance), "acceptance {acceptance}");
    let p = p_value(&energy, &x);
    assert!(p > 1e-3, "MALA: p = {p}");

    let flipped = Tempered {
        energy: &energy,
        temperature: -1.0,
    };
    let (mut x, mut rng) = start(2);
    ula(&flipped, &mut x, 300, 0.05, &mut rng);
    let p = p_value(&energy, &x);
    assert!(p < 1e-10, "flipped gradient passed: p = {p}");
}

/// MALA stays exact at a step where ULA is visibly biased.
#[test]
fn mala_corrects_the_bias_of_a_large_step() {
    let energy = fixed_energy();
    let (mut x, mut rng) = start(3);
    ula(&energy, &mut x, 300, 0.08, &mut rng);
    assert!(
        p_value(&energy, &x) < 1e-6,
        "ULA at eps = 0.08 should be biased"
    );
    let (mut x, mut rng) = start(3);
    mala(&energy, &mut x, 300, 0.08, &mut rng);
    assert!(p_value(&energy, &x) > 1e-3);
}

/// `energy` scaled by 1 / T: the density exp(-E / T).
fn tempered(energy: &Mlp<f64>, temperature: f64) -> Mlp<f64> {
    let mut scaled = energy.clone();
    let last = scaled.layers.last_mut().unwrap();
    last.weights /= temperature;
    last.bias /= temperature;
    scaled
}

/// MALA on the fast path, f64 and f32, passes at eps = 0.08, where always
/// accepting (ULA, the broken variant) fails; at T = 2 it passes against
/// exp(-E / 2) and fails against exp(-E).
#[test]
fn batched_mala_passes_and_always_accepting_fails() {
    let energy = fixed_energy();
    let energy32: Mlp<f32> = energy.cast();
    let mut ws = LangevinWorkspace::default();
    let (mut x, mut rng) = start(6);
    let mut accepted = 0;
    for _ in 0..300 {
        accepted += mala_step_batched(&energy, &mut x, 0.08, 1.0, &mut ws, &mut rng);
    }
    let rate = accepted as f64 / (300 * N_CHAINS) as f64;
    assert!((0.5..1.0).contains(&rate), "acceptance {rate}");
    let p = p_value(&energy, &x);
    assert!(p > 1e-3, "batched MALA: p = {p}");

    let (x32, mut rng) = start(7);
    let mut x32 = x32.mapv(|v| v as f32);
    let mut ws32 = LangevinWorkspace::default();
    for _ in 0..300 {
        mala_step_batched(&energy32, &mut x32, 0.08, 1.0, &mut ws32, &mut rng);
    }
    let p = p_value(&energy, &x32.mapv(|v| v as f64));
    assert!(p > 1e-3, "batched MALA in f32: p = {p}");

    let (mut x, mut rng) = start(6);
    for _ in 0..300 {
        ula_step_batched(&energy, &mut x, 0.08, 1.0, &mut ws, &mut rng);
    }
    let p = p_value(&energy, &x);
    assert!(p < 1e-6, "always accepting passed: p = {p}");

    let (mut x, mut rng) = start(8);
    for _ in 0..300 {
        mala_step_batched(&energy, &mut x, 0.08, 2.0, &mut ws, &mut rng);
    }
    let p = p_value(&tempered(&energy, 2.0), &x);
    assert!(p > 1e-3, "batched MALA at T = 2: p = {p}");
    let p = p_value(&energy, &x);
    assert!(p < 1e-10, "samples at T = 2 passed at T = 1: p = {p}");
}

/// Annealed Langevin on the fast path down a ladder of temperatures ending
/// at 1 passes; the same ladder ending at T = 2 fails.
#[test]
fn batched_annealing_passes_and_stopping_hot_fails() {
    let energy = fixed_energy();
    let mut ws = LangevinWorkspace::default();
    for (last, passes) in [(1.0, true), (2.0, false)] {
        let (mut x, mut rng) = start(9);
        let temperatures = [10.0, 5.0, 2.5, last];
        let step_sizes = temperatures.map(|t| 0.002 * t);
        annealed_langevin_batched(
            &energy,
            &temperatures,
            &step_sizes,
            1000,
            &mut x,
            &mut ws,
            &mut rng,
        );
        let p = p_value(&energy, &x);
        if passes {
            assert!(p > 1e-3, "batched annealing: p = {p}");
        } else {
            assert!(p < 1e-10, "stopping at T = 2 passed: p = {p}");
        }
    }
}

/// The cooled sampler's temperature s^2 / (2 eps), eq. (11.7): with the
/// UvA tutorial's settings it samples exp(-E / T) at T ~ 1e-6, not exp(-E).
#[test]
fn the_cooled_sampler_samples_a_cold_density() {
    let uva = CooledSampler {
        step_size: 10.0,
        noise_std: 0.005,
        grad_clip: Some(0.03),
        clamp: Some((-1.0, 1.0)),
    };
    assert!((uva.temperature() - 1.25e-6).abs() < 1e-18);
    // Without clipping and clamping it is ULA at that temperature: the same
    // chi-square test passes against exp(-E / T) for T = 1/2.
    let energy = fixed_energy();
    let half = CooledSampler {
        step_size: 0.002,
        noise_std: 0.002f64.sqrt(),
        grad_clip: None,
        clamp: None,
    };
    assert!((half.temperature() - 0.5).abs() < 1e-12);
    let (mut x, mut rng) = start(4);
    for _ in 0..2000 {
        half.step(&energy, &mut x, &mut rng);
    }
    let mut doubled = energy.clone();
    doubled.layers[1].weights *= 2.0;
    assert!(p_value(&doubled, &x) > 1e-3);
    assert!(p_value(&energy, &x) < 1e-10);

    // The same on the fast path, in f32.
    let (x32, mut rng) = start(5);
    let mut x32 = x32.mapv(|v| v as f32);
    let energy32: Mlp<f32> = energy.cast();
    let mut ws = LangevinWorkspace::default();
    for _ in 0..2000 {
        half.step_batched(&energy32, &mut x32, &mut ws, &mut rng);
    }
    let x = x32.mapv(|v| v as f64);
    assert!(p_value(&doubled, &x) > 1e-3);
    assert!(p_value(&energy, &x) < 1e-10);
}

/// The fraction of chains left of 0 on 0.8 N(-5, 1) + 0.2 N(5, 1).
fn left_fraction(x: &Array2<f64>) -> f64 {
    x.column(0).iter().filter(|&&v| v < 0.0).count() as f64 / x.nrows() as f64
}

fn wide_start(seed: u64) -> (Array2<f64>, ChaCha8Rng) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_simple_fn((N_CHAINS, 1), || rng.random_range(-10.0..10.0));
    (x, rng)
}

/// Plain Langevin keeps each chain in the mode it starts near (0.5 / 0.5);
/// annealed Langevin over noise levels recovers the weight 0.8.
#[test]
fn annealing_recovers_the_mixing_weights_that_plain_langevin_misses() {
    let mixture = Toy::Mixture {
        weights: vec![0.8, 0.2],
        means: array![[-5.0], [5.0]],
        std: 1.0,
    };
    let (mut x, mut rng) = wide_start(5);
    ula(&mixture, &mut x, 1000, 0.05, &mut rng);
    let plain = left_fraction(&x);
    assert!((plain - 0.5).abs() < 0.05, "plain Langevin: {plain}");

    // 25 noise levels from 20 down to 0.1 (ratio 0.8), step 0.1 times the
    // variance of each level's modes, 200 steps per level.
    let sigmas: Vec<f64> = (0..25).map(|k| 20.0 * 0.8f64.powi(k)).collect();
    let levels: Vec<Toy> = sigmas.iter().map(|&s| mixture.noised(s).unwrap()).collect();
    let level_refs: Vec<&dyn Energy> = levels.iter().map(|l| l as &dyn Energy).collect();
    let steps: Vec<f64> = sigmas.iter().map(|s| 0.1 * (1.0 + s * s)).collect();
    let (mut x, mut rng) = wide_start(5);
    annealed_langevin(&level_refs, &steps, 200, &mut x, &mut rng);
    let annealed = left_fraction(&x);
    assert!(
        (annealed - 0.8).abs() < 0.02,
        "annealed Langevin: {annealed}"
    );
}
