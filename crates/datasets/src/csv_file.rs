//! The CSV format of the book: one example per line, values separated by
//! commas, no header line. Blank lines are skipped, so a trailing newline or
//! two does no harm; spaces around values are allowed.

use std::io::Write;
use std::path::Path;

use ndarray::{Array2, ArrayView2};

use crate::error::DataError;

/// What a value must be: an intensity in [0, 1], or exactly 0 or 1.
#[derive(Clone, Copy)]
enum ValueKind {
    Intensity,
    Binary,
}

impl ValueKind {
    fn accept(self, text: &str) -> Option<f64> {
        let x: f64 = text.parse().ok()?;
        let ok = match self {
            ValueKind::Intensity => x.is_finite() && (0.0..=1.0).contains(&x),
            ValueKind::Binary => x == 0.0 || x == 1.0,
        };
        ok.then_some(x)
    }

    /// What was expected, for the error message; a word on line 1 is most
    /// likely a header, which these files do not have.
    fn expected(self, text: &str, line: u64) -> String {
        let what = match self {
            ValueKind::Intensity => "a number in [0, 1]",
            ValueKind::Binary => "0 or 1",
        };
        if line == 1 && text.parse::<f64>().is_err() {
            format!("{what} (these files have no header line; remove it)")
        } else {
            what.to_string()
        }
    }
}

/// Read intensities in [0, 1]: one example per line, comma separated, no
/// header. Every line must have the same number of values.
pub fn read_csv(path: impl AsRef<Path>) -> Result<Array2<f64>, DataError> {
    read_values(path.as_ref(), ValueKind::Intensity)
}

/// Read binary data: like [`read_csv`], but every value must be 0 or 1.
pub fn read_binary_csv(path: impl AsRef<Path>) -> Result<Array2<f64>, DataError> {
    read_values(path.as_ref(), ValueKind::Binary)
}

fn read_values(path: &Path, kind: ValueKind) -> Result<Array2<f64>, DataError> {
    let file = crate::input::open_input(path)?;
    let bytes = crate::input::read_bounded(path, file, crate::input::MAX_TEXT_BYTES)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true) // row lengths are checked below, with a better message
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let mut values = Vec::new();
    let mut first: Option<(usize, u64)> = None; // (number of values, line)
    let mut n_examples = 0;
    for record in reader.records() {
        let record = record.map_err(|e| DataError::Malformed {
            path: path.to_path_buf(),
            problem: e.to_string(),
        })?;
        if record.len() == 1 && record[0].is_empty() {
            continue; // a line of spaces
        }
        let line = record.position().map_or(0, |p| p.line());
        let (width, first_line) = *first.get_or_insert((record.len(), line));
        if record.len() != width {
            return Err(DataError::RowLength {
                path: path.to_path_buf(),
                line,
                found: record.len(),
                first_line,
                expected: width,
            });
        }
        for (k, text) in record.iter().enumerate() {
            let x = kind.accept(text).ok_or_else(|| DataError::Value {
                path: path.to_path_buf(),
                line,
                column: k + 1,
                text: text.to_string(),
                expected: kind.expected(text, line),
            })?;
            values.push(x);
        }
        n_examples += 1;
    }
    let (width, _) = first.ok_or_else(|| DataError::Empty {
        path: path.to_path_buf(),
    })?;
    Ok(Array2::from_shape_vec((n_examples, width), values).expect("every row has `width` values"))
}

/// Write `data` in the format [`read_csv`] reads: one example per line,
/// 0 and 1 written as `0` and `1`, other values in the shortest form that
/// reads back to the same f64. An existing file is replaced only when
/// `overwrite` is set; the file appears whole or not at all.
pub fn write_csv(
    path: impl AsRef<Path>,
    data: ArrayView2<f64>,
    overwrite: bool,
) -> Result<(), DataError> {
    let path = path.as_ref();
    check_writable(path, data)?;
    if !overwrite && path.exists() {
        return Err(DataError::WouldOverwrite(path.to_path_buf()));
    }
    persist(path, csv_text(data).as_bytes(), overwrite)
}

fn check_writable(path: &Path, data: ArrayView2<f64>) -> Result<(), DataError> {
    let unwritable = |problem: String| DataError::Unwritable {
        path: path.to_path_buf(),
        problem,
    };
    if data.nrows() == 0 || data.ncols() == 0 {
        return Err(unwritable(format!(
            "it has {} examples of {} values; a data file needs at least one value",
            data.nrows(),
            data.ncols()
        )));
    }
    match data
        .indexed_iter()
        .find(|(_, x)| !(x.is_finite() && (0.0..=1.0).contains(*x)))
    {
        Some(((row, col), x)) => Err(unwritable(format!(
            "example {}, column {}: value {x} is not a number in [0, 1]",
            row + 1,
            col + 1
        ))),
        None => Ok(()),
    }
}

fn csv_text(data: ArrayView2<f64>) -> String {
    let mut text = String::new();
    for row in data.rows() {
        let fields: Vec<String> = row.iter().map(|&x| format_value(x)).collect();
        text.push_str(&fields.join(","));
        text.push('\n');
    }
    text
}

fn format_value(x: f64) -> String {
    match x {
        0.0 => "0".to_string(), // also -0.0
        1.0 => "1".to_string(),
        _ => x.to_string(),
    }
}

