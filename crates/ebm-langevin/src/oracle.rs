//! The exact 2-D oracle: log Z, cell probabilities and KL(data || model) by
//! quadrature on a bounded grid, and toy densities with closed forms.
//!
//! The grid is the square [-a, a]^2 cut into n x n cells; the midpoint rule
//! gives log Z = log sum_cells exp(-E(c)) + log(h^2), h = 2a / n (eq. 11.8).
//! Its error has two parts, both reported by [`log_partition`]: the
//! midpoint rule's O(h^2) error, estimated by comparing n and 2n cells, and
//! the mass outside the square, bounded by the mass of the outermost ring
//! of cells (small when the density has decayed there).

use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::energy::Energy;
use crate::numerics::log_sum_exp;

/// The square [-half_width, half_width]^2 cut into n x n cells.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid2d {
    pub half_width: f64,
    pub n: usize,
}

impl Grid2d {
    /// The side h of one cell.
    pub fn cell_side(&self) -> f64 {
        2.0 * self.half_width / self.n as f64
    }

    /// The cell centres, row k = (x_i, y_j) with k = i * n + j.
    pub fn centres(&self) -> Array2<f64> {
        let h = self.cell_side();
        let c = |i: usize| -self.half_width + (i as f64 + 0.5) * h;
        Array2::from_shape_fn((self.n * self.n, 2), |(k, axis)| {
            if axis == 0 {
                c(k / self.n)
            } else {
                c(k % self.n)
            }
        })
    }

    /// The cell that holds the point, or None outside the square.
    pub fn cell_of(&self, x: f64, y: f64) -> Option<usize> {
        let index = |v: f64| {
            let i = ((v + self.half_width) / self.cell_side()).floor();
            (i >= 0.0 && i < self.n as f64).then_some(i as usize)
        };
        Some(index(x)? * self.n + index(y)?)
    }
}

/// log Z by quadrature with its two error terms.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct LogPartition {
    /// log Z on the grid with 2n cells per side.
    pub value: f64,
    /// |log Z(n) - log Z(2n)|: an estimate of the midpoint rule's error.
    pub discretisation_error: f64,
    /// The probability in the outermost ring of cells: when it is small,
    /// so is the mass outside the square.
    pub edge_mass: f64,
    /// The square (or segment) [-half_width, half_width]^d and the number of
    /// cells per side of the finer grid.
    pub half_width: f64,
    pub cells_per_side: usize,
}

// ANCHOR: quadrature
/// -E(c) + log h^2 for each cell centre c: the log of each cell's
/// unnormalised mass, eq. (11.8).
fn log_cell_masses(energy: &dyn Energy, grid: Grid2d) -> Array1<f64> {
    let log_area = 2.0 * grid.cell_side().ln();
    energy
        .energies(grid.centres().view())
        .mapv(|e| -e + log_area)
}

/// log Z by the midpoint rule on `grid` and on the grid with twice as many
/// cells per side, eq. (11.8); reports both error terms.
pub fn log_partition(energy: &dyn Energy, grid: Grid2d) -> LogPartition {
    let coarse = log_sum_exp(log_cell_masses(energy, grid).as_slice().unwrap());
    let fine_grid = Grid2d {
        n: 2 * grid.n,
        ..grid
    };
    let fine_masses = log_cell_masses(energy, fine_grid);
    let fine = log_sum_exp(fine_masses.as_slice().unwrap());
    let n = fine_grid.n;
    let edge: Vec<f64> = (0..n * n)
        .filter(|k| [k / n, k % n].iter().any(|&i| i == 0 || i == n - 1))
        .map(|k| fine_masses[k] - fine)
        .collect();
    LogPartition {
        value: fine,
        discretisation_error: (fine - coarse).abs(),
        edge_mass: log_sum_exp(&edge).exp(),
        half_width: grid.half_width,
        cells_per_side: fine_grid.n,
    }
}

