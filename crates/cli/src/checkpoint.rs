//! The checkpoint of `boltzmann train`: everything needed to continue a run
//! bit for bit, in one file written atomically (a temporary file in the same
//! folder, renamed over the old one), so a crash or Ctrl-C never leaves a
//! half-written checkpoint.
//!
//! Format: the line `boltzmann-checkpoint 2`, the line `sha256 HEX` with the
//! SHA-256 of everything after it, one line of JSON (settings, the digest
//! of the data, epochs done, shapes), then the raw little-endian f32 values
//! of the visible bias, hidden bias, weights (row-major), their three
//! velocities, and the persistent chains (PCD only). Raw f32 keeps every
//! bit; the checksum makes a changed or damaged checkpoint fail to load
//! instead of resuming from it.

use anyhow::Context;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use rbm::{Gradient, PersistentChains, Rbm};
use serde::{Deserialize, Serialize};

use crate::report::BadInput;
use crate::settings::Settings;

const MAGIC_LINE: &str = "boltzmann-checkpoint 2";

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A digest of the data as the run saw them: `--resume` compares it, so
/// data changed since the first run are refused, and the same data under
/// another path name are accepted. XXH3-128 (a fast non-cryptographic
/// hash: it guards against mistakes, not against forgery) of, for each
/// part, its shape and its values (f32 or f64) little-endian, row by row
/// (the data are not copied), then the labels if any; as 32 hex digits.
pub fn data_digest<T: LittleEndian>(
    parts: &[ndarray::ArrayView2<T>],
    labels: Option<&[usize]>,
) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut row_bytes = Vec::new();
    for part in parts {
        for n in [part.nrows(), part.ncols()] {
            hasher.update(&(n as u64).to_le_bytes());
        }
        row_bytes.resize(T::SIZE * part.ncols(), 0);
        for row in part.rows() {
            for (bytes, &x) in row_bytes.chunks_exact_mut(T::SIZE).zip(row) {
                x.write_le(bytes);
            }
            hasher.update(&row_bytes);
        }
    }
    for &label in labels.unwrap_or_default() {
        hasher.update(&(label as u64).to_le_bytes());
    }
    format!("{:032x}", hasher.digest128())
}

/// Numbers that [`data_digest`] hashes by their little-endian bytes.
pub trait LittleEndian: Copy {
    const SIZE: usize;
    fn write_le(self, bytes: &mut [u8]);
}

impl LittleEndian for f32 {
    const SIZE: usize = 4;
    fn write_le(self, bytes: &mut [u8]) {
        bytes.copy_from_slice(&self.to_le_bytes());
    }
}

impl LittleEndian for f64 {
    const SIZE: usize = 8;
    fn write_le(self, bytes: &mut [u8]) {
        bytes.copy_from_slice(&self.to_le_bytes());
    }
}

/// The saved state of a run after `epochs_done` epochs.
pub struct Checkpoint {
    pub settings: Settings,
    /// [`data_digest`] of the training and held-out data.
    pub data_digest: String,
    pub epochs_done: usize,
    pub rbm: Rbm,
    pub velocity: Gradient,
    pub chains: Option<PersistentChains>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    settings: Settings,
    #[serde(default)]
    data_digest: String,
    epochs_done: usize,
    n_visible: usize,
    n_hidden: usize,
    n_chains: usize,
}

/// `MODEL.toml` -> `MODEL.toml.checkpoint`, beside the model.
pub fn path_for(model: &Path) -> PathBuf {
    let mut name = model.as_os_str().to_owned();
    name.push(".checkpoint");
    PathBuf::from(name)
}

