//! The general Boltzmann machine with visible-visible, hidden-hidden and
//! visible-hidden couplings, solved exactly.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};

use crate::enumerate::{
    MAX_ENUMERATED_UNITS, MAX_TABLE_UNITS, PairwiseModel, check_enumerable, state_vector,
};
use crate::error::Result;
use crate::params::{Parameters, check_binary_data};
use crate::rbm::Rbm;

/// A general Boltzmann machine in f64. Its couplings follow the pair
/// convention of the book: R and T are symmetric with a zero diagonal and
/// each pair i < j is counted once in the energy.
#[derive(Clone, Debug, PartialEq)]
pub struct BoltzmannMachine {
    params: Parameters,
}

impl BoltzmannMachine {
    /// A machine from its parameters; missing couplings are taken as zero.
    /// Errors name the field that is wrong.
    pub fn from_parameters(mut p: Parameters) -> Result<Self> {
        p.check()?;
        let (nv, nh) = (p.n_visible(), p.n_hidden());
        p.visible_couplings
            .get_or_insert_with(|| Array2::zeros((nv, nv)));
        p.hidden_couplings
            .get_or_insert_with(|| Array2::zeros((nh, nh)));
        Ok(Self { params: p })
    }

    /// The RBM as a Boltzmann machine with R = 0 and T = 0.
    pub fn from_rbm(rbm: &Rbm) -> Self {
        Self::from_parameters(rbm.to_parameters()).expect("an Rbm is valid")
    }

    pub fn parameters(&self) -> &Parameters {
        &self.params
    }

    pub fn n_visible(&self) -> usize {
        self.params.n_visible()
    }

    pub fn n_hidden(&self) -> usize {
        self.params.n_hidden()
    }

    pub fn visible_couplings(&self) -> ArrayView2<'_, f64> {
        self.params
            .visible_couplings
            .as_ref()
            .expect("set in from_parameters")
            .view()
    }

    pub fn hidden_couplings(&self) -> ArrayView2<'_, f64> {
        self.params
            .hidden_couplings
            .as_ref()
            .expect("set in from_parameters")
            .view()
    }
}

/// sum_{i<j} A_ij x_i x_j: every pair once, as in eq. (1.1).
fn pair_sum(a: ArrayView2<f64>, x: ArrayView1<f64>) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            total += a[[i, j]] * x[i] * x[j];
        }
    }
    total
}

// ANCHOR: bm_energy
impl BoltzmannMachine {
    /// E(v, h) = -( sum_{i<j} R_ij v_i v_j + h^T W v + sum_{i<j} T_ij h_i h_j + b^T v + c^T h ),
    /// eq. (1.1) in the book.
    pub fn energy(&self, v: ArrayView1<f64>, h: ArrayView1<f64>) -> f64 {
        let p = &self.params;
        -(pair_sum(self.visible_couplings(), v)
            + h.dot(&p.weights.dot(&v))
            + pair_sum(self.hidden_couplings(), h)
            + p.visible_bias.dot(&v)
            + p.hidden_bias.dot(&h))
    }
}
// ANCHOR_END: bm_energy

// ANCHOR: bm_partition
impl BoltzmannMachine {
    /// The machine as one pairwise model over s = (v, h): bias (b, c) and the
    /// coupling matrix [[R, W^T], [W, T]].
    fn pairwise(&self) -> PairwiseModel {
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        let p = &self.params;
        let mut couplings = Array2::zeros((nv + nh, nv + nh));
        couplings
            .slice_mut(s![..nv, ..nv])
            .assign(&self.visible_couplings());
        couplings.slice_mut(s![nv.., ..nv]).assign(&p.weights);
        couplings.slice_mut(s![..nv, nv..]).assign(&p.weights.t());
        couplings
            .slice_mut(s![nv.., nv..])
            .assign(&self.hidden_couplings());
        let bias = ndarray::concatenate![ndarray::Axis(0), p.visible_bias, p.hidden_bias];
        PairwiseModel { bias, couplings }
    }

    /// The hidden layer given v as a pairwise model: bias c + W v, couplings T.
    fn hidden_given(&self, v: ArrayView1<f64>) -> PairwiseModel {
        PairwiseModel {
            bias: &self.params.hidden_bias + &self.params.weights.dot(&v),
            couplings: self.hidden_couplings().to_owned(),
        }
    }

    /// The number of states that [`BoltzmannMachine::log_partition`] visits.
    pub fn n_states_enumerated(&self) -> u64 {
        1 << (self.n_visible() + self.n_hidden())
    }

    /// log Z over all 2^(n_visible + n_hidden) states in Gray-code order, eq. (3.3).
    pub fn log_partition(&self) -> Result<f64> {
        let n_units = self.n_visible() + self.n_hidden();
        check_enumerable(
            "log Z of this Boltzmann machine",
            n_units,
            MAX_ENUMERATED_UNITS,
        )?;
        Ok(self.pairwise().log_partition())
    }

