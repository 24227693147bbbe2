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
//! [`Members`]), a reader for that object's members: a `match` on the
//! key's bytes, and for each declared property either a specialised read
//! ([`Cursor::plain_string`], [`Cursor::plain_strings`]) or the shared
//! one-pass reader ([`Cursor::value`]). That removes the schema
//! interpreter's dispatch and key lookup from the body's top level, which
//! is most of the cost of a small body. The object's schema is checked
//! once, when the `static` [`Members`] is built at compile time, not on
//! every read.
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
use super::{Additional, Kind, ObjectRules, Pointer, Property, Schema, body, resolve, scan};
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
    cursor.finish(schema, |c| c.read_value(schema))
}

/// An object body whose members a generated reader judges one at a
/// time, checked once when built (so reading checks nothing again).
///
/// Its schema resolves to an object with at most 64 declared properties,
/// no `minProperties`/`maxProperties` and no required key it does not
/// declare, so that every key can be judged on its own. The generator
/// writes one per operation as a `static`, where [`Members::of`] runs at
/// compile time.
#[derive(Debug, Clone, Copy)]
pub struct Members {
    schema: &'static Schema,
    rules: &'static ObjectRules,
    nullable: bool,
    /// The bits of the required properties.
    required: u64,
}

/// The declared properties a member reader gets, in the order their bits
/// follow.
pub type Properties = &'static [Property];

/// What a member reader returns for a key the object does not declare:
/// no property's bit.
pub const UNDECLARED: Step<u64> = Ok(0);

impl Members {
    /// The members of the object `schema` stands for, or `None` when its
    /// members cannot be judged one at a time (not an object, more than
    /// 64 declared properties, `minProperties`/`maxProperties`, or a
    /// required key it does not declare): read such a body with [`valid`].
    pub const fn new(schema: &'static Schema) -> Option<Members> {
        let (target, nullable) = resolve(schema);
        match &target.kind {
            Kind::Object(rules)
                if rules.properties.len() <= 64
                    && rules.required_undeclared.is_empty()
                    && rules.min_properties.is_none()
                    && rules.max_properties.is_none() =>
            {
                let mut required = 0;
                let mut i = 0;
                while i < rules.properties.len() {
                    if rules.properties[i].required {
                        required |= 1 << i;
                    }
                    i += 1;
                }
                Some(Members {
                    schema,
                    rules,
                    nullable,
                    required,
                })
            }
            _ => None,
        }
    }

    /// [`Members::new`] for a schema known to qualify.
    ///
    /// # Panics
    ///
    /// When [`Members::new`] is `None`. In a `static`, as the generator
    /// writes it, that is a compile error, never a run-time panic.
    pub const fn of(schema: &'static Schema) -> Members {
        match Members::new(schema) {
            Some(members) => members,
            None => panic!("the schema is not an object whose members stand alone"),
        }
    }

    /// Whether the JSON text `bytes` is valid, with `member` reading the
    /// object's members.
    ///
    /// `member` gets each key (its raw bytes, which hold no escapes), with
    /// the cursor just past the `:`, and the declared properties. For a
    /// declared property it reads the value and returns the property's
    /// bit (`1 << i` for the `i`th), as each of [`Cursor`]'s reads does;
    /// for any other key it reads nothing and returns [`UNDECLARED`].
    pub fn read<F>(&self, bytes: &[u8], mut member: F) -> bool
    where
        F: FnMut(&mut Cursor<'_>, Properties, &[u8]) -> Step<u64>,
    {
        let Members {
            schema,
            rules,
            nullable,
            required,
        } = *self;
        let mut cursor = Cursor::new(bytes);
        cursor.finish(schema, |c| {
            match c.reader.peek_past_ws()? {
                b'{' => {}
                b'n' if nullable => return Ok(c.reader.literal(b"null")?),
                // Not an object: the shared reader reports the wrong type.
                _ => return c.read_value(schema),
            }
            // The body's top-level value: no depth to check yet.
            c.reader.depth = 1;
            c.reader.pos += 1;
            let mut seen = 0u64;
            // Undeclared keys whose values are judged (allocated on the first).
            let mut others: Vec<&[u8]> = Vec::new();
            if c.reader.peek_past_ws()? == b'}' {
                c.reader.pos += 1;
            } else {
                // At each turn `pos` is at a key, past any whitespace.
                loop {
                    if c.reader.peek()? != b'"' {
                        return Err(Stop.into());
                    }
                    let (start, end) = c.key()?;
                    let bit = member(c, rules.properties, &bytes[start..end])?;
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
                                c.read_value(schema)?;
                            }
                        }
                    } else if seen & bit != 0 {
                        return Err(Stop.into());
                    } else {
                        seen |= bit;
                    }
                    match c.reader.peek_past_ws()? {
                        b',' => {
                            c.reader.pos += 1;
                            c.reader.skip_ws();
                        }
                        b'}' => {
                            c.reader.pos += 1;
                            break;
                        }
                        _ => return Err(Stop.into()),
                    }
                }
            }
            if seen & required != required {
                c.invalid = true;
            }
            Ok(())
        })
    }
}

