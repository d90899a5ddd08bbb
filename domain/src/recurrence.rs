//! Repeating tasks: the part of RFC 5545's RRULE that Charter accepts,
//! its canonical text, and (with the `calendar` feature) the next date.
//!
//! Parsing is written here because the rule is ours: which parts are
//! allowed and the message that names a refused one. The calendar
//! arithmetic (which day is the next "last Friday of the month") is the
//! `rrule` crate's; `COUNT` and `UNTIL` are applied here, since they are
//! about the task's history (completions so far), not about the calendar.

use std::fmt::Write as _;

use chrono::{NaiveDate, Weekday};

use crate::Invalid;

pub const RECURRENCE_MAX_CHARS: usize = 200;

/// A regular expression for the contract that accepts only rules
/// [`Recurrence::parse`] accepts (in canonical order and upper case; the
/// parser takes any order and case too), or the empty text that clears a
/// rule. Ordinal weekdays and UNTIL dates past the 28th are left out so
/// that every text it accepts is one the server takes.
pub const RECURRENCE_PATTERN: &str = concat!(
    "^$|^(RRULE:)?(",
    "FREQ=(DAILY|MONTHLY|YEARLY)(;INTERVAL=[1-9][0-9]{0,2})?",
    "(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?",
    "(;BYMONTHDAY=-?(3[01]|[12][0-9]|[1-9])(,-?(3[01]|[12][0-9]|[1-9]))*)?",
    "|FREQ=WEEKLY(;INTERVAL=[1-9][0-9]{0,2})?",
    "(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?",
    ")(;(COUNT=[1-9][0-9]{0,2}|UNTIL=[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])(T[0-9]{6}Z)?))?$"
);
pub const INTERVAL_MAX: u16 = 999;
pub const COUNT_MAX: u16 = 999;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Frequency {
    fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }
}

/// When the repetition ends, besides never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The task repeats this many times in all.
    Count(u16),
    /// No date after this one (inclusive).
    Until(NaiveDate),
}

/// One `BYDAY` entry: a weekday, with an ordinal in the month or year
/// (`1MO`, `-1FR`) for monthly and yearly rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByDay {
    pub nth: Option<i8>,
    pub weekday: Weekday,
}

/// A checked recurrence rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub frequency: Frequency,
    pub interval: u16,
    pub by_day: Vec<ByDay>,
    pub by_month_day: Vec<i8>,
    pub end: Option<End>,
}

const ALLOWED: &str = "FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL";

