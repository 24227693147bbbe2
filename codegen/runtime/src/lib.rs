//! Hand-written runtime for the OpenAPI clients that the `codegen` crate
//! generates, for any API. What only Microsoft Graph wants (its default
//! service root, permission preflight, national clouds) is switched on by
//! the spec, through the generated crate's [`Service`].
//!
//! Generated code stays small because everything that is the same for every
//! operation lives here: the [`Route`] table types, path-segment encoding,
//! the HTTP transport ([`Client`]), JSON encoding of request bodies, decoding
//! of responses against the documented statuses, and Graph's OData error
//! envelope. A generated operation is a `static` [`Route`] and a method that hands it,
//! with the typed arguments, to one generic call:
//!
//! ```no_run
//! use openapi_runtime::validate::{self as v, ParamRule, Scalar};
//! use openapi_runtime::{Args, Body, Client, Method, ResponseSpec, Route, StatusSpec};
//!
//! static ASSIGN_BODY: v::Schema = v::object(v::ObjectRules {
//!     properties: &[v::required("deviceIds", &v::array(&v::STRING))],
//!     additional: v::Additional::Forbidden,
//!     ..v::ObjectRules::OPEN
//! });
//!
//! static ASSIGN: Route = Route {
//!     operation_id: "windowsAutopilotDeploymentProfiles_assign",
//!     method: Method::Post,
//!     template: "/deviceManagement/windowsAutopilotDeploymentProfiles/{id}/assign",
//!     params: &[ParamRule::path("id", Scalar::String, &v::STRING)],
//!     body: Some(Body::json(&ASSIGN_BODY)),
//!     auth: true,
//!     security: &[],
//!     responses: &[ResponseSpec::no_body(StatusSpec::Code(204))],
//!     permissions: &[],
//!     summary: "Assign a deployment profile to devices",
//!     servers: &[],
//! };
//!
//! async fn assign(client: &Client, id: &str, device_ids: &[&str]) -> Result<(), openapi_runtime::Error> {
//!     let body = serde_json::json!({ "deviceIds": device_ids });
//!     client.call_empty(&ASSIGN, Args::new(&[id]).body(&body)).await
//! }
//! ```
//!
//! The bearer token is held in a [`SecretToken`] and never appears in a
//! `Debug` or `Display` output, nor in the `tracing` events this crate emits.

#![warn(missing_docs)]

#[cfg(feature = "azure-identity")]
pub mod azure;
pub mod client;
pub mod cloud;
pub mod decode;
pub mod dispatch;
pub mod encode;
pub mod error;
pub mod multipart;
pub mod observe;
pub mod odata;
pub mod path;
pub mod preflight;
pub mod retry;
pub mod route;
pub mod secret;
pub mod token;
pub mod upload;
pub mod validate;
pub mod violation;

pub use client::{Client, ClientBuilder, Response};
pub use cloud::Cloud;
pub use error::Error;
pub use multipart::{FilePart, MultipartForm};
pub use odata::ODataError;
pub use retry::RetryPolicy;
pub use route::*;
pub use secret::SecretToken;
pub use token::{EnvToken, TokenProvider};
pub use upload::Upload;
pub use validate::client::{Args, RawBody};
pub use validate::path_style::{PathArg, PathValue};
pub use violation::Violation;

// Re-exported so that a generated crate can derive and (de)serialise its
// types through `openapi_runtime::serde` without declaring the crates itself.
pub use serde;
pub use serde_json;

/// A JSON object: what a generated type keeps of the properties its schema
/// does not list, and the Rust type of a free-form object schema. One name
/// instead of `serde_json::Map<String, serde_json::Value>` in every such
/// place keeps the generated code short.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;
