//! The one error type every generated operation returns.
//!
//! Its variants follow what a person can do about them: fix the request
//! ([`Error::InvalidRequest`]), get a token with the right permission
//! ([`Error::Preflight`], [`Error::Token`], [`Error::Unauthorized`],
//! [`Error::Forbidden`]), check the id ([`Error::NotFound`]), come back later
//! ([`Error::Throttled`]), or report the service's behaviour
//! ([`Error::Graph`], [`Error::UndocumentedResponse`]); or look at the
//! network ([`Error::Transport`]).
//!
//! Each `Display` is a single line that starts with the operation id and
//! carries what an operator needs to act or to open a support case: the
//! status, Graph's error code and message, the attempts made, and the
//! request ids.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::client::DryRunRequest;
use crate::preflight::PreflightProblem;
use crate::retry::Attempts;
use crate::token::TokenError;
use crate::{ODataError, Violation};

/// Everything that can go wrong in a generated operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke the spec and was not sent.
    #[error(
        "{operation_id}: invalid request, not sent: {}",
        ViolationList(violations)
    )]
    InvalidRequest {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// Every problem found, not just the first.
        violations: Vec<Violation>,
    },

    /// Permission preflight found that the token cannot make this call
    /// (a personal Microsoft account, or none of the permissions the spec
    /// lists); nothing was sent. Turn preflight off with
    /// [`ClientBuilder::permission_preflight`](crate::ClientBuilder::permission_preflight)
    /// if the check is wrong for your token.
    #[error("{operation_id}: not sent: {problem}")]
    Preflight {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// What is wrong with the token.
        problem: PreflightProblem,
    },

    /// The token provider could not supply a token; nothing was sent.
    #[error("{operation_id}: not sent: could not get a token: {source}")]
    Token {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// What the provider said.
        #[source]
        source: TokenError,
    },

    /// `401`: Graph did not accept the token (missing, expired, for another
    /// cloud or resource). Get a new token for the cloud you call.
    #[error("{0}")]
    Unauthorized(Box<GraphFailure>),

    /// `403`: the token is valid but lacks a permission or role (Graph's
    /// code and message say which), or the tenant is not licensed.
    #[error("{0}")]
    Forbidden(Box<GraphFailure>),

    /// `404`: no such resource, e.g. a mistyped or deleted profile id.
    #[error("{0}")]
    NotFound(Box<GraphFailure>),

    /// `429`, `503` or `504` after the retries the policy allows: Graph is
    /// throttling or briefly unavailable. Try again later;
    /// [`GraphFailure::attempts`] says how many attempts were made.
    #[error("{0}")]
    Throttled(Box<GraphFailure>),

    /// Any other non-2xx status (`400`, `409`, `500`...), documented or not.
    #[error("{0}")]
    Graph(Box<GraphFailure>),

    /// A 2xx response the route does not document: a status the spec does
    /// not list, or a status documented without a body that came with one.
    #[error(
        "{operation_id}: undocumented response {}: {kind}{}; body: {}{}",
        StatusLine(*status),
        ContentType(content_type.as_deref()),
        Snippet(body_excerpt),
        Ids { request_id: request_id.as_deref(), client_request_id: client_request_id.as_deref(), retry_after: None }
    )]
    UndocumentedResponse {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// The status that arrived.
        status: u16,
        /// Which of the two cases this is.
        kind: Undocumented,
        /// The response's `Content-Type`, when it had one.
        content_type: Option<String>,
        /// Up to 1 KiB of the body, lossily decoded as UTF-8.
        body_excerpt: String,
        /// The response's `request-id` header.
        request_id: Option<String>,
        /// The `client-request-id` this request was sent with.
        client_request_id: Option<String>,
    },

    /// A documented success whose body could not be decoded as the
    /// documented type (or that had no body when one was expected).
    #[error(
        "{operation_id}: could not decode the {} response body: {message}{}",
        StatusLine(*status),
        Ids { request_id: request_id.as_deref(), client_request_id: client_request_id.as_deref(), retry_after: None }
    )]
    Decode {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// The status that arrived.
        status: u16,
        /// What the decoder said.
        message: String,
        /// The response's `request-id` header.
        request_id: Option<String>,
        /// The `client-request-id` this request was sent with.
        client_request_id: Option<String>,
    },

    /// No response: connection, TLS, timeout or body-read failure.
    #[error(
        "{operation_id}: {}: {source}",
        if *timeout { "request timed out" } else { "transport error" }
    )]
    Transport {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// Whether the failure was a timeout.
        timeout: bool,
    },

    /// The client was built with
    /// [`ClientBuilder::dry_run`](crate::ClientBuilder::dry_run): the request
    /// passed every check a real call makes before the network (the spec
    /// check, path segments, headers, URL) and was not sent. Carries the
    /// request as it would have gone, token left out.
    #[error("{}: dry run, not sent: {} {}", .0.operation_id, .0.method, .0.url)]
    DryRun(Box<DryRunRequest>),

    /// The operation needs credentials the client was not given: it holds
    /// none for any of the operation's security alternatives (API keys
    /// and basic credentials are given to the
    /// [`ClientBuilder`](crate::ClientBuilder)); nothing was sent.
    #[error(
        "{operation_id}: not sent: the client holds no credentials for any security alternative of the operation: {needed}"
    )]
    Credentials {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// The alternatives, in words.
        needed: String,
    },

    /// The client was configured wrongly (bad base URL, conflicting options).
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// A request body could not be serialised.
    #[error("could not encode the request body: {0}")]
    Encode(String),
}

