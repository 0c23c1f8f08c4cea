//! Reading a configuration file: its TOML syntax, then its types. Every problem is
//! located at its dotted key (and line) with a fix that says what the key expects, and
//! every problem is reported, not only the first: after a type error the entry at fault
//! is set aside and the rest is read again.

use std::collections::HashMap;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeArray, DeTable, DeValue, Deserializer, Error};

use super::issues::{ConfigError, ConfigIssue, Issues};

/// The most problems one file is read for.
const MAX_ISSUES: usize = 64;

/// Parses TOML `text` as a `T` (the [`Config`](super::Config)); `file` names it in errors.
pub(super) fn parse<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, ConfigError> {
    match read(text) {
        (Some(config), issues) if issues.is_empty() => Ok(config),
        (_, issues) => Err(ConfigError {
            file: file.to_owned(),
            issues,
        }),
    }
}

/// Reads TOML `text` as far as it can: the problems of its syntax and types, and the
/// configuration of what remains once the entries at fault are set aside (`None` after a
/// syntax error).
pub(super) fn read<T: DeserializeOwned>(text: &str) -> (Option<T>, Vec<ConfigIssue>) {
    let (mut root, syntax) = DeTable::parse_recoverable(text);
    let mut issues = Issues::default();
    for error in &syntax {
        issues.push(issue(text, error, "correct the TOML syntax near this line"));
    }
    let mut set_aside: Vec<(Range<usize>, String)> = Vec::new();
    for _ in 0..MAX_ISSUES {
        if !syntax.is_empty() {
            break;
        }
        let error = match T::deserialize(Deserializer::from(root.clone())) {
            Ok(config) => return (Some(config), issues.into_vec()),
            Err(error) => error,
        };
        let Some(span) = error.span() else {
            issues.push(issue(text, &error, &fix_for(error.message())));
            break;
        };
        // A required key set aside after an earlier problem is missing now: not news.
        let own_doing = missing_field(error.message())
            .is_some_and(|field| set_aside.iter().any(|(s, k)| *s == span && k == field));
        if !own_doing {
            issues.push(issue(text, &error, &fix_for(error.message())));
        }
        let whole = root.span();
        match remove(root.get_mut(), whole, &span) {
            Some(removed) => set_aside.push(removed),
            None => break,
        }
    }
    (None, issues.into_vec())
}

/// The field a "missing field" message names.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Removes the innermost entry of `table` (spanning `container`) that holds the error
/// at `span`; returns the span of the table it left and the removed key. (A table's
/// span is its header's, so every table is searched.)
fn remove(
    table: &mut DeTable<'_>,
    container: Range<usize>,
    span: &Range<usize>,
) -> Option<(Range<usize>, String)> {
    let mut at_fault = None;
    for (key, value) in table.iter_mut() {
        let value_span = value.span();
        if value_span == *span || contains(&key.span(), span) {
            at_fault = Some(key.get_ref().to_string());
            break;
        }
        let inner = match value.get_mut() {
            DeValue::Table(inner) => remove(inner, value_span, span),
            DeValue::Array(items) => remove_item(items, span),
            _ if contains(&value_span, span) => {
                at_fault = Some(key.get_ref().to_string());
                break;
            }
            _ => None,
        };
        if inner.is_some() {
            return inner;
        }
    }
    let name = at_fault?;
    table.remove(name.as_str())?;
    Some((container, name))
}

/// In an array, removes what holds the error at `span`: an entry of a table in it, or
/// the item itself.
fn remove_item(items: &mut DeArray<'_>, span: &Range<usize>) -> Option<(Range<usize>, String)> {
    let mut at_fault = None;
    for (index, item) in items.iter_mut().enumerate() {
        let item_span = item.span();
        if contains(&item_span, span) && !matches!(item.get_ref(), DeValue::Table(_)) {
            at_fault = Some((index, item_span));
            break;
        }
        if item_span == *span {
            at_fault = Some((index, item_span));
            break;
        }
        if let DeValue::Table(inner) = item.get_mut()
            && let Some(removed) = remove(inner, item_span, span)
        {
            return Some(removed);
        }
    }
    let (index, item_span) = at_fault?;
    let mut kept = DeArray::new();
    for (i, item) in items.iter().enumerate() {
        if i != index {
            kept.push(item.clone());
        }
    }
    *items = kept;
    Some((item_span, format!("[{index}]")))
}

/// An issue naming the dotted key at the error's position.
fn issue(text: &str, error: &Error, fix: &str) -> ConfigIssue {
    let message = error.message().trim().to_owned();
    let key = match error.span() {
        Some(span) => key_at(text, span.start, &message),
        None => "(file)".to_owned(),
    };
    ConfigIssue {
        key,
        problem: message,
        fix: fix.to_owned(),
    }
}

