//! Training an energy network: maximum likelihood with sampled negatives
//! (eq. 11.10) and the alpha (E+^2 + E-^2) regulariser, or denoising score
//! matching (eq. 12.3); Adam, gradient clipping by the global norm, and a
//! divergence detector that rolls back instead of writing NaN.
//!
//! Randomness: iteration t draws from ChaCha8 stream t of the seed, so a run
//! resumed from a checkpoint gives the same bytes as an uninterrupted one.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{EbmError, Result};
use crate::mlp::{Activation, Mlp, flatten};
use crate::samplers::{LangevinWorkspace, ReplayBuffer, ula_step, ula_step_batched};

/// Which objective to minimise.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Maximum likelihood with Langevin negatives, eq. (11.10).
    MaximumLikelihood,
    /// Denoising score matching at one noise level, eq. (12.3).
    DenoisingScoreMatching,
}

/// Everything a training run needs; `check()` validates it before any work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Widths of the hidden layers (the input width comes from the data).
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub objective: Objective,
    pub n_iterations: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// The learning rate decays geometrically to learning_rate times this
    /// factor over the run (1: constant).
    pub final_learning_rate_factor: f64,
    /// Weight of the energy regulariser alpha (E(x+)^2 + E(x-)^2).
    pub alpha: f64,
    /// Clip the gradient to this global norm.
    pub grad_clip: f64,
    /// ULA steps per batch of negatives, and their step size.
    pub langevin_steps: usize,
    pub langevin_step_size: f64,
    /// Run the negatives' chains with the fast batched step
    /// (`samplers::ula_step_batched`): the same dynamics, eq. (11.5), with
    /// another noise stream, several times faster. Off by default, so that
    /// existing configurations give the same bytes.
    pub fast_sampler: bool,
    /// Replay buffer size (0: every chain starts fresh) and re-init probability.
    pub buffer_size: usize,
    pub reinit_probability: f64,
    /// Noise level sigma of denoising score matching.
    pub dsm_sigma: f64,
    /// An energy above this in absolute value counts as a divergence.
    pub max_abs_energy: f64,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: vec![64, 64],
            activation: Activation::Swish,
            objective: Objective::MaximumLikelihood,
            n_iterations: 2000,
            batch_size: 256,
            learning_rate: 1e-3,
            final_learning_rate_factor: 1.0,
            alpha: 0.1,
            grad_clip: 10.0,
            langevin_steps: 20,
            langevin_step_size: 0.01,
            fast_sampler: false,
            buffer_size: 4096,
            reinit_probability: 0.05,
            dsm_sigma: 0.1,
            max_abs_energy: 1e4,
            seed: 42,
        }
    }
}

impl TrainConfig {
    /// Refuse settings out of range, naming the field.
    pub fn check(&self) -> Result<()> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(EbmError::setting(
                    name,
                    format!("{v}: expected a finite number > 0"),
                ))
            }
        };
        positive("learning_rate", self.learning_rate)?;
        positive("grad_clip", self.grad_clip)?;
        positive(
            "final_learning_rate_factor",
            self.final_learning_rate_factor,
        )?;
        positive("langevin_step_size", self.langevin_step_size)?;
        positive("dsm_sigma", self.dsm_sigma)?;
        positive("max_abs_energy", self.max_abs_energy)?;
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(EbmError::setting(
                "alpha",
                format!("{}: expected a finite number >= 0", self.alpha),
            ));
        }
        if !(0.0..=1.0).contains(&self.reinit_probability) {
            return Err(EbmError::setting(
                "reinit_probability",
                format!(
                    "{}: expected a probability in [0, 1]",
                    self.reinit_probability
                ),
            ));
        }
        if self.batch_size == 0 || self.hidden.contains(&0) {
            return Err(EbmError::setting(
                "batch_size / hidden",
                "expected positive sizes",
            ));
        }
        // Zero iterations would write an untrained model and a NaN loss.
        if self.n_iterations == 0 {
            return Err(EbmError::setting(
                "n_iterations",
                "0: expected a count of at least 1",
            ));
        }
        Ok(())
    }
}