/// Why a 2xx response counts as undocumented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Undocumented {
    /// The route documents no response for this success status.
    Status,
    /// The route documents this status without a body, yet a body arrived.
    UnexpectedBody,
    /// The body was longer than the client reads for a success
    /// ([`ClientBuilder::max_success_body`](crate::ClientBuilder::max_success_body)).
    BodyTooLarge,
}

impl fmt::Display for Undocumented {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undocumented::Status => {
                f.write_str("the spec documents no such status for this operation")
            }
            Undocumented::UnexpectedBody => {
                f.write_str("the spec documents this status without a body, but a body arrived")
            }
            Undocumented::BodyTooLarge => {
                f.write_str("the body is longer than the client reads for a success")
            }
        }
    }
}

/// A non-2xx response, with Graph's error decoded when it was OData JSON.
///
/// Boxed inside [`Error::Graph`] so that `Result<T, Error>` stays small.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFailure {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The status that arrived.
    pub status: u16,
    /// Graph's error envelope, when the body was one.
    pub error: Option<ODataError>,
    /// The `request-id` response header, else the one in `innerError`.
    pub request_id: Option<String>,
    /// The `client-request-id` this request was sent with, else the one in
    /// `innerError`.
    pub client_request_id: Option<String>,
    /// The `Retry-After` header as sent (seconds or an HTTP date).
    pub retry_after: Option<String>,
    /// Up to 1 KiB of the body, lossily decoded as UTF-8.
    pub body_excerpt: String,
    /// How many attempts were made and why retrying stopped.
    pub attempts: Attempts,
    /// The whole body as JSON, when the spec documents this status (by
    /// its code, its `4XX`/`5XX` range or `default`) with a JSON body and
    /// the body is JSON: the error in the spec's own shape, whatever that
    /// is. Read it as the documented type with
    /// [`GraphFailure::body_as`].
    pub body: Option<serde_json::Value>,
}

impl GraphFailure {
    /// Graph's error code, when the body carried a non-empty one.
    pub fn code(&self) -> Option<&str> {
        self.error
            .as_ref()
            .map(|e| e.error.code.as_str())
            .filter(|code| !code.is_empty())
    }

