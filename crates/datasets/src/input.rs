//! Reading an input file with a limit on its size, so that an endless input
//! (`/dev/zero`, a FIFO that never closes) or a file far larger than any data
//! set here ends with a message instead of exhausting memory.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::DataError;

/// The most bytes a CSV file may have: 1 GiB, far above the 60,000 MNIST
/// images as CSV (about 400 MB).
pub const MAX_TEXT_BYTES: u64 = 1 << 30;

/// Open `path` as a regular file or a stream (FIFO, device); a folder is
/// refused with a message that says a file was expected.
pub fn open_input(path: &Path) -> Result<File, DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(DataError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    File::open(path).map_err(io)
}

/// Read at most `limit` bytes from `reader`; more is an error naming `path`.
pub fn read_bounded(path: &Path, reader: impl Read, limit: u64) -> Result<Vec<u8>, DataError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(DataError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

/// Shorten a value for a message: at most 40 characters, with "..." when
/// cut. Control characters and invisible ones (a carriage return, an escape
/// sequence, a NUL, a byte-order mark) are written as escapes such as `\r`
/// or `\u{1b}`, so that they can neither hide nor colour the message.
pub fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let visible = |c: char| -> String {
        if c.is_control() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}') {
            c.escape_default().to_string()
        } else {
            c.to_string()
        }
    };
    let head: String = text.chars().take(MAX_CHARS).map(visible).collect();
    if text.chars().count() <= MAX_CHARS {
        return head;
    }
    format!("{head}... ({} bytes)", text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_escape_control_and_invisible_characters() {
        assert_eq!(excerpt("0.5"), "0.5");
        assert_eq!(excerpt("0.5\r1"), "0.5\\r1");
        assert_eq!(excerpt("0.25\u{1b}[31mX"), "0.25\\u{1b}[31mX");
        assert_eq!(excerpt("\u{feff}0"), "\\u{feff}0");
        assert_eq!(excerpt("0\0"), "0\\u{0}");
        let long = "1".repeat(50);
        assert_eq!(excerpt(&long), format!("{}... (50 bytes)", "1".repeat(40)));
    }
}
