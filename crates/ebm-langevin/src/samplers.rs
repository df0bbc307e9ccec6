//! Samplers for p(x) = exp(-E(x)) / Z, all batched: each row of the state
//! is one chain, and every random number comes from the `rng` passed in.
//!
//! - [`ula_step`]: unadjusted Langevin, x <- x - eps grad E + sqrt(2 eps T) xi
//!   (eq. 11.5), whose stationary law is close to exp(-E/T) for small eps;
//! - [`mala_step`]: the same proposal with a Metropolis-Hastings correction
//!   (eq. 11.6), whose stationary law is exactly exp(-E)/Z;
//! - [`annealed_langevin`]: ULA down a ladder of energies (noise levels or
//!   temperatures), eq. (12.5);
//! - [`CooledSampler`]: the practitioner's recipe (IGEBM, JEM, the UvA
//!   tutorial), a Langevin sampler at temperature noise^2 / (2 step), eq. (11.7);
//! - [`ReplayBuffer`]: persistent samples with random re-initialisation.

use ndarray::{Array1, Array2, ArrayView2, Zip};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::energy::Energy;
use crate::mlp::{Mlp, Workspace};
use crate::numerics::Real;

/// An array of independent standard normal numbers, drawn in row-major order.
fn gaussian_noise(shape: (usize, usize), rng: &mut impl Rng) -> Array2<f64> {
    Array2::from_shape_simple_fn(shape, || rng.sample(StandardNormal))
}

// ANCHOR: ula
/// One step of unadjusted Langevin dynamics at temperature T, eq. (11.5):
/// x <- x - eps grad E(x) + sqrt(2 eps T) xi, xi ~ N(0, I).
pub fn ula_step(
    energy: &dyn Energy,
    x: &mut Array2<f64>,
    step_size: f64,
    temperature: f64,
    rng: &mut impl Rng,
) {
    let (_, grad) = energy.energies_and_grads(x.view());
    let noise = gaussian_noise(x.dim(), rng);
    let noise_scale = (2.0 * step_size * temperature).sqrt();
    Zip::from(x).and(&grad).and(&noise).for_each(|x, &g, &z| {
        *x += -step_size * g + noise_scale * z;
    });
}
// ANCHOR_END: ula

/// The buffers of [`ula_step_batched`], kept from step to step.
#[derive(Clone, Debug, Default)]
pub struct LangevinWorkspace<F> {
    /// The network's buffers; after a step, its `energies` and `input_grads`
    /// are those of the state before the step.
    pub mlp: Workspace<F>,
    words: Vec<u64>,
    noise: Vec<F>,
}

// ANCHOR: ula_batched
/// The ULA step of eq. (11.5) for an MLP energy, arranged for speed (f32 or
/// f64): the network's fast batched pass, and the noise xi ~ N(0, I) drawn
/// by Box-Muller from a xoshiro256++ stream seeded with one word of `rng`,
/// all in buffers that are reused. Same update as [`ula_step`]:
/// x <- x - eps grad E(x) + sqrt(2 eps T) xi.
pub fn ula_step_batched<F: Real>(
    net: &Mlp<F>,
    x: &mut Array2<F>,
    step_size: f64,
    temperature: f64,
    ws: &mut LangevinWorkspace<F>,
    rng: &mut impl Rng,
) {
    net.energies_and_input_grads_into(x.view(), &mut ws.mlp);
    let n = x.len();
    ws.words.resize(F::words_for_normals(n), 0);
    ws.noise.resize(n, F::zero());
    Xoshiro256PlusPlus::seed_from_u64(rng.next_u64()).fill(&mut ws.words[..]);
    F::standard_normals(&ws.words, &mut ws.noise);
    let eps = F::of(step_size);
    let noise_scale = F::of((2.0 * step_size * temperature).sqrt());
    let noise = ArrayView2::from_shape(x.dim(), &ws.noise).expect("one number per entry");
    Zip::from(x)
        .and(&ws.mlp.input_grads)
        .and(noise)
        .for_each(|x, &g, &z| *x = *x - eps * g + noise_scale * z);
}
// ANCHOR_END: ula_batched

/// `n_steps` ULA steps at temperature 1.
pub fn ula(
    energy: &dyn Energy,
    x: &mut Array2<f64>,
    n_steps: usize,
    step_size: f64,
    rng: &mut impl Rng,
) {
    for _ in 0..n_steps {
        ula_step(energy, x, step_size, 1.0, rng);
    }
}

