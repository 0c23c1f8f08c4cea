//! The form of a full name as sent: one table of letters gives both the check and the
//! JSON Schema pattern of the OpenAPI document, so the two cannot disagree.
//!
//! A name is optional blanks (space, tab), a letter, then letters, combining marks (NFD
//! input), blanks, apostrophes, hyphens and full stops. Letters are those of the scripts
//! the national records hold: Latin with every Vietnamese letter, Greek, Cyrillic, CJK
//! ideographs and Hangul syllables.

/// Letters, as inclusive ranges.
const LETTERS: [(char, char); 11] = [
    ('A', 'Z'),
    ('a', 'z'),
    ('\u{C0}', '\u{D6}'),
    ('\u{D8}', '\u{F6}'),
    ('\u{F8}', '\u{24F}'),
    ('\u{1E00}', '\u{1EFF}'),
    ('\u{386}', '\u{386}'),
    ('\u{388}', '\u{3CE}'),
    ('\u{400}', '\u{4FF}'),
    ('\u{4E00}', '\u{9FFF}'),
    ('\u{AC00}', '\u{D7A3}'),
];
/// Combining diacritical marks, as NFD input carries them.
const MARKS: (char, char) = ('\u{300}', '\u{36F}');
/// Blanks and punctuation a name may hold between its letters.
const SEPARATORS: [char; 5] = [' ', '\t', '\'', '-', '.'];

fn is_letter(c: char) -> bool {
    LETTERS
        .iter()
        .any(|(low, high)| (*low..=*high).contains(&c))
}

fn is_part(c: char) -> bool {
    is_letter(c) || (MARKS.0..=MARKS.1).contains(&c) || SEPARATORS.contains(&c)
}

/// How a name sent breaks the form, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flaw {
    /// A character that is neither letter, mark nor separator.
    Character,
    /// No letter at all.
    NoLetter,
    /// Something other than a letter comes first (after blanks).
    Start,
}

/// Checks `raw` against the form.
pub(crate) fn check(raw: &str) -> Result<(), Flaw> {
    if !raw.chars().all(is_part) {
        return Err(Flaw::Character);
    }
    match raw.chars().find(|c| !matches!(c, ' ' | '\t')) {
        _ if !raw.chars().any(is_letter) => Err(Flaw::NoLetter),
        Some(first) if is_letter(first) => Ok(()),
        _ => Err(Flaw::Start),
    }
}

/// The form as a JSON Schema pattern (portable: `\uXXXX` escapes in character classes).
pub(crate) fn pattern() -> String {
    let escape = |c: char| format!("\\u{:04X}", u32::from(c));
    let range = |(low, high): (char, char)| match low == high {
        true => escape(low),
        false => format!("{}-{}", escape(low), escape(high)),
    };
    let letters: String = LETTERS.iter().copied().map(range).collect();
    let separators: String = SEPARATORS.iter().map(|c| escape(*c)).collect();
    format!(
        "^[\\u0020\\u0009]*[{letters}][{letters}{}{separators}]*$",
        range(MARKS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_takes_names_of_the_listed_scripts() {
        for name in [
            "Nguyễn Thị Bình",
            " O'Brien",
            "Jean-Luc Jr.",
            "김민준",
            "Đặng Văn Á",
        ] {
            assert_eq!(check(name), Ok(()), "{name}");
        }
        assert_eq!(check("Nguye\u{302}\u{303}n"), Ok(()));
        assert_eq!(check("Bình2"), Err(Flaw::Character));
        assert_eq!(check("' . -"), Err(Flaw::NoLetter));
        assert_eq!(check("-An"), Err(Flaw::Start));
        assert_eq!(check("\u{301}An"), Err(Flaw::Start));
        assert!(pattern().starts_with("^[\\u0020\\u0009]*[\\u0041-\\u005A"));
    }
}