/// Adam's moment estimates (Kingma & Ba), over the flat parameter vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    pub m: Vec<f64>,
    pub v: Vec<f64>,
    pub t: u64,
}

impl Adam {
    pub fn new(n: usize) -> Self {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    /// theta <- theta - lr m_hat / (sqrt(v_hat) + 1e-8), beta = (0.9, 0.999).
    pub fn update(&mut self, theta: &mut [f64], grad: &[f64], learning_rate: f64) {
        let (b1, b2): (f64, f64) = (0.9, 0.999);
        self.t += 1;
        let c1 = 1.0 - b1.powi(self.t as i32);
        let c2 = 1.0 - b2.powi(self.t as i32);
        for k in 0..theta.len() {
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * grad[k];
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * grad[k] * grad[k];
            theta[k] -= learning_rate * (self.m[k] / c1) / ((self.v[k] / c2).sqrt() + 1e-8);
        }
    }
}

/// Scale `grad` down to global norm `max_norm` if it is longer; returns the
/// norm before clipping.
pub fn clip_global_norm(grad: &mut [f64], max_norm: f64) -> f64 {
    let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
    if norm > max_norm {
        grad.iter_mut().for_each(|g| *g *= max_norm / norm);
    }
    norm
}

// ANCHOR: ml_gradient
/// The gradient of the regularised maximum-likelihood loss, eq. (11.10):
/// L = mean E(x+) - mean E(x-) + alpha (mean E(x+)^2 + mean E(x-)^2),
/// dL/dtheta = sum_i w+_i grad E(x+_i) + sum_j w-_j grad E(x-_j) with
/// w+_i = (1 + 2 alpha E(x+_i)) / n and w-_j = (-1 + 2 alpha E(x-_j)) / m.
/// Returns the flat gradient and the energies of both batches.
pub fn ml_gradient(
    model: &Mlp<f64>,
    positive: ArrayView2<f64>,
    negative: ArrayView2<f64>,
    alpha: f64,
) -> (Vec<f64>, Array1<f64>, Array1<f64>) {
    let e_pos = model.energies(positive);
    let e_neg = model.energies(negative);
    let (n, m) = (positive.nrows() as f64, negative.nrows() as f64);
    let w_pos = e_pos.mapv(|e| (1.0 + 2.0 * alpha * e) / n);
    let w_neg = e_neg.mapv(|e| (-1.0 + 2.0 * alpha * e) / m);
    let g_pos = flatten(&model.weighted_param_grad(positive, w_pos.view()).1);
    let g_neg = flatten(&model.weighted_param_grad(negative, w_neg.view()).1);
    let grad = g_pos.iter().zip(&g_neg).map(|(a, b)| a + b).collect();
    (grad, e_pos, e_neg)
}
// ANCHOR_END: ml_gradient

/// The regularised maximum-likelihood loss of eq. (11.10) (for tests).
pub fn ml_loss(
    model: &Mlp<f64>,
    positive: ArrayView2<f64>,
    negative: ArrayView2<f64>,
    alpha: f64,
) -> f64 {
    let e_pos = model.energies(positive);
    let e_neg = model.energies(negative);
    let mean_sq = |e: &Array1<f64>| e.mapv(|v| v * v).mean().unwrap_or(0.0);
    e_pos.mean().unwrap_or(0.0) - e_neg.mean().unwrap_or(0.0)
        + alpha * (mean_sq(&e_pos) + mean_sq(&e_neg))
}

// ANCHOR: dsm
/// The denoising score matching loss, eq. (12.3), for noisy points
/// x~ = x + sigma xi: L = 1/(2n) sum_i |grad_x E(x~_i) - (x~_i - x_i) / sigma^2|^2.
pub fn dsm_loss(
    model: &Mlp<f64>,
    clean: ArrayView2<f64>,
    noisy: ArrayView2<f64>,
    sigma: f64,
) -> f64 {
    let residual = dsm_residual(model, clean, noisy, sigma);
    residual.mapv(|r| r * r).sum() / (2.0 * clean.nrows() as f64)
}

/// r_i = grad_x E(x~_i) - (x~_i - x_i) / sigma^2: the model's score error.
fn dsm_residual(
    model: &Mlp<f64>,
    clean: ArrayView2<f64>,
    noisy: ArrayView2<f64>,
    sigma: f64,
) -> Array2<f64> {
    let (_, grad_x) = model.energies_and_input_grads(noisy);
    grad_x - (&noisy - &clean) / (sigma * sigma)
}

/// dL/dtheta of [`dsm_loss`] = 1/n sum_i d/dtheta (r_i . grad_x E(x~_i)) with
/// r_i held fixed. The mixed derivative is the directional derivative of the
/// parameter gradient along r_i, d/dh grad_theta E(x~_i + h r_i) at h = 0,
/// which a central difference gives to O(h^2) (mixed partials commute).
pub fn dsm_gradient(
    model: &Mlp<f64>,
    clean: ArrayView2<f64>,
    noisy: ArrayView2<f64>,
    sigma: f64,
) -> Vec<f64> {
    let h = 1e-4;
    let residual = dsm_residual(model, clean, noisy, sigma);
    let norms = residual.map_axis(Axis(1), |r| r.dot(&r).sqrt());
    let directions = &residual / &norms.mapv(|n| n.max(1e-300)).insert_axis(Axis(1));
    let n = clean.nrows() as f64;
    let weights = norms.mapv(|r| r / (2.0 * h * n));
    let plus = &noisy + &(h * &directions);
    let minus = &noisy - &(h * &directions);
    let g_plus = flatten(&model.weighted_param_grad(plus.view(), weights.view()).1);
    let g_minus = flatten(&model.weighted_param_grad(minus.view(), weights.view()).1);
    g_plus.iter().zip(&g_minus).map(|(a, b)| a - b).collect()
}
// ANCHOR_END: dsm

/// A divergence caught by the detector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DivergenceEvent {
    pub iteration: usize,
    pub reason: String,
    /// The iteration of the state the run went back to.
    pub rolled_back_to: usize,
    pub new_learning_rate: f64,
}

