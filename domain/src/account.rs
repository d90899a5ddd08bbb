//! Accounts: email, password and name.

use crate::text::{bidi_class, one_shown_character};
use crate::{Invalid, text};

pub const EMAIL_MAX_CHARS: usize = 254;
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
pub const USER_ID_MAX_CHARS: usize = 64;

/// A user id: opaque, 1 to 64 ASCII letters, digits, `_` and `-`. Charter
/// gives its own users UUIDv7s in lower-case hyphenated form; an identity
/// provider (Better Auth) gives its own (32 random letters and digits by
/// default). Compared exactly, case included.
pub const USER_ID_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";

/// Whether `value` is a user id by [`USER_ID_PATTERN`].
pub fn is_user_id(value: &str) -> bool {
    (1..=USER_ID_MAX_CHARS).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// [`name`]'s rule as a regular expression, for the contract (with
/// `minLength` 1 and `maxLength` [`NAME_MAX_CHARS`]): something besides
/// white space, and no control or bidirectional control characters.
pub const NAME_PATTERN: &str = one_shown_character!(bidi_class!());

/// The email as stored: trimmed and lower-cased, so that uniqueness
/// ignores case; or why it cannot be one.
pub fn email(value: &str) -> Result<String, Invalid> {
    let email = value.trim().to_lowercase();
    let well_formed = email.chars().count() <= EMAIL_MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if well_formed {
        Ok(email)
    } else {
        Err(Invalid::new(
            "InvalidEmail",
            format!("Enter an email address like name@example.com, at most {EMAIL_MAX_CHARS} characters."),
        ))
    }
}

/// A new password: 8 to 128 characters (Unicode scalar values, not
/// trimmed).
pub fn password(value: &str) -> Result<(), Invalid> {
    let chars = value.chars().count();
    if (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
        return Ok(());
    }
    let message = if chars < PASSWORD_MIN_CHARS {
        format!("Use at least {PASSWORD_MIN_CHARS} characters for the password (it has {chars}).")
    } else {
        format!("Use at most {PASSWORD_MAX_CHARS} characters for the password (it has {chars}).")
    };
    Err(Invalid::new("InvalidPassword", message))
}

/// The name as stored (trimmed): 1 to 100 characters, no control or
/// bidirectional control characters.
pub fn name(value: &str) -> Result<&str, Invalid> {
    let name = value.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS {
        return Err(Invalid::new(
            "InvalidName",
            format!("Use 1 to {NAME_MAX_CHARS} characters for the name (it has {chars} after trimming)."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid::new("InvalidName", "The name must not contain control characters."));
    }
    if text::has_bidi_control(name) {
        return Err(Invalid::new("InvalidName", text::bidi_control_message("name")));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 001-task-service#FR-002
    #[test]
    fn emails() {
        assert_eq!(email("  Ada@Example.COM ").as_deref(), Ok("ada@example.com"));
        for bad in ["", "ada", "@example.com", "ada@", "a b@example.com", "a@b@c", "a\u{0}@b"] {
            assert_eq!(email(bad).map_err(|e| e.code), Err("InvalidEmail"), "{bad:?}");
        }
        assert!(email(&format!("{}@x.io", "a".repeat(260))).is_err());
    }

    // spec: 001-task-service#FR-003
    #[test]
    fn passwords() {
        assert!(password("1234567").unwrap_err().message.contains("at least 8"));
        assert_eq!(password("12345678"), Ok(()));
        assert_eq!(password(&"x".repeat(128)), Ok(()));
        assert!(password(&"x".repeat(129)).unwrap_err().message.contains("at most 128"));
        assert_eq!(password(&"é".repeat(8)), Ok(()), "characters, not bytes");
    }

    // spec: 001-task-service#FR-004, 001-task-service#FR-050
    #[test]
    fn names() {
        assert_eq!(name("  Ada "), Ok("Ada"));
        assert!(name("   ").is_err());
        assert!(name(&"n".repeat(101)).is_err());
        assert!(name("A\u{7}da").is_err());
        assert!(name("Eve\u{202E}lin").is_err());
    }
}
