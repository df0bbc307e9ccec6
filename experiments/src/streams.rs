//! Independent random streams from a seed and a purpose: the one way every
//! experiment derives its randomness.
//!
//! The seed of the configuration is the ChaCha key; the pair (purpose, index)
//! is the 64-bit ChaCha stream id, purpose in the high 32 bits and index in
//! the low 32. Distinct pairs are distinct streams, so no two draws overlap
//! for any counts up to 2^32 per purpose, and a stream does not depend on how
//! many others were drawn before it (or on the thread that draws it).
//!
//! Purpose 0 is left to the library: a trainer given the same number as its
//! seed (`rbm::Trainer`, `dbn::train_greedy`, `ebm_langevin`'s trainer) draws
//! from its streams 0, 1, 2, ..., which are purpose 0 here. Every experiment
//! names its purposes as constants counted from 1; a stream indexed by
//! several counters (a model, a setting, a repeat) flattens them with
//! [`grid_index`].

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random stream for `purpose` (a constant per experiment and use, such
/// as "initialise model weights") and `index` (a model, a run, a repeat).
pub fn stream(seed: u64, purpose: u32, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((u64::from(purpose) << 32) | u64::from(index));
    rng
}

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
    use rand::RngCore;

    #[test]
    fn distinct_purposes_and_indices_give_distinct_draws() {
        let first = |p, i| stream(7, p, i).next_u64();
        let draws = [first(0, 0), first(0, 1), first(1, 0), first(1, 1)];
        for (a, x) in draws.iter().enumerate() {
            for y in &draws[a + 1..] {
                assert_ne!(x, y);
            }
        }
        // Index and purpose do not trade places: (0, 2^32 - 1) is not (1, 0).
        assert_ne!(first(0, u32::MAX), first(1, 0));
    }

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

    #[test]
    fn the_same_seed_purpose_and_index_repeat_the_draws() {
        assert_eq!(stream(7, 3, 9).next_u64(), stream(7, 3, 9).next_u64());
        assert_ne!(stream(7, 3, 9).next_u64(), stream(8, 3, 9).next_u64());
    }
}
