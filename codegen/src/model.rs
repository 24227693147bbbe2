//! The intermediate model: what the emitters read. It is built from
//! `openapiv3` types by `lower` and never refers to them, so emitters stay
//! independent of the parser and every `$ref` is already resolved.
//!
//! Each item keeps the spec's own name next to the Rust name chosen for it,
//! and the JSON pointer it came from.
//!
//! Lowering also makes, once, the decisions that the emitters would
//! otherwise each repeat: what every alias stands for
//! ([`TypeDef::target`], read through [`Api::resolve`]), which types
//! admit `null` ([`TypeDef::admits_null`]), the merged fields of struct
//! types ([`TypeDef::fields`]), which fields and variants hold their type
//! in a `Box` ([`Property::boxed`], [`TypeDef::boxed_parts`]), how each
//! `oneOf`/`anyOf` is held ([`TypeDef::choice`]), and the steps of each
//! path ([`Operation::steps`]). The emitters render them.

use std::collections::BTreeMap;

/// A whole API, ready to emit. The default is an empty API (for tests
/// that build a model by hand).
#[derive(Debug, Clone, PartialEq, Default)]
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

/// Hosts of Microsoft Graph's service roots, one per national cloud.
const GRAPH_HOSTS: [&str; 4] = [
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
];

impl Api {
    /// Whether the spec describes Microsoft Graph: a server's host is a
    /// Graph service root's, a server names its cloud (`x-cloud`), or an
    /// operation lists `x-graph-permissions`. The runtime switches
    /// Graph-only behaviour on this (the Graph default base URL and
    /// permission preflight), so another API's credentials never go to
    /// Graph by default.
    pub fn is_graph(&self) -> bool {
        let graph_host = |url: &str| {
            let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
            let host = after_scheme
                .split(['/', ':', '?', '#'])
                .next()
                .unwrap_or_default();
            GRAPH_HOSTS.iter().any(|g| host.eq_ignore_ascii_case(g))
        };
        self.servers
            .iter()
            .any(|s| s.cloud.is_some() || graph_host(&s.url))
            || self.operations.iter().any(|op| !op.permissions.is_empty())
    }

    /// The schema `schema` stands for once wrappers (see
    /// [`Schema::unwrapped`]) and aliases (see [`TypeDef::target`]) are
    /// seen through. A reference to a type on a [`Target::Ring`] stands
    /// for that type's schema as written.
    pub fn resolve<'a>(&'a self, schema: &'a Schema) -> &'a Schema {
        let unwrapped = schema.unwrapped();
        let SchemaKind::Named(name) = &unwrapped.kind else {
            return unwrapped;
        };
        let Some(mut def) = self.types.get(name) else {
            return unwrapped;
        };
        if let Target::Alias(end) = &def.target {
            match self.types.get(end) {
                Some(found) => def = found,
                None => return unwrapped,
            }
        }
        match def.target {
            Target::Ring(_) => &def.schema,
            _ => def.schema.unwrapped(),
        }
    }

    /// Whether a parameter's value is an array or an object, which its
    /// style spells item by item, rather than a scalar written as one
    /// text.
    pub fn is_structured(&self, schema: &Schema) -> bool {
        matches!(
            self.resolve(schema).kind,
            SchemaKind::Array(_) | SchemaKind::Object(_)
        )
    }

    /// Whether `null` is a valid value of `schema`: it says so, or a named
    /// type it refers to admits `null` (see [`TypeDef::admits_null`]), or
    /// a part of a choice does (the Rust type of a choice holds no `null`
    /// itself).
    pub fn admits_null(&self, schema: &Schema) -> bool {
        schema.nullable
            || match &schema.kind {
                SchemaKind::Named(name) => self.types.get(name).is_some_and(|d| d.admits_null),
                SchemaKind::AllOf(parts) => sole_part(parts).is_some_and(|p| self.admits_null(p)),
                SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                    parts.iter().any(|p| self.admits_null(p))
                }
                _ => false,
            }
    }
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

/// One `/`-separated step of a path template; empty steps (a leading or
/// doubled `/`) are left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathStep {
    /// Plain text, without `/`.
    Literal(String),
    /// A step with `{param}`s in it: its literal text with the parameters
    /// left out, and the parameters' names in order. The whole step is
    /// one parameter when `text` is empty.
    Templated {
        /// The literal text around the parameters.
        text: String,
        /// The parameters' names.
        params: Vec<String>,
        /// How the fluent step takes each parameter, in the order of
        /// `params`: decided once for every operation whose path goes
        /// through this step (see `lower::steps`).
        values: Vec<StepValue>,
    },
}

