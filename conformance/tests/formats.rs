//! The generated validators and the oracle agree on every `format` they
//! both give meaning to: for each string format the runtime checks
//! (`openapi_runtime::validate::format`), a list of valid and nearly valid
//! values is judged by both, the oracle reading the format through its
//! own translation (`to_json_schema`, then the `jsonschema` crate). Any
//! format the runtime checks but the oracle does not list in
//! `FORMAT_RULES` fails the test, so the oracle says what it checks.

use conformance::oracle::{FORMAT_RULES, to_json_schema};
use openapi_runtime::validate::{IntegerFormat, StringFormat, format};
use serde_json::{Value, json};

/// Values for one format: some valid, most almost so.
fn samples(f: StringFormat) -> &'static [&'static str] {
    match f {
        StringFormat::DateTime => &[
            "2024-08-01T12:00:00Z",
            "2024-08-01t12:00:00.5+05:30",
            "2016-12-31T23:59:60Z",
            "2016-12-31T22:59:60Z",
            "2024-08-01T12:00:00",
            "2024-02-30T00:00:00Z",
        ],
        StringFormat::Date => &["2024-02-29", "2023-02-29", "2024-1-01", "2024-01-01x"],
        StringFormat::Uuid => &[
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5bd9cb469fa16570867728950e",
        ],
        StringFormat::Base64Url => &["aGVsbG8_-w==", "", "a===", "a+b/"],
        StringFormat::Duration => &["P1D", "PT1H30M", "P", "PT", "P1H", "-P1W"],
        StringFormat::Time => &[
            "12:00:00Z",
            "00:00:00z",
            "08:30:00.123+02:00",
            "23:59:60Z",
            "23:59:60+01:00",
            "22:59:60-01:00",
            "12:00:00",
            "12:00Z",
            "24:00:00Z",
            "12:60:00Z",
            "12:00:00.Z",
            "12:00:00+24:00",
            "12:00:00+0100",
            "１2:00:00Z",
        ],
        StringFormat::Ipv4 => &[
            "192.0.2.1",
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            " 1.2.3.4",
            "1.2.3.4/24",
        ],
        StringFormat::Ipv6 => &[
            "::",
            "::1",
            "2001:db8::1",
            "2001:DB8:0:0:8:800:200C:417A",
            "::ffff:192.0.2.1",
            "2001:db8::1::2",
            "2001:db8:::1",
            "fe80::1%eth0",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "[::1]",
        ],
        StringFormat::Ip => &["10.0.0.1", "::1", "example.com", "1.2.3", ":::"],
        StringFormat::Email => &[
            "user@example.com",
            "first.last+tag@sub.example.org",
            "o'brien@example.ie",
            "\"quoted local\"@example.com",
            "\"a\\\"b\"@example.com",
            "x@[192.0.2.1]",
            "x@[IPv6:2001:db8::1]",
            "x@[ipv6:::1]",
            "x@localhost",
            "",
            "user",
            "@example.com",
            "user@",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "us er@example.com",
            "user@exa_mple.com",
            "user@example.com.",
            "user@-example.com",
            "user@[300.0.0.1]",
            "user@[IPv6:2001:db8::1::2]",
            "ü@example.com",
            "user@exämple.com",
            "a@b@example.com",
        ],
        StringFormat::Hostname => &[
            "example.com",
            "localhost",
            "1a.example",
            "xn--nxasmq6b.example",
            "a-b.example",
            "",
            "example.com.",
            "-a.example",
            "a-.example",
            "a_b.example",
            "ex ample.com",
            "exämple.com",
            "..",
        ],
        StringFormat::Uri => &[
            "https://example.com/a/b?c=d#e",
            "urn:isbn:0451450523",
            "mailto:user@example.com",
            "http://user:pw@[2001:db8::1]:8080/",
            "file:///etc/hosts",
            "http://example.com/%20",
            "http://example.com:/",
            "a:",
            "x+y.z-w:path",
            "http://[v1.fe]/",
            "",
            "/relative/path",
            "example.com",
            "1http://x",
            "http://exa mple.com",
            "http://example.com/%2",
            "http://example.com/%zz",
            "http://[::1/",
            "http://x:port/",
            "https://example.com/ü",
            "http://example.com/a b",
            "http://example.com/#a#b",
            "http://[1.2.3.4]/",
            "http://ex{ample.com/",
        ],
        StringFormat::Mac => &[
            "00:1a:2B:3c:4d:5e",
            "00-1a-2b-3c-4d-5e",
            "00:1a-2b:3c:4d:5e",
            "001a2b3c4d5e",
            "00:1a:2b:3c:4d:5g",
            "00:1a:2b:3c:4d",
        ],
        StringFormat::Byte => &[
            "", "aGVsbG8=", "aGk+/w==", "QUJD", "aGVsbG8", "aGk-_w==", "a===", "aG=k", "====",
        ],
    }
}

fn oracle(schema: &Value, value: &Value) -> bool {
    let doc = to_json_schema(&json!({}), schema);
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&doc)
        .unwrap()
        .is_valid(value)
}

fn listed(name: &str) -> bool {
    FORMAT_RULES.iter().any(|(format, _)| *format == name)
}

#[test]
fn string_formats_agree_with_the_oracle() {
    let mut disagreements = Vec::new();
    for f in StringFormat::ALL {
        assert!(listed(f.name()), "the oracle does not list `{}`", f.name());
        let schema = json!({"type": "string", "format": f.name()});
        let mut valid = 0;
        for sample in samples(*f) {
            let ours = format::check(*f, sample);
            let theirs = oracle(&schema, &json!(sample));
            valid += usize::from(ours);
            if ours != theirs {
                disagreements.push(format!(
                    "{} {sample:?}: runtime {ours}, oracle {theirs}",
                    f.name()
                ));
            }
        }
        assert!(valid > 0, "no valid sample for `{}`", f.name());
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn integer_formats_agree_with_the_oracle() {
    for f in IntegerFormat::ALL {
        assert!(listed(f.name()), "the oracle does not list `{}`", f.name());
        let schema = json!({"type": "integer", "format": f.name()});
        let (lo, hi) = f.range();
        for (value, inside) in [(lo, true), (hi, true), (lo - 1, false), (hi + 1, false)] {
            // serde_json holds integers within i64 and u64 exactly; past
            // them they become floats, rounded: not a boundary test.
            let value: Value = serde_json::from_str(&value.to_string()).unwrap();
            if !(value.is_i64() || value.is_u64()) {
                continue;
            }
            assert_eq!(oracle(&schema, &value), inside, "{} {value}", f.name());
        }
    }
}

#[test]
fn float_agrees_with_the_oracle() {
    use openapi_runtime::validate::{NumberRules, Pointer, walk};
    assert!(listed("float"));
    let schema = json!({"type": "number", "format": "float"});
    let rules = NumberRules {
        float: true,
        ..NumberRules::NONE
    };
    for text in [
        "0",
        "1.5",
        "-3.4028234663852886e38",
        "3.4028234663852886e38",
        "3.402823466385289e38",
        "3.5e38",
        "-1e39",
        "1e308",
        "18446744073709551615",
    ] {
        let value: Value = serde_json::from_str(text).unwrap();
        let mut out = Vec::new();
        walk::check_number(
            &rules,
            value.as_number().unwrap(),
            &Pointer::at("/x"),
            &mut out,
        );
        assert_eq!(out.is_empty(), oracle(&schema, &value), "{text}");
    }
}
