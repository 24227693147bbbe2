//! Calling any operation of a generated client by its operation id, with
//! generic arguments: what a conformance job, a proxy or a scripting layer
//! needs when it cannot name the typed methods.
//!
//! A generated crate emits, per spec, one [`Api`]: its route table, its
//! servers, its server-side reader and one [`Operation`] per operation.
//! Each operation can be called three ways with the same [`DispatchArgs`]:
//!
//! * raw: [`call`] sends the route with the arguments (checked against the
//!   spec first, as every typed call is) and gives the raw [`Response`];
//! * flat: [`Operation::flat`] converts the arguments to the typed ones and
//!   calls the generated flat method (`client.operation_id(...)`);
//! * fluent: [`Operation::fluent`] does the same through the fluent path
//!   (`client.a().by_id(..).b().post(..)`), so that a fluent path that
//!   reaches the wrong route is visible on the wire.
//!
//! The typed forms give the typed result as JSON (`null` for no body).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::validate::client::Args;
use crate::validate::serve::Rejection;
use crate::{Client, Error, ParamLocation, Response, Route, Server, Violation};

/// The generic arguments of one call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct DispatchArgs {
    /// Path parameter values by their names in the template, not encoded:
    /// a scalar's text, or the JSON text of an array or object parameter,
    /// which the runtime writes in the parameter's style.
    pub path: BTreeMap<String, String>,
    /// Query and header parameter values by their names in the spec, as
    /// JSON (a string, number, boolean or array of them).
    pub params: Map<String, Value>,
    /// The JSON body, when the call sends one.
    pub body: Option<Value>,
}

impl DispatchArgs {
    /// No arguments.
    pub fn new() -> Self {
        DispatchArgs::default()
    }

    /// With the path parameter `name` set to `value`.
    pub fn path(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path.insert(name.into(), value.into());
        self
    }

    /// With the query or header parameter `name` set to `value`.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// With this JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The path parameter values in the order of `route`'s template; a
    /// missing one, or one the template does not have, is a located
    /// violation.
    pub fn path_values(&self, route: &'static Route) -> Result<Vec<&str>, Error> {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let names: Vec<&str> = route.path_param_names().collect();
        for name in &names {
            match self.path.get(*name) {
                Some(value) => out.push(value.as_str()),
                None => problems.push(Violation::new(
                    format!("/path/{name}"),
                    "required",
                    format!("path parameter `{name}` was not given"),
                )),
            }
        }
        for given in self.path.keys() {
            if !names.contains(&given.as_str()) {
                problems.push(Violation::new(
                    format!("/path/{given}"),
                    "undeclared",
                    format!("`{}` has no path parameter `{given}`", route.template),
                ));
            }
        }
        refuse(route, problems)?;
        Ok(out)
    }

    /// The query and header parameters as the operation's typed parameter
    /// struct `P`; a name the operation does not declare, or a value `P`
    /// cannot hold, is a located violation.
    pub fn typed_params<P: DeserializeOwned>(&self, route: &'static Route) -> Result<P, Error> {
        refuse(route, self.undeclared_params(route))?;
        serde_json::from_value(Value::Object(self.params.clone())).map_err(|e| {
            invalid(
                route,
                Violation::new("/query", "type", format!("the parameters do not fit: {e}")),
            )
        })
    }

    /// The body as the operation's typed body `B`.
    pub fn typed_body<B: DeserializeOwned>(&self, route: &'static Route) -> Result<B, Error> {
        let value = self.body.clone().unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|e| {
            invalid(
                route,
                Violation::new(
                    "/body",
                    "type",
                    format!("the body does not fit its type: {e}"),
                ),
            )
        })
    }

    /// Names in [`DispatchArgs::params`] that are not a query or header
    /// parameter of `route`.
    fn undeclared_params(&self, route: &'static Route) -> Vec<Violation> {
        self.params
            .keys()
            .filter(|name| {
                !route
                    .params
                    .iter()
                    .any(|p| p.location != ParamLocation::Path && p.name == name.as_str())
            })
            .map(|name| {
                Violation::new(
                    format!("/query/{name}"),
                    "undeclared",
                    format!(
                        "`{}` has no query or header parameter `{name}`",
                        route.operation_id
                    ),
                )
            })
            .collect()
    }
}