// ANCHOR: mala
/// One MALA step, eq. (11.6): propose y = x - eps grad E(x) + sqrt(2 eps) xi
/// and accept with probability
/// min(1, exp(-E(y) + E(x)) q(x | y) / q(y | x)),
/// log q(y | x) = -|y - x + eps grad E(x)|^2 / (4 eps) + const.
/// Returns the number of accepted proposals.
pub fn mala_step(
    energy: &dyn Energy,
    x: &mut Array2<f64>,
    step_size: f64,
    rng: &mut impl Rng,
) -> usize {
    let (e_x, g_x) = energy.energies_and_grads(x.view());
    let noise = gaussian_noise(x.dim(), rng);
    let y = &*x - &(step_size * &g_x) + (2.0 * step_size).sqrt() * &noise;
    let (e_y, g_y) = energy.energies_and_grads(y.view());
    let log_q = |to: ArrayView2<f64>, from: ArrayView2<f64>, g_from: &Array2<f64>, i: usize| {
        let r = &to.row(i) - &from.row(i) + step_size * &g_from.row(i);
        -r.dot(&r) / (4.0 * step_size)
    };
    let mut accepted = 0;
    for i in 0..x.nrows() {
        let log_alpha = -e_y[i] + e_x[i] + log_q(x.view(), y.view(), &g_y, i)
            - log_q(y.view(), x.view(), &g_x, i);
        // A non-finite proposal (NaN energy) is never accepted.
        if log_alpha.is_finite() && rng.random::<f64>().ln() < log_alpha {
            x.row_mut(i).assign(&y.row(i));
            accepted += 1;
        }
    }
    accepted
}
// ANCHOR_END: mala

/// `n_steps` MALA steps; returns the acceptance rate.
pub fn mala(
    energy: &dyn Energy,
    x: &mut Array2<f64>,
    n_steps: usize,
    step_size: f64,
    rng: &mut impl Rng,
) -> f64 {
    let mut accepted = 0;
    for _ in 0..n_steps {
        accepted += mala_step(energy, x, step_size, rng);
    }
    accepted as f64 / (n_steps * x.nrows()).max(1) as f64
}

// ANCHOR: annealed
/// Annealed Langevin, eq. (12.5): `steps_per_level` ULA steps on each energy
/// of the ladder in turn (from the flattest to the target), with step size
/// `step_sizes[k]` on level k. With noised energies E_sigma and step sizes
/// proportional to sigma^2 this is the sampler of NCSN.
pub fn annealed_langevin(
    levels: &[&dyn Energy],
    step_sizes: &[f64],
    steps_per_level: usize,
    x: &mut Array2<f64>,
    rng: &mut impl Rng,
) {
    for (energy, &step_size) in levels.iter().zip(step_sizes) {
        for _ in 0..steps_per_level {
            ula_step(*energy, x, step_size, 1.0, rng);
        }
    }
}
// ANCHOR_END: annealed

/// The practitioner's sampler (IGEBM, JEM, the UvA tutorial): step size and
/// noise chosen independently, the gradient clipped, samples clamped.
#[derive(Clone, Copy, Debug)]
pub struct CooledSampler {
    pub step_size: f64,
    pub noise_std: f64,
    /// Clip each gradient component to [-c, c].
    pub grad_clip: Option<f64>,
    /// Clamp each coordinate to [lo, hi] after every step.
    pub clamp: Option<(f64, f64)>,
}

// ANCHOR: cooled
impl CooledSampler {
    /// The temperature this sampler targets where no clipping or clamping
    /// acts, eq. (11.7): x - eps g + s xi is ULA at T = s^2 / (2 eps).
    pub fn temperature(&self) -> f64 {
        self.noise_std * self.noise_std / (2.0 * self.step_size)
    }

    /// One step x <- clamp(x - eps clip(grad E) + s xi).
    pub fn step(&self, energy: &dyn Energy, x: &mut Array2<f64>, rng: &mut impl Rng) {
        let (_, grad) = energy.energies_and_grads(x.view());
        let noise = gaussian_noise(x.dim(), rng);
        Zip::from(x).and(&grad).and(&noise).for_each(|x, &g, &z| {
            let g = self.grad_clip.map_or(g, |c| g.clamp(-c, c));
            *x += -self.step_size * g + self.noise_std * z;
            if let Some((lo, hi)) = self.clamp {
                *x = x.clamp(lo, hi);
            }
        });
    }
}
// ANCHOR_END: cooled

/// Persistent negative samples: each draw re-initialises a sample with
/// probability `reinit_probability` (with `fresh`) and reuses it otherwise.
#[derive(Clone, Debug)]
pub struct ReplayBuffer {
    pub samples: Array2<f64>,
    pub reinit_probability: f64,
}

impl ReplayBuffer {
    /// A buffer filled with `initial` (one sample per row).
    pub fn new(initial: Array2<f64>, reinit_probability: f64) -> Self {
        ReplayBuffer {
            samples: initial,
            reinit_probability,
        }
    }

    /// A batch of `n` starting points and the buffer rows they came from.
    pub fn draw(
        &self,
        n: usize,
        fresh: &mut impl FnMut(&mut dyn rand::RngCore) -> Array1<f64>,
        rng: &mut impl Rng,
    ) -> (Array2<f64>, Vec<usize>) {
        let mut batch = Array2::zeros((n, self.samples.ncols()));
        let mut rows = Vec::with_capacity(n);
        for mut out in batch.outer_iter_mut() {
            let k = rng.random_range(0..self.samples.nrows());
            if rng.random::<f64>() < self.reinit_probability {
                out.assign(&fresh(rng));
            } else {
                out.assign(&self.samples.row(k));
            }
            rows.push(k);
        }
        (batch, rows)
    }

    /// Put the evolved samples back where they were drawn from.
    pub fn store(&mut self, batch: ArrayView2<f64>, rows: &[usize]) {
        for (row, &k) in batch.outer_iter().zip(rows) {
            self.samples.row_mut(k).assign(&row);
        }
    }
}
