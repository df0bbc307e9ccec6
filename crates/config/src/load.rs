//! Reading TOML with one-line errors that name the field.

use serde::de::DeserializeOwned;

use crate::FieldError;

/// A TOML text that could not be read into a configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TomlError {
    /// A value refused (a wrong type, a value type's range, an unknown key),
    /// with the field it stands in.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// Anything that is not one field's fault: broken syntax, a missing field.
    #[error("{0}")]
    Syntax(String),
}

/// Parse `text` into `T`. toml's messages name an unknown field but not the
/// field whose value was refused, so the field is read off the line the
/// error points at (and the `[table]` above it).
pub fn from_toml_str<T: DeserializeOwned>(text: &str) -> Result<T, TomlError> {
    toml::from_str(text).map_err(|e| {
        let problem = e.message().trim().replace('\n', " ");
        match e.span().and_then(|span| field_at(text, span)) {
            Some(field) => TomlError::Field(FieldError::new(field, problem)),
            None => TomlError::Syntax(problem),
        }
    })
}

/// The dotted name `table.key` of the value that `span` points at: the
/// `[table]` above its line, then the keys on the line that enclose it
/// (`train = { learning_rate = -1 }` names `train.learning_rate`). A span
/// over several lines (a whole table: a missing field) names no key.
fn field_at(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    if text[start..end].trim_end().contains('\n') {
        return None;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let line_key = line.split_once('=')?.0.trim();
    if line_key.is_empty() || line_key.starts_with('#') || line_key.starts_with('[') {
        return None;
    }
    let keys = keys_before(&text[line_start..start]);
    let mut key = if keys.is_empty() {
        line_key.to_string()
    } else {
        keys.join(".")
    };
    if let Some(array) = enclosing_array_key(&text[..line_start]) {
        key = format!("{array}.{key}");
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key,
    })
}

/// The key of a multi-line array that is still open at the end of `before`
/// (`estimators = [` on an earlier line, its entries one per line), if any.
fn enclosing_array_key(before: &str) -> Option<String> {
    let mut depth = 0;
    for line in before.lines().rev() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') && !line.contains('=') {
            return None;
        }
        for c in line.chars().rev() {
            match c {
                ']' => depth += 1,
                '[' => depth -= 1,
                _ => {}
            }
        }
        if depth < 0 {
            return line.split_once('=').map(|(k, _)| k.trim().to_string());
        }
    }
    None
}

/// What a line has opened so far: an inline table (with the number of keys
/// that enclose it) or an array.
enum Open {
    Table(usize),
    Array,
}

/// The keys whose values enclose the end of `prefix`, a line cut where the
/// refused value starts: `a = { b = [1, ` gives `["a", "b"]`.
fn keys_before(prefix: &str) -> Vec<String> {
    let (mut keys, mut open) = (Vec::<String>::new(), Vec::<Open>::new());
    let (mut key, mut in_value, mut quote) = (String::new(), false, None);
    for c in prefix.chars() {
        if let Some(q) = quote {
            quote = (c != q).then_some(q);
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '=' if !in_value => {
                keys.push(key.trim().to_string());
                (key, in_value) = (String::new(), true);
            }
            '{' => {
                open.push(Open::Table(keys.len()));
                in_value = false;
            }
            '[' => open.push(Open::Array),
            ']' => {
                open.pop();
            }
            '}' | ',' => {
                if let Some(Open::Table(n)) = open.last() {
                    keys.truncate(*n);
                    in_value = false;
                }
                if c == '}' {
                    open.pop();
                    in_value = true;
                }
            }
            _ if !in_value => key.push(c),
            _ => {}
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> Option<String> {
        let start = text.find(needle).unwrap();
        field_at(text, start..start + needle.len())
    }

    #[test]
    fn field_at_names_table_and_key() {
        let text = "seed = 1\n[bias]\nn_hidden = 4\nlearning_rate = \"x\"\n";
        assert_eq!(at(text, "\"x\"").as_deref(), Some("bias.learning_rate"));
        assert_eq!(at(text, "1").as_deref(), Some("seed"));
        assert_eq!(at(text, "[bias]"), None);
        assert_eq!(field_at(text, 0..text.len()), None);
    }

    #[test]
    fn inline_tables_and_arrays_name_the_inner_key() {
        let text = "[mnist]\ntrain = { learning_rate = 0.1, k = [1, 0], e = { n = -1 } }\n";
        assert_eq!(
            at(text, "0.1").as_deref(),
            Some("mnist.train.learning_rate")
        );
        assert_eq!(at(text, "0]").as_deref(), Some("mnist.train.k"));
        assert_eq!(at(text, "-1").as_deref(), Some("mnist.train.e.n"));
        let list = "methods = [{ method = \"c,d\" }, { method = \"cd\", k = 0 }]\n";
        assert_eq!(at(list, "0 }").as_deref(), Some("methods.k"));
    }

    #[test]
    fn arrays_of_tables_are_named_by_their_table() {
        let text = "[[mnist]]\nname = \"a\"\nn_hidden = 0\n";
        assert_eq!(at(text, "0").as_deref(), Some("mnist.n_hidden"));
    }

    #[test]
    fn entries_of_a_multi_line_array_are_named_by_its_key() {
        let text = "[models]\nestimators = [\n  { kind = \"cd\", k = 1 },\n  { kind = \"pcd\", n_chains = 0 },\n]\nn = 5\n";
        assert_eq!(
            at(text, "0 }").as_deref(),
            Some("models.estimators.n_chains")
        );
        assert_eq!(at(text, "5").as_deref(), Some("models.n"));
    }
}
