//! What text that people read (titles, names) may hold, beyond its length.
//!
//! - It must show something: a title of zero-width spaces, fillers or a
//!   byte-order mark looks empty in every list.
//! - It must not carry the bidirectional embedding, override and isolate
//!   controls, which can reorder the text displayed after them (the
//!   "Trojan Source" trick). The implicit marks (LRM, RLM, ALM) cannot, and
//!   people writing right-to-left scripts need them, so they stay, as do
//!   the zero-width joiners that emoji sequences and Indic scripts use.

/// Whether `text` has at least one character that shows.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(is_visible)
}

/// A character that shows: not white space, not a control, not a
/// default-ignorable code point, not the braille blank.
pub fn is_visible(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || is_default_ignorable(c) || c == '\u{2800}')
}

/// Whether `text` holds a bidirectional embedding, override or isolate
/// control (U+202A–U+202E, U+2066–U+2069).
pub fn has_bidi_control(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// The message for a field holding a bidirectional control.
pub fn bidi_control_message(field: &str) -> String {
    format!(
        "The {field} must not contain bidirectional embedding, override or isolate controls \
         (U+202A to U+202E, U+2066 to U+2069)."
    )
}

/// Unicode's `Default_Ignorable_Code_Point` property (DerivedCoreProperties,
/// Unicode 15.1) in the Basic Multilingual Plane: code points that render
/// as nothing. The astral ones (tags, shorthand format controls, musical
/// formatting) are left out so that the contract's patterns, which JSON
/// Schema's regular-expression dialects can only write for the BMP, say
/// exactly what the server does.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}')
}

// The same rules as regular-expression classes, for the contract's
// patterns (`task::TITLE_PATTERN`, `account::NAME_PATTERN`): only escapes
// that ECMAScript and Python read alike, no `\s`. A test checks them
// against the functions above, code point by code point.

/// Control characters (`char::is_control`).
macro_rules! controls_class {
    () => {
        r"\x00-\x1F\x7F-\x9F"
    };
}
/// The bidirectional embedding, override and isolate controls.
macro_rules! bidi_class {
    () => {
        r"\u202A-\u202E\u2066-\u2069"
    };
}
/// White space (`char::is_whitespace`) outside the controls.
macro_rules! space_class {
    () => {
        r" \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}
/// All white space `str::trim` removes, controls included.
macro_rules! trimmed_class {
    () => {
        concat!(r"\t\n\x0B\x0C\r\x85", $crate::text::space_class!())
    };
}
/// Characters that never show, outside the controls and white space.
macro_rules! invisible_class {
    () => {
        r"\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u2800\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFF8"
    };
}
/// Trimmed text with at least one character that is not white space, a
/// control or in `$not_shown` (a class body), and no control or
/// bidirectional control character anywhere but in the trimmed ends.
macro_rules! one_shown_character {
    ($not_shown:expr) => {
        concat!(
            "^[",
            $crate::text::trimmed_class!(),
            "]*[^",
            $crate::text::controls_class!(),
            $crate::text::bidi_class!(),
            "]*[^",
            $crate::text::controls_class!(),
            $crate::text::space_class!(),
            $not_shown,
            "][^",
            $crate::text::controls_class!(),
            $crate::text::bidi_class!(),
            "]*[",
            $crate::text::trimmed_class!(),
            "]*$"
        )
    };
}
pub(crate) use {
    bidi_class, controls_class, invisible_class, one_shown_character, space_class, trimmed_class,
};

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 001-task-service#FR-050
    #[test]
    fn invisible_text_and_bidi_controls() {
        for invisible in
            ["\u{200B}", "\u{200D}\u{2060}", "\u{FEFF}", "\u{3164}\u{3164}", "\u{2800}", "\u{00AD} \u{200C}"]
        {
            assert!(!has_visible(invisible), "{invisible:?} shows nothing");
        }
        for visible in ["a", "👩\u{200D}💻", "\u{200F}שלום", "\u{200B}x", "·"] {
            assert!(has_visible(visible), "{visible:?} shows something");
        }
        for control in ["\u{202E}abc", "a\u{2066}b\u{2069}", "\u{202A}"] {
            assert!(has_bidi_control(control), "{control:?}");
        }
        assert!(!has_bidi_control("\u{200E}abc\u{200F}\u{061C}"), "implicit marks are allowed");
    }
}
