//! Exact results for tiny deep belief nets, in f64, by enumeration: the
//! marginal of each layer, log p(v), and the variational lower bound of
//! Hinton, Osindero & Teh (2006). Everything is a plain sum over states in
//! log space, so that it can serve as the oracle for the rest of the crate.
//!
//! State `s` of a layer of `n` units is the integer whose bit `k` is unit
//! `k`, as in `bm_exact`.

use bm_exact::numerics::{log_sum_exp, softplus};
use bm_exact::{MAX_TABLE_UNITS, Rbm, check_binary_data, check_enumerable, state_vector};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{DbnError, field_error};

/// Label units in f64: bias d (length n_labels) and weights U of shape
/// (n_top_hidden, n_labels).
#[derive(Clone, Debug, PartialEq)]
pub struct ExactLabels {
    pub bias: Array1<f64>,
    pub weights: Array2<f64>,
}

/// A deep belief net in f64, bottom layer first; see [`crate::Dbn`].
/// Built only through [`ExactDbn::new`], so its layers always fit together.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactDbn {
    layers: Vec<Rbm>,
    labels: Option<ExactLabels>,
}

impl ExactDbn {
    /// Refused, naming the layer (counted from 1) or the field, when there
    /// is no layer, when a layer has no visible or no hidden unit, when
    /// layer k's visible units are not layer k-1's hidden units, or when
    /// the label units do not fit the top layer.
    pub fn new(layers: Vec<Rbm>, labels: Option<ExactLabels>) -> Result<Self, DbnError> {
        if layers.is_empty() {
            return Err(field_error("layers", "a DBN needs at least one layer"));
        }
        for (k, layer) in layers.iter().enumerate() {
            for (field, n_units) in [
                ("visible_bias", layer.n_visible()),
                ("hidden_bias", layer.n_hidden()),
            ] {
                if n_units == 0 {
                    let problem = "is empty; every layer needs at least one visible and one \
                                   hidden unit";
                    return Err(field_error(field, problem).in_layer(k + 1));
                }
            }
        }
        for k in 1..layers.len() {
            if layers[k].n_visible() != layers[k - 1].n_hidden() {
                let problem = format!(
                    "has {} visible units but layer {} below it has {} hidden units; \
                     each layer's visible units are the hidden units of the layer below",
                    layers[k].n_visible(),
                    k,
                    layers[k - 1].n_hidden()
                );
                return Err(field_error("visible_bias", problem).in_layer(k + 1));
            }
        }
        if let Some(labels) = &labels {
            check_labels(labels, layers[layers.len() - 1].n_hidden())?;
        }
        Ok(Self { layers, labels })
    }

    pub fn layers(&self) -> &[Rbm] {
        &self.layers
    }

    pub fn labels(&self) -> Option<&ExactLabels> {
        self.labels.as_ref()
    }

    /// The top RBM, between h_{K-1} and h_K.
    pub fn top(&self) -> &Rbm {
        &self.layers[self.layers.len() - 1]
    }

    pub fn n_visible(&self) -> usize {
        self.layers[0].n_visible()
    }
}

fn check_labels(labels: &ExactLabels, n_top_hidden: usize) -> Result<(), DbnError> {
    let n_labels = labels.bias.len();
    if n_labels < 2 {
        return Err(field_error(
            "labels.n_labels",
            format!("{n_labels} label units; a label group needs at least 2"),
        ));
    }
    if labels.weights.dim() != (n_top_hidden, n_labels) {
        let (rows, cols) = labels.weights.dim();
        return Err(field_error(
            "labels.weights",
            format!(
                "expected {n_top_hidden} rows (one per top hidden unit) of {n_labels} columns \
                 (one per label), found {rows} rows of {cols} columns"
            ),
        ));
    }
    let fields = [
        (
            "labels.bias",
            labels.bias.iter().copied().collect::<Vec<_>>(),
        ),
        ("labels.weights", labels.weights.iter().copied().collect()),
    ];
    for (field, values) in fields {
        if let Some(k) = values.iter().position(|x| !x.is_finite()) {
            let problem = format!("entry {k} is {}; every parameter must be finite", values[k]);
            return Err(field_error(field, problem));
        }
    }
    Ok(())
}