    /// The documented error body ([`GraphFailure::body`]) as `T`, the
    /// type the spec documents for this status (the generated method's
    /// docs name it): `None` when the status is not documented with a JSON
    /// body or the body was not JSON, `Some(Err(..))` when it does not
    /// decode as `T`.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        self.body.as_ref().map(T::deserialize)
    }

    /// How long `Retry-After` asks the caller to wait, measured from `now`.
    /// An HTTP date in the past gives zero; an unparsable value gives `None`.
    pub fn retry_after_delay(&self, now: SystemTime) -> Option<Duration> {
        parse_retry_after(self.retry_after.as_deref()?, now)
    }
}

impl fmt::Display for GraphFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation_id, StatusLine(self.status))?;
        match &self.error {
            Some(odata) => {
                if !odata.error.code.is_empty() {
                    write!(f, ": {}", OneLine(&odata.error.code))?;
                }
                if !odata.error.message.is_empty() {
                    write!(f, ": {}", OneLine(&odata.error.message))?;
                }
            }
            None if self.body_excerpt.is_empty() => f.write_str(": empty body")?,
            // The spec documents this body: it is the error, not a stray page.
            None if self.body.is_some() => write!(f, ": {}", Snippet(&self.body_excerpt))?,
            None => write!(
                f,
                ": body is not an OData error: {}",
                Snippet(&self.body_excerpt)
            )?,
        }
        if self.attempts.count > 1 || self.attempts.gave_up.is_some() {
            write!(f, "; {}", self.attempts)?;
        }
        write!(
            f,
            "{}",
            Ids {
                request_id: self.request_id.as_deref(),
                client_request_id: self.client_request_id.as_deref(),
                retry_after: self.retry_after.as_deref(),
            }
        )
    }
}

impl Error {
    /// The variant for a non-2xx answer, chosen by its status: `401`
    /// [`Unauthorized`](Error::Unauthorized), `403`
    /// [`Forbidden`](Error::Forbidden), `404` [`NotFound`](Error::NotFound),
    /// `429`/`503`/`504` [`Throttled`](Error::Throttled), anything else
    /// [`Graph`](Error::Graph).
    pub fn from_failure(failure: Box<GraphFailure>) -> Error {
        match failure.status {
            401 => Error::Unauthorized(failure),
            403 => Error::Forbidden(failure),
            404 => Error::NotFound(failure),
            429 | 503 | 504 => Error::Throttled(failure),
            _ => Error::Graph(failure),
        }
    }

    /// The non-2xx answer behind this error, whichever variant carries it.
    pub fn graph_failure(&self) -> Option<&GraphFailure> {
        match self {
            Error::Unauthorized(failure)
            | Error::Forbidden(failure)
            | Error::NotFound(failure)
            | Error::Throttled(failure)
            | Error::Graph(failure) => Some(failure),
            _ => None,
        }
    }