/// What one iteration measured.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct StepReport {
    pub iteration: usize,
    pub loss: f64,
    pub mean_positive_energy: f64,
    pub mean_negative_energy: f64,
    pub grad_norm: f64,
}

/// The state a run can roll back to or resume from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    pub model_params: Vec<f64>,
    pub adam: Adam,
    pub buffer: Option<Vec<f64>>,
    pub iteration: usize,
    pub learning_rate: f64,
}

/// Whether a saved state fits a network of `n_params` parameters and a
/// replay buffer of `buffer_len` numbers (none without a buffer), and holds
/// only finite numbers, non-negative second moments and a positive learning
/// rate; the field and the problem if not.
fn check_state(
    s: &TrainState,
    n_params: usize,
    buffer_len: Option<usize>,
) -> std::result::Result<(), (&'static str, String)> {
    for (field, values) in [
        ("model_params", &s.model_params),
        ("adam.m", &s.adam.m),
        ("adam.v", &s.adam.v),
    ] {
        if values.len() != n_params {
            let problem = format!(
                "{} numbers, but the network has {n_params} parameters",
                values.len()
            );
            return Err((field, problem));
        }
    }
    if s.buffer.as_ref().map(Vec::len) != buffer_len {
        let problem = "does not match the configuration's replay buffer (buffer_size x inputs)";
        return Err(("buffer", problem.to_string()));
    }
    let buffer = s.buffer.as_ref().map(|b| ("buffer", b));
    let numbers = [
        ("model_params", &s.model_params),
        ("adam.m", &s.adam.m),
        ("adam.v", &s.adam.v),
    ];
    for (field, values) in numbers.into_iter().chain(buffer) {
        if let Some(i) = values.iter().position(|x| !x.is_finite()) {
            return Err((
                field,
                format!("entry {i} is {}; expected a finite number", values[i]),
            ));
        }
    }
    if let Some(i) = s.adam.v.iter().position(|&x| x < 0.0) {
        let problem = format!("entry {i} is {}; second moments are >= 0", s.adam.v[i]);
        return Err(("adam.v", problem));
    }
    if !(s.learning_rate.is_finite() && s.learning_rate > 0.0) {
        let problem = format!("is {}; expected a finite number > 0", s.learning_rate);
        return Err(("learning_rate", problem));
    }
    Ok(())
}

