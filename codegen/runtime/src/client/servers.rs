//! Where a request goes: the client's base URL, or the operation's own
//! server (`servers` on its path item or operation, [`Route::servers`]).
//!
//! The rule, for the first of the route's servers:
//!
//! * a relative URL (`/upload`, `files`) is resolved against the base URL
//!   as RFC 3986 resolves a reference, the base counting as a directory:
//!   `files` under `https://h/v1` is `https://h/v1/files`, `/upload` is
//!   `https://h/upload`;
//! * an absolute URL (`https://upload.example.com/v2`) is used as it is,
//!   whatever base URL the client was given: the spec says the operation
//!   lives there (the generator warns about each such operation);
//! * except when the base URL is loopback (`127.0.0.1`, `::1`,
//!   `localhost`: tests, mocks, the conformance job): then only the
//!   server's path is kept, appended to the base URL
//!   (`http://127.0.0.1:8080/v1` + `/v2`), relative or absolute alike, so
//!   that one local server sees every call. [`Route::match_path`] expects
//!   a route's template under that path.
//!
//! The resolved URL passes the same checks as a base URL (`https`, or
//! `http` on loopback only; no user name or password), since the
//! request's credentials go there too.

use std::borrow::Cow;

use url::Url;

use crate::route::server_path;
use crate::{Route, Violation};

/// The service root `route`'s request goes to, without a trailing slash.
pub(super) fn service_root<'a>(
    base_url: &'a str,
    base_is_loopback: bool,
    route: &Route,
) -> Result<Cow<'a, str>, Violation> {
    let Some(server) = route.servers.first() else {
        return Ok(Cow::Borrowed(base_url));
    };
    if base_is_loopback {
        let path = server_path(server.url);
        return Ok(if path.is_empty() {
            Cow::Borrowed(base_url)
        } else {
            Cow::Owned(format!("{base_url}/{path}"))
        });
    }
    let refused = |why: String| {
        Violation::new(
            "/server",
            "url",
            format!("the operation's server `{}` {why}", server.url),
        )
    };
    let resolved = Url::parse(&format!("{base_url}/"))
        .and_then(|base| base.join(server.url))
        .map_err(|e| refused(format!("does not resolve against the base URL: {e}")))?;
    super::check_base_url(resolved.as_str())
        .map(Cow::Owned)
        .map_err(|e| refused(format!("cannot be called: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Method, Server};

    fn route(servers: &'static [Server]) -> Route {
        Route {
            operation_id: "op",
            method: Method::Get,
            template: "/x",
            params: &[],
            body: None,
            auth: false,
            security: &[],
            responses: &[],
            permissions: &[],
            summary: "",
            servers,
        }
    }

    const fn server(url: &'static str) -> Server {
        Server {
            url,
            description: "",
            cloud: None,
        }
    }

    fn root(base: &str, loopback: bool, url: &'static str) -> Result<String, Violation> {
        let servers: &'static [Server] = Box::leak(Box::new([server(url)]));
        service_root(base, loopback, &route(servers)).map(Cow::into_owned)
    }

    #[test]
    fn without_servers_the_base_url_is_the_root() {
        assert_eq!(
            service_root("https://h/v1", false, &route(&[])).unwrap(),
            "https://h/v1"
        );
    }

    #[test]
    fn relative_servers_resolve_against_the_base_as_a_directory() {
        assert_eq!(
            root("https://h/v1", false, "files").unwrap(),
            "https://h/v1/files"
        );
        assert_eq!(
            root("https://h/v1", false, "./files/").unwrap(),
            "https://h/v1/files"
        );
        assert_eq!(
            root("https://h/v1", false, "/upload").unwrap(),
            "https://h/upload"
        );
        assert_eq!(root("https://h/v1", false, "/").unwrap(), "https://h");
    }

    #[test]
    fn absolute_servers_are_used_as_they_are_unless_the_base_is_loopback() {
        let up = "https://upload.example.invalid/v2/";
        assert_eq!(
            root("https://h/v1", false, up).unwrap(),
            "https://upload.example.invalid/v2"
        );
        assert_eq!(
            root("http://127.0.0.1:9/v1", true, up).unwrap(),
            "http://127.0.0.1:9/v1/v2"
        );
        assert_eq!(
            root("http://127.0.0.1:9/v1", true, "/upload").unwrap(),
            "http://127.0.0.1:9/v1/upload"
        );
        assert_eq!(
            root("http://127.0.0.1:9", true, "https://upload.example.invalid").unwrap(),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn servers_that_would_expose_credentials_are_refused() {
        let err = root("https://h/v1", false, "http://plain.example.invalid/v2").unwrap_err();
        assert_eq!(err.location, "/server");
        assert!(err.message.contains("plain http"), "{err}");
        assert!(root("https://h/v1", false, "https://user:pw@x.example.invalid").is_err());
    }
}
