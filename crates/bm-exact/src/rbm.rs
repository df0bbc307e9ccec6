//! The restricted Boltzmann machine, solved exactly.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, CowArray};

use crate::enumerate::{Kernels, LayerSum, MAX_ENUMERATED_UNITS, check_enumerable};
use crate::error::Result;
use crate::numerics::{sigmoid, softplus};
use crate::params::{Parameters, check_binary_data};

/// A binary RBM in f64: visible bias b, hidden bias c, weights W of shape
/// (n_hidden, n_visible). Built only through [`Rbm::new`], so its shapes and
/// values are always valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Rbm {
    visible_bias: Array1<f64>,
    hidden_bias: Array1<f64>,
    weights: Array2<f64>,
}

impl Rbm {
    /// An RBM from its parameters; errors name the field that is wrong.
    pub fn new(
        visible_bias: Array1<f64>,
        hidden_bias: Array1<f64>,
        weights: Array2<f64>,
    ) -> Result<Self> {
        Self::from_parameters(Parameters {
            visible_bias,
            hidden_bias,
            weights,
            visible_couplings: None,
            hidden_couplings: None,
        })
    }

    pub fn from_parameters(p: Parameters) -> Result<Self> {
        p.check()?;
        if p.visible_couplings.is_some() {
            return Err(crate::error::invalid(
                "visible_couplings",
                "an RBM has no visible-visible couplings; use format = \"bm\"",
            ));
        }
        if p.hidden_couplings.is_some() {
            return Err(crate::error::invalid(
                "hidden_couplings",
                "an RBM has no hidden-hidden couplings; use format = \"bm\"",
            ));
        }
        Ok(Self {
            visible_bias: p.visible_bias,
            hidden_bias: p.hidden_bias,
            weights: p.weights,
        })
    }

    pub fn to_parameters(&self) -> Parameters {
        Parameters {
            visible_bias: self.visible_bias.clone(),
            hidden_bias: self.hidden_bias.clone(),
            weights: self.weights.clone(),
            visible_couplings: None,
            hidden_couplings: None,
        }
    }

    pub fn n_visible(&self) -> usize {
        self.visible_bias.len()
    }

    pub fn n_hidden(&self) -> usize {
        self.hidden_bias.len()
    }

    pub fn visible_bias(&self) -> ArrayView1<'_, f64> {
        self.visible_bias.view()
    }

    pub fn hidden_bias(&self) -> ArrayView1<'_, f64> {
        self.hidden_bias.view()
    }

    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.weights.view()
    }
}

// ANCHOR: rbm_energy
impl Rbm {
    /// E(v, h) = -b^T v - c^T h - h^T W v, eq. (1.4) in the book.
    pub fn energy(&self, v: ArrayView1<f64>, h: ArrayView1<f64>) -> f64 {
        -self.visible_bias.dot(&v) - self.hidden_bias.dot(&h) - h.dot(&self.weights.dot(&v))
    }
}
// ANCHOR_END: rbm_energy

// ANCHOR: rbm_free_energy
impl Rbm {
    /// F(v) = -b^T v - sum_i softplus(c_i + W_i v), eq. (2.3) in the book: the
    /// sum over h of eq. (2.1) factorised unit by unit, eq. (2.2).
    pub fn free_energy(&self, v: ArrayView1<f64>) -> f64 {
        let hidden_input = &self.hidden_bias + &self.weights.dot(&v);
        -self.visible_bias.dot(&v) - hidden_input.mapv(softplus).sum()
    }

    /// F(h) = -c^T h - sum_j softplus(b_j + (W^T h)_j), eq. (2.5) in the book:
    /// the same sum with the roles of the layers swapped.
    pub fn hidden_free_energy(&self, h: ArrayView1<f64>) -> f64 {
        let visible_input = &self.visible_bias + &self.weights.t().dot(&h);
        -self.hidden_bias.dot(&h) - visible_input.mapv(softplus).sum()
    }
}
// ANCHOR_END: rbm_free_energy

// ANCHOR: rbm_conditionals
impl Rbm {
    /// p(h_i = 1 | v) = sigmoid(c_i + W_i v) for every i, eq. (2.7) in the book.
    pub fn hidden_probabilities(&self, v: ArrayView1<f64>) -> Array1<f64> {
        (&self.hidden_bias + &self.weights.dot(&v)).mapv(sigmoid)
    }

    /// p(v_j = 1 | h) = sigmoid(b_j + (W^T h)_j) for every j, eq. (2.8) in the book.
    pub fn visible_probabilities(&self, h: ArrayView1<f64>) -> Array1<f64> {
        (&self.visible_bias + &self.weights.t().dot(&h)).mapv(sigmoid)
    }
}
// ANCHOR_END: rbm_conditionals

/// Which layer the exact sums enumerate; the other is summed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Visible,
    Hidden,
}

