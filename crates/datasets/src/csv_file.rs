//! The CSV format of the book: one example per line, values separated by
//! commas, no header line. Blank lines are skipped, so a trailing newline or
//! two does no harm; spaces around values are allowed.
//!
//! One byte-level parser reads every variant (f64 or f32, intensities or
//! binary) straight into the matrix it returns. Values such as `0`, `1` or
//! `0.125` take a fast path that gives exactly the f64 that `str::parse`
//! gives; anything else, and any line with a problem, goes through the slow
//! path, which parses like `str::parse` and reports the problem with the
//! file, the line and the column.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use ndarray::{Array2, ArrayView2};

use crate::error::DataError;

/// What a value must be: an intensity in [0, 1], or exactly 0 or 1.
#[derive(Clone, Copy)]
enum ValueKind {
    Intensity,
    Binary,
    Real,
    /// A finite number that is also finite as an f32.
    RealF32,
}

impl ValueKind {
    fn admits(self, x: f64) -> bool {
        match self {
            ValueKind::Intensity => x.is_finite() && (0.0..=1.0).contains(&x),
            ValueKind::Binary => x == 0.0 || x == 1.0,
            ValueKind::Real => x.is_finite(),
            ValueKind::RealF32 => (x as f32).is_finite(),
        }
    }

    fn accept(self, text: &str) -> Option<f64> {
        let x: f64 = text.parse().ok()?;
        self.admits(x).then_some(x)
    }

    /// What was expected, for the error message; a word on line 1 is most
    /// likely a header, which these files do not have, and an empty value
    /// a comma too many.
    fn expected(self, text: &str, line: u64) -> String {
        let what = match self {
            ValueKind::Intensity => "a number in [0, 1]",
            ValueKind::Binary => "0 or 1",
            ValueKind::Real => "a finite number",
            ValueKind::RealF32 => "a finite number within f32 (at most 3.4028235e38 in size)",
        };
        if text.trim().is_empty() {
            format!("{what} (two commas in a row, or a comma at the end of the line?)")
        } else if text.contains(['\t', ';', '\r']) {
            format!("{what} (values are separated by commas and lines end with a newline)")
        } else if line == 1 && text.parse::<f64>().is_err() && text.contains(char::is_alphabetic) {
            format!("{what} (these files have no header line; remove it)")
        } else {
            what.to_string()
        }
    }
}

/// The element types the reader can fill: f64 for the exact code, f32 for
/// training. An f32 is the f64 value rounded once, as `x as f32` does.
pub trait CsvValue: Copy {
    fn from_f64(x: f64) -> Self;
}

impl CsvValue for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
}

impl CsvValue for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
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

/// [`read_csv`] straight into f32, the precision the trainers use (each
/// value is the f64 that [`read_csv`] reads, rounded to f32).
pub fn read_csv_f32(path: impl AsRef<Path>) -> Result<Array2<f32>, DataError> {
    read_values(path.as_ref(), ValueKind::Intensity)
}

/// [`read_binary_csv`] straight into f32.
pub fn read_binary_csv_f32(path: impl AsRef<Path>) -> Result<Array2<f32>, DataError> {
    read_values(path.as_ref(), ValueKind::Binary)
}

/// Read real-valued data (any finite numbers): like [`read_csv`] without
/// the range check, for models of continuous data.
pub fn read_real_csv(path: impl AsRef<Path>) -> Result<Array2<f64>, DataError> {
    read_values(path.as_ref(), ValueKind::Real)
}

/// [`read_real_csv`] straight into f32: a value beyond f32 (such as 1e39)
/// is refused naming its line and column, not read as an infinity.
pub fn read_real_csv_f32(path: impl AsRef<Path>) -> Result<Array2<f32>, DataError> {
    read_values(path.as_ref(), ValueKind::RealF32)
}

/// Write real-valued data in the format [`read_real_csv`] reads (values in
/// the shortest form that reads back to the same f64), atomically; an
/// existing file is replaced only when `overwrite` is set.
pub fn write_real_csv(
    path: impl AsRef<Path>,
    data: ArrayView2<f64>,
    overwrite: bool,
) -> Result<(), DataError> {
    let path = path.as_ref();
    if let Some(((row, col), x)) = data.indexed_iter().find(|(_, x)| !x.is_finite()) {
        return Err(DataError::Unwritable {
            path: path.to_path_buf(),
            problem: format!("example {row}, column {col}: value {x} is not finite"),
        });
    }
    if !overwrite && path.exists() {
        return Err(DataError::WouldOverwrite(path.to_path_buf()));
    }
    persist(path, csv_text(data).as_bytes(), overwrite)
}

