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
        StringFormat::Time => time(text.as_bytes()),
        StringFormat::Ipv4 => ipv4(text),
        StringFormat::Ipv6 => ipv6(text),
        StringFormat::Ip => ipv4(text) || ipv6(text),
        StringFormat::Email => email(text),
        StringFormat::Hostname => hostname(text),
        StringFormat::Uri => uri(text),
        StringFormat::Mac => mac(text),
        StringFormat::Byte => byte(text),
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
        StringFormat::Time => {
            "an RFC 3339 time with its offset such as 12:00:00Z or 08:30:00+02:00"
        }
        StringFormat::Ipv4 => "an IPv4 address such as 192.0.2.1",
        StringFormat::Ipv6 => "an IPv6 address such as 2001:db8::1",
        StringFormat::Ip => "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
        StringFormat::Email => "an email address such as user@example.com",
        StringFormat::Hostname => "a host name such as api.example.com",
        StringFormat::Uri => "an absolute URI such as https://example.com/a?b",
        StringFormat::Mac => "a MAC address such as 00:1a:2b:3c:4d:5e",
        StringFormat::Byte => "standard base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4)",
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

/// RFC 3339 `full-time`: `HH:MM:SS`, optional fraction, then `Z`/`z` or
/// `±HH:MM` (a leap second only where it is 23:59 in UTC).
pub fn time(b: &[u8]) -> bool {
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

/// Dotted-quad IPv4, as `std::net::Ipv4Addr` reads it (no leading zeros).
pub fn ipv4(text: &str) -> bool {
    text.parse::<std::net::Ipv4Addr>().is_ok()
}

/// IPv6 in any RFC 4291 text form, as `std::net::Ipv6Addr` reads it (no
/// zone index).
pub fn ipv6(text: &str) -> bool {
    text.parse::<std::net::Ipv6Addr>().is_ok()
}

/// RFC 1034 host name: at most 253 characters, labels of 1 to 63 letters,
/// digits and `-` that neither start nor end with `-`, no final dot.
pub fn hostname(text: &str) -> bool {
    let b = text.as_bytes();
    !b.is_empty()
        && b.len() <= 253
        && b.split(|c| *c == b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label[0] != b'-'
                && label[label.len() - 1] != b'-'
                && label
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

/// RFC 5321 mailbox: a local part (dot-atom or quoted string, at most 64
/// characters), `@`, and a domain that is a host name or an address
/// literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).
pub fn email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let local_ok = if let Some(quoted) = local
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        quoted_string(quoted.as_bytes())
    } else {
        !local.is_empty()
            && local.split('.').all(|atom| {
                !atom.is_empty()
                    && atom
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&c))
            })
    };
    if !local_ok || local.len() > 64 {
        return false;
    }
    match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(literal) => match literal.get(..5) {
            Some(tag) if tag.eq_ignore_ascii_case("IPv6:") => ipv6(&literal[5..]),
            _ => ipv4(literal),
        },
        None => hostname(domain),
    }
}

/// The inside of a quoted local part: printable ASCII, with `"` and `\`
/// only as `\"` and `\\` (quoted pairs).
fn quoted_string(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if !b.get(i + 1).is_some_and(|c| (b' '..=b'~').contains(c)) {
                    return false;
                }
                i += 2;
            }
            b'"' => return false,
            c if (b' '..=b'~').contains(&c) => i += 1,
            _ => return false,
        }
    }
    true
}

/// RFC 3986 `URI`: `scheme ":" hier-part ["?" query] ["#" fragment]`, ASCII
/// only, every `%` followed by two hex digits; an authority (after `//`)
/// is `[userinfo "@"] host [":" port]` with an IP literal in brackets.
pub fn uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    if !scheme_bytes.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !scheme_bytes.all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
    {
        return false;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (rest, None),
    };
    let (hier, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let extra = |part: &str| uri_chars(part, b":@/?");
    if !query.is_none_or(extra) || !fragment.is_none_or(extra) {
        return false;
    }
    let path = match hier.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            if !authority(&after[..end]) {
                return false;
            }
            &after[end..]
        }
        None => hier,
    };
    uri_chars(path, b":@/")
}

/// Whether `part` holds only unreserved characters, sub-delimiters,
/// percent-encoded octets and the `extra` characters.
fn uri_chars(part: &str, extra: &[u8]) -> bool {
    let b = part.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = c.is_ascii_alphanumeric()
            || b"-._~".contains(&c)
            || b"!$&'()*+,;=".contains(&c)
            || extra.contains(&c);
        if !allowed {
            return false;
        }
        i += 1;
    }
    true
}

