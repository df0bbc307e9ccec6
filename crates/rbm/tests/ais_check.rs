//! The checks on an AIS estimate (`rbm::check_estimate`): the hard lower
//! bound from the states seen, the effective sample size and reverse AIS
//! from data, on a sharp model where plain AIS fails, and on a mild one
//! where it works.

mod common;

use common::random_exact_rbm;
use ndarray::{Array2, Axis, concatenate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{AisSchedule, Rbm, ais, check_estimate, log_partition_lower_bound, reverse_ais};

fn all_states(n: usize) -> Array2<f64> {
    Array2::from_shape_fn((1 << n, n), |(s, k)| ((s >> k) & 1) as f64)
}

#[test]
fn lower_bound_sums_distinct_binary_states() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let exact = random_exact_rbm(8, 5, 2.0, &mut rng);
    let states = all_states(8);
    let log_z = exact.log_partition().unwrap();
    let all = log_partition_lower_bound(&exact, states.rows());
    assert_eq!(all.n_states, 256);
    assert!((all.log_partition - log_z).abs() <= 1e-12 * log_z.abs().max(1.0));
    // Repeats and intensities add nothing; a strict subset gives less.
    let mut some = states.slice(ndarray::s![..10, ..]).to_owned();
    some.append(Axis(0), states.slice(ndarray::s![..3, ..]))
        .unwrap();
    some.append(Axis(0), Array2::from_elem((1, 8), 0.5).view())
        .unwrap();
    let part = log_partition_lower_bound(&exact, some.rows());
    assert_eq!(part.n_states, 10);
    let want = bm_exact::numerics::log_sum_exp(
        states
            .rows()
            .into_iter()
            .take(10)
            .map(|v| -exact.free_energy(v)),
    );
    assert_eq!(part.log_partition, want);
    assert!(part.log_partition < log_z);
}

/// A sharp model: weights of standard deviation 6 make a few visible states
/// carry almost all the mass, and a short schedule misses most of them.
#[test]
fn sharp_model_plain_ais_fails_and_the_checks_say_so() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let exact = random_exact_rbm(16, 10, 6.0, &mut rng);
    let model = Rbm::from_exact(&exact);
    let log_z = exact.log_partition().unwrap();
    let base = ndarray::Array1::zeros(16);
    let schedule = AisSchedule::scaled(200).unwrap();
    let forward = ais(&model, base.view(), &schedule, 100, &mut rng).unwrap();
    assert!(
        !forward.is_reliable(),
        "ESS {}",
        forward.effective_sample_size
    );
    let data = exact.sample_visible(200, &mut rng).unwrap();
    let seen = concatenate(
        Axis(0),
        &[data.view(), forward.final_states.mapv(f64::from).view()],
    )
    .unwrap();
    let bound = log_partition_lower_bound(&exact, seen.rows());
    assert!(bound.log_partition <= log_z, "the bound is hard");
    // The deliberately broken variant, plain AIS, lies below the hard bound,
    // so that some example would get log p(v) > 0.
    assert!(forward.log_partition < bound.log_partition);
    let max_log_p = data
        .rows()
        .into_iter()
        .map(|v| -exact.free_energy(v) - forward.log_partition)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        max_log_p > 0.0,
        "plain AIS gives log p(v) = {max_log_p} > 0"
    );
    let start = data.mapv(|x| x as f32);
    let reverse = reverse_ais(&model, base.view(), &schedule, start.view(), &mut rng).unwrap();
    let checked = check_estimate(&forward, bound.clone(), Some(&reverse));
    eprintln!(
        "exact {log_z:.4}; plain AIS {:.4} [{:.4}, {:.4}] ESS {:.1}; checked {:.4} [{:.4}, {:.4}], \
         bound {:.4} from {} states, reverse {:.4}",
        forward.log_partition,
        forward.log_partition_low,
        forward.log_partition_high,
        forward.effective_sample_size,
        checked.log_partition,
        checked.log_partition_low,
        checked.log_partition_high,
        bound.log_partition,
        bound.n_states,
        reverse.log_partition
    );
    assert!(!checked.is_reliable());
    assert!(checked.log_partition_low >= bound.log_partition);
    assert!(checked.log_partition >= bound.log_partition);
    assert!(
        checked.log_partition_low <= log_z && log_z <= checked.log_partition_high,
        "the checked bar holds log Z"
    );
    // log p(v) <= 0 for every example of the data.
    for v in data.rows() {
        assert!(-exact.free_energy(v) - checked.log_partition <= 0.0);
    }
}

#[test]
fn mild_model_passes_the_checks() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let exact = random_exact_rbm(16, 10, 0.5, &mut rng);
    let model = Rbm::from_exact(&exact);
    let log_z = exact.log_partition().unwrap();
    let base = ndarray::Array1::zeros(16);
    let schedule = AisSchedule::scaled(500).unwrap();
    let forward = ais(&model, base.view(), &schedule, 100, &mut rng).unwrap();
    let data = exact.sample_visible(100, &mut rng).unwrap();
    let bound = log_partition_lower_bound(&exact, data.rows());
    let start = data.mapv(|x| x as f32);
    let reverse = reverse_ais(&model, base.view(), &schedule, start.view(), &mut rng).unwrap();
    let checked = check_estimate(&forward, bound, Some(&reverse));
    assert!(checked.is_reliable(), "{:?}", checked.warnings);
    assert_eq!(checked.log_partition, forward.log_partition);
    assert!(checked.log_partition_low <= log_z && log_z <= checked.log_partition_high);
}
