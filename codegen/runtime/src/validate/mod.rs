//! Request validation: the schema descriptors that generated code emits as
//! `static` data, and the machinery that judges a request against them.
//!
//! The generator (`codegen`, module `emit::validate`) turns every schema a
//! request can carry into a tree of [`Schema`] values: one `static` per
//! named type, inline nodes for the rest, one [`Pattern`] per distinct
//! `pattern` (compiled once, on first use). The keyword semantics live here,
//! in one place, so that every generated crate enforces them the same way:
//!
//! * [`walk`] judges a parsed [`serde_json::Value`]. It is the reference
//!   implementation.
//! * [`stream`] judges raw JSON bytes in one pass without building a tree;
//!   it gives up ([`stream::Outcome::GaveUp`]) on anything it cannot judge
//!   exactly (duplicate keys, `uniqueItems`, composition, odd syntax), and
//!   [`body`] then falls back to the walk. Both produce the same violations.
//! * [`request`] checks the rest of a raw HTTP request (path parameters,
//!   query, headers) and finds its route, for server-side use.
//! * [`choice`] reads a value of a generated choice enum as the part the
//!   walk says it is ([`chosen_part`]).
//!
//! # Semantics
//!
//! They follow the oracle in the `conformance` crate (OpenAPI 3.0.3 schema
//! objects read as JSON Schema Draft 4):
//!
//! * `nullable` lets `null` through (the generator folds OpenAPI 3.0.3's
//!   rules into [`Schema::nullable`]).
//! * `integer` means a number written without fraction or exponent (Draft
//!   4), so `1.0` is not an integer.
//! * `minLength`/`maxLength` count Unicode code points; `pattern` is
//!   ECMA-262 (the `regress` engine) and is searched, not anchored.
//! * `format`s: see [`StringFormat`] and [`IntegerFormat`]; any other
//!   format is an annotation (JSON Schema's rule), and the generator warns
//!   where a request schema uses one.
//! * Numbers compare exactly (an integer against a fractional bound is not
//!   rounded).
//! * `enum` constrains strings, numbers and booleans; with `nullable`,
//!   `null` passes whether or not the list names it (the generator keeps
//!   `null` out of the list and sets [`Schema::nullable`]).
//! * `not` refuses exactly the values its schema accepts.
//!
//! Violations are reported completely (every failing keyword at every
//! place, except that a value of the wrong type gets only its `type`
//! violation) and in a stable order: see [`sort`].

pub mod body;
pub mod choice;
pub mod client;
pub mod format;
pub mod media;
pub mod multipart;
pub mod number;
pub mod path_style;
pub mod pointer;
pub mod request;
mod scan;
mod security;
pub mod serve;
mod shorthand;
pub mod stream;
pub mod styles;
pub mod verdict;
pub mod walk;

use std::sync::OnceLock;

pub use choice::chosen_part;
pub use pointer::Pointer;
pub use request::{ParamRule, Scalar, Style};
pub use shorthand::{
    ANY, BOOLEAN, INT32, INT64, OBJECT, STRING, all_of, any_of, array, boolean_value, not,
    nullable, object, one_of, optional, reference, required, schema, string, string_enum,
};

use crate::Violation;

/// One schema node.
#[derive(Debug)]
pub struct Schema {
    /// What the value must be.
    pub kind: Kind,
    /// Whether `null` is accepted in place of the value.
    pub nullable: bool,
}

