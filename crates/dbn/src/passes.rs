//! Up-passes (recognition), down-passes (generation), sampling from the net
//! with or without a clamped label, and classification by free energy.

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;
use rbm::numerics::softplus;
use rbm::{Rbm, sample_bernoulli};
use serde::{Deserialize, Serialize};

use crate::error::{DbnError, field_error};
use crate::model::Dbn;

/// What the up-pass hands to the next layer: the probabilities q(h_k = 1 |
/// h_{k-1}) themselves (mean field, the usual choice) or binary samples
/// drawn from them. In TOML: `up_pass = "probabilities"` or `"samples"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpPass {
    #[default]
    Probabilities,
    Samples,
}

// ANCHOR: up_pass
impl Dbn {
    /// The recognition up-pass through the first `n_layers` layers, eq. (10.1):
    /// h_k = q(h_k = 1 | h_{k-1}) = sigmoid(c_k + W_k h_{k-1}) (or a sample
    /// of it), one example per row; with Gaussian visible units, layer 1
    /// uses sigmoid(c_1 + W_1 (v / sigma^2)), eq. (9.2). Returns
    /// h_{n_layers}; 0 layers gives v.
    pub fn up_pass(
        &self,
        v: ArrayView2<f32>,
        n_layers: usize,
        mode: UpPass,
        rng: &mut impl Rng,
    ) -> Array2<f32> {
        let mut activity = v.to_owned();
        for k in 0..n_layers {
            let probabilities = self.recognition_probabilities(k, activity.view());
            activity = match mode {
                UpPass::Probabilities => probabilities,
                UpPass::Samples => sample_bernoulli(probabilities.view(), rng),
            };
        }
        activity
    }

    /// The up-pass by probabilities, which needs no random numbers.
    pub fn up_probabilities(&self, v: ArrayView2<f32>, n_layers: usize) -> Array2<f32> {
        let mut activity = v.to_owned();
        for k in 0..n_layers {
            activity = self.recognition_probabilities(k, activity.view());
        }
        activity
    }

    /// q(h_{k+1} = 1 | x) of layer k + 1 (k counted from 0) for each row x:
    /// the binary RBM's p(h | v), or for a Gaussian layer 1 the
    /// Gaussian-Bernoulli RBM's, eq. (9.2).
    pub fn recognition_probabilities(&self, k: usize, x: ArrayView2<f32>) -> Array2<f32> {
        match self.gaussian_first_layer().filter(|_| k == 0) {
            Some(gaussian) => gaussian.hidden_probabilities(x),
            None => self.layers()[k].hidden_probabilities(x),
        }
    }

    /// Features for a classifier: the probabilities of the top hidden layer
    /// h_K given v, up through every layer (without label input).
    pub fn features(&self, v: ArrayView2<f32>) -> Array2<f32> {
        self.up_probabilities(v, self.n_layers())
    }
}
// ANCHOR_END: up_pass

// ANCHOR: down_pass
impl Dbn {
    /// The generative down-pass from binary states of h_{K-1}, eq. (10.1):
    /// h_{k-1} ~ p(h_{k-1} | h_k) = sigmoid(b_k + W_k^T h_k) for k = K-1, ..., 2,
    /// and finally the probabilities p(v = 1 | h_1), which make smoother
    /// images than a sample; with Gaussian visible units, the mean
    /// b_1 + W_1^T h_1 of p(v | h_1), eq. (9.3) (add sigma_j times standard
    /// normal noise for a sample). A net of one layer returns its input.
    pub fn down_pass(&self, top_visible: ArrayView2<f32>, rng: &mut impl Rng) -> Array2<f32> {
        let directed = &self.layers()[..self.n_layers() - 1];
        let mut state = top_visible.to_owned();
        for (k, layer) in directed.iter().enumerate().rev() {
            if k == 0 {
                return match self.gaussian_first_layer() {
                    Some(gaussian) => gaussian.visible_means(state.view()),
                    None => layer.visible_probabilities(state.view()),
                };
            }
            let probabilities = layer.visible_probabilities(state.view());
            state = sample_bernoulli(probabilities.view(), rng);
        }
        state
    }
}
// ANCHOR_END: down_pass

