//! Negative bodies: mutations of a valid body, on its JSON tree (guided by
//! the schema) or on its bytes.
//!
//! Each mutation says what it means the body to become (`intent`), but the
//! expectation is the oracle's: the final bytes are parsed and validated
//! against the spec's schema through the oracle's JSON Schema translation.
//! A mutation whose intent the oracle contradicts fails the case (the
//! generator or the oracle is wrong, and either is worth knowing).

use conformance::oracle::SpecDoc;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Map, Value, json};

/// A value of the wrong kind, to put where the schema wants another.
#[derive(Debug, Clone)]
pub enum Wrong {
    /// `null`.
    Null,
    /// `true`.
    Bool,
    /// An integer.
    Int(i64),
    /// A fraction.
    Float,
    /// A string.
    Str(String),
    /// `[]`.
    EmptyArray,
    /// An array of this many numbers.
    Numbers(usize),
    /// `{}`.
    Object,
    /// Arrays nested this deep.
    Deep(usize),
}

impl Wrong {
    /// The JSON kind (`null`, `boolean`, `integer`, `number`, `string`,
    /// `array`, `object`).
    fn kind(&self) -> &'static str {
        match self {
            Wrong::Null => "null",
            Wrong::Bool => "boolean",
            Wrong::Int(_) => "integer",
            Wrong::Float => "number",
            Wrong::Str(_) => "string",
            Wrong::EmptyArray | Wrong::Numbers(_) | Wrong::Deep(_) => "array",
            Wrong::Object => "object",
        }
    }

    fn value(&self) -> Value {
        match self {
            Wrong::Null => Value::Null,
            Wrong::Bool => Value::Bool(true),
            Wrong::Int(n) => json!(n),
            Wrong::Float => json!(1.5),
            Wrong::Str(s) => json!(s),
            Wrong::EmptyArray => json!([]),
            Wrong::Numbers(n) => Value::Array((0..*n).map(|i| json!(i)).collect()),
            Wrong::Object => json!({}),
            // A marker, replaced by the nested arrays once serialised: a
            // `Value` thousands of levels deep would overflow the stack
            // when serialised or dropped.
            Wrong::Deep(_) => json!(DEEP_MARK),
        }
    }

    /// The JSON text of the value.
    fn text(&self) -> String {
        match self {
            Wrong::Deep(depth) => "[".repeat(*depth) + &"]".repeat(*depth),
            other => other.value().to_string(),
        }
    }
}

const DEEP_MARK: &str = "\u{e001}deep\u{e001}";

/// The state as bytes, nested arrays in place of the marker of
/// [`Wrong::Deep`].
fn with_deep(state: &mut BodyState, pretty: bool, wrong: &Wrong) {
    if let Wrong::Deep(_) = wrong {
        let text = String::from_utf8(bytes_of(state, pretty)).unwrap_or_default();
        let marker = format!("\"{DEEP_MARK}\"");
        *state = BodyState::Bytes(text.replacen(&marker, &wrong.text(), 1).into_bytes());
    }
}

/// Wrong values, with many big ones (deep nesting, large arrays).
pub fn wrong() -> impl Strategy<Value = Wrong> {
    prop_oneof![
        Just(Wrong::Null),
        Just(Wrong::Bool),
        any::<i64>().prop_map(Wrong::Int),
        Just(Wrong::Float),
        "[a-z]{0,8}".prop_map(Wrong::Str),
        Just(Wrong::EmptyArray),
        (1usize..20_000).prop_map(Wrong::Numbers),
        Just(Wrong::Object),
        (2usize..3_000).prop_map(Wrong::Deep),
    ]
}

/// Invalid UTF-8 sequences: a lone continuation byte, truncated
/// sequences, an encoded surrogate, an overlong form, a code point past
/// U+10FFFF.
pub const BAD_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\x80",
    b"\xc3",
    b"\xe6\x97",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
];

/// Bodies that are not JSON at all (or not a JSON text).
pub const NOT_JSON: &[&[u8]] = &[
    b"deviceIds=a&deviceIds=b",
    b"<assign><deviceIds>a</deviceIds></assign>",
    b"{deviceIds: ['a']}",
    b"{\"deviceIds\":[\"a\",]}",
    b"{\"deviceIds\":[\"a\"]",
    b"undefined",
    b"NaN",
    b"{\"deviceIds\":[\"a\"]}{}",
    b"\x00\x00\x00",
    b" ",
];

/// Member names a sloppy client might send: empty, padded, other case,
/// an OData annotation, a NUL.
pub const ODD_NAMES: &[&str] = &[
    "",
    " ",
    "deviceIds ",
    "DeviceIds",
    "deviceids",
    "@odata.type",
    "deviceIds\u{0}",
    "__proto__",
    "日本",
];

