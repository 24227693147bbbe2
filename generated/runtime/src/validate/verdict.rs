//! Valid or not, without the report: the entry points behind the generated
//! `validate::verdict::<operation>` functions.
//!
//! [`super::body::check`] returns every violation with its location and
//! message, which is what a person or a `400` answer needs. A caller that
//! only asks "may this be sent / served?" pays for none of that here: no
//! location is written and no message is formatted, even for an invalid
//! body.
//!
//! The generator writes, for a body whose schema is a plain object (see
//! [`object`]), a reader for that object's members: a `match` on the key's
//! bytes, and for each declared property either a specialised read
//! ([`Cursor::plain_string`], [`Cursor::plain_strings`]) or the shared
//! one-pass reader ([`Cursor::value`]). That removes the schema
//! interpreter's dispatch and key lookup from the body's top level, which
//! is most of the cost of a small body.
//!
//! The answer is always the one [`super::body::check`] gives (valid exactly
//! when it reports nothing). Wherever reading in one pass could differ from
//! judging the value `serde_json` would build, the reader gives up and that
//! check decides instead: malformed or unusual JSON, a key written with
//! escapes, and duplicate keys (a parsed object keeps the last, so a
//! violation in an earlier duplicate may not count). That is also why a
//! violation does not end the read: a duplicate of the key further on
//! could still replace the value that broke the rules.

use super::stream::{Reader, Stop};
use super::{Additional, Kind, ObjectRules, Pointer, Schema, body, resolve, scan};
use crate::Violation;

/// Reading stopped before a verdict: [`super::body::check`] decides.
#[derive(Debug)]
pub struct GiveUp(());

impl From<Stop> for GiveUp {
    fn from(_: Stop) -> Self {
        GiveUp(())
    }
}

/// What one step of a generated reader returns.
pub type Step<T = ()> = Result<T, GiveUp>;

/// The position in the body, and whether anything read so far broke the
/// schema. Generated member readers advance it.
pub struct Cursor<'a> {
    reader: Reader<'a>,
    invalid: bool,
}

/// Whether the JSON text `bytes` is valid against `schema`, by the shared
/// one-pass reader (no generated member reader).
pub fn valid(schema: &'static Schema, bytes: &[u8]) -> bool {
    let mut cursor = Cursor::new(bytes);
    cursor.finish(schema, |c| c.value(schema))
}