// ANCHOR: generate
impl Dbn {
    /// `n` samples from the net, one per row: `n_gibbs_steps` block Gibbs
    /// steps in the top RBM (with `label` clamped on, if given), then one
    /// down-pass. Returns p(v = 1 | h_1) for each sample (sample each entry
    /// for binary images), or the Gaussian mean for Gaussian visible units. The chains start from h_{K-1} ~ sigmoid(b_K).
    pub fn generate(
        &self,
        n: usize,
        n_gibbs_steps: usize,
        label: Option<usize>,
        rng: &mut impl Rng,
    ) -> Result<Array2<f32>, DbnError> {
        let (x, x_probabilities) = self.sample_top(n, n_gibbs_steps, label, rng)?;
        if self.n_layers() == 1 {
            return Ok(x_probabilities);
        }
        Ok(self.down_pass(x.view(), rng))
    }

    /// The top RBM's chains alone: `n` binary states x of h_{K-1} after
    /// `n_gibbs_steps` block Gibbs steps (h ~ sigmoid(c + W x + U l), then
    /// x ~ sigmoid(b + W^T h)), with `label` clamped on if given, and the
    /// probabilities x was drawn from. With a clamped label the chains
    /// sample p(x | l) of the top RBM, eq. (10.8), as steps go to infinity.
    pub fn sample_top(
        &self,
        n: usize,
        n_gibbs_steps: usize,
        label: Option<usize>,
        rng: &mut impl Rng,
    ) -> Result<(Array2<f32>, Array2<f32>), DbnError> {
        let top = self.top();
        let mut labels = self.initial_labels(n, label, rng)?;
        let start = Array2::from_shape_fn((n, top.n_visible()), |(_, j)| top.visible_bias[j]);
        let mut x_probabilities = start.mapv(rbm::numerics::sigmoid);
        let mut x = sample_bernoulli(x_probabilities.view(), rng);
        for _ in 0..n_gibbs_steps {
            let h_input = self.top_hidden_input(x.view(), labels.as_ref().map(|l| l.view()));
            let h = sample_bernoulli(h_input.mapv(rbm::numerics::sigmoid).view(), rng);
            x_probabilities = top.visible_probabilities(h.view());
            x = sample_bernoulli(x_probabilities.view(), rng);
            if let (Some(labels), None) = (labels.as_mut(), label) {
                *labels = self.sample_labels(h.view(), rng);
            }
        }
        Ok((x, x_probabilities))
    }

    /// c + W x + U l for each row: the input of the top hidden units.
    fn top_hidden_input(&self, x: ArrayView2<f32>, labels: Option<ArrayView2<f32>>) -> Array2<f32> {
        let top = self.top();
        let mut input = x.dot(&top.weights.t()) + &top.hidden_bias;
        if let (Some(l), Some(units)) = (labels, self.labels()) {
            input += &l.dot(&units.weights.t());
        }
        input
    }
}
// ANCHOR_END: generate

impl Dbn {
    /// The one-hot labels the chains start from: `label` for every chain, or
    /// (when none is given) a label drawn uniformly for each chain.
    fn initial_labels(
        &self,
        n: usize,
        label: Option<usize>,
        rng: &mut impl Rng,
    ) -> Result<Option<Array2<f32>>, DbnError> {
        let n_labels = self.n_labels();
        if let Some(l) = label {
            self.labels_for(l)?; // refuses a net without labels, or a label it lacks
        } else if n_labels == 0 {
            return Ok(None);
        }
        let mut one_hot = Array2::zeros((n, n_labels));
        for mut row in one_hot.rows_mut() {
            row[label.unwrap_or_else(|| rng.random_range(0..n_labels))] = 1.0;
        }
        Ok(Some(one_hot))
    }

