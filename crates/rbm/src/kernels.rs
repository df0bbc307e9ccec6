//! Fast kernels for [`crate::Trainer::train_epoch`]: the same CD-k / PCD
//! update as [`crate::cd_gradient`] + [`crate::Trainer::apply`], computed
//! without allocating per minibatch and with the two cores.
//!
//! The readable functions stay the reference; the tests at the bottom check
//! that, fed the same random numbers, these kernels give the same update.
//!
//! What makes them fast:
//! - Visible vectors are mostly zero (binary MNIST: 13% ones), so W v is a
//!   sum of a few columns of W, and the weight statistics sum_n h_n v_n^T
//!   are, for each visible unit j, a sum of the few rows h_n with v_nj != 0.
//!   For that the weights are kept transposed, W^T of shape (n_visible,
//!   n_hidden), during an epoch: each column of W is then a contiguous row.
//! - The only dense product left, H W (sampled hidden states are about half
//!   ones), goes to matrixmultiply (one thread) in blocks of visible units
//!   that rayon shares out, each followed by its sigmoid and sampling. One
//!   thread pool, rayon's, for everything: with matrixmultiply's own pool
//!   as well, the two pools' threads took turns on two cores and the
//!   command spent about a third of its time switching between them.
//! - Uniform numbers are drawn in blocks (one `fill` per Gibbs half-step),
//!   in exactly the order the readable code draws them.
//! - The sigmoid uses an exponential that the compiler vectorises.
//! - The gradient of the weights is never stored: each row of W^T is
//!   summed, then its velocity and weights updated, in one pass.
//!
//! Every result is independent of the number of threads: each output row is
//! computed by one thread, in a fixed order.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use rand::Rng;
use rayon::prelude::*;

use crate::softmax_group::SoftmaxGroup;

/// Columns handled at once by [`sum_of_rows`]: 64 f32 live in registers.
const CHUNK: usize = 64;

/// rand's f32 from a u32: the top 24 bits times 2^-24, a number in [0, 1).
const U32_TO_UNIT: f32 = 1.0 / (1u32 << 24) as f32;

/// A uniform in [0, 1) from a u32, as rand makes an f32: its top 24 bits
/// times 2^-24.
#[inline(always)]
fn unit_from_u32(u: u32) -> f32 {
    ((u >> 8) as f32) * U32_TO_UNIT
}