/// One mutation of the body.
#[derive(Debug, Clone)]
pub enum BodyMutation {
    /// Remove a required member of some object.
    RemoveRequired(Index, Index),
    /// Put a value of a type the schema does not allow somewhere.
    WrongType(Index, Wrong),
    /// `null` where the schema is not nullable (a special wrong type).
    Null(Index),
    /// Add a member the schema does not declare.
    ExtraProperty(Index, String),
    /// Repeat an item of some array this many times.
    RepeatItem(Index, usize),
    /// Replace the whole body with bytes that are not JSON.
    NotJson(Vec<u8>),
    /// Insert invalid UTF-8 somewhere.
    InvalidUtf8(Index, &'static [u8]),
    /// Cut the body short.
    Truncate(Index),
    /// Append bytes after the JSON text.
    Trailing(&'static str),
    /// Replace the whole body with a JSON value of another type.
    TopLevel(Wrong),
    /// Send no body.
    Empty,
    /// The same member twice (an earlier, different value first).
    DuplicateKey(Index, Wrong),
    /// A UTF-8 byte order mark before the JSON text.
    Bom,
    /// An unpaired UTF-16 surrogate escape in a string.
    LoneSurrogate(Index),
}

/// Trailers: whitespace (harmless) and garbage.
pub const TRAILERS: &[&str] = &[" \r\n\t", "x", "}", ",{}", "{}", "\u{0}"];

/// Any body mutation.
pub fn mutation() -> impl Strategy<Value = BodyMutation> {
    prop_oneof![
        3 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| BodyMutation::RemoveRequired(a, b)),
        4 => (any::<Index>(), wrong()).prop_map(|(a, w)| BodyMutation::WrongType(a, w)),
        2 => any::<Index>().prop_map(BodyMutation::Null),
        3 => (any::<Index>(), prop_oneof![select(ODD_NAMES).prop_map(str::to_string), "[a-zA-Z]{1,12}"])
            .prop_map(|(a, n)| BodyMutation::ExtraProperty(a, n)),
        2 => (any::<Index>(), prop_oneof![4 => 1usize..4, 1 => 100usize..5000])
            .prop_map(|(a, n)| BodyMutation::RepeatItem(a, n)),
        2 => prop_oneof![
            select(NOT_JSON).prop_map(<[u8]>::to_vec),
            proptest::collection::vec(any::<u8>(), 1..64),
        ].prop_map(BodyMutation::NotJson),
        2 => (any::<Index>(), select(BAD_UTF8)).prop_map(|(a, b)| BodyMutation::InvalidUtf8(a, b)),
        1 => any::<Index>().prop_map(BodyMutation::Truncate),
        2 => select(TRAILERS).prop_map(BodyMutation::Trailing),
        2 => wrong().prop_map(BodyMutation::TopLevel),
        2 => Just(BodyMutation::Empty),
        1 => (any::<Index>(), wrong()).prop_map(|(a, w)| BodyMutation::DuplicateKey(a, w)),
        1 => Just(BodyMutation::Bom),
        1 => any::<Index>().prop_map(BodyMutation::LoneSurrogate),
    ]
}

/// The body as it is being mutated.
#[derive(Debug, Clone)]
pub enum BodyState {
    /// Still a JSON value (serialised at the end).
    Value(Value),
    /// Bytes.
    Bytes(Vec<u8>),
    /// No body.
    None,
}

/// What a mutation did.
pub struct Applied {
    /// Its name for the tally (`inert` variants when nothing applied).
    pub label: &'static str,
    /// Whether the body should now be valid (`None`: no claim).
    pub intent: Option<bool>,
    /// Why either answer is right, when the spec leaves the body's
    /// meaning open.
    pub either: Option<&'static str>,
}

impl Applied {
    fn made(label: &'static str, intent: Option<bool>) -> Applied {
        Applied {
            label,
            intent,
            either: None,
        }
    }
}

/// One step from the body's root.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item(usize),
}

/// Every node of `value` with its (resolved) schema object.
fn nodes(doc: &SpecDoc, schema: &Value, value: &Value) -> Vec<(Vec<Step>, Map<String, Value>)> {
    let mut out = Vec::new();
    walk(doc, schema, value, &mut Vec::new(), &mut out);
    out
}

fn walk(
    doc: &SpecDoc,
    schema: &Value,
    value: &Value,
    at: &mut Vec<Step>,
    out: &mut Vec<(Vec<Step>, Map<String, Value>)>,
) {
    let Some(object) = doc
        .resolve(schema, "")
        .and_then(|(s, _)| s.as_object().cloned())
    else {
        return;
    };
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                if let Some(sub) = object.get("properties").and_then(|p| p.get(name)) {
                    at.push(Step::Key(name.clone()));
                    walk(doc, sub, member, at, out);
                    at.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = object.get("items") {
                for (index, item) in items.iter().enumerate() {
                    at.push(Step::Item(index));
                    walk(doc, sub, item, at, out);
                    at.pop();
                }
            }
        }
        _ => {}
    }
    out.push((at.clone(), object));
}

