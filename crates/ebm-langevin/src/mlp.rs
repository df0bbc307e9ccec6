//! The energy network: a multilayer perceptron E_theta: R^d -> R whose single
//! output *is* the energy, so low energy means likely (eq. 11.1 in the book).
//! Everything is batched: a batch is an (n, d) array with one example per
//! row. The gradients are derived by hand (backpropagation, eqs. 11.2-11.3)
//! and checked against central finite differences in the tests.

use std::borrow::Cow;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::{EbmError, Result};
use crate::numerics::{Real, sigmoid, softplus, swish, swish_derivative};

/// The smooth nonlinearity applied after every layer but the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Swish,
    Softplus,
}

impl Activation {
    /// Parse the model file's name, "swish" or "softplus".
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "swish" => Some(Activation::Swish),
            "softplus" => Some(Activation::Softplus),
            _ => None,
        }
    }

    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Swish => "swish",
            Activation::Softplus => "softplus",
        }
    }

    fn apply<F: Real>(self, x: F) -> F {
        match self {
            Activation::Swish => swish(x),
            Activation::Softplus => softplus(x),
        }
    }

    fn derivative<F: Real>(self, x: F) -> F {
        match self {
            Activation::Swish => swish_derivative(x),
            Activation::Softplus => sigmoid(x),
        }
    }

    /// The fast path's fused pass over a layer: with x = a + bias (row by
    /// row), a <- act(x) and slope <- act'(x), by the `numerics` kernels.
    fn apply_with_derivative<F: Real>(self, a: &mut [F], bias: &[F], slope: &mut [F]) {
        match self {
            Activation::Swish => numerics::neural::swish_with_derivative(a, bias, slope),
            Activation::Softplus => numerics::neural::softplus_with_derivative(a, bias, slope),
        }
    }
}

/// One affine layer a = W h + b; `weights` has n_out rows and n_in columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer<F> {
    pub weights: Array2<F>,
    pub bias: Array1<F>,
}

/// The network: layers from the input to the one output.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp<F> {
    pub activation: Activation,
    pub layers: Vec<Layer<F>>,
}

/// A parameter gradient has the shape of the network's layers.
pub type ParamGrad<F> = Vec<Layer<F>>;

/// What the backward pass needs from the forward pass: the input of every
/// layer and the pre-activation of every hidden layer.
struct Trace<F> {
    inputs: Vec<Array2<F>>,
    pre_activations: Vec<Array2<F>>,
}

impl<F: Real> Mlp<F> {
    /// A network with layer widths `sizes` = [d, h_1, ..., 1], weights drawn
    /// from N(0, 1 / n_in) and zero biases.
    pub fn new(sizes: &[usize], activation: Activation, rng: &mut impl Rng) -> Result<Self> {
        if sizes.len() < 2 || sizes.contains(&0) || sizes.last() != Some(&1) {
            return Err(EbmError::setting(
                "layer sizes",
                format!("{sizes:?}: need at least [d, 1], all positive, ending in 1 (the energy)"),
            ));
        }
        let layers = sizes
            .windows(2)
            .map(|w| {
                let scale = 1.0 / (w[0] as f64).sqrt();
                Layer {
                    weights: Array2::from_shape_simple_fn((w[1], w[0]), || {
                        let z: f64 = StandardNormal.sample(rng);
                        F::of(scale * z)
                    }),
                    bias: Array1::zeros(w[1]),
                }
            })
            .collect();
        Ok(Mlp { activation, layers })
    }

    /// The input dimension d.
    pub fn n_inputs(&self) -> usize {
        self.layers[0].weights.ncols()
    }

