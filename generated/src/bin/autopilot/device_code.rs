//! The OAuth 2.0 device authorization grant (RFC 8628) against Microsoft
//! Entra ID, for admins on a machine without a browser or the Azure CLI.
//!
//! `azure_identity` 1.0 has no device code credential, and the flow is two
//! form posts, so it is written here on `reqwest` rather than pulling in a
//! general OAuth crate: ask `{authority}/{tenant}/oauth2/v2.0/devicecode`
//! for a code, show Entra's message (open a page, type the code), then poll
//! `{authority}/{tenant}/oauth2/v2.0/token` at the interval it asks for
//! until the user has signed in. The token is kept for the rest of the run.

use std::time::Duration;

use autopilot_client::runtime::SecretToken;
use autopilot_client::runtime::token::{TokenError, TokenFuture, TokenProvider};
use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::entra::{self, TokenAnswer};
use crate::verbose::clean;

/// Names this sign-in in messages.
const WHAT: &str = "device code";

/// The grant type RFC 8628 defines for polling.
const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Sign-in by device code, once per run.
#[derive(Debug)]
pub struct DeviceCode {
    authority: String,
    tenant: String,
    client_id: String,
    token: OnceCell<SecretToken>,
}

#[derive(Deserialize)]
struct Authorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default = "default_interval")]
    interval: u64,
    expires_in: u64,
}

/// RFC 8628 §3.2: 5 seconds when the server names no interval.
fn default_interval() -> u64 {
    5
}

impl DeviceCode {
    /// A flow at `authority` (e.g. `https://login.microsoftonline.us`).
    pub fn new(authority: String, tenant: String, client_id: String) -> Self {
        DeviceCode {
            authority,
            tenant,
            client_id,
            token: OnceCell::new(),
        }
    }

    fn endpoint(&self, name: &str) -> String {
        format!("{}/{}/oauth2/v2.0/{name}", self.authority, self.tenant)
    }

    async fn sign_in(&self, scopes: &[&str]) -> Result<SecretToken, TokenError> {
        let http = entra::http(WHAT)?;
        let scope = scopes.join(" ");
        let url = self.endpoint("devicecode");
        let answer = entra::post(
            &http,
            WHAT,
            &url,
            &[("client_id", self.client_id.as_str()), ("scope", &scope)],
        )
        .await?;
        let start: Authorization = serde_json::from_slice(&answer.body).map_err(|_| {
            TokenError::new(format!(
                "device code: {url} answered {} without a device code: {}",
                answer.status,
                clean(&String::from_utf8_lossy(&answer.body))
            ))
        })?;
        let message = start.message.clone().unwrap_or_else(|| {
            format!(
                "To sign in, open {} and enter the code {}.",
                start.verification_uri, start.user_code
            )
        });
        eprintln!("autopilot: {}", clean(&message));
        let mut interval = Duration::from_secs(start.interval);
        let give_up = tokio::time::Instant::now() + Duration::from_secs(start.expires_in);
        let url = self.endpoint("token");
        loop {
            let answer = entra::post(
                &http,
                WHAT,
                &url,
                &[
                    ("grant_type", GRANT),
                    ("client_id", self.client_id.as_str()),
                    ("device_code", start.device_code.as_str()),
                ],
            )
            .await?;
            let answer = TokenAnswer::parse(WHAT, &url, &answer)?;
            match (&answer.access_token, answer.error.as_deref()) {
                (Some(token), _) => return Ok(SecretToken::from(token.as_str())),
                (None, Some("authorization_pending")) => {}
                // RFC 8628 §3.5: slow down by 5 seconds.
                (None, Some("slow_down")) => interval += Duration::from_secs(5),
                (None, _) => {
                    return Err(TokenError::new(format!(
                        "device code sign-in failed: {}",
                        answer.error_text()
                    )));
                }
            }
            if tokio::time::Instant::now() + interval > give_up {
                return Err(TokenError::new(
                    "device code sign-in failed: the code expired before sign-in finished",
                ));
            }
            tokio::time::sleep(interval).await;
        }
    }
}

impl TokenProvider for DeviceCode {
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(async move {
            self.token
                .get_or_try_init(|| self.sign_in(scopes))
                .await
                .cloned()
        })
    }
}
