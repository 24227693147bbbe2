//! The HTTP transport that generated operations call.
//!
//! [`Client::send`] turns a [`Route`] plus parameter values into one HTTP
//! request, adds the headers every Graph call needs, and reads the whole
//! response. It does not interpret the status: that is the job of
//! [`decode`](crate::decode), which knows what the route documents.

mod builder;
mod response;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

pub use builder::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
pub use response::Response;

use crate::{Error, Method, Route, SecretToken, Segment, Violation};

/// The most bytes of a non-2xx body that are kept; the rest is dropped.
/// Error bodies only feed diagnostics, and a misbehaving proxy must not be
/// able to make the client buffer an unbounded page.
pub const MAX_ERROR_BODY: usize = 1 << 20;

/// The header carrying the id that correlates this request in Graph's logs.
const CLIENT_REQUEST_ID: &str = "client-request-id";

/// Headers the transport owns; a caller-supplied value would conflict with
/// the token, the connection or the body length.
const RESERVED_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
];

/// A Graph client: service root, token and connection pool.
///
/// Cloning is cheap (one `Arc`), so clone it into tasks rather than
/// sharing references. `Debug` shows the token as `SecretToken(***)`.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Validated service root, without a trailing slash.
    base_url: String,
    token: Option<SecretToken>,
    user_agent: HeaderValue,
    timeout: Duration,
    http: reqwest::Client,
}

/// A request ready to go on the wire. Built once per [`Client::send`] so that
/// every attempt of a future retry loop sends the same thing, with the same
/// `client-request-id`.
struct Prepared {
    method: reqwest::Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    client_request_id: String,
}