fn node<'a>(value: &'a Value, at: &[Step]) -> &'a Value {
    at.iter().fold(value, |node, step| match step {
        Step::Key(k) => &node[k.as_str()],
        Step::Item(i) => &node[*i],
    })
}

fn node_mut<'a>(value: &'a mut Value, at: &[Step]) -> &'a mut Value {
    at.iter().fold(value, |node, step| match step {
        Step::Key(k) => &mut node[k.as_str()],
        Step::Item(i) => &mut node[*i],
    })
}

/// The JSON kinds a schema object admits.
fn admits(schema: &Map<String, Value>, kind: &str) -> bool {
    let nullable = schema.get("nullable") == Some(&Value::Bool(true));
    match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some(t) => {
            t == kind || (t == "number" && kind == "integer") || (kind == "null" && nullable)
        }
    }
}

fn bytes_of(state: &BodyState, pretty: bool) -> Vec<u8> {
    match state {
        BodyState::Value(v) if pretty => serde_json::to_vec_pretty(v).unwrap_or_default(),
        BodyState::Value(v) => serde_json::to_vec(v).unwrap_or_default(),
        BodyState::Bytes(b) => b.clone(),
        BodyState::None => Vec::new(),
    }
}

/// The body's final bytes.
pub fn finish(state: &BodyState, pretty: bool) -> Vec<u8> {
    bytes_of(state, pretty)
}