// ANCHOR: log_bernoulli
/// log of prod_j p_j^{x_j} (1 - p_j)^{1 - x_j} with p_j = sigmoid(a_j):
/// sum_j x_j a_j - softplus(a_j), eq. (10.2) in the book. Stable for any a.
pub fn log_bernoulli(x: ArrayView1<f64>, logits: ArrayView1<f64>) -> f64 {
    x.iter()
        .zip(logits)
        .map(|(&x, &a)| x * a - softplus(a))
        .sum()
}

/// log p(h_{k-1} = x | h_k = y) = log_bernoulli(x, b_k + W_k^T y), the
/// generative (downward) conditional of layer k, eq. (10.1).
pub fn log_generative(layer: &Rbm, x: ArrayView1<f64>, y: ArrayView1<f64>) -> f64 {
    let logits = &layer.visible_bias() + &layer.weights().t().dot(&y);
    log_bernoulli(x, logits.view())
}

/// log q(h_k = y | h_{k-1} = x) = log_bernoulli(y, c_k + W_k x), the
/// recognition (upward) conditional of layer k, eq. (10.1).
pub fn log_recognition(layer: &Rbm, y: ArrayView1<f64>, x: ArrayView1<f64>) -> f64 {
    let logits = &layer.hidden_bias() + &layer.weights().dot(&x);
    log_bernoulli(y, logits.view())
}
// ANCHOR_END: log_bernoulli

// ANCHOR: top_marginal
impl ExactDbn {
    /// -F(x) of the top RBM for its visible state x = h_{K-1}; with label
    /// units, log sum_l e^{-F(x, l)} over the one-hot labels l, where
    /// F(x, l) = -b^T x - d_l - sum_i softplus(c_i + W_i x + U_il), eq. (10.8).
    pub fn top_log_weight(&self, x: ArrayView1<f64>) -> f64 {
        let top = self.top();
        let Some(labels) = &self.labels else {
            return -top.free_energy(x);
        };
        let hidden_input = &top.hidden_bias() + &top.weights().dot(&x);
        let visible_term = top.visible_bias().dot(&x);
        log_sum_exp((0..labels.bias.len()).map(|l| {
            let input = &hidden_input + &labels.weights.column(l);
            visible_term + labels.bias[l] + input.mapv(softplus).sum()
        }))
    }

    /// log p(h_{K-1} = x) for every state x of the top RBM's visible layer,
    /// and log Z of the top RBM (with its label units, if any), by summing
    /// e^{-F(x)} over all x (eq. 3.1 with the layers' roles as here).
    pub fn top_log_marginal(&self) -> Result<(Array1<f64>, f64), DbnError> {
        let n = self.top().n_visible();
        check_enumerable(
            "the marginal of the top RBM's visible layer",
            n,
            MAX_TABLE_UNITS,
        )?;
        let log_weights = Array1::from_shape_fn(1 << n, |s| {
            self.top_log_weight(state_vector(s as u64, n).view())
        });
        let log_partition = log_sum_exp(log_weights.iter().copied());
        Ok((log_weights - log_partition, log_partition))
    }
}
// ANCHOR_END: top_marginal

// ANCHOR: push_down
/// log p(h_{k-1} = x) = log sum_y p(h_k = y) p(x | y) for every state x,
/// from the table of log p(h_k) and the generative conditional of layer k,
/// eq. (10.3).
pub fn push_down(layer: &Rbm, upper: ArrayView1<f64>) -> Result<Array1<f64>, DbnError> {
    let (n_lower, n_upper) = (layer.n_visible(), layer.n_hidden());
    check_enumerable(
        "a directed layer's table",
        n_lower + n_upper,
        MAX_TABLE_UNITS,
    )?;
    let uppers: Vec<Array1<f64>> = (0..1u64 << n_upper)
        .map(|s| state_vector(s, n_upper))
        .collect();
    Ok(Array1::from_shape_fn(1 << n_lower, |s| {
        let x = state_vector(s as u64, n_lower);
        log_sum_exp(
            uppers
                .iter()
                .zip(upper)
                .map(|(y, &log_p_y)| log_p_y + log_generative(layer, x.view(), y.view())),
        )
    }))
}

impl ExactDbn {
    /// log p(h_1) for every state of h_1: the top RBM's marginal of h_{K-1}
    /// pushed down through the directed layers K-1, ..., 2 (eq. 10.3). For a
    /// net of two layers this is the top RBM's marginal itself.
    pub fn log_marginal_h1(&self) -> Result<Array1<f64>, DbnError> {
        self.check_two_layers()?;
        let (top, _) = self.top_log_marginal()?;
        self.push_down_to_h1(top)
    }