    /// The widths [d, h_1, ..., 1].
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.n_inputs()];
        sizes.extend(self.layers.iter().map(|l| l.weights.nrows()));
        sizes
    }

    /// The same network in another float type.
    pub fn cast<G: Real>(&self) -> Mlp<G> {
        let to = |x: &F| G::of(x.to_f64().unwrap_or(f64::NAN));
        Mlp {
            activation: self.activation,
            layers: self
                .layers
                .iter()
                .map(|l| Layer {
                    weights: l.weights.map(to),
                    bias: l.bias.map(to),
                })
                .collect(),
        }
    }

    // ANCHOR: forward
    /// Energies of a batch, one per row: eq. (11.1) in the book,
    /// h_0 = x, h_l = act(W_l h_{l-1} + b_l), E(x) = W_L h_{L-1} + b_L.
    pub fn energies(&self, x: ArrayView2<F>) -> Array1<F> {
        self.forward(x, false).0
    }

    fn forward(&self, x: ArrayView2<F>, keep_trace: bool) -> (Array1<F>, Trace<F>) {
        let mut trace = Trace {
            inputs: Vec::new(),
            pre_activations: Vec::new(),
        };
        let mut h = x.to_owned();
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let a = h.dot(&layer.weights.t()) + &layer.bias;
            if l == last {
                if keep_trace {
                    trace.inputs.push(h);
                }
                return (a.column(0).to_owned(), trace);
            }
            let next = a.mapv(|v| self.activation.apply(v));
            if keep_trace {
                trace.inputs.push(h);
                trace.pre_activations.push(a);
            }
            h = next;
        }
        unreachable!("a network has at least one layer")
    }
    // ANCHOR_END: forward

    // ANCHOR: backward
    /// Backpropagation of d(sum_i w_i E(x_i)), eqs. (11.2)-(11.3): returns
    /// the gradient with respect to each input row and, if asked for, with
    /// respect to the parameters. `delta` is dE/da for the current layer.
    fn backward(
        &self,
        trace: &Trace<F>,
        weights: ArrayView1<F>,
        want_params: bool,
    ) -> (Array2<F>, ParamGrad<F>) {
        let mut delta = weights.to_owned().insert_axis(Axis(1));
        let mut grads = Vec::new();
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            if want_params {
                grads.push(Layer {
                    weights: delta.t().dot(&trace.inputs[l]),
                    bias: delta.sum_axis(Axis(0)),
                });
            }
            let upstream = delta.dot(&layer.weights);
            if l == 0 {
                grads.reverse();
                return (upstream, grads);
            }
            let act = self.activation;
            delta = upstream;
            delta.zip_mut_with(&trace.pre_activations[l - 1], |d, &a| {
                *d = *d * act.derivative(a)
            });
        }
        unreachable!("a network has at least one layer")
    }
    // ANCHOR_END: backward

    /// Energies and grad_x E(x) for each row: the force Langevin dynamics needs.
    pub fn energies_and_input_grads(&self, x: ArrayView2<F>) -> (Array1<F>, Array2<F>) {
        let (energies, trace) = self.forward(x, true);
        let ones = Array1::from_elem(x.nrows(), F::one());
        (energies, self.backward(&trace, ones.view(), false).0)
    }

    /// Energies and the parameter gradient of sum_i w_i E(x_i) (use
    /// w_i = 1/n for the gradient of the mean energy).
    pub fn weighted_param_grad(
        &self,
        x: ArrayView2<F>,
        weights: ArrayView1<F>,
    ) -> (Array1<F>, ParamGrad<F>) {
        let (energies, trace) = self.forward(x, true);
        (energies, self.backward(&trace, weights, true).1)
    }

    /// The number of parameters.
    pub fn n_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.len() + l.bias.len())
            .sum()
    }

    /// All parameters in one vector (layer by layer, weights row-major, then bias).
    pub fn flat_params(&self) -> Vec<F> {
        flatten(&self.layers)
    }

    /// Set all parameters from a vector in the order of `flat_params`.
    pub fn set_flat_params(&mut self, values: &[F]) {
        let mut it = values.iter().copied();
        for l in &mut self.layers {
            l.weights.iter_mut().chain(l.bias.iter_mut()).for_each(|p| {
                *p = it.next().expect("one value per parameter");
            });
        }
    }
}

/// The buffers of the fast batched pass, [`Mlp::energies_and_input_grads_into`],
/// kept from call to call so that a Langevin chain allocates nothing per step.
/// After a call, `energies` and `input_grads` hold the results.
#[derive(Clone, Debug, Default)]
pub struct Workspace<F> {
    /// act(a_l) of each hidden layer l, one row per example.
    hidden: Vec<Array2<F>>,
    /// act'(a_l) of each hidden layer.
    slopes: Vec<Array2<F>>,
    /// dE/da_l of each hidden layer.
    deltas: Vec<Array2<F>>,
    /// E(x_i) for each row.
    pub energies: Array1<F>,
    /// grad_x E(x_i) for each row.
    pub input_grads: Array2<F>,
}

impl<F: Real> Workspace<F> {
    /// Buffers for `net` and a batch of `n` rows (reused if they fit).
    fn fit(&mut self, net: &Mlp<F>, n: usize) {
        let widths: Vec<usize> = net.layers[..net.layers.len() - 1]
            .iter()
            .map(|l| l.weights.nrows())
            .collect();
        let fits = |buffers: &[Array2<F>]| {
            buffers.len() == widths.len()
                && buffers.iter().zip(&widths).all(|(b, &w)| b.dim() == (n, w))
        };
        if !(fits(&self.hidden) && fits(&self.slopes) && fits(&self.deltas)) {
            let zeros = || widths.iter().map(|&w| Array2::zeros((n, w))).collect();
            (self.hidden, self.slopes, self.deltas) = (zeros(), zeros(), zeros());
        }
        if self.energies.len() != n {
            self.energies = Array1::zeros(n);
        }
        if self.input_grads.dim() != (n, net.n_inputs()) {
            self.input_grads = Array2::zeros((n, net.n_inputs()));
        }
    }
}

