//! The spec oracle: judges what went over the wire against `spec/` read
//! directly (YAML as plain JSON values), never through the generator or
//! generated code, so a generator bug cannot hide by being wrong the same
//! way on both sides.
//!
//! [`Oracle::judge`] takes a recorded [`Exchange`](crate::exchange::Exchange)
//! and makes these checks, each giving a [`Finding`]:
//!
//! | check | what it asks |
//! |---|---|
//! | `route` | the path is under a server's root, matches a path template, and the template defines the method |
//! | `path-parameters` | each value percent-decodes to UTF-8, is not a dot segment, and validates against its schema; arrays, objects and `label`/`matrix` values are read in their style first ([`path_styles`]) |
//! | `query` | required query parameters present, every one declared and valid |
//! | `security` | one security alternative is met: a well-formed `Authorization: Bearer <token68>` for `http bearer`, OAuth2 and OpenID Connect, the scheme for other `http` schemes, the key for `apiKey` |
//! | `headers` | required header parameters present and valid; a body carries a `Content-Type` the operation accepts; an `Accept` admits a documented response media type |
//! | `body` | present when required, absent when none is declared, valid JSON that validates against the schema (JSON Schema Draft 4 from [`to_json_schema`]); a `multipart/form-data` body with an object schema is read part by part ([`multipart`]): required parts sent, each text part valid against its property schema (file parts are not checked) |
//! | `response-status` | documented by exact code, range or `default`; a 2xx covered only by `default` counts as undocumented |
//! | `response-headers` | required documented headers present, documented ones valid, `Retry-After` is seconds or an HTTP-date |
//! | `response-body` | none for 1xx/204/304 or where the spec documents none (no bytes, no `Content-Length` > 0, no `Content-Type`); otherwise the documented media type, validating against its schema |
//!
//! Not checked (yet): OAuth2 scopes (an opaque token does not show them),
//! non-JSON body content (but for the text parts of a `multipart/form-data` form), `style`/`explode` serialisations of query and
//! header values other than scalars, cookie parameters, `deprecated`, response `links`, and
//! `readOnly`/`writeOnly` (annotations dropped by the translation).

pub mod bundle;
pub mod discriminator;
pub mod headers;
pub mod inherit;
pub mod json_schema;
pub mod judge;
pub mod matching;
pub mod multipart;
pub mod operations;
pub mod path_styles;
pub mod query_styles;
pub mod spec;
pub mod verdict;

pub use json_schema::{FORMAT_RULES, to_json_schema};
pub use judge::Oracle;
pub use operations::{SpecBody, SpecMedia, SpecOperation, SpecParam, SpecResponse, SpecScheme};
pub use spec::{BodySchema, SpecDoc};
pub use verdict::{Check, Finding, Outcome, Verdict};
