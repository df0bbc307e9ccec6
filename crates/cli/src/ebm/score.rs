//! `boltzmann ebm score MODEL DATA`: the energy of each example (low =
//! typical, an anomaly score) and, for d <= 2, log p(x) = -E(x) - log Z with
//! log Z by quadrature (eq. 11.8) on [-a, a]^d, reported with its error terms.

use ebm_langevin::oracle::{Grid2d, LogPartition, log_partition, log_partition_1d};
use serde::Serialize;

use crate::report::BadInput;
use crate::score::ScoreFiles;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: ScoreFiles,
    /// Half width a of the quadrature square [-a, a]^d (d <= 2).
    #[arg(long, value_name = "A", default_value_t = 6.0)]
    half_width: f64,
    /// Cells per side of the coarser quadrature grid (the finer has twice as many).
    #[arg(long, value_name = "N", default_value_t = 256)]
    cells: usize,
}

#[derive(Serialize)]
struct ScoreReport {
    model_file: String,
    data_file: String,
    n_examples: usize,
    mean_energy: f64,
    /// Null for d > 2.
    mean_log_probability: Option<f64>,
    log_partition: Option<LogPartition>,
    /// Why log Z (and so log p) may be unreliable; null when it is not.
    warning: Option<String>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    if !(args.half_width.is_finite() && args.half_width > 0.0) || args.cells < 2 {
        return Err(BadInput(format!(
            "--half-width {} / --cells {}: expected a positive width and at least 2 cells",
            args.half_width, args.cells
        ))
        .into());
    }
    let files = &args.files;
    files.check_outputs()?;
    let model = super::load_model(&files.model)?;
    let data = super::read_data(&files.data, &files.split)?;
    super::check_width(&data, &model, &files.data)?;
    let energies = model.energies(data.view());
    if let Some(i) = energies.iter().position(|e| !e.is_finite()) {
        return Err(BadInput(format!(
            "{}: the energy of example {i} of {} is {}; expected finite energies \
             (parameters or values this large overflow f64)",
            files.model.display(),
            files.data.display(),
            energies[i]
        ))
        .into());
    }
    check_quadrature_cells(args.cells, model.n_inputs())?;
    let log_z = match model.n_inputs() {
        1 => Some(log_partition_1d(&model, args.half_width, args.cells)),
        2 => Some(log_partition(
            &model,
            Grid2d {
                half_width: args.half_width,
                n: args.cells,
            },
        )),
        _ => None,
    };
    if let Some(z) = &log_z {
        check_quadrature(z, &files.model)?;
    }
    let log_p = log_z.as_ref().map(|z| energies.mapv(|e| -e - z.value));
    let report = ScoreReport {
        model_file: files.model.display().to_string(),
        data_file: files.data.display().to_string(),
        n_examples: data.nrows(),
        mean_energy: energies.mean().unwrap_or(f64::NAN),
        mean_log_probability: log_p.as_ref().and_then(|l| l.mean()),
        warning: log_z.as_ref().and_then(quadrature_warning),
        log_partition: log_z,
    };
    files.write("energy", &energies, log_p.as_ref(), &report, human_text)
}

/// Refuse a quadrature that f64 cannot resolve: log Z not finite, or cell
/// masses that no longer sum to at most 1 (energies so large, e.g. 1e30,
/// that -E - log Z cancels to rounding noise).
fn check_quadrature(z: &LogPartition, model: &std::path::Path) -> Result<(), BadInput> {
    if z.value.is_finite() && z.discretisation_error.is_finite() && z.edge_mass <= 1.0 + 1e-9 {
        return Ok(());
    }
    Err(BadInput(format!(
        "{}: log Z by quadrature is {:.3e} (edge mass {:.3e}, discretisation error {:.3e}); \
         expected an energy that confines and whose values f64 can resolve",
        model.display(),
        z.value,
        z.edge_mass,
        z.discretisation_error
    )))
}

/// The reason to distrust log Z, for the text and for the JSON summary.
fn quadrature_warning(z: &LogPartition) -> Option<String> {
    if z.edge_mass > 1e-6 {
        Some(format!(
            "the density has not decayed at the edge of the square (edge mass {:.1e}); raise --half-width",
            z.edge_mass
        ))
    } else if z.discretisation_error > 1e-3 {
        Some(format!(
            "the quadrature has not converged (log Z changes by {:.1e} from n to 2n cells); raise --cells",
            z.discretisation_error
        ))
    } else {
        None
    }
}

fn human_text(r: &ScoreReport) -> String {
    let mut text = format!(
        "{} examples of {}: mean energy {:.6}\n",
        r.n_examples, r.data_file, r.mean_energy
    );
    if let (Some(z), Some(lp)) = (&r.log_partition, r.mean_log_probability) {
        text.push_str(&format!(
            "log Z = {:.6} by quadrature on [-{}, {}]^d, {} cells per side (discretisation error {:.1e}, edge mass {:.1e})\nmean log p = {lp:.6}\n",
            z.value, z.half_width, z.half_width, z.cells_per_side, z.discretisation_error, z.edge_mass
        ));
        if let Some(warning) = &r.warning {
            text.push_str(&format!("warning: {warning}\n"));
        }
    }
    text
}

/// The most cells the quadrature may evaluate: 2^27 (its finer grid has
/// 2n cells per side, so n = 5,792 in 2-D); more would take hours and
/// gigabytes, and `2n` itself could overflow.
const MAX_QUADRATURE_CELLS: u128 = 1 << 27;

/// Refuse a `--cells` whose finer grid, (2n)^d cells for d <= 2 inputs,
/// exceeds [`MAX_QUADRATURE_CELLS`] (no quadrature runs for d > 2).
fn check_quadrature_cells(cells: usize, n_inputs: usize) -> Result<(), BadInput> {
    if n_inputs > 2 {
        return Ok(());
    }
    let fine = (2 * cells as u128).saturating_pow(n_inputs as u32);
    if fine > MAX_QUADRATURE_CELLS {
        return Err(BadInput(format!(
            "--cells {cells}: the quadrature would evaluate {fine} cells in {n_inputs}-D; \
             at most {MAX_QUADRATURE_CELLS} (--cells up to {} here)",
            max_cells(n_inputs)
        )));
    }
    Ok(())
}

/// The largest `--cells` that [`check_quadrature_cells`] accepts in `d` dimensions.
fn max_cells(d: usize) -> u128 {
    let per_side = if d == 1 {
        MAX_QUADRATURE_CELLS
    } else {
        MAX_QUADRATURE_CELLS.isqrt()
    };
    per_side / 2
}
