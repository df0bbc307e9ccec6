//! The exact expected CD-k update of an RBM.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::distribution::{empirical_distribution, factorized_table};
use crate::enumerate::{MAX_TABLE_UNITS, check_enumerable, state_vector};
use crate::error::{Result, invalid};
use crate::params::{Parameters, check_binary_data};
use crate::rbm::{Rbm, Statistics};

// ANCHOR: expected_cd
impl Rbm {
    /// The exact expected CD-k update, eq. (5.3) in the book: the data
    /// statistics minus the statistics at v_k, where v_k is the visible state
    /// after k full Gibbs steps v -> h -> v started at a data example. The
    /// distribution of v_k is propagated exactly, pi_{t+1} = pi_t P(h|v) P(v'|h),
    /// with no sampling.
    pub fn expected_cd_update(&self, data: ArrayView2<f64>, k: usize) -> Result<Parameters> {
        check_binary_data(data, self.n_visible())?;
        if k == 0 {
            return Err(invalid("k", "CD-k needs at least one Gibbs step (k >= 1)"));
        }
        let n_units = self.n_visible() + self.n_hidden();
        check_enumerable("the exact expected CD-k update", n_units, MAX_TABLE_UNITS)?;
        let up = self.hidden_given_visible();
        let down = self.visible_given_hidden();
        let mut chain = empirical_distribution(data)?;
        for _ in 0..k {
            chain = chain.dot(&up).dot(&down);
        }
        Ok(self
            .data_statistics(data)
            .minus(&self.statistics_under(&chain)))
    }

    /// The matrix of p(h | v): one row per visible state, one column per hidden state.
    pub fn hidden_given_visible(&self) -> Array2<f64> {
        self.conditional_table(self.n_visible(), |v| self.hidden_probabilities(v.view()))
    }

    /// The matrix of p(v | h): one row per hidden state, one column per visible state.
    pub fn visible_given_hidden(&self) -> Array2<f64> {
        self.conditional_table(self.n_hidden(), |h| self.visible_probabilities(h.view()))
    }
}
// ANCHOR_END: expected_cd

impl Rbm {
    fn conditional_table(
        &self,
        n_given: usize,
        on_probabilities: impl Fn(Array1<f64>) -> Array1<f64>,
    ) -> Array2<f64> {
        let rows: Vec<Array1<f64>> = (0..1u64 << n_given)
            .map(|s| factorized_table(on_probabilities(state_vector(s, n_given)).view()))
            .collect();
        let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
        ndarray::stack(Axis(0), &views).expect("rows of equal length")
    }

    /// Averages of v, p(h|v) and p(h|v) v^T with v distributed as `table`.
    fn statistics_under(&self, table: &Array1<f64>) -> Statistics {
        let nv = self.n_visible();
        let mut stats = Statistics {
            visible: Array1::zeros(nv),
            hidden: Array1::zeros(self.n_hidden()),
            hidden_visible: Array2::zeros((self.n_hidden(), nv)),
        };
        for (s, &p) in table.iter().enumerate().filter(|(_, p)| **p > 0.0) {
            let v = state_vector(s as u64, nv);
            let h = self.hidden_probabilities(v.view());
            stats.visible.scaled_add(p, &v);
            stats.hidden.scaled_add(p, &h);
            let outer = h.insert_axis(Axis(1)).dot(&v.insert_axis(Axis(0)));
            stats.hidden_visible.scaled_add(p, &outer);
        }
        stats
    }
}
