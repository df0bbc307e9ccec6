//! `boltzmann exact` on a `format = "dbn"` file: the top RBM's log Z and,
//! with data, the exact mean log p(v) (eq. 10.4) and the mean variational
//! lower bound (eq. 10.6), by enumeration.

use std::path::{Path, PathBuf};

use dbn::ExactDbn;
use serde::Serialize;

use super::dbn_error;
use crate::common::print_report;
use crate::report::BadInput;

#[derive(Serialize)]
struct DbnExactReport {
    model_file: String,
    model_format: &'static str,
    /// Units of v, h_1, ..., h_K.
    layer_sizes: Vec<usize>,
    n_labels: usize,
    /// log Z of the top RBM (with its label units, if any).
    log_partition: f64,
    #[serde(flatten)]
    data: Option<DataReport>,
}

#[derive(Serialize)]
struct DataReport {
    data_file: String,
    n_examples: usize,
    mean_log_likelihood: f64,
    mean_lower_bound: f64,
}

/// Solve the net in `model` exactly; `gradient` is refused (not defined for DBNs here).
pub fn run(model: &Path, data: Option<&PathBuf>, gradient: bool, json: bool) -> anyhow::Result<()> {
    if gradient {
        return Err(BadInput(format!(
            "{}: --gradient is not available for a DBN (format = \"dbn\"); \
             drop --gradient to get log p(v) and the lower bound",
            model.display()
        ))
        .into());
    }
    let net = ExactDbn::load(model).map_err(dbn_error)?;
    net.check_size().map_err(|e| dbn_error(e.in_file(model)))?;
    let data_report = match data {
        Some(path) => {
            let values = crate::exact::read_data(path, net.n_visible(), model)?;
            let summary = net
                .summary(values.view())
                .map_err(|e| dbn_error(e.in_file(path)))?;
            Some((path, values.nrows(), summary))
        }
        None => None,
    };
    let log_partition = match &data_report {
        Some((_, _, summary)) => summary.log_partition,
        None => net.top_log_marginal().map_err(dbn_error)?.1,
    };
    let report = DbnExactReport {
        model_file: model.display().to_string(),
        model_format: "dbn",
        layer_sizes: std::iter::once(net.n_visible())
            .chain(net.layers().iter().map(|l| l.n_hidden()))
            .collect(),
        n_labels: net.labels().map_or(0, |l| l.bias.len()),
        log_partition,
        data: data_report.map(|(path, n_examples, s)| DataReport {
            data_file: path.display().to_string(),
            n_examples,
            mean_log_likelihood: s.mean_log_likelihood,
            mean_lower_bound: s.mean_lower_bound,
        }),
    };
    print_report(&report, human_text, json, false)
}

fn human_text(r: &DbnExactReport) -> String {
    let sizes: Vec<String> = r.layer_sizes.iter().map(|n| n.to_string()).collect();
    let labels = match r.n_labels {
        0 => String::new(),
        n => format!(" with {n} label units"),
    };
    let mut lines = vec![
        format!("model {}: dbn {}{labels}", r.model_file, sizes.join("-")),
        format!("log Z of the top RBM = {:.12}", r.log_partition),
    ];
    if let Some(d) = &r.data {
        lines.push(format!(
            "mean log-likelihood = {:.6} nats per example ({} examples)",
            d.mean_log_likelihood, d.n_examples
        ));
        lines.push(format!(
            "mean lower bound = {:.6} nats per example (gap {:.6})",
            d.mean_lower_bound,
            d.mean_log_likelihood - d.mean_lower_bound
        ));
    }
    lines.join("\n") + "\n"
}
