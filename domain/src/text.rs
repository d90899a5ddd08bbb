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
/// Unicode 15.1): code points that render as nothing when not supported.
/// Seventeen ranges that change rarely, so they are listed here rather
/// than pulled in with a Unicode property crate.
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
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

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