    /// The operation the error belongs to (`None` for configuration and
    /// encoding errors, which happen before an operation is known).
    pub fn operation_id(&self) -> Option<&'static str> {
        if let Some(failure) = self.graph_failure() {
            return Some(failure.operation_id);
        }
        match self {
            Error::InvalidRequest { operation_id, .. }
            | Error::Preflight { operation_id, .. }
            | Error::Token { operation_id, .. }
            | Error::Credentials { operation_id, .. }
            | Error::UndocumentedResponse { operation_id, .. }
            | Error::Decode { operation_id, .. }
            | Error::Transport { operation_id, .. } => Some(operation_id),
            Error::DryRun(request) => Some(request.operation_id),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        if let Some(failure) = self.graph_failure() {
            return Some(failure.status);
        }
        match self {
            Error::UndocumentedResponse { status, .. } | Error::Decode { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Graph's error code (e.g. `Authorization_RequestDenied`), when the
    /// response carried an OData error with a non-empty code.
    pub fn graph_code(&self) -> Option<&str> {
        self.graph_failure().and_then(GraphFailure::code)
    }

    /// Graph's error message, when the response carried an OData error with
    /// a non-empty message.
    pub fn graph_message(&self) -> Option<&str> {
        self.graph_failure()
            .and_then(|f| f.error.as_ref())
            .map(|e| e.error.message.as_str())
            .filter(|m| !m.is_empty())
    }

    /// The documented JSON body of a non-2xx answer (see
    /// [`GraphFailure::body`]).
    pub fn error_body(&self) -> Option<&serde_json::Value> {
        self.graph_failure().and_then(|f| f.body.as_ref())
    }

    /// The documented body of a non-2xx answer as `T`, the error type the
    /// spec documents for its status (see [`GraphFailure::body_as`]):
    ///
    /// ```
    /// # fn show(err: &openapi_runtime::Error) {
    /// #[derive(serde::Deserialize)]
    /// struct Problem { title: String }
    /// if let Some(Ok(problem)) = err.error_body_as::<Problem>() {
    ///     eprintln!("refused: {}", problem.title);
    /// }
    /// # }
    /// ```
    pub fn error_body_as<T: serde::de::DeserializeOwned>(
        &self,
    ) -> Option<Result<T, serde_json::Error>> {
        self.graph_failure().and_then(GraphFailure::body_as)
    }

    /// The service's request id, when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        if let Some(failure) = self.graph_failure() {
            return failure.request_id.as_deref();
        }
        match self {
            Error::UndocumentedResponse { request_id, .. } | Error::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The `client-request-id` of the request, when a response arrived.
    pub fn client_request_id(&self) -> Option<&str> {
        if let Some(failure) = self.graph_failure() {
            return failure.client_request_id.as_deref();
        }
        match self {
            Error::UndocumentedResponse {
                client_request_id, ..
            }
            | Error::Decode {
                client_request_id, ..
            } => client_request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed:
    /// throttling or unavailability (429, 503, 504, also after the client's
    /// own retries ran out), a timeout, or a failure to connect.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Throttled(_) => true,
            Error::Graph(failure) => crate::retry::is_retry_status(failure.status),
            Error::Transport {
                source, timeout, ..
            } => *timeout || source.is_connect(),
            _ => false,
        }
    }
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The standard reason phrase of `status` (`Forbidden` for 403), if any.
pub fn status_reason(status: u16) -> Option<&'static str> {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
}

/// `403 Forbidden`, or just `499` for a status without a standard reason.
struct StatusLine(u16);

impl fmt::Display for StatusLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match status_reason(self.0) {
            Some(reason) => write!(f, "{} {reason}", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// ` (request-id R, client-request-id C, retry-after N)` with only the
/// parts that are known, or nothing at all.
struct Ids<'a> {
    request_id: Option<&'a str>,
    client_request_id: Option<&'a str>,
    retry_after: Option<&'a str>,
}

impl fmt::Display for Ids<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            ("request-id", self.request_id),
            ("client-request-id", self.client_request_id),
            ("retry-after", self.retry_after),
        ];
        let mut first = true;
        for (name, value) in parts {
            let Some(value) = value else { continue };
            f.write_str(if first { " (" } else { ", " })?;
            write!(f, "{name} {}", OneLine(value))?;
            first = false;
        }
        if !first {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// `; content-type X` when the response named one.
struct ContentType<'a>(Option<&'a str>);

impl fmt::Display for ContentType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(value) => write!(f, "; content-type {}", OneLine(value)),
            None => Ok(()),
        }
    }
}

/// Text from the network with control characters (newlines included)
/// replaced by spaces, so one error stays one log line and a hostile server
/// cannot forge extra lines.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            let c = if c.is_control() { ' ' } else { c };
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

/// The start of a body, on one line, at most [`Snippet::MAX_CHARS`] chars;
/// the full excerpt stays available in the error's fields.
struct Snippet<'a>(&'a str);

impl Snippet<'_> {
    const MAX_CHARS: usize = 200;
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.trim();
        if text.is_empty() {
            return f.write_str("(empty)");
        }
        match text.char_indices().nth(Snippet::MAX_CHARS) {
            Some((cut, _)) => write!(f, "{}…", OneLine(&text[..cut])),
            None => write!(f, "{}", OneLine(text)),
        }
    }
}