impl Members {
    /// Whether the JSON text `bytes` is valid, each declared member read
    /// the cheapest way its schema allows ([`Cursor::property`]): what a
    /// route's [`crate::Body::verdict`] runs, with no code per operation.
    pub fn judge(&self, bytes: &[u8]) -> bool {
        let rules = self.rules;
        self.read(bytes, |c, _, key| match rules.property_bytes(key) {
            Some((index, property)) => c.property(1 << index, property),
            None => UNDECLARED,
        })
    }
}

/// Undeclared keys [`Members::read`] tracks for duplicates before it gives up.
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
        if r.peek_past_ws()? != b':' {
            return Err(Stop.into());
        }
        r.pos += 1;
        Ok((start, end))
    }

    /// Reads the value of the property whose bit is `bit` with the shared
    /// one-pass reader; returns `bit`.
    #[inline]
    pub fn value(&mut self, bit: u64, schema: &'static Schema) -> Step<u64> {
        self.read_value(schema)?;
        Ok(bit)
    }

    /// Reads one value with the shared one-pass reader.
    fn read_value(&mut self, schema: &'static Schema) -> Step {
        // The reader writes violations with locations; the verdict needs
        // only whether there were any, and valid values allocate nothing.
        let mut out: Vec<Violation> = Vec::new();
        self.reader.value(schema, &mut Pointer::at(""), &mut out)?;
        self.invalid |= !out.is_empty();
        Ok(())
    }

    /// Reads the value of declared property `property`, whose bit is
    /// `bit`: an unconstrained string or an array of them through the
    /// specialised reads, anything else through the shared reader.
    #[inline]
    pub fn property(&mut self, bit: u64, property: &'static Property) -> Step<u64> {
        let (target, nullable) = resolve(property.schema);
        match &target.kind {
            Kind::String(rules) if rules.is_unconstrained() => self.plain_string(bit, nullable),
            Kind::Array(array) if !array.unique_items => match resolve(array.items) {
                (item, false) if matches!(&item.kind, Kind::String(r) if r.is_unconstrained()) => {
                    let min = array.min_items.unwrap_or(0);
                    let max = array.max_items.unwrap_or(usize::MAX);
                    self.plain_strings(bit, nullable, min, max)
                }
                _ => self.value(bit, property.schema),
            },
            _ => self.value(bit, property.schema),
        }
    }

    /// Reads the value of the property whose bit is `bit`, which must be
    /// a string (any string), or `null` when `nullable`; returns `bit`.
    #[inline]
    pub fn plain_string(&mut self, bit: u64, nullable: bool) -> Step<u64> {
        match self.reader.peek_past_ws()? {
            b'"' => self.reader.skip_string()?,
            b'n' if nullable => self.reader.literal(b"null")?,
            _ => self.wrong_type()?,
        }
        Ok(bit)
    }

    /// Reads the value of the property whose bit is `bit`, which must be
    /// an array of strings (any strings) with `min_items..=max_items`
    /// items, or `null` when `nullable`; returns `bit`.
    #[inline(always)]
    pub fn plain_strings(
        &mut self,
        bit: u64,
        nullable: bool,
        min_items: usize,
        max_items: usize,
    ) -> Step<u64> {
        let r = &mut self.reader;
        match r.peek_past_ws()? {
            b'[' => {}
            b'n' if nullable => {
                r.literal(b"null")?;
                return Ok(bit);
            }
            _ => {
                self.wrong_type()?;
                return Ok(bit);
            }
        }
        r.enter()?;
        r.pos += 1;
        let mut count = 0;
        if r.peek_past_ws()? == b']' {
            r.pos += 1;
        } else {
            // At each turn `pos` is at an item, past any whitespace.
            loop {
                // The run is worth starting only at a string.
                if r.peek()? == b'"' {
                    let run = if r.bytes.len() - r.pos <= scan::SHORT_REST {
                        scan::short_plain_strings(r.bytes, r.pos)
                    } else {
                        scan::plain_strings(r.bytes, r.pos)
                    };
                    r.pos = run.pos;
                    count += run.items;
                    if run.end == scan::RunEnd::AfterItem {
                        r.expect(b']')?;
                        break;
                    }
                }
                // An item the run could not take: a string with escapes
                // or non-ASCII bytes, or not a string.
                match r.peek()? {
                    b'"' => r.skip_string()?,
                    b'-' | b'0'..=b'9' => {
                        self.invalid = true;
                        r.pos = scan::number_run_end(r.bytes, r.pos);
                    }
                    _ => {
                        self.invalid = true;
                        r.skip_invalid()?;
                    }
                }
                count += 1;
                match r.peek_past_ws()? {
                    b',' => {
                        r.pos += 1;
                        r.skip_ws();
                    }
                    b']' => {
                        r.pos += 1;
                        break;
                    }
                    _ => return Err(Stop.into()),
                }
            }
        }
        r.depth -= 1;
        if count < min_items || count > max_items {
            self.invalid = true;
        }
        Ok(bit)
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
    use crate::validate::{ArrayRules, NumberRules, StringRules};

    /// What a generated member reader for [`BODY`] looks like.
    fn ids_body(bytes: &[u8]) -> bool {
        static MEMBERS: Members = Members::of(&BODY);
        MEMBERS.read(bytes, |c, _, key| match key {
            b"ids" => c.plain_strings(1, false, 1, usize::MAX),
            _ => UNDECLARED,
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
        static MEMBERS: Members = Members::of(&MIXED);
        MEMBERS.read(bytes, |c, properties, key| match key {
            b"a" => c.plain_string(1, true),
            b"ids" => c.plain_strings(2, true, 0, 2),
            b"n" => c.value(4, properties[2].schema),
            _ => UNDECLARED,
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
            // A value of the wrong type is read past by its grammar
            // alone; a number that breaks it is still not JSON, even
            // when a duplicate key further on would replace it.
            (r#"{"a":01,"n":0}"#, false),
            (r#"{"a":1.e5,"n":0,"a":"x"}"#, false),
            (r#"{"a":-,"n":0,"a":"x"}"#, false),
            (r#"{"a":1e5,"n":0,"a":"x"}"#, true),
            (r#"{"a":"x","n":0,"ids":[0.5e-3,"p"],"ids":["q"]}"#, true),
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
        static MEMBERS: Members = Members::of(&COUNTS);
        let counts = |bytes: &[u8]| {
            MEMBERS.read(bytes, |c, _, key| match key {
                b"a" => c.plain_string(1, true),
                _ => UNDECLARED,
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
    fn only_objects_whose_members_stand_alone_get_a_member_reader() {
        // A body that is not an object is judged by the shared reader,
        // which reports its type.
        for (text, expected) in [(r#"["a"]"#, false), ("{\"ids\":[\"a\"]}", true)] {
            assert_eq!(ids_body(text.as_bytes()), expected, "{text}");
        }
        // Schemas whose members cannot be judged one at a time have no
        // `Members`: the generator reads them with `valid`.
        static REQUIRES_UNDECLARED: Schema = Schema {
            kind: Kind::Object(ObjectRules {
                required_undeclared: &["x"],
                ..ObjectRules::OPEN
            }),
            nullable: false,
        };
        static AT_LEAST_ONE: Schema = Schema {
            kind: Kind::Object(ObjectRules {
                min_properties: Some(1),
                ..ObjectRules::OPEN
            }),
            nullable: false,
        };
        for schema in [&REQUIRES_UNDECLARED, &AT_LEAST_ONE, &PLAIN] {
            assert!(Members::new(schema).is_none());
        }
        assert!(valid(&REQUIRES_UNDECLARED, br#"{"x":1}"#));
        assert!(!valid(&REQUIRES_UNDECLARED, br#"{"y":1}"#));
        // A nullable reference to an object accepts `null`, as the full
        // check does.
        static MAYBE: Schema = Schema {
            kind: Kind::Ref(&BODY),
            nullable: true,
        };
        static MAYBE_MEMBERS: Members = Members::of(&MAYBE);
        for text in ["null", r#"{"ids":["a"]}"#, r#"{"ids":[]}"#, "7"] {
            let bytes = text.as_bytes();
            let expected = body::check(&MAYBE, bytes, "/body").is_empty();
            let read = MAYBE_MEMBERS.read(bytes, |c, _, key| match key {
                b"ids" => c.plain_strings(1, false, 1, usize::MAX),
                _ => UNDECLARED,
            });
            assert_eq!(read, expected, "{text}");
        }
    }
}