    /// F(v) = -log sum_h e^{-E(v, h)}, eq. (2.1), by enumerating the hidden states.
    pub fn free_energy(&self, v: ArrayView1<f64>) -> Result<f64> {
        check_enumerable(
            "the free energy of this Boltzmann machine",
            self.n_hidden(),
            MAX_ENUMERATED_UNITS,
        )?;
        let visible_only = pair_sum(self.visible_couplings(), v) + self.params.visible_bias.dot(&v);
        Ok(-visible_only - self.hidden_given(v).log_partition())
    }
}
// ANCHOR_END: bm_partition

// ANCHOR: bm_gradient
impl BoltzmannMachine {
    /// The mean log-likelihood -mean F(v) - log Z in nats, eq. (4.1).
    pub fn mean_log_likelihood(&self, data: ArrayView2<f64>) -> Result<f64> {
        check_binary_data(data, self.n_visible())?;
        let log_partition = self.log_partition()?;
        let mut total = 0.0;
        for v in data.rows() {
            total += self.free_energy(v)?;
        }
        Ok(-total / data.nrows() as f64 - log_partition)
    }

    /// The exact gradient of the mean log-likelihood, eq. (4.5): for every
    /// parameter, the average of -dE/dtheta under the data (hidden units from
    /// p(h | v)) minus its average under the model.
    pub fn log_likelihood_gradient(&self, data: ArrayView2<f64>) -> Result<Parameters> {
        check_binary_data(data, self.n_visible())?;
        let n_units = self.n_visible() + self.n_hidden();
        check_enumerable(
            "the gradient of this Boltzmann machine",
            n_units,
            MAX_TABLE_UNITS,
        )?;
        let (data_mean, data_second) = self.data_moments(data);
        let model = self.pairwise();
        let (model_mean, model_second) = model.moments(model.log_partition());
        Ok(self.split_moments(&(data_mean - model_mean), &(data_second - model_second)))
    }

    /// E_data[s] and E_data[s s^T] for s = (v, h), h drawn from p(h | v).
    fn data_moments(&self, data: ArrayView2<f64>) -> (Array1<f64>, Array2<f64>) {
        let (nv, n) = (self.n_visible(), self.n_visible() + self.n_hidden());
        let mut mean = Array1::zeros(n);
        let mut second = Array2::zeros((n, n));
        for v in data.rows() {
            let posterior = self.hidden_given(v);
            let (h_mean, hh) = posterior.moments(posterior.log_partition());
            let s_mean = ndarray::concatenate![ndarray::Axis(0), v, h_mean];
            // E[s s^T | v]: v v^T and h v^T are products with the fixed v; h h^T is the posterior's.
            let mut s_second = outer(&s_mean, &s_mean);
            s_second.slice_mut(s![nv.., nv..]).assign(&hh);
            mean += &s_mean;
            second += &s_second;
        }
        let count = data.nrows() as f64;
        (mean / count, second / count)
    }

    /// Cut moment differences over s = (v, h) into the parameter layout.
    fn split_moments(&self, mean: &Array1<f64>, second: &Array2<f64>) -> Parameters {
        let nv = self.n_visible();
        let zero_diagonal = |a: ndarray::ArrayView2<f64>| {
            let mut a = a.to_owned();
            a.diag_mut().fill(0.0);
            a
        };
        Parameters {
            visible_bias: mean.slice(s![..nv]).to_owned(),
            hidden_bias: mean.slice(s![nv..]).to_owned(),
            weights: second.slice(s![nv.., ..nv]).to_owned(),
            visible_couplings: Some(zero_diagonal(second.slice(s![..nv, ..nv]))),
            hidden_couplings: Some(zero_diagonal(second.slice(s![nv.., nv..]))),
        }
    }
}
// ANCHOR_END: bm_gradient

fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.len(), b.len()), |(i, j)| a[i] * b[j])
}

impl BoltzmannMachine {
    /// p(v, h) = e^{-E(v, h)} / Z, eq. (1.2), for every state of all units;
    /// entry s has v in its low n_visible bits and h in its high bits.
    pub fn joint_distribution(&self) -> Result<Array1<f64>> {
        let n_units = self.n_visible() + self.n_hidden();
        check_enumerable("a table of p(v, h)", n_units, MAX_TABLE_UNITS)?;
        let log_partition = self.log_partition()?;
        let nv = self.n_visible();
        Ok(Array1::from_shape_fn(1 << n_units, |s| {
            let state = state_vector(s as u64, n_units);
            let (v, h) = state.view().split_at(ndarray::Axis(0), nv);
            (-self.energy(v, h) - log_partition).exp()
        }))
    }

    /// p(v) for every visible state.
    pub fn visible_distribution(&self) -> Result<Array1<f64>> {
        check_enumerable("a table of p(v)", self.n_visible(), MAX_TABLE_UNITS)?;
        let log_partition = self.log_partition()?;
        let mut table = Array1::zeros(1 << self.n_visible());
        for (s, p) in table.iter_mut().enumerate() {
            let v = state_vector(s as u64, self.n_visible());
            *p = (-self.free_energy(v.view())? - log_partition).exp();
        }
        Ok(table)
    }
}
