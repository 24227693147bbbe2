//! The intermediate model: what the emitters read. It is built from
//! `openapiv3` types by `lower` and never refers to them, so emitters stay
//! independent of the parser and every `$ref` is already resolved.
//!
//! Each item keeps the spec's own name next to the Rust name chosen for it,
//! and the JSON pointer it came from.

use std::collections::BTreeMap;

/// A whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The spec file's name as given, recorded in the generated header.
    pub source: String,
    /// Service roots from `servers`.
    pub servers: Vec<Server>,
    /// Operations sorted by path then method.
    pub operations: Vec<Operation>,
    /// Named types (component schemas and named inline types), by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// What the generated code does not enforce, located (see
    /// [`crate::diag::Severity::Warning`]), sorted by place.
    pub warnings: Vec<crate::diag::Diagnostic>,
}

/// One `servers` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The URL with server variables replaced by their defaults.
    pub url: String,
    /// Its description.
    pub description: String,
    /// The `x-cloud` extension, when present.
    pub cloud: Option<String>,
}

/// HTTP methods an OpenAPI path item can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// `get`
    Get,
    /// `put`
    Put,
    /// `post`
    Post,
    /// `delete`
    Delete,
    /// `options`
    Options,
    /// `head`
    Head,
    /// `patch`
    Patch,
    /// `trace`
    Trace,
}

impl Method {
    /// Lower-case name, as in the spec and in JSON pointers.
    pub fn spec_name(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text, slashes included.
    Literal(String),
    /// A `{name}` placeholder.
    Param(String),
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The spec's `operationId`; made from the method and path when there
    /// is none, and made unique when an earlier operation has the same one
    /// (see `lower::operation`), so that it names one operation.
    pub id: String,
    /// The snake_case Rust name of its flat client method.
    pub rust_name: String,
    /// The method.
    pub method: Method,
    /// The path template as written in the spec.
    pub path: String,
    /// The template split into pieces.
    pub segments: Vec<PathSegment>,
    /// `summary`, or empty.
    pub summary: String,
    /// `description`, or empty.
    pub description: String,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
    /// Path, query and header parameters (path ones first, in template order).
    pub params: Vec<Param>,
    /// The JSON request body, if any.
    pub body: Option<Body>,
    /// Documented responses, in the spec's order.
    pub responses: Vec<Response>,
    /// Permission alternatives (each inner list is needed in full).
    pub permissions: Vec<Vec<String>>,
    /// Whether the operation needs a credential (any security requirement
    /// applies and none of the alternatives is empty).
    pub auth_required: bool,
    /// Security alternatives: the client sends every scheme of one inner
    /// list; an empty inner list means no credential is needed. Empty when
    /// the spec names no security for the operation.
    pub security: Vec<Vec<SecurityScheme>>,
    /// Its own `servers`: the operation's, else its path item's; empty
    /// when it uses the document's (the client's base URL).
    pub servers: Vec<Server>,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

/// How one security scheme's credential travels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecurityScheme {
    /// `Authorization: Bearer` (OAuth 2.0, OpenID Connect, HTTP `bearer`).
    Bearer,
    /// `Authorization: Basic` (HTTP `basic`).
    Basic,
    /// An API key (`apiKey`).
    ApiKey {
        /// The scheme's key in `components/securitySchemes`.
        scheme: String,
        /// The header, query parameter or cookie name.
        name: String,
        /// Where it travels.
        location: KeyLocation,
    },
    /// A scheme the runtime cannot send (HTTP `digest`, say); the
    /// generator warned about it.
    Unsupported {
        /// The scheme's key in `components/securitySchemes`.
        scheme: String,
    },
}

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In the `Cookie` header.
    Cookie,
}