/// The kinds of schema node.
#[derive(Debug)]
pub enum Kind {
    /// Any JSON value.
    Any,
    /// A named type, defined elsewhere (and possibly recursive).
    Ref(&'static Schema),
    /// A string.
    String(StringRules),
    /// An integer (a number without fraction or exponent).
    Integer(NumberRules),
    /// Any number.
    Number(NumberRules),
    /// `true` or `false`.
    Boolean,
    /// `type: boolean` with an `enum` that lists one of the two values:
    /// only that boolean.
    BooleanValue(bool),
    /// An array.
    Array(ArrayRules),
    /// An object.
    Object(ObjectRules),
    /// Valid against every part.
    AllOf(&'static [&'static Schema]),
    /// Valid against exactly one part.
    OneOf(&'static [&'static Schema]),
    /// Valid against at least one part.
    AnyOf(&'static [&'static Schema]),
    /// `discriminator`: the schema that judges a value is chosen by one of
    /// its properties.
    Discriminated(&'static Discriminator),
    /// `not`: valid exactly when the value is not valid against the
    /// schema.
    Not(&'static Schema),
}

/// A `discriminator` with its `mapping`, as OpenAPI 3.0 reads it for a base
/// type: an object whose property `property` holds a string the mapping
/// lists is judged by that value's schema (a derived type); every other
/// value is judged by `base`, the type's own schema. Each mapped schema
/// refers to its bases in their `base` form, so a value is dispatched at
/// most once.
#[derive(Debug)]
pub struct Discriminator {
    /// The deciding property (`propertyName`), e.g. `@odata.type`.
    pub property: &'static str,
    /// Value → schema, sorted by value.
    pub mapping: &'static [(&'static str, &'static Schema)],
    /// The schema for values the mapping does not pick.
    pub base: &'static Schema,
}

impl Discriminator {
    /// The schema that judges `value`.
    pub fn choose(&self, value: &serde_json::Value) -> &'static Schema {
        value
            .get(self.property)
            .and_then(serde_json::Value::as_str)
            .and_then(|tag| {
                self.mapping
                    .binary_search_by(|(key, _)| (*key).cmp(tag))
                    .ok()
            })
            .map_or(self.base, |i| self.mapping[i].1)
    }
}

/// Constraints on a string.
#[derive(Debug)]
pub struct StringRules {
    /// `minLength`, in code points.
    pub min_length: Option<usize>,
    /// `maxLength`, in code points.
    pub max_length: Option<usize>,
    /// `pattern`.
    pub pattern: Option<&'static Pattern>,
    /// `format`, when it constrains the value.
    pub format: Option<StringFormat>,
    /// `enum` (empty: no restriction).
    pub enumeration: &'static [&'static str],
}

impl StringRules {
    /// No constraint beyond being a string (a base for `..` updates).
    pub const NONE: StringRules = StringRules {
        min_length: None,
        max_length: None,
        pattern: None,
        format: None,
        enumeration: &[],
    };

    /// Whether every string satisfies these rules, so a reader may skip
    /// the checks (and the text) of such strings altogether.
    pub const fn is_unconstrained(&self) -> bool {
        self.min_length.is_none()
            && self.max_length.is_none()
            && self.pattern.is_none()
            && self.format.is_none()
            && self.enumeration.is_empty()
    }
}

/// String formats the validators enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-date`, a real calendar date.
    Date,
    /// `8-4-4-4-12` hexadecimal digits.
    Uuid,
    /// URL-safe base64 alphabet with at most two `=` of padding.
    Base64Url,
    /// ISO 8601 duration (`P1DT2H`, `-PT0.5S`).
    Duration,
    /// RFC 3339 `partial-time` with its offset (`full-time`): `12:00:00Z`.
    Time,
    /// IPv4 address in dotted-quad form (as `std::net::Ipv4Addr` reads it).
    Ipv4,
    /// IPv6 address (as `std::net::Ipv6Addr` reads it).
    Ipv6,
    /// Either an IPv4 or an IPv6 address.
    Ip,
    /// RFC 5321 mailbox: `local@domain`, the domain a host name or an
    /// address literal.
    Email,
    /// RFC 1034 host name: dot-separated labels of letters, digits and `-`.
    Hostname,
    /// RFC 3986 absolute URI (a scheme, then the rest).
    Uri,
    /// IEEE 802 MAC-48 address: six hex pairs separated by `:` or `-`.
    Mac,
    /// Base64 (RFC 4648 section 4, the standard alphabet) with its padding.
    Byte,
}

