//! Checkers for the string `format`s the validators enforce. Each is a
//! small hand-written scanner (no regular expression), written to accept
//! exactly what the conformance oracle accepts for that format.

use super::StringFormat;

/// Whether `text` is a valid value of `format`.
pub fn check(format: StringFormat, text: &str) -> bool {
    match format {
        StringFormat::DateTime => date_time(text),
        StringFormat::Date => date(text),
        StringFormat::Uuid => uuid(text),
        StringFormat::Base64Url => base64url(text),
        StringFormat::Duration => duration(text),
    }
}

/// What a format means, for violation messages.
pub fn describe(format: StringFormat) -> &'static str {
    match format {
        StringFormat::DateTime => "an RFC 3339 date-time such as 2024-08-01T12:00:00Z",
        StringFormat::Date => "an RFC 3339 calendar date such as 2024-08-01",
        StringFormat::Uuid => "a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e",
        StringFormat::Base64Url => "URL-safe base64 (A-Z a-z 0-9 - _, up to two = of padding)",
        StringFormat::Duration => "an ISO 8601 duration such as P1DT2H or PT0.5S",
    }
}

/// Two ASCII digits as a number.
fn two_digits(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

/// `YYYY-MM-DD`, a day that exists in the proleptic Gregorian calendar.
pub fn date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(hi), Some(lo)) = (two_digits(&b[0..2]), two_digits(&b[2..4])) else {
        return false;
    };
    let year = hi * 100 + lo;
    let (Some(month), Some(day)) = (two_digits(&b[5..7]), two_digits(&b[8..10])) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `date-time`: a date, `T` (or `t`), `HH:MM:SS`, optional
/// fraction, then `Z`/`z` or `±HH:MM`. A leap second (`:60`) is only valid
/// where the time, moved to UTC, is 23:59.
pub fn date_time(text: &str) -> bool {
    let Some(split) = text.bytes().position(|c| c == b'T' || c == b't') else {
        return false;
    };
    date(&text[..split]) && time(&text.as_bytes()[split + 1..])
}

fn time(b: &[u8]) -> bool {
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (
        two_digits(&b[0..2]),
        two_digits(&b[3..5]),
        two_digits(&b[6..8]),
    ) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let rest = &b[i..];
    let offset_minutes: i32 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (Some(oh), Some(om)) = (two_digits(&[*h1, *h2]), two_digits(&[*m1, *m2])) else {
                return false;
            };
            if oh > 23 || om > 59 {
                return false;
            }
            let minutes = (oh * 60 + om) as i32;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return false,
    };
    if second == 60 {
        let local = (hour * 60 + minute) as i32;
        let utc = (local - offset_minutes).rem_euclid(24 * 60);
        return utc == 23 * 60 + 59;
    }
    true
}

/// `8-4-4-4-12` hexadecimal digits, either case.
pub fn uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The URL-safe base64 alphabet, then at most two `=`.
pub fn base64url(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// ISO 8601 duration: optional `-`, `P`, then date units in the order
/// `Y M W D`, then optionally `T` and time units `H M S` (only seconds may
/// have a fraction). At least one unit, and `T` needs a unit after it.
pub fn duration(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    if b.get(i) != Some(&b'P') {
        return false;
    }
    i += 1;
    if i == b.len() {
        return false;
    }
    let Some(next) = units(b, i, b"YMWD", false) else {
        return false;
    };
    i = next;
    if b.get(i) == Some(&b'T') {
        i += 1;
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let Some(next) = units(b, i, b"HMS", true) else {
            return false;
        };
        i = next;
    }
    i == b.len()
}

/// Reads `digits unit` groups whose units come from `order`, each at most
/// once and in that order. Stops (returning the position) at the first
/// byte that does not start a group; `None` on a malformed group.
fn units(b: &[u8], mut i: usize, order: &[u8], seconds_fraction: bool) -> Option<usize> {
    let mut allowed = 0;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let mut fraction = false;
        if seconds_fraction && b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
            fraction = true;
        }
        let unit = *b.get(i)?;
        let position = order[allowed..].iter().position(|u| *u == unit)? + allowed;
        if fraction && unit != b'S' {
            return None;
        }
        allowed = position + 1;
        i += 1;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(date("2024-02-29"));
        assert!(!date("2023-02-29"));
        assert!(date("2000-02-29"));
        assert!(!date("1900-02-29"));
        assert!(!date("2024-13-01"));
        assert!(!date("2024-00-01"));
        assert!(!date("2024-01-00"));
        assert!(!date("2024-1-01"));
        assert!(!date("２０２４-01-01"));
    }

    #[test]
    fn date_times() {
        assert!(date_time("2024-08-01T12:00:00Z"));
        assert!(date_time("2024-08-01t12:00:00.123456z"));
        assert!(date_time("2024-08-01T12:00:00+05:30"));
        assert!(!date_time("2024-08-01T12:00:00"));
        assert!(!date_time("2024-08-01T24:00:00Z"));
        assert!(!date_time("2024-08-01T12:00:00.Z"));
        assert!(!date_time("2024-08-01 12:00:00Z"));
        assert!(date_time("2016-12-31T23:59:60Z"));
        assert!(!date_time("2016-12-31T22:59:60Z"));
        assert!(date_time("2016-12-31T18:59:60-05:00"));
        assert!(!date_time("2024-08-01T12:00:00+24:00"));
    }

    #[test]
    fn uuids_and_base64url() {
        assert!(uuid("0f8fad5b-d9cb-469f-a165-70867728950E"));
        assert!(!uuid("0f8fad5bd9cb-469f-a165-70867728950e0"));
        assert!(base64url("aGVsbG8_-w=="));
        assert!(base64url(""));
        assert!(!base64url("a==="));
        assert!(!base64url("a+b/"));
        assert!(!base64url("a=b"));
    }

    #[test]
    fn durations() {
        for ok in [
            "P1D",
            "PT1H30M",
            "-P1Y2M3W4DT5H6M7.5S",
            "P1W",
            "PT0.5S",
            "P1DT1S",
        ] {
            assert!(duration(ok), "{ok}");
        }
        for bad in [
            "P", "PT", "P1DT", "1D", "P1M1Y", "PT1.5H", "P1.5D", "PT1", "P1D1D", "P-1D", "P1H",
        ] {
            assert!(!duration(bad), "{bad}");
        }
    }
}