/// RFC 3986 `authority`.
fn authority(text: &str) -> bool {
    let (userinfo, host_port) = match text.rsplit_once('@') {
        Some((userinfo, host_port)) => (Some(userinfo), host_port),
        None => (None, text),
    };
    if !userinfo.is_none_or(|u| uri_chars(u, b":")) {
        return false;
    }
    let (host, port) = if let Some(literal) = host_port.strip_prefix('[') {
        let Some((inside, after)) = literal.split_once(']') else {
            return false;
        };
        let future = inside.strip_prefix(['v', 'V']).is_some_and(|rest| {
            rest.split_once('.').is_some_and(|(version, body)| {
                !version.is_empty()
                    && version.bytes().all(|c| c.is_ascii_hexdigit())
                    && !body.is_empty()
                    && uri_chars(body, b":")
                    && !body.contains('%')
            })
        });
        if !(ipv6(inside) || future) {
            return false;
        }
        match after.strip_prefix(':') {
            Some(port) => ("", Some(port)),
            None if after.is_empty() => ("", None),
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    uri_chars(host, b"") && port.is_none_or(|p| p.bytes().all(|c| c.is_ascii_digit()))
}

/// Six pairs of hex digits, all separated by `:` or all by `-`.
pub fn mac(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 17 {
        return false;
    }
    let separator = b[2];
    (separator == b':' || separator == b'-')
        && b.iter().enumerate().all(|(i, c)| {
            if i % 3 == 2 {
                *c == separator
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Standard base64 (RFC 4648 section 4) with padding: groups of four
/// characters of `A-Z a-z 0-9 + /`, the last group possibly ending in
/// `=` or `==`.
pub fn byte(text: &str) -> bool {
    let b = text.as_bytes();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let padding = b.iter().rev().take_while(|c| **c == b'=').count();
    padding <= 2
        && b[..b.len() - padding]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
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

    #[test]
    fn times() {
        assert!(time(b"12:00:00Z"));
        assert!(time(b"08:30:00.5+02:00"));
        assert!(time(b"23:59:60Z"));
        assert!(!time(b"12:00:00"));
        assert!(!time(b"24:00:00Z"));
        assert!(!time(b"12:00Z"));
        assert!(check(StringFormat::Time, "00:00:00z"));
    }

    #[test]
    fn ip_addresses() {
        assert!(ipv4("192.0.2.1"));
        assert!(!ipv4("192.0.2"));
        assert!(!ipv4("192.0.2.256"));
        assert!(!ipv4("01.0.0.1"));
        assert!(ipv6("2001:db8::1"));
        assert!(ipv6("::ffff:192.0.2.1"));
        assert!(!ipv6("2001:db8::1::2"));
        assert!(!ipv6("fe80::1%eth0"));
        assert!(check(StringFormat::Ip, "::1"));
        assert!(check(StringFormat::Ip, "10.0.0.1"));
        assert!(!check(StringFormat::Ip, "example.com"));
    }

    #[test]
    fn hostnames() {
        assert!(hostname("api.example.com"));
        assert!(hostname("localhost"));
        assert!(hostname("1a.example"));
        assert!(!hostname(""));
        assert!(!hostname("example.com."));
        assert!(!hostname("-a.example"));
        assert!(!hostname("a_b.example"));
        assert!(!hostname(&"a".repeat(64)));
        assert!(!hostname("ex ample.com"));
    }

    #[test]
    fn emails() {
        for ok in [
            "user@example.com",
            "first.last+tag@sub.example.org",
            "\"quoted local\"@example.com",
            "x@[192.0.2.1]",
            "x@[IPv6:2001:db8::1]",
        ] {
            assert!(email(ok), "{ok}");
        }
        for bad in [
            "",
            "user",
            "@example.com",
            "user@",
            ".user@example.com",
            "us..er@example.com",
            "user@exa_mple.com",
            "user@[300.0.0.1]",
            "us er@example.com",
            "ü@example.com",
        ] {
            assert!(!email(bad), "{bad}");
        }
    }

    #[test]
    fn uris() {
        for ok in [
            "https://example.com/a/b?c=d#e",
            "urn:isbn:0451450523",
            "mailto:user@example.com",
            "http://user:pw@[2001:db8::1]:8080/",
            "file:///etc/hosts",
            "http://example.com/%20",
        ] {
            assert!(uri(ok), "{ok}");
        }
        for bad in [
            "",
            "/relative/path",
            "example.com",
            "1http://x",
            "http://exa mple.com",
            "http://example.com/%2",
            "http://[::1/",
            "http://x:port/",
            "https://example.com/ü",
        ] {
            assert!(!uri(bad), "{bad}");
        }
    }

    #[test]
    fn macs_and_base64() {
        assert!(mac("00:1a:2B:3c:4d:5e"));
        assert!(mac("00-1a-2b-3c-4d-5e"));
        assert!(!mac("00:1a-2b:3c:4d:5e"));
        assert!(!mac("001a2b3c4d5e"));
        assert!(!mac("00:1a:2b:3c:4d:5g"));
        assert!(byte(""));
        assert!(byte("aGVsbG8="));
        assert!(byte("aGk+/w=="));
        assert!(!byte("aGVsbG8"));
        assert!(!byte("aGk-_w=="));
        assert!(!byte("a==="));
        assert!(!byte("aG=k"));
    }

    #[test]
    fn every_format_has_its_name() {
        for f in StringFormat::ALL {
            assert_eq!(StringFormat::from_name(f.name()), Some(*f));
            assert!(!describe(*f).is_empty());
        }
        assert_eq!(StringFormat::from_name("password"), None);
    }
}
