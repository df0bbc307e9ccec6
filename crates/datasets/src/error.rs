//! The one error type of `datasets`. Each message names the file and says
//! what to change.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not valid CSV (for example, it is not UTF-8 text).
    #[error("{}: not a CSV file of numbers: {problem}", path.display())]
    Malformed { path: PathBuf, problem: String },

    /// The file holds no example.
    #[error(
        "{}: the file has no examples; expected one example per line, values separated by commas",
        path.display()
    )]
    Empty { path: PathBuf },

    /// A line has a different number of values than the first line.
    #[error(
        "{}: line {line} has {found} values but line {first_line} has {expected}; \
         every example must have the same number of values",
        path.display()
    )]
    RowLength {
        path: PathBuf,
        line: u64,
        found: usize,
        first_line: u64,
        expected: usize,
    },

    /// A value that is not a number, or not one that the reader accepts.
    #[error(
        "{}: line {line}, column {column}: value {} is not {expected}",
        path.display(),
        shown(text)
    )]
    Value {
        path: PathBuf,
        line: u64,
        column: usize,
        text: String,
        expected: String,
    },

    /// Data that cannot be written in a form that `read_csv` reads back.
    #[error("{}: cannot write this data: {problem}", path.display())]
    Unwritable { path: PathBuf, problem: String },

    /// An IDX file (MNIST format) that cannot be read as one: wrong magic
    /// number, a size that does not match its header, damaged gzip, labels
    /// that do not match the images.
    #[error("{}: not a valid IDX file: {problem}", path.display())]
    Idx { path: PathBuf, problem: String },

    /// A folder without the IDX file of the requested split.
    #[error(
        "{}: no file {expected} in this folder; an MNIST-style folder holds \
         train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz and the same for t10k",
        folder.display()
    )]
    IdxMissing { folder: PathBuf, expected: String },

    /// The output file exists and overwriting was not asked for.
    #[error("{}: already exists (pass --force to overwrite it)", .0.display())]
    WouldOverwrite(PathBuf),

    /// A folder where a file was expected.
    #[error("{}: is a folder; expected a file", path.display())]
    NotAFile { path: PathBuf },

    /// An input larger than the reader accepts (or an endless stream).
    #[error(
        "{}: more than {limit} bytes (or an endless stream); expected a data file of at most that size",
        path.display()
    )]
    TooLarge { path: PathBuf, limit: u64 },
}

impl DataError {
    /// Whether the problem lies in the user's input (exit code 2 in the CLI)
    /// rather than in the machine (permissions, a full disk: exit code 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            DataError::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::InvalidData
            ),
            _ => true,
        }
    }
}

/// An empty field would be invisible in the message; show it as "".
/// A long one is cut to a short excerpt.
fn shown(text: &str) -> String {
    if text.is_empty() {
        "\"\" (empty)".to_string()
    } else {
        crate::input::excerpt(text)
    }
}