fn invalid(message: String) -> Invalid {
    Invalid::new("InvalidRecurrence", message)
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

impl Recurrence {
    /// Reads RRULE text (`FREQ=WEEKLY;BYDAY=MO,TH`, an optional `RRULE:`
    /// prefix, any case). Every refusal names the part.
    pub fn parse(text: &str) -> Result<Recurrence, Invalid> {
        let chars = text.chars().count();
        if chars > RECURRENCE_MAX_CHARS {
            return Err(invalid(format!(
                "Use at most {RECURRENCE_MAX_CHARS} characters for a recurrence (it has {chars})."
            )));
        }
        let upper = text.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
        let mut frequency = None;
        let mut interval = None;
        let mut by_day = None;
        let mut by_month_day = None;
        let mut end = None;
        for part in body.split(';').filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(invalid(format!("The recurrence part {part:?} is not NAME=VALUE.")));
            };
            let duplicate = || invalid(format!("The recurrence gives {name} twice."));
            match name {
                "FREQ" => {
                    let f = match value {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        "YEARLY" => Frequency::Yearly,
                        _ => {
                            return Err(invalid(format!(
                                "FREQ={value} is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY."
                            )));
                        }
                    };
                    if frequency.replace(f).is_some() {
                        return Err(duplicate());
                    }
                }
                "INTERVAL" => {
                    let n = value.parse::<u16>().ok().filter(|n| (1..=INTERVAL_MAX).contains(n)).ok_or_else(
                        || {
                            invalid(format!(
                                "INTERVAL={value} is not a whole number from 1 to {INTERVAL_MAX}."
                            ))
                        },
                    )?;
                    if interval.replace(n).is_some() {
                        return Err(duplicate());
                    }
                }
                "BYDAY" => {
                    let days = value
                        .split(',')
                        .map(|entry| {
                            let at = entry.len().saturating_sub(2);
                            let (nth, code) = entry.split_at(if entry.is_char_boundary(at) { at } else { 0 });
                            let weekday = weekday(code);
                            let nth = match nth {
                                "" => Some(None),
                                n => n.parse::<i8>().ok().filter(|n| *n != 0 && n.abs() <= 53).map(Some),
                            };
                            match (nth, weekday) {
                                (Some(nth), Some(weekday)) => Ok(ByDay { nth, weekday }),
                                _ => Err(invalid(format!(
                                    "BYDAY value {entry:?} is not a weekday (MO, TU, WE, TH, FR, SA, SU), \
                                     optionally after an ordinal such as 1 or -1."
                                ))),
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    if by_day.replace(days).is_some() {
                        return Err(duplicate());
                    }
                }
                "BYMONTHDAY" => {
                    let days = value
                        .split(',')
                        .map(|d| {
                            d.parse::<i8>().ok().filter(|n| *n != 0 && n.abs() <= 31).ok_or_else(|| {
                                invalid(format!(
                                    "BYMONTHDAY value {d:?} is not a day from -31 to 31 (not 0)."
                                ))
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    if by_month_day.replace(days).is_some() {
                        return Err(duplicate());
                    }
                }
                "COUNT" => {
                    let n = value.parse::<u16>().ok().filter(|n| (1..=COUNT_MAX).contains(n)).ok_or_else(
                        || invalid(format!("COUNT={value} is not a whole number from 1 to {COUNT_MAX}.")),
                    )?;
                    if end.replace(End::Count(n)).is_some() {
                        return Err(invalid("The recurrence gives COUNT or UNTIL twice: use one.".into()));
                    }
                }
                "UNTIL" => {
                    let date = value.get(..8).filter(|_| value.len() == 8 || value.len() == 16);
                    let bytes = value.as_bytes();
                    let time_ok = bytes.len() == 8
                        || (bytes.len() == 16
                            && bytes[8] == b'T'
                            && bytes[15] == b'Z'
                            && bytes[9..15].iter().all(u8::is_ascii_digit));
                    let until = date
                        .filter(|_| time_ok)
                        .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
                        .ok_or_else(|| {
                            invalid(format!(
                                "UNTIL={value} is not a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)."
                            ))
                        })?;
                    if end.replace(End::Until(until)).is_some() {
                        return Err(invalid("The recurrence gives COUNT or UNTIL twice: use one.".into()));
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "The recurrence part {other} is not supported: use only {ALLOWED}."
                    )));
                }
            }
        }
        let frequency = frequency
            .ok_or_else(|| invalid("The recurrence needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY).".into()))?;
        let by_day = by_day.unwrap_or_default();
        let by_month_day = by_month_day.unwrap_or_default();
        // Ordinals count weekdays in a month or a year; daily and weekly
        // rules have none.
        let ordinal_limit = match frequency {
            Frequency::Monthly => 5,
            Frequency::Yearly => 53,
            Frequency::Daily | Frequency::Weekly => 0,
        };
        if let Some(day) = by_day.iter().find(|d| d.nth.is_some_and(|n| n.abs() > ordinal_limit)) {
            return Err(invalid(format!(
                "BYDAY with an ordinal ({}{}) fits only FREQ=MONTHLY (1 to 5) or FREQ=YEARLY (1 to 53).",
                day.nth.unwrap_or_default(),
                weekday_code(day.weekday)
            )));
        }
        if frequency == Frequency::Weekly && !by_month_day.is_empty() {
            return Err(invalid("BYMONTHDAY does not fit FREQ=WEEKLY (RFC 5545).".into()));
        }
        Ok(Recurrence { frequency, interval: interval.unwrap_or(1), by_day, by_month_day, end })
    }

    /// The rule as RRULE text, without `COUNT` and `UNTIL`: what the
    /// calendar arithmetic needs.
    fn calendar_rule(&self) -> String {
        let mut text = format!("FREQ={}", self.frequency.as_str());
        if self.interval != 1 {
            let _ = write!(text, ";INTERVAL={}", self.interval);
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self
                .by_day
                .iter()
                .map(|d| {
                    format!("{}{}", d.nth.map(|n| n.to_string()).unwrap_or_default(), weekday_code(d.weekday))
                })
                .collect();
            let _ = write!(text, ";BYDAY={}", days.join(","));
        }
        if !self.by_month_day.is_empty() {
            let days: Vec<String> = self.by_month_day.iter().map(i8::to_string).collect();
            let _ = write!(text, ";BYMONTHDAY={}", days.join(","));
        }
        text
    }

    /// Whether the repetition has nothing left after `completed`
    /// completions (`COUNT` reached), whatever the calendar says.
    pub fn exhausted_after(&self, completed: i64) -> bool {
        matches!(self.end, Some(End::Count(n)) if completed >= i64::from(n))
    }

    /// The date after `current` by the calendar, when the repetition goes
    /// on; `None` when the task is done for good. `completed` counts the
    /// completions before this one.
    #[cfg(feature = "calendar")]
    pub fn next_after(&self, current: NaiveDate, completed: i64) -> Result<Option<NaiveDate>, Invalid> {
        use chrono::TimeZone as _;
        if self.exhausted_after(completed + 1) {
            return Ok(None);
        }
        let midnight = |date: NaiveDate| {
            rrule::Tz::UTC.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        };
        let Some(day_after) = current.succ_opt() else { return Ok(None) };
        let rule: rrule::RRule<rrule::Unvalidated> = self
            .calendar_rule()
            .parse()
            .map_err(|e| invalid(format!("The recurrence cannot be used: {e}.")))?;
        let set = rule
            .build(midnight(current))
            .map_err(|e| invalid(format!("The recurrence cannot be used: {e}.")))?;
        let next = set.after(midnight(day_after)).all(1).dates.first().map(|d| d.date_naive());
        Ok(next.filter(|next| match self.end {
            Some(End::Until(until)) => *next <= until,
            _ => true,
        } && crate::task::due_date(*next).is_ok()))
    }
}

#[cfg(feature = "calendar")]
impl Recurrence {
    /// The rule's first date on or after `day`, by the calendar alone
    /// (`COUNT` and `UNTIL` aside): where a repetition given no due date
    /// starts.
    pub fn first_from(&self, day: NaiveDate) -> Option<NaiveDate> {
        let rule = Recurrence { end: None, ..self.clone() };
        rule.next_after(day.pred_opt()?, 0).ok().flatten()
    }
}

impl std::fmt::Display for Recurrence {
    /// The canonical text: upper case, no prefix, parts in the order
    /// FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.calendar_rule())?;
        match self.end {
            Some(End::Count(n)) => write!(f, ";COUNT={n}"),
            Some(End::Until(date)) => write!(f, ";UNTIL={}", date.format("%Y%m%d")),
            None => Ok(()),
        }
    }
}

/// A recurrence as stored: `None` for blank text, else checked and in
/// canonical form.
pub fn recurrence(text: &str) -> Result<Option<Recurrence>, Invalid> {
    if text.trim().is_empty() { Ok(None) } else { Recurrence::parse(text).map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<String, String> {
        Recurrence::parse(text).map(|r| r.to_string()).map_err(|e| e.message)
    }

    // spec: 005-organise-and-plan#FR-003
    #[test]
    fn parts_are_checked_and_named() {
        assert_eq!(parse("rrule:freq=weekly;byday=th,mo"), Ok("FREQ=WEEKLY;BYDAY=TH,MO".into()));
        assert_eq!(
            parse("FREQ=MONTHLY;UNTIL=20270110T120000Z;BYDAY=-1FR"),
            Ok("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270110".into())
        );
        assert_eq!(parse("FREQ=DAILY;INTERVAL=1;COUNT=3"), Ok("FREQ=DAILY;COUNT=3".into()));
        for (bad, named) in [
            ("FREQ=HOURLY", "FREQ=HOURLY"),
            ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS"),
            ("FREQ=DAILY;BYMONTH=1", "BYMONTH"),
            ("INTERVAL=2", "FREQ"),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
            ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "COUNT or UNTIL"),
            ("FREQ=WEEKLY;BYDAY=1MO", "1MO"),
            ("FREQ=WEEKLY;BYDAY=XX", "XX"),
            ("FREQ=MONTHLY;BYMONTHDAY=32", "32"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", "\"0\""),
            ("FREQ=DAILY;UNTIL=2027-01-01", "UNTIL"),
            ("FREQ=DAILY;FREQ=WEEKLY", "FREQ twice"),
            ("FREQ=DAILY;é", "NAME=VALUE"),
        ] {
            let message = parse(bad).expect_err(bad);
            assert!(message.contains(named), "{bad}: {message}");
        }
        assert_eq!(recurrence("  "), Ok(None));
    }

    #[cfg(feature = "calendar")]
    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[cfg(feature = "calendar")]
    fn next(rule: &str, current: NaiveDate, completed: i64) -> Option<NaiveDate> {
        Recurrence::parse(rule).expect(rule).next_after(current, completed).expect("next")
    }

    // spec: 005-organise-and-plan#FR-004
    #[cfg(feature = "calendar")]
    #[test]
    fn next_dates() {
        // 2027-01-04 is a Monday.
        assert_eq!(next("FREQ=WEEKLY;BYDAY=MO,TH", date(2027, 1, 4), 0), Some(date(2027, 1, 7)));
        assert_eq!(next("FREQ=WEEKLY;BYDAY=MO,TH", date(2027, 1, 7), 1), Some(date(2027, 1, 11)));
        assert_eq!(next("FREQ=WEEKLY;INTERVAL=2", date(2027, 1, 4), 0), Some(date(2027, 1, 18)));
        assert_eq!(
            next("FREQ=MONTHLY", date(2027, 1, 31), 0),
            Some(date(2027, 3, 31)),
            "February has no 31st"
        );
        assert_eq!(next("FREQ=MONTHLY;BYMONTHDAY=-1", date(2027, 1, 31), 0), Some(date(2027, 2, 28)));
        assert_eq!(next("FREQ=YEARLY", date(2028, 2, 29), 0), Some(date(2032, 2, 29)));
        assert_eq!(next("FREQ=DAILY;COUNT=2", date(2027, 1, 1), 0), Some(date(2027, 1, 2)));
        assert_eq!(
            next("FREQ=DAILY;COUNT=2", date(2027, 1, 2), 1),
            None,
            "the second completion is the last"
        );
        assert_eq!(next("FREQ=WEEKLY;UNTIL=20270110", date(2027, 1, 6), 0), None);
        assert_eq!(next("FREQ=WEEKLY;UNTIL=20270113", date(2027, 1, 6), 0), Some(date(2027, 1, 13)));
        assert_eq!(next("FREQ=DAILY", date(9999, 12, 31), 0), None, "no date after the last one");
        // A due date off the rule moves to the rule's next date.
        assert_eq!(next("FREQ=WEEKLY;BYDAY=MO", date(2027, 1, 6), 0), Some(date(2027, 1, 11)));
        // Without a due date, a repetition starts on its first date from a day.
        let rule = |text: &str| Recurrence::parse(text).expect(text);
        assert_eq!(
            rule("FREQ=WEEKLY;BYDAY=MO;COUNT=1").first_from(date(2027, 1, 6)),
            Some(date(2027, 1, 11))
        );
        assert_eq!(rule("FREQ=DAILY").first_from(date(2027, 1, 6)), Some(date(2027, 1, 6)));
    }
}
