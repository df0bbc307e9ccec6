//! Standardisation of real-valued data, eq. (9.7): each column shifted to
//! mean 0 and scaled to standard deviation 1, so that unit visible variances
//! are a sensible default.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::RbmError;

/// A column whose standard deviation is below this is treated as constant.
pub const MIN_STANDARD_DEVIATION: f64 = 1e-6;

/// The per-column mean and standard deviation of a training set, to map data
/// to x' = (x - mean) / std and back.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    pub mean: Array1<f32>,
    pub std: Array1<f32>,
}

// ANCHOR: standardizer_fit
impl Standardizer {
    /// The column means and (population) standard deviations of `data`,
    /// computed in f64, eq. (9.7). A constant column (std below
    /// [`MIN_STANDARD_DEVIATION`]) gets std = 1, so it maps to 0 and back
    /// instead of being divided by zero; the model then sees a column that is
    /// always 0. Empty data or a NaN or infinite value is refused.
    pub fn fit(data: ArrayView2<f32>) -> Result<Self, RbmError> {
        if data.nrows() == 0 {
            return Err(RbmError::Data(
                "cannot standardise a data set with no examples".into(),
            ));
        }
        check_finite(data)?;
        let data = data.mapv(f64::from);
        let mean = data.mean_axis(Axis(0)).expect("at least one row");
        let std = data
            .std_axis(Axis(0), 0.0)
            .mapv(|s| if s < MIN_STANDARD_DEVIATION { 1.0 } else { s });
        Ok(Self {
            mean: mean.mapv(|x| x as f32),
            std: std.mapv(|x| x as f32),
        })
    }
}
// ANCHOR_END: standardizer_fit

impl Standardizer {
    /// x' = (x - mean) / std, column by column.
    pub fn transform(&self, data: ArrayView2<f32>) -> Result<Array2<f32>, RbmError> {
        self.check_columns(data)?;
        Ok((&data - &self.mean) / &self.std)
    }

    /// x = x' * std + mean: back from the standardised scale, for example to
    /// show samples of the model in the units of the data.
    pub fn inverse_transform(&self, data: ArrayView2<f32>) -> Result<Array2<f32>, RbmError> {
        self.check_columns(data)?;
        Ok(&data * &self.std + &self.mean)
    }

    fn check_columns(&self, data: ArrayView2<f32>) -> Result<(), RbmError> {
        if data.ncols() != self.mean.len() {
            return Err(RbmError::Data(format!(
                "each example has {} values but the standardizer was fitted on {} columns",
                data.ncols(),
                self.mean.len()
            )));
        }
        Ok(())
    }
}

impl super::GaussianRbm {
    /// The same model in the units of the raw data. If `self` was trained on
    /// x' = (x - mean) / std, the RBM returned gives x the density of x'
    /// (divided by prod_j std_j, the Jacobian) and the same p(h | x) as
    /// `self` gives p(h | x'): substituting x' into the energy (9.1) gives
    /// b~ = mean + std b, sigma~^2 = std^2 sigma^2 (z~ = z + 2 log std),
    /// W~_ij = std_j W_ij and c~ = c - W~ (mean / sigma~^2).
    pub fn for_raw_data(&self, standardizer: &Standardizer) -> Self {
        let (mean, std) = (&standardizer.mean, &standardizer.std);
        let log_variance = &self.log_variance + &std.mapv(|s| 2.0 * s.ln());
        let weights = &self.weights * std;
        let variance = log_variance.mapv(f32::exp);
        let hidden_bias = &self.hidden_bias - &weights.dot(&(mean / &variance));
        Self {
            visible_bias: mean + &(std * &self.visible_bias),
            hidden_bias,
            weights,
            log_variance,
        }
    }
}

fn check_finite(data: ArrayView2<f32>) -> Result<(), RbmError> {
    match data.indexed_iter().find(|(_, x)| !x.is_finite()) {
        Some(((row, col), x)) => Err(RbmError::Data(format!(
            "row {}, column {}: value {x} is not a finite number",
            row + 1,
            col + 1
        ))),
        None => Ok(()),
    }
}
