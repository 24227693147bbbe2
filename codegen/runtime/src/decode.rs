//! Turning a [`Response`] into the operation's result, judged against what
//! the [`Route`] documents.
//!
//! * non-2xx: [`Error::Graph`] (or the variant its status picks), with
//!   Graph's OData error when the body is one, and the body as JSON when
//!   the spec documents the status with a JSON body, whatever its shape;
//! * a 2xx the route does not document: [`Error::UndocumentedResponse`];
//! * a documented success: `Ok`, decoded as the caller asks, or
//!   [`Error::Decode`] / [`Error::UndocumentedResponse`] when the body does
//!   not match what is documented.

use serde::de::DeserializeOwned;

use crate::error::{GraphFailure, Undocumented};
use crate::{Error, ODataError, Response, ResponseSpec, Route};

/// How much of a body an error keeps for diagnostics.
pub const BODY_EXCERPT_LIMIT: usize = 1024;

/// For operations whose caller wants no body back.
///
/// A documented success that the spec says has no body is `Ok(())` only when
/// the body really is empty; anything else came from a server that does not
/// behave as documented. A documented success with a body type is `Ok(())`
/// too: the body is simply not wanted.
pub fn empty(route: &Route, response: Response) -> Result<(), Error> {
    let spec = documented_success(route, &response)?;
    if spec.content_type.is_none() && announces_body(&response) {
        return Err(undocumented(route, &response, Undocumented::UnexpectedBody));
    }
    Ok(())
}

/// For operations whose success body is not JSON (e.g.
/// `application/octet-stream`): the raw bytes.
pub fn bytes(route: &Route, response: Response) -> Result<Vec<u8>, Error> {
    let spec = documented_success(route, &response)?;
    if spec.content_type.is_none() && announces_body(&response) {
        return Err(undocumented(route, &response, Undocumented::UnexpectedBody));
    }
    Ok(response.body)
}

/// For operations whose success body is text (`text/plain`, `text/*`):
/// the body as a string. Text that is not UTF-8 is an [`Error::Decode`].
pub fn text(route: &Route, response: Response) -> Result<String, Error> {
    let status = response.status;
    let request_id = response.request_id().map(str::to_owned);
    let client_request_id = non_empty(&response.client_request_id).map(str::to_owned);
    let bytes = bytes(route, response)?;
    String::from_utf8(bytes).map_err(|e| Error::Decode {
        operation_id: route.operation_id,
        status,
        message: format!("the text body is not UTF-8: {e}"),
        request_id,
        client_request_id,
    })
}

/// Whether a response carries, or says it carries, a body. HTTP clients
/// drop the body of a `204` whatever its framing says, so a `204` that
/// announces one through `Content-Length` or `Content-Type` is caught by
/// its headers.
fn announces_body(response: &Response) -> bool {
    if !response.body.is_empty() {
        return true;
    }
    let length = response
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    length > 0 || response.header("content-type").is_some()
}

/// For operations whose success carries a JSON body of type `T`.
///
/// A documented success without a body (e.g. `204`) is an [`Error::Decode`]
/// when it is empty, as documented, since there is no `T` to return, and
/// [`Error::UndocumentedResponse`] when a body arrived anyway.
pub fn json<T: DeserializeOwned>(route: &Route, response: Response) -> Result<T, Error> {
    json_expected(route, &response, std::any::type_name::<T>())?;
    // Straight from the bytes: serde_json's reader refuses a duplicated
    // field and says where in the body a value does not fit the type.
    serde_json::from_slice(&response.body).map_err(|e| {
        decode_error(
            route,
            &response,
            format!("invalid JSON for the documented type: {e}"),
        )
    })
}

/// [`json`] before the body is read, kept out of the generic function so
/// that it is compiled once: whether the response is a documented success
/// that carries a JSON body.
fn json_expected(route: &Route, response: &Response, type_name: &str) -> Result<(), Error> {
    let spec = documented_success(route, response)?;
    if spec.content_type.is_none() {
        if !response.body.is_empty() {
            return Err(undocumented(route, response, Undocumented::UnexpectedBody));
        }
        return Err(decode_error(
            route,
            response,
            format!(
                "status {} is documented without a body, but this operation returns a {type_name}",
                response.status,
            ),
        ));
    }
    if response.body.is_empty() {
        return Err(decode_error(
            route,
            response,
            "the body is empty but a JSON document was expected".to_owned(),
        ));
    }
    Ok(())
}

