//! The sentences of the ais-vs-exact summary that state a pattern
//! ("below", "brackets", "every bar"). Each computes its predicate from the
//! runs and says what it found, so the chapter never claims more than the
//! numbers show.

use super::ais_sweep::{ModelSweeps, Run, Setting, forward_runs};

fn count(runs: &[&Run], keep: impl Fn(&Run) -> bool) -> usize {
    runs.iter().filter(|r| keep(r)).count()
}

/// At the shortest schedule: how many forward runs are below the exact
/// value and how many reverse runs above it, per model.
pub fn shortest_schedule_sentence(sweeps: &[ModelSweeps]) -> String {
    let parts: Vec<String> = sweeps
        .iter()
        .filter_map(|m| {
            let forward = m.betas.first()?;
            let mut part = format!(
                "{}: forward below the exact log Z in {} of {} runs",
                m.model,
                count(&forward.runs.iter().collect::<Vec<_>>(), |r| r.error < 0.0),
                forward.runs.len()
            );
            if let Some(reverse) = m.reverse.first() {
                part.push_str(&format!(
                    ", reverse above it in {} of {}",
                    count(&reverse.runs.iter().collect::<Vec<_>>(), |r| r.error > 0.0),
                    reverse.runs.len()
                ));
            }
            Some(format!(
                "{part} (at {} inverse temperatures)",
                forward.n_betas
            ))
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("At the shortest schedule, {}.", parts.join("; "))
}

/// Forward and reverse runs with the same schedule and seed: how often the
/// pair brackets the exact value, and how often each side fails.
pub fn bracket_sentence(sweeps: &[ModelSweeps]) -> String {
    let pairs: Vec<(&Run, &Run)> = sweeps
        .iter()
        .flat_map(|m| m.betas.iter().zip(&m.reverse))
        .flat_map(|(f, r)| f.runs.iter().zip(&r.runs))
        .collect();
    if pairs.is_empty() {
        return String::new();
    }
    let both = pairs
        .iter()
        .filter(|(f, r)| f.error <= 0.0 && r.error >= 0.0)
        .count();
    let forward_high = pairs.iter().filter(|(f, _)| f.error > 0.0).count();
    let reverse_low = pairs.iter().filter(|(_, r)| r.error < 0.0).count();
    let verdict = if both == pairs.len() {
        "every pair brackets it here, although the bracket is only guaranteed in expectation"
    } else {
        "the bracket holds in expectation (Jensen), not run by run"
    };
    format!(
        "A forward and a reverse run with the same schedule and seed bracket the exact log Z in \
         {both} of {} pairs; the forward run is above it in {forward_high} and the reverse run \
         below it in {reverse_low}: {verdict}.",
        pairs.len()
    )
}

/// Reverse AIS is biased upwards in expectation; is its mean error positive?
pub fn reverse_mean_sentence(sweeps: &[ModelSweeps]) -> String {
    let settings: Vec<(&str, &Setting)> = sweeps
        .iter()
        .flat_map(|m| m.reverse.iter().map(move |s| (m.model.as_str(), s)))
        .collect();
    if settings.is_empty() {
        return String::new();
    }
    let negative: Vec<String> = settings
        .iter()
        .filter(|(_, s)| s.mean_error < 0.0)
        .map(|(model, s)| {
            format!(
                "{model} at {} ({})",
                s.n_betas,
                super::summary::num(s.mean_error)
            )
        })
        .collect();
    if negative.is_empty() {
        format!(
            "The mean error of reverse AIS over seeds is positive in all {} settings.",
            settings.len()
        )
    } else {
        format!(
            "The mean error of reverse AIS over seeds is positive in {} of {} settings; it is \
             negative in {}, where the upward bias is smaller than the spread of the seeds.",
            settings.len() - negative.len(),
            settings.len(),
            negative.join(", ")
        )
    }
}

/// The shortest schedule from which every bar of the sweep contains the
/// exact value, or None if the longest schedule still misses.
fn covered_from(settings: &[Setting]) -> Option<usize> {
    let mut from = None;
    for s in settings.iter().rev() {
        if s.runs.iter().all(Run::contains_exact) {
            from = Some(s.n_betas);
        } else {
            break;
        }
    }
    from
}

/// From which schedule on every forward (and reverse) bar holds the exact value.
pub fn coverage_sentence(sweeps: &[ModelSweeps], chains: usize) -> String {
    let describe = |what: &str, settings: &[Setting]| match covered_from(settings) {
        Some(n) => format!("every {what} bar contains it from {n} inverse temperatures on"),
        None => format!("some {what} bar misses it even at the longest schedule"),
    };
    let parts: Vec<String> = sweeps
        .iter()
        .map(|m| {
            let mut part = format!("{}: {}", m.model, describe("forward", &m.betas));
            if !m.reverse.is_empty() {
                part.push_str(&format!(", {}", describe("reverse", &m.reverse)));
            }
            part
        })
        .collect();
    format!(
        "With {chains} chains, measured against the exact log Z: {}.",
        parts.join("; ")
    )
}

fn abs_error(s: &Setting) -> String {
    format!("{:.3} ± {:.3}", s.mean_abs_error, s.abs_error_spread())
}

/// Settings of the two sweeps with the same cost (inverse temperatures times
/// chains): does a longer schedule or more chains give the smaller error?
pub fn equal_cost_sentences(sweeps: &[ModelSweeps]) -> Vec<String> {
    let mut out = Vec::new();
    for m in sweeps {
        for s in &m.betas {
            for c in &m.chains {
                let same_cost = s.n_betas * s.n_chains == c.n_betas * c.n_chains;
                if !same_cost || s.n_betas == c.n_betas {
                    continue;
                }
                let (long, wide) = if s.n_betas > c.n_betas {
                    (s, c)
                } else {
                    (c, s)
                };
                let diff = long.mean_abs_error - wide.mean_abs_error;
                let verdict = if diff.abs() <= long.abs_error_spread().max(wide.abs_error_spread())
                {
                    "the difference is within the spread over seeds"
                } else if diff < 0.0 {
                    "the longer schedule is better"
                } else {
                    "more chains are better"
                };
                out.push(format!(
                    "{}, equal cost of {} Gibbs steps: {} inverse temperatures x {} chains give a \
                     mean absolute error of {} nats, {} x {} give {}; {verdict}.",
                    m.model,
                    long.n_betas * long.n_chains,
                    long.n_betas,
                    long.n_chains,
                    abs_error(long),
                    wide.n_betas,
                    wide.n_chains,
                    abs_error(wide)
                ));
            }
        }
    }
    out
}

/// The tail bound P(log Z_hat > log Z + t) <= e^{-t} at t = 1, against the
/// forward runs (shared settings counted once).
pub fn tail_sentence(sweeps: &[ModelSweeps]) -> String {
    let runs: Vec<&Run> = sweeps.iter().flat_map(forward_runs).collect();
    if runs.is_empty() {
        return String::new();
    }
    let above = count(&runs, |r| r.error > 1.0);
    let largest = runs
        .iter()
        .map(|r| r.error)
        .fold(f64::NEG_INFINITY, f64::max);
    format!(
        "{above} of {} forward runs over-estimate log Z by more than 1 nat (the tail bound allows \
         a probability of e^-1 ≈ 0.37 per run); the largest over-estimate is {largest:.3} nats.",
        runs.len()
    )
}