/// What to write instead, by what the message says was expected.
fn fix_for(message: &str) -> String {
    let expects = |what: &str| message.contains(what);
    let fix = if expects("unknown field") {
        "remove the key or correct its spelling (the message lists the accepted keys)"
    } else if message.starts_with("missing field") {
        "add the missing key (config/lienthong.example.toml shows it)"
    } else if expects("N/s") || expects("the count must be") || expects("unknown period") {
        "give a rate as a quoted count per period, e.g. \"20/s\", \"600/min\" or \"10000/h\""
    } else if expects("duration") {
        "give a duration as a quoted number with a unit, e.g. \"10s\", \"500ms\" or \"5min\""
    } else if expects("socket address") {
        "give an address with its port as a quoted string, e.g. \"127.0.0.1:8080\""
    } else if expects("unknown variant") {
        "use one of the values the message lists, quoted"
    } else if expects("expected a boolean") {
        "give true or false, without quotes"
    } else if expects("expected u") || expects("expected i") || expects("expected usize") {
        "give a whole number without quotes, e.g. 10"
    } else if expects("expected f") {
        "give a number without quotes, e.g. 0.5"
    } else if expects("expected a sequence") {
        "give a list in brackets, e.g. [\"a\", \"b\"]"
    } else if expects("expected a string") || expects("expected a borrowed string") {
        "give the value as a quoted string"
    } else {
        "give the value in the form the message states (config/lienthong.example.toml shows each key)"
    };
    fix.to_owned()
}

/// The dotted key at byte `offset`: the enclosing table (with `[[array]]` index) plus the
/// key on that line, or the field a "missing field" message names.
fn key_at(text: &str, offset: usize, message: &str) -> String {
    let before = text.get(..offset).unwrap_or_default();
    let line_no = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or_default().trim();
    let mut section = String::new();
    let mut arrays: HashMap<String, usize> = HashMap::new();
    let line_end = line_start
        + text[line_start..]
            .find('\n')
            .unwrap_or(text.len() - line_start);
    for header in text[..line_end]
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('['))
    {
        if let Some(name) = header.strip_prefix("[[").and_then(|h| h.split("]]").next()) {
            let name = name.trim().to_owned();
            let index = arrays
                .entry(name.clone())
                .and_modify(|i| *i += 1)
                .or_insert(0);
            section = format!("{name}[{index}]");
        } else if let Some(name) = header.strip_prefix('[').and_then(|h| h.split(']').next()) {
            section = name.trim().to_owned();
        }
    }
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_owned()
        } else {
            format!("{a}.{b}")
        }
    };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    let key = match (missing, line.split_once('=')) {
        (Some(field), _) => join(&section, field),
        (None, Some((key, _))) if !line.starts_with('[') => join(&section, key.trim()),
        _ => section,
    };
    if key.is_empty() {
        format!("line {line_no}")
    } else {
        format!("{key} (line {line_no})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn issues(text: &str) -> Vec<(String, String)> {
        let error = parse::<Config>(text, "t.toml").expect_err("refused");
        error.issues.into_iter().map(|i| (i.key, i.fix)).collect()
    }

    #[test]
    fn every_type_error_is_named_with_the_form_its_key_expects() {
        let found = issues(
            "[server]\nlisten = 8080\nheader_read_timeout = 10\n[telemetry]\nsample_ratio = \"x\"\n\
             [[clients]]\nid = 5\n[partners.business-registry]\nbase_url = 7\nconsumer_code = \"H82\"\n\
             rate = \"fast\"\n",
        );
        let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "clients[0].id (line 7)",
                "partners.business-registry.base_url (line 9)",
                "partners.business-registry.rate (line 11)",
                "server.header_read_timeout (line 3)",
                "server.listen (line 2)",
                "telemetry.sample_ratio (line 5)",
            ],
            "{found:?}"
        );
        let fix = |key: &str| &found.iter().find(|(k, _)| k.starts_with(key)).unwrap().1;
        assert!(fix("server.header_read_timeout").contains("\"10s\""));
        assert!(fix("server.listen").contains("\"127.0.0.1:8080\""));
        assert!(fix("telemetry.sample_ratio").contains("0.5"));
        assert!(fix("clients[0].id").contains("quoted string"));
        assert!(fix("partners.business-registry.rate").contains("\"20/s\""));
    }

    #[test]
    fn syntax_errors_point_at_their_line() {
        let found = issues("[server\nlisten = \n");
        assert!(!found.is_empty());
        assert!(
            found.iter().all(|(_, fix)| fix.contains("TOML syntax")),
            "{found:?}"
        );
    }
}