/// The documented response for a 2xx, or the error for everything else.
fn documented_success(route: &Route, response: &Response) -> Result<&'static ResponseSpec, Error> {
    if !(200..300).contains(&response.status) {
        return Err(graph_failure(route, response));
    }
    if !route.is_documented_success(response.status) {
        return Err(undocumented(route, response, Undocumented::Status));
    }
    Ok(route
        .response_for(response.status)
        .expect("a documented success has a response entry"))
}

/// Builds the error for a non-2xx response; [`Error::from_failure`] picks
/// the variant from the status.
pub(crate) fn graph_failure(route: &Route, response: &Response) -> Error {
    let error = ODataError::parse(&response.body);
    let inner_request_id = error.as_ref().and_then(|e| e.error.request_id());
    let inner_client_id = error.as_ref().and_then(|e| e.error.client_request_id());
    let request_id = response
        .request_id()
        .or(inner_request_id)
        .map(str::to_owned);
    let client_request_id = non_empty(&response.client_request_id)
        .or(inner_client_id)
        .map(str::to_owned);
    Error::from_failure(Box::new(GraphFailure {
        operation_id: route.operation_id,
        status: response.status,
        retry_after: response.header("retry-after").map(str::to_owned),
        request_id,
        client_request_id,
        body_excerpt: excerpt(&response.body),
        attempts: response.attempts,
        error,
        body: documented_error_body(route, response),
    }))
}

/// The body of a non-2xx response as JSON, when the route documents its
/// status (exact, range or `default`) with a JSON media type and the body
/// parses: the error in the spec's own shape (a truncated body does not).
fn documented_error_body(route: &Route, response: &Response) -> Option<serde_json::Value> {
    let media = route.response_for(response.status)?.content_type?;
    let essence = crate::media_essence(media).to_ascii_lowercase();
    let json = essence == "application/json" || essence.ends_with("+json");
    if !json || response.body.is_empty() {
        return None;
    }
    serde_json::from_slice(&response.body).ok()
}

fn undocumented(route: &Route, response: &Response, kind: Undocumented) -> Error {
    Error::UndocumentedResponse {
        operation_id: route.operation_id,
        status: response.status,
        kind,
        content_type: response.content_type().map(str::to_owned),
        body_excerpt: excerpt(&response.body),
        request_id: response.request_id().map(str::to_owned),
        client_request_id: non_empty(&response.client_request_id).map(str::to_owned),
    }
}