/// A layer's bias as a slice (copied only if it is not contiguous).
fn bias_slice<F: Real>(layer: &Layer<F>) -> Cow<'_, [F]> {
    layer
        .bias
        .as_slice()
        .map_or_else(|| Cow::Owned(layer.bias.to_vec()), Cow::Borrowed)
}

impl<F: Real> Mlp<F> {
    // ANCHOR: batched
    /// The fast path of [`Mlp::energies_and_input_grads`], the same
    /// eqs. (11.1)-(11.3) arranged for speed: every layer is one matrix
    /// product over the whole batch (`Real::mat_mul_into`), the activation
    /// and its derivative are one fused pass, and all buffers live in `ws`
    /// (results in `ws.energies` and `ws.input_grads`).
    pub fn energies_and_input_grads_into(&self, x: ArrayView2<F>, ws: &mut Workspace<F>) {
        ws.fit(self, x.nrows());
        let last = self.layers.len() - 1;
        for l in 0..last {
            let (done, rest) = ws.hidden.split_at_mut(l);
            let input = done.last().map_or(x, |h| h.view());
            F::mat_mul_into(input, self.layers[l].weights.t(), rest[0].view_mut());
            let (a, slope) = (&mut rest[0], &mut ws.slopes[l]);
            let (a, slope) = (a.as_slice_mut(), slope.as_slice_mut());
            let (a, slope) = (a.expect("owned buffer"), slope.expect("owned buffer"));
            self.activation
                .apply_with_derivative(a, &bias_slice(&self.layers[l]), slope);
        }
        let output = &self.layers[last];
        let top = ws.hidden.last().map_or(x, |h| h.view());
        F::mat_vec_into(top, output.weights.row(0), ws.energies.view_mut());
        let b = output.bias[0];
        ws.energies.mapv_inplace(|e| e + b);
        self.backward_into(ws);
    }

    /// Backpropagation of sum_i E(x_i) through the buffers of the forward pass.
    fn backward_into(&self, ws: &mut Workspace<F>) {
        let last = self.layers.len() - 1;
        if last == 0 {
            let w = self.layers[0].weights.row(0);
            ws.input_grads
                .rows_mut()
                .into_iter()
                .for_each(|mut g| g.assign(&w));
            return;
        }
        let top = &self.layers[last].weights.row(0);
        Zip::from(ws.deltas[last - 1].rows_mut())
            .and(ws.slopes[last - 1].rows())
            .for_each(|mut d, s| {
                Zip::from(&mut d)
                    .and(&s)
                    .and(top)
                    .for_each(|d, &s, &w| *d = w * s)
            });
        for l in (1..last).rev() {
            let (below, above) = ws.deltas.split_at_mut(l);
            let delta = &mut below[l - 1];
            F::mat_mul_into(
                above[0].view(),
                self.layers[l].weights.view(),
                delta.view_mut(),
            );
            Zip::from(delta)
                .and(&ws.slopes[l - 1])
                .for_each(|d, &s| *d = *d * s);
        }
        F::mat_mul_into(
            ws.deltas[0].view(),
            self.layers[0].weights.view(),
            ws.input_grads.view_mut(),
        );
    }
    // ANCHOR_END: batched
}