/// log Z of a 1-D energy by the midpoint rule on [-a, a] with n and 2n
/// cells, with the same two error terms as [`log_partition`].
pub fn log_partition_1d(energy: &dyn Energy, half_width: f64, n: usize) -> LogPartition {
    let log_masses = |n: usize| -> Array1<f64> {
        let h = 2.0 * half_width / n as f64;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| -half_width + (i as f64 + 0.5) * h);
        energy.energies(x.view()).mapv(|e| -e + h.ln())
    };
    let coarse = log_sum_exp(log_masses(n).as_slice().unwrap());
    let fine_masses = log_masses(2 * n);
    let fine = log_sum_exp(fine_masses.as_slice().unwrap());
    let edge = [fine_masses[0] - fine, fine_masses[2 * n - 1] - fine];
    LogPartition {
        value: fine,
        discretisation_error: (fine - coarse).abs(),
        edge_mass: log_sum_exp(&edge).exp(),
        half_width,
        cells_per_side: 2 * n,
    }
}
// ANCHOR_END: quadrature

/// The model's probability of each cell of `grid` (normalised on the grid).
pub fn cell_probabilities(energy: &dyn Energy, grid: Grid2d) -> Array1<f64> {
    let masses = log_cell_masses(energy, grid);
    let log_z = log_sum_exp(masses.as_slice().unwrap());
    masses.mapv(|m| (m - log_z).exp())
}

/// The model's probability of each cell of `grid`, each integrated by the
/// midpoint rule on `refine` x `refine` sub-cells (normalised on the grid).
pub fn integrated_cell_probabilities(
    energy: &dyn Energy,
    grid: Grid2d,
    refine: usize,
) -> Array1<f64> {
    let fine = Grid2d {
        n: grid.n * refine,
        ..grid
    };
    let p_fine = cell_probabilities(energy, fine);
    let mut p = Array1::zeros(grid.n * grid.n);
    for (k, &q) in p_fine.iter().enumerate() {
        let (i, j) = (k / fine.n / refine, k % fine.n / refine);
        p[i * grid.n + j] += q;
    }
    p
}

/// KL(data || model) = sum_cells p_data log(p_data / p_model) h^2, eq. (11.9),
/// with p_model = exp(-E) / Z and Z by quadrature on the same grid. Cells
/// where the data density is zero contribute nothing.
pub fn kl_data_model(data: &Toy, energy: &dyn Energy, grid: Grid2d) -> f64 {
    let centres = grid.centres();
    let log_area = 2.0 * grid.cell_side().ln();
    let log_model = log_cell_masses(energy, grid);
    let log_z = log_sum_exp(log_model.as_slice().unwrap());
    let log_data = data.log_densities(centres.view());
    log_data
        .iter()
        .zip(&log_model)
        .filter(|(d, _)| d.is_finite())
        .map(|(&d, &m)| (d + log_area).exp() * (d - (m - log_z - log_area)))
        .sum()
}

/// Pearson's chi-square statistic and its p-value for counts of samples in
/// cells against the cell probabilities; samples outside the grid form one
/// more cell, pooled with the cells whose expected counts are below 5.
pub fn chi_square(counts: &[usize], outside: usize, probabilities: &[f64]) -> (f64, f64) {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let total = (counts.iter().sum::<usize>() + outside) as f64;
    let inside: f64 = probabilities.iter().sum();
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let mut pooled = (outside as f64, (1.0 - inside).max(0.0) * total);
    for (&c, &p) in counts.iter().zip(probabilities) {
        if p * total < 5.0 {
            pooled = (pooled.0 + c as f64, pooled.1 + p * total);
        } else {
            cells.push((c as f64, p * total));
        }
    }
    cells.push(pooled);
    let mut statistic = 0.0;
    let mut n_cells = 0usize;
    for (observed, expected) in cells {
        if expected > 0.0 {
            statistic += (observed - expected).powi(2) / expected;
            n_cells += 1;
        } else if observed > 0.0 {
            return (f64::INFINITY, 0.0);
        }
    }
    let dof = (n_cells.max(2) - 1) as f64;
    let p = 1.0 - ChiSquared::new(dof).expect("dof > 0").cdf(statistic);
    (statistic, p)
}