/// Whether the JSON text `bytes` is valid against `schema`, whose object
/// members `member` reads.
///
/// `member` gets each key (its raw bytes, which hold no escapes), with the
/// cursor just past the `:`. For a declared property it reads the value
/// and returns the property's bit (`1 << i` for the `i`th of
/// `rules.properties`); for any other key it reads nothing and returns 0.
/// `required` has the bits of the required properties.
///
/// `schema` must resolve to an object with at most 64 declared
/// properties, no `minProperties`/`maxProperties` and no required key it
/// does not declare, so that every key can be judged on its own; any other
/// schema is read by [`valid`]'s way.
pub fn object<F>(schema: &'static Schema, bytes: &[u8], required: u64, mut member: F) -> bool
where
    F: FnMut(&mut Cursor<'_>, &'static ObjectRules, &[u8]) -> Step<u64>,
{
    let mut cursor = Cursor::new(bytes);
    cursor.finish(schema, |c| {
        let (target, nullable) = resolve(schema);
        let rules = match &target.kind {
            Kind::Object(rules) if members_stand_alone(rules) => rules,
            _ => return c.value(schema),
        };
        c.reader.skip_ws();
        match c.reader.peek()? {
            b'{' => {}
            b'n' if nullable => return Ok(c.reader.literal(b"null")?),
            // Not an object: the shared reader reports the wrong type.
            _ => return c.value(schema),
        }
        c.reader.enter()?;
        c.reader.pos += 1;
        let mut seen = 0u64;
        // Undeclared keys whose values are judged (allocated on the first).
        let mut others: Vec<&[u8]> = Vec::new();
        c.reader.skip_ws();
        if c.reader.peek()? == b'}' {
            c.reader.pos += 1;
        } else {
            loop {
                c.reader.skip_ws();
                if c.reader.peek()? != b'"' {
                    return Err(Stop.into());
                }
                let (start, end) = c.key()?;
                let bit = member(c, rules, &bytes[start..end])?;
                if bit == 0 {
                    match &rules.additional {
                        Additional::Any => c.reader.skip_value()?,
                        Additional::Forbidden => c.wrong_type()?,
                        Additional::Schema(schema) => {
                            // A later duplicate would replace this value:
                            // give up on one (or on many keys, where the
                            // fallback's hashing is the better way).
                            let key = &bytes[start..end];
                            if others.len() >= MAX_OTHERS || others.contains(&key) {
                                return Err(Stop.into());
                            }
                            others.push(key);
                            c.value(schema)?;
                        }
                    }
                } else if seen & bit != 0 {
                    return Err(Stop.into());
                } else {
                    seen |= bit;
                }
                c.reader.skip_ws();
                match c.reader.peek()? {
                    b',' => c.reader.pos += 1,
                    b'}' => {
                        c.reader.pos += 1;
                        break;
                    }
                    _ => return Err(Stop.into()),
                }
            }
        }
        c.reader.depth -= 1;
        if seen & required != required {
            c.invalid = true;
        }
        Ok(())
    })
}

/// Whether each member of an object under `rules` can be judged as it is
/// read, which [`object`] relies on.
fn members_stand_alone(rules: &ObjectRules) -> bool {
    rules.properties.len() <= 64
        && rules.required_undeclared.is_empty()
        && rules.min_properties.is_none()
        && rules.max_properties.is_none()
}

/// Undeclared keys [`object`] tracks for duplicates before it gives up.
const MAX_OTHERS: usize = 32;

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor {
            reader: Reader {
                bytes,
                pos: 0,
                depth: 0,
            },
            invalid: false,
        }
    }

    /// Runs `read` over the whole text; the verdict, or the full check's
    /// when reading gave up.
    fn finish(&mut self, schema: &'static Schema, read: impl FnOnce(&mut Self) -> Step) -> bool {
        let bytes = self.reader.bytes;
        let read = read(self).and_then(|()| {
            self.reader.skip_ws();
            if self.reader.pos == bytes.len() {
                Ok(())
            } else {
                Err(Stop.into())
            }
        });
        match read {
            Ok(()) => !self.invalid,
            Err(GiveUp(())) => body::check(schema, bytes, "/body").is_empty(),
        }
    }

    /// Reads an object's key (at its opening quote) and the `:` after it;
    /// returns where its content starts and ends. A key with escapes gives
    /// up: its bytes are not its name.
    #[inline(always)]
    fn key(&mut self) -> Step<(usize, usize)> {
        let r = &mut self.reader;
        let start = r.pos + 1;
        let end = match scan::short_plain_end(r.bytes, start) {
            Some(end) => {
                r.pos = end + 1;
                end
            }
            None => match r.scan_string()? {
                (_, end, false) => end,
                (_, _, true) => return Err(Stop.into()),
            },
        };
        r.skip_ws();
        r.expect(b':')?;
        Ok((start, end))
    }

    /// Reads one value with the shared one-pass reader.
    pub fn value(&mut self, schema: &'static Schema) -> Step {
        // The reader writes violations with locations; the verdict needs
        // only whether there were any, and valid values allocate nothing.
        let mut out: Vec<Violation> = Vec::new();
        self.reader.value(schema, &mut Pointer::at(""), &mut out)?;
        self.invalid |= !out.is_empty();
        Ok(())
    }

    /// Reads one value that must be a string (any string), or `null` when
    /// `nullable`.
    #[inline]
    pub fn plain_string(&mut self, nullable: bool) -> Step {
        self.reader.skip_ws();
        match self.reader.peek()? {
            b'"' => self.reader.skip_string()?,
            b'n' if nullable => self.reader.literal(b"null")?,
            _ => self.wrong_type()?,
        }
        Ok(())
    }

    /// Reads one value that must be an array of strings (any strings) with
    /// a count within the bounds, or `null` when `nullable`.
    #[inline(always)]
    pub fn plain_strings(
        &mut self,
        nullable: bool,
        min_items: Option<usize>,
        max_items: Option<usize>,
    ) -> Step {
        let r = &mut self.reader;
        r.skip_ws();
        match r.peek()? {
            b'[' => {}
            b'n' if nullable => return Ok(r.literal(b"null")?),
            _ => return self.wrong_type(),
        }
        r.enter()?;
        r.pos += 1;
        r.skip_ws();
        let mut count = 0;
        if r.peek()? == b']' {
            r.pos += 1;
        } else {
            loop {
                // The run is worth starting only at a string.
                r.skip_ws();
                if r.peek()? == b'"' {
                    let run = scan::plain_strings(r.bytes, r.pos);
                    r.pos = run.pos;
                    count += run.items;
                    if run.end == scan::RunEnd::AfterItem {
                        r.expect(b']')?;
                        break;
                    }
                }
                // An item the run could not take: a string with escapes
                // or non-ASCII bytes, or not a string.
                if r.peek()? == b'"' {
                    r.skip_string()?;
                } else {
                    self.invalid = true;
                    r.skip_invalid()?;
                }
                count += 1;
                r.skip_ws();
                match r.peek()? {
                    b',' => r.pos += 1,
                    b']' => {
                        r.pos += 1;
                        break;
                    }
                    _ => return Err(Stop.into()),
                }
            }
        }
        r.depth -= 1;
        if min_items.is_some_and(|min| count < min) || max_items.is_some_and(|max| count > max) {
            self.invalid = true;
        }
        Ok(())
    }

    /// A value that may not be there (of the wrong type, or under a key
    /// that is not allowed): invalid, and read past.
    fn wrong_type(&mut self) -> Step {
        self.invalid = true;
        Ok(self.reader.skip_invalid()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::body::tests::{BODY, PLAIN, awkward_bodies};
    use crate::validate::{ArrayRules, NumberRules, Property, StringRules};

    /// What a generated member reader for [`BODY`] looks like.
    fn ids_body(bytes: &[u8]) -> bool {
        object(&BODY, bytes, 1, |c, _rules, key| {
            Ok(match key {
                b"ids" => {
                    c.plain_strings(false, Some(1), None)?;
                    1
                }
                _ => 0,
            })
        })
    }

    #[test]
    fn verdicts_are_the_reports_on_awkward_bodies() {
        let cases = awkward_bodies();
        let mut valid_seen = 0;
        for case in &cases {
            let expected = body::check(&BODY, case, "/body").is_empty();
            valid_seen += usize::from(expected);
            let text = String::from_utf8_lossy(case);
            assert_eq!(valid(&BODY, case), expected, "shared reader on {text}");
            assert_eq!(ids_body(case), expected, "member reader on {text}");
        }
        // Both verdicts occur, so agreeing is not trivial.
        assert!(valid_seen >= 3 && valid_seen + 3 <= cases.len());
    }

    static TEXT: Schema = Schema {
        kind: Kind::String(StringRules::NONE),
        nullable: true,
    };
    static FEW: Schema = Schema {
        kind: Kind::Array(ArrayRules {
            items: &PLAIN,
            min_items: None,
            max_items: Some(2),
            unique_items: false,
        }),
        nullable: true,
    };
    static COUNT: Schema = Schema {
        kind: Kind::Integer(NumberRules {
            minimum: Some(0.0),
            ..NumberRules::NONE
        }),
        nullable: false,
    };
    /// `{"a": string or null, "ids": up to two strings or null,
    /// "n": integer >= 0}`, `a` and `n` required, other keys allowed.
    static MIXED: Schema = Schema {
        kind: Kind::Object(ObjectRules {
            properties: &[
                Property {
                    name: "a",
                    required: true,
                    schema: &TEXT,
                },
                Property {
                    name: "ids",
                    required: false,
                    schema: &FEW,
                },
                Property {
                    name: "n",
                    required: true,
                    schema: &COUNT,
                },
            ],
            ..ObjectRules::OPEN
        }),
        nullable: false,
    };

    /// A member reader using each kind of read, as the generator writes
    /// them for [`MIXED`].
    fn mixed(bytes: &[u8]) -> bool {
        object(&MIXED, bytes, 0b101, |c, rules, key| {
            Ok(match key {
                b"a" => {
                    c.plain_string(true)?;
                    1
                }
                b"ids" => {
                    c.plain_strings(true, None, Some(2))?;
                    2
                }
                b"n" => {
                    c.value(rules.properties[2].schema)?;
                    4
                }
                _ => 0,
            })
        })
    }

    #[test]
    fn each_kind_of_member_read_gives_the_reports_verdict() {
        let cases: &[(&str, bool)] = &[
            (r#"{"a":"x","n":0}"#, true),
            (r#" { "n" : 3 , "a" : null , "ids" : null } "#, true),
            (
                r#"{"a":"x","n":0,"ids":["p","q"],"other":[1,{"b":null}]}"#,
                true,
            ),
            (r#"{"a":"x","n":0,"ids":["p","q","r"]}"#, false),
            (r#"{"a":"x","n":0,"ids":["p",2]}"#, false),
            (r#"{"a":"x","n":0,"ids":[null]}"#, false),
            (r#"{"a":"x","n":0,"ids":"p"}"#, false),
            (r#"{"a":7,"n":0}"#, false),
            (r#"{"a":"x","n":-1}"#, false),
            (r#"{"a":"x","n":1.5}"#, false),
            (r#"{"a":"x"}"#, false),
            (r#"{"n":0}"#, false),
            (r#"{}"#, false),
            (r#"null"#, false),
            (r#"["a"]"#, false),
            // A later duplicate replaces a value that broke the rules, as
            // in the object `serde_json` builds: valid.
            (r#"{"a":7,"n":0,"a":"x"}"#, true),
            (r#"{"a":"x","n":0,"n":-2}"#, false),
            // Keys written with escapes, declared or not.
            (r#"{"\u0061":"x","n":0}"#, true),
            (r#"{"a":"x","n":0,"\u0062":1}"#, true),
            // Allowed keys must still hold JSON that `serde_json` reads.
            (r#"{"a":"x","n":0,"big":1e400}"#, false),
            (r#"{"a":"x","n":0,"big":1e300}"#, true),
            (r#"{"a":"x","n":0,"ids":["\u00e9","caf\u00e9"]}"#, true),
            ("{\"a\":\"caf\u{e9}\",\"n\":0}", true),
            (
                "{\"a\":\"x\",\"n\":0,\"ids\":[\"\u{e9}\",\"\u{1F600}\"]}",
                true,
            ),
            (r#"{"a":"x","n":0} x"#, false),
            (r#"{"a":"x","n":0"#, false),
            (r#"{"a":"x" "n":0}"#, false),
            (r#"{"a":"x","n":0,}"#, false),
        ];
        for (text, expected) in cases {
            let bytes = text.as_bytes();
            assert_eq!(
                body::check(&MIXED, bytes, "/body").is_empty(),
                *expected,
                "the report on {text}"
            );
            assert_eq!(mixed(bytes), *expected, "member reader on {text}");
            assert_eq!(valid(&MIXED, bytes), *expected, "shared reader on {text}");
        }
    }

    #[test]
    fn undeclared_keys_under_a_schema_are_judged_and_their_duplicates_counted_last() {
        // `{"a": string or null}`, required, and every other key an
        // integer >= 0: the shape of Microsoft's action bodies, whose
        // undeclared keys must be objects.
        static COUNTS: Schema = Schema {
            kind: Kind::Object(ObjectRules {
                properties: &[Property {
                    name: "a",
                    required: true,
                    schema: &TEXT,
                }],
                additional: Additional::Schema(&COUNT),
                ..ObjectRules::OPEN
            }),
            nullable: false,
        };
        let counts = |bytes: &[u8]| {
            object(&COUNTS, bytes, 1, |c, _rules, key| {
                Ok(match key {
                    b"a" => {
                        c.plain_string(true)?;
                        1
                    }
                    _ => 0,
                })
            })
        };
        let many_keys = format!(
            "{{\"a\":null,{}}}",
            (0..40)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let cases: &[(&str, bool)] = &[
            (r#"{"a":"x","y":1,"z":0}"#, true),
            (r#"{"a":"x","y":-1}"#, false),
            (r#"{"a":"x","y":"1"}"#, false),
            // The last of a key given twice is the one that counts.
            (r#"{"a":"x","y":-1,"y":1}"#, true),
            (r#"{"a":"x","y":1,"y":-1}"#, false),
            (&many_keys, true),
        ];
        for (text, expected) in cases {
            let bytes = text.as_bytes();
            assert_eq!(
                body::check(&COUNTS, bytes, "/body").is_empty(),
                *expected,
                "the report on {text}"
            );
            assert_eq!(counts(bytes), *expected, "member reader on {text}");
        }
    }

    #[test]
    fn a_schema_that_is_not_a_plain_object_is_read_the_shared_way() {
        // A body that is not an object goes to the shared reader, which
        // judges its type.
        for (text, expected) in [(r#"["a"]"#, false), ("{\"ids\":[\"a\"]}", true)] {
            assert_eq!(ids_body(text.as_bytes()), expected, "{text}");
        }
        // Required keys it does not declare: the members cannot be
        // judged one by one, so `object` hands the body to `valid`.
        static UNDECLARED: Schema = Schema {
            kind: Kind::Object(ObjectRules {
                required_undeclared: &["x"],
                ..ObjectRules::OPEN
            }),
            nullable: false,
        };
        let any = |bytes: &[u8]| object(&UNDECLARED, bytes, 0, |_, _, _| Ok(0));
        assert!(any(br#"{"x":1}"#));
        assert!(!any(br#"{"y":1}"#));
    }
}
