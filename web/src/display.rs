//! Error messages and dates.

use api_client::Error;
use api_client::types;
use chrono::NaiveDate;

/// What to tell a person about a failed request.
pub fn error_message(error: &Error<types::Error>) -> String {
    match error {
        Error::ErrorResponse(response) => {
            let message = response.message.trim();
            if message.is_empty() {
                format!("The server refused ({}).", response.status())
            } else {
                capitalise(message)
            }
        }
        Error::CommunicationError(_) => {
            "Could not reach the server. Check your connection and try again.".into()
        }
        Error::InvalidRequest(message) => capitalise(message),
        other => match other.status() {
            Some(status) => format!("Something went wrong (HTTP {}). Try again.", status.as_u16()),
            None => "Something went wrong. Try again.".into(),
        },
    }
}

/// Whether a failed request means the session is over (the client has
/// already tried to refresh it).
pub fn is_unauthorized(error: &Error<types::Error>) -> bool {
    error.status().is_some_and(|s| s.as_u16() == 401)
}

fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    let mut text = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// Today's date where the person is (not UTC): due dates are calendar days.
pub fn today() -> NaiveDate {
    #[cfg(target_arch = "wasm32")]
    {
        let now = js_sys::Date::new_0();
        NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date())
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        chrono::Local::now().date_naive()
    }
}

/// `2026-11-25` → "Wed, Nov 25" this year, "Nov 25, 2027" otherwise.
pub fn format_due(date: NaiveDate, today: NaiveDate) -> String {
    use chrono::Datelike;
    if date == today {
        "today".into()
    } else if Some(date) == today.succ_opt() {
        "tomorrow".into()
    } else if Some(date) == today.pred_opt() {
        "yesterday".into()
    } else if date.year() == today.year() {
        date.format("%a, %b %-d").to_string()
    } else {
        date.format("%b %-d, %Y").to_string()
    }
}

/// Parses the value of an `<input type="date">`; empty is `None`.
pub fn parse_date(value: &str) -> Result<Option<NaiveDate>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| "Enter the date as YYYY-MM-DD.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(format_due(today, today), "today");
        assert_eq!(format_due(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), today), "tomorrow");
        assert_eq!(format_due(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(), today), "Thu, Dec 3");
        assert_eq!(format_due(NaiveDate::from_ymd_opt(2027, 1, 3).unwrap(), today), "Jan 3, 2027");
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("2026-02-30").ok(), None);
        assert_eq!(parse_date("2026-02-03"), Ok(NaiveDate::from_ymd_opt(2026, 2, 3)));
    }

    #[test]
    fn messages_end_like_sentences() {
        assert_eq!(capitalise("email is taken"), "Email is taken.");
        assert_eq!(capitalise("Done!"), "Done!");
    }
}