/// Bytes of the file parsed at once by [`read_in_blocks`]: each block's
/// lines are cut into two halves that rayon parses side by side.
const BLOCK_BYTES: usize = 4 << 20;

/// A line longer than this leaves the fast path (a file with no newlines, or
/// old Mac line endings): the line reader says what is wrong with it.
const LONGEST_FAST_LINE: usize = 64 << 20;

/// The UTF-8 byte-order mark that some programs (spreadsheets) write at the
/// start of a text file; skipped.
const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

fn read_values<T: CsvValue + Send>(path: &Path, kind: ValueKind) -> Result<Array2<T>, DataError> {
    let file = crate::input::open_input(path)?;
    let (regular, len) = file
        .metadata()
        .map_or((false, 0), |m| (m.is_file(), m.len()));
    let limit = crate::input::MAX_TEXT_BYTES;
    if regular && len > limit {
        return Err(DataError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    if regular && let Some(data) = read_in_blocks(file, kind, BLOCK_BYTES) {
        return Ok(data);
    }
    // A stream, or a file the fast path did not take (a problem, quotes,
    // exponents, ...): line by line, with every message.
    read_line_by_line(path, kind)
}

/// The fast path of a regular file: blocks of whole lines, each cut in two
/// halves parsed on two threads, every value by [`push_simple_values`].
/// `None` as soon as anything is not plain (then the caller reads the file
/// again line by line, which reports the problem with its line number).
fn read_in_blocks<T: CsvValue + Send>(
    file: std::fs::File,
    kind: ValueKind,
    block_bytes: usize,
) -> Option<Array2<T>> {
    let limit = crate::input::MAX_TEXT_BYTES;
    let file_len = file.metadata().ok()?.len();
    let mut reader = file.take(limit.saturating_add(1));
    let mut values: Vec<T> = Vec::new();
    let (mut width, mut n_examples, mut total) = (None, 0, 0u64);
    let mut buffer = Vec::with_capacity(block_bytes + 1024);
    let mut second_values = Vec::new(); // reused: no fresh pages per block
    loop {
        let kept = buffer.len(); // the start of a line, without a newline
        let read = (&mut reader)
            .take(block_bytes as u64)
            .read_to_end(&mut buffer)
            .ok()?;
        total += read as u64;
        if total > limit || kept > LONGEST_FAST_LINE {
            return None;
        }
        if total == read as u64 && buffer.starts_with(BYTE_ORDER_MARK) {
            buffer.drain(..BYTE_ORDER_MARK.len());
        }
        let at_end = read == 0;
        // Whole lines only (at the end, a last line without a newline too).
        // The bytes kept from the last block hold no newline, so only the
        // new ones are searched: a file without newlines costs no more.
        let cut = if at_end {
            buffer.len()
        } else {
            buffer[kept..]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| kept + i + 1)
        };
        let lines = &buffer[..cut];
        let middle = lines[..lines.len() / 2]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let (first, second) = lines.split_at(middle);
        second_values.clear();
        let (a, b) = rayon::join(
            || push_plain_lines(first, kind, &mut values),
            || push_plain_lines(second, kind, &mut second_values),
        );
        values.extend_from_slice(&second_values);
        for (part_width, part_rows) in [a?, b?] {
            if part_rows > 0 && *width.get_or_insert(part_width) != part_width {
                return None;
            }
            n_examples += part_rows;
        }
        if at_end {
            break;
        }
        if total == read as u64 {
            // After the first block: room for the whole file at its density
            // (if memory allows; otherwise the vector grows as it goes).
            let per_byte = values.len() as f64 / cut.max(1) as f64;
            let file_len = file_len.min(limit) as f64;
            let _ = values.try_reserve((file_len * per_byte * 1.01) as usize);
        }
        buffer.drain(..cut);
    }
    let width = width?; // an empty file: the line reader says so
    Array2::from_shape_vec((n_examples, width), values).ok()
}

/// Append the values of whole lines; return their common width and the
/// number of (non-blank) lines, or `None` unless every line is plain and
/// all have one width.
fn push_plain_lines<T: CsvValue>(
    bytes: &[u8],
    kind: ValueKind,
    values: &mut Vec<T>,
) -> Option<(usize, usize)> {
    let (mut width, mut rows) = (None, 0);
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            continue;
        }
        let n_values = push_simple_values(line, kind, values)?;
        if *width.get_or_insert(n_values) != n_values {
            return None;
        }
        rows += 1;
    }
    Some((width.unwrap_or(0), rows))
}