    /// The table of log p(h_{K-1}) pushed down to log p(h1).
    fn push_down_to_h1(&self, mut table: Array1<f64>) -> Result<Array1<f64>, DbnError> {
        for layer in self.layers[1..self.layers.len() - 1].iter().rev() {
            table = push_down(layer, table.view())?;
        }
        Ok(table)
    }

    fn check_two_layers(&self) -> Result<(), DbnError> {
        if self.layers.len() < 2 {
            return Err(field_error(
                "layers",
                "the bound needs a net of two or more layers; one layer is an RBM \
                 (use format = \"rbm\" for it)",
            ));
        }
        Ok(())
    }
}
// ANCHOR_END: push_down

// ANCHOR: exact_log_probability
impl ExactDbn {
    /// log p(v) = log sum_{h1} p(h1) p(v | h1), eq. (10.4), given the table
    /// of log p(h1) from [`ExactDbn::log_marginal_h1`].
    pub fn log_probability(&self, v: ArrayView1<f64>, log_p_h1: ArrayView1<f64>) -> f64 {
        let bottom = &self.layers[0];
        let n = bottom.n_hidden();
        log_sum_exp(
            log_p_h1.iter().enumerate().map(|(s, &log_p)| {
                log_p + log_generative(bottom, v, state_vector(s as u64, n).view())
            }),
        )
    }

    /// The variational lower bound of Hinton et al. (2006), eq. (10.6):
    /// sum_{h1} q(h1|v) [log p(h1) + log p(v|h1) - log q(h1|v)], where
    /// q(h1|v) is the first layer's recognition distribution. Terms with
    /// q = 0 contribute 0 (the limit of q log q).
    pub fn lower_bound(&self, v: ArrayView1<f64>, log_p_h1: ArrayView1<f64>) -> f64 {
        let bottom = &self.layers[0];
        let n = bottom.n_hidden();
        let mut bound = 0.0;
        for (s, &log_p) in log_p_h1.iter().enumerate() {
            let h1 = state_vector(s as u64, n);
            let log_q = log_recognition(bottom, h1.view(), v);
            let q = log_q.exp();
            if q > 0.0 {
                bound += q * (log_p + log_generative(bottom, v, h1.view()) - log_q);
            }
        }
        bound
    }
}
// ANCHOR_END: exact_log_probability

/// The most multiply-adds [`ExactDbn::summary`] may take (2^35, a few minutes).
pub const MAX_SUMMARY_WORK: f64 = (1u64 << 35) as f64;

/// Exact numbers for a data set: what `boltzmann exact` reports for a DBN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExactSummary {
    /// log Z of the top RBM (with its label units, if any).
    pub log_partition: f64,
    /// Mean over the data of log p(v), in nats.
    pub mean_log_likelihood: f64,
    /// Mean over the data of the variational lower bound, in nats.
    pub mean_lower_bound: f64,
}

impl ExactDbn {
    /// Refuse, before any enumeration, a net that is too large: the top
    /// RBM's visible layer and each directed layer above the bottom must
    /// fit in a table of 2^22 entries, and so must h_1.
    pub fn check_size(&self) -> Result<(), DbnError> {
        self.check_two_layers()?;
        check_enumerable(
            "the marginal of the top RBM's visible layer",
            self.top().n_visible(),
            MAX_TABLE_UNITS,
        )?;
        for layer in &self.layers[1..self.layers.len() - 1] {
            let n_units = layer.n_visible() + layer.n_hidden();
            check_enumerable("a directed layer's table", n_units, MAX_TABLE_UNITS)?;
        }
        self.check_table_work()
    }

    /// Refuse a net whose tables alone would take hours: the top RBM's
    /// marginal costs 2^{n_{K-1}} x n_K x (n_{K-1} + labels) multiply-adds,
    /// each directed layer's table 2^{n_{k-1} + n_k} x n_{k-1} x n_k; all
    /// together at most [`MAX_SUMMARY_WORK`].
    fn check_table_work(&self) -> Result<(), DbnError> {
        let top = self.top();
        let n_labels = self.labels.as_ref().map_or(0, |l| l.bias.len());
        let (n_x, n_top) = (top.n_visible(), top.n_hidden());
        let top_work = 2f64.powi(n_x as i32) * (n_top.max(1) * (n_x + n_labels).max(1)) as f64;
        let directed_work: f64 = self.layers[1..self.layers.len() - 1]
            .iter()
            .map(|l| {
                let (a, b) = (l.n_visible(), l.n_hidden());
                2f64.powi((a + b) as i32) * (a.max(1) * b.max(1)) as f64
            })
            .sum();
        let work = top_work + directed_work;
        if work > MAX_SUMMARY_WORK {
            return Err(field_error(
                "layers",
                format!(
                    "2^{n_x} states of the top RBM's visible layer x {n_top} x {} weights and \
                     the directed layers' tables are about {work:.1e} multiply-adds, more than \
                     the limit of {MAX_SUMMARY_WORK:.1e}; this needs a smaller net",
                    n_x + n_labels
                ),
            ));
        }
        Ok(())
    }

