//! Credentials other than the bearer token: API keys (header, query,
//! cookie) and HTTP basic, and the choice of which security alternative
//! of a route the client meets.
//!
//! They are secrets like the token: held in [`SecretToken`]s, sent in
//! header values marked sensitive (so observers and `Debug` output show
//! them redacted), and an API key in the query is added to the URL only
//! when the request goes out, never to the URL that is logged.

use std::collections::BTreeMap;

use base64::Engine as _;
use reqwest::header::{self, HeaderName, HeaderValue};

use super::Prepared;
use crate::{Error, KeyPlace, Route, Scheme, SecretToken};

/// The API keys and basic credentials a client was given.
#[derive(Debug, Clone, Default)]
pub(crate) struct Credentials {
    /// Security scheme name (its key in `components/securitySchemes`) →
    /// the key.
    pub(crate) api_keys: BTreeMap<String, SecretToken>,
    /// User name and password for HTTP basic.
    pub(crate) basic: Option<(String, SecretToken)>,
}

impl Credentials {
    /// Checks once, when the client is built, that every credential can
    /// be sent, so that a request cannot fail on it later. Messages name
    /// the scheme, never the secret.
    pub(crate) fn check(&self) -> Result<(), Error> {
        for (scheme, key) in &self.api_keys {
            if HeaderValue::from_str(key.expose()).is_err() || key.expose().is_empty() {
                return Err(Error::Config(format!(
                    "the API key for `{scheme}` is empty or has characters that cannot be sent in an HTTP header"
                )));
            }
        }
        if let Some((user, password)) = &self.basic
            && HeaderValue::from_str(&basic_value(user, password)).is_err()
        {
            return Err(Error::Config(
                "the basic credentials cannot be sent in an HTTP header".into(),
            ));
        }
        if let Some((user, _)) = &self.basic
            && user.contains(':')
        {
            return Err(Error::Config(
                "a basic-auth user name cannot contain `:` (RFC 7617)".into(),
            ));
        }
        Ok(())
    }

    /// Whether the client can send `scheme`; `has_token` tells whether it
    /// has a token provider.
    fn can_send(&self, scheme: &Scheme, has_token: bool) -> bool {
        match scheme {
            Scheme::Bearer => has_token,
            Scheme::Basic => self.basic.is_some(),
            Scheme::ApiKey { scheme, .. } => self.api_keys.contains_key(*scheme),
            Scheme::Unsupported { .. } => false,
        }
    }

    /// The alternative of `route.security` to send: the first one that
    /// needs credentials and that the client holds every credential of,
    /// else an empty one (no credential needed). An error, before
    /// anything is sent, when there is neither.
    pub(crate) fn choose(
        &self,
        route: &'static Route,
        has_token: bool,
    ) -> Result<&'static [Scheme], Error> {
        let met = route
            .security
            .iter()
            .find(|alt| !alt.is_empty() && alt.iter().all(|s| self.can_send(s, has_token)))
            .or_else(|| route.security.iter().find(|alt| alt.is_empty()));
        met.copied().ok_or_else(|| Error::Credentials {
            operation_id: route.operation_id,
            needed: describe(route.security),
        })
    }

    /// Puts the credential of `scheme` on `prepared` (not the bearer
    /// token, which the client asks its provider for).
    pub(crate) fn apply(&self, scheme: &Scheme, prepared: &mut Prepared) {
        match scheme {
            Scheme::Basic => {
                if let Some((user, password)) = &self.basic
                    && let Ok(value) = HeaderValue::from_str(&basic_value(user, password))
                {
                    prepared
                        .headers
                        .insert(header::AUTHORIZATION, sensitive(value));
                }
            }
            Scheme::ApiKey {
                scheme,
                name,
                place,
            } => {
                let Some(key) = self.api_keys.get(*scheme) else {
                    return;
                };
                match place {
                    KeyPlace::Header => {
                        if let (Ok(name), Ok(value)) = (
                            HeaderName::from_bytes(name.as_bytes()),
                            HeaderValue::from_str(key.expose()),
                        ) {
                            prepared.headers.insert(name, sensitive(value));
                        }
                    }
                    KeyPlace::Query => prepared.secret_query.push((name, key.clone())),
                    KeyPlace::Cookie => prepared.cookies.push((name, key.clone())),
                }
            }
            Scheme::Bearer | Scheme::Unsupported { .. } => {}
        }
    }
}

