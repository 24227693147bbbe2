//! The one reading of a schema object: every keyword the value makers act
//! on, parsed once into [`Rules`], and every keyword they cannot honour
//! listed as a [`Gap`] (with its place), so that all of them treat an
//! unknown keyword the same way: they ignore it, and a user that needs
//! certainty (a test that must send only valid values) refuses the gaps.
//!
//! Reading is lazy and cached: a node is read the first time a maker
//! visits it, keyed by its address in the borrowed document, so a schema
//! graph of thousands of types costs only what is visited, and a
//! recursive schema is read once (the makers end it by depth).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::LazyLock;

use serde_json::{Map, Number, Value};

use crate::oracle::{FORMAT_RULES, SpecDoc};

/// The schema with no keywords (anything is valid): what a missing
/// `items` means.
pub static ANY: LazyLock<Value> = LazyLock::new(|| Value::Object(Map::new()));

/// Keywords that only annotate (no effect on validity).
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
    "$comment",
    "$schema",
    "$id",
];

/// Keywords the makers honour (`$ref` is read before any of them).
const HONOURED: &[&str] = &[
    "type",
    "nullable",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "allOf",
    "oneOf",
    "anyOf",
    "discriminator",
];

/// A keyword whose constraint the made values may break, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// JSON pointer (or description) of the schema object.
    pub at: String,
    /// What is not honoured, e.g. `` `patternProperties` ``.
    pub what: String,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.what)
    }
}

/// One schema object as read.
#[derive(Debug)]
pub struct Node<'a> {
    /// Where it is, for messages.
    pub at: String,
    /// What it says.
    pub shape: Shape<'a>,
}

/// A schema object is a reference or a set of rules.
#[derive(Debug)]
pub enum Shape<'a> {
    /// `$ref` (siblings ignored, as OpenAPI 3.0 reads it): the node it
    /// names, `None` when the reference dangles. Kept as an edge so that
    /// makers count recursion by their own depth.
    Ref(Option<&'a Value>),
    /// Everything else (a non-object schema reads as no rules, and a
    /// `false` schema as a gap).
    Rules(Box<Rules<'a>>),
}

/// The kind of value a schema asks for (declared by `type`, or guessed
/// from the keywords present when it has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `object`, or `properties`/`required` without `type`.
    Object,
    /// `array`, or `items` without `type`.
    Array,
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// `null` (OpenAPI 3.1).
    Null,
    /// A `type` this reader does not know: no value is built for it.
    Unknown,
}

/// A `discriminator` with its mapping resolved.
#[derive(Debug)]
pub struct Discriminator<'a> {
    /// The deciding property.
    pub property: String,
    /// Each tag and the schema it names (`None` when it dangles).
    pub mapping: Vec<(String, Option<&'a Value>)>,
}

/// The keywords of one schema object the makers act on.
#[derive(Debug, Default)]
pub struct Rules<'a> {
    /// `example`.
    pub example: Option<&'a Value>,
    /// `default`.
    pub default: Option<&'a Value>,
    /// `enum`, or `const` as a one-value list.
    pub enumeration: Option<Vec<Value>>,
    /// `nullable: true`, or `null` in a `type` list.
    pub nullable: bool,
    /// `allOf` parts.
    pub all_of: Vec<&'a Value>,
    /// `oneOf` alternatives.
    pub one_of: Vec<&'a Value>,
    /// `anyOf` alternatives.
    pub any_of: Vec<&'a Value>,
    /// `discriminator` with a non-empty mapping.
    pub discriminator: Option<Discriminator<'a>>,
    /// Declared or guessed kind; `None`: any value.
    pub kind: Option<Kind>,
    /// `format`, as written.
    pub format: Option<&'a str>,
    /// `pattern` (ECMA-262).
    pub pattern: Option<&'a str>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minimum` (or the 3.1 numeric `exclusiveMinimum`).
    pub minimum: Option<&'a Number>,
    /// `maximum` (or the 3.1 numeric `exclusiveMaximum`).
    pub maximum: Option<&'a Number>,
    /// The minimum is exclusive.
    pub exclusive_minimum: bool,
    /// The maximum is exclusive.
    pub exclusive_maximum: bool,
    /// `multipleOf`.
    pub multiple_of: Option<&'a Number>,
    /// `items` (`None`: any item).
    pub items: Option<&'a Value>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems: true`.
    pub unique_items: bool,
    /// `properties`, in the document's order.
    pub properties: Vec<(&'a str, &'a Value)>,
    /// `required`.
    pub required: Vec<&'a str>,
    /// `additionalProperties`.
    pub additional: Additional<'a>,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
    /// What the makers cannot honour here.
    pub gaps: Vec<Gap>,
}