    /// The mean exact log p(v) and the mean lower bound over the rows of
    /// binary `data`, and the top RBM's log Z.
    pub fn summary(&self, data: ArrayView2<f64>) -> Result<ExactSummary, DbnError> {
        self.check_size()?;
        check_binary_data(data, self.n_visible())?;
        self.check_work(data.nrows())?;
        let (top, log_partition) = self.top_log_marginal()?;
        let log_p_h1 = self.push_down_to_h1(top)?;
        let n = data.nrows() as f64;
        let mut total_log_p = 0.0;
        let mut total_bound = 0.0;
        for v in data.rows() {
            total_log_p += self.log_probability(v, log_p_h1.view());
            total_bound += self.lower_bound(v, log_p_h1.view());
        }
        Ok(ExactSummary {
            log_partition,
            mean_log_likelihood: total_log_p / n,
            mean_lower_bound: total_bound / n,
        })
    }

    /// Refuse data whose exact summary would run for hours: each example
    /// visits every state of h1 three times (log p(v|h1), q(h1|v) and the
    /// bound), each a product with the n_visible x n_h1 weights. The limit,
    /// [`MAX_SUMMARY_WORK`] multiply-adds, takes a few minutes.
    pub fn check_work(&self, n_examples: usize) -> Result<(), DbnError> {
        let (n_visible, n_h1) = (self.n_visible(), self.layers[0].n_hidden());
        let work =
            3.0 * n_examples as f64 * 2f64.powi(n_h1 as i32) * (n_visible * n_h1.max(1)) as f64;
        if work > MAX_SUMMARY_WORK {
            return Err(DbnError::Data(format!(
                "{n_examples} examples x 2^{n_h1} states of h1 x {n_visible} x {n_h1} weights is \
                 about {work:.1e} multiply-adds, more than the limit of {MAX_SUMMARY_WORK:.1e}; \
                 use fewer examples or a smaller first hidden layer"
            )));
        }
        Ok(())
    }

    /// The aggregated recognition distribution Q(h1) = (1/N) sum_n q(h1 | v_n)
    /// for every state of h1: the "data" that layer 2 is trained on, eq. (10.7).
    pub fn aggregated_posterior(&self, data: ArrayView2<f64>) -> Result<Array1<f64>, DbnError> {
        check_binary_data(data, self.n_visible())?;
        let bottom = &self.layers[0];
        let n = bottom.n_hidden();
        check_enumerable("a table of q(h1 | v)", n, MAX_TABLE_UNITS)?;
        let mut table = Array1::zeros(1 << n);
        for v in data.rows() {
            let q = bm_exact::factorized_table(bottom.hidden_probabilities(v).view());
            table += &(q / data.nrows() as f64);
        }
        Ok(table)
    }
}

// ANCHOR: recognition_bound
impl ExactDbn {
    /// The bound that Salakhutdinov & Murray (2008) estimate, eq. (10.11), by
    /// enumeration: sum over h_1, ..., h_{K-1} of the recognition chain
    /// q(h_1|v) q(h_2|h_1) ... times log p*(h_{K-1}) - log Z plus
    /// sum_k [log p(h_{k-1}|h_k) - log q(h_k|h_{k-1})]. For two layers it is
    /// the bound of eq. (10.6); for more it lies below it. Terms with q = 0
    /// contribute 0.
    pub fn recognition_bound(&self, v: ArrayView1<f64>) -> Result<f64, DbnError> {
        self.check_two_layers()?;
        let (_, log_partition) = self.top_log_marginal()?;
        for layer in &self.layers[..self.layers.len() - 1] {
            check_enumerable("a recognition layer's states", layer.n_hidden(), 16)?;
        }
        Ok(self.expected_rest(0, v) - log_partition)
    }