pub fn write(path: &Path, c: &Checkpoint) -> anyhow::Result<()> {
    let header = Header {
        settings: c.settings.clone(),
        data_digest: c.data_digest.clone(),
        epochs_done: c.epochs_done,
        n_visible: c.rbm.n_visible(),
        n_hidden: c.rbm.n_hidden(),
        n_chains: c.chains.as_ref().map_or(0, PersistentChains::n_chains),
    };
    let mut content = format!("{}\n", serde_json::to_string(&header)?).into_bytes();
    push_f32(&mut content, &c.rbm.visible_bias);
    push_f32(&mut content, &c.rbm.hidden_bias);
    push_f32(&mut content, &c.rbm.weights);
    push_f32(&mut content, &c.velocity.visible_bias);
    push_f32(&mut content, &c.velocity.hidden_bias);
    push_f32(&mut content, &c.velocity.weights);
    if let Some(chains) = &c.chains {
        push_f32(&mut content, chains.states());
    }
    let mut bytes = format!("{MAGIC_LINE}\nsha256 {}\n", sha256_hex(&content)).into_bytes();
    bytes.extend(content);
    fsio::write_atomic(path, &bytes, fsio::Overwrite::Allow)
        .with_context(|| format!("cannot write the checkpoint {}", path.display()))?;
    Ok(())
}

/// The largest checkpoint read: as large as the largest request allowed.
const MAX_CHECKPOINT_BYTES: u64 = crate::common::MAX_REQUEST_BYTES as u64;

/// Append the values in logical (row-major) order, little-endian.
fn push_f32<'a>(bytes: &mut Vec<u8>, values: impl IntoIterator<Item = &'a f32>) {
    for x in values {
        bytes.extend(x.to_le_bytes());
    }
}