impl StringFormat {
    /// The format's name in the spec.
    pub const fn name(self) -> &'static str {
        match self {
            StringFormat::DateTime => "date-time",
            StringFormat::Date => "date",
            StringFormat::Uuid => "uuid",
            StringFormat::Base64Url => "base64url",
            StringFormat::Duration => "duration",
            StringFormat::Time => "time",
            StringFormat::Ipv4 => "ipv4",
            StringFormat::Ipv6 => "ipv6",
            StringFormat::Ip => "ip",
            StringFormat::Email => "email",
            StringFormat::Hostname => "hostname",
            StringFormat::Uri => "uri",
            StringFormat::Mac => "mac",
            StringFormat::Byte => "byte",
        }
    }

    /// Every format, for the generator's table of what is enforced.
    pub const ALL: &'static [StringFormat] = &[
        StringFormat::DateTime,
        StringFormat::Date,
        StringFormat::Uuid,
        StringFormat::Base64Url,
        StringFormat::Duration,
        StringFormat::Time,
        StringFormat::Ipv4,
        StringFormat::Ipv6,
        StringFormat::Ip,
        StringFormat::Email,
        StringFormat::Hostname,
        StringFormat::Uri,
        StringFormat::Mac,
        StringFormat::Byte,
    ];

    /// The format called `name` in a spec, if the validators enforce it.
    pub fn from_name(name: &str) -> Option<StringFormat> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// Integer formats the validators enforce, as ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegerFormat {
    /// `[-2^7, 2^7-1]`
    Int8,
    /// `[0, 255]`
    Uint8,
    /// `[-2^15, 2^15-1]`
    Int16,
    /// `[-2^31, 2^31-1]`
    Int32,
    /// `[-2^63, 2^63-1]`
    Int64,
    /// `[0, 2^16-1]`
    Uint16,
    /// `[0, 2^32-1]`
    Uint32,
    /// `[0, 2^64-1]`
    Uint64,
    /// `uint`: an unsigned integer held as `u64`, `[0, 2^64-1]`.
    Uint,
}

impl IntegerFormat {
    /// The format's name in the spec.
    pub const fn name(self) -> &'static str {
        match self {
            IntegerFormat::Int8 => "int8",
            IntegerFormat::Uint8 => "uint8",
            IntegerFormat::Int16 => "int16",
            IntegerFormat::Int32 => "int32",
            IntegerFormat::Int64 => "int64",
            IntegerFormat::Uint16 => "uint16",
            IntegerFormat::Uint32 => "uint32",
            IntegerFormat::Uint64 => "uint64",
            IntegerFormat::Uint => "uint",
        }
    }

    /// Every format, for the generator's table of what is enforced.
    pub const ALL: &'static [IntegerFormat] = &[
        IntegerFormat::Int8,
        IntegerFormat::Uint8,
        IntegerFormat::Int16,
        IntegerFormat::Int32,
        IntegerFormat::Int64,
        IntegerFormat::Uint16,
        IntegerFormat::Uint32,
        IntegerFormat::Uint64,
        IntegerFormat::Uint,
    ];

    /// The format called `name` in a spec, if the validators enforce it.
    pub fn from_name(name: &str) -> Option<IntegerFormat> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The inclusive range.
    pub const fn range(self) -> (i128, i128) {
        match self {
            IntegerFormat::Int8 => (i8::MIN as i128, i8::MAX as i128),
            IntegerFormat::Uint8 => (0, u8::MAX as i128),
            IntegerFormat::Int16 => (i16::MIN as i128, i16::MAX as i128),
            IntegerFormat::Int32 => (i32::MIN as i128, i32::MAX as i128),
            IntegerFormat::Int64 => (i64::MIN as i128, i64::MAX as i128),
            IntegerFormat::Uint16 => (0, u16::MAX as i128),
            IntegerFormat::Uint32 => (0, u32::MAX as i128),
            IntegerFormat::Uint64 | IntegerFormat::Uint => (0, u64::MAX as i128),
        }
    }
}

/// Constraints on a number or integer.
#[derive(Debug)]
pub struct NumberRules {
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum: true`.
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum: true`.
    pub exclusive_maximum: bool,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// A range `format` (integers only).
    pub format: Option<IntegerFormat>,
    /// `format: float` (numbers): the value must fit an `f32`, that is
    /// lie within `[-f32::MAX, f32::MAX]`.
    pub float: bool,
    /// `enum` (empty: no restriction).
    pub enumeration: &'static [f64],
}