/// A training run: the model, the optimiser, the replay buffer and the log
/// of divergences.
pub struct Trainer {
    pub config: TrainConfig,
    pub model: Mlp<f64>,
    pub adam: Adam,
    pub buffer: Option<ReplayBuffer>,
    pub iteration: usize,
    pub learning_rate: f64,
    pub events: Vec<DivergenceEvent>,
    /// Fresh chains start uniformly in [low_k, high_k] on each coordinate:
    /// the data's range widened by a tenth on each side.
    low: Vec<f64>,
    high: Vec<f64>,
    last_good: TrainState,
    /// The buffers of the fast sampler, reused across iterations.
    workspace: LangevinWorkspace<f64>,
}

/// Take a snapshot to roll back to every this many good iterations.
const SNAPSHOT_EVERY: usize = 25;

impl Trainer {
    /// A fresh run on `data` (one example per row).
    pub fn new(config: TrainConfig, data: ArrayView2<f64>) -> Result<Self> {
        config.check()?;
        if data.nrows() == 0 || data.iter().any(|v| !v.is_finite()) {
            return Err(EbmError::setting(
                "data",
                "expected at least one row of finite values",
            ));
        }
        let mut sizes = vec![data.ncols()];
        sizes.extend(&config.hidden);
        sizes.push(1);
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let model = Mlp::new(&sizes, config.activation, &mut rng)?;
        let (low, high) = widened_range(data);
        let buffer = (config.buffer_size > 0 && config.objective == Objective::MaximumLikelihood)
            .then(|| {
                let initial =
                    Array2::from_shape_fn((config.buffer_size, data.ncols()), |(_, k)| {
                        rng.random_range(low[k]..=high[k])
                    });
                ReplayBuffer::new(initial, config.reinit_probability)
            });
        let adam = Adam::new(model.n_params());
        let mut trainer = Trainer {
            learning_rate: config.learning_rate,
            config,
            model,
            adam,
            buffer,
            iteration: 0,
            events: Vec::new(),
            low,
            high,
            last_good: TrainState::default(),
            workspace: LangevinWorkspace::default(),
        };
        trainer.last_good = trainer.state();
        Ok(trainer)
    }

    /// Continue a run from a saved state (same configuration and data) and
    /// the saved [`Trainer::snapshot`], so that a divergence after the resume
    /// rolls back where the uninterrupted run would. Without a snapshot (a
    /// checkpoint from before it was saved), the state itself becomes the
    /// snapshot, and the run may then differ from an uninterrupted one.
    pub fn resume(
        config: TrainConfig,
        data: ArrayView2<f64>,
        state: TrainState,
        snapshot: Option<TrainState>,
    ) -> Result<Self> {
        let mut trainer = Trainer::new(config, data)?;
        let n_params = trainer.model.n_params();
        let buffer_len = trainer.state().buffer.map(|b| b.len());
        for (s, name) in
            std::iter::once((&state, "state")).chain(snapshot.iter().map(|s| (s, "snapshot")))
        {
            check_state(s, n_params, buffer_len).map_err(|(field, problem)| {
                EbmError::setting(&format!("field `{name}.{field}`"), problem)
            })?;
        }
        trainer.restore(&state);
        trainer.last_good = snapshot.unwrap_or(state);
        Ok(trainer)
    }

