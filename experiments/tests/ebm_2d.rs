//! The langevin-2d and ebm-2d experiments: the smoke configurations write
//! every file, byte for byte the same twice, and the numbers in the JSON
//! agree with the oracle.

mod common;

use experiments::ebm_2d::Ebm2dResults;
use experiments::langevin_2d::Langevin2dResults;

#[test]
fn langevin_2d_smoke_run() {
    let files = [
        "langevin-2d-bias.svg",
        "langevin-2d.json",
        "langevin-2d-summary.md",
    ];
    let dir = common::smoke_twice("langevin-2d", &files);
    let json = std::fs::read_to_string(dir.path().join("langevin-2d.json")).unwrap();
    let r: Langevin2dResults = serde_json::from_str(&json).unwrap();
    assert!(r.log_partition.edge_mass < 1e-5 && r.log_partition.value.is_finite());
    // The same quadrature as the library on the same file.
    let model = ebm_langevin::Mlp::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/models/ebm-2d-fixed.toml"
    )))
    .unwrap();
    let grid = ebm_langevin::Grid2d {
        half_width: 4.0,
        n: 256,
    };
    assert_eq!(
        r.log_partition.value,
        ebm_langevin::oracle::log_partition(&model, grid).value
    );
    for row in &r.step_sizes {
        assert!((0.0..=1.0).contains(&row.ula_total_variation));
        assert!((0.0..=1.0).contains(&row.mala_acceptance_rate));
    }
    assert!((r.cooled_temperature - 0.005f64.powi(2) / 20.0).abs() < 1e-15);
}

#[test]
fn ebm_2d_smoke_run() {
    let files = ["ebm-2d-kl.svg", "ebm-2d.json", "ebm-2d-summary.md"];
    let dir = common::smoke_twice("ebm-2d", &files);
    let json = std::fs::read_to_string(dir.path().join("ebm-2d.json")).unwrap();
    let r: Ebm2dResults = serde_json::from_str(&json).unwrap();
    assert_eq!(r.runs.len(), 2);
    for run in &r.runs {
        assert!(
            run.final_kl.is_finite() && run.final_kl >= -1e-9,
            "{}",
            run.final_kl
        );
        assert_eq!(run.kl_curve.len(), 4);
    }
}

/// A value outside its type's range is refused as the TOML is read, naming
/// the field (the value types of the `config` crate).
#[test]
fn bad_values_are_refused_naming_the_field() {
    for (experiment, from, to, field) in [
        ("langevin-2d", "n_chains = 500", "n_chains = 0", "n_chains"),
        (
            "langevin-2d",
            "step_sizes = [0.02, 0.1]",
            "step_sizes = [0.02, -0.1]",
            "step_sizes",
        ),
        (
            "langevin-2d",
            "total_time = 2.0",
            "total_time = inf",
            "total_time",
        ),
        ("ebm-2d", "grid_cells = 32", "grid_cells = 0", "grid_cells"),
        (
            "ebm-2d",
            "grid_half_width = 4.0",
            "grid_half_width = 0.0",
            "grid_half_width",
        ),
        (
            "dbn-digits",
            "n_per_label = 3",
            "n_per_label = 0",
            "samples.n_per_label",
        ),
    ] {
        common::assert_refused(experiment, |t| t.replace(from, to), field);
    }
}
