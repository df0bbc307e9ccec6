//! The Bernoulli RBM in f32: parameters, conditionals, free energy and the
//! model file.

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

use crate::error::RbmError;
use crate::numerics::{sigmoid, softplus};

/// A binary RBM in f32: visible bias b, hidden bias c and weights W of shape
/// (n_hidden, n_visible), row W_i belonging to hidden unit i (the book's
/// notation page). The fields are public so that training can update them in
/// place; [`Rbm::to_exact`] checks them.
#[derive(Clone, Debug, PartialEq)]
pub struct Rbm {
    pub visible_bias: Array1<f32>,
    pub hidden_bias: Array1<f32>,
    pub weights: Array2<f32>,
}

/// The standard deviation of the initial weights, from Hinton's practical guide.
const INITIAL_WEIGHT_SD: f32 = 0.01;

/// Unit means are kept this far from 0 and 1 before taking log(p / (1 - p)),
/// so that a unit that is never (or always) on gets a large but finite bias.
const MEAN_CLAMP: f32 = 1e-3;

impl Rbm {
    /// An RBM with every parameter 0: p(v) is uniform.
    pub fn zeros(n_visible: usize, n_hidden: usize) -> Self {
        Self {
            visible_bias: Array1::zeros(n_visible),
            hidden_bias: Array1::zeros(n_hidden),
            weights: Array2::zeros((n_hidden, n_visible)),
        }
    }

    pub fn n_visible(&self) -> usize {
        self.visible_bias.len()
    }

    pub fn n_hidden(&self) -> usize {
        self.hidden_bias.len()
    }

    /// The f32 copy of an exact (f64) RBM; each parameter is rounded to the
    /// nearest f32. Parameters beyond f32's range become infinite, which
    /// [`Rbm::to_exact`] and [`Rbm::check_f32_range`] refuse.
    pub fn from_exact(rbm: &bm_exact::Rbm) -> Self {
        Self {
            visible_bias: rbm.visible_bias().mapv(|x| x as f32),
            hidden_bias: rbm.hidden_bias().mapv(|x| x as f32),
            weights: rbm.weights().mapv(|x| x as f32),
        }
    }

    /// The exact (f64) RBM with the same parameters, for log Z, exact
    /// likelihoods and exact gradients. f32 -> f64 loses nothing; the oracle
    /// checks shapes and refuses NaN or infinite parameters, naming the field.
    pub fn to_exact(&self) -> Result<bm_exact::Rbm, RbmError> {
        Ok(bm_exact::Rbm::from_parameters(
            self.to_parameters(|x| x as f64),
        )?)
    }

    fn to_parameters(&self, widen: impl Fn(f32) -> f64) -> bm_exact::Parameters {
        bm_exact::Parameters {
            visible_bias: self.visible_bias.mapv(&widen),
            hidden_bias: self.hidden_bias.mapv(&widen),
            weights: self.weights.mapv(&widen),
            visible_couplings: None,
            hidden_couplings: None,
        }
    }

    /// Refuse a model that [`Rbm::from_exact`] could not represent in f32.
    pub fn check_f32_range(exact: &bm_exact::Rbm) -> Result<(), RbmError> {
        check_fits_f32("visible_bias", exact.visible_bias())?;
        check_fits_f32("hidden_bias", exact.hidden_bias())?;
        check_fits_f32("weights", exact.weights())?;
        // Every entry fits; their sum bounds every activation and free energy.
        exact
            .to_parameters()
            .check_energy_bound(f64::from(f32::MAX))?;
        Ok(())
    }
}

/// Refuse, naming `field` and the entry, a value that does not fit in f32.
pub fn check_fits_f32<'a>(
    field: &'static str,
    values: impl IntoIterator<Item = &'a f64>,
) -> Result<(), RbmError> {
    match values
        .into_iter()
        .enumerate()
        .find(|(_, x)| !(**x as f32).is_finite())
    {
        Some((index, &value)) => Err(RbmError::TooLargeForF32 {
            field,
            index,
            value,
        }),
        None => Ok(()),
    }
}

// ANCHOR: initialise
impl Rbm {
    /// The initialisation of eq. (8.1), from Hinton's practical guide (section 8): weights
    /// drawn from N(0, 0.01^2), hidden bias 0, and visible bias
    /// b_j = log(p_j / (1 - p_j)) where p_j is the mean of unit j in `data`
    /// (clamped to [0.001, 0.999]). With zero weights this b makes each
    /// visible unit on exactly as often as in the data. Empty data gives b = 0.
    pub fn initialise(n_hidden: usize, data: ArrayView2<f32>, rng: &mut impl Rng) -> Self {
        let n_visible = data.ncols();
        let normal = Normal::new(0.0, INITIAL_WEIGHT_SD).expect("a positive standard deviation");
        let unit_means = data
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::from_elem(n_visible, 0.5));
        Self {
            visible_bias: unit_means.mapv(|p| {
                let p = p.clamp(MEAN_CLAMP, 1.0 - MEAN_CLAMP);
                (p / (1.0 - p)).ln()
            }),
            hidden_bias: Array1::zeros(n_hidden),
            weights: Array2::from_shape_simple_fn((n_hidden, n_visible), || normal.sample(rng)),
        }
    }
}
// ANCHOR_END: initialise