impl NumberRules {
    /// No constraint beyond the type (a base for `..` updates).
    pub const NONE: NumberRules = NumberRules {
        minimum: None,
        maximum: None,
        exclusive_minimum: false,
        exclusive_maximum: false,
        multiple_of: None,
        format: None,
        float: false,
        enumeration: &[],
    };
}

/// Constraints on an array.
#[derive(Debug)]
pub struct ArrayRules {
    /// Every item's schema.
    pub items: &'static Schema,
    /// `minItems`.
    pub min_items: Option<usize>,
    /// `maxItems`.
    pub max_items: Option<usize>,
    /// `uniqueItems: true`.
    pub unique_items: bool,
}

/// Constraints on an object.
#[derive(Debug)]
pub struct ObjectRules {
    /// Declared properties, sorted by name.
    pub properties: &'static [Property],
    /// Names `required` lists that are not declared properties.
    pub required_undeclared: &'static [&'static str],
    /// What undeclared properties may be.
    pub additional: Additional,
    /// `minProperties`.
    pub min_properties: Option<usize>,
    /// `maxProperties`.
    pub max_properties: Option<usize>,
}

impl ObjectRules {
    /// Any object: no declared properties, anything else allowed (a base
    /// for `..` updates).
    pub const OPEN: ObjectRules = ObjectRules {
        properties: &[],
        required_undeclared: &[],
        additional: Additional::Any,
        min_properties: None,
        max_properties: None,
    };

    /// The declared property called `name` (properties are sorted).
    pub fn property(&self, name: &str) -> Option<(usize, &'static Property)> {
        self.property_bytes(name.as_bytes())
    }

    /// Like [`ObjectRules::property`] for a name given as UTF-8 bytes
    /// (byte order is `str` order, so the same search applies).
    #[inline]
    pub fn property_bytes(&self, name: &[u8]) -> Option<(usize, &'static Property)> {
        self.properties
            .binary_search_by(|p| p.name.as_bytes().cmp(name))
            .ok()
            .map(|i| (i, &self.properties[i]))
    }
}

/// One declared property.
#[derive(Debug)]
pub struct Property {
    /// Its JSON name.
    pub name: &'static str,
    /// Whether `required` lists it.
    pub required: bool,
    /// Its schema.
    pub schema: &'static Schema,
}

/// What an object allows beyond its declared properties.
#[derive(Debug)]
pub enum Additional {
    /// Anything.
    Any,
    /// Nothing (`additionalProperties: false`).
    Forbidden,
    /// Values valid against this schema.
    Schema(&'static Schema),
}

/// An ECMA-262 regular expression, compiled on first use and then shared.
///
/// The generator compiles every pattern with the same engine while it
/// generates, so a pattern that does not compile never reaches this type
/// from generated code; should one arrive anyway, every value fails it with
/// a violation that says so, rather than a panic.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<regress::Regex>>,
}

impl Pattern {
    /// A pattern, not compiled yet (so it can sit in a `static`).
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as the spec writes it.
    pub const fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the pattern matches somewhere in `text`; `None` when the
    /// pattern does not compile.
    pub fn is_match(&self, text: &str) -> Option<bool> {
        self.compiled
            .get_or_init(|| regress::Regex::new(self.source).ok())
            .as_ref()
            .map(|re| re.find(text).is_some())
    }
}

/// Follows [`Kind::Ref`]s to the schema that says something; also tells
/// whether `null` is accepted anywhere along the way (a reference to a
/// nullable type accepts `null`, and so does a nullable reference).
pub const fn resolve(mut schema: &'static Schema) -> (&'static Schema, bool) {
    let mut nullable = schema.nullable;
    // Ref chains are finite: the generator rejects rings of aliases.
    while let Kind::Ref(target) = schema.kind {
        schema = target;
        nullable |= schema.nullable;
    }
    (schema, nullable)
}

/// Puts violations into their stable order: by location, where path
/// segments that are array indices compare as numbers (`/a/2` before
/// `/a/10`), then keyword, then message. A violation reported twice (the
/// same location, keyword and message, e.g. by two `allOf` parts that
/// both refuse an undeclared property) is kept once.
pub fn sort(violations: &mut Vec<Violation>) {
    violations.sort_by(|a, b| {
        compare_locations(&a.location, &b.location)
            .then_with(|| a.keyword.cmp(b.keyword))
            .then_with(|| a.message.cmp(&b.message))
    });
    violations.dedup_by(|a, b| {
        a.location == b.location && a.keyword == b.keyword && a.message == b.message
    });
}