/// Counts of 2-D samples per cell of `grid`, and the number outside it.
pub fn cell_counts(samples: ArrayView2<f64>, grid: Grid2d) -> (Vec<usize>, usize) {
    let mut counts = vec![0; grid.n * grid.n];
    let mut outside = 0;
    for row in samples.outer_iter() {
        match grid.cell_of(row[0], row[1]) {
            Some(k) => counts[k] += 1,
            None => outside += 1,
        }
    }
    (counts, outside)
}

/// Toy densities with closed forms.
#[derive(Clone, Debug, PartialEq)]
pub enum Toy {
    /// sum_k w_k N(mean_k, std^2 I), in any dimension.
    Mixture {
        weights: Vec<f64>,
        means: Array2<f64>,
        std: f64,
    },
    /// p(x) proportional to exp(-(|x| - radius)^2 / (2 width^2)) in 2-D.
    Ring { radius: f64, width: f64 },
    /// Uniform on the dark squares of a k x k board covering [-a, a]^2.
    Checkerboard { k: usize, half_width: f64 },
}

impl Toy {
    /// Eight Gaussians of standard deviation `std` evenly spaced on a circle.
    pub fn eight_gaussians(radius: f64, std: f64) -> Toy {
        let means = Array2::from_shape_fn((8, 2), |(k, axis)| {
            let angle = k as f64 * std::f64::consts::PI / 4.0;
            radius * if axis == 0 { angle.cos() } else { angle.sin() }
        });
        Toy::Mixture {
            weights: vec![1.0 / 8.0; 8],
            means,
            std,
        }
    }

    /// The dimension of the space.
    pub fn dim(&self) -> usize {
        match self {
            Toy::Mixture { means, .. } => means.ncols(),
            _ => 2,
        }
    }

    /// log p(x) for each row; -inf where the density is zero.
    pub fn log_densities(&self, x: ArrayView2<f64>) -> Array1<f64> {
        Array1::from_iter(x.outer_iter().map(|r| self.log_density(&r.to_vec())))
    }

