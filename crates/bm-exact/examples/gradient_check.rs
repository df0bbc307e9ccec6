//! The exact gradient of the mean log-likelihood against central finite
//! differences, for a small RBM and a small general Boltzmann machine.
//!
//! ```console
//! cargo run --release -p bm-exact --example gradient_check
//! ```
//!
//! Writes book/src/generated/gradient-check.md, which chapter 4 of the book
//! includes, and exits with an error if any difference exceeds [`TOLERANCE`].

use std::path::{Path, PathBuf};

use bm_exact::{BoltzmannMachine, Parameters, Rbm, write_file};
use ndarray::{Array2, ArrayView2, array};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const SEED: u64 = 7;
/// Step of the central difference (f(x + eps) - f(x - eps)) / (2 eps); its
/// error is O(eps^2) from truncation plus O(1e-16 / eps) from rounding.
const EPS: f64 = 1e-5;
/// Largest accepted |exact - finite difference|.
const TOLERANCE: f64 = 1e-7;

/// One scalar parameter. A coupling (i, j) is the one pair parameter, stored
/// at both (i, j) and (j, i).
#[derive(Clone, Copy, Debug)]
enum Param {
    VisibleBias(usize),
    HiddenBias(usize),
    Weight(usize, usize),
    VisibleCoupling(usize, usize),
    HiddenCoupling(usize, usize),
}

impl Param {
    fn label(self) -> String {
        match self {
            Param::VisibleBias(j) => format!("$b_{{{j}}}$"),
            Param::HiddenBias(i) => format!("$c_{{{i}}}$"),
            Param::Weight(i, j) => format!("$W_{{{i}{j}}}$"),
            Param::VisibleCoupling(i, j) => format!("$R_{{{i}{j}}}$"),
            Param::HiddenCoupling(i, j) => format!("$T_{{{i}{j}}}$"),
        }
    }

    fn get(self, p: &Parameters) -> f64 {
        match self {
            Param::VisibleBias(j) => p.visible_bias[j],
            Param::HiddenBias(i) => p.hidden_bias[i],
            Param::Weight(i, j) => p.weights[[i, j]],
            Param::VisibleCoupling(i, j) => coupling(&p.visible_couplings)[[i, j]],
            Param::HiddenCoupling(i, j) => coupling(&p.hidden_couplings)[[i, j]],
        }
    }

    /// `p` with this parameter moved by `delta` (both entries of a coupling pair).
    fn shifted(self, p: &Parameters, delta: f64) -> Parameters {
        let mut p = p.clone();
        match self {
            Param::VisibleBias(j) => p.visible_bias[j] += delta,
            Param::HiddenBias(i) => p.hidden_bias[i] += delta,
            Param::Weight(i, j) => p.weights[[i, j]] += delta,
            Param::VisibleCoupling(i, j) => shift_pair(p.visible_couplings.as_mut(), i, j, delta),
            Param::HiddenCoupling(i, j) => shift_pair(p.hidden_couplings.as_mut(), i, j, delta),
        }
        p
    }
}

fn coupling(a: &Option<Array2<f64>>) -> &Array2<f64> {
    a.as_ref().expect("only general machines have couplings")
}

fn shift_pair(a: Option<&mut Array2<f64>>, i: usize, j: usize, delta: f64) {
    let a = a.expect("only general machines have couplings");
    a[[i, j]] += delta;
    a[[j, i]] += delta;
}

struct Check {
    model: &'static str,
    param: Param,
    exact: f64,
    finite_difference: f64,
}