    /// The state the divergence detector rolls back to: taken every
    /// `SNAPSHOT_EVERY` (25) good iterations. A checkpoint saves it beside
    /// [`Trainer::state`].
    pub fn snapshot(&self) -> &TrainState {
        &self.last_good
    }

    /// Everything needed to continue the run.
    pub fn state(&self) -> TrainState {
        TrainState {
            model_params: self.model.flat_params(),
            adam: self.adam.clone(),
            buffer: self
                .buffer
                .as_ref()
                .map(|b| b.samples.iter().copied().collect()),
            iteration: self.iteration,
            learning_rate: self.learning_rate,
        }
    }

    fn restore(&mut self, state: &TrainState) {
        self.model.set_flat_params(&state.model_params);
        self.adam = state.adam.clone();
        if let (Some(buffer), Some(values)) = (&mut self.buffer, &state.buffer) {
            buffer
                .samples
                .iter_mut()
                .zip(values)
                .for_each(|(s, v)| *s = *v);
        }
        self.iteration = state.iteration;
        self.learning_rate = state.learning_rate;
    }

    /// Negative samples: ULA chains started from the buffer (or fresh).
    fn negatives(&mut self, rng: &mut ChaCha8Rng) -> Array2<f64> {
        let (low, high) = (self.low.clone(), self.high.clone());
        let mut fresh = |r: &mut dyn rand::RngCore| -> Array1<f64> {
            low.iter()
                .zip(&high)
                .map(|(&l, &h)| l + (h - l) * r.random::<f64>())
                .collect()
        };
        let n = self.config.batch_size;
        let (mut x, rows) = match &self.buffer {
            Some(buffer) => buffer.draw(n, &mut fresh, rng),
            None => {
                let rows: Vec<Array1<f64>> = (0..n).map(|_| fresh(rng)).collect();
                let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
                (
                    ndarray::stack(Axis(0), &views).expect("equal rows"),
                    Vec::new(),
                )
            }
        };
        let step_size = self.config.langevin_step_size;
        for _ in 0..self.config.langevin_steps {
            if self.config.fast_sampler {
                ula_step_batched(
                    &self.model,
                    &mut x,
                    step_size,
                    1.0,
                    &mut self.workspace,
                    rng,
                );
            } else {
                ula_step(&self.model, &mut x, step_size, 1.0, rng);
            }
        }
        if let Some(buffer) = &mut self.buffer {
            buffer.store(x.view(), &rows);
        }
        x
    }