/// How a parameter's value is written (OpenAPI `style` and `explode`, or
/// `content` for a JSON-encoded one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `simple` (path and header default): arrays comma-separated; objects
    /// `k,v,k,v`, or `k=v,k=v` with `explode`.
    Simple {
        /// Whether objects are written `k=v`.
        explode: bool,
    },
    /// `form` (query and cookie default): `explode: true` repeats the name
    /// per array item (and writes each object property as its own pair),
    /// otherwise commas.
    Form {
        /// Whether arrays repeat the parameter name.
        explode: bool,
    },
    /// `spaceDelimited` (query): items separated by spaces.
    SpaceDelimited {
        /// Whether arrays repeat the parameter name instead.
        explode: bool,
    },
    /// `pipeDelimited` (query): items separated by `|`.
    PipeDelimited {
        /// Whether arrays repeat the parameter name instead.
        explode: bool,
    },
    /// `deepObject` (query): `name[key]=value` per property.
    DeepObject,
    /// `label` (path): `.a,b`; with `explode`, `.a.b` (objects `.k=v.k2=v2`).
    Label {
        /// Whether items (and properties) each get their own `.`.
        explode: bool,
    },
    /// `matrix` (path): `;id=a,b`; with `explode`, `;id=a;id=b` (objects
    /// `;k=v;k2=v2`).
    Matrix {
        /// Whether items (and properties) each get their own `;`.
        explode: bool,
    },
    /// `content: {application/json: ...}`: the value as JSON text.
    Json,
}

/// A non-body parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name in the spec and on the wire.
    pub name: String,
    /// Rust field or argument name.
    pub rust_name: String,
    /// Where it travels.
    pub location: ParamLocation,
    /// Whether it must be given.
    pub required: bool,
    /// Its value's schema.
    pub schema: Schema,
    /// How it is serialised.
    pub style: ParamStyle,
    /// Its description, or empty.
    pub description: String,
    /// JSON pointer of the parameter object.
    pub pointer: String,
}

/// How a request body travels, from its media type (see
/// `graph_runtime::BodyKind`, which this mirrors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BodyKind {
    /// JSON (`application/json`, `...+json`): the schema's type.
    Json,
    /// `application/x-www-form-urlencoded`: the schema's type, form-encoded.
    Form,
    /// `text/*` and XML: a string.
    Text,
    /// One binary media type (`application/octet-stream`, `image/png`):
    /// bytes.
    Binary,
    /// A media range (`*/*`) or `multipart/*`: bytes with the caller's
    /// `Content-Type`.
    Raw,
}

impl BodyKind {
    /// The kind of a media type as the spec writes it.
    pub fn of(media_type: &str) -> BodyKind {
        let essence = crate::lower::essence(media_type);
        if crate::lower::is_json(&essence) {
            BodyKind::Json
        } else if essence == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else if essence.contains('*') || essence.starts_with("multipart/") {
            BodyKind::Raw
        } else if essence.starts_with("text/")
            || essence == "application/xml"
            || essence.ends_with("+xml")
        {
            BodyKind::Text
        } else {
            BodyKind::Binary
        }
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The media type, e.g. `application/json`: the one the typed method
    /// sends.
    pub content_type: String,
    /// How it travels.
    pub kind: BodyKind,
    /// Whether the body must be sent.
    pub required: bool,
    /// Its schema; named types appear as [`SchemaKind::Named`]. `Any` for
    /// the kinds whose content is not judged (binary, raw).
    pub schema: Schema,
    /// The body's description, or empty.
    pub description: String,
    /// Other media types the spec documents for the body, in its order:
    /// sent as raw bytes, their schemas not judged.
    pub others: Vec<String>,
}

/// Which statuses a response documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// One code.
    Code(u16),
    /// `1XX`..`5XX`, by its first digit.
    Range(u16),
    /// `default`.
    Default,
}

/// A documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Which statuses it covers.
    pub status: Status,
    /// Its description.
    pub description: String,
    /// The body's media type, `None` when it has no body.
    pub content_type: Option<String>,
    /// The JSON body schema, when the body is JSON with a schema.
    pub schema: Option<Schema>,
    /// Documented header names, sorted.
    pub headers: Vec<String>,
}

/// A schema after `$ref` resolution of everything but named types.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// What kind of value.
    pub kind: SchemaKind,
    /// `nullable: true`.
    pub nullable: bool,
    /// Its description, or empty.
    pub description: String,
    /// JSON pointer where it is written (the referencing place for named ones).
    pub pointer: String,
}

impl Schema {
    /// A reference to the named type `name`, written nowhere in particular
    /// (for references the generator follows on its own, such as a
    /// discriminator's mapping).
    pub fn named(name: &str) -> Schema {
        Schema {
            kind: SchemaKind::Named(name.to_string()),
            nullable: false,
            description: String::new(),
            pointer: String::new(),
        }
    }
}