fn compare_locations(a: &str, b: &str) -> std::cmp::Ordering {
    let mut left = a.split('/');
    let mut right = b.split('/');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j).then_with(|| x.cmp(y)),
                    _ => x.cmp(y),
                };
                if order.is_ne() {
                    return order;
                }
            }
        }
    }
}

/// The JSON type name of a value, for messages.
pub fn type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// What a schema expects, for `type` messages.
pub fn expected_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::String(_) => "a string",
        Kind::Integer(_) => "an integer",
        Kind::Number(_) => "a number",
        Kind::Boolean | Kind::BooleanValue(_) => "a boolean",
        Kind::Array(_) => "an array",
        Kind::Object(_) => "an object",
        Kind::Any
        | Kind::Ref(_)
        | Kind::AllOf(_)
        | Kind::OneOf(_)
        | Kind::AnyOf(_)
        | Kind::Discriminated(_)
        | Kind::Not(_) => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discriminator_picks_the_mapped_schema_for_a_listed_string_only() {
        static BASE: Schema = Schema {
            kind: Kind::Boolean,
            nullable: false,
        };
        static CAT: Schema = Schema {
            kind: Kind::Any,
            nullable: false,
        };
        static DOG: Schema = Schema {
            kind: Kind::Any,
            nullable: false,
        };
        static D: Discriminator = Discriminator {
            property: "kind",
            mapping: &[("cat", &CAT), ("dog", &DOG)],
            base: &BASE,
        };
        let pick = |v: serde_json::Value| D.choose(&v) as *const Schema;
        assert_eq!(pick(serde_json::json!({"kind": "cat"})), &CAT as *const _);
        assert_eq!(
            pick(serde_json::json!({"kind": "dog", "x": 1})),
            &DOG as *const _
        );
        for other in [
            serde_json::json!({"kind": "cow"}),
            serde_json::json!({"kind": 1}),
            serde_json::json!({"other": "cat"}),
            serde_json::json!(["kind", "cat"]),
            serde_json::json!("cat"),
        ] {
            assert_eq!(pick(other), &BASE as *const _);
        }
    }

    #[test]
    fn a_violation_reported_twice_is_kept_once() {
        let mut list = vec![
            Violation::new("/body/a", "type", "expected an object, found string"),
            Violation::new("/body/a", "type", "expected an object, found string"),
            Violation::new("/body/a", "type", "expected an object, found number"),
        ];
        sort(&mut list);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].message, "expected an object, found number");
    }

    #[test]
    fn locations_sort_indices_numerically() {
        let mut list = vec![
            Violation::new("/body/ids/10", "type", "x"),
            Violation::new("/body/ids/2", "type", "x"),
            Violation::new("/body", "required", "x"),
            Violation::new("/body/ids/2", "minLength", "x"),
        ];
        sort(&mut list);
        let got: Vec<_> = list
            .iter()
            .map(|v| (v.location.as_str(), v.keyword))
            .collect();
        assert_eq!(
            got,
            [
                ("/body", "required"),
                ("/body/ids/2", "minLength"),
                ("/body/ids/2", "type"),
                ("/body/ids/10", "type"),
            ]
        );
    }

    #[test]
    fn patterns_are_searched_not_anchored() {
        static P: Pattern = Pattern::new("b+");
        assert_eq!(P.is_match("abbc"), Some(true));
        assert_eq!(P.is_match("ac"), Some(false));
        static BAD: Pattern = Pattern::new("(");
        assert_eq!(BAD.is_match("x"), None);
    }

    #[test]
    fn ecma_digit_class_is_ascii_only() {
        static P: Pattern = Pattern::new("^\\d+$");
        assert_eq!(P.is_match("0123"), Some(true));
        // ARABIC-INDIC DIGIT ONE: a Unicode digit, but not an ECMA-262 `\d`.
        assert_eq!(P.is_match("\u{661}"), Some(false));
    }
}