/// Applies `mutation` to `state` (a body for `schema`).
pub fn apply(
    doc: &SpecDoc,
    schema: &Value,
    state: &mut BodyState,
    pretty: bool,
    mutation: &BodyMutation,
) -> Applied {
    use BodyMutation as M;
    let inert = |label| Applied::made(label, None);
    match mutation {
        M::RemoveRequired(which, key) => {
            let BodyState::Value(value) = state else {
                return inert("remove-required (inert)");
            };
            let spots: Vec<(Vec<Step>, Vec<String>)> = nodes(doc, schema, value)
                .into_iter()
                .filter_map(|(at, s)| {
                    let present: Vec<String> = s
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .filter(|k| node(value, &at).get(*k).is_some())
                        .map(str::to_string)
                        .collect();
                    (!present.is_empty()).then_some((at, present))
                })
                .collect();
            if spots.is_empty() {
                return inert("remove-required (inert)");
            }
            let (at, keys) = &spots[which.index(spots.len())];
            let name = &keys[key.index(keys.len())];
            if let Value::Object(map) = node_mut(value, at) {
                map.remove(name);
            }
            Applied::made("remove-required", Some(false))
        }
        M::WrongType(which, wrong) => {
            let BodyState::Value(value) = state else {
                return inert("wrong-type (inert)");
            };
            let spots: Vec<(Vec<Step>, Map<String, Value>)> = nodes(doc, schema, value)
                .into_iter()
                .filter(|(_, s)| !admits(s, wrong.kind()))
                .collect();
            if spots.is_empty() {
                return inert("wrong-type (inert)");
            }
            let (at, _) = &spots[which.index(spots.len())];
            *node_mut(value, at) = wrong.value();
            with_deep(state, pretty, wrong);
            Applied::made("wrong-type", Some(false))
        }
        M::Null(which) => apply(
            doc,
            schema,
            state,
            pretty,
            &M::WrongType(*which, Wrong::Null),
        ),
        M::ExtraProperty(which, name) => {
            let BodyState::Value(value) = state else {
                return inert("extra-property (inert)");
            };
            let spots: Vec<(Vec<Step>, Map<String, Value>)> = nodes(doc, schema, value)
                .into_iter()
                .filter(|(at, _)| {
                    node(value, at)
                        .as_object()
                        .is_some_and(|m| !m.contains_key(name))
                })
                .collect();
            if spots.is_empty() {
                return inert("extra-property (inert)");
            }
            let (at, s) = &spots[which.index(spots.len())];
            let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
            if let Value::Object(map) = node_mut(value, at) {
                map.insert(name.clone(), json!("extra"));
            }
            Applied::made("extra-property", Some(!closed))
        }
        M::RepeatItem(which, times) => {
            let BodyState::Value(value) = state else {
                return inert("repeat-item (inert)");
            };
            let spots: Vec<(Vec<Step>, Map<String, Value>)> = nodes(doc, schema, value)
                .into_iter()
                .filter(|(at, _)| node(value, at).as_array().is_some_and(|a| !a.is_empty()))
                .collect();
            if spots.is_empty() {
                return inert("repeat-item (inert)");
            }
            let (at, s) = &spots[which.index(spots.len())];
            let unique = s.get("uniqueItems") == Some(&Value::Bool(true));
            let max = s.get("maxItems").and_then(Value::as_u64);
            let Value::Array(items) = node_mut(value, at) else {
                unreachable!("filtered to arrays");
            };
            let first = items[0].clone();
            items.extend(std::iter::repeat_n(first, *times));
            let too_many = max.is_some_and(|m| items.len() as u64 > m);
            Applied::made("repeat-item", Some(!unique && !too_many))
        }
        M::NotJson(bytes) => {
            *state = BodyState::Bytes(bytes.clone());
            Applied::made("not-json", None)
        }
        M::InvalidUtf8(at, bad) => {
            let mut bytes = bytes_of(state, pretty);
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, bad.iter().copied());
            *state = BodyState::Bytes(bytes);
            Applied::made("invalid-utf8", Some(false))
        }
        M::Truncate(at) => {
            let mut bytes = bytes_of(state, pretty);
            if bytes.len() < 2 {
                return inert("truncate (inert)");
            }
            // Keep at least one byte (no body at all is its own mutation).
            bytes.truncate(1 + at.index(bytes.len() - 1));
            *state = BodyState::Bytes(bytes);
            Applied::made("truncate", None)
        }
        M::Trailing(text) => {
            let mut bytes = bytes_of(state, pretty);
            if bytes.is_empty() {
                return inert("trailing (inert)");
            }
            let harmless = text.trim().is_empty() && !text.contains('\u{0}');
            bytes.extend_from_slice(text.as_bytes());
            let was_json = matches!(state, BodyState::Value(_));
            *state = BodyState::Bytes(bytes);
            if harmless {
                Applied::made("trailing-whitespace", None)
            } else {
                Applied::made("trailing-garbage", was_json.then_some(false))
            }
        }
        M::TopLevel(wrong) => {
            let value = wrong.value();
            let root = doc
                .resolve(schema, "")
                .and_then(|(s, _)| s.as_object().cloned())
                .unwrap_or_default();
            let intent = (!admits(&root, wrong.kind())).then_some(false);
            *state = BodyState::Value(value);
            with_deep(state, pretty, wrong);
            Applied::made("top-level-type", intent)
        }
        M::Empty => {
            *state = BodyState::None;
            Applied::made("empty-body", None)
        }
        M::DuplicateKey(which, decoy) => {
            let BodyState::Value(Value::Object(map)) = &*state else {
                return inert("duplicate-key (inert)");
            };
            if map.is_empty() {
                return inert("duplicate-key (inert)");
            }
            let keys: Vec<&String> = map.keys().collect();
            let key = keys[which.index(keys.len())];
            let rest = bytes_of(state, false);
            // `{"key":<decoy>,` then the whole object without its `{`.
            let mut bytes = format!(
                "{{{}:{},",
                serde_json::to_string(key).unwrap_or_default(),
                decoy.text()
            )
            .into_bytes();
            bytes.extend_from_slice(&rest[1..]);
            *state = BodyState::Bytes(bytes);
            Applied {
                label: "duplicate-key",
                intent: None,
                either: Some(
                    "a member given twice: RFC 8259 says names SHOULD be unique and leaves \
                     parsers free (the oracle keeps the last, a typed reader may refuse)",
                ),
            }
        }
        M::Bom => {
            let mut bytes = b"\xef\xbb\xbf".to_vec();
            bytes.extend(bytes_of(state, pretty));
            *state = BodyState::Bytes(bytes);
            Applied {
                label: "bom",
                intent: None,
                either: Some(
                    "a byte order mark: RFC 8259 lets a parser ignore it or refuse the text",
                ),
            }
        }
        M::LoneSurrogate(which) => {
            let BodyState::Value(value) = state else {
                return inert("lone-surrogate (inert)");
            };
            let spots: Vec<Vec<Step>> = nodes(doc, schema, value)
                .into_iter()
                .map(|(at, _)| at)
                .filter(|at| node(value, at).is_string())
                .collect();
            if spots.is_empty() {
                return inert("lone-surrogate (inert)");
            }
            // A marker generated strings practically never contain, swapped for the
            // escape once serialised (a `Value` cannot hold a surrogate).
            const MARK: &str = "\u{e000}lone\u{e000}";
            *node_mut(value, &spots[which.index(spots.len())]) = json!(MARK);
            let text = String::from_utf8(bytes_of(state, pretty)).unwrap_or_default();
            let bytes = text.replacen(MARK, "\\ud800", 1).into_bytes();
            *state = BodyState::Bytes(bytes);
            Applied {
                label: "lone-surrogate",
                intent: None,
                either: Some(
                    "an unpaired surrogate escape: RFC 8259 calls the result unpredictable",
                ),
            }
        }
    }
}