fn decode_error(route: &Route, response: &Response, message: String) -> Error {
    Error::Decode {
        operation_id: route.operation_id,
        status: response.status,
        message,
        request_id: response.request_id().map(str::to_owned),
        client_request_id: non_empty(&response.client_request_id).map(str::to_owned),
    }
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// Up to [`BODY_EXCERPT_LIMIT`] bytes of `body` as text, cut on a character
/// boundary; invalid UTF-8 becomes U+FFFD.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT_LIMIT)]);
    // A multi-byte character split by the byte limit decodes as U+FFFD at the
    // very end; drop it rather than report a character the server never sent.
    let text = if body.len() > BODY_EXCERPT_LIMIT {
        text.trim_end_matches('\u{FFFD}')
    } else {
        &text
    };
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};
    use serde::Deserialize;

    use super::*;
    use crate::{Method, StatusSpec};

    const NO_BODY_204: &[ResponseSpec] = &[
        ResponseSpec {
            status: StatusSpec::Code(204),
            content_type: None,
            headers: &[],
        },
        ResponseSpec {
            status: StatusSpec::Default,
            content_type: Some("application/json"),
            headers: &[],
        },
    ];

    const JSON_200: &[ResponseSpec] = &[
        ResponseSpec {
            status: StatusSpec::Code(200),
            content_type: Some("application/json"),
            headers: &[],
        },
        ResponseSpec {
            status: StatusSpec::Code(204),
            content_type: None,
            headers: &[],
        },
    ];

    fn route(responses: &'static [ResponseSpec]) -> Route {
        Route {
            operation_id: "op",
            method: Method::Post,
            template: "/x",
            params: &[],
            body: None,
            auth: true,
            security: &[],
            responses,
            permissions: &[],
            summary: "",
            servers: &[],
        }
    }

    fn response(status: u16, body: &[u8]) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: body.to_vec(),
            client_request_id: "cid".into(),
            attempts: Default::default(),
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Thing {
        id: String,
    }

    #[test]
    fn empty_accepts_documented_no_body_success() {
        assert!(empty(&route(NO_BODY_204), response(204, b"")).is_ok());
    }

    #[test]
    fn empty_rejects_a_body_on_a_no_body_status() {
        let err = empty(&route(NO_BODY_204), response(204, b"surprise")).unwrap_err();
        match err {
            Error::UndocumentedResponse {
                kind, body_excerpt, ..
            } => {
                assert_eq!(kind, Undocumented::UnexpectedBody);
                assert_eq!(body_excerpt, "surprise");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_rejects_undocumented_success_status() {
        let err = empty(&route(NO_BODY_204), response(200, b"{}")).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UndocumentedResponse {
                    kind: Undocumented::Status,
                    status: 200,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn empty_ignores_a_documented_body() {
        assert!(empty(&route(JSON_200), response(200, b"{\"id\":\"1\"}")).is_ok());
    }

    #[test]
    fn json_decodes_documented_body() {
        let thing: Thing = json(&route(JSON_200), response(200, b"{\"id\":\"1\"}")).unwrap();
        assert_eq!(thing, Thing { id: "1".into() });
    }

    #[test]
    fn json_reports_bad_bodies_as_decode_errors() {
        for body in [&b"{\"id\":1}"[..], b"not json", b""] {
            let err = json::<Thing>(&route(JSON_200), response(200, body)).unwrap_err();
            assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
            assert_eq!(err.client_request_id(), Some("cid"));
        }
    }

    #[test]
    fn json_on_no_body_status() {
        let err = json::<Thing>(&route(JSON_200), response(204, b"")).unwrap_err();
        assert!(matches!(err, Error::Decode { status: 204, .. }), "{err:?}");
        let err = json::<Thing>(&route(JSON_200), response(204, b"x")).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UndocumentedResponse {
                    kind: Undocumented::UnexpectedBody,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn non_success_is_graph_failure_with_header_ids_first() {
        let mut resp = response(
            429,
            br#"{"error":{"code":"TooMany","message":"slow","innerError":{"request-id":"inner","client-request-id":"inner-c"}}}"#,
        );
        resp.headers
            .insert("request-id", HeaderValue::from_static("header"));
        resp.headers
            .insert("retry-after", HeaderValue::from_static("12"));
        let err = empty(&route(NO_BODY_204), resp).unwrap_err();
        assert_eq!(err.request_id(), Some("header"));
        assert_eq!(err.client_request_id(), Some("cid"));
        assert_eq!(err.graph_code(), Some("TooMany"));
        assert!(err.is_retryable());
        let Error::Throttled(failure) = err else {
            unreachable!()
        };
        assert_eq!(failure.retry_after.as_deref(), Some("12"));
    }

    #[test]
    fn graph_failure_falls_back_to_inner_ids() {
        let mut resp = response(
            403,
            br#"{"error":{"code":"Forbidden","message":"m","innererror":{"request-id":"inner","client-request-id":"inner-c"}}}"#,
        );
        resp.client_request_id.clear();
        let err = graph_failure(&route(NO_BODY_204), &resp);
        assert_eq!(err.request_id(), Some("inner"));
        assert_eq!(err.client_request_id(), Some("inner-c"));
    }

    #[test]
    fn undocumented_redirects_and_informational_statuses_are_failures() {
        for status in [302, 100] {
            let err = empty(&route(NO_BODY_204), response(status, b"")).unwrap_err();
            assert_eq!(err.status(), Some(status));
            assert!(matches!(err, Error::Graph(_)), "{err:?}");
        }
    }

    #[test]
    fn excerpt_is_capped_on_a_char_boundary() {
        let mut body = vec![b'a'; BODY_EXCERPT_LIMIT - 1];
        body.extend_from_slice("é and more".as_bytes());
        let text = excerpt(&body);
        assert_eq!(text.len(), BODY_EXCERPT_LIMIT - 1);
        assert!(text.bytes().all(|b| b == b'a'));
        assert_eq!(excerpt(b"short"), "short");
        assert_eq!(excerpt(&[0xFF]), "\u{FFFD}");
    }
}
