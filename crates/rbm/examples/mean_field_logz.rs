//! Naive mean field, TAP and AIS estimates of log Z against exact
//! enumeration, on random RBMs of growing weight scale and on RBMs trained
//! on bars-and-stripes; and the negative phase (the model statistics of
//! eq. (4.3)) by mean field, TAP (eq. (7.7)) and Gibbs chains against the
//! exact one on the same models.
//!
//! ```console
//! cargo run --release -p rbm --example mean_field_logz
//! ```
//!
//! Writes book/src/generated/mean-field-logz.md, which the chapter
//! "Estimating the partition function" includes. Seeded: the same bytes
//! on every run.

use std::fmt::Write;
use std::path::Path;

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rbm::{
    AisSchedule, Estimator, MeanFieldOrder, Rbm, TrainConfig, Trainer, ais, base_rate_visible_bias,
    gibbs_chain, mean_field_log_partition, mean_field_statistics, mean_statistics,
};

const SEED: u64 = 2002;
const AIS_BETAS: usize = 1_000;
const AIS_CHAINS: usize = 100;
const MAX_ITERATIONS: usize = 10_000;
const GIBBS_CHAINS: usize = 100;
const GIBBS_STEPS: usize = 1_000;

/// One model and its four numbers.
struct Row {
    name: String,
    weight_norm: f64,
    exact: f64,
    naive: f64,
    tap: f64,
    tap_converged: bool,
    ais: f64,
    /// Largest error of the model statistics E[v], E[h], E[h v^T].
    naive_statistics: f64,
    tap_statistics: f64,
    gibbs_statistics: f64,
}

fn random_model(n_visible: usize, n_hidden: usize, weight_sd: f64, rng: &mut ChaCha8Rng) -> Rbm {
    let bias = Normal::new(0.0, 0.5).unwrap();
    let weight = Normal::new(0.0, weight_sd).unwrap();
    let mut rbm = Rbm::zeros(n_visible, n_hidden);
    rbm.visible_bias.mapv_inplace(|_| bias.sample(rng) as f32);
    rbm.hidden_bias.mapv_inplace(|_| bias.sample(rng) as f32);
    rbm.weights.mapv_inplace(|_| weight.sample(rng) as f32);
    rbm
}

fn trained_model(side: usize, n_hidden: usize, epochs: usize, seed: u64) -> (Rbm, Array2<f32>) {
    let data = datasets::bars_and_stripes(side, side).mapv(|x| x as f32);
    let config = TrainConfig {
        learning_rate: 0.1,
        weight_decay: 0.0,
        batch_size: data.nrows(),
        epochs,
        estimator: Estimator::Pcd {
            k: 1,
            n_chains: data.nrows(),
        },
        seed,
        ..TrainConfig::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = Rbm::initialise(n_hidden, data.view(), &mut rng);
    let mut trainer = Trainer::new(start, config).expect("a valid configuration");
    trainer.train(data.view()).expect("training");
    (trainer.rbm().clone(), data)
}

/// The largest difference between two sets of statistics.
fn largest_error(approx: &bm_exact::Statistics, exact: &bm_exact::Statistics) -> f64 {
    let d = approx.minus(exact);
    d.visible_bias
        .iter()
        .chain(&d.hidden_bias)
        .chain(&d.weights)
        .fold(0.0f64, |m, x| m.max(x.abs()))
}

/// The model statistics from the final states of `GIBBS_CHAINS` block Gibbs
/// chains of `GIBBS_STEPS` steps each, started uniformly at random.
fn gibbs_statistics(rbm: &Rbm, rng: &mut ChaCha8Rng) -> bm_exact::Statistics {
    let start = Array2::from_shape_fn((GIBBS_CHAINS, rbm.n_visible()), |_| {
        f32::from(rand::Rng::random::<bool>(rng))
    });
    let end = gibbs_chain(rbm, start.view(), GIBBS_STEPS, rng);
    let g = mean_statistics(rbm, end.view());
    bm_exact::Statistics {
        visible: g.visible_bias.mapv(f64::from),
        hidden: g.hidden_bias.mapv(f64::from),
        hidden_visible: g.weights.mapv(f64::from),
    }
}

fn evaluate(
    name: String,
    rbm: &Rbm,
    base_data: &Array2<f32>,
    rng: &mut ChaCha8Rng,
    gibbs_rng: &mut ChaCha8Rng,
) -> Row {
    let exact = rbm.to_exact().unwrap().log_partition().unwrap();
    let naive = mean_field_log_partition(rbm, MeanFieldOrder::Naive, MAX_ITERATIONS);
    let tap = mean_field_log_partition(rbm, MeanFieldOrder::Tap, MAX_ITERATIONS);
    let base = base_rate_visible_bias(base_data.view());
    let schedule = AisSchedule::scaled(AIS_BETAS).unwrap();
    let estimate = ais(rbm, base.view(), &schedule, AIS_CHAINS, rng).unwrap();
    let weight_norm = rbm
        .weights
        .iter()
        .map(|&w| f64::from(w).powi(2))
        .sum::<f64>()
        .sqrt();
    let exact_statistics = rbm.to_exact().unwrap().model_statistics().unwrap();
    let error = |order, estimate| {
        largest_error(
            &mean_field_statistics(rbm, estimate, order),
            &exact_statistics,
        )
    };
    Row {
        naive_statistics: error(MeanFieldOrder::Naive, &naive),
        tap_statistics: error(MeanFieldOrder::Tap, &tap),
        gibbs_statistics: largest_error(&gibbs_statistics(rbm, gibbs_rng), &exact_statistics),
        name,
        weight_norm,
        exact,
        naive: naive.log_partition,
        tap: tap.log_partition,
        tap_converged: tap.converged,
        ais: estimate.log_partition,
    }
}

fn markdown(rows: &[Row]) -> String {
    let mut md = String::from(
        "<!-- Generated by `cargo run --release -p rbm --example mean_field_logz`. Do not edit. -->\n\n",
    );
    let _ = writeln!(
        md,
        "| model | weight norm | exact log Z | mean field - exact | TAP - exact | AIS - exact ({AIS_BETAS} inverse temperatures, {AIS_CHAINS} chains) |"
    );
    md.push_str("|:---|---:|---:|---:|---:|---:|\n");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {:.2} | {:.4} | {:+.4} | {:+.4}{} | {:+.4} |",
            r.name,
            r.weight_norm,
            r.exact,
            r.naive - r.exact,
            r.tap - r.exact,
            if r.tap_converged {
                ""
            } else {
                " (not converged)"
            },
            r.ais - r.exact
        );
    }
    let n = rows.len();
    let below = rows.iter().filter(|r| r.naive <= r.exact).count();
    let tap_closer = rows
        .iter()
        .filter(|r| (r.tap - r.exact).abs() < (r.naive - r.exact).abs())
        .count();
    let ais_closer = rows
        .iter()
        .filter(|r| (r.ais - r.exact).abs() < (r.tap - r.exact).abs())
        .count();
    let _ = writeln!(
        md,
        "\nNaive mean field is at or below the exact log Z for {below} of {n} models{}; \
         TAP is closer to it than naive mean field for {tap_closer} of {n}; \
         AIS is closer than TAP for {ais_closer} of {n}.",
        if below == n {
            " (it is a lower bound)"
        } else {
            " (**it should be a lower bound**)"
        }
    );
    md.push_str(&statistics_markdown(rows));
    md
}