    /// One-hot labels drawn from p(l | h) = softmax(d + U^T h), one per row,
    /// by the categorical draw the top RBM's label group is trained with
    /// ([`rbm::draw_one_hot`]).
    fn sample_labels(&self, h: ArrayView2<f32>, rng: &mut impl Rng) -> Array2<f32> {
        let units = self.labels().expect("called only with label units");
        let logits = h.dot(&units.weights) + &units.bias;
        let mut probabilities = Array2::zeros(logits.dim());
        let mut one_hot = Array2::zeros(logits.dim());
        let rows = logits
            .rows()
            .into_iter()
            .zip(probabilities.rows_mut())
            .zip(one_hot.rows_mut());
        for ((logit, mut p), mut l) in rows {
            rbm::draw_one_hot(
                logit.as_slice().expect("standard layout"),
                rng.random::<f32>(),
                p.as_slice_mut().expect("standard layout"),
                l.as_slice_mut().expect("standard layout"),
            );
        }
        one_hot
    }
}

// ANCHOR: classify
impl Dbn {
    /// F(x, l) = -b^T x - d_l - sum_i softplus(c_i + W_i x + U_il) for every
    /// row x (a state of h_{K-1}) and every label l, eq. (10.8): shape
    /// (batch, n_labels). The label with the lowest free energy is the most
    /// probable one, since p(l | x) is proportional to e^{-F(x, l)}.
    pub fn label_free_energies(&self, x: ArrayView2<f32>) -> Result<Array2<f32>, DbnError> {
        let units = self.labels().ok_or_else(|| {
            field_error(
                "labels",
                "this net has no label units, so it cannot classify by free energy",
            )
        })?;
        let top = self.top();
        let hidden_input = x.dot(&top.weights.t()) + &top.hidden_bias;
        let visible_term = x.dot(&top.visible_bias);
        let mut free_energies = Array2::zeros((x.nrows(), units.n_labels()));
        for (l, mut column) in free_energies.columns_mut().into_iter().enumerate() {
            let input = &hidden_input + &units.weights.column(l);
            let softplus_sum = input.mapv(softplus).sum_axis(Axis(1));
            column.assign(&(-&visible_term - units.bias[l] - softplus_sum));
        }
        Ok(free_energies)
    }

    /// The label of each row of v: up-pass by probabilities to h_{K-1}, then
    /// the label of lowest free energy (eq. 10.8).
    pub fn classify(&self, v: ArrayView2<f32>) -> Result<Vec<usize>, DbnError> {
        let x = self.up_probabilities(v, self.n_layers() - 1);
        let free_energies = self.label_free_energies(x.view())?;
        Ok(free_energies.rows().into_iter().map(argmin).collect())
    }
}
// ANCHOR_END: classify

fn argmin(row: ndarray::ArrayView1<f32>) -> usize {
    let mut best = 0;
    for (l, &f) in row.iter().enumerate() {
        if f < row[best] {
            best = l;
        }
    }
    best
}

/// The top RBM and its label units from an RBM trained on h_{K-1} followed
/// by the one-hot labels (how greedy training trains them jointly).
pub(crate) fn split_top(joint: &Rbm, n_labels: usize) -> (Rbm, crate::Labels) {
    let n_visible = joint.n_visible() - n_labels;
    let top = Rbm {
        visible_bias: joint
            .visible_bias
            .slice(ndarray::s![..n_visible])
            .to_owned(),
        hidden_bias: joint.hidden_bias.clone(),
        weights: joint.weights.slice(ndarray::s![.., ..n_visible]).to_owned(),
    };
    let labels = crate::Labels {
        bias: joint
            .visible_bias
            .slice(ndarray::s![n_visible..])
            .to_owned(),
        weights: joint.weights.slice(ndarray::s![.., n_visible..]).to_owned(),
    };
    (top, labels)
}

/// One-hot rows for labels in 0..n_labels.
pub fn one_hot(labels: &[usize], n_labels: usize) -> Array2<f32> {
    let mut rows = Array2::zeros((labels.len(), n_labels));
    for (mut row, &l) in rows.rows_mut().into_iter().zip(labels) {
        row[l] = 1.0;
    }
    rows
}
