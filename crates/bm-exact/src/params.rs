//! Parameters in the model-file layout, shared by models and gradients, and
//! their validation (shapes, finite values, symmetric couplings with a zero
//! diagonal).

use ndarray::{Array1, Array2};

use crate::error::{Result, invalid, shape_error};

/// The parameters of a Boltzmann machine with the names of the book's notation
/// page. An RBM has no couplings. A gradient has the same layout, entry by
/// entry the derivative with respect to that parameter; for a coupling pair
/// (i, j) that is the derivative with respect to the one pair parameter, stored
/// at both (i, j) and (j, i).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// b, length n_visible.
    pub visible_bias: Array1<f64>,
    /// c, length n_hidden.
    pub hidden_bias: Array1<f64>,
    /// W, shape (n_hidden, n_visible): row i belongs to hidden unit i.
    pub weights: Array2<f64>,
    /// R, shape (n_visible, n_visible), symmetric with a zero diagonal.
    pub visible_couplings: Option<Array2<f64>>,
    /// T, shape (n_hidden, n_hidden), symmetric with a zero diagonal.
    pub hidden_couplings: Option<Array2<f64>>,
}

impl Parameters {
    pub fn n_visible(&self) -> usize {
        self.visible_bias.len()
    }

    pub fn n_hidden(&self) -> usize {
        self.hidden_bias.len()
    }

    /// All parameters as one vector: b, c, W row by row, then R and T row by
    /// row when present. A gradient in this layout flattens the same way.
    pub fn flatten(&self) -> Vec<f64> {
        let couplings = [&self.visible_couplings, &self.hidden_couplings];
        self.visible_bias
            .iter()
            .chain(&self.hidden_bias)
            .chain(&self.weights)
            .chain(couplings.into_iter().flatten().flatten())
            .copied()
            .collect()
    }

    /// Check shapes, finiteness and the coupling conventions; every error names the field.
    pub fn check(&self) -> Result<()> {
        let (n_visible, n_hidden) = (self.n_visible(), self.n_hidden());
        check_finite("visible_bias", self.visible_bias.iter())?;
        check_finite("hidden_bias", self.hidden_bias.iter())?;
        check_shape("weights", &self.weights, (n_hidden, n_visible))?;
        check_finite("weights", self.weights.iter())?;
        if let Some(r) = &self.visible_couplings {
            check_coupling("visible_couplings", r, n_visible)?;
        }
        if let Some(t) = &self.hidden_couplings {
            check_coupling("hidden_couplings", t, n_hidden)?;
        }
        self.check_energy_bound(f64::MAX)
    }

    /// |E(v, h)| <= sum of |every parameter| for binary states, so the energy
    /// of every state (and every activation) is finite when that sum is
    /// below `limit`. Refuses otherwise, naming the field where the sum
    /// passes the limit. The `rbm` crate calls it with f32's largest value.
    pub fn check_energy_bound(&self, limit: f64) -> Result<()> {
        let fields = [
            ("visible_bias", Some(self.visible_bias.view().into_dyn())),
            ("hidden_bias", Some(self.hidden_bias.view().into_dyn())),
            ("weights", Some(self.weights.view().into_dyn())),
            (
                "visible_couplings",
                self.visible_couplings.as_ref().map(|r| r.view().into_dyn()),
            ),
            (
                "hidden_couplings",
                self.hidden_couplings.as_ref().map(|t| t.view().into_dyn()),
            ),
        ];
        let mut bound = 0.0f64;
        for (field, values) in fields {
            bound += values.map_or(0.0, |v| v.iter().map(|x| x.abs()).sum());
            if bound >= limit {
                return Err(invalid(
                    field,
                    format!(
                        "the parameters' absolute values sum to {bound:.3e} by this field, not \
                         below {limit:.3e}, so energies could overflow; rescale the model"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_shape(field: &str, a: &Array2<f64>, (rows, cols): (usize, usize)) -> Result<()> {
    if a.dim() != (rows, cols) {
        return Err(shape_error(
            field,
            format!("{rows} rows of {cols} columns"),
            format!("{} rows of {} columns", a.nrows(), a.ncols()),
        ));
    }
    Ok(())
}

fn check_finite<'a>(field: &str, values: impl Iterator<Item = &'a f64>) -> Result<()> {
    match values.enumerate().find(|(_, x)| !x.is_finite()) {
        Some((k, x)) => Err(invalid(
            field,
            format!("entry {k} is {x}; every parameter must be a finite number"),
        )),
        None => Ok(()),
    }
}

fn check_coupling(field: &str, a: &Array2<f64>, n: usize) -> Result<()> {
    check_shape(field, a, (n, n))?;
    check_finite(field, a.iter())?;
    for i in 0..n {
        if a[[i, i]] != 0.0 {
            return Err(invalid(
                field,
                format!(
                    "diagonal entry [{i}][{i}] is {}; a unit is not coupled to itself, so the diagonal must be 0",
                    a[[i, i]]
                ),
            ));
        }
        for j in 0..i {
            if a[[i, j]] != a[[j, i]] {
                return Err(invalid(
                    field,
                    format!(
                        "not symmetric: [{i}][{j}] = {} but [{j}][{i}] = {}; each pair has one coupling, stored at both places",
                        a[[i, j]],
                        a[[j, i]]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Check that `data` is binary and has `n_visible` columns.
pub fn check_binary_data(data: ndarray::ArrayView2<f64>, n_visible: usize) -> Result<()> {
    if data.ncols() != n_visible {
        return Err(crate::ExactError::Data(format!(
            "each example has {} values but the model has {n_visible} visible units",
            data.ncols()
        )));
    }
    if data.nrows() == 0 {
        return Err(crate::ExactError::Data(
            "the data set has no examples".into(),
        ));
    }
    for ((row, col), &x) in data.indexed_iter() {
        if x != 0.0 && x != 1.0 {
            return Err(crate::ExactError::Data(format!(
                "example {} (row {}), column {}: value {x} is not 0 or 1; exact likelihoods need binary data",
                row,
                row + 1,
                col + 1
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod flatten_tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn flatten_lists_biases_weights_then_couplings_row_by_row() {
        let mut p = Parameters {
            visible_bias: array![1.0, 2.0],
            hidden_bias: array![3.0],
            weights: array![[4.0, 5.0]],
            visible_couplings: None,
            hidden_couplings: None,
        };
        assert_eq!(p.flatten(), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        p.visible_couplings = Some(array![[0.0, 6.0], [6.0, 0.0]]);
        p.hidden_couplings = Some(array![[0.0]]);
        let with_couplings = vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 6.0, 6.0, 0.0, 0.0];
        assert_eq!(p.flatten(), with_couplings);
    }
}
