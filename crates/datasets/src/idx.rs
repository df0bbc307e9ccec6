//! The IDX format of the MNIST distribution (and of Fashion-MNIST): a
//! big-endian header followed by raw bytes, usually gzip-compressed.
//!
//! ```text
//! images: 0x00000803, n_images, n_rows, n_cols (4 bytes each), then n_images * n_rows * n_cols pixels
//! labels: 0x00000801, n_labels, then n_labels bytes
//! ```
//!
//! The readers check the whole file against its header: a short file, extra
//! bytes at the end, a damaged gzip stream or labels that do not match the
//! images are errors that name the file, never a silent short read. A gzip
//! file of several members (as `cat a.gz b.gz > c.gz` makes) is read whole,
//! like `zcat` reads it, so bytes after the first member are checked too.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use ndarray::Array2;

use crate::error::DataError;

/// The magic number of an image file: unsigned bytes (0x08), 3 dimensions.
const IMAGES_MAGIC: u32 = 0x0000_0803;
/// The magic number of a label file: unsigned bytes (0x08), 1 dimension.
const LABELS_MAGIC: u32 = 0x0000_0801;
/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Labels of MNIST and Fashion-MNIST are classes 0 to 9.
const MAX_LABEL: u8 = 9;
/// The largest IDX body read: 1 GiB (as f32 intensities, 4 GiB of memory).
const MAX_IDX_BYTES: u64 = 1 << 30;

/// The images of one IDX file: one image per row of `pixels`, each
/// `n_rows * n_cols` bytes in row-major order (0 background, 255 ink for MNIST).
#[derive(Clone, Debug, PartialEq)]
pub struct IdxImages {
    pub n_rows: usize,
    pub n_cols: usize,
    pub pixels: Array2<u8>,
}

impl IdxImages {
    pub fn n_images(&self) -> usize {
        self.pixels.nrows()
    }

    /// The pixels as intensities in [0, 1]: byte / 255.
    pub fn intensities(&self) -> Array2<f32> {
        self.pixels.mapv(|x| f32::from(x) / 255.0)
    }
}

/// Read an IDX image file (magic 0x803), gzip-compressed or raw (recognised
/// by its first two bytes, whatever the file name).
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<IdxImages, DataError> {
    let path = path.as_ref();
    let (dims, body) = read_idx(path, IMAGES_MAGIC, "images")?;
    let (n_images, n_rows, n_cols) = (dims[0], dims[1], dims[2]);
    if n_images == 0 || n_rows == 0 || n_cols == 0 {
        return Err(idx_error(
            path,
            format!(
                "the header declares {n_images} images of {n_rows} x {n_cols} pixels; \
                 expected at least one image of at least 1 x 1 pixels"
            ),
        ));
    }
    let pixels = Array2::from_shape_vec((n_images, n_rows * n_cols), body)
        .expect("read_idx checked the size");
    Ok(IdxImages {
        n_rows,
        n_cols,
        pixels,
    })
}

pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<Vec<u8>, DataError> {
    let path = path.as_ref();
    let (_, labels) = read_idx(path, LABELS_MAGIC, "labels")?;
    if let Some((index, label)) = labels.iter().enumerate().find(|(_, l)| **l > MAX_LABEL) {
        return Err(idx_error(
            path,
            format!(
                "label {} is {label}, but classes run from 0 to {MAX_LABEL}",
                index + 1
            ),
        ));
    }
    Ok(labels)
}

/// What [`load_idx_folder`] returns: the images as intensities in [0, 1]
/// (one per row), their labels, and the image shape (rows, cols).
pub type IdxSplit = (Array2<f32>, Vec<u8>, (usize, usize));

/// One split of an MNIST-style folder: `split` is `"train"` or `"t10k"`, and
/// the folder holds `{split}-images-idx3-ubyte` and `{split}-labels-idx1-ubyte`,
/// each possibly with `.gz` (or the variant names `{split}-images.idx3-ubyte`).
/// Returns the images as intensities in [0, 1] (one per row), their labels
/// and the image shape (rows, cols). The two files must hold the same number
/// of examples.
pub fn load_idx_folder(folder: impl AsRef<Path>, split: &str) -> Result<IdxSplit, DataError> {
    let folder = folder.as_ref();
    let images_path = find_idx_file(folder, split, "images", 3)?;
    let labels_path = find_idx_file(folder, split, "labels", 1)?;
    let images = read_idx_images(&images_path)?;
    let labels = read_idx_labels(&labels_path)?;
    if labels.len() != images.n_images() {
        return Err(idx_error(
            &labels_path,
            format!(
                "{} labels but {} has {} images; the two files of a split must match",
                labels.len(),
                images_path.display(),
                images.n_images()
            ),
        ));
    }
    Ok((images.intensities(), labels, (images.n_rows, images.n_cols)))
}

/// Whether `folder` holds the image file of `split` under one of the names
/// that [`load_idx_folder`] accepts (to tell an IDX folder from a CSV file).
pub fn has_idx_split(folder: impl AsRef<Path>, split: &str) -> bool {
    find_idx_file(folder.as_ref(), split, "images", 3).is_ok()
}

