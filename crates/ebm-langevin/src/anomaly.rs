//! Anomaly detection by energy: low energy = normal, so an energy (or an
//! RBM's free energy) is an anomaly score, and the area under the ROC curve
//! says how well it separates normal examples from outliers.

use crate::error::{EbmError, Result};

// ANCHOR: auroc
/// The area under the ROC curve, eq. (11.11): the probability that a random
/// outlier scores higher than a random normal example, ties counted 1/2,
/// AUROC = (#{s_out > s_in} + 1/2 #{s_out = s_in}) / (n_in n_out).
/// Computed from ranks (the Mann-Whitney U statistic) in O(n log n): sort
/// all scores, give each run of equal scores its mean rank, and
/// U = (sum of the outliers' ranks) - n_out (n_out + 1) / 2.
pub fn auroc(normal: &[f64], outliers: &[f64]) -> Result<f64> {
    check_scores("normal", normal)?;
    check_scores("outliers", outliers)?;
    let mut all: Vec<(f64, bool)> = normal.iter().map(|&s| (s, false)).collect();
    all.extend(outliers.iter().map(|&s| (s, true)));
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut outlier_rank_sum = 0.0;
    let mut start = 0;
    while start < all.len() {
        let end = start
            + all[start..]
                .iter()
                .take_while(|x| x.0 == all[start].0)
                .count();
        // Ranks start+1 ..= end share their mean.
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        let n_outliers = all[start..end].iter().filter(|x| x.1).count();
        outlier_rank_sum += mean_rank * n_outliers as f64;
        start = end;
    }
    let (n_in, n_out) = (normal.len() as f64, outliers.len() as f64);
    let u = outlier_rank_sum - n_out * (n_out + 1.0) / 2.0;
    Ok(u / (n_in * n_out))
}
// ANCHOR_END: auroc

/// The same area by counting every pair, O(n_in n_out): the definition of
/// eq. (11.11), kept as the reference that [`auroc`] is tested against.
pub fn auroc_by_pairs(normal: &[f64], outliers: &[f64]) -> Result<f64> {
    check_scores("normal", normal)?;
    check_scores("outliers", outliers)?;
    let mut wins = 0.0;
    for &o in outliers {
        for &n in normal {
            wins += if o > n {
                1.0
            } else if o == n {
                0.5
            } else {
                0.0
            };
        }
    }
    Ok(wins / (normal.len() * outliers.len()) as f64)
}

fn check_scores(name: &str, scores: &[f64]) -> Result<()> {
    if scores.is_empty() {
        return Err(EbmError::setting(name, "no scores; expected at least one"));
    }
    if let Some(i) = scores.iter().position(|s| !s.is_finite()) {
        return Err(EbmError::setting(
            name,
            format!("score {i} is {}; expected a finite number", scores[i]),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn perfect_reversed_and_tied_scores() {
        assert_eq!(auroc(&[0.0, 1.0], &[2.0, 3.0]).unwrap(), 1.0);
        assert_eq!(auroc(&[2.0, 3.0], &[0.0, 1.0]).unwrap(), 0.0);
        assert_eq!(auroc(&[1.0, 1.0], &[1.0]).unwrap(), 0.5);
        // One pair of four wins, one ties: (1 + 0.5) / 4.
        assert_eq!(auroc(&[1.0, 3.0], &[1.0, 2.0]).unwrap(), 0.375);
    }

    #[test]
    fn empty_or_nan_scores_are_refused() {
        assert!(auroc(&[], &[1.0]).is_err());
        assert!(auroc(&[1.0], &[f64::NAN]).is_err());
        assert!(auroc_by_pairs(&[f64::INFINITY], &[1.0]).is_err());
    }

    /// A ranking that forgets the ties (each score its own rank, in sort
    /// order): what the tie rule guards against.
    fn auroc_ignoring_ties(normal: &[f64], outliers: &[f64]) -> f64 {
        let mut all: Vec<(f64, bool)> = normal.iter().map(|&s| (s, false)).collect();
        all.extend(outliers.iter().map(|&s| (s, true)));
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let sum: f64 = (1..=all.len())
            .zip(&all)
            .filter(|(_, x)| x.1)
            .map(|(r, _)| r as f64)
            .sum();
        let n_out = outliers.len() as f64;
        (sum - n_out * (n_out + 1.0) / 2.0) / (normal.len() as f64 * n_out)
    }

    #[test]
    fn ignoring_ties_is_caught_by_the_pair_count() {
        let (normal, outliers) = ([1.0, 2.0, 2.0], [2.0, 3.0]);
        let want = auroc_by_pairs(&normal, &outliers).unwrap();
        assert_eq!(auroc(&normal, &outliers).unwrap(), want);
        assert_ne!(auroc_ignoring_ties(&normal, &outliers), want);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]
        /// Small integer scores make ties common.
        #[test]
        fn ranks_agree_with_the_pair_count(
            normal in proptest::collection::vec(-4i32..4, 1..12),
            outliers in proptest::collection::vec(-4i32..4, 1..12),
        ) {
            let normal: Vec<f64> = normal.into_iter().map(f64::from).collect();
            let outliers: Vec<f64> = outliers.into_iter().map(f64::from).collect();
            let fast = auroc(&normal, &outliers).unwrap();
            let slow = auroc_by_pairs(&normal, &outliers).unwrap();
            prop_assert!((fast - slow).abs() < 1e-12, "{} vs {}", fast, slow);
        }
    }
}