    /// log p(x) at one point.
    pub fn log_density(&self, x: &[f64]) -> f64 {
        use std::f64::consts::PI;
        match self {
            Toy::Mixture {
                weights,
                means,
                std,
            } => {
                let d = x.len() as f64;
                let terms = mixture_log_terms(weights, means.view(), *std, x);
                log_sum_exp(&terms) - 0.5 * d * (2.0 * PI * std * std).ln()
            }
            Toy::Ring { radius, width } => {
                let r = x[0].hypot(x[1]);
                -(r - radius).powi(2) / (2.0 * width * width) - ring_log_normaliser(*radius, *width)
            }
            Toy::Checkerboard { k, half_width } => {
                let side = 2.0 * half_width / *k as f64;
                let i = ((x[0] + half_width) / side).floor();
                let j = ((x[1] + half_width) / side).floor();
                let on_board = (0.0..*k as f64).contains(&i) && (0.0..*k as f64).contains(&j);
                if on_board && (i + j) as i64 % 2 == 0 {
                    let dark = (k * k).div_ceil(2) as f64;
                    -(dark * side * side).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
        }
    }

    /// n independent samples, one per row.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, self.dim()));
        for mut row in out.outer_iter_mut() {
            let point = self.sample_one(rng);
            row.assign(&Array1::from(point));
        }
        out
    }

    fn sample_one(&self, rng: &mut impl Rng) -> Vec<f64> {
        match self {
            Toy::Mixture {
                weights,
                means,
                std,
            } => {
                let mut u: f64 = rng.random::<f64>() * weights.iter().sum::<f64>();
                let k = weights
                    .iter()
                    .position(|w| {
                        u -= w;
                        u < 0.0
                    })
                    .unwrap_or(weights.len() - 1);
                means
                    .row(k)
                    .iter()
                    .map(|m| m + std * rng.sample::<f64, _>(StandardNormal))
                    .collect()
            }
            Toy::Ring { radius, width } => {
                // r has density proportional to r exp(-(r - R)^2 / (2 w^2)):
                // a normal proposal accepted with probability r / r_max.
                let r_max = radius + 10.0 * width;
                let r = loop {
                    let r = radius + width * rng.sample::<f64, _>(StandardNormal);
                    if r > 0.0 && rng.random::<f64>() * r_max < r {
                        break r;
                    }
                };
                let angle = rng.random::<f64>() * 2.0 * std::f64::consts::PI;
                vec![r * angle.cos(), r * angle.sin()]
            }
            Toy::Checkerboard { half_width, .. } => loop {
                let p: Vec<f64> = (0..2)
                    .map(|_| (2.0 * rng.random::<f64>() - 1.0) * half_width)
                    .collect();
                if self.log_density(&p).is_finite() {
                    break p;
                }
            },
        }
    }

    /// grad_x of -log p at one point (zero on the checkerboard, where the
    /// density is piecewise constant).
    fn energy_gradient(&self, x: &[f64]) -> Vec<f64> {
        match self {
            Toy::Mixture {
                weights,
                means,
                std,
            } => {
                let log_terms = mixture_log_terms(weights, means.view(), *std, x);
                let total = log_sum_exp(&log_terms);
                let mut g = vec![0.0; x.len()];
                for (m, lt) in means.outer_iter().zip(&log_terms) {
                    let responsibility = (lt - total).exp();
                    for (gi, (xi, mi)) in g.iter_mut().zip(x.iter().zip(m)) {
                        *gi += responsibility * (xi - mi) / (std * std);
                    }
                }
                g
            }
            Toy::Ring { radius, width } => {
                let r = x[0].hypot(x[1]).max(1e-300);
                let scale = (r - radius) / (width * width * r);
                vec![scale * x[0], scale * x[1]]
            }
            Toy::Checkerboard { .. } => vec![0.0; 2],
        }
    }

    /// The mixture convolved with N(0, sigma^2 I): the same mixture with
    /// standard deviation sqrt(std^2 + sigma^2) (eq. 12.4). None for the
    /// other densities.
    pub fn noised(&self, sigma: f64) -> Option<Toy> {
        match self {
            Toy::Mixture {
                weights,
                means,
                std,
            } => Some(Toy::Mixture {
                weights: weights.clone(),
                means: means.clone(),
                std: std.hypot(sigma),
            }),
            _ => None,
        }
    }
}

/// A toy density as an energy, E = -log p.
impl Energy for Toy {
    fn dim(&self) -> usize {
        Toy::dim(self)
    }

    fn energies_and_grads(&self, x: ArrayView2<f64>) -> (Array1<f64>, Array2<f64>) {
        let mut grads = Array2::zeros(x.raw_dim());
        let mut energies = Array1::zeros(x.nrows());
        for (i, row) in x.outer_iter().enumerate() {
            let point = row.to_vec();
            energies[i] = -self.log_density(&point);
            grads
                .row_mut(i)
                .assign(&Array1::from(self.energy_gradient(&point)));
        }
        (energies, grads)
    }
}

/// log w_k - |x - m_k|^2 / (2 std^2) for each component k of a mixture of
/// isotropic Gaussians: the terms whose log-sum-exp is log p(x) up to the
/// normaliser, and whose softmax gives the responsibilities.
fn mixture_log_terms(weights: &[f64], means: ArrayView2<f64>, std: f64, x: &[f64]) -> Vec<f64> {
    means
        .outer_iter()
        .zip(weights)
        .map(|(m, w)| {
            let r2: f64 = m.iter().zip(x).map(|(a, b)| (a - b).powi(2)).sum();
            w.ln() - r2 / (2.0 * std * std)
        })
        .collect()
}

/// log of the ring's normaliser 2 pi int_0^inf r exp(-(r - R)^2 / (2 w^2)) dr
/// = 2 pi [w^2 exp(-R^2 / (2 w^2)) + R w sqrt(2 pi) Phi(R / w)].
fn ring_log_normaliser(radius: f64, width: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    use std::f64::consts::PI;
    let phi = Normal::standard().cdf(radius / width);
    let z = width * width * (-radius * radius / (2.0 * width * width)).exp()
        + radius * width * (2.0 * PI).sqrt() * phi;
    (2.0 * PI * z).ln()
}
