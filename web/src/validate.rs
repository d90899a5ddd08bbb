//! The API's input rules, checked in the browser so a person hears about a
//! mistake before a round trip. The server checks them again; these only
//! need to agree with it.

/// Longest email the server accepts.
pub const EMAIL_MAX_CHARS: usize = 254;
/// Password length the server accepts, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Name length after trimming.
pub const NAME_MAX_CHARS: usize = 100;
/// Task title length after trimming.
pub const TITLE_MAX_CHARS: usize = 200;
/// Task description length.
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// `None` when the email is acceptable, else what to fix.
pub fn email(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return Some("Enter your email address.".into());
    }
    let well_formed = value.chars().count() <= EMAIL_MAX_CHARS
        && !value.chars().any(char::is_whitespace)
        && value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if well_formed { None } else { Some("Enter an email address like name@example.com.".into()) }
}

/// `None` when the password is acceptable, else what to fix.
pub fn password(value: &str) -> Option<String> {
    let chars = value.chars().count();
    if chars == 0 {
        Some("Enter your password.".into())
    } else if chars < PASSWORD_MIN_CHARS {
        Some(format!("Use at least {PASSWORD_MIN_CHARS} characters ({chars} so far)."))
    } else if chars > PASSWORD_MAX_CHARS {
        Some(format!("Use at most {PASSWORD_MAX_CHARS} characters (this is {chars})."))
    } else {
        None
    }
}

/// `None` when the name is acceptable, else what to fix.
pub fn name(value: &str) -> Option<String> {
    let chars = value.trim().chars().count();
    if chars == 0 {
        Some("Enter your name.".into())
    } else if chars > NAME_MAX_CHARS {
        Some(format!("Use at most {NAME_MAX_CHARS} characters (this is {chars})."))
    } else {
        None
    }
}

/// `None` when the title is acceptable, else what to fix.
pub fn title(value: &str) -> Option<String> {
    let chars = value.trim().chars().count();
    if chars == 0 {
        Some("Give the task a title.".into())
    } else if chars > TITLE_MAX_CHARS {
        Some(format!("Keep the title to {TITLE_MAX_CHARS} characters (this is {chars})."))
    } else {
        None
    }
}

/// `None` when the description is acceptable, else what to fix.
pub fn description(value: &str) -> Option<String> {
    let chars = value.chars().count();
    if chars > DESCRIPTION_MAX_CHARS {
        Some(format!("Keep the description to {DESCRIPTION_MAX_CHARS} characters (this is {chars})."))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("ada@example.com"), None);
        assert_eq!(email("  ada@example.com "), None);
        assert!(email("").is_some());
        assert!(email("ada").is_some());
        assert!(email("@example.com").is_some());
        assert!(email("ada@").is_some());
        assert!(email("a b@example.com").is_some());
        assert!(email("a@b@c").is_some());
        assert!(email(&format!("{}@x.io", "a".repeat(260))).is_some());
    }

    #[test]
    fn passwords() {
        assert!(password("").is_some());
        assert!(password("1234567").is_some());
        assert_eq!(password("12345678"), None);
        assert_eq!(password(&"x".repeat(128)), None);
        assert!(password(&"x".repeat(129)).is_some());
        // Characters, not bytes.
        assert_eq!(password(&"é".repeat(8)), None);
    }

    #[test]
    fn names_titles_descriptions() {
        assert!(name("   ").is_some());
        assert_eq!(name("Ada"), None);
        assert!(name(&"n".repeat(101)).is_some());
        assert!(title(" ").is_some());
        assert_eq!(title(&"t".repeat(200)), None);
        assert!(title(&"t".repeat(201)).is_some());
        assert_eq!(description(""), None);
        assert!(description(&"d".repeat(1001)).is_some());
    }
}