/// The second table: the negative phase against the exact model statistics.
fn statistics_markdown(rows: &[Row]) -> String {
    let mut md = format!(
        "\n| model | mean field | TAP | Gibbs ({GIBBS_CHAINS} chains, {GIBBS_STEPS} steps) |\n|:---|---:|---:|---:|\n"
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {:.4} | {:.4} | {:.4} |",
            r.name, r.naive_statistics, r.tap_statistics, r.gibbs_statistics
        );
    }
    let n = rows.len();
    let tap_closer = rows
        .iter()
        .filter(|r| r.tap_statistics < r.naive_statistics)
        .count();
    let gibbs_closer = rows
        .iter()
        .filter(|r| r.gibbs_statistics < r.tap_statistics)
        .count();
    let _ = writeln!(
        md,
        "\nLargest error of the model statistics E[v], E[h], E[h v^T] against enumeration. \
         TAP's statistics are closer than naive mean field's for {tap_closer} of {n} models; \
         the Gibbs chains' are closer than TAP's for {gibbs_closer} of {n}."
    );
    md
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    // The chains of the negative phase have their own stream, so that the
    // AIS draws of the first table do not depend on them.
    let mut gibbs_rng = ChaCha8Rng::seed_from_u64(SEED + 1);
    let mut rows = Vec::new();
    for weight_sd in [0.05, 0.2, 0.5, 1.0] {
        let rbm = random_model(20, 12, weight_sd, &mut rng);
        let uniform = Array2::from_elem((1, 20), 0.5f32);
        rows.push(evaluate(
            format!("random 20 x 12, weights N(0, {weight_sd}^2)"),
            &rbm,
            &uniform,
            &mut rng,
            &mut gibbs_rng,
        ));
    }
    for (epochs, seed) in [(200, 1), (3000, 2)] {
        let (rbm, data) = trained_model(4, 12, epochs, seed);
        rows.push(evaluate(
            format!("4x4 bars-and-stripes, 12 hidden, PCD-1, {epochs} epochs"),
            &rbm,
            &data,
            &mut rng,
            &mut gibbs_rng,
        ));
    }
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src/generated/mean-field-logz.md");
    std::fs::write(&path, markdown(&rows))?;
    println!("wrote {}", path.display());
    Ok(())
}
