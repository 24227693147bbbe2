//! A response as the decoders see it: fully read, nothing streaming.

use reqwest::header::HeaderMap;

use crate::retry::Attempts;

/// Where services put the id of a request, in the order they are looked
/// for.
pub(crate) const REQUEST_ID_HEADERS: [&str; 3] = ["request-id", "x-ms-request-id", "x-request-id"];

/// A response whose body has been read completely (error bodies are capped
/// at [`MAX_ERROR_BODY`](super::MAX_ERROR_BODY) bytes).
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The `client-request-id` the request was sent with, so an error can
    /// name it even when the service does not echo it.
    pub client_request_id: String,
    /// How many attempts it took to get this response, and, for a
    /// throttled answer, why the client stopped retrying.
    pub attempts: Attempts,
}

impl Response {
    /// The service's request id: the first of the response headers
    /// `request-id` (Microsoft Graph), `x-ms-request-id` (Azure) and
    /// `x-request-id` (a common convention elsewhere) that is present and
    /// text.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS.iter().find_map(|name| self.header(name))
    }

    /// The response's `Content-Type`, when present and text.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// A response header as text, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn request_id_comes_from_the_usual_headers() {
        let mut response = Response {
            status: 200,
            headers: HeaderMap::new(),
            body: Vec::new(),
            client_request_id: "c".into(),
            attempts: Attempts::default(),
        };
        assert_eq!(response.request_id(), None);
        response
            .headers
            .insert("x-request-id", HeaderValue::from_static("x-1"));
        assert_eq!(response.request_id(), Some("x-1"));
        response
            .headers
            .insert("x-ms-request-id", HeaderValue::from_static("ms-1"));
        assert_eq!(response.request_id(), Some("ms-1"));
        response
            .headers
            .insert("request-id", HeaderValue::from_static("r-1"));
        assert_eq!(response.request_id(), Some("r-1"));
        assert_eq!(response.content_type(), None);
    }
}
