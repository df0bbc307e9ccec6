//! Independent random streams from a seed and a purpose: the one derivation
//! the library, the `boltzmann` command and the experiments share.
//!
//! The seed is the ChaCha8 key; the pair (purpose, index) is the 64-bit
//! ChaCha stream id, purpose in the high 32 bits and index in the low 32.
//! Distinct pairs are distinct streams, so no two draws overlap for any
//! counts up to 2^32 per purpose, and a stream does not depend on how many
//! others were drawn before it (or on the thread that draws it).
//!
//! Purpose [`TRAINER`] (0) belongs to the trainers given the seed:
//! `rbm::Trainer` starts its PCD chains from index 0 and draws epoch e from
//! index e + 1 ([`epoch_rng`]); `dbn`'s greedy training draws layer k's
//! initial weights and up-pass samples from index k. The initial weights of
//! a model that a caller trains with the same seed come from the very last
//! stream ([`initial_weights_rng`]). Every other user names its purposes as
//! constants counted from 1.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The purpose of a trainer's own streams (see the module docs).
pub const TRAINER: u32 = 0;

/// The random stream for `purpose` (a constant per use, such as "initialise
/// model weights") and `index` (a model, a run, a repeat, an epoch).
pub fn stream(seed: u64, purpose: u32, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((u64::from(purpose) << 32) | u64::from(index));
    rng
}

/// The random numbers of epoch `epoch` (counted from 0) of a trainer with
/// this `seed`: index epoch + 1 of purpose [`TRAINER`] (index 0 starts the
/// PCD chains). Panics only at epoch 2^32 - 1, which no run reaches.
pub fn epoch_rng(seed: u64, epoch: usize) -> ChaCha8Rng {
    let index = u32::try_from(epoch + 1).expect("fewer than 2^32 - 1 epochs");
    stream(seed, TRAINER, index)
}

/// The generator a caller should draw a model's initial weights from when
/// it trains that model with the same `seed`: the last stream of all
/// (purpose and index `u32::MAX`), which the trainer's own streams (purpose
/// [`TRAINER`]) never reach, so the initial weights and the chains' start
/// are independent draws.
pub fn initial_weights_rng(seed: u64) -> ChaCha8Rng {
    stream(seed, u32::MAX, u32::MAX)
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

    /// The derivations the trainers used before this module are kept to the
    /// bit: ChaCha8 stream epoch + 1, and stream 2^64 - 1 for the weights.
    #[test]
    fn the_trainer_streams_are_the_raw_chacha_streams_they_were() {
        let raw = |id: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(11);
            rng.set_stream(id);
            rng.next_u64()
        };
        assert_eq!(epoch_rng(11, 4).next_u64(), raw(5));
        assert_eq!(initial_weights_rng(11).next_u64(), raw(u64::MAX));
        assert_ne!(initial_weights_rng(11).next_u64(), raw(0));
    }
}
