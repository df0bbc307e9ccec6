//! The shipped example model is exactly what its generator writes.

#[path = "../examples/write_example_model.rs"]
mod write_example_model;

#[test]
fn shipped_rbm_9x4_is_generated_by_the_example() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/models/rbm-9x4.toml");
    let shipped = bm_exact::Model::load(&path).expect("the shipped model loads");
    assert_eq!(
        shipped,
        bm_exact::Model::Rbm(write_example_model::example_rbm())
    );
}
