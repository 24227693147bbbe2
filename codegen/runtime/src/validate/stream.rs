//! One-pass validation of raw JSON text, without building a tree.
//!
//! The schema drives a small recursive-descent reader over the bytes:
//! strings without escapes are checked in place, numbers are parsed only
//! to the [`serde_json::Number`] a full parse would give, and nothing is
//! allocated for a valid body beyond a little bookkeeping per object. It
//! reports the same violations as [`super::walk`].
//!
//! It is deliberately conservative: whenever judging in one pass could
//! differ from judging the value `serde_json` would build, it stops with
//! [`Outcome::GaveUp`] and the caller falls back to parse-and-walk. That
//! covers malformed or unusual JSON (left to `serde_json` to report),
//! duplicate keys (a parsed object keeps only the last), and subtrees
//! under `allOf`/`oneOf`/`anyOf`/`discriminator` or `uniqueItems` (those
//! subtrees alone are parsed and walked, in place).

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::Number;

use super::pointer::{decimal, insert_token};
use super::scan::{self, RunEnd};
use super::walk::{self, check_item_count, check_number, check_property_count, check_string};
use super::{Additional, Kind, ObjectRules, Pointer, Property, Schema, number, resolve};
use crate::Violation;

/// How a one-pass validation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The text is one JSON value that satisfies the schema.
    Valid,
    /// The text is JSON and breaks the schema; the violations were added.
    Invalid,
    /// Not judged here; parse the text and use [`super::walk`] instead.
    /// Violations added so far must be discarded.
    GaveUp,
}

/// Nesting deeper than this is left to `serde_json` (which refuses beyond
/// 128 levels).
const MAX_DEPTH: usize = 100;

/// Validates the JSON text `bytes` against `schema`, adding violations
/// located under `at` to `out`.
///
/// The bytes need not be checked as UTF-8 beforehand: outside strings the
/// reader accepts only ASCII, and each string holding other bytes is
/// checked on its own (a text is UTF-8 exactly when the pieces between its
/// ASCII quotes are). Bytes that are not UTF-8 make it give up, so the
/// fallback parse reports them.
pub fn validate(
    schema: &'static Schema,
    bytes: &[u8],
    at: &mut Pointer,
    out: &mut Vec<Violation>,
) -> Outcome {
    let before = out.len();
    let mut reader = Reader {
        bytes,
        pos: 0,
        depth: 0,
    };
    let result = reader.value(schema, at, out).and_then(|()| {
        reader.skip_ws();
        if reader.pos == reader.bytes.len() {
            Ok(())
        } else {
            Err(Stop)
        }
    });
    match result {
        Err(Stop) => Outcome::GaveUp,
        Ok(()) if out.len() == before => Outcome::Valid,
        Ok(()) => Outcome::Invalid,
    }
}

/// An object's key, as the reader found it.
enum Key<'a> {
    /// A declared property: its index among the rules' properties.
    Declared(usize, &'static Property),
    /// Any other name.
    Other(Cow<'a, str>),
}

impl Key<'_> {
    fn name(&self) -> &str {
        match self {
            Key::Declared(_, p) => p.name,
            Key::Other(name) => name,
        }
    }
}

/// Stop reading: the fallback takes over.
pub(super) struct Stop;

pub(super) type Step<T = ()> = Result<T, Stop>;

/// The reader's state; [`super::verdict`] drives one too.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) depth: usize,
}

/// Which declared properties one object has shown: a bit each, kept on
/// the stack for objects that declare at most 64 (nearly all), so reading
/// a small object allocates nothing.
enum Declared {
    Small(u64),
    Large(Vec<bool>),
}

impl Declared {
    fn new(properties: usize) -> Self {
        if properties <= 64 {
            Declared::Small(0)
        } else {
            Declared::Large(vec![false; properties])
        }
    }

    /// Marks property `index` as shown; `false` if it was shown before.
    fn mark(&mut self, index: usize) -> bool {
        match self {
            Declared::Small(bits) => {
                let bit = 1u64 << index;
                let fresh = *bits & bit == 0;
                *bits |= bit;
                fresh
            }
            Declared::Large(shown) => !std::mem::replace(&mut shown[index], true),
        }
    }

