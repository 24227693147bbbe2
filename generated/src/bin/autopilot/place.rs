//! Where requests go and which cloud tokens are for: `--cloud` (or
//! `GRAPH_CLOUD`), `--base-url` and `--allow-host`.
//!
//! A bearer token goes wherever `--base-url` points, so a typo must not
//! send it to a stranger: the host has to be one of the spec's clouds, a
//! loopback test server, or named with `--allow-host`.

use autopilot_client::SERVERS;
use autopilot_client::runtime::{self, Cloud};
use url::Url;

/// The service root to call and the cloud whose tokens to use.
#[derive(Debug, Clone)]
pub struct Place {
    /// Where requests go.
    pub service: Cloud,
    /// Where to sign in, and what tokens must be issued for.
    pub tokens: Cloud,
}

/// The place the flags choose.
pub fn choose(
    base_url: Option<&str>,
    cloud: Option<&str>,
    allow_hosts: &[String],
) -> Result<Place, String> {
    let named = |name: &str| Cloud::named(SERVERS, name).map_err(|e| e.to_string());
    let Some(base_url) = base_url else {
        let tokens = match cloud {
            Some(name) => named(name)?,
            None => first()?,
        };
        return Ok(Place {
            service: tokens.clone(),
            tokens,
        });
    };
    let service = Cloud::custom(base_url).map_err(|e| e.to_string())?;
    let host = Url::parse(service.service_root())
        .ok()
        .and_then(|url| url.host().map(|h| h.to_owned()))
        .ok_or_else(|| format!("base URL {base_url:?} has no host"))?;
    let cloud_of_host = SERVERS.iter().find(|server| {
        Url::parse(server.url)
            .ok()
            .and_then(|url| url.host().map(|h| h.to_owned()))
            .is_some_and(|h| h == host)
    });
    let allowed = runtime::client::is_loopback(&host)
        || cloud_of_host.is_some()
        || allow_hosts
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(&host.to_string()));
    if !allowed {
        return Err(format!(
            "--base-url host {host} is not one of the spec's clouds ({}); the token would be \
             sent there, so pass --allow-host {host} if that is meant",
            SERVERS
                .iter()
                .filter_map(|s| Url::parse(s.url).ok()?.host_str().map(str::to_owned))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let tokens = match (cloud, cloud_of_host) {
        (Some(name), _) => named(name)?,
        (None, Some(server)) => Cloud::from_server(server).map_err(|e| e.to_string())?,
        (None, None) => first()?,
    };
    Ok(Place { service, tokens })
}

/// The spec's first server: the default cloud.
fn first() -> Result<Cloud, String> {
    match SERVERS.first() {
        Some(server) => Cloud::from_server(server).map_err(|e| e.to_string()),
        None => Err("the spec lists no servers; pass --base-url".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_hosts_must_be_known() {
        let place = choose(Some("https://graph.microsoft.us/beta"), None, &[]).unwrap();
        assert_eq!(place.tokens.name(), Some("usgov"));
        let place = choose(Some("http://127.0.0.1:9/beta"), Some("china"), &[]).unwrap();
        assert_eq!(place.service.service_root(), "http://127.0.0.1:9/beta");
        assert_eq!(place.tokens.name(), Some("china"));
        let err = choose(Some("https://graph.micosoft.com/beta"), None, &[]).unwrap_err();
        assert!(
            err.starts_with("--base-url host graph.micosoft.com is not one of the spec's clouds"),
            "{err}"
        );
        assert!(err.contains("--allow-host graph.micosoft.com"), "{err}");
        let proxy = ["Proxy.Contoso.example".to_owned()];
        let place = choose(Some("https://proxy.contoso.example/beta"), None, &proxy).unwrap();
        assert_eq!(place.tokens.name(), Some("global"));
    }

    #[test]
    fn the_cloud_alone_names_both() {
        let place = choose(None, Some("usgov-dod"), &[]).unwrap();
        assert_eq!(
            place.service.service_root(),
            "https://dod-graph.microsoft.us/beta"
        );
        assert_eq!(place.tokens, place.service);
        assert_eq!(
            choose(None, None, &[]).unwrap().tokens.name(),
            Some("global")
        );
    }
}