/// How a step of the fluent path takes a path parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepValue {
    /// Text: a scalar's text; also an array's or object's JSON text where
    /// the operations sharing the step disagree on what the parameter is
    /// (lowering warns there).
    Text,
    /// An array or object, taken typed as the flat method takes it and
    /// spelt in each operation's style by the runtime.
    Typed,
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
    /// The template split at each `/` (see [`PathStep`]): the fluent
    /// builders' steps.
    pub steps: Vec<PathStep>,
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
/// `openapi_runtime::BodyKind`, which this mirrors).
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
    /// `multipart/form-data` with an object schema: a typed form whose
    /// properties are the parts ([`Body::parts`]), built by the client.
    /// [`BodyKind::of`] never gives it; lowering decides it from the schema.
    Multipart,
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
    /// The parts of a [`BodyKind::Multipart`] body, in the schema's
    /// property order; empty for other kinds.
    pub parts: Vec<FormPart>,
}

/// How one property of a multipart form travels (see
/// `openapi_runtime::PartKind`, which this mirrors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A string, number or boolean, or a list of them (one part each).
    Text,
    /// A `format: binary`/`byte` string, or a list of them: a file part.
    File,
    /// Anything else: one part of JSON text.
    Json,
}

/// One property of a `multipart/form-data` body: one part (or one per
/// item of a list).
#[derive(Debug, Clone, PartialEq)]
pub struct FormPart {
    /// The property name: the part's name on the wire.
    pub name: String,
    /// The form struct's field name.
    pub rust_name: String,
    /// How it travels.
    pub kind: PartKind,
    /// Whether the schema lists it as required.
    pub required: bool,
    /// Whether it is a list: the part repeated, once per item.
    pub repeated: bool,
    /// The property's schema.
    pub schema: Schema,
    /// The spec's `encoding.{name}.contentType`, when given.
    pub content_type: Option<String>,
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
    /// The schema this one stands for without following named types: a
    /// one-part `allOf` (the usual way to annotate a `$ref`) is its part,
    /// and a choice of one real part beside parts that only admit `null`
    /// (see [`alias_part`]) is that part. Only nesting is walked, so it
    /// ends on any model.
    pub fn unwrapped(&self) -> &Schema {
        let mut current = self;
        loop {
            current = match &current.kind {
                SchemaKind::AllOf(parts) => match sole_part(parts) {
                    Some(part) => part,
                    None => return current,
                },
                SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => match alias_part(parts) {
                    Some(part) => part,
                    None => return current,
                },
                _ => return current,
            };
        }
    }

    /// The named type this schema holds directly (a `$ref`, seen through
    /// [`Schema::unwrapped`]), if any.
    pub fn named_target(&self) -> Option<&str> {
        match &self.unwrapped().kind {
            SchemaKind::Named(name) => Some(name),
            _ => None,
        }
    }

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

/// Whether a part of a choice only says "or null" (`{type: object,
/// nullable: true}` with nothing else, or `{nullable: true}`): Graph's way
/// to make a `$ref` nullable. Judged on the part as written.
pub fn is_null_carrier(part: &Schema) -> bool {
    part.nullable
        && match &part.kind {
            SchemaKind::Any => true,
            SchemaKind::Object(o) => {
                o.properties.is_empty()
                    && o.additional == Additional::Any
                    && o.min_properties.is_none()
                    && o.max_properties.is_none()
                    && o.required_undeclared.is_empty()
            }
            _ => false,
        }
}

/// The one real part of a choice whose other parts only carry `null`
/// (see [`is_null_carrier`]).
pub fn alias_part(parts: &[Schema]) -> Option<&Schema> {
    let mut real = parts.iter().filter(|p| !is_null_carrier(p));
    let first = real.next()?;
    real.next().is_none().then_some(first)
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
    /// Whether the struct field holds its named type in a `Box`, because
    /// that type holds the struct again (set by lowering on
    /// [`TypeDef::fields`] only).
    pub boxed: bool,
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
    /// What it stands for once aliases are seen through (decided by
    /// lowering once every type is known; see [`Api::resolve`]).
    pub target: Target,
    /// Whether `null` is one of its values: its schema is nullable, or a
    /// type it is an alias of is, or a part of its choice is (decided by
    /// lowering once every type is known; see [`Api::admits_null`]).
    pub admits_null: bool,
    /// Its fields when it is emitted as a struct (an object with
    /// properties, or an `allOf` whose parts are all objects): the
    /// properties of every part merged (decided by lowering once every
    /// type is known); `None` for every other type.
    pub fields: Option<Fields>,
    /// For a `oneOf`/`anyOf`: the indices of the parts whose variant holds
    /// its named type in a `Box`, because that type holds the choice again
    /// (decided by lowering); empty for every other type.
    pub boxed_parts: Vec<usize>,
    /// For a `oneOf`/`anyOf`: how it is held in Rust (decided by lowering
    /// once every type is known, see `lower::choice`); `None` for every
    /// other type.
    pub choice: Option<ChoicePlan>,
}

impl TypeDef {
    /// A type as the spec gives it, before lowering has decided what
    /// depends on every other type (its target, nullability, fields, boxed
    /// parts and choice plan), and without a discriminator.
    pub fn undecided(rust_name: String, spec_name: String, schema: Schema) -> TypeDef {
        TypeDef {
            rust_name,
            spec_name,
            schema,
            discriminator: None,
            target: Target::Itself,
            admits_null: false,
            fields: None,
            boxed_parts: Vec::new(),
            choice: None,
        }
    }
}

/// How a `oneOf`/`anyOf` type is held in Rust. The validators judge the
/// JSON value against the choice whatever the plan; the plan only decides
/// the typed surface, and an enum is generated only where deserialising
/// picks the variant the value really is.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoicePlan {
    /// One real part (this index) beside parts that only admit `null`
    /// (Graph's nullable reference): that part's type, nullable.
    Alias(usize),
    /// Every part is a string: a string newtype (which pattern a text
    /// matches is the validators' business).
    Text,
    /// Every part is a string `enum`: one enum of all their values.
    Values(Vec<String>),
    /// An enum tagged by a property (a `discriminator`, or one that every
    /// part requires with constant strings of its own).
    Tagged {
        /// The tag property.
        property: String,
        /// One per part.
        variants: Vec<Variant>,
        /// Whether every part declares the property itself (the variant
        /// writes it, and it is read to choose); otherwise none does, and
        /// serde's internal tagging writes it.
        declared: bool,
    },
    /// An untagged enum: the parts have distinct JSON types, so the type
    /// of the value picks the variant, tried in this order.
    Untagged(Vec<Variant>),
    /// An enum read by validation: parts share a JSON type, so the value is
    /// the variant of the part it is valid against
    /// (`openapi_runtime::validate::chosen_part`); written untagged.
    Validated(Vec<Variant>),
    /// Held as a JSON value, and why no enum can be correct.
    Json(String),
}

