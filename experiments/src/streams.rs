//! Independent random streams from a seed and a purpose: every experiment
//! derives its randomness through `rbm::streams` (the one derivation the
//! library and the command line use too; see its docs), and flattens a
//! stream indexed by several counters (a model, a setting, a repeat) with
//! [`grid_index`].
//!
//! Purpose 0 is left to the library: a trainer given the same number as its
//! seed (`rbm::Trainer`, `dbn::train_greedy`, `ebm_langevin`'s trainer) draws
//! from its streams 0, 1, 2, ..., which are purpose 0 here. Every experiment
//! names its purposes as constants counted from 1.

pub use rbm::streams::stream;

/// The position of the item `(i_1, ..., i_k)` in a grid of `(n_1, ..., n_k)`
/// items, row by row: distinct items of the grid get distinct indices, for
/// any counts. `cells` holds the pairs `(i, n)`; an error if some `i >= n`
/// or the grid has more than 2^32 items.
pub fn grid_index(cells: &[(usize, usize)]) -> anyhow::Result<u32> {
    let mut index: u64 = 0;
    let mut size: u64 = 1;
    for &(i, n) in cells {
        anyhow::ensure!(i < n, "stream index {i} outside 0..{n}");
        size = size.saturating_mul(n as u64);
        index = index * n as u64 + i as u64;
    }
    anyhow::ensure!(
        size <= 1 << 32,
        "{size} random streams for one purpose: at most 2^32"
    );
    Ok(index as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_indices_are_distinct_and_dense() {
        let mut seen = Vec::new();
        for a in 0..3 {
            for b in 0..4 {
                for c in 0..5 {
                    seen.push(grid_index(&[(a, 3), (b, 4), (c, 5)]).unwrap());
                }
            }
        }
        assert_eq!(seen, (0..60).collect::<Vec<u32>>());
        // Where the old `1_000 * part + seed` collided: part 1, seed 1000
        // against part 2, seed 0, with 1001 seeds.
        assert_ne!(
            grid_index(&[(1, 3), (1_000, 1_001)]).unwrap(),
            grid_index(&[(2, 3), (0, 1_001)]).unwrap()
        );
        assert!(grid_index(&[(3, 3)]).is_err());
        assert!(grid_index(&[(0, 1 << 16), (0, (1 << 16) + 1)]).is_err());
        assert!(grid_index(&[(0, 1 << 16), (0, 1 << 16)]).is_ok());
    }
}