impl Rbm {
    /// p(h_i = 1 | v) = sigmoid(c_i + W_i v), eq. (2.7), for each row v of a
    /// batch at once: the result has shape (batch, n_hidden).
    pub fn hidden_probabilities(&self, v: ArrayView2<f32>) -> Array2<f32> {
        (v.dot(&self.weights.t()) + &self.hidden_bias).mapv(sigmoid)
    }

    /// p(v_j = 1 | h) = sigmoid(b_j + (W^T h)_j), eq. (2.8), for each row h of
    /// a batch at once: the result has shape (batch, n_visible).
    pub fn visible_probabilities(&self, h: ArrayView2<f32>) -> Array2<f32> {
        (h.dot(&self.weights) + &self.visible_bias).mapv(sigmoid)
    }

    /// F(v) = -b^T v - sum_i softplus(c_i + W_i v), eq. (2.3), for each row v
    /// of a batch. softplus is the stable one of [`crate::numerics`].
    pub fn free_energy(&self, v: ArrayView2<f32>) -> Array1<f32> {
        let hidden_input = v.dot(&self.weights.t()) + &self.hidden_bias;
        -v.dot(&self.visible_bias) - hidden_input.mapv(softplus).sum_axis(Axis(1))
    }
}

impl Rbm {
    /// Save in the TOML model format of DESIGN.md (`format = "rbm"`). Each
    /// f32 is written as its shortest decimal (0.1, not 0.10000000149011612),
    /// which reads back to the same f32. An existing file is replaced only
    /// when `overwrite` is set; the write is atomic.
    pub fn save(&self, path: &Path, overwrite: bool) -> Result<(), RbmError> {
        self.to_exact()?; // refuse NaN or wrong shapes before writing anything
        bm_exact::write_file(path, &self.to_toml(), overwrite)?;
        Ok(())
    }

    /// The text of the model file. Written directly rather than through a
    /// TOML serialiser: a 784 x 500 model has 392,000 numbers, and building
    /// a TOML document of them took longer than a training epoch. The rows
    /// of W are formatted on rayon's threads (the text does not depend on
    /// their number).
    fn to_toml(&self) -> String {
        let mut text = String::from("format = \"rbm\"\nversion = 1\n");
        let list = |values: &mut dyn Iterator<Item = &f32>| {
            let mut out = String::from("[");
            let mut buffer = ryu::Buffer::new();
            for (i, x) in values.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(buffer.format_finite(*x));
            }
            out.push(']');
            out
        };
        for (name, values) in [
            ("visible_bias", &self.visible_bias),
            ("hidden_bias", &self.hidden_bias),
        ] {
            text += &format!("{name} = {}\n", list(&mut values.iter()));
        }
        let rows: Vec<String> = (0..self.n_hidden())
            .into_par_iter()
            .map(|i| list(&mut self.weights.row(i).iter()))
            .collect();
        text += &format!("weights = [{}]\n", rows.join(", "));
        text
    }

    /// Load a model file with `format = "rbm"`. A general Boltzmann machine
    /// (`format = "bm"`) is refused, and so is every problem that
    /// `bm_exact::Model::load` finds (the message names the file and field).
    pub fn load(path: &Path) -> Result<Self, RbmError> {
        match bm_exact::Model::load(path)? {
            bm_exact::Model::Rbm(exact) => {
                Self::check_f32_range(&exact).map_err(|e| RbmError::File {
                    path: path.to_path_buf(),
                    source: Box::new(e),
                })?;
                Ok(Self::from_exact(&exact))
            }
            bm_exact::Model::Bm(_) => Err(RbmError::NotAnRbm(path.to_path_buf())),
        }
    }
}

/// Check that `data` has one column per visible unit and only values in
/// [0, 1] (binary data, or intensities used as probabilities). The training
/// functions assume this and panic on a wrong number of columns.
pub fn check_data(rbm: &Rbm, data: ArrayView2<f32>) -> Result<(), RbmError> {
    check_data_shape(data, rbm.n_visible())?;
    // One branch-free pass (it vectorises; NaN fails both comparisons);
    // the slow search for the first bad value runs only when there is one.
    let all_in_range = data.as_slice().is_some_and(|values| {
        values
            .iter()
            .fold(true, |ok, x| ok & (0.0..=1.0).contains(x))
    });
    if all_in_range {
        return Ok(());
    }
    if let Some(((row, col), x)) = data.indexed_iter().find(|(_, x)| !(0.0..=1.0).contains(*x)) {
        return Err(RbmError::Data(format!(
            "row {}, column {}: value {x} is outside [0, 1]",
            row + 1,
            col + 1
        )));
    }
    Ok(())
}

/// Refuse data with a number of columns other than `n_visible` or no rows;
/// shared by the binary and the Gaussian RBM.
pub(crate) fn check_data_shape(data: ArrayView2<f32>, n_visible: usize) -> Result<(), RbmError> {
    if data.ncols() != n_visible {
        return Err(RbmError::Data(format!(
            "each example has {} values but the model has {n_visible} visible units",
            data.ncols()
        )));
    }
    if data.nrows() == 0 {
        return Err(RbmError::Data("the data set has no examples".into()));
    }
    Ok(())
}
