//! What a dry run hands back instead of sending: the request exactly as the
//! transport would have put it on the wire, minus the token.
//!
//! A dry run goes through the same [`Client::send`](super::Client::send)
//! as a real call, so whatever a real call would refuse before the network
//! (the generated spec check, a `..` path segment, a bad header) a dry run
//! refuses the same way, with the same error.

/// A request that passed every check and was not sent; see
/// [`Error::DryRun`](crate::Error::DryRun).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunRequest {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// `POST`, `GET`...
    pub method: String,
    /// The full URL, path segments percent-encoded.
    pub url: String,
    /// The headers the transport would send, but for `Authorization`, which
    /// is added per attempt and never part of a dry run.
    pub headers: Vec<(String, String)>,
    /// The body bytes, when there is one.
    pub body: Option<Vec<u8>>,
}