/// Layers' values in one vector, in the order of [`Mlp::flat_params`].
pub fn flatten<F: Real>(layers: &[Layer<F>]) -> Vec<F> {
    layers
        .iter()
        .flat_map(|l| l.weights.iter().chain(l.bias.iter()).copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn random_net(sizes: &[usize], act: Activation, seed: u64) -> Mlp<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut net = Mlp::new(sizes, act, &mut rng).unwrap();
        for l in &mut net.layers {
            l.bias.mapv_inplace(|_| rng.random_range(-0.5..0.5));
        }
        net
    }

    fn random_batch(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Array2::from_shape_simple_fn((n, d), || rng.random_range(-2.0..2.0))
    }

    #[test]
    fn input_gradient_matches_central_differences() {
        for act in [Activation::Swish, Activation::Softplus] {
            let net = random_net(&[3, 5, 4, 1], act, 1);
            let x = random_batch(6, 3, 2);
            let (_, grads) = net.energies_and_input_grads(x.view());
            let h = 1e-5;
            for i in 0..6 {
                for j in 0..3 {
                    let (mut plus, mut minus) = (x.clone(), x.clone());
                    plus[[i, j]] += h;
                    minus[[i, j]] -= h;
                    let fd =
                        (net.energies(plus.view())[i] - net.energies(minus.view())[i]) / (2.0 * h);
                    assert!((grads[[i, j]] - fd).abs() < 1e-8, "{act:?} {i} {j}");
                }
            }
        }
    }

    #[test]
    fn parameter_gradient_matches_central_differences() {
        for act in [Activation::Swish, Activation::Softplus] {
            let mut net = random_net(&[2, 4, 3, 1], act, 3);
            let x = random_batch(5, 2, 4);
            let w = array![0.2, -1.0, 0.5, 0.3, 1.5];
            let objective = |net: &Mlp<f64>| net.energies(x.view()).dot(&w);
            let (_, grad) = net.weighted_param_grad(x.view(), w.view());
            let grad = flatten(&grad);
            let theta = net.flat_params();
            let h = 1e-5;
            for k in 0..theta.len() {
                let mut t = theta.clone();
                t[k] += h;
                net.set_flat_params(&t);
                let plus = objective(&net);
                t[k] -= 2.0 * h;
                net.set_flat_params(&t);
                let minus = objective(&net);
                net.set_flat_params(&theta);
                let fd = (plus - minus) / (2.0 * h);
                assert!((grad[k] - fd).abs() < 1e-8, "{act:?} parameter {k}");
            }
        }
    }

    #[test]
    fn f32_agrees_with_f64() {
        let net = random_net(&[8, 16, 16, 1], Activation::Swish, 5);
        let x = random_batch(10, 8, 6);
        let (e64, g64) = net.energies_and_input_grads(x.view());
        let net32: Mlp<f32> = net.cast();
        let (e32, g32) = net32.energies_and_input_grads(x.mapv(|v| v as f32).view());
        for (a, b) in e64.iter().zip(&e32) {
            assert!((a - *b as f64).abs() < 1e-5 * (1.0 + a.abs()));
        }
        for (a, b) in g64.iter().zip(&g32) {
            assert!((a - *b as f64).abs() < 1e-5 * (1.0 + a.abs()));
        }
    }

    /// The fast batched pass agrees with the readable one: f64 against f64
    /// to round-off, f32 against f64 to f32 precision; for every depth, both
    /// activations, a non-contiguous input and a workspace reused across
    /// batch sizes.
    #[test]
    fn fast_batched_pass_agrees_with_the_readable_one() {
        let mut ws64 = Workspace::default();
        let mut ws32 = Workspace::default();
        for (sizes, act, n) in [
            (vec![3, 1], Activation::Swish, 4),
            (vec![5, 7, 1], Activation::Softplus, 9),
            (vec![6, 8, 5, 1], Activation::Swish, 7),
            (vec![4, 9, 6, 3, 1], Activation::Softplus, 5),
            (vec![6, 8, 5, 1], Activation::Swish, 11),
        ] {
            let net = random_net(&sizes, act, 11);
            let d = sizes[0];
            let xt = random_batch(d, n, 12).mapv(|v| 3.0 * v);
            let x = xt.t(); // a transposed, non-contiguous view
            let (e, g) = net.energies_and_input_grads(x);
            net.energies_and_input_grads_into(x, &mut ws64);
            let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * (1.0 + a.abs());
            assert!(
                e.iter()
                    .zip(&ws64.energies)
                    .all(|(&a, &b)| close(a, b, 1e-12))
            );
            assert!(
                g.iter()
                    .zip(&ws64.input_grads)
                    .all(|(&a, &b)| close(a, b, 1e-12))
            );
            let net32: Mlp<f32> = net.cast();
            net32.energies_and_input_grads_into(x.mapv(|v| v as f32).view(), &mut ws32);
            assert!(
                e.iter()
                    .zip(&ws32.energies)
                    .all(|(&a, &b)| close(a, b as f64, 1e-5))
            );
            assert!(
                g.iter()
                    .zip(&ws32.input_grads)
                    .all(|(&a, &b)| close(a, b as f64, 1e-5))
            );
        }
    }

    #[test]
    fn large_activations_stay_finite() {
        let mut net = random_net(&[2, 4, 1], Activation::Softplus, 7);
        net.layers[0].weights.mapv_inplace(|w| w * 1e4);
        let x = array![[100.0, -100.0], [-1e3, 1e3]];
        let (e, g) = net.energies_and_input_grads(x.view());
        assert!(e.iter().chain(g.iter()).all(|v| v.is_finite()));
    }

    #[test]
    fn refuses_bad_sizes() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(Mlp::<f64>::new(&[2, 3], Activation::Swish, &mut rng).is_err());
        assert!(Mlp::<f64>::new(&[2], Activation::Swish, &mut rng).is_err());
        assert!(Mlp::<f64>::new(&[2, 0, 1], Activation::Swish, &mut rng).is_err());
    }
}
