//! National clouds and custom service roots.
//!
//! The runtime knows no cloud by name: a generated crate lists the service
//! roots its spec declares in `servers` (with the cloud's short name from
//! the `x-cloud` extension) as [`Server`] data, and a [`Cloud`] is built from
//! one of those, or from any custom root. The same value then gives the
//! `https://{host}/.default` scope that tokens for that cloud must be issued
//! for.

use std::fmt;

use url::Url;

use crate::client::check_base_url;
use crate::{Error, Server};

/// A service root to send requests to, with the token scope that goes with
/// it.
///
/// ```
/// use openapi_runtime::{Cloud, Server};
///
/// // What a generated crate's `SERVERS` table holds.
/// static SERVERS: &[Server] = &[Server {
///     url: "https://graph.microsoft.us/beta",
///     description: "US Government L4",
///     cloud: Some("usgov"),
/// }];
/// let cloud = Cloud::named(SERVERS, "usgov").unwrap();
/// assert_eq!(cloud.service_root(), "https://graph.microsoft.us/beta");
/// assert_eq!(cloud.token_scope(), "https://graph.microsoft.us/.default");
/// assert!(Cloud::named(SERVERS, "mars").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    name: Option<String>,
    service_root: String,
    scope: String,
}

impl Cloud {
    /// The cloud a spec's server entry describes. Fails with
    /// [`Error::Config`] when its URL is not an acceptable service root
    /// (see [`ClientBuilder::base_url`](crate::ClientBuilder::base_url)).
    pub fn from_server(server: &Server) -> Result<Cloud, Error> {
        let mut cloud = Cloud::custom(server.url)?;
        cloud.name = server.cloud.map(str::to_owned);
        Ok(cloud)
    }

    /// The server whose `x-cloud` name is `name`, e.g. `usgov-dod`. The
    /// error lists the names the spec does define.
    pub fn named(servers: &[Server], name: &str) -> Result<Cloud, Error> {
        match servers.iter().find(|s| s.cloud == Some(name)) {
            Some(server) => Cloud::from_server(server),
            None => {
                let known: Vec<&str> = servers.iter().filter_map(|s| s.cloud).collect();
                Err(Error::Config(format!(
                    "the spec lists no server for cloud {name:?}; known clouds: {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )))
            }
        }
    }

    /// Any service root, e.g. a proxy in front of Graph or a loopback test
    /// server. It must be `https` (plain `http` only on loopback hosts).
    pub fn custom(service_root: &str) -> Result<Cloud, Error> {
        let service_root = check_base_url(service_root)?;
        let scope = scope_for(&service_root)?;
        Ok(Cloud {
            name: None,
            service_root,
            scope,
        })
    }

    /// The cloud's short name from the spec (`None` for a custom root).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The service root, including the version segment, without a trailing
    /// slash.
    pub fn service_root(&self) -> &str {
        &self.service_root
    }

    /// The scope to request tokens for: `https://{host}/.default`, where
    /// host is the service root's host (and port, when it names one).
    pub fn token_scope(&self) -> &str {
        &self.scope
    }

    /// The Graph resource tokens for this cloud are issued for
    /// (`https://{host}`): what a JWT's `aud` names.
    pub fn token_resource(&self) -> &str {
        self.scope.trim_end_matches(SCOPE_SUFFIX)
    }
}

/// What a resource URL becomes a scope with.
pub(crate) const SCOPE_SUFFIX: &str = "/.default";

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} ({})", self.service_root),
            None => f.write_str(&self.service_root),
        }
    }
}

/// `https://{host[:port]}/.default` for an already validated service root.
/// Tokens are always requested for the `https` resource, even when a
/// loopback test server is reached over plain `http`.
pub(crate) fn scope_for(service_root: &str) -> Result<String, Error> {
    let url = Url::parse(service_root)
        .map_err(|e| Error::Config(format!("base URL {service_root:?} does not parse: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| Error::Config(format!("base URL {service_root:?} has no host")))?;
    Ok(match url.port() {
        Some(port) => format!("https://{host}:{port}/.default"),
        None => format!("https://{host}/.default"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    static SERVERS: &[Server] = &[
        Server {
            url: "https://graph.microsoft.com/beta",
            description: "global",
            cloud: Some("global"),
        },
        Server {
            url: "https://dod-graph.microsoft.us/beta/",
            description: "dod",
            cloud: Some("usgov-dod"),
        },
        Server {
            url: "http://graph.example.org/beta",
            description: "broken",
            cloud: Some("plain"),
        },
        Server {
            url: "https://unnamed.example.org/v1.0",
            description: "no x-cloud",
            cloud: None,
        },
    ];

    #[test]
    fn named_clouds_come_from_the_table() {
        let dod = Cloud::named(SERVERS, "usgov-dod").unwrap();
        assert_eq!(dod.name(), Some("usgov-dod"));
        assert_eq!(dod.service_root(), "https://dod-graph.microsoft.us/beta");
        assert_eq!(dod.token_scope(), "https://dod-graph.microsoft.us/.default");
        assert_eq!(
            dod.to_string(),
            "usgov-dod (https://dod-graph.microsoft.us/beta)"
        );
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let Err(Error::Config(message)) = Cloud::named(SERVERS, "china") else {
            panic!("expected a config error")
        };
        assert_eq!(
            message,
            "the spec lists no server for cloud \"china\"; known clouds: global, usgov-dod, plain"
        );
        let Err(Error::Config(message)) = Cloud::named(&[], "global") else {
            panic!("expected a config error")
        };
        assert!(message.ends_with("known clouds: none"), "{message}");
    }

    #[test]
    fn a_bad_server_url_is_refused_not_used() {
        let Err(Error::Config(message)) = Cloud::named(SERVERS, "plain") else {
            panic!("expected a config error")
        };
        assert!(message.contains("plain http"), "{message}");
    }

    #[test]
    fn custom_roots_keep_their_port_in_the_scope() {
        let local = Cloud::custom("http://127.0.0.1:8080/beta").unwrap();
        assert_eq!(local.name(), None);
        assert_eq!(local.token_scope(), "https://127.0.0.1:8080/.default");
        assert_eq!(local.to_string(), "http://127.0.0.1:8080/beta");
        let proxy = Cloud::custom("https://graph.contoso.test:443/beta").unwrap();
        // The URL parser drops a port that is the scheme's default.
        assert_eq!(proxy.token_scope(), "https://graph.contoso.test/.default");
        let unnamed = Cloud::from_server(&SERVERS[3]).unwrap();
        assert_eq!(unnamed.name(), None);
        assert_eq!(
            unnamed.token_scope(),
            "https://unnamed.example.org/.default"
        );
    }
}
