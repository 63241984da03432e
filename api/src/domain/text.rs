//! Checks for free-text input: the characters any text may hold, and trimmed,
//! non-empty where required, bounded in length.

use crate::error::{ApiError, ApiResult};

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name, a title, an email, a search: one line.
    One,
    /// A description, notes, a comment, a Markdown document: tabs and line breaks.
    Many,
}

/// The one rule for the characters of every text a client sends: no control character
/// (NUL, escape, DEL, the C1 controls…), except a tab or a line break (`\n`, or
/// `\r\n`) in a text of several lines. PostgreSQL refuses NUL in text and SQLite
/// would store it, so this is checked before anything reaches either; it names the
/// field (`field`) and the first character refused.
pub fn check_characters(value: &str, field: &str, lines: Lines) -> ApiResult<()> {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = !c.is_control()
            || (lines == Lines::Many
                && (c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'))));
        if !allowed {
            let what = match lines {
                Lines::One => "must be one line without control characters",
                Lines::Many => {
                    "must not contain control characters other than tabs and line breaks"
                }
            };
            return Err(ApiError::bad_input(
                field.to_owned(),
                format!("{field} {what} (found U+{:04X})", u32::from(c)),
            ));
        }
    }
    Ok(())
}

/// Longest name (team, squad, user, organisation).
pub const NAME_MAX: usize = 200;
/// Longest long-form text (description, mission, customer journey).
pub const TEXT_MAX: usize = 10_000;
/// Longest markdown document (a review's proposal, a section of a decision record).
pub const DOCUMENT_MAX: usize = 50_000;

/// A trimmed, non-empty string of at most `max` characters.
pub fn required(value: &str, field: &'static str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    bounded(v, field, max)
}

/// A trimmed string of at most `max` characters (may be empty).
pub fn bounded(value: &str, field: &'static str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// A normalised (trimmed, lower-cased) email address.
pub fn email(value: &str, field: &'static str) -> ApiResult<String> {
    let v = value.trim().to_lowercase();
    let valid = v.len() <= 320
        && !v.chars().any(char::is_whitespace)
        && matches!(v.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
               && !domain.ends_with('.') && !domain.contains('@'));
    if valid {
        Ok(v)
    } else {
        Err(ApiError::bad_input(field, "not a valid email address"))
    }
}

/// The search form of a text: lower-cased with Unicode rules on every backend.
pub fn fold(value: &str) -> String {
    value.to_lowercase()
}

/// A `LIKE` pattern matching `needle` anywhere, with the wildcards in it escaped.
pub fn contains_pattern(needle: &str) -> String {
    let escaped = needle
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            email("  Ada@Example.COM ", "email").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.d",
        ] {
            assert!(email(bad, "email").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_where_lines_are_many() {
        for bad in [
            "a\0b",
            "\u{1}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
            "a\rb",
        ] {
            for lines in [Lines::One, Lines::Many] {
                let err = check_characters(bad, "name", lines).unwrap_err();
                assert_eq!(err.code(), "BAD_USER_INPUT", "{bad:?}");
            }
        }
        for line_break in ["a\tb", "a\nb", "a\r\nb"] {
            assert!(check_characters(line_break, "name", Lines::One).is_err());
            assert!(check_characters(line_break, "notes", Lines::Many).is_ok());
        }
        for fine in ["", "Ünïcödé ✓", "tab-free text", "emoji 🚀", "\u{200b}"] {
            assert!(
                check_characters(fine, "name", Lines::One).is_ok(),
                "{fine:?}"
            );
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required("  Payments ", "name", 10).unwrap(), "Payments");
        assert!(required("   ", "name", 10).is_err());
        assert!(required(&"x".repeat(11), "name", 10).is_err());
        assert_eq!(contains_pattern("50%_a"), "%50\\%\\_a%");
    }
}
