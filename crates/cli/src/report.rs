//! How failures reach the user: one line on stderr and an exit code, 2 when
//! the input is at fault (the user can fix it) and 1 otherwise.

use std::process::ExitCode;

use bm_exact::ExactError;
use datasets::DataError;

/// A problem with the user's input found by the command itself, such as data
/// whose width does not match the model. The message names the file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// A library's error as this command reports it: one that `is_bad_input`
/// (the user can fix it) becomes [`BadInput`] (exit code 2), any other stays
/// itself (exit code 1).
pub fn library_error<E>(e: E, is_bad_input: fn(&E) -> bool) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    if is_bad_input(&e) {
        BadInput(e.to_string()).into()
    } else {
        e.into()
    }
}

/// RbmErrors that are the user's fault become BadInput (exit code 2).
pub fn rbm_error(e: rbm::RbmError) -> anyhow::Error {
    library_error(e, rbm::RbmError::is_bad_input)
}

const BAD_INPUT: u8 = 2;
const OTHER_FAILURE: u8 = 1;

/// Print `error: <message>` on one line and choose the exit code.
/// A reader that closed the pipe (`boltzmann ... | head`) ends the program
/// quietly with status 0, as it does for `cat`.
pub fn failure(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    crate::common::eprint_text(&format!("error: {}\n", one_line(err)));
    ExitCode::from(exit_code(err))
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The first error in the chain that knows whether it is bad input decides.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<ExactError>() {
            Some(e.is_bad_input())
        } else if let Some(e) = cause.downcast_ref::<DataError>() {
            Some(e.is_bad_input())
        } else {
            cause.downcast_ref::<BadInput>().map(|_| true)
        }
    });
    if bad_input == Some(true) {
        BAD_INPUT
    } else {
        OTHER_FAILURE
    }
}

/// The chain of messages joined by ": ". Our errors already include their
/// source's message (`path: problem`), so a cause whose text ends the
/// message so far is skipped rather than repeated.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    shorten(&flatten(&message))
}

/// Keep a message short whatever the input put into it: a long word (a value
/// quoted from a file) becomes an excerpt, and a message still too long
/// keeps its start (the file and field) and its end (what was expected).
fn shorten(message: &str) -> String {
    const MAX_WORD: usize = 60;
    const MAX_CHARS: usize = 300;
    let words: Vec<String> = message
        .split(' ')
        .map(|w| {
            if w.chars().count() > MAX_WORD {
                datasets::excerpt(w)
            } else {
                w.to_string()
            }
        })
        .collect();
    let text = words.join(" ");
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= MAX_CHARS {
        return text;
    }
    let head: String = chars[..MAX_CHARS / 2].iter().collect();
    let tail: String = chars[chars.len() - MAX_CHARS / 2..].iter().collect();
    format!("{head} [...] {tail}")
}

/// TOML parse errors span several lines: a header, the offending source line
/// and a caret line under it. Keep the header, the source line in backticks
/// and the explanation, on one line.
fn flatten(message: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for line in message.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('|') {
            // "3 | foo = 1" is the source line; "| ^^^" marks the column.
            Some((number, source)) if number.trim().chars().all(|c| c.is_ascii_digit()) => {
                let source = source.trim();
                let is_marker = source.chars().all(|c| c == '^' || c == ' ');
                if let (false, Some(last)) = (is_marker, parts.last_mut()) {
                    last.push_str(&format!(" (`{source}`)"));
                }
            }
            _ => parts.push(line.to_string()),
        }
    }
    parts.join(": ")
}

/// clap prints help and version itself; usage errors become one line too.
pub fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(BAD_INPUT);
        }
        _ => {}
    }
    let text = e.render().to_string();
    let before_hints = text.split("\n\n").next().unwrap_or(&text);
    let message = before_hints.trim_start_matches("error:");
    let words: Vec<&str> = message.split_whitespace().collect();
    crate::common::eprint_text(&format!("error: {} (try --help)\n", words.join(" ")));
    ExitCode::from(BAD_INPUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_become_one_line() {
        let text = "TOML parse error at line 3, column 1\n  |\n3 | foo = 1\n  | ^^^\nunknown field `foo`\n";
        assert_eq!(
            flatten(text),
            "TOML parse error at line 3, column 1 (`foo = 1`): unknown field `foo`"
        );
    }

    #[test]
    fn long_values_are_cut_to_excerpts() {
        let long = format!(
            "m.toml: field `b`: value {} is not a number",
            "x".repeat(5000)
        );
        let short = shorten(&long);
        assert!(short.len() < 200, "{short}");
        assert!(short.starts_with("m.toml: field `b`") && short.ends_with("is not a number"));
        let many = format!("m.toml: {} expected f64", "ab ".repeat(1000));
        let short = shorten(&many);
        assert!(
            short.len() < 320 && short.ends_with("expected f64"),
            "{short}"
        );
    }

    #[test]
    fn file_errors_are_not_repeated() {
        let inner = ExactError::Data("bad".into()).in_file("m.toml");
        let err = anyhow::Error::from(inner);
        assert_eq!(one_line(&err), "m.toml: data: bad");
        assert_eq!(exit_code(&err), BAD_INPUT);
    }

    #[test]
    fn context_is_kept_and_io_failures_exit_1() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err = anyhow::Error::from(ExactError::Io {
            path: "out.toml".into(),
            source: io,
        })
        .context("writing the gradient");
        assert_eq!(one_line(&err), "writing the gradient: out.toml: denied");
        assert_eq!(exit_code(&err), OTHER_FAILURE);
    }
}