// ANCHOR: rbm_log_partition
impl Rbm {
    /// The smaller layer is enumerated: 2^min(n_visible, n_hidden) states.
    pub fn enumerated_layer(&self) -> Layer {
        if self.n_hidden() <= self.n_visible() {
            Layer::Hidden
        } else {
            Layer::Visible
        }
    }

    /// The number of states that [`Rbm::log_partition`] visits.
    pub fn n_states_enumerated(&self) -> u64 {
        1 << self.n_hidden().min(self.n_visible())
    }

    /// log Z, eq. (3.1) in the book: enumerate the smaller layer and sum the
    /// other out, Z = sum_h e^{-F(h)} or Z = sum_v e^{-F(v)}.
    pub fn log_partition(&self) -> Result<f64> {
        Ok(self.layer_sum()?.log_partition(Kernels::Plain))
    }

    /// [`Rbm::log_partition`] with the fast kernels of the `numerics` crate:
    /// the same value to about 1e-15 relative, several times faster, but not
    /// the reference (its last bits depend on the CPU's instructions).
    pub fn log_partition_fast(&self) -> Result<f64> {
        Ok(self.layer_sum()?.log_partition(Kernels::Fast))
    }

    pub(crate) fn layer_sum(&self) -> Result<LayerSum<'_>> {
        let n_units = self.n_hidden().min(self.n_visible());
        check_enumerable("log Z of this RBM", n_units, MAX_ENUMERATED_UNITS)?;
        Ok(match self.enumerated_layer() {
            Layer::Hidden => LayerSum {
                enumerated_bias: self.hidden_bias.view(),
                summed_bias: self.visible_bias.view(),
                rows: CowArray::from(self.weights.view()),
            },
            Layer::Visible => LayerSum {
                enumerated_bias: self.visible_bias.view(),
                summed_bias: self.hidden_bias.view(),
                rows: CowArray::from(self.weights.t().as_standard_layout().into_owned()),
            },
        })
    }
}
// ANCHOR_END: rbm_log_partition

/// Averages of the sufficient statistics v, h and h v^T, under the data (with
/// h replaced by p(h | v)) or under the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Statistics {
    pub visible: Array1<f64>,
    pub hidden: Array1<f64>,
    /// Shape (n_hidden, n_visible), like W.
    pub hidden_visible: Array2<f64>,
}

impl Statistics {
    /// `self - other` in the parameter layout: the gradient (or CD update) when
    /// `self` holds the data statistics and `other` the model's.
    pub fn minus(&self, other: &Statistics) -> Parameters {
        Parameters {
            visible_bias: &self.visible - &other.visible,
            hidden_bias: &self.hidden - &other.hidden,
            weights: &self.hidden_visible - &other.hidden_visible,
            visible_couplings: None,
            hidden_couplings: None,
        }
    }
}

// ANCHOR: rbm_gradient
impl Rbm {
    /// The mean log-likelihood (1/N) sum_n log p(v_n) = -mean F(v) - log Z, in nats, eq. (4.1).
    pub fn mean_log_likelihood(&self, data: ArrayView2<f64>) -> Result<f64> {
        check_binary_data(data, self.n_visible())?;
        let log_partition = self.log_partition()?;
        let mean_free_energy = data
            .rows()
            .into_iter()
            .map(|v| self.free_energy(v))
            .sum::<f64>()
            / data.nrows() as f64;
        Ok(-mean_free_energy - log_partition)
    }

    /// The data term of eq. (4.3): averages of v, p(h|v) and p(h|v) v^T over the data.
    pub fn data_statistics(&self, data: ArrayView2<f64>) -> Statistics {
        let n = data.nrows() as f64;
        let hidden = (data.dot(&self.weights.t()) + &self.hidden_bias).mapv(sigmoid);
        Statistics {
            visible: data.sum_axis(Axis(0)) / n,
            hidden: hidden.sum_axis(Axis(0)) / n,
            hidden_visible: hidden.t().dot(&data) / n,
        }
    }

    /// The model term of eq. (4.3): E\[v\], E\[h\] and E\[h v^T\] under p(v, h), by enumeration.
    pub fn model_statistics(&self) -> Result<Statistics> {
        let sum = self.layer_sum()?;
        let m = sum.moments(sum.log_partition(Kernels::Plain), Kernels::Plain);
        Ok(match self.enumerated_layer() {
            Layer::Hidden => Statistics {
                visible: m.summed_mean,
                hidden: m.enumerated_mean,
                hidden_visible: m.cross,
            },
            Layer::Visible => Statistics {
                visible: m.enumerated_mean,
                hidden: m.summed_mean,
                hidden_visible: m.cross.reversed_axes(),
            },
        })
    }

    /// The exact gradient of the mean log-likelihood, data term minus model
    /// term, eq. (4.3) and (4.4) in the book.
    pub fn log_likelihood_gradient(&self, data: ArrayView2<f64>) -> Result<Parameters> {
        check_binary_data(data, self.n_visible())?;
        Ok(self.data_statistics(data).minus(&self.model_statistics()?))
    }
}
// ANCHOR_END: rbm_gradient