/// `additionalProperties`.
#[derive(Debug, Default, Clone, Copy)]
pub enum Additional<'a> {
    /// Absent or `true`.
    #[default]
    Any,
    /// `false`.
    None,
    /// A schema.
    Schema(&'a Value),
}

impl Rules<'_> {
    /// Whether `name` is listed in `required`.
    pub fn requires(&self, name: &str) -> bool {
        self.required.contains(&name)
    }
}

/// Reads schema objects of one document, each once.
pub struct Reader<'a> {
    doc: &'a SpecDoc,
    read: RefCell<HashMap<usize, Rc<Node<'a>>>>,
}

impl<'a> Reader<'a> {
    /// A reader over `doc` (its `$ref`s are followed there).
    pub fn new(doc: &'a SpecDoc) -> Reader<'a> {
        Reader {
            doc,
            read: RefCell::new(HashMap::new()),
        }
    }

    /// The document read.
    pub fn doc(&self) -> &'a SpecDoc {
        self.doc
    }

    /// `schema` read (from the cache when it was read before); `at` names
    /// it in gaps and messages the first time.
    pub fn node(&self, schema: &'a Value, at: &str) -> Rc<Node<'a>> {
        let key = schema as *const Value as usize;
        if let Some(node) = self.read.borrow().get(&key) {
            return Rc::clone(node);
        }
        let node = Rc::new(read(self.doc, schema, at));
        self.read.borrow_mut().insert(key, Rc::clone(&node));
        node
    }

    /// The rules `schema` comes to after its `$ref`s (at most 64 hops, as
    /// [`SpecDoc::resolve`] follows them); `None` when a reference dangles
    /// or loops.
    pub fn rules(&self, schema: &'a Value, at: &str) -> Option<Rc<Node<'a>>> {
        let mut node = self.node(schema, at);
        for _ in 0..64 {
            match node.shape {
                Shape::Ref(Some(target)) => node = self.node(target, &node.at.clone()),
                Shape::Ref(None) => return None,
                Shape::Rules(_) => return Some(node),
            }
        }
        None
    }

    /// Every gap of `schema` and of every schema it reaches, each node
    /// visited once, in a stable order.
    pub fn gaps(&self, schema: &'a Value, at: &str) -> Vec<Gap> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut todo = vec![(schema, at.to_string())];
        while let Some((schema, at)) = todo.pop() {
            if !seen.insert(schema as *const Value as usize) {
                continue;
            }
            let node = self.node(schema, &at);
            match &node.shape {
                Shape::Ref(Some(target)) => todo.push((target, node.at.clone())),
                Shape::Ref(None) => out.push(Gap {
                    at: node.at.clone(),
                    what: "a `$ref` that names nothing".into(),
                }),
                Shape::Rules(rules) => {
                    out.extend(rules.gaps.iter().cloned());
                    let mut children: Vec<(&'a Value, String)> = Vec::new();
                    for (key, parts) in [
                        ("allOf", &rules.all_of),
                        ("oneOf", &rules.one_of),
                        ("anyOf", &rules.any_of),
                    ] {
                        for (i, part) in parts.iter().enumerate() {
                            children.push((part, format!("{}/{key}/{i}", node.at)));
                        }
                    }
                    if let Some(d) = &rules.discriminator {
                        for (tag, target) in &d.mapping {
                            match target {
                                Some(t) => children.push((t, format!("{}/mapping/{tag}", node.at))),
                                None => out.push(Gap {
                                    at: node.at.clone(),
                                    what: format!("the mapping of `{tag}` names nothing"),
                                }),
                            }
                        }
                    }
                    if let Some(items) = rules.items {
                        children.push((items, format!("{}/items", node.at)));
                    }
                    for (name, property) in &rules.properties {
                        children.push((property, format!("{}/properties/{name}", node.at)));
                    }
                    if let Additional::Schema(extra) = rules.additional {
                        children.push((extra, format!("{}/additionalProperties", node.at)));
                    }
                    // Depth first, in the document's order.
                    todo.extend(children.into_iter().rev());
                }
            }
        }
        out
    }
}

/// Reads one schema object.
fn read<'a>(doc: &'a SpecDoc, schema: &'a Value, at: &str) -> Node<'a> {
    let Some(object) = schema.as_object() else {
        let mut rules = Rules::default();
        if schema != &Value::Bool(true) {
            rules.gaps.push(Gap {
                at: at.to_string(),
                what: format!("`{schema}` is not a schema object"),
            });
        }
        return Node {
            at: at.to_string(),
            shape: Shape::Rules(Box::new(rules)),
        };
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        return Node {
            at: reference.trim_start_matches('#').to_string(),
            shape: Shape::Ref(doc.at(reference)),
        };
    }
    let mut rules = Rules::default();
    let gap = |rules: &mut Rules, what: String| {
        rules.gaps.push(Gap {
            at: at.to_string(),
            what,
        })
    };
    for key in object.keys() {
        let known = HONOURED.contains(&key.as_str())
            || ANNOTATIONS.contains(&key.as_str())
            || key.starts_with("x-");
        if !known {
            gap(
                &mut rules,
                format!("`{key}` is not a keyword the value makers know"),
            );
        }
    }
    let u64_of = |key: &str| object.get(key).and_then(Value::as_u64);
    let list = |key: &str| -> Vec<&'a Value> {
        object
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    };
    rules.example = object.get("example");
    rules.default = object.get("default");
    rules.enumeration = match (object.get("enum"), object.get("const")) {
        (Some(Value::Array(values)), _) => Some(values.clone()),
        (_, Some(one)) => Some(vec![one.clone()]),
        _ => None,
    };
    if rules.enumeration.as_ref().is_some_and(Vec::is_empty) {
        gap(&mut rules, "an empty `enum` (no value is valid)".into());
    }
    rules.nullable = object.get("nullable") == Some(&Value::Bool(true));
    rules.all_of = list("allOf");
    rules.one_of = list("oneOf");
    rules.any_of = list("anyOf");
    rules.discriminator = object.get("discriminator").and_then(|d| {
        let property = d.get("propertyName")?.as_str()?.to_string();
        let mapping: Vec<(String, Option<&'a Value>)> = d
            .get("mapping")?
            .as_object()?
            .iter()
            .map(|(tag, target)| {
                let target = target.as_str().unwrap_or_default();
                let pointer = if target.starts_with('#') {
                    target.to_string()
                } else {
                    format!("#/components/schemas/{target}")
                };
                (tag.clone(), doc.at(&pointer))
            })
            .collect();
        (!mapping.is_empty()).then_some(Discriminator { property, mapping })
    });
    rules.kind = kind(object, &mut rules.nullable);
    if rules.kind == Some(Kind::Unknown) {
        gap(
            &mut rules,
            format!("`type: {}` is not a type", object["type"]),
        );
    }
    rules.format = object.get("format").and_then(Value::as_str);
    rules.pattern = object.get("pattern").and_then(Value::as_str);
    rules.min_length = u64_of("minLength");
    rules.max_length = u64_of("maxLength");
    rules.multiple_of = object.get("multipleOf").and_then(Value::as_number);
    rules.minimum = object.get("minimum").and_then(Value::as_number);
    rules.maximum = object.get("maximum").and_then(Value::as_number);
    // OpenAPI 3.0 flags the bound exclusive; 3.1 (JSON Schema) gives the
    // exclusive bound itself.
    match object.get("exclusiveMinimum") {
        Some(Value::Bool(flag)) => rules.exclusive_minimum = *flag,
        Some(Value::Number(n)) => {
            rules.minimum = Some(n);
            rules.exclusive_minimum = true;
        }
        _ => {}
    }
    match object.get("exclusiveMaximum") {
        Some(Value::Bool(flag)) => rules.exclusive_maximum = *flag,
        Some(Value::Number(n)) => {
            rules.maximum = Some(n);
            rules.exclusive_maximum = true;
        }
        _ => {}
    }
    rules.items = object.get("items");
    rules.min_items = u64_of("minItems");
    rules.max_items = u64_of("maxItems");
    rules.unique_items = object.get("uniqueItems") == Some(&Value::Bool(true));
    rules.properties = object
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default();
    rules.required = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    rules.additional = match object.get("additionalProperties") {
        Some(Value::Bool(false)) => Additional::None,
        Some(extra @ Value::Object(_)) => Additional::Schema(extra),
        _ => Additional::Any,
    };
    rules.min_properties = u64_of("minProperties");
    rules.max_properties = u64_of("maxProperties");
    if let Some(format) = rules.format
        && FORMAT_RULES.iter().any(|(name, _)| *name == format)
        && !MADE_FORMATS.contains(&format)
    {
        gap(
            &mut rules,
            format!("`format: {format}` values are not made"),
        );
    }
    Node {
        at: at.to_string(),
        shape: Shape::Rules(Box::new(rules)),
    }
}

/// Formats the oracle checks that the makers make values of (integer and
/// number formats by their ranges, string formats by samples); a format
/// the oracle does not check is an annotation.
const MADE_FORMATS: &[&str] = &[
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "uint",
    "float",
    "uuid",
    "date-time",
    "date",
    "time",
    "duration",
    "base64url",
    "byte",
    "email",
    "hostname",
    "uri",
    "ipv4",
    "ipv6",
    "ip",
    "mac",
];

/// The declared kind (a 3.1 `type` list gives its first non-`null` entry
/// and makes the schema nullable), else the one the keywords suggest.
fn kind(object: &Map<String, Value>, nullable: &mut bool) -> Option<Kind> {
    let named = |name: &str| match name {
        "object" => Kind::Object,
        "array" => Kind::Array,
        "string" => Kind::String,
        "integer" => Kind::Integer,
        "number" => Kind::Number,
        "boolean" => Kind::Boolean,
        "null" => Kind::Null,
        _ => Kind::Unknown,
    };
    match object.get("type") {
        Some(Value::String(name)) => return Some(named(name)),
        Some(Value::Array(names)) => {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            *nullable |= names.contains(&"null");
            if let Some(first) = names.iter().find(|n| **n != "null") {
                return Some(named(first));
            }
            if !names.is_empty() {
                return Some(Kind::Null);
            }
        }
        Some(_) => return Some(Kind::Unknown),
        None => {}
    }
    if object.contains_key("properties") || object.contains_key("required") {
        Some(Kind::Object)
    } else if object.contains_key("items") {
        Some(Kind::Array)
    } else {
        None
    }
}

/// The range an integer or number `format` implies, when it implies one.
pub fn format_range(format: Option<&str>) -> Option<(f64, f64)> {
    Some(match format? {
        "int8" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        "uint8" => (0.0, f64::from(u8::MAX)),
        "int16" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "uint16" => (0.0, f64::from(u16::MAX)),
        "int32" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "uint32" => (0.0, f64::from(u32::MAX)),
        "int64" => (i64::MIN as f64, i64::MAX as f64),
        "uint64" | "uint" => (0.0, u64::MAX as f64),
        "float" => (-f64::from(f32::MAX), f64::from(f32::MAX)),
        _ => return None,
    })
}
