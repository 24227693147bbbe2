//! `--auth client-certificate`: the OAuth 2.0 client credentials grant
//! with a certificate assertion, as Microsoft Entra ID documents it for
//! app registrations ("certificate credentials"): post a JWT signed with
//! the certificate's key to `{authority}/{tenant}/oauth2/v2.0/token` for
//! the chosen cloud's Graph scope. The token is kept until five minutes
//! before it expires, so a long run signs in again when it must.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use autopilot_client::runtime::SecretToken;
use autopilot_client::runtime::token::{TokenError, TokenFuture, TokenProvider};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::certificate::Certificate;
use crate::entra::{self, TokenAnswer};

/// Names this sign-in in messages.
const WHAT: &str = "client certificate";

/// RFC 7523's assertion type for a JWT client assertion.
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A token is asked for again this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Entra ID always says how long a token lasts; if an endpoint does not,
/// the token is not reused.
const UNKNOWN_LIFETIME: Duration = Duration::ZERO;

/// Sign-in with an app registration's certificate.
pub struct ClientCertificate {
    certificate: Certificate,
    /// The token endpoint, which is also the assertion's audience.
    endpoint: String,
    client_id: String,
    cached: Mutex<Option<(SecretToken, Instant)>>,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Signs in at `authority` (e.g. `https://login.microsoftonline.us`)
    /// in `tenant` as the app `client_id`.
    pub fn new(
        certificate: Certificate,
        authority: &str,
        tenant: &str,
        client_id: String,
    ) -> ClientCertificate {
        ClientCertificate {
            certificate,
            endpoint: format!("{authority}/{tenant}/oauth2/v2.0/token"),
            client_id,
            cached: Mutex::new(None),
        }
    }

    async fn sign_in(&self, scopes: &[&str]) -> Result<(SecretToken, Duration), TokenError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| TokenError::new("client certificate: the clock is before 1970"))?
            .as_secs();
        let jti = uuid::Uuid::new_v4().to_string();
        let assertion = self
            .certificate
            .assertion(&self.endpoint, &self.client_id, &jti, now)
            .map_err(|e| TokenError::new(format!("{WHAT}: {e}")))?;
        let scope = scopes.join(" ");
        let http = entra::http(WHAT)?;
        let answer = entra::post(
            &http,
            WHAT,
            &self.endpoint,
            &[
                ("client_id", self.client_id.as_str()),
                ("scope", &scope),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
                ("grant_type", "client_credentials"),
            ],
        )
        .await?;
        let answer = TokenAnswer::parse(WHAT, &self.endpoint, &answer)?;
        match &answer.access_token {
            Some(token) if !token.trim().is_empty() => Ok((
                SecretToken::from(token.trim()),
                answer.lifetime().unwrap_or(UNKNOWN_LIFETIME),
            )),
            _ => Err(TokenError::new(format!(
                "client certificate sign-in at {} failed: {}",
                self.endpoint,
                answer.error_text()
            ))),
        }
    }
}

impl TokenProvider for ClientCertificate {
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(async move {
            // Held across the sign-in, so concurrent callers wait for one
            // sign-in instead of starting their own.
            let mut cached = self.cached.lock().await;
            if let Some((token, expires)) = cached.as_ref()
                && Instant::now() + REFRESH_MARGIN < *expires
            {
                return Ok(token.clone());
            }
            let (token, lifetime) = self.sign_in(scopes).await?;
            *cached = Some((token.clone(), Instant::now() + lifetime));
            Ok(token)
        })
    }
}