/// Writes the API keys that travel as cookies into one `Cookie` header
/// after the cookie parameters (RFC 6265: `name=value` pairs joined by
/// `; `).
pub(crate) fn cookie_header(prepared: &mut Prepared) {
    if prepared.cookies.is_empty() {
        return;
    }
    let params = prepared
        .param_cookie
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let joined = params
        .into_iter()
        .chain(
            prepared
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={}", value.expose())),
        )
        .collect::<Vec<_>>()
        .join("; ");
    if let Ok(value) = HeaderValue::from_str(&joined) {
        prepared.headers.insert(header::COOKIE, sensitive(value));
    }
}

/// `Basic <base64(user:password)>`.
fn basic_value(user: &str, password: &SecretToken) -> String {
    let pair = format!("{user}:{}", password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Keeps a header value out of `Debug` output and observer events.
fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}

/// The alternatives of a route in words, for the error that says none is
/// met: `API key `k` (the header `X-Key`), or basic credentials`.
fn describe(security: &[&[Scheme]]) -> String {
    security
        .iter()
        .map(|alt| {
            alt.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Scheme = Scheme::ApiKey {
        scheme: "key",
        name: "X-Key",
        place: KeyPlace::Header,
    };

    const ROUTE: Route = Route {
        operation_id: "op",
        method: crate::Method::Get,
        template: "/a",
        params: &[],
        body: None,
        auth: true,
        security: &[&[KEY], &[Scheme::Basic, Scheme::Bearer]],
        responses: &[],
        permissions: &[],
        summary: "",
        servers: &[],
    };

    fn with_key() -> Credentials {
        Credentials {
            api_keys: [("key".to_string(), SecretToken::from("k-secret"))].into(),
            basic: None,
        }
    }

    #[test]
    fn the_first_alternative_held_in_full_is_chosen() {
        assert_eq!(with_key().choose(&ROUTE, false).unwrap(), &[KEY]);
        let basic = Credentials {
            basic: Some(("u".into(), SecretToken::from("p"))),
            ..Credentials::default()
        };
        // Basic alone is half of the second alternative.
        let err = basic.choose(&ROUTE, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "op: not sent: the client holds no credentials for any security alternative of \
             the operation: API key `key` (the header `X-Key`), or basic credentials and a \
             bearer token"
        );
        assert_eq!(
            basic.choose(&ROUTE, true).unwrap(),
            &[Scheme::Basic, Scheme::Bearer]
        );
    }

    #[test]
    fn an_empty_alternative_is_the_fallback() {
        static OPTIONAL: Route = Route {
            auth: false,
            security: &[&[KEY], &[]],
            ..ROUTE
        };
        let none = Credentials::default();
        assert!(none.choose(&OPTIONAL, false).unwrap().is_empty());
        assert_eq!(with_key().choose(&OPTIONAL, false).unwrap(), &[KEY]);
        static NEVER: Route = Route {
            security: &[&[Scheme::Unsupported { scheme: "digest" }]],
            ..ROUTE
        };
        let err = none.choose(&NEVER, true).unwrap_err().to_string();
        assert!(
            err.ends_with("`digest`, which this runtime cannot send"),
            "{err}"
        );
    }

    #[test]
    fn basic_credentials_are_base64_and_checked() {
        assert_eq!(
            basic_value("Aladdin", &SecretToken::from("open sesame")),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        let colon = Credentials {
            basic: Some(("a:b".into(), SecretToken::from("p"))),
            ..Credentials::default()
        };
        assert!(colon.check().is_err());
        let newline = Credentials {
            api_keys: [("key".to_string(), SecretToken::from("a\nb"))].into(),
            basic: None,
        };
        let err = newline.check().unwrap_err().to_string();
        assert!(err.contains("`key`") && !err.contains("a\nb"), "{err}");
        assert!(with_key().check().is_ok());
    }
}