fn find_idx_file(
    folder: &Path,
    split: &str,
    kind: &str,
    n_dims: usize,
) -> Result<PathBuf, DataError> {
    let names = [
        format!("{split}-{kind}-idx{n_dims}-ubyte"),
        format!("{split}-{kind}.idx{n_dims}-ubyte"),
    ];
    let candidates: Vec<PathBuf> = names
        .iter()
        .flat_map(|name| [folder.join(name), folder.join(format!("{name}.gz"))])
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| DataError::IdxMissing {
            folder: folder.to_path_buf(),
            expected: format!("{}[.gz]", names[0]),
        })
}

/// Read an IDX file (raw or gzip) into its dimensions and its body. The
/// header is read first and the body only up to the size it declares, so a
/// gzip file that expands far beyond its header, or an endless stream, stops
/// there with a message instead of filling the memory.
fn read_idx(path: &Path, magic: u32, what: &str) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut buffered = BufReader::new(crate::input::open_input(path)?);
    let is_gzip = buffered.fill_buf().map_err(io)?.starts_with(&GZIP_MAGIC);
    let mut reader: Box<dyn Read> = if is_gzip {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let read_error = |e: std::io::Error| {
        if is_gzip {
            idx_error(
                path,
                format!("the gzip stream is damaged or cut short ({e}); download the file again"),
            )
        } else {
            io(e)
        }
    };
    let n_dims = (magic & 0xff) as usize;
    let mut header = vec![0u8; header_len(n_dims)];
    let mut n_header = 0;
    while n_header < header.len() {
        match reader.read(&mut header[n_header..]).map_err(read_error)? {
            0 => break,
            n => n_header += n,
        }
    }
    let dims = parse_header(path, &header[..n_header], magic, what)?;
    let n_body = body_len(path, &dims, what)?;
    let mut body = Vec::with_capacity(n_body);
    reader
        .take(n_body as u64 + 1)
        .read_to_end(&mut body)
        .map_err(read_error)?;
    check_body_len(path, &dims, what, n_body, body.len())?;
    Ok((dims, body))
}

/// A whole file of at most [`crate::input::MAX_TEXT_BYTES`] bytes once
/// decompressed, decompressed when it starts with the gzip magic bytes (for
/// gzip text such as the 8x8 digits' CSV).
pub(crate) fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut buffered = BufReader::new(crate::input::open_input(path)?);
    let is_gzip = buffered.fill_buf().map_err(io)?.starts_with(&GZIP_MAGIC);
    let limit = crate::input::MAX_TEXT_BYTES;
    if !is_gzip {
        return crate::input::read_bounded(path, buffered, limit);
    }
    crate::input::read_bounded(path, MultiGzDecoder::new(buffered), limit).map_err(|e| match e {
        DataError::Io { source, .. } => idx_error(
            path,
            format!("the gzip stream is damaged or cut short ({source}); download the file again"),
        ),
        other => other,
    })
}

fn header_len(n_dims: usize) -> usize {
    4 + 4 * n_dims
}

/// The dimensions of a header (all of `bytes`, which may be short).
fn parse_header(
    path: &Path,
    bytes: &[u8],
    magic: u32,
    what: &str,
) -> Result<Vec<usize>, DataError> {
    let n_dims = (magic & 0xff) as usize;
    if bytes.len() < header_len(n_dims) {
        return Err(idx_error(
            path,
            format!(
                "the file has {} bytes, fewer than the {}-byte header of an IDX {what} file",
                bytes.len(),
                header_len(n_dims)
            ),
        ));
    }
    let word = |k: usize| {
        u32::from_be_bytes([
            bytes[4 * k],
            bytes[4 * k + 1],
            bytes[4 * k + 2],
            bytes[4 * k + 3],
        ])
    };
    if word(0) != magic {
        return Err(idx_error(
            path,
            format!(
                "magic number {:#010x}, but an IDX {what} file starts with {magic:#010x}; \
                 is this the right file?",
                word(0)
            ),
        ));
    }
    Ok((1..=n_dims).map(|k| word(k) as usize).collect())
}

fn dims_text(dims: &[usize]) -> String {
    dims.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" x ")
}

/// The body size the header declares, refused above [`MAX_IDX_BYTES`].
fn body_len(path: &Path, dims: &[usize], what: &str) -> Result<usize, DataError> {
    let n = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
    match n {
        Some(n) if n <= MAX_IDX_BYTES => Ok(n as usize),
        _ => Err(idx_error(
            path,
            format!(
                "the header declares {} bytes of {what}, more than the {} bytes (1 GiB) this \
                 reader accepts (the full MNIST training set has 47,040,000)",
                dims_text(dims),
                MAX_IDX_BYTES
            ),
        )),
    }
}

/// `found` is at most `expected + 1`: one byte too many is enough to know.
fn check_body_len(
    path: &Path,
    dims: &[usize],
    what: &str,
    expected: usize,
    found: usize,
) -> Result<(), DataError> {
    let dims = dims_text(dims);
    if found < expected {
        return Err(idx_error(
            path,
            format!(
                "the header promises {dims} = {expected} bytes of {what} but only {found} follow; \
                 the file is truncated"
            ),
        ));
    }
    if found > expected {
        return Err(idx_error(
            path,
            format!(
                "the header promises {dims} = {expected} bytes of {what} but more follow; \
                 the header does not match the file (extra bytes at the end?)"
            ),
        ));
    }
    Ok(())
}

fn idx_error(path: &Path, problem: String) -> DataError {
    DataError::Idx {
        path: path.to_path_buf(),
        problem,
    }
}