fn read_line_by_line<T: CsvValue>(path: &Path, kind: ValueKind) -> Result<Array2<T>, DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = crate::input::open_input(path)?;
    let file_len = file.metadata().map_or(0, |m| m.len());
    // An endless input (a FIFO, /dev/zero) stops at the limit, with a message.
    let limit = crate::input::MAX_TEXT_BYTES;
    let mut reader = BufReader::with_capacity(1 << 20, file.take(limit.saturating_add(1)));
    let mut total: u64 = 0;
    let mut parser = Parser {
        path,
        kind,
        values: Vec::new(),
        width: None,
        n_examples: 0,
    };
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            break;
        }
        number += 1;
        if number == 1 && line.starts_with(BYTE_ORDER_MARK) {
            line.drain(..BYTE_ORDER_MARK.len());
        }
        let read = line.len() as u64;
        total += read;
        if total > limit {
            return Err(DataError::TooLarge {
                path: path.to_path_buf(),
                limit,
            });
        }
        parser.push_line(&line, number)?;
        if parser.n_examples == 1 {
            // Room for as many lines as long as the first: one allocation
            // for most files instead of a doubling every few rows.
            let width = parser.values.len() as u64;
            let estimate = file_len / read.max(1) * width + width;
            parser.values.reserve(estimate.min(1 << 28) as usize);
        }
    }
    let width = parser.width.ok_or_else(|| DataError::Empty {
        path: path.to_path_buf(),
    })?;
    let shape = (parser.n_examples, width.n_values);
    Ok(Array2::from_shape_vec(shape, parser.values).expect("every row has `width` values"))
}

/// The number of values of the first example, and its line.
#[derive(Clone, Copy)]
struct Width {
    n_values: usize,
    line: u64,
}

/// The state of one read: the values so far, row after row.
struct Parser<'a, T> {
    path: &'a Path,
    kind: ValueKind,
    values: Vec<T>,
    width: Option<Width>,
    n_examples: usize,
}

impl<T: CsvValue> Parser<'_, T> {
    /// Append the values of one line (with its line ending), or skip it if
    /// blank. The fast path handles well-formed lines; on anything else the
    /// slow path either reads the line or says what is wrong with it.
    fn push_line(&mut self, line: &[u8], number: u64) -> Result<(), DataError> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            return Ok(());
        }
        let before = self.values.len();
        let n_values = push_simple_values(line, self.kind, &mut self.values);
        let fits = self.width.is_none_or(|w| Some(w.n_values) == n_values);
        if n_values.is_none() || !fits {
            self.values.truncate(before);
            self.push_line_slowly(line, number)?;
        }
        let n_values = self.values.len() - before;
        self.width.get_or_insert(Width {
            n_values,
            line: number,
        });
        self.n_examples += 1;
        Ok(())
    }

    /// The line as the `csv` crate reads it (UTF-8 text, fields trimmed,
    /// optionally in double quotes), each field parsed by `str::parse`.
    fn push_line_slowly(&mut self, line: &[u8], number: u64) -> Result<(), DataError> {
        let path = self.path.to_path_buf();
        let text = std::str::from_utf8(line).map_err(|e| DataError::Malformed {
            path: path.clone(),
            problem: format!("line {number} is not UTF-8 text ({e})"),
        })?;
        // Counted, not collected: a line of a billion fields needs no list.
        let n_fields = text.split(',').count();
        if let Some(width) = self.width
            && n_fields != width.n_values
        {
            return Err(DataError::RowLength {
                path,
                line: number,
                found: n_fields,
                first_line: width.line,
                expected: width.n_values,
            });
        }
        for (k, text) in text.split(',').map(unquote).enumerate() {
            let x = self.kind.accept(text).ok_or_else(|| DataError::Value {
                path: path.clone(),
                line: number,
                column: k + 1,
                text: text.to_string(),
                expected: self.kind.expected(text, number),
            })?;
            self.values.push(T::from_f64(x));
        }
        Ok(())
    }
}

/// A field without the spaces around it and without enclosing quotes.
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(field, str::trim)
}

