//! What a sampler needs from a model: energies and their input gradients for
//! a batch, in f64. The MLP and the closed-form toy densities both provide it.

use ndarray::{Array1, Array2, ArrayView2};

use crate::mlp::Mlp;

/// An energy E: R^d -> R, defining p(x) = exp(-E(x)) / Z.
pub trait Energy {
    /// The input dimension d.
    fn dim(&self) -> usize;

    /// E(x) and grad_x E(x) for each row of `x`.
    fn energies_and_grads(&self, x: ArrayView2<f64>) -> (Array1<f64>, Array2<f64>);

    /// E(x) for each row of `x`.
    fn energies(&self, x: ArrayView2<f64>) -> Array1<f64> {
        self.energies_and_grads(x).0
    }
}

impl Energy for Mlp<f64> {
    fn dim(&self) -> usize {
        self.n_inputs()
    }

    fn energies_and_grads(&self, x: ArrayView2<f64>) -> (Array1<f64>, Array2<f64>) {
        self.energies_and_input_grads(x)
    }

    fn energies(&self, x: ArrayView2<f64>) -> Array1<f64> {
        Mlp::energies(self, x)
    }
}

/// E / T: the energy at temperature T, whose density is p_T of eq. (11.4),
/// p^(1/T) up to normalisation.
pub struct Tempered<'a, E: ?Sized> {
    pub energy: &'a E,
    pub temperature: f64,
}

impl<E: Energy + ?Sized> Energy for Tempered<'_, E> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }

    fn energies_and_grads(&self, x: ArrayView2<f64>) -> (Array1<f64>, Array2<f64>) {
        let (e, g) = self.energy.energies_and_grads(x);
        (e / self.temperature, g / self.temperature)
    }
}