/// One variant of a generated choice enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The Rust variant name.
    pub name: String,
    /// The part's index among the choice's parts.
    pub part: usize,
    /// Tag values that select it (tagged enums only), first one canonical.
    pub tags: Vec<String>,
}

/// The fields of a struct type: the properties of its object, or of all
/// the parts of its `allOf` merged into one list.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// Properties, sorted by JSON name, their Rust names unique across
    /// the merged parts. A property declared by several parts is required
    /// when any part requires it, and has the schema of the last part
    /// that declares it.
    pub properties: Vec<Property>,
    /// What other properties may be: forbidden when every part forbids
    /// them, else the first part's schema for them, else anything.
    pub additional: Additional,
}

/// What a named type stands for. A type is an alias when its schema,
/// seen through one-part `allOf`s and choices of one real part beside
/// parts that only admit `null` (see [`Schema::unwrapped`]), is a
/// reference to another named type: its Rust type is `type A = B;`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// Not an alias: its own schema, unwrapped, is what it stands for.
    #[default]
    Itself,
    /// An alias; the chain of aliases ends at this named type, which is
    /// [`Target::Itself`] or on a [`Target::Ring`].
    Alias(String),
    /// On a ring of aliases that leads back to itself (Rust names, in
    /// order, starting with this type): no type stands at its end.
    /// Lowering reports a ring of `$ref`s and `allOf`s as an error; a
    /// choice on a ring is held as a JSON value, with a warning.
    Ring(Vec<String>),
}

/// A `discriminator` with its `mapping`: an object whose `property` holds
/// one of the mapped values is judged by that value's type instead (see
/// `openapi_runtime::validate::Discriminator`).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_servers(servers: &[(&str, Option<&str>)]) -> Api {
        Api {
            title: String::new(),
            version: String::new(),
            source: String::new(),
            servers: servers
                .iter()
                .map(|(url, cloud)| Server {
                    url: (*url).to_owned(),
                    description: String::new(),
                    cloud: cloud.map(str::to_owned),
                })
                .collect(),
            operations: Vec::new(),
            types: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn graph_is_told_by_its_hosts_or_a_cloud_name() {
        assert!(with_servers(&[("https://graph.microsoft.com/beta", None)]).is_graph());
        assert!(with_servers(&[("https://GRAPH.microsoft.us:443/v1.0", None)]).is_graph());
        assert!(
            with_servers(&[("/v1", None), ("https://dod-graph.microsoft.us", None)]).is_graph()
        );
        assert!(with_servers(&[("http://127.0.0.1:8080/beta", Some("global"))]).is_graph());
        // Look-alikes and other APIs are not Graph.
        assert!(
            !with_servers(&[("https://graph.microsoft.com.evil.example/beta", None)]).is_graph()
        );
        assert!(!with_servers(&[("https://api.example.com/graph.microsoft.com", None)]).is_graph());
        assert!(!with_servers(&[("/v1", None)]).is_graph());
        assert!(!with_servers(&[]).is_graph());
    }
}