/// Compare `gradient` with central differences of `mean_log_likelihood` at `p`.
fn check(
    model: &'static str,
    p: &Parameters,
    gradient: &Parameters,
    params: &[Param],
    mean_log_likelihood: impl Fn(Parameters) -> bm_exact::Result<f64>,
) -> bm_exact::Result<Vec<Check>> {
    params
        .iter()
        .map(|&param| {
            let up = mean_log_likelihood(param.shifted(p, EPS))?;
            let down = mean_log_likelihood(param.shifted(p, -EPS))?;
            Ok(Check {
                model,
                param,
                exact: param.get(gradient),
                finite_difference: (up - down) / (2.0 * EPS),
            })
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let normal = Normal::new(0.0, 0.5)?;
    let mut draw =
        |shape: (usize, usize)| Array2::from_shape_fn(shape, |_| normal.sample(&mut rng));
    // Five binary examples of four visible units.
    let data: Array2<f64> = array![
        [1., 0., 1., 1.],
        [0., 0., 1., 0.],
        [1., 1., 0., 1.],
        [1., 0., 1., 0.],
        [0., 1., 1., 1.],
    ];

    // An RBM with 4 visible and 3 hidden units.
    let rbm_params = Parameters {
        visible_bias: draw((1, 4)).row(0).to_owned(),
        hidden_bias: draw((1, 3)).row(0).to_owned(),
        weights: draw((3, 4)),
        visible_couplings: None,
        hidden_couplings: None,
    };
    let rbm = Rbm::from_parameters(rbm_params.clone())?;
    let rbm_gradient = rbm.log_likelihood_gradient(data.view())?;
    let mut checks = check(
        "RBM",
        &rbm_params,
        &rbm_gradient,
        &[
            Param::VisibleBias(0),
            Param::VisibleBias(3),
            Param::HiddenBias(1),
            Param::Weight(0, 0),
            Param::Weight(2, 3),
        ],
        |p| Rbm::from_parameters(p)?.mean_log_likelihood(data.view()),
    )?;

    // A general machine with 4 visible and 2 hidden units and couplings R, T.
    let bm_params = Parameters {
        visible_bias: draw((1, 4)).row(0).to_owned(),
        hidden_bias: draw((1, 2)).row(0).to_owned(),
        weights: draw((2, 4)),
        visible_couplings: Some(symmetric(draw((4, 4)).view())),
        hidden_couplings: Some(symmetric(draw((2, 2)).view())),
    };
    let bm = BoltzmannMachine::from_parameters(bm_params.clone())?;
    let bm_gradient = bm.log_likelihood_gradient(data.view())?;
    checks.extend(check(
        "general BM",
        &bm_params,
        &bm_gradient,
        &[
            Param::VisibleBias(2),
            Param::HiddenBias(0),
            Param::Weight(1, 2),
            Param::VisibleCoupling(0, 1),
            Param::VisibleCoupling(1, 3),
            Param::HiddenCoupling(0, 1),
        ],
        |p| BoltzmannMachine::from_parameters(p)?.mean_log_likelihood(data.view()),
    )?);

    let table = markdown_table(&checks);
    print!("{table}");
    let path = generated_dir()?.join("gradient-check.md");
    write_file(&path, &table, true)?;
    println!("wrote {}", path.display());

    let worst = checks
        .iter()
        .map(|c| (c.exact - c.finite_difference).abs())
        .fold(0.0, f64::max);
    if worst > TOLERANCE {
        return Err(format!("largest difference {worst:.1e} exceeds {TOLERANCE:.0e}").into());
    }
    Ok(())
}

/// The upper triangle of `a` mirrored, with a zero diagonal: one value per pair.
fn symmetric(a: ArrayView2<f64>) -> Array2<f64> {
    Array2::from_shape_fn(a.dim(), |(i, j)| match i.cmp(&j) {
        std::cmp::Ordering::Less => a[[i, j]],
        std::cmp::Ordering::Greater => a[[j, i]],
        std::cmp::Ordering::Equal => 0.0,
    })
}

fn markdown_table(checks: &[Check]) -> String {
    let mut s = format!(
        "<!-- Generated by `cargo run --release -p bm-exact --example gradient_check`; do not edit. -->\n\n\
         | model | parameter | exact gradient | central difference, $\\epsilon$ = {EPS:e} | difference |\n\
         |---|---|---:|---:|---:|\n",
    );
    for c in checks {
        s.push_str(&format!(
            "| {} | {} | {:+.10} | {:+.10} | {:.1e} |\n",
            c.model,
            c.param.label(),
            c.exact,
            c.finite_difference,
            (c.exact - c.finite_difference).abs()
        ));
    }
    s.push_str(&format!(
        "\nData: 5 examples of 4 visible units; parameters drawn from N(0, 0.5²) with seed {SEED}. \
         The program fails if any difference exceeds {TOLERANCE:.0e}.\n"
    ));
    s
}

/// book/src/generated of the workspace, which must exist.
fn generated_dir() -> std::io::Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../book/src/generated")
        .canonicalize()
}