/// `a; b; c` for the violations of one request.
struct ViolationList<'a>(&'a [Violation]);

impl fmt::Display for ViolationList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, violation) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::{InnerError, MainError};

    fn forbidden() -> GraphFailure {
        GraphFailure {
            operation_id: "windowsAutopilotDeploymentProfiles_assign",
            status: 403,
            error: Some(ODataError {
                error: MainError {
                    code: "Authorization_RequestDenied".into(),
                    message: "Insufficient privileges".into(),
                    inner_error: Some(InnerError::default()),
                    ..MainError::default()
                },
            }),
            request_id: Some("1234".into()),
            client_request_id: Some("abcd".into()),
            retry_after: None,
            body_excerpt: "{}".into(),
            attempts: Attempts::default(),
            body: None,
        }
    }

    #[test]
    fn graph_display_matches_the_documented_shape() {
        let err = Error::from_failure(Box::new(forbidden()));
        assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "windowsAutopilotDeploymentProfiles_assign: 403 Forbidden: \
             Authorization_RequestDenied: Insufficient privileges \
             (request-id 1234, client-request-id abcd)"
        );
        assert_eq!(err.status(), Some(403));
        assert_eq!(err.graph_code(), Some("Authorization_RequestDenied"));
        assert_eq!(err.graph_message(), Some("Insufficient privileges"));
        assert_eq!(err.request_id(), Some("1234"));
        assert_eq!(err.client_request_id(), Some("abcd"));
        assert_eq!(
            err.operation_id(),
            Some("windowsAutopilotDeploymentProfiles_assign")
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn graph_display_without_odata_body_is_one_line() {
        let failure = GraphFailure {
            error: None,
            status: 500,
            request_id: None,
            retry_after: Some("7".into()),
            body_excerpt: "<html>\n<b>down</b>\n</html>".into(),
            ..forbidden()
        };
        let text = Error::Graph(Box::new(failure)).to_string();
        assert_eq!(
            text,
            "windowsAutopilotDeploymentProfiles_assign: 500 Internal Server Error: \
             body is not an OData error: <html> <b>down</b> </html> \
             (client-request-id abcd, retry-after 7)"
        );
    }

    #[test]
    fn a_documented_body_is_the_error_in_the_specs_shape() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Problem {
            title: String,
            status: u16,
        }
        let body = serde_json::json!({"title": "over quota", "status": 429});
        let failure = GraphFailure {
            error: None,
            status: 400,
            request_id: Some("r-9".into()),
            client_request_id: None,
            body_excerpt: r#"{"title":"over quota","status":429}"#.into(),
            body: Some(body),
            ..forbidden()
        };
        let err = Error::from_failure(Box::new(failure));
        assert_eq!(
            err.error_body_as::<Problem>().unwrap().unwrap(),
            Problem {
                title: "over quota".into(),
                status: 429
            }
        );
        assert!(err.error_body_as::<Vec<u8>>().unwrap().is_err());
        assert_eq!(err.error_body().unwrap()["status"], 429);
        assert_eq!(
            err.to_string(),
            "windowsAutopilotDeploymentProfiles_assign: 400 Bad Request: \
             {\"title\":\"over quota\",\"status\":429} (request-id r-9)"
        );
        assert!(
            Error::Config("x".into())
                .error_body_as::<Problem>()
                .is_none()
        );
    }

    #[test]
    fn variants_follow_the_status_and_retryable_ones_are_marked() {
        for (status, variant, retryable) in [
            (400, "Graph", false),
            (401, "Unauthorized", false),
            (403, "Forbidden", false),
            (404, "NotFound", false),
            (409, "Graph", false),
            (429, "Throttled", true),
            (500, "Graph", false),
            (502, "Graph", false),
            (503, "Throttled", true),
            (504, "Throttled", true),
        ] {
            let err = Error::from_failure(Box::new(GraphFailure {
                status,
                ..forbidden()
            }));
            let name = format!("{err:?}");
            assert!(name.starts_with(variant), "{status}: {name}");
            assert_eq!(err.is_retryable(), retryable, "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.graph_failure().unwrap().status, status);
        }
        assert!(!Error::Config("x".into()).is_retryable());
        assert!(Error::Config("x".into()).graph_failure().is_none());
    }

    #[test]
    fn throttled_display_says_how_many_attempts() {
        let failure = GraphFailure {
            status: 429,
            error: Some(ODataError {
                error: MainError {
                    code: "TooManyRequests".into(),
                    message: "Slow down".into(),
                    ..MainError::default()
                },
            }),
            retry_after: Some("2".into()),
            attempts: Attempts {
                count: 4,
                waited: Duration::from_secs(6),
                gave_up: Some(crate::retry::GaveUp::MaxAttempts { max: 4 }),
            },
            ..forbidden()
        };
        let err = Error::from_failure(Box::new(failure));
        assert_eq!(
            err.to_string(),
            "windowsAutopilotDeploymentProfiles_assign: 429 Too Many Requests: TooManyRequests: \
             Slow down; gave up after 4 attempts (waited 6s; 4 attempts allowed) \
             (request-id 1234, client-request-id abcd, retry-after 2)"
        );
        assert!(err.is_retryable());
    }

    #[test]
    fn preflight_and_token_errors_name_the_operation() {
        let err = Error::Preflight {
            operation_id: "op",
            problem: PreflightProblem::PersonalAccount,
        };
        assert!(
            err.to_string()
                .starts_with("op: not sent: personal Microsoft accounts are not supported"),
            "{err}"
        );
        assert_eq!(err.operation_id(), Some("op"));
        assert_eq!(err.status(), None);
        let err = Error::Token {
            operation_id: "op",
            source: TokenError::new("environment variable GRAPH_TOKEN is not set"),
        };
        assert_eq!(
            err.to_string(),
            "op: not sent: could not get a token: environment variable GRAPH_TOKEN is not set"
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn empty_code_is_no_code() {
        let mut failure = forbidden();
        failure.error.as_mut().unwrap().error.code.clear();
        failure.error.as_mut().unwrap().error.message.clear();
        let err = Error::Graph(Box::new(failure));
        assert_eq!(err.graph_code(), None);
        assert_eq!(err.graph_message(), None);
    }

    #[test]
    fn undocumented_display_says_which_case() {
        let make = |kind| Error::UndocumentedResponse {
            operation_id: "op",
            status: 200,
            kind,
            content_type: Some("application/json".into()),
            body_excerpt: "{\"a\":1}".into(),
            request_id: Some("r".into()),
            client_request_id: None,
        };
        assert_eq!(
            make(Undocumented::Status).to_string(),
            "op: undocumented response 200 OK: the spec documents no such status for this \
             operation; content-type application/json; body: {\"a\":1} (request-id r)"
        );
        assert!(
            make(Undocumented::UnexpectedBody)
                .to_string()
                .contains("documents this status without a body, but a body arrived")
        );
    }

    #[test]
    fn invalid_request_lists_every_violation() {
        let err = Error::InvalidRequest {
            operation_id: "op",
            violations: vec![
                Violation::new("/path/id", "minLength", "must not be empty"),
                Violation::new("/body/deviceIds", "required", "is missing"),
            ],
        };
        assert_eq!(
            err.to_string(),
            "op: invalid request, not sent: /path/id: must not be empty (minLength); \
             /body/deviceIds: is missing (required)"
        );
        assert_eq!(err.status(), None);
    }

    #[test]
    fn snippet_truncates_long_bodies() {
        let long = "x".repeat(1000);
        let shown = Snippet(&long).to_string();
        assert_eq!(shown.chars().count(), Snippet::MAX_CHARS + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            parse_retry_after(" 12 ", now),
            Some(Duration::from_secs(12))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        let failure = GraphFailure {
            retry_after: Some("3".into()),
            ..forbidden()
        };
        assert_eq!(failure.retry_after_delay(now), Some(Duration::from_secs(3)));
    }
}