impl Client {
    /// Starts configuring a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The service root requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends one request for `route` and reads the whole response.
    ///
    /// * `path_params`: values for the template's parameters, in template
    ///   order; each is percent-encoded as exactly one path segment.
    /// * `query`: name/value pairs, form-urlencoded in the order given.
    /// * `headers`: extra request headers; they replace the defaults of the
    ///   same name (e.g. a caller's own `client-request-id`), except the
    ///   transport-owned `Authorization`, `Host`, `Content-Length` and
    ///   `Transfer-Encoding`, which are refused.
    /// * `body`: JSON bytes; sets `Content-Type: application/json`.
    ///
    /// Every request carries `Accept: application/json`, a fresh UUID v4
    /// `client-request-id`, the `User-Agent` and, when the client has a
    /// token, `Authorization: Bearer`. Redirects are not followed.
    ///
    /// Any status is returned as `Ok`; only a request that cannot be built
    /// ([`Error::InvalidRequest`]) or a failed exchange
    /// ([`Error::Transport`]) is an error here.
    pub async fn send(
        &self,
        route: &'static Route,
        path_params: &[&str],
        query: &[(&'static str, String)],
        headers: &[(&'static str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Response, Error> {
        let prepared = self.prepare(route, path_params, query, headers, body)?;
        // The single place where a retry policy belongs: look at the result
        // (a 429/503/504 `Response`, or `Error::is_retryable`), wait for
        // `Retry-After` (see `error::parse_retry_after`), and call `attempt`
        // again with the same `prepared` request. Today there is one attempt.
        self.attempt(route, &prepared).await
    }

    /// Builds the URL and headers, refusing anything that would not reach
    /// exactly the resource the route names.
    fn prepare(
        &self,
        route: &'static Route,
        path_params: &[&str],
        query: &[(&'static str, String)],
        extra_headers: &[(&'static str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Prepared, Error> {
        let mut violations = check_path_params(route, path_params);

        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::USER_AGENT, self.inner.user_agent.clone());
        let fresh_id = uuid::Uuid::new_v4().to_string();
        headers.insert(
            CLIENT_REQUEST_ID,
            HeaderValue::from_str(&fresh_id).expect("a UUID is a valid header value"),
        );
        if body.is_some() {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        for (name, value) in extra_headers {
            match header_pair(name, value) {
                Ok((name, value)) => {
                    headers.insert(name, value);
                }
                Err(violation) => violations.push(violation),
            }
        }
        if let Some(token) = &self.inner.token {
            // Inserted last so that nothing above can replace it.
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .expect("checked by ClientBuilder::build");
            // Keeps the value out of `Debug` output of the header map.
            value.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, value);
        }

        let raw = format!("{}{}", self.inner.base_url, route.render_path(path_params));
        let url = match Url::parse(&raw) {
            Ok(mut url) => {
                if !query.is_empty() {
                    url.query_pairs_mut()
                        .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
                }
                Some(url)
            }
            Err(e) => {
                violations.push(Violation::new(
                    "/path",
                    "url",
                    format!("the request URL does not parse: {e}"),
                ));
                None
            }
        };

        match url {
            Some(url) if violations.is_empty() => {
                let client_request_id = headers
                    .get(CLIENT_REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(&fresh_id)
                    .to_owned();
                Ok(Prepared {
                    method: to_reqwest_method(route.method),
                    url,
                    headers,
                    body,
                    client_request_id,
                })
            }
            _ => {
                violations.sort();
                Err(Error::InvalidRequest {
                    operation_id: route.operation_id,
                    violations,
                })
            }
        }
    }

    /// One exchange: send, read the body, log both ends without the token.
    async fn attempt(&self, route: &'static Route, prepared: &Prepared) -> Result<Response, Error> {
        let started = Instant::now();
        tracing::debug!(
            operation_id = route.operation_id,
            method = %prepared.method,
            url = %prepared.url,
            client_request_id = %prepared.client_request_id,
            body_bytes = prepared.body.as_ref().map_or(0, Vec::len),
            "graph request"
        );
        let transport = |source: reqwest::Error| {
            tracing::debug!(
                operation_id = route.operation_id,
                client_request_id = %prepared.client_request_id,
                error = %source,
                "graph request failed"
            );
            Error::Transport {
                operation_id: route.operation_id,
                timeout: source.is_timeout(),
                source,
            }
        };

        let mut request = self
            .inner
            .http
            .request(prepared.method.clone(), prepared.url.clone())
            .headers(prepared.headers.clone())
            .timeout(self.inner.timeout);
        if let Some(body) = &prepared.body {
            request = request.body(body.clone());
        }
        let mut response = request.send().await.map_err(transport)?;

        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let limit = if status.is_success() {
            usize::MAX
        } else {
            MAX_ERROR_BODY
        };
        let (body, truncated) = read_body(&mut response, limit).await.map_err(transport)?;

        let response = Response {
            status: status.as_u16(),
            headers,
            body,
            client_request_id: prepared.client_request_id.clone(),
        };
        tracing::debug!(
            operation_id = route.operation_id,
            status = response.status,
            request_id = response.request_id().unwrap_or(""),
            client_request_id = %response.client_request_id,
            body_bytes = response.body.len(),
            truncated,
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "graph response"
        );
        Ok(response)
    }
}

/// Reads the body up to `limit` bytes; says whether anything was dropped.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Finds path values that could not address exactly one segment of the
/// route: a wrong count (a generator bug), an empty value (`a//b` is another
/// path), or `.`/`..`, which the URL parser under `reqwest` removes as dot
/// segments even when percent-encoded (WHATWG URL rules).
fn check_path_params(route: &Route, values: &[&str]) -> Vec<Violation> {
    let names: Vec<&str> = route
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Param(name) => Some(*name),
            Segment::Literal(_) => None,
        })
        .collect();
    let mut violations = Vec::new();
    if names.len() != values.len() {
        violations.push(Violation::new(
            "/path",
            "parameterCount",
            format!(
                "the template {} has {} parameter(s) but {} value(s) were given",
                route.template,
                names.len(),
                values.len()
            ),
        ));
    }
    for (name, value) in names.iter().zip(values) {
        let location = format!("/path/{name}");
        match *value {
            "" => violations.push(Violation::new(
                location,
                "minLength",
                "must not be empty: an empty segment would address a different resource",
            )),
            "." | ".." => violations.push(Violation::new(
                location,
                "pathSegment",
                format!(
                    "{value:?} cannot be sent as a path segment: URL normalisation would \
                     remove it and address a different resource"
                ),
            )),
            _ => {}
        }
    }
    violations
}

/// Checks one caller-supplied header.
fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Violation> {
    let location = format!("/headers/{}", name.to_ascii_lowercase());
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Violation::new(
            location.clone(),
            "headerName",
            "is not a valid HTTP header name",
        )
    })?;
    if RESERVED_HEADERS.contains(&header_name) {
        return Err(Violation::new(
            location,
            "reserved",
            "is set by the transport and cannot be supplied per request",
        ));
    }
    let header_value = HeaderValue::from_str(value).map_err(|_| {
        Violation::new(
            location,
            "headerValue",
            "contains characters that cannot be sent in an HTTP header",
        )
    })?;
    Ok((header_name, header_value))
}

fn to_reqwest_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Put => reqwest::Method::PUT,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
        Method::Options => reqwest::Method::OPTIONS,
        Method::Head => reqwest::Method::HEAD,
        Method::Patch => reqwest::Method::PATCH,
        Method::Trace => reqwest::Method::TRACE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ROUTE: Route = Route {
        operation_id: "op",
        method: Method::Post,
        template: "/a/{x}/b/{y}",
        segments: &[
            Segment::Literal("/a/"),
            Segment::Param("x"),
            Segment::Literal("/b/"),
            Segment::Param("y"),
        ],
        params: &[],
        request_body: None,
        body_required: false,
        responses: &[],
        permissions: &[],
        summary: "",
    };

    fn client() -> Client {
        Client::builder()
            .base_url("http://127.0.0.1:1/v/")
            .token(SecretToken::from("tok"))
            .build()
            .unwrap()
    }

    fn violations(result: Result<Prepared, Error>) -> Vec<(String, &'static str)> {
        match result {
            Err(Error::InvalidRequest { violations, .. }) => violations
                .into_iter()
                .map(|v| (v.location, v.keyword))
                .collect(),
            Err(other) => panic!("unexpected error {other}"),
            Ok(p) => panic!("expected violations, got {}", p.url),
        }
    }

    #[test]
    fn builds_url_with_encoded_segments_and_ordered_query() {
        let query = [("z", "1 2".to_owned()), ("$top", "5".to_owned())];
        let prepared = client()
            .prepare(&ROUTE, &["a/b", "é?"], &query, &[], None)
            .unwrap();
        assert_eq!(
            prepared.url.as_str(),
            "http://127.0.0.1:1/v/a/a%2Fb/b/%C3%A9%3F?z=1+2&%24top=5"
        );
        assert_eq!(prepared.method, reqwest::Method::POST);
        assert!(prepared.headers.get(header::CONTENT_TYPE).is_none());
        let auth = prepared.headers.get(header::AUTHORIZATION).unwrap();
        assert!(auth.is_sensitive());
        assert!(!format!("{:?}", prepared.headers).contains("tok"));
    }

    #[test]
    fn refuses_paths_that_would_change_resource() {
        let found = violations(client().prepare(&ROUTE, &["..", ""], &[], &[], None));
        assert_eq!(
            found,
            [
                ("/path/x".to_owned(), "pathSegment"),
                ("/path/y".to_owned(), "minLength")
            ]
        );
        let found = violations(client().prepare(&ROUTE, &["a"], &[], &[], None));
        assert_eq!(found, [("/path".to_owned(), "parameterCount")]);
        // Dots inside a longer value are ordinary text and are sent.
        assert!(
            client()
                .prepare(&ROUTE, &["...", "../x"], &[], &[], None)
                .is_ok()
        );
    }

    #[test]
    fn caller_headers_replace_defaults_but_not_authorization() {
        let headers = [("client-request-id", "mine".to_owned())];
        let prepared = client()
            .prepare(&ROUTE, &["a", "b"], &[], &headers, Some(b"{}".to_vec()))
            .unwrap();
        assert_eq!(prepared.client_request_id, "mine");
        assert_eq!(
            prepared.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
        let headers = [
            ("Authorization", "Bearer other".to_owned()),
            ("bad name", "x".to_owned()),
            ("x-ok", "line\nbreak".to_owned()),
        ];
        let found = violations(client().prepare(&ROUTE, &["a", "b"], &[], &headers, None));
        assert_eq!(
            found,
            [
                ("/headers/authorization".to_owned(), "reserved"),
                ("/headers/bad name".to_owned(), "headerName"),
                ("/headers/x-ok".to_owned(), "headerValue"),
            ]
        );
    }
}