/// `fn name = body(args);` defines `name`, which runs `body` compiled for
/// AVX-512F or AVX2 where the processor has them, and as it is elsewhere.
/// Rust never fuses a multiply and an add behind the programmer's back, so
/// each element goes through the same operations, in the same order, on
/// every path: only the vector width differs, and the bits do not.
macro_rules! wide_vectors {
    ($(#[$doc:meta])* fn $name:ident = $body:ident($($arg:ident: $ty:ty),* $(,)?);) => {
        $(#[$doc])*
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the processor supports AVX-512F, checked on the line above.
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the processor supports AVX2, checked on the line above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

/// A batch of vectors stored by their non-zero entries: row n is
/// `entries[starts[n]..starts[n + 1]]`, each entry (column, value).
#[derive(Clone, Debug, Default)]
pub(crate) struct SparseRows {
    starts: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl SparseRows {
    /// Fill from a dense batch, reusing the buffers.
    ///
    /// Branch-free: every entry is written at the end of the filled part,
    /// which only grows past it when the entry is non-zero. Whether a pixel
    /// is zero is unpredictable (13% ones), so an `if` would mispredict
    /// often; this costs a fraction of that.
    pub(crate) fn assign(&mut self, dense: ArrayView2<f32>) {
        self.starts.clear();
        self.starts.push(0);
        self.entries.resize(dense.len(), (0, 0.0));
        let mut filled = 0;
        for row in dense.rows() {
            for (j, &x) in row.iter().enumerate() {
                self.entries[filled] = (j as u32, x);
                filled += usize::from(x != 0.0);
            }
            self.starts.push(filled);
        }
        self.entries.truncate(filled);
    }

    fn row(&self, n: usize) -> &[(u32, f32)] {
        &self.entries[self.starts[n]..self.starts[n + 1]]
    }

    fn n_rows(&self) -> usize {
        self.starts.len() - 1
    }
}

/// `out = init + sum over picks (r, a) of a * matrix[r, ..]`, where `matrix`
/// is row-major with rows as long as `out`. The heart of the sparse
/// products: W v for a sparse v is such a sum over the columns of W.
#[inline(always)]
fn sum_of_rows_body(out: &mut [f32], init: &[f32], matrix: &[f32], picks: &[(u32, f32)]) {
    let width = out.len();
    let mut start = 0;
    while start + CHUNK <= width {
        let mut acc: [f32; CHUNK] = init[start..start + CHUNK].try_into().expect("CHUNK");
        for &(r, a) in picks {
            let base = r as usize * width + start;
            let row: &[f32; CHUNK] = matrix[base..base + CHUNK].try_into().expect("CHUNK");
            for (s, x) in acc.iter_mut().zip(row) {
                *s += a * x;
            }
        }
        out[start..start + CHUNK].copy_from_slice(&acc);
        start += CHUNK;
    }
    let rest = &mut out[start..];
    let len = rest.len();
    rest.copy_from_slice(&init[start..]);
    for &(r, a) in picks {
        let base = r as usize * width + start;
        for (s, x) in rest.iter_mut().zip(&matrix[base..base + len]) {
            *s += a * x;
        }
    }
}

wide_vectors! {
    /// [`sum_of_rows_body`], with the widest vectors the processor has.
    fn sum_of_rows = sum_of_rows_body(out: &mut [f32], init: &[f32], matrix: &[f32], picks: &[(u32, f32)]);
}

/// e^x for |x| <= 87 with a relative error of a few 1e-7: x = n ln 2 + r,
/// e^r by its degree-6 Taylor polynomial (|r| <= ln 2 / 2), times 2^n built
/// in the exponent bits. Branch-free, so loops over it vectorise. Arguments
/// are clamped to [-87, 87], where e^x is still a normal f32.
#[inline(always)]
fn exp_approx(x: f32) -> f32 {
    const ROUNDER: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 87.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUNDER;
    let n = shifted - ROUNDER;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6; // ln 2 in two parts
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let two_to_n = f32::from_bits(((shifted.to_bits() as i32 - 0x4B40_0000 + 127) << 23) as u32);
    p * two_to_n
}

/// sigmoid(x) = 1 / (1 + e^-x) with [`exp_approx`]; always in [0, 1].
#[inline(always)]
fn sigmoid_approx(x: f32) -> f32 {
    1.0 / (1.0 + exp_approx(-x))
}

/// Probabilities in place (sigmoid of the inputs), then binary samples
/// u < p with u from the u32s as rand makes an f32 from them.
#[inline(always)]
fn sigmoid_and_sample_body(probabilities: &mut [f32], uniforms: &[u32], samples: &mut [f32]) {
    for p in probabilities.iter_mut() {
        *p = sigmoid_approx(*p);
    }
    for ((s, &p), &u) in samples.iter_mut().zip(&*probabilities).zip(uniforms) {
        *s = if unit_from_u32(u) < p { 1.0 } else { 0.0 };
    }
}

wide_vectors! {
    /// [`sigmoid_and_sample_body`], with the widest vectors the processor has.
    fn sigmoid_and_sample = sigmoid_and_sample_body(probabilities: &mut [f32], uniforms: &[u32], samples: &mut [f32]);
}

/// The constants of one momentum step of the weights.
#[derive(Clone, Copy)]
struct Step {
    momentum: f32,
    lr: f32,
    decay: f32,
}

/// v <- momentum v + lr (g - decay w); w <- w + v, element by element (the
/// update of [`crate::Trainer::apply`] for one row of W^T).
#[inline(always)]
fn momentum_step_body(w: &mut [f32], v: &mut [f32], g: &[f32], step: Step) {
    let Step {
        momentum,
        lr,
        decay,
    } = step;
    for ((w, v), g) in w.iter_mut().zip(v.iter_mut()).zip(g) {
        *v = momentum * *v + lr * (g - decay * *w);
        *w += *v;
    }
}

wide_vectors! {
    /// [`momentum_step_body`], with the widest vectors the processor has:
    /// with minibatches of 10 the step runs once per 10 examples over every
    /// weight.
    fn momentum_step = momentum_step_body(w: &mut [f32], v: &mut [f32], g: &[f32], step: Step);
}

/// The sigmoid of [`sigmoid_and_sample`] alone (for the last hidden
/// probabilities, which are not sampled).
fn sigmoid_in_place(xs: &mut [f32]) {
    for x in xs {
        *x = sigmoid_approx(*x);
    }
}

/// The training state of one epoch in the layout the kernels want, and
/// every buffer a minibatch needs, allocated once.
#[derive(Clone, Debug)]
pub(crate) struct Workspace {
    n_hidden: usize,
    /// W^T, shape (n_visible, n_hidden): row j is the column W_{.j}.
    weights_t: Array2<f32>,
    /// The velocity of the weights, transposed like them.
    velocity_t: Array2<f32>,
    data: SparseRows,
    chain: SparseRows,
    /// p(h | data), then p(h | v_k): both kept for the statistics.
    hidden_data: Vec<f32>,
    hidden_model: Vec<f32>,
    hidden_sample: Vec<f32>,
    visible: Vec<f32>,
    visible_sample: Vec<f32>,
    uniforms: Vec<u32>,
    /// For each visible unit j, the (row of [hidden_data; hidden_model], ±v_nj).
    column_starts: Vec<usize>,
    column_picks: Vec<(u32, f32)>,
    /// Visible units drawn one-hot (label units), if any.
    softmax_group: Option<SoftmaxGroup>,
}

/// What one update needs besides the workspace.
pub(crate) struct Update<'a> {
    pub visible_bias: &'a mut Array1<f32>,
    pub hidden_bias: &'a mut Array1<f32>,
    pub velocity_visible: &'a mut Array1<f32>,
    pub velocity_hidden: &'a mut Array1<f32>,
    pub learning_rate: f32,
    pub momentum: f32,
    pub weight_decay: f32,
}

impl Workspace {
    /// Take the weights (n_hidden, n_visible) and their velocity, transposed.
    pub(crate) fn new(weights: ArrayView2<f32>, velocity: ArrayView2<f32>) -> Self {
        Self {
            n_hidden: weights.nrows(),
            weights_t: weights.t().as_standard_layout().into_owned(),
            velocity_t: velocity.t().as_standard_layout().into_owned(),
            data: SparseRows::default(),
            chain: SparseRows::default(),
            hidden_data: Vec::new(),
            hidden_model: Vec::new(),
            hidden_sample: Vec::new(),
            visible: Vec::new(),
            visible_sample: Vec::new(),
            uniforms: Vec::new(),
            column_starts: Vec::new(),
            column_picks: Vec::new(),
            softmax_group: None,
        }
    }

    /// Draw the visible units of `group` one-hot in every Gibbs step, as
    /// [`crate::softmax_gibbs_step`] does.
    pub(crate) fn with_softmax_group(mut self, group: Option<SoftmaxGroup>) -> Self {
        self.softmax_group = group;
        self
    }

    /// Write the weights and their velocity back, in the model's layout.
    pub(crate) fn store(&self, mut weights: ArrayViewMut2<f32>, mut velocity: ArrayViewMut2<f32>) {
        weights.assign(&self.weights_t.t());
        velocity.assign(&self.velocity_t.t());
    }

    fn n_visible(&self) -> usize {
        self.weights_t.nrows()
    }

    /// One CD-k update (`chain_start` = None: the chains start at the
    /// batch) or PCD update (`chain_start` = the persistent states, which
    /// are replaced by the states after k steps). Draws its random numbers
    /// from `rng` in the order of [`crate::gibbs_chain`].
    ///
    /// The whole step runs on one of rayon's threads: called from another
    /// thread (the command's main thread), each parallel loop would hand
    /// its work over to the pool and wait to be woken; this way the
    /// caller hands over once per minibatch.
    pub(crate) fn step(
        &mut self,
        batch: ArrayView2<f32>,
        chain_start: Option<&mut Array2<f32>>,
        k: usize,
        update: Update,
        rng: &mut (impl Rng + Send),
    ) {
        rayon::scope(|_| self.step_in_pool(batch, chain_start, k, update, rng));
    }

    fn step_in_pool(
        &mut self,
        batch: ArrayView2<f32>,
        chain_start: Option<&mut Array2<f32>>,
        k: usize,
        update: Update,
        rng: &mut impl Rng,
    ) {
        self.data.assign(batch);
        let mut hidden_data = std::mem::take(&mut self.hidden_data);
        self.hidden_probabilities(&self.data, update.hidden_bias, &mut hidden_data, None);
        self.hidden_data = hidden_data;
        match &chain_start {
            Some(states) => self.chain.assign(states.view()),
            None => self.chain.clone_from(&self.data),
        }
        let n_chains = self.chain.n_rows();
        for step in 0..k {
            // For CD the first hidden probabilities are those of the data.
            let reuse = step == 0 && chain_start.is_none();
            self.gibbs_step(update.visible_bias, update.hidden_bias, reuse, rng);
        }
        let mut hidden_model = std::mem::take(&mut self.hidden_model);
        self.hidden_probabilities(&self.chain, update.hidden_bias, &mut hidden_model, None);
        self.hidden_model = hidden_model;
        if let Some(states) = chain_start {
            let shape = (n_chains, self.n_visible());
            states.assign(&ArrayView2::from_shape(shape, &self.visible_sample).expect("shape"));
        }
        self.apply(batch.nrows(), n_chains, update);
    }

    /// p(h | v) for the sparse rows v; with `uniforms`, also a sample of h.
    fn hidden_probabilities(
        &self,
        v: &SparseRows,
        hidden_bias: &Array1<f32>,
        probabilities: &mut Vec<f32>,
        sample: Option<(&[u32], &mut Vec<f32>)>,
    ) {
        let n_hidden = self.n_hidden;
        let bias = hidden_bias.as_slice().expect("contiguous bias");
        let matrix = self.weights_t.as_slice().expect("standard layout");
        probabilities.resize(v.n_rows() * n_hidden, 0.0);
        let rows = probabilities.par_chunks_mut(n_hidden).enumerate();
        match sample {
            Some((uniforms, samples)) => {
                samples.resize(v.n_rows() * n_hidden, 0.0);
                rows.zip(samples.par_chunks_mut(n_hidden))
                    .for_each(|((n, p), s)| {
                        sum_of_rows(p, bias, matrix, v.row(n));
                        let u = &uniforms[n * n_hidden..(n + 1) * n_hidden];
                        sigmoid_and_sample(p, u, s);
                    });
            }
            None => rows.for_each(|(n, p)| {
                sum_of_rows(p, bias, matrix, v.row(n));
                sigmoid_in_place(p);
            }),
        }
    }

    /// v -> h -> v' for the chain rows, eq. (5.1); the new visible states
    /// replace `self.chain` (and are in `self.visible_sample`).
    fn gibbs_step(
        &mut self,
        visible_bias: &Array1<f32>,
        hidden_bias: &Array1<f32>,
        reuse_data_probabilities: bool,
        rng: &mut impl Rng,
    ) {
        let (n_chains, n_hidden, n_visible) =
            (self.chain.n_rows(), self.n_hidden, self.n_visible());
        self.uniforms.resize(n_chains * n_hidden, 0);
        rng.fill(&mut self.uniforms[..]);
        let mut probabilities = std::mem::take(&mut self.hidden_model);
        let mut samples = std::mem::take(&mut self.hidden_sample);
        if reuse_data_probabilities {
            samples.resize(self.hidden_data.len(), 0.0);
            sample_only(&self.hidden_data, &self.uniforms, &mut samples);
        } else {
            let uniforms = std::mem::take(&mut self.uniforms);
            let sample = Some((&uniforms[..], &mut samples));
            self.hidden_probabilities(&self.chain, hidden_bias, &mut probabilities, sample);
            self.uniforms = uniforms;
        }
        self.hidden_model = probabilities;
        self.hidden_sample = samples;
        self.uniforms.resize(n_chains * n_visible, 0);
        rng.fill(&mut self.uniforms[..]);
        self.visible.resize(n_chains * n_visible, 0.0);
        self.visible_sample.resize(n_chains * n_visible, 0.0);
        let shape = (n_chains, n_visible);
        let h = ArrayView2::from_shape((n_chains, n_hidden), &self.hidden_sample).expect("shape");
        let uniforms = ArrayView2::from_shape(shape, &self.uniforms).expect("shape");
        visible_probabilities_and_sample(
            h,
            self.weights_t.view(),
            visible_bias.as_slice().expect("contiguous bias"),
            uniforms,
            ArrayViewMut2::from_shape(shape, &mut self.visible).expect("shape"),
            ArrayViewMut2::from_shape(shape, &mut self.visible_sample).expect("shape"),
        );
        if let Some(group) = self.softmax_group.clone() {
            self.resample_softmax_group(&group, visible_bias);
        }
        let states =
            ArrayView2::from_shape((n_chains, n_visible), &self.visible_sample).expect("shape");
        self.chain.assign(states);
    }

    /// Replace the group's Bernoulli draws by one-hot draws from
    /// softmax(b_G + (W^T h)_G), with the uniform of the group's first unit
    /// (see [`SoftmaxGroup::resample_row`]). Few units: plain dot products.
    fn resample_softmax_group(&mut self, group: &SoftmaxGroup, visible_bias: &Array1<f32>) {
        let (n_hidden, n_visible) = (self.n_hidden, self.n_visible());
        let units = group.units();
        let mut activations = vec![0.0f32; units.len()];
        let rows = self
            .visible
            .chunks_mut(n_visible)
            .zip(self.visible_sample.chunks_mut(n_visible))
            .zip(self.hidden_sample.chunks(n_hidden))
            .zip(self.uniforms.chunks(n_visible));
        for (((p, v), h), u) in rows {
            for (a, j) in activations.iter_mut().zip(units.clone()) {
                let w = self.weights_t.row(j);
                *a = visible_bias[j] + h.iter().zip(w.iter()).map(|(h, w)| h * w).sum::<f32>();
            }
            let u = unit_from_u32(u[units.start]);
            group.resample_row(&activations, u, p, v);
        }
    }

    /// For each visible unit j, the rows of [hidden_data; hidden_model] to
    /// add (weight v_nj / n_data) and subtract (weight v'_nj / n_chains):
    /// the weight statistics of eq. (4.3), column j of W, as a sum of rows.
    fn collect_columns(&mut self, n_data: usize, n_chains: usize) {
        let n_visible = self.n_visible();
        let mut counts = vec![0usize; n_visible + 1];
        for &(j, _) in self.data.entries.iter().chain(&self.chain.entries) {
            counts[j as usize + 1] += 1;
        }
        for j in 0..n_visible {
            counts[j + 1] += counts[j];
        }
        self.column_starts.clone_from(&counts);
        self.column_picks.resize(counts[n_visible], (0, 0.0));
        let mut next = counts;
        let sources = [
            (&self.data, 0, 1.0 / n_data as f32),
            (&self.chain, n_data, -1.0 / n_chains as f32),
        ];
        for (rows, offset, scale) in sources {
            for n in 0..rows.n_rows() {
                for &(j, x) in rows.row(n) {
                    self.column_picks[next[j as usize]] = ((offset + n) as u32, scale * x);
                    next[j as usize] += 1;
                }
            }
        }
    }

    /// The update of [`crate::Trainer::apply`] from the statistics just
    /// computed, with the weight gradient formed one row of W^T at a time.
    fn apply(&mut self, n_data: usize, n_chains: usize, update: Update) {
        self.collect_columns(n_data, n_chains);
        let (n_hidden, lr, momentum) = (self.n_hidden, update.learning_rate, update.momentum);
        let step = Step {
            momentum,
            lr,
            decay: update.weight_decay,
        };
        let mut stacked = std::mem::take(&mut self.hidden_data);
        stacked.extend_from_slice(&self.hidden_model);
        let zeros = vec![0.0; n_hidden];
        let (starts, picks) = (&self.column_starts, &self.column_picks);
        let weights = self.weights_t.as_slice_mut().expect("standard layout");
        let velocity = self.velocity_t.as_slice_mut().expect("standard layout");
        weights
            .par_chunks_mut(n_hidden)
            .zip(velocity.par_chunks_mut(n_hidden))
            .enumerate()
            .for_each_init(
                || vec![0.0f32; n_hidden],
                |gradient, (j, (w, v))| {
                    sum_of_rows(gradient, &zeros, &stacked, &picks[starts[j]..starts[j + 1]]);
                    momentum_step(w, v, gradient, step);
                },
            );
        let visible_gradient = self.visible_bias_gradient(n_data, n_chains);
        let hidden_gradient = mean_rows(&stacked[..n_data * n_hidden], n_hidden)
            - mean_rows(&stacked[n_data * n_hidden..], n_hidden);
        stacked.truncate(n_data * n_hidden);
        self.hidden_data = stacked;
        add_momentum(
            update.velocity_visible,
            update.visible_bias,
            momentum,
            lr,
            &visible_gradient,
        );
        add_momentum(
            update.velocity_hidden,
            update.hidden_bias,
            momentum,
            lr,
            &hidden_gradient,
        );
    }

    /// mean v (data) - mean v' (chains), eq. (4.4).
    fn visible_bias_gradient(&self, n_data: usize, n_chains: usize) -> Array1<f32> {
        let mut gradient = Array1::zeros(self.n_visible());
        for (rows, scale) in [
            (&self.data, 1.0 / n_data as f32),
            (&self.chain, -1.0 / n_chains as f32),
        ] {
            let mut sums = Array1::<f32>::zeros(self.n_visible());
            for &(j, x) in &rows.entries {
                sums[j as usize] += x;
            }
            gradient.scaled_add(scale, &sums);
        }
        gradient
    }
}

/// Visible units per block of [`visible_probabilities_and_sample`]: 784
/// splits into four blocks of 196, enough to keep both cores busy.
const VISIBLE_BLOCK: usize = 256;

/// p(v | h) = sigmoid(b + h W) and a sample of v (eq. 5.1), for a batch of
/// hidden states `h` (about half ones, so a dense product). The visible
/// units are cut into blocks of at most [`VISIBLE_BLOCK`] that rayon shares
/// out (the blocks do not depend on the number of threads, and each value is
/// computed within one block, so neither do the bits); each block's sigmoid
/// and sampling run right after its product, while its values are in cache.
fn visible_probabilities_and_sample(
    h: ArrayView2<f32>,
    weights_t: ArrayView2<f32>,
    visible_bias: &[f32],
    uniforms: ArrayView2<u32>,
    mut probabilities: ArrayViewMut2<f32>,
    mut samples: ArrayViewMut2<f32>,
) {
    let n_visible = weights_t.nrows();
    if n_visible > VISIBLE_BLOCK {
        let mid = n_visible / 2;
        let (w_a, w_b) = weights_t.split_at(Axis(0), mid);
        let (bias_a, bias_b) = visible_bias.split_at(mid);
        let (u_a, u_b) = uniforms.split_at(Axis(1), mid);
        let (p_a, p_b) = probabilities.split_at(Axis(1), mid);
        let (s_a, s_b) = samples.split_at(Axis(1), mid);
        rayon::join(
            || visible_probabilities_and_sample(h, w_a, bias_a, u_a, p_a, s_a),
            || visible_probabilities_and_sample(h, w_b, bias_b, u_b, p_b, s_b),
        );
        return;
    }
    for mut row in probabilities.rows_mut() {
        row.as_slice_mut()
            .expect("rows of a block are contiguous")
            .copy_from_slice(visible_bias);
    }
    general_mat_mul(1.0, &h, &weights_t.t(), 1.0, &mut probabilities);
    for ((mut p, mut s), u) in probabilities
        .rows_mut()
        .into_iter()
        .zip(samples.rows_mut())
        .zip(uniforms.rows())
    {
        let contiguous = "rows of a block are contiguous";
        sigmoid_and_sample(
            p.as_slice_mut().expect(contiguous),
            u.as_slice().expect(contiguous),
            s.as_slice_mut().expect(contiguous),
        );
    }
}

fn sample_only(probabilities: &[f32], uniforms: &[u32], samples: &mut [f32]) {
    for ((s, &p), &u) in samples.iter_mut().zip(probabilities).zip(uniforms) {
        *s = if unit_from_u32(u) < p { 1.0 } else { 0.0 };
    }
}

fn mean_rows(values: &[f32], width: usize) -> Array1<f32> {
    let rows = ArrayView2::from_shape((values.len() / width, width), values).expect("shape");
    rows.sum_axis(ndarray::Axis(0)) / rows.nrows() as f32
}

/// velocity <- momentum * velocity + lr * gradient; parameters += velocity.
fn add_momentum(
    velocity: &mut Array1<f32>,
    parameters: &mut Array1<f32>,
    momentum: f32,
    learning_rate: f32,
    gradient: &Array1<f32>,
) {
    *velocity *= momentum;
    velocity.scaled_add(learning_rate, gradient);
    *parameters += &*velocity;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::softmax_group::SoftmaxGroup;
    use crate::{PersistentChains, Rbm, TrainConfig, Trainer, cd_gradient, numerics};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// The dispatchers (AVX-512 or AVX2 where the processor has them) give
    /// the bits of the plain bodies, on lengths that leave a remainder after
    /// the vectors.
    #[test]
    fn the_wide_vector_kernels_give_the_bits_of_the_plain_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut normals =
            |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random::<f32>() * 8.0 - 4.0).collect() };
        let (width, rows) = (203, 9);
        let (matrix, init) = (normals(width * rows), normals(width));
        let picks: Vec<(u32, f32)> = (0..rows as u32).map(|r| (r, 0.5 + r as f32)).collect();
        let (mut fast, mut plain) = (vec![0.0; width], vec![0.0; width]);
        sum_of_rows(&mut fast, &init, &matrix, &picks);
        sum_of_rows_body(&mut plain, &init, &matrix, &picks);
        assert_eq!(fast, plain, "sum_of_rows");

        let uniforms: Vec<u32> = (0..width as u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let (mut p_fast, mut p_plain) = (init.clone(), init.clone());
        let (mut s_fast, mut s_plain) = (vec![0.0; width], vec![0.0; width]);
        sigmoid_and_sample(&mut p_fast, &uniforms, &mut s_fast);
        sigmoid_and_sample_body(&mut p_plain, &uniforms, &mut s_plain);
        assert_eq!((p_fast, s_fast), (p_plain, s_plain), "sigmoid_and_sample");

        let step = Step {
            momentum: 0.9,
            lr: 0.1,
            decay: 1e-4,
        };
        let (mut w_fast, mut v_fast) = (matrix[..width].to_vec(), init.clone());
        let (mut w_plain, mut v_plain) = (w_fast.clone(), v_fast.clone());
        let g = &matrix[width..2 * width];
        momentum_step(&mut w_fast, &mut v_fast, g, step);
        momentum_step_body(&mut w_plain, &mut v_plain, g, step);
        assert_eq!((w_fast, v_fast), (w_plain, v_plain), "momentum_step");
    }

    #[test]
    fn the_fast_exponential_and_sigmoid_are_accurate() {
        for k in -2000..=2000 {
            let x = k as f32 * 0.04;
            let relative = (exp_approx(x) as f64 / (x as f64).exp() - 1.0).abs();
            assert!(relative < 4e-7, "exp({x}): relative error {relative}");
            assert!(
                (sigmoid_approx(x) - numerics::sigmoid(x)).abs() < 2e-7,
                "{x}"
            );
        }
        for x in [-1e30f32, -1e4, 1e4, 1e30] {
            let s = sigmoid_approx(x);
            assert!((0.0..=1.0).contains(&s) && (s - numerics::sigmoid(x)).abs() < 1e-30 + 1e-7);
        }
    }

    #[test]
    fn filling_u32s_draws_what_rand_draws_one_by_one() {
        let mut a = ChaCha8Rng::seed_from_u64(3);
        let mut b = a.clone();
        let mut block = vec![0u32; 1001];
        a.fill(&mut block[..]);
        for &u in &block {
            let f: f32 = b.random();
            assert_eq!(unit_from_u32(u), f);
        }
    }

    /// A model with 70 hidden units (one full CHUNK and a remainder) and a
    /// sparse binary batch, some rows empty.
    fn fixture(seed: u64) -> (Rbm, Array2<f32>) {
        fixture_with(seed, 23)
    }

    fn fixture_with(seed: u64, n_visible: usize) -> (Rbm, Array2<f32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let batch = Array2::from_shape_fn((9, n_visible), |(n, j)| {
            if n != 4 && rng.random::<f32>() < 0.2 + 0.05 * (j % 5) as f32 {
                1.0
            } else {
                0.0
            }
        });
        let mut rbm = Rbm::initialise(70, batch.view(), &mut rng);
        rbm.weights.mapv_inplace(|w| w * 50.0); // larger weights: sharper probabilities
        rbm.hidden_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
        (rbm, batch)
    }

    fn config() -> TrainConfig {
        TrainConfig {
            learning_rate: 0.1,
            weight_decay: 0.01,
            ..TrainConfig::default()
        }
    }

    /// The kernel's update from a zero velocity, with the generator `seed`.
    fn kernel_update(
        rbm: &Rbm,
        batch: ArrayView2<f32>,
        chains: Option<&mut Array2<f32>>,
        k: usize,
        seed: u64,
    ) -> Rbm {
        softmax_kernel_update(rbm, batch, chains, None, k, seed)
    }

    fn assert_close(a: &Rbm, b: &Rbm) {
        let pairs = [
            (
                a.visible_bias.view().into_dyn(),
                b.visible_bias.view().into_dyn(),
            ),
            (
                a.hidden_bias.view().into_dyn(),
                b.hidden_bias.view().into_dyn(),
            ),
            (a.weights.view().into_dyn(), b.weights.view().into_dyn()),
        ];
        for (x, y) in pairs {
            for (p, q) in x.iter().zip(y.iter()) {
                assert!((p - q).abs() < 2e-6, "{p} vs {q}");
            }
        }
    }

    #[test]
    fn cd_k_matches_the_readable_cd_gradient_and_apply() {
        for (seed, k) in [(1, 1), (2, 1), (3, 2), (4, 3)] {
            let (rbm, batch) = fixture(seed);
            let gradient = cd_gradient(&rbm, batch.view(), k, &mut ChaCha8Rng::seed_from_u64(99));
            let mut trainer = Trainer::new(rbm.clone(), config()).unwrap();
            trainer.apply(&gradient, 0.5);
            let fast = kernel_update(&rbm, batch.view(), None, k, 99);
            assert_close(&fast, trainer.rbm());
        }
    }

    #[test]
    fn blocks_of_visible_units_match_the_readable_path() {
        // 600 visible units: H W runs in blocks of 150 on rayon's threads.
        for (seed, k) in [(11, 1), (12, 2)] {
            let (rbm, batch) = fixture_with(seed, 600);
            let gradient = cd_gradient(&rbm, batch.view(), k, &mut ChaCha8Rng::seed_from_u64(9));
            let mut trainer = Trainer::new(rbm.clone(), config()).unwrap();
            trainer.apply(&gradient, 0.5);
            let fast = kernel_update(&rbm, batch.view(), None, k, 9);
            assert_close(&fast, trainer.rbm());
        }
    }

    #[test]
    fn the_bits_do_not_depend_on_the_number_of_threads() {
        let (rbm, batch) = fixture_with(13, 600);
        let update = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| kernel_update(&rbm, batch.view(), None, 2, 5))
        };
        let one = update(1);
        for threads in [2, 3] {
            let other = update(threads);
            assert_eq!(one.weights, other.weights, "{threads} threads");
            assert_eq!(one.visible_bias, other.visible_bias);
            assert_eq!(one.hidden_bias, other.hidden_bias);
        }
    }

    #[test]
    fn pcd_matches_the_readable_persistent_chains_and_apply() {
        for (seed, k) in [(5, 1), (6, 2)] {
            let (rbm, batch) = fixture(seed);
            let (_, start) = fixture(seed + 100); // 9 chains: other states than the batch
            let mut chains = PersistentChains::from_states(start.view());
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let gradient = chains.gradient(&rbm, batch.view(), k, &mut rng);
            let mut trainer = Trainer::new(rbm.clone(), config()).unwrap();
            trainer.apply(&gradient, 0.5);
            let mut states = start.clone();
            let fast = kernel_update(&rbm, batch.view(), Some(&mut states), k, 7);
            assert_close(&fast, trainer.rbm());
            assert_eq!(states.view(), chains.states());
        }
    }

    /// A batch whose last 5 of 23 visible units are one-hot (label units).
    fn labelled_fixture(seed: u64) -> (Rbm, Array2<f32>, SoftmaxGroup) {
        let (rbm, mut batch) = fixture(seed);
        for (n, mut row) in batch.rows_mut().into_iter().enumerate() {
            for j in 18..23 {
                row[j] = if j == 18 + (n * 3 + seed as usize) % 5 {
                    1.0
                } else {
                    0.0
                };
            }
        }
        (rbm, batch, SoftmaxGroup::new(18..23, 23).unwrap())
    }

    /// [`kernel_update`] with a softmax group of visible units, if given.
    fn softmax_kernel_update(
        rbm: &Rbm,
        batch: ArrayView2<f32>,
        chains: Option<&mut Array2<f32>>,
        group: Option<&SoftmaxGroup>,
        k: usize,
        seed: u64,
    ) -> Rbm {
        let mut result = rbm.clone();
        let mut velocity = crate::Gradient::zeros_like(rbm);
        let mut workspace = Workspace::new(rbm.weights.view(), velocity.weights.view())
            .with_softmax_group(group.cloned());
        let update = Update {
            visible_bias: &mut result.visible_bias,
            hidden_bias: &mut result.hidden_bias,
            velocity_visible: &mut velocity.visible_bias,
            velocity_hidden: &mut velocity.hidden_bias,
            learning_rate: config().learning_rate,
            momentum: 0.5,
            weight_decay: config().weight_decay,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        workspace.step(batch, chains, k, update, &mut rng);
        workspace.store(result.weights.view_mut(), velocity.weights.view_mut());
        result
    }

    #[test]
    fn softmax_group_cd_k_matches_the_readable_softmax_cd_gradient() {
        for (seed, k) in [(21, 1), (22, 1), (23, 2), (24, 3)] {
            let (rbm, batch, group) = labelled_fixture(seed);
            let mut rng = ChaCha8Rng::seed_from_u64(99);
            let gradient = crate::softmax_cd_gradient(&rbm, batch.view(), k, &group, &mut rng);
            let mut trainer = Trainer::new(rbm.clone(), config()).unwrap();
            trainer.apply(&gradient, 0.5);
            let fast = softmax_kernel_update(&rbm, batch.view(), None, Some(&group), k, 99);
            assert_close(&fast, trainer.rbm());
            // The broken variant: the kernels without the group differ.
            let bernoulli = kernel_update(&rbm, batch.view(), None, k, 99);
            let gap = (&bernoulli.visible_bias - &trainer.rbm().visible_bias)
                .slice(ndarray::s![18..])
                .mapv(f32::abs)
                .sum();
            assert!(
                gap > 1e-3,
                "seed {seed}: Bernoulli labels gave the same update"
            );
        }
    }

    #[test]
    fn softmax_group_pcd_matches_the_readable_persistent_chains() {
        for (seed, k) in [(25, 1), (26, 2)] {
            let (rbm, batch, group) = labelled_fixture(seed);
            let (_, start, _) = labelled_fixture(seed + 100);
            let mut chains = PersistentChains::from_states(start.view());
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let gradient =
                crate::softmax_pcd_gradient(&mut chains, &rbm, batch.view(), k, &group, &mut rng);
            let mut trainer = Trainer::new(rbm.clone(), config()).unwrap();
            trainer.apply(&gradient, 0.5);
            let mut states = start.clone();
            let fast =
                softmax_kernel_update(&rbm, batch.view(), Some(&mut states), Some(&group), k, 7);
            assert_close(&fast, trainer.rbm());
            assert_eq!(states.view(), chains.states());
            for row in states.rows() {
                assert_eq!(row.slice(ndarray::s![18..]).sum(), 1.0, "one-hot labels");
            }
        }
    }
}