/// The fast path: push every value of a line whose fields are all plain
/// decimals that `kind` admits, and return how many there were; `None` as
/// soon as one field is anything else (the caller then undoes the pushes).
fn push_simple_values<T: CsvValue>(
    line: &[u8],
    kind: ValueKind,
    values: &mut Vec<T>,
) -> Option<usize> {
    let mut count = 0;
    for field in line.split(|&b| b == b',') {
        let x = match field {
            [b'0'] => 0.0,
            [b'1'] => 1.0,
            _ => parse_simple_decimal(field.trim_ascii()).filter(|&x| kind.admits(x))?,
        };
        values.push(T::from_f64(x));
        count += 1;
    }
    Some(count)
}

/// Powers of ten that are exact in f64.
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `digits[.digits]` with at most 15 digits in all, as m / 10^k: m and
/// 10^k are exact in f64, so the one rounding of the division gives the
/// correctly rounded value, the same bits as `str::parse` (Clinger's fast
/// path). `None` for anything else: signs, exponents, more digits, words.
fn parse_simple_decimal(field: &[u8]) -> Option<f64> {
    let (mut mantissa, mut n_digits, mut n_decimals, mut seen_point) =
        (0u64, 0usize, 0usize, false);
    for &b in field {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                n_digits += 1;
                n_decimals += usize::from(seen_point);
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
        if n_digits > 15 {
            return None;
        }
    }
    (n_digits > 0).then(|| mantissa as f64 / POWERS_OF_TEN[n_decimals])
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

/// Write atomically and durably through [`fsio::write_atomic`].
pub(crate) fn persist(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), DataError> {
    fsio::write_atomic(path, bytes, overwrite).map_err(|source| {
        if fsio::is_refused_overwrite(&source) {
            DataError::WouldOverwrite(path.to_path_buf())
        } else {
            DataError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
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

    /// A byte-order mark (as spreadsheets write) is skipped, on the fast
    /// path and on the line reader alike.
    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (_dir, path) = file_with("\u{feff}0,1,0.25\n1,0,1\n");
        let expected = array![[0.0, 1.0, 0.25], [1.0, 0.0, 1.0]];
        assert_eq!(read_csv(&path).unwrap(), expected);
        assert_eq!(
            read_line_by_line::<f64>(&path, ValueKind::Intensity).unwrap(),
            expected
        );
        let (_dir, path) = file_with("\u{feff}0,1,x\n");
        let message = error_of(read_csv(&path));
        assert!(message.contains("column 3"), "{message}");
    }

    /// A file beyond the size limit is refused before any of it is read (a
    /// sparse file of 2 GiB here; reserving room for it once aborted).
    #[test]
    fn a_file_beyond_the_limit_is_refused_at_once() {
        let (_dir, path) = file_with("0,1\n");
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(crate::input::MAX_TEXT_BYTES * 2).unwrap();
        let message = error_of(read_csv(&path));
        assert!(message.contains("more than"), "{message}");
    }

    /// Old Mac line endings (carriage returns only) make one long line: the
    /// message names it, shows the carriage return as an escape and says how
    /// lines end. (Such a file of 188 MB once took a minute and 8 GB, the
    /// whole buffer searched for a newline after every block; now each
    /// block's new bytes only, and the line reader no longer lists the
    /// line's fields: 0.5 s and 190 MB.)
    #[test]
    fn carriage_returns_alone_are_named_and_escaped() {
        let (_dir, path) = file_with(&"0,1,0.5\r".repeat(1000));
        let message = error_of(read_csv(&path));
        assert!(
            message.contains("line 1, column 3") && message.contains("0.5\\r0"),
            "{message}"
        );
        assert!(message.contains("separated by commas"), "{message}");
    }

    /// Values beyond f32 are refused by the f32 reader of real values,
    /// naming line and column; the f64 reader takes them.
    #[test]
    fn the_f32_reader_of_real_values_refuses_values_beyond_f32() {
        let (_dir, path) = file_with("0.5,-1.2\n1e39,0.3\n");
        assert_eq!(read_real_csv(&path).unwrap()[[1, 0]], 1e39);
        let message = read_real_csv_f32(&path).unwrap_err().to_string();
        assert!(
            message.contains("line 2, column 1") && message.contains("within f32"),
            "{message}"
        );
        let (_dir, path) = file_with("0.5,-1.2\n-3e38,0.3\n");
        assert_eq!(read_real_csv_f32(&path).unwrap()[[1, 0]], -3e38);
    }

    #[test]
    fn reads_rows_and_skips_blank_lines() {
        let (_dir, path) = file_with("0,1,0.25\n1, 0 ,1\n\n  \n");
        let data = read_csv(&path).unwrap();
        assert_eq!(data, array![[0.0, 1.0, 0.25], [1.0, 0.0, 1.0]]);
    }

    #[test]
    fn the_fast_path_gives_the_bits_of_str_parse() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut checked = 0;
        for _ in 0..200_000 {
            let n_int = rng.random_range(0..4);
            let n_dec = rng.random_range(0..14);
            let mut text: String = (0..n_int)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            if rng.random_bool(0.8) {
                text.push('.');
            }
            text.extend((0..n_dec).map(|_| char::from(b'0' + rng.random_range(0..10u8))));
            let slow = text.parse::<f64>().ok();
            let fast = parse_simple_decimal(text.as_bytes());
            // The fast path may pass (None) but never disagree.
            if fast.is_some() || slow.is_none() {
                assert_eq!(fast.map(f64::to_bits), slow.map(f64::to_bits), "{text}");
            }
            checked += usize::from(fast.is_some());
        }
        assert!(
            checked > 150_000,
            "the fast path took only {checked} values"
        );
        for text in [
            "",
            ".",
            "-0",
            "+1",
            "1e0",
            "1..2",
            "0x1",
            "1234567890123456",
        ] {
            assert_eq!(parse_simple_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn f32_reader_rounds_what_the_f64_reader_reads() {
        let text = "0,1,0.1,0.333,1.0\n0.5, 0.25 ,\"0.75\",1e-3,0.1234567890123456789\n";
        let (_dir, path) = file_with(text);
        let wide = read_csv(&path).unwrap();
        assert_eq!(
            wide.row(1).to_vec(),
            [0.5, 0.25, 0.75, 1e-3, 0.123_456_789_012_345_68]
        );
        assert_eq!(read_csv_f32(&path).unwrap(), wide.mapv(|x| x as f32));
        let (_dir, path) = file_with("0,1\n1.0,0.000\n");
        let binary = read_binary_csv_f32(&path).unwrap();
        assert_eq!(binary, array![[0.0f32, 1.0], [1.0, 0.0]]);
    }

    /// The blocks of the fast path (here of a few bytes, so that lines and
    /// halves are cut everywhere) give what the line-by-line reader gives.
    #[test]
    fn blocks_read_what_lines_read() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        for case in 0..40 {
            let width = rng.random_range(1..12);
            let mut text = String::new();
            for _ in 0..rng.random_range(0..30) {
                let row: Vec<String> = (0..width)
                    .map(|_| match rng.random_range(0..4) {
                        0 => "0".to_string(),
                        1 => "1".to_string(),
                        2 => format!(" {:.3} ", rng.random::<f64>()),
                        _ => format!("{}", rng.random_range(0..1000) as f64 / 1000.0),
                    })
                    .collect();
                text += &row.join(",");
                text += ["\n", "\r\n", "\n\n", "\n  \n"][rng.random_range(0..4)];
            }
            if case % 3 == 0 {
                text.truncate(text.trim_end().len()); // no newline at the end
            }
            let (_dir, path) = file_with(&text);
            let lines = read_line_by_line::<f32>(&path, ValueKind::Intensity);
            for block in [1, 7, 64, 1 << 20] {
                let file = std::fs::File::open(&path).unwrap();
                let blocks = read_in_blocks::<f32>(file, ValueKind::Intensity, block);
                match &lines {
                    Ok(data) if data.nrows() > 0 => {
                        assert_eq!(blocks.as_ref(), Some(data), "{text:?}, block {block}")
                    }
                    _ => assert!(blocks.is_none(), "{text:?}"),
                }
            }
        }
    }

    #[test]
    fn a_bad_value_after_many_good_rows_names_its_line() {
        let mut text = "0,1,1,0\n".repeat(5000);
        text.push_str("0,1,2,0\n");
        let (_dir, path) = file_with(&text);
        let message = error_of(read_binary_csv(&path));
        assert!(
            message.contains("line 5001, column 3: value 2 is not 0 or 1"),
            "{message}"
        );
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
    fn an_empty_value_gets_a_hint_about_commas() {
        let (_dir, path) = file_with("0,1,1,\n1,0,0\n");
        let message = error_of(read_binary_csv(&path));
        assert!(
            message.contains("line 1, column 4") && message.contains("a comma at the end"),
            "{message}"
        );
        assert!(!message.contains("header"), "{message}");
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
