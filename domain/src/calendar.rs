//! Time zones: what "today" is for a person (the server's side of
//! `overdue` and `due_today`; the web app uses the browser's own).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::Invalid;

/// An IANA time zone by name (`Europe/Paris`, `UTC`); none means UTC.
pub fn time_zone(name: Option<&str>) -> Result<Tz, Invalid> {
    let Some(name) = name else { return Ok(Tz::UTC) };
    name.trim().parse::<Tz>().map_err(|_| {
        Invalid::new(
            "InvalidTimeZone",
            format!("tz: {name:?} is not an IANA time zone name such as Europe/Paris or UTC."),
        )
    })
}

/// The calendar date at `now` in `tz`.
pub fn today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 005-organise-and-plan#FR-012
    #[test]
    fn today_depends_on_the_zone() {
        let now = DateTime::parse_from_rfc3339("2027-01-01T12:00:00Z").expect("time").to_utc();
        let kiritimati = time_zone(Some("Pacific/Kiritimati")).expect("zone");
        let pago_pago = time_zone(Some("Pacific/Pago_Pago")).expect("zone");
        assert_eq!(today(kiritimati, now).to_string(), "2027-01-02");
        assert_eq!(today(pago_pago, now).to_string(), "2027-01-01");
        assert_eq!(time_zone(None), Ok(Tz::UTC));
        assert_eq!(time_zone(Some("Mars/Olympus")).map_err(|e| e.code), Err("InvalidTimeZone"));
    }
}