/// Write through a temporary file in the same folder, then rename it into place.
pub(crate) fn persist(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(folder).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    // A temporary file is private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(0o644);
        tmp.as_file().set_permissions(mode).map_err(io)?;
    }
    let persisted = if overwrite {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    persisted.map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => DataError::WouldOverwrite(path.to_path_buf()),
        _ => io(e.error),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use tempfile::TempDir;

    fn file_with(text: &str) -> (TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn error_of(result: Result<Array2<f64>, DataError>) -> String {
        let message = result.unwrap_err().to_string();
        assert!(!message.contains('\n'), "one line: {message}");
        message
    }

    #[test]
    fn reads_rows_and_skips_blank_lines() {
        let (_dir, path) = file_with("0,1,0.25\n1, 0 ,1\n\n  \n");
        let data = read_csv(&path).unwrap();
        assert_eq!(data, array![[0.0, 1.0, 0.25], [1.0, 0.0, 1.0]]);
    }

    #[test]
    fn reads_binary_rows_with_crlf() {
        let (_dir, path) = file_with("0,1\r\n1,1\r\n");
        assert_eq!(
            read_binary_csv(&path).unwrap(),
            array![[0.0, 1.0], [1.0, 1.0]]
        );
    }

    #[test]
    fn missing_file_names_it_and_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere.csv");
        let err = read_csv(&path).unwrap_err();
        assert!(err.is_bad_input());
        assert!(err.to_string().contains("nowhere.csv"), "{err}");
    }

    #[test]
    fn empty_file_is_refused() {
        for text in ["", "\n\n", "  \n"] {
            let (_dir, path) = file_with(text);
            let message = error_of(read_csv(&path));
            assert!(message.contains("data.csv"), "{message}");
            assert!(message.contains("no examples"), "{message}");
        }
    }

    #[test]
    fn ragged_row_names_both_lines() {
        let (_dir, path) = file_with("0,1,1\n1,0,1\n1,0\n");
        let message = error_of(read_binary_csv(&path));
        assert!(
            message.contains("data.csv: line 3 has 2 values but line 1 has 3"),
            "{message}"
        );
    }

    #[test]
    fn value_errors_name_line_column_and_text() {
        let cases = [
            (
                "0,1\n1,x\n",
                "line 2, column 2: value x is not a number in [0, 1]",
            ),
            (
                "0,1.5\n",
                "line 1, column 2: value 1.5 is not a number in [0, 1]",
            ),
            (
                "-0.1,1\n",
                "line 1, column 1: value -0.1 is not a number in [0, 1]",
            ),
            (
                "0,1\nNaN,1\n",
                "line 2, column 1: value NaN is not a number in [0, 1]",
            ),
            ("0,1\ninf,1\n", "line 2, column 1: value inf is not"),
            ("0,1\n1,,\n", "line 2 has 3 values but line 1 has 2"),
            ("0,,1\n", "line 1, column 2: value \"\" (empty) is not"),
        ];
        for (text, want) in cases {
            let (_dir, path) = file_with(text);
            let message = error_of(read_csv(&path));
            assert!(
                message.starts_with(&path.display().to_string()),
                "{message}"
            );
            assert!(message.contains(want), "{message} should contain {want}");
        }
    }

    #[test]
    fn binary_reader_refuses_intensities() {
        let (_dir, path) = file_with("0,1\n1,0.5\n");
        let message = error_of(read_binary_csv(&path));
        assert!(
            message.contains("line 2, column 2: value 0.5 is not 0 or 1"),
            "{message}"
        );
        assert!(read_csv(&path).is_ok());
    }

    #[test]
    fn header_line_gets_a_hint() {
        let (_dir, path) = file_with("a,b\n0,1\n");
        let message = error_of(read_binary_csv(&path));
        assert!(
            message.contains("line 1, column 1: value a is not 0 or 1"),
            "{message}"
        );
        assert!(message.contains("no header line"), "{message}");
    }

    #[test]
    fn invalid_utf8_is_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, b"0,1\n\xff\xfe,1\n").unwrap();
        let err = read_csv(&path).unwrap_err();
        assert!(matches!(err, DataError::Malformed { .. }), "{err}");
        assert!(err.to_string().starts_with(&path.display().to_string()));
    }

    #[test]
    fn write_then_read_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let data = array![[0.0, 1.0, 0.1], [1.0, 1.0, 1.0 / 3.0]];
        write_csv(&path, data.view(), false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("0,1,0.1\n1,1,"), "{text}");
        assert_eq!(read_csv(&path).unwrap(), data);
    }

    #[test]
    fn write_refuses_to_overwrite_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "keep me").unwrap();
        let data = array![[0.0, 1.0]];
        let err = write_csv(&path, data.view(), false).unwrap_err();
        assert!(matches!(err, DataError::WouldOverwrite(_)));
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
        write_csv(&path, data.view(), true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0,1\n");
    }

    #[test]
    fn write_refuses_values_it_could_not_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        for (data, want) in [
            (array![[0.0, 2.0]], "example 1, column 2: value 2 is not"),
            (array![[0.0, f64::NAN]], "value NaN is not"),
            (Array2::zeros((0, 3)), "0 examples"),
        ] {
            let message = write_csv(&path, data.view(), false)
                .unwrap_err()
                .to_string();
            assert!(message.contains(want), "{message}");
            assert!(!path.exists());
        }
    }

    #[test]
    fn write_into_missing_folder_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/folder/out.csv");
        let err = write_csv(&path, array![[1.0]].view(), false).unwrap_err();
        assert!(matches!(err, DataError::Io { .. }), "{err}");
        assert!(err.to_string().contains("out.csv"), "{err}");
    }
}
