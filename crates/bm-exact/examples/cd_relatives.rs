//! Where maximum likelihood, CD-1, pseudo-likelihood, ratio matching and
//! noise-contrastive estimation come to rest, exactly, on tiny RBMs: once
//! when the target is an RBM of the model's size (all consistent objectives
//! share the truth as their optimum) and once when it is not (their fixed
//! points differ, and only maximum likelihood minimises KL(q || p)).
//!
//! ```console
//! cargo run --release -p bm-exact --example cd_relatives
//! ```
//!
//! Writes book/src/generated/cd-relatives.md, which chapter 5 includes.

use std::fmt::Write;
use std::path::Path;

use bm_exact::objectives::{
    self, expected_log_likelihood, expected_pseudo_log_likelihood, flatten, nce_objective,
    ratio_matching_loss,
};
use bm_exact::{Rbm, empirical_distribution, state_vector};
use ndarray::{Array1, Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const D: usize = 4;
const STEP: f64 = 0.05;
/// Heavy-ball momentum: the objectives are flat along some directions.
const MOMENTUM: f64 = 0.9;
const MAX_ITERATIONS: usize = 100_000;
const TOLERANCE: f64 = 1e-6;

#[derive(Clone, Copy, Debug)]
enum Method {
    MaximumLikelihood,
    Cd1,
    PseudoLikelihood,
    RatioMatching,
    Nce,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::MaximumLikelihood => "maximum likelihood",
            Method::Cd1 => "CD-1 (exact expected update)",
            Method::PseudoLikelihood => "pseudo-likelihood",
            Method::RatioMatching => "ratio matching",
            Method::Nce => "NCE (uniform noise, log Z learned)",
        }
    }
}

fn unflatten(x: &[f64], n: usize) -> Rbm {
    objectives::unflatten(x, D, n).expect("finite parameters")
}

/// The ascent direction of `method` at x (the model's parameters, plus log Z
/// last for NCE): central differences of its objective, or for CD-1 the
/// exact expected update on the data rows.
fn direction(
    method: Method,
    x: &[f64],
    n: usize,
    q: ArrayView1<f64>,
    rows: &Array2<f64>,
) -> Vec<f64> {
    if let Method::Cd1 = method {
        let p = unflatten(x, n).expected_cd_update(rows.view(), 1).unwrap();
        return p
            .visible_bias
            .iter()
            .chain(p.hidden_bias.iter())
            .chain(p.weights.iter())
            .copied()
            .collect();
    }
    let objective = |y: &[f64]| -> f64 {
        let rbm = unflatten(y, n);
        match method {
            Method::MaximumLikelihood => expected_log_likelihood(&rbm, q),
            Method::PseudoLikelihood => expected_pseudo_log_likelihood(&rbm, q),
            Method::RatioMatching => -ratio_matching_loss(&rbm, q),
            Method::Nce => nce_objective(&rbm, y[y.len() - 1], q),
            Method::Cd1 => unreachable!("handled above"),
        }
    };
    let eps = 1e-6;
    (0..x.len())
        .map(|i| {
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[i] += eps;
            down[i] -= eps;
            (objective(&up) - objective(&down)) / (2.0 * eps)
        })
        .collect()
}

/// Gradient ascent with momentum from `start` until every entry of the
/// direction is below TOLERANCE; returns the model and the largest entry of
/// the direction where it stopped.
fn fixed_point(method: Method, start: &Rbm, q: ArrayView1<f64>, rows: &Array2<f64>) -> (Rbm, f64) {
    let n = start.n_hidden();
    let mut x = flatten(start);
    if let Method::Nce = method {
        x.push(start.log_partition().unwrap());
    }
    let mut velocity = vec![0.0; x.len()];
    let mut largest = f64::INFINITY;
    for _ in 0..MAX_ITERATIONS {
        let g = direction(method, &x, n, q, rows);
        largest = g.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        if largest < TOLERANCE {
            break;
        }
        for ((xi, vi), gi) in x.iter_mut().zip(&mut velocity).zip(&g) {
            *vi = MOMENTUM * *vi + STEP * gi;
            *xi += *vi;
        }
    }
    (unflatten(&x, n), largest)
}

