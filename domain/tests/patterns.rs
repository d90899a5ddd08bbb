//! The contract's patterns restate the domain's rules as regular
//! expressions (for clients and fuzzers that read the contract). They must
//! accept exactly what the rules accept: checked here for every code point
//! of the Basic Multilingual Plane alone and beside a visible letter.

use charter_domain::{account, organise, recurrence, task};

fn accepts(pattern: &str, text: &str) -> bool {
    regress::Regex::new(pattern).expect("the pattern compiles").find(text).is_some()
}

fn bmp() -> impl Iterator<Item = char> {
    (0u32..=0xFFFF).filter_map(char::from_u32)
}

// spec: 001-task-service#FR-017, 001-task-service#FR-050
#[test]
fn the_title_pattern_is_the_title_rule() {
    let pattern = regress::Regex::new(task::TITLE_PATTERN).expect("compiles");
    for c in bmp() {
        for text in [c.to_string(), format!("a{c}"), format!("{c}a{c}")] {
            let by_rule = task::title(&text).is_ok();
            let by_pattern = pattern.find(&text).is_some();
            assert_eq!(by_pattern, by_rule, "U+{:04X} in {text:?}", c as u32);
        }
    }
    assert!(accepts(task::TITLE_PATTERN, "👩\u{200D}💻 review"));
}

// spec: 001-task-service#FR-004, 001-task-service#FR-050
#[test]
fn the_name_pattern_is_the_name_rule() {
    let pattern = regress::Regex::new(account::NAME_PATTERN).expect("compiles");
    for c in bmp() {
        for text in [c.to_string(), format!("Ada{c}"), format!("{c}Ada{c}")] {
            let by_rule = account::name(&text).is_ok();
            assert_eq!(pattern.find(&text).is_some(), by_rule, "U+{:04X} in {text:?}", c as u32);
        }
    }
}

// spec: 001-task-service#FR-017
#[test]
fn the_description_pattern_is_the_description_rule() {
    let pattern = regress::Regex::new(task::DESCRIPTION_PATTERN).expect("compiles");
    for c in bmp() {
        let text = format!("line{c}line");
        let by_rule = task::description(Some(&text)).is_ok();
        assert_eq!(pattern.find(&text).is_some(), by_rule, "U+{:04X}", c as u32);
    }
}

// spec: 005-organise-and-plan#FR-002
#[test]
fn the_tag_pattern_is_the_tag_rule() {
    let pattern = regress::Regex::new(organise::TAG_PATTERN).expect("compiles");
    for c in bmp() {
        for text in [c.to_string(), format!("a{c}"), format!("{c}a{c}")] {
            let by_rule = organise::tag(&text).is_ok();
            assert_eq!(pattern.find(&text).is_some(), by_rule, "U+{:04X} in {text:?}", c as u32);
        }
    }
}

// spec: 005-organise-and-plan#FR-003
#[test]
fn the_recurrence_pattern_accepts_only_what_the_rule_accepts() {
    let pattern = regress::Regex::new(recurrence::RECURRENCE_PATTERN).expect("compiles");
    let accepted = [
        "",
        "FREQ=DAILY",
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=-1,15;UNTIL=20271228T120000Z",
        "FREQ=YEARLY;INTERVAL=999;BYDAY=SU;BYMONTHDAY=31;UNTIL=00000101",
    ];
    for text in accepted {
        assert!(pattern.find(text).is_some(), "{text}");
        assert!(recurrence::recurrence(text).is_ok(), "{text}");
    }
    // Every combination of parts the pattern allows, the rule accepts.
    let frequencies = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
    let parts = [
        ";INTERVAL=1",
        ";INTERVAL=999",
        ";BYDAY=MO,SU",
        ";BYMONTHDAY=-31,1,31",
        ";COUNT=1",
        ";UNTIL=99991228",
    ];
    for freq in frequencies {
        for mask in 0u32..(1 << parts.len()) {
            let text: String = std::iter::once(format!("FREQ={freq}"))
                .chain(
                    parts
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, p)| (*p).to_owned()),
                )
                .collect();
            if pattern.find(&text).is_some() {
                assert!(
                    recurrence::recurrence(&text).is_ok(),
                    "the pattern takes {text}, the rule refuses it"
                );
            }
        }
    }
    for refused in
        ["FREQ=HOURLY", "FREQ=WEEKLY;BYMONTHDAY=1", "FREQ=DAILY;INTERVAL=0", "FREQ=MONTHLY;BYDAY=1MO", "0000"]
    {
        assert!(pattern.find(refused).is_none(), "{refused}");
    }
}

// spec: 006-safe-writes-and-sync#FR-009
#[test]
fn the_cursor_pattern_admits_the_cursors_the_server_gives_and_no_other_form() {
    let id = uuid::Uuid::now_v7();
    for cursor in ["0".to_owned(), "7".to_owned(), "999999999999999999".to_owned(), format!("3-{id}")] {
        assert!(accepts(task::CHANGE_CURSOR_PATTERN, &cursor), "{cursor}");
    }
    let upper = format!("3-{}", id.to_string().to_uppercase());
    for text in [
        "",
        "-1",
        "1234567890123456789",
        "3-",
        "x7",
        "7 ",
        &format!("-{id}"),
        &format!("3-{}", id.simple()),
        &upper,
    ] {
        assert!(!accepts(task::CHANGE_CURSOR_PATTERN, text), "{text:?}");
    }
}

// spec: 007-better-auth-backend#FR-004
#[test]
fn the_user_id_pattern_is_the_user_id_rule() {
    let samples = [
        "0192e0a8-7d3c-7b1e-9f00-1a2b3c4d5e6f".to_owned(),
        "2pLyeWEFjYGH6zgkGgGBvMAeVlEZYBUL".to_owned(),
        "a".to_owned(),
        "_-".to_owned(),
        "x".repeat(64),
        "x".repeat(65),
        String::new(),
        "a b".to_owned(),
        "{id}".to_owned(),
        "urn:uuid:1".to_owned(),
        "é".to_owned(),
        "a\n".to_owned(),
    ];
    for sample in &samples {
        assert_eq!(accepts(account::USER_ID_PATTERN, sample), account::is_user_id(sample), "{sample:?}");
    }
    for c in bmp() {
        let text = format!("a{c}");
        assert_eq!(accepts(account::USER_ID_PATTERN, &text), account::is_user_id(&text), "{c:?}");
    }
}