    /// sum_y q(y | x) [log p(x | y) - log q(y | x) + rest(y)] for layer `k`
    /// (counted from 0), where rest is log p*(y) at the top RBM's visible
    /// layer and the same sum one layer up below it.
    fn expected_rest(&self, k: usize, x: ArrayView1<f64>) -> f64 {
        let layer = &self.layers[k];
        let n = layer.n_hidden();
        let mut total = 0.0;
        for s in 0..1u64 << n {
            let y = state_vector(s, n);
            let log_q = log_recognition(layer, y.view(), x);
            if log_q.exp() == 0.0 {
                continue;
            }
            let rest = if k + 2 == self.layers.len() {
                self.top_log_weight(y.view())
            } else {
                self.expected_rest(k + 1, y.view())
            };
            total += log_q.exp() * (log_generative(layer, x, y.view()) - log_q + rest);
        }
        total
    }
}
// ANCHOR_END: recognition_bound

// ANCHOR: gaussian_first_layer
/// log p(v | h1) = sum_j log N(v_j; b_j + (W^T h1)_j, sigma_j^2), the
/// generative conditional of a Gaussian layer 1, eq. (9.3), with
/// sigma_j^2 = e^{z_j} (`log_variance`).
pub fn log_gaussian_generative(
    layer: &Rbm,
    log_variance: ArrayView1<f64>,
    v: ArrayView1<f64>,
    h1: ArrayView1<f64>,
) -> f64 {
    let mean = &layer.visible_bias() + &layer.weights().t().dot(&h1);
    let log_two_pi = (2.0 * std::f64::consts::PI).ln();
    v.iter()
        .zip(&mean)
        .zip(log_variance)
        .map(|((&x, &m), &z)| -0.5 * ((x - m).powi(2) / z.exp() + z + log_two_pi))
        .sum()
}

/// log q(h1 | v) = log_bernoulli(h1, c + W (v / sigma^2)), the recognition
/// conditional of a Gaussian layer 1, eq. (9.2).
pub fn log_gaussian_recognition(
    layer: &Rbm,
    log_variance: ArrayView1<f64>,
    h1: ArrayView1<f64>,
    v: ArrayView1<f64>,
) -> f64 {
    let scaled = &v / &log_variance.mapv(f64::exp);
    let logits = &layer.hidden_bias() + &layer.weights().dot(&scaled);
    log_bernoulli(h1, logits.view())
}

impl ExactDbn {
    /// log p(v) of a net whose layer 1 is Gaussian-Bernoulli: a mixture of
    /// 2^{n_1} Gaussians, log sum_{h1} p(h1) N(v; b + W^T h1, diag sigma^2),
    /// eq. (10.4) with the Gaussian conditional; exact for a continuous v,
    /// since only h1 is summed over. `log_p_h1` from
    /// [`ExactDbn::log_marginal_h1`], which does not involve layer 1.
    pub fn gaussian_log_probability(
        &self,
        log_variance: ArrayView1<f64>,
        v: ArrayView1<f64>,
        log_p_h1: ArrayView1<f64>,
    ) -> f64 {
        let bottom = &self.layers[0];
        let n = bottom.n_hidden();
        log_sum_exp(log_p_h1.iter().enumerate().map(|(s, &log_p)| {
            let h1 = state_vector(s as u64, n);
            log_p + log_gaussian_generative(bottom, log_variance, v, h1.view())
        }))
    }

    /// The variational lower bound, eq. (10.6), of a net whose layer 1 is
    /// Gaussian-Bernoulli: sum_{h1} q(h1|v) [log p(h1) + log p(v|h1) -
    /// log q(h1|v)] with the Gaussian conditionals; a bound on the log
    /// density. Terms with q = 0 contribute 0.
    pub fn gaussian_lower_bound(
        &self,
        log_variance: ArrayView1<f64>,
        v: ArrayView1<f64>,
        log_p_h1: ArrayView1<f64>,
    ) -> f64 {
        let bottom = &self.layers[0];
        let n = bottom.n_hidden();
        let mut bound = 0.0;
        for (s, &log_p) in log_p_h1.iter().enumerate() {
            let h1 = state_vector(s as u64, n);
            let log_q = log_gaussian_recognition(bottom, log_variance, h1.view(), v);
            if log_q.exp() > 0.0 {
                let log_p_v = log_gaussian_generative(bottom, log_variance, v, h1.view());
                bound += log_q.exp() * (log_p + log_p_v - log_q);
            }
        }
        bound
    }
}
// ANCHOR_END: gaussian_first_layer