    /// One iteration. Returns None when a divergence was caught and the run
    /// rolled back (see `events`); an error when the learning rate has been
    /// halved below 1e-12 without recovering.
    pub fn step(&mut self, data: ArrayView2<f64>) -> Result<Option<StepReport>> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        rng.set_stream(self.iteration as u64 + 1);
        let rows: Vec<usize> = (0..self.config.batch_size)
            .map(|_| rng.random_range(0..data.nrows()))
            .collect();
        let positive = data.select(Axis(0), &rows);
        let (mut grad, loss, e_pos, e_neg) = match self.config.objective {
            Objective::MaximumLikelihood => {
                let negative = self.negatives(&mut rng);
                let (g, e_pos, e_neg) = ml_gradient(
                    &self.model,
                    positive.view(),
                    negative.view(),
                    self.config.alpha,
                );
                let loss = e_pos.mean().unwrap_or(0.0) - e_neg.mean().unwrap_or(0.0);
                (g, loss, e_pos, e_neg)
            }
            Objective::DenoisingScoreMatching => {
                let sigma = self.config.dsm_sigma;
                let noise = Array2::from_shape_simple_fn(positive.dim(), || {
                    rng.sample::<f64, _>(StandardNormal)
                });
                let noisy = &positive + &(sigma * &noise);
                let g = dsm_gradient(&self.model, positive.view(), noisy.view(), sigma);
                let loss = dsm_loss(&self.model, positive.view(), noisy.view(), sigma);
                (
                    g,
                    loss,
                    self.model.energies(positive.view()),
                    Array1::zeros(0),
                )
            }
        };
        let grad_norm = clip_global_norm(&mut grad, self.config.grad_clip);
        if let Some(reason) = self.divergence(loss, grad_norm, &e_pos, &e_neg) {
            self.roll_back(reason)?;
            return Ok(None);
        }
        let mut theta = self.model.flat_params();
        let progress = self.iteration as f64 / self.config.n_iterations.max(1) as f64;
        let decay = self
            .config
            .final_learning_rate_factor
            .powf(progress.min(1.0));
        self.adam
            .update(&mut theta, &grad, self.learning_rate * decay);
        self.model.set_flat_params(&theta);
        self.iteration += 1;
        if self.iteration.is_multiple_of(SNAPSHOT_EVERY) {
            self.last_good = self.state();
        }
        Ok(Some(StepReport {
            iteration: self.iteration,
            loss,
            mean_positive_energy: e_pos.mean().unwrap_or(0.0),
            mean_negative_energy: e_neg.mean().unwrap_or(0.0),
            grad_norm,
        }))
    }

    /// The divergence detector: a non-finite loss or gradient, or an energy
    /// beyond `max_abs_energy`.
    fn divergence(
        &self,
        loss: f64,
        grad_norm: f64,
        e_pos: &Array1<f64>,
        e_neg: &Array1<f64>,
    ) -> Option<String> {
        if !loss.is_finite() || !grad_norm.is_finite() {
            return Some(format!(
                "non-finite loss ({loss}) or gradient norm ({grad_norm})"
            ));
        }
        let limit = self.config.max_abs_energy;
        let worst = e_pos.iter().chain(e_neg).fold(0.0f64, |m, e| {
            if e.is_nan() {
                f64::INFINITY
            } else {
                m.max(e.abs())
            }
        });
        (worst > limit).then(|| format!("energy {worst:.3e} beyond max_abs_energy = {limit:.1e}"))
    }

    fn roll_back(&mut self, reason: String) -> Result<()> {
        let at = self.iteration;
        let good = self.last_good.clone();
        self.restore(&good);
        self.learning_rate = self.learning_rate.min(good.learning_rate) * 0.5;
        self.last_good.learning_rate = self.learning_rate;
        self.events.push(DivergenceEvent {
            iteration: at,
            reason,
            rolled_back_to: good.iteration,
            new_learning_rate: self.learning_rate,
        });
        if self.learning_rate < 1e-12 {
            return Err(EbmError::setting(
                "learning_rate",
                format!(
                    "training kept diverging down to a learning rate of {:.1e}; lower it or raise alpha",
                    self.learning_rate
                ),
            ));
        }
        Ok(())
    }
}

impl Default for TrainState {
    fn default() -> Self {
        TrainState {
            model_params: Vec::new(),
            adam: Adam::new(0),
            buffer: None,
            iteration: 0,
            learning_rate: 0.0,
        }
    }
}

/// Per coordinate, the data's [min, max] widened by a tenth of its width on
/// each side (at least 0.1).
fn widened_range(data: ArrayView2<f64>) -> (Vec<f64>, Vec<f64>) {
    data.columns()
        .into_iter()
        .map(|c| {
            let lo = c.fold(f64::INFINITY, |a, &b| a.min(b));
            let hi = c.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let pad = (0.1 * (hi - lo)).max(0.1);
            (lo - pad, hi + pad)
        })
        .unzip()
}