fn invalid(route: &'static Route, violation: Violation) -> Error {
    Error::InvalidRequest {
        operation_id: route.operation_id,
        violations: vec![violation],
    }
}

fn refuse(route: &'static Route, violations: Vec<Violation>) -> Result<(), Error> {
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidRequest {
            operation_id: route.operation_id,
            violations,
        })
    }
}

/// Calls `route` with generic arguments and gives the raw response: the
/// same checks and transport as a typed call ([`Client::call`]), without
/// decoding the answer.
pub async fn call(
    client: &Client,
    route: &'static Route,
    args: &DispatchArgs,
) -> Result<Response, Error> {
    let path = args.path_values(route)?;
    refuse(route, args.undeclared_params(route))?;
    let mut call = Args::new(&path).params(&args.params);
    if let Some(body) = &args.body {
        call = match route.body {
            // A form's files travel as parts of their own, not as JSON.
            Some(spec) if spec.kind == crate::BodyKind::Multipart => {
                call.multipart(&crate::multipart::JsonForm::new(&spec, body))
            }
            _ => call.body(body),
        };
    }
    client.call(route, call).await
}

/// A typed call's future: the typed result as JSON.
pub type Call<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + Send + 'a>>;

/// A typed way to call one operation with generic arguments.
pub type Typed = for<'a> fn(&'a Client, &'a DispatchArgs) -> Call<'a>;

/// The generated server-side reader of a spec: which route a raw request
/// names, or why it is refused (see [`crate::validate::serve::handle`]).
pub type Serve = fn(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<&'static Route, Rejection>;

/// One operation of a generated client, callable generically.
#[derive(Clone, Copy)]
pub struct Operation {
    /// Its route.
    pub route: &'static Route,
    /// Through the flat method.
    pub flat: Typed,
    /// Through the fluent path.
    pub fluent: Typed,
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("operation_id", &self.route.operation_id)
            .finish_non_exhaustive()
    }
}

/// Everything a generated client offers for one spec file, as data.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// The spec's file name (`assign.yaml`).
    pub spec: &'static str,
    /// The spec's `info.title`.
    pub title: &'static str,
    /// The route table, sorted by path then method.
    pub routes: &'static [&'static Route],
    /// The spec's `servers`, in its order.
    pub servers: &'static [Server],
    /// Whether the spec describes Microsoft Graph (see
    /// [`Service::graph`](crate::Service::graph)).
    pub graph: bool,
    /// Every operation, in the order of [`Api::routes`].
    pub operations: &'static [Operation],
    /// The server-side reader.
    pub serve: Serve,
}

impl Api {
    /// The operation with this id.
    pub fn operation(&self, operation_id: &str) -> Option<&'static Operation> {
        self.operations
            .iter()
            .find(|o| o.route.operation_id == operation_id)
    }

    /// The path of the first server's URL (`/beta`), where the spec's
    /// templates start; empty when the spec lists no server or its URL has
    /// no path.
    pub fn root_path(&self) -> &'static str {
        let Some(url) = self.servers.first().map(|s| s.url) else {
            return "";
        };
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        after_scheme
            .find('/')
            .map_or("", |at| after_scheme[at..].trim_end_matches('/'))
    }
}

/// The typed result of a call as JSON: `null` for `()` or `None`.
pub fn to_json<T: Serialize>(route: &'static Route, value: &T) -> Result<Value, Error> {
    serde_json::to_value(value)
        .map_err(|e| Error::Encode(format!("{}: the typed result: {e}", route.operation_id)))
}