/// The kinds of schema the generator understands.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaKind {
    /// A component schema, by its key in `components/schemas`.
    Named(String),
    /// Any JSON value (no `type`, no constraints).
    Any,
    /// A string.
    String(StringSchema),
    /// An integer.
    Integer(NumberSchema),
    /// A number.
    Number(NumberSchema),
    /// `true` or `false`; `Some(b)` when an `enum` admits only `b`.
    Boolean(Option<bool>),
    /// An array.
    Array(ArraySchema),
    /// An object.
    Object(ObjectSchema),
    /// `allOf`: a value valid against every part.
    AllOf(Vec<Schema>),
    /// `oneOf`: valid against exactly one part.
    OneOf(Vec<Schema>),
    /// `anyOf`: valid against at least one part.
    AnyOf(Vec<Schema>),
    /// `not`: valid when the value is not valid against the schema. It
    /// only narrows a value, so the Rust type is that of what it sits
    /// beside (an `allOf` part), or a JSON value alone.
    Not(Box<Schema>),
}

/// String constraints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StringSchema {
    /// `format`, e.g. `date-time`.
    pub format: Option<String>,
    /// `pattern`, an ECMA-262 regular expression checked at generation time.
    pub pattern: Option<String>,
    /// `minLength`, in characters.
    pub min_length: Option<usize>,
    /// `maxLength`, in characters.
    pub max_length: Option<usize>,
    /// `enum` values (strings only; `null` is represented by `nullable`).
    pub enumeration: Vec<String>,
}

/// Integer and number constraints (bounds kept as `f64`, exact for
/// integers up to 2^53, which covers `int32` and the ranges Graph uses).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NumberSchema {
    /// `format`, e.g. `int32`.
    pub format: Option<String>,
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
    /// `enum` values.
    pub enumeration: Vec<f64>,
}

/// Array constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct ArraySchema {
    /// The items' schema.
    pub items: Box<Schema>,
    /// `minItems`.
    pub min_items: Option<usize>,
    /// `maxItems`.
    pub max_items: Option<usize>,
    /// `uniqueItems`.
    pub unique_items: bool,
}

/// What an object says about properties it does not list.
#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    /// Anything goes (`additionalProperties` absent or `true`).
    Any,
    /// `additionalProperties: false`.
    Forbidden,
    /// Every other property must match this schema.
    Schema(Box<Schema>),
}

/// One declared property.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The JSON name, kept exactly.
    pub name: String,
    /// The Rust field name.
    pub rust_name: String,
    /// Whether `required` lists it.
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
    /// Other JSON names accepted when reading (`x-property-aliases`).
    pub aliases: Vec<String>,
}

/// Object constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSchema {
    /// Declared properties, sorted by JSON name.
    pub properties: Vec<Property>,
    /// What other properties may be.
    pub additional: Additional,
    /// `minProperties`.
    pub min_properties: Option<usize>,
    /// `maxProperties`.
    pub max_properties: Option<usize>,
    /// Names listed in `required` that are not declared properties.
    pub required_undeclared: Vec<String>,
}

/// A named type to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust type name.
    pub rust_name: String,
    /// The key in `components/schemas`, or the place an inline type came from.
    pub spec_name: String,
    /// Its schema.
    pub schema: Schema,
    /// Its `discriminator`, when it has one (component schemas only).
    pub discriminator: Option<Discriminator>,
}

/// A `discriminator` with its `mapping`: an object whose `property` holds
/// one of the mapped values is judged by that value's type instead (see
/// `graph_runtime::validate::Discriminator`).
#[derive(Debug, Clone, PartialEq)]
pub struct Discriminator {
    /// `propertyName`.
    pub property: String,
    /// Value → Rust name of the mapped type, sorted by value.
    pub mapping: Vec<(String, String)>,
}

/// The one part of an `allOf` that says what a value is: its only part,
/// or its only part beside `not`s, which narrow a value without changing
/// its shape (`{type: string, not: {enum: [root]}}` is a `String`).
pub fn sole_part(parts: &[Schema]) -> Option<&Schema> {
    let mut positive = parts
        .iter()
        .filter(|p| !matches!(p.kind, SchemaKind::Not(_)));
    let first = positive.next()?;
    positive.next().is_none().then_some(first)
}
