//! What a generated crate tells the runtime about its spec ([`Service`]),
//! so that behaviour only Microsoft Graph wants (its service root as the
//! default base URL, permission preflight on JWT claims) is switched on by
//! what the spec says instead of being assumed for every API.

use crate::Service;

/// The first server whose URL is absolute (`http://` or `https://`): the
/// base URL of a client built for `service` without one. Relative server
/// URLs name no host, so they cannot serve as a default.
pub(crate) fn default_base_url(service: &Service) -> Option<&'static str> {
    service.servers.iter().map(|s| s.url).find(|url| {
        let lower = url.to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://")
    })
}

/// Why a client that was given no base URL must not send for `service`
/// (not Graph): the Graph default would receive requests, and
/// credentials, meant for another service.
pub(crate) fn missing_base_url(service: &Service) -> String {
    let listed = match default_base_url(service) {
        Some(url) => format!("; the spec lists {url}"),
        None => "; the spec lists no absolute server URL".to_owned(),
    };
    format!(
        "no base URL was set for {:?}, which is not a Microsoft Graph API: \
         sending to the Graph default ({}) would hand it this API's requests \
         and credentials. Set ClientBuilder::base_url, or build with \
         ClientBuilder::service(&SERVICE){listed}",
        service.title,
        super::DEFAULT_BASE_URL
    )
}
