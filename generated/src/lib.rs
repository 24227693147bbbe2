//! Typed, validated Microsoft Graph (beta) client for the Intune action
//! **assign** on Windows Autopilot deployment profiles.
//!
//! Everything in [`types`], [`routes`], [`params`], [`paths`] and the
//! operation methods of [`Client`] is generated at build time from
//! `spec/assign.yaml` by the `codegen` crate; the transport, authentication
//! and error decoding come from [`runtime`] (the `openapi-runtime` crate).
//! Every operation can also be called by its operationId with generic
//! arguments ([`Client::dispatch`], [`dispatch::OPERATIONS`], [`API`]);
//! the other spec files in `spec/` get a module each under [`specs`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), autopilot_client::runtime::Error> {
//! use autopilot_client::{Client, types::AssignRequest};
//!
//! let client = Client::connect("https://graph.microsoft.com/beta", std::env::var("GRAPH_TOKEN").unwrap())?;
//! let body = AssignRequest { device_ids: vec!["device-1".into()] };
//! // The fluent path mirrors the URL...
//! client
//!     .device_management()
//!     .windows_autopilot_deployment_profiles()
//!     .by_windows_autopilot_deployment_profile_id("profile-1")
//!     .assign()
//!     .post(&body)
//!     .await?;
//! // ...and the flat method does the same in one call.
//! client.windows_autopilot_deployment_profiles_assign("profile-1", &body).await?;
//! # Ok(()) }
//! ```

pub use openapi_runtime as runtime;

include!(concat!(env!("OUT_DIR"), "/api.rs"));

/// The clients of the other spec files in `spec/`, one module each (named
/// after the file: `spec/other-api.yaml` is `specs::other_api`), and
/// [`specs::ALL`], every spec's [`API`](crate::API)-like surface for
/// generic callers such as the conformance job.
pub mod specs {
    include!(concat!(env!("OUT_DIR"), "/specs.rs"));
}

impl Client {
    /// A client for the service root `base_url` (including the version
    /// segment, e.g. `https://graph.microsoft.com/beta`) that sends `token`
    /// as its bearer token.
    pub fn connect(base_url: &str, token: impl Into<String>) -> Result<Self, runtime::Error> {
        let runtime = runtime::Client::builder()
            .base_url(base_url)
            .token(runtime::SecretToken::from(token.into()))
            .user_agent(user_agent())
            .build()?;
        Ok(Client::new(runtime))
    }
}

/// The `User-Agent` that [`Client::connect`] sends: this crate and the
/// runtime, with their versions (`autopilot-client/0.1.0 openapi-runtime/0.1.0`).
pub fn user_agent() -> String {
    format!(
        "autopilot-client/{} {}",
        env!("CARGO_PKG_VERSION"),
        runtime::client::DEFAULT_USER_AGENT
    )
}

/// A national cloud from the spec's `servers`, by the short name the spec
/// gives it in `x-cloud` (`global`, `usgov`, `usgov-dod`, `china`), ready for
/// [`runtime::ClientBuilder::cloud`]. The error lists the known names.
pub fn cloud(name: &str) -> Result<runtime::Cloud, runtime::Error> {
    runtime::Cloud::named(SERVERS, name)
}

/// The service root of a national cloud, by the short name the spec gives
/// it in `x-cloud` (`global`, `usgov`, `usgov-dod`, `china`).
pub fn cloud_root(cloud: &str) -> Option<&'static str> {
    SERVERS
        .iter()
        .find(|s| s.cloud == Some(cloud))
        .map(|s| s.url)
}