pub fn read(path: &Path) -> anyhow::Result<Checkpoint> {
    let bytes = datasets::open_input(path)
        .and_then(|file| datasets::read_bounded(path, file, MAX_CHECKPOINT_BYTES))
        .map_err(|e| {
            BadInput(format!(
                "{e}; --resume needs the checkpoint of an earlier run with the same --out"
            ))
        })?;
    let damaged = |what: &str| {
        BadInput(format!(
            "{}: not a checkpoint of boltzmann train, or changed since it was written: {what}; \
             train again without --resume",
            path.display()
        ))
    };
    let mut lines = bytes.splitn(3, |&b| b == b'\n');
    if lines.next() != Some(MAGIC_LINE.as_bytes()) {
        return Err(damaged("the first line is not `boltzmann-checkpoint 2`").into());
    }
    let checksum = lines.next().unwrap_or_default();
    let content = lines.next().unwrap_or_default();
    if checksum != format!("sha256 {}", sha256_hex(content)).as_bytes() {
        return Err(damaged("its SHA-256 checksum does not match its content").into());
    }
    let mut lines = content.splitn(2, |&b| b == b'\n');
    let header: Header = lines
        .next()
        .and_then(|line| serde_json::from_slice(line).ok())
        .ok_or_else(|| damaged("the header line is not valid"))?;
    let body = lines.next().unwrap_or_default();
    let (v, h, c) = (header.n_visible, header.n_hidden, header.n_chains);
    let expected = v
        .checked_mul(h)
        .and_then(|vh| (v + h).checked_add(vh))
        .and_then(|n| n.checked_mul(2))
        .and_then(|n| c.checked_mul(v).and_then(|cv| n.checked_add(cv)))
        .and_then(|n| n.checked_mul(4))
        .ok_or_else(|| damaged("the shapes in its header overflow"))?;
    if body.len() != expected {
        return Err(damaged(&format!(
            "{} bytes of values where the header promises {expected}; the file is truncated",
            body.len()
        ))
        .into());
    }
    let mut values = body
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut vector = |n: usize| -> Array1<f32> { values.by_ref().take(n).collect() };
    let (visible_bias, hidden_bias) = (vector(v), vector(h));
    let weights = vector(h * v).into_shape_with_order((h, v))?;
    let rbm = Rbm {
        visible_bias,
        hidden_bias,
        weights,
    };
    let (visible_bias, hidden_bias) = (vector(v), vector(h));
    let weights = vector(h * v).into_shape_with_order((h, v))?;
    let velocity = Gradient {
        visible_bias,
        hidden_bias,
        weights,
    };
    let states: Array2<f32> = vector(c * v).into_shape_with_order((c, v))?;
    let chains = (c > 0).then(|| PersistentChains::from_states(states.view()));
    rbm.to_exact().map_err(|e| damaged(&e.to_string()))?; // NaN or infinite values
    Ok(Checkpoint {
        settings: header.settings,
        data_digest: header.data_digest,
        epochs_done: header.epochs_done,
        rbm,
        velocity,
        chains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Binarize;
    use proptest::prelude::*;

    /// The data digest is the same for the same data (a copy), and changes
    /// with any value, with the labels and with where the rows are cut into
    /// parts.
    #[test]
    fn the_data_digest_depends_on_the_data_only() {
        let data = Array2::from_shape_fn((3000, 5), |(i, j)| ((i * 7 + j) % 3) as f32 / 2.0);
        let of = |data: &Array2<f32>| data_digest(&[data.view()], Some(&[1, 2]));
        let digest = of(&data);
        assert_eq!(digest.len(), 32);
        assert_eq!(of(&data.clone()), digest);
        let mut changed = data.clone();
        changed[[2999, 4]] += 0.25;
        assert_ne!(of(&changed), digest);
        assert_ne!(data_digest(&[data.view()], Some(&[2, 1])), digest);
        let (top, bottom) = data.view().split_at(ndarray::Axis(0), 1000);
        assert_ne!(data_digest(&[top, bottom], Some(&[1, 2])), digest);
    }

    /// The bytes of a valid checkpoint of a 3 x 2 RBM with 2 PCD chains.
    fn valid_bytes() -> Vec<u8> {
        let rbm = Rbm {
            visible_bias: Array1::from(vec![0.1, -0.2, 0.3]),
            hidden_bias: Array1::from(vec![0.0, 0.5]),
            weights: Array2::from_elem((2, 3), 0.25),
        };
        let checkpoint = Checkpoint {
            settings: Settings {
                data: PathBuf::from("data.csv"),
                n_hidden: 2,
                binarize: Binarize::None,
                held_out_fraction: 0.0,
                train: rbm::TrainConfig::default(),
            },
            data_digest: data_digest(&[Array2::<f32>::zeros((4, 3)).view()], None),
            epochs_done: 1,
            velocity: Gradient::zeros_like(&rbm),
            chains: Some(PersistentChains::from_states(Array2::zeros((2, 3)).view())),
            rbm,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml.checkpoint");
        write(&path, &checkpoint).unwrap();
        std::fs::read(&path).unwrap()
    }

    fn read_bytes(bytes: &[u8]) -> anyhow::Result<Checkpoint> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        std::fs::write(&path, bytes).unwrap();
        read(&path)
    }

    #[test]
    fn a_valid_checkpoint_reads_back() {
        let c = read_bytes(&valid_bytes()).unwrap();
        assert_eq!(c.epochs_done, 1);
        assert_eq!(c.rbm.weights, Array2::from_elem((2, 3), 0.25));
    }

    proptest! {
        #![proptest_config(ProptestConfig {
        cases: 128,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        ..ProptestConfig::default()
    })]

        #[test]
        fn arbitrary_bytes_are_refused_without_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            prop_assert!(read_bytes(&bytes).is_err());
        }

        /// Any change to a valid checkpoint is caught by its checksum.
        #[test]
        fn any_changed_byte_is_refused(at in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let mut bytes = valid_bytes();
            let at = at.index(bytes.len());
            bytes[at] ^= flip;
            prop_assert!(read_bytes(&bytes).is_err());
        }

        #[test]
        fn cut_checkpoints_are_refused(at in any::<prop::sample::Index>()) {
            let bytes = valid_bytes();
            let at = at.index(bytes.len());
            prop_assert!(read_bytes(&bytes[..at]).is_err());
        }
    }
}