fn kl(q: ArrayView1<f64>, model: &Rbm) -> f64 {
    let entropy: f64 = q.iter().filter(|p| **p > 0.0).map(|p| -p * p.ln()).sum();
    -entropy - expected_log_likelihood(model, q)
}

fn random_rbm(n: usize, scale: f64, rng: &mut impl Rng) -> Rbm {
    let mut draw = || rng.random_range(-scale..scale);
    Rbm::new(
        Array1::from_shape_simple_fn(D, &mut draw),
        Array1::from_shape_simple_fn(n, &mut draw),
        Array2::from_shape_simple_fn((n, D), &mut draw),
    )
    .unwrap()
}

/// One table: every method from the same start on the target q.
fn table(
    md: &mut String,
    title: &str,
    q: ArrayView1<f64>,
    rows: &Array2<f64>,
    start: &Rbm,
    methods: &[Method],
) {
    let _ = writeln!(md, "**{title}**\n");
    md.push_str("| method | KL(q ‖ p) where it stopped | largest gradient entry there |\n|:---|---:|---:|\n");
    let mut kls = Vec::new();
    for &m in methods {
        let (model, largest) = fixed_point(m, start, q, rows);
        let k = kl(q, &model);
        kls.push((m, k));
        let _ = writeln!(md, "| {} | {:.2e} | {:.1e} |", m.name(), k, largest);
    }
    let worst = kls.iter().map(|(_, k)| *k).fold(0.0, f64::max);
    let _ = writeln!(
        md,
        "\nEvery method ends with KL(q ‖ p) at most {worst:.1e} (after at most {MAX_ITERATIONS} steps of gradient ascent with momentum from the same start)."
    );
    let ml = kls[0].1;
    let worse: Vec<String> = kls[1..]
        .iter()
        .map(|(m, k)| format!("{} {:+.1e}", m.name(), k - ml))
        .collect();
    let all_above = kls[1..].iter().all(|(_, k)| *k >= ml - 1e-9);
    let _ = writeln!(
        md,
        "Relative to maximum likelihood, KL(q ‖ p) differs by {}{}.\n",
        worse.join(", "),
        if all_above {
            ""
        } else {
            " (a negative entry means that maximum likelihood had not yet reached its optimum, the only minimum of KL(q ‖ p), when it stopped)"
        }
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(2006);
    let mut md = String::from(
        "<!-- Generated by `cargo run --release -p bm-exact --example cd_relatives`. Do not edit. -->\n\n",
    );
    // Well specified: the target is an RBM with 2 hidden units, as the model.
    let truth = random_rbm(2, 1.5, &mut rng);
    let q = truth.visible_distribution()?;
    let start = random_rbm(2, 0.1, &mut rng);
    let no_rows = Array2::zeros((0, D));
    let consistent = [
        Method::MaximumLikelihood,
        Method::PseudoLikelihood,
        Method::RatioMatching,
        Method::Nce,
    ];
    table(
        &mut md,
        "Target an RBM with 4 visible and 2 hidden units; model of the same size",
        q.view(),
        &no_rows,
        &start,
        &consistent,
    );
    // Misspecified: 2x2 bars-and-stripes (6 images, 4 copies each) plus every
    // state once, fitted with a single hidden unit.
    let bars: Vec<u64> = vec![0b0000, 0b1111, 0b0011, 0b1100, 0b0101, 0b1010];
    let mut states: Vec<u64> = bars.iter().flat_map(|&s| [s; 4]).collect();
    states.extend(0..16u64);
    let mut rows = Array2::zeros((states.len(), D));
    for (r, &s) in states.iter().enumerate() {
        rows.row_mut(r).assign(&state_vector(s, D));
    }
    let q = empirical_distribution(rows.view())?;
    let start = random_rbm(1, 0.1, &mut rng);
    let mut all = vec![Method::MaximumLikelihood, Method::Cd1];
    all.extend(&consistent[1..]);
    table(
        &mut md,
        "Target: 2x2 bars-and-stripes (each image 4 times) plus every state once; model with 1 hidden unit",
        q.view(),
        &rows,
        &start,
        &all,
    );
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src/generated/cd-relatives.md");
    std::fs::write(&path, md)?;
    println!("wrote {}", path.display());
    Ok(())
}