    fn has(&self, index: usize) -> bool {
        match self {
            Declared::Small(bits) => *bits & (1u64 << index) != 0,
            Declared::Large(shown) => shown[index],
        }
    }
}

/// The keys one object has shown so far, to notice duplicates.
struct SeenKeys<'a> {
    declared: Declared,
    other: Vec<Cow<'a, str>>,
    /// Built once `other` grows long, so large maps stay linear.
    index: Option<HashSet<Cow<'a, str>>>,
}

impl<'a> SeenKeys<'a> {
    /// Records an undeclared key; `false` if it was seen before.
    fn insert_other(&mut self, key: Cow<'a, str>) -> bool {
        if let Some(index) = &mut self.index {
            return index.insert(key);
        }
        if self.other.contains(&key) {
            return false;
        }
        self.other.push(key);
        if self.other.len() > 32 {
            self.index = Some(self.other.drain(..).collect());
        }
        true
    }

    fn has_other(&self, key: &str) -> bool {
        match &self.index {
            Some(index) => index.contains(key),
            None => self.other.iter().any(|k| k == key),
        }
    }
}

impl<'a> Reader<'a> {
    pub(super) fn skip_ws(&mut self) {
        self.pos = scan::skip_ws(self.bytes, self.pos);
    }

    /// Skips whitespace and returns the byte there (without taking it):
    /// [`Self::skip_ws`] then [`Self::peek`], with one bounds check.
    #[inline(always)]
    pub(super) fn peek_past_ws(&mut self) -> Step<u8> {
        loop {
            let b = *self.bytes.get(self.pos).ok_or(Stop)?;
            if b > b' ' || !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(b);
            }
            self.pos += 1;
        }
    }

    pub(super) fn peek(&self) -> Step<u8> {
        self.bytes.get(self.pos).copied().ok_or(Stop)
    }

    pub(super) fn expect(&mut self, byte: u8) -> Step {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(Stop)
        }
    }

    pub(super) fn literal(&mut self, word: &[u8]) -> Step {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Stop)
        }
    }

    pub(super) fn enter(&mut self) -> Step {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Stop)
        } else {
            Ok(())
        }
    }

    /// Reads one value and checks it against `schema`.
    pub(super) fn value(
        &mut self,
        schema: &'static Schema,
        at: &mut Pointer,
        out: &mut Vec<Violation>,
    ) -> Step {
        self.skip_ws();
        let (target, nullable) = resolve(schema);
        let delegate = match &target.kind {
            Kind::AllOf(_)
            | Kind::OneOf(_)
            | Kind::AnyOf(_)
            | Kind::Discriminated(_)
            | Kind::Not(_) => true,
            Kind::Array(rules) => rules.unique_items,
            _ => false,
        };
        if delegate {
            return self.walk_subtree(schema, at, out);
        }
        match self.peek()? {
            b'n' => {
                self.literal(b"null")?;
                if !nullable && !matches!(target.kind, Kind::Any) {
                    out.push(walk::type_violation_named(at, &target.kind, "null"));
                }
            }
            b't' | b'f' => {
                let found = self.peek()? == b't';
                if found {
                    self.literal(b"true")?;
                } else {
                    self.literal(b"false")?;
                }
                match target.kind {
                    Kind::Boolean | Kind::Any => {}
                    Kind::BooleanValue(only) => walk::check_boolean(only, found, at, out),
                    _ => out.push(walk::type_violation_named(at, &target.kind, "boolean")),
                }
            }
            b'"' => {
                let s = self.string()?;
                match &target.kind {
                    Kind::String(rules) => check_string(rules, &s, at, out),
                    Kind::Any => {}
                    other => out.push(walk::type_violation_named(at, other, "string")),
                }
            }
            b'-' | b'0'..=b'9' => {
                if !matches!(target.kind, Kind::Integer(_) | Kind::Number(_) | Kind::Any) {
                    // The value is only wrong in type. A short integer
                    // always parses, so its value need not be worked out;
                    // anything else must still parse as `serde_json` would
                    // (`1e400` is out of its range: not JSON to it).
                    let text = self.number_text()?;
                    if text.len() > 18 || text.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
                        self.number_from(text)?;
                    }
                    out.push(walk::type_violation_named(at, &target.kind, "number"));
                    return Ok(());
                }
                let n = self.number()?;
                match &target.kind {
                    Kind::Integer(rules) if number::is_integer(&n) => {
                        check_number(rules, &n, at, out)
                    }
                    Kind::Integer(_) => out.push(walk::type_violation_named(
                        at,
                        &target.kind,
                        "a number with a fraction or exponent",
                    )),
                    Kind::Number(rules) => check_number(rules, &n, at, out),
                    Kind::Any => {}
                    other => out.push(walk::type_violation_named(at, other, "number")),
                }
            }
            b'[' => match &target.kind {
                Kind::Array(rules) => {
                    self.enter()?;
                    self.pos += 1;
                    let mut count = 0;
                    self.skip_ws();
                    if self.peek()? == b']' {
                        self.pos += 1;
                    } else {
                        // Indices join the location only when an item
                        // has violations: writing one per item would cost
                        // more than checking a plain string.
                        let prefix = at.len();
                        // Arrays of unconstrained strings (device ids)
                        // are the bulk of real bodies: their string items
                        // need only a syntax check, done here without
                        // the per-value dispatch.
                        let plain = plain_string(rules.items);
                        loop {
                            if plain {
                                let run = scan::plain_strings(self.bytes, self.pos);
                                self.pos = run.pos;
                                count += run.items;
                                if run.end == RunEnd::AfterItem {
                                    self.expect(b']')?;
                                    break;
                                }
                            }
                            let before = out.len();
                            self.value(rules.items, at, out)?;
                            if out.len() > before {
                                let mut digits = [0u8; 20];
                                let index = decimal(count, &mut digits);
                                insert_token(&mut out[before..], prefix, index);
                            }
                            count += 1;
                            self.skip_ws();
                            match self.peek()? {
                                b',' => {
                                    self.pos += 1;
                                    self.skip_ws();
                                }
                                b']' => {
                                    self.pos += 1;
                                    break;
                                }
                                _ => return Err(Stop),
                            }
                        }
                    }
                    self.depth -= 1;
                    check_item_count(rules, count, at, out);
                }
                Kind::Any => self.skip_value()?,
                other => {
                    out.push(walk::type_violation_named(at, other, "array"));
                    self.skip_value()?;
                }
            },
            b'{' => match &target.kind {
                Kind::Object(rules) => self.object(rules, at, out)?,
                Kind::Any => self.skip_value()?,
                other => {
                    out.push(walk::type_violation_named(at, other, "object"));
                    self.skip_value()?;
                }
            },
            _ => return Err(Stop),
        }
        Ok(())
    }

    fn object(&mut self, rules: &ObjectRules, at: &mut Pointer, out: &mut Vec<Violation>) -> Step {
        self.enter()?;
        self.pos += 1;
        let mut seen = SeenKeys {
            declared: Declared::new(rules.properties.len()),
            other: Vec::new(),
            index: None,
        };
        let mut count = 0;
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.peek()? != b'"' {
                    return Err(Stop);
                }
                let key = self.key(rules)?;
                self.skip_ws();
                self.expect(b':')?;
                // As for array items: the key joins the location only when
                // its value has violations.
                let prefix = at.len();
                let before = out.len();
                match key {
                    Key::Declared(index, p) => {
                        if !seen.declared.mark(index) {
                            return Err(Stop);
                        }
                        self.value(p.schema, at, out)?;
                    }
                    Key::Other(ref key) => {
                        match &rules.additional {
                            Additional::Any => self.skip_value()?,
                            Additional::Forbidden => {
                                out.push(walk::not_allowed(at, key));
                                self.skip_value()?;
                            }
                            Additional::Schema(s) => self.value(s, at, out)?,
                        }
                        if !seen.insert_other(key.clone()) {
                            return Err(Stop);
                        }
                    }
                }
                if out.len() > before {
                    insert_token(&mut out[before..], prefix, &Pointer::escape_key(key.name()));
                }
                count += 1;
                self.skip_ws();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(Stop),
                }
            }
        }
        self.depth -= 1;
        check_property_count(rules, count, at, out);
        for (index, p) in rules.properties.iter().enumerate() {
            if p.required && !seen.declared.has(index) {
                out.push(walk::missing(at, p.name));
            }
        }
        for name in rules.required_undeclared {
            if !seen.has_other(name) {
                out.push(walk::missing(at, name));
            }
        }
        Ok(())
    }

    /// Hands one value to the tree walk: reads past it, parses just its
    /// text, and walks that.
    fn walk_subtree(
        &mut self,
        schema: &'static Schema,
        at: &mut Pointer,
        out: &mut Vec<Violation>,
    ) -> Step {
        let start = self.pos;
        self.skip_value()?;
        let value: serde_json::Value =
            serde_json::from_slice(&self.bytes[start..self.pos]).map_err(|_| Stop)?;
        walk::validate(schema, &value, at, out);
        Ok(())
    }

    /// Reads past one value, checking its syntax only.
    pub(super) fn skip_value(&mut self) -> Step {
        self.skip::<true>()
    }

    /// Reads past one value that breaks the schema whatever it holds.
    /// Only where it ends matters, so a number is taken as the run of
    /// bytes that may make up one ([`scan::number_run_end`]), neither
    /// worked out nor checked against the grammar: a number `serde_json`
    /// refuses (`1e400`, `01`) makes the body invalid too. The caller has
    /// already marked the body invalid; a duplicate key further on that
    /// could replace this value makes the verdict give up, and the full
    /// check then sees the number. For verdicts only: a report must say
    /// which of the two it is.
    pub(super) fn skip_invalid(&mut self) -> Step {
        self.skip::<false>()
    }

    /// [`Self::skip_value`], working out numbers only when `EXACT`.
    fn skip<const EXACT: bool>(&mut self) -> Step {
        self.skip_ws();
        match self.peek()? {
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'"' => self.skip_string(),
            b'-' | b'0'..=b'9' => {
                if EXACT {
                    let text = self.number_text()?;
                    self.number_from(text)?;
                } else {
                    self.pos = scan::number_run_end(self.bytes, self.pos);
                }
                Ok(())
            }
            b'[' => {
                self.enter()?;
                self.pos += 1;
                self.skip_ws();
                if self.peek()? == b']' {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip::<EXACT>()?;
                        self.skip_ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(Stop),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            b'{' => {
                self.enter()?;
                self.pos += 1;
                self.skip_ws();
                if self.peek()? == b'}' {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        if self.peek()? != b'"' {
                            return Err(Stop);
                        }
                        self.skip_string()?;
                        self.skip_ws();
                        self.expect(b':')?;
                        self.skip::<EXACT>()?;
                        self.skip_ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(Stop),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            _ => Err(Stop),
        }
    }

    /// Scans a string's raw extent; returns where its content starts and
    /// ends and whether it holds escapes. `pos` is left after the closing
    /// quote. Content that is not all ASCII is checked to be UTF-8 here.
    pub(super) fn scan_string(&mut self) -> Step<(usize, usize, bool)> {
        self.pos += 1; // opening quote
        let start = self.pos;
        let mut escaped = false;
        // Until the first non-ASCII byte, those bytes stop the scan too;
        // after it, the content is checked as a whole at the end.
        let mut ascii = true;
        loop {
            let stop =
                self.pos + scan::special_offset(&self.bytes[self.pos..], ascii).ok_or(Stop)?;
            match self.bytes[stop] {
                b'"' => {
                    self.pos = stop + 1;
                    if !ascii {
                        std::str::from_utf8(&self.bytes[start..stop]).map_err(|_| Stop)?;
                    }
                    return Ok((start, stop, escaped));
                }
                0x80.. => {
                    ascii = false;
                    self.pos = stop;
                }
                b'\\' => {
                    // The escape itself is checked when decoding; here it
                    // only must not end the string early.
                    escaped = true;
                    self.pos = stop + 2;
                    if self.pos > self.bytes.len() {
                        return Err(Stop);
                    }
                }
                // Raw control characters are not allowed in JSON strings.
                _ => return Err(Stop),
            }
        }
    }

    pub(super) fn skip_string(&mut self) -> Step {
        let (start, end, escaped) = self.scan_string()?;
        if escaped {
            decode_escapes(self.str_between(start, end)?)?;
        }
        Ok(())
    }

    /// Reads an object's key. A key without escapes is looked up by its
    /// raw bytes (the scan has checked any non-ASCII ones to be UTF-8),
    /// so a declared key costs no string conversion.
    fn key(&mut self, rules: &ObjectRules) -> Step<Key<'a>> {
        let (start, end, escaped) = self.scan_string()?;
        if !escaped && let Some((index, p)) = rules.property_bytes(&self.bytes[start..end]) {
            return Ok(Key::Declared(index, p));
        }
        let name = self.content(start, end, escaped)?;
        // Only a name written with escapes can still be a declared one.
        if escaped && let Some((index, p)) = rules.property(&name) {
            return Ok(Key::Declared(index, p));
        }
        Ok(Key::Other(name))
    }

    /// Reads a string, borrowing it when it has no escapes.
    fn string(&mut self) -> Step<Cow<'a, str>> {
        let (start, end, escaped) = self.scan_string()?;
        self.content(start, end, escaped)
    }

    /// A string's content as [`Self::scan_string`] found it: borrowed, or
    /// decoded when it has escapes.
    fn content(&self, start: usize, end: usize, escaped: bool) -> Step<Cow<'a, str>> {
        let raw = self.str_between(start, end)?;
        if escaped {
            decode_escapes(raw).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(raw))
        }
    }

    /// The text between two offsets, which [`Self::scan_string`] has found
    /// to be UTF-8; checking again is cheap and keeps this free of
    /// `unsafe`.
    fn str_between(&self, start: usize, end: usize) -> Step<&'a str> {
        std::str::from_utf8(&self.bytes[start..end]).map_err(|_| Stop)
    }

    /// Reads a number with JSON's grammar and turns it into the
    /// [`Number`] `serde_json` would make of it.
    fn number(&mut self) -> Step<Number> {
        let text = self.number_text()?;
        self.number_from(text)
    }

    /// The [`Number`] of a text [`Self::number_text`] has read.
    fn number_from(&self, text: &[u8]) -> Step<Number> {
        // The grammar admits ASCII only, so this cannot fail.
        std::str::from_utf8(text)
            .map_err(|_| Stop)?
            .parse::<Number>()
            .map_err(|_| Stop)
    }

    /// Reads past a number, checking JSON's grammar; returns its text.
    fn number_text(&mut self) -> Step<&'a [u8]> {
        let start = self.pos;
        let digits = |r: &mut Self| {
            let from = r.pos;
            while r.bytes.get(r.pos).is_some_and(u8::is_ascii_digit) {
                r.pos += 1;
            }
            r.pos - from
        };
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(Stop),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(Stop);
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(Stop);
            }
        }
        Ok(&self.bytes[start..self.pos])
    }
}

/// Whether `schema` admits every string, so that a string value needs no
/// check beyond its syntax.
fn plain_string(schema: &'static Schema) -> bool {
    matches!(&resolve(schema).0.kind, Kind::String(rules) if rules.is_unconstrained())
}

/// Decodes a string body with escapes as JSON does, refusing what
/// `serde_json` refuses (unknown escapes, unpaired surrogates).
fn decode_escapes(raw: &str) -> Step<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next().ok_or(Stop)? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let first = hex4(&mut chars)?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if chars.next() != Some('\\') || chars.next() != Some('u') {
                            return Err(Stop);
                        }
                        let second = hex4(&mut chars)?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(Stop);
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Stop),
                    other => other,
                };
                out.push(char::from_u32(code).ok_or(Stop)?);
            }
            _ => return Err(Stop),
        }
    }
    Ok(out)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Step<u32> {
    let mut code = 0;
    for _ in 0..4 {
        code = code * 16 + chars.next().and_then(|c| c.to_digit(16)).ok_or(Stop)?;
    }
    Ok(code)
}
