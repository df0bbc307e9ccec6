//! Independent random streams from a seed and a purpose: the one way every
//! experiment derives its randomness.
//!
//! The seed of the configuration is the ChaCha key; the pair (purpose, index)
//! is the 64-bit ChaCha stream id, purpose in the high 32 bits and index in
//! the low 32. Distinct pairs are distinct streams, so no two draws overlap
//! for any counts up to 2^32 per purpose, and a stream does not depend on how
//! many others were drawn before it (or on the thread that draws it).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random stream for `purpose` (a constant per experiment and use, such
/// as "initialise model weights") and `index` (a model, a run, a repeat).
pub fn stream(seed: u64, purpose: u32, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((u64::from(purpose) << 32) | u64::from(index));
    rng
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
    fn the_same_seed_purpose_and_index_repeat_the_draws() {
        assert_eq!(stream(7, 3, 9).next_u64(), stream(7, 3, 9).next_u64());
        assert_ne!(stream(7, 3, 9).next_u64(), stream(8, 3, 9).next_u64());
    }
}
