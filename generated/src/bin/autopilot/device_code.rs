//! The OAuth 2.0 device authorization grant (RFC 8628) against Microsoft
//! Entra ID, for admins on a machine without a browser or the Azure CLI.
//!
//! `azure_identity` 1.0 has no device code credential, so the flow is the
//! `oauth2` crate's: ask `{authority}/{tenant}/oauth2/v2.0/devicecode` for
//! a code, show Entra's message (open a page, type the code), then poll
//! `{authority}/{tenant}/oauth2/v2.0/token` at the interval it asks for
//! (5 seconds more after each `slow_down`, RFC 8628 §3.5) until the user
//! has signed in or the code expires. The requests go through the CLI's
//! own HTTP client (`entra::send`: no redirects, the same roots, answers
//! capped). The token is kept for the rest of the run.

use std::future::Future;

use autopilot_client::runtime::SecretToken;
use autopilot_client::runtime::token::{TokenError, TokenFuture, TokenProvider};
use oauth2::basic::{BasicClient, BasicErrorResponse};
use oauth2::{
    ClientId, DeviceAuthorizationResponse, DeviceAuthorizationUrl, DeviceCodeErrorResponse,
    DeviceCodeErrorResponseType, ErrorResponse, ExtraDeviceAuthorizationFields, HttpRequest,
    RequestTokenError, Scope, StandardErrorResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{OnceCell, mpsc};

use crate::entra::{self, Failure};
use crate::verbose::clean;

/// Names this sign-in in messages.
const WHAT: &str = "device code";

/// Sign-in by device code, once per run.
#[derive(Debug)]
pub struct DeviceCode {
    authority: String,
    tenant: String,
    client_id: String,
    token: OnceCell<SecretToken>,
}

/// What Entra ID's device code answer has beyond RFC 8628's fields: the
/// sentence to show the user, in the user's language.
#[derive(Debug, Deserialize, Serialize)]
struct EntraFields {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for EntraFields {}

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
        let start_url = self.endpoint("devicecode");
        let token_url = self.endpoint("token");
        let bad_url = |url: &str, e: oauth2::url::ParseError| {
            TokenError::new(format!("{WHAT}: {} is not a URL: {e}", clean(url)))
        };
        let client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_device_authorization_url(
                DeviceAuthorizationUrl::new(start_url.clone())
                    .map_err(|e| bad_url(&start_url, e))?,
            )
            .set_token_uri(TokenUrl::new(token_url.clone()).map_err(|e| bad_url(&token_url, e))?);
        let http = entra::http(WHAT)?;
        // oauth2 retries a poll whose request failed (RFC 8628 §3.5: back
        // off on a timeout) whatever the failure; an answer refused here
        // (too long) would fail the same way each time, so it ends the
        // sign-in through this channel instead.
        let (refused, mut refusal) = mpsc::channel::<TokenError>(1);
        let send = |request: HttpRequest| {
            let http = http.clone();
            let refused = refused.clone();
            async move {
                match entra::send(&http, WHAT, request).await {
                    Err(Failure::Refused(e)) => {
                        let _ = refused.try_send(TokenError::new(e.to_string()));
                        Err(Failure::Refused(e))
                    }
                    answer => answer,
                }
            }
        };

        let start: DeviceAuthorizationResponse<EntraFields> = client
            .exchange_device_code()
            .add_scopes(scopes.iter().map(|s| Scope::new(s.to_string())))
            .request_async(&send)
            .await
            .map_err(|e| start_failed(&start_url, e))?;
        let message = start.extra_fields().message.clone().unwrap_or_else(|| {
            format!(
                "To sign in, open {} and enter the code {}.",
                start.verification_uri().as_str(),
                start.user_code().secret()
            )
        });
        eprintln!("autopilot: {}", clean(&message));

        let polled = client.exchange_device_access_token(&start).request_async(
            &send,
            tokio::time::sleep,
            None,
        );
        let token = first_of(polled, refusal.recv()).await?;
        Ok(SecretToken::from(token.access_token().secret().as_str()))
    }
}

/// Polls until `polled` ends or a refused answer arrives, whichever is
/// first.
async fn first_of<T>(
    polled: impl Future<Output = Result<T, RequestTokenError<Failure, DeviceCodeErrorResponse>>>,
    refusal: impl Future<Output = Option<TokenError>>,
) -> Result<T, TokenError> {
    tokio::select! {
        token = polled => token.map_err(poll_failed),
        Some(refused) = refusal => Err(refused),
    }
}

/// Why the device code could not be had, in words.
fn start_failed(url: &str, error: RequestTokenError<Failure, BasicErrorResponse>) -> TokenError {
    match error {
        RequestTokenError::ServerResponse(answer) => TokenError::new(format!(
            "{WHAT}: {url} gave no device code: {}",
            error_text(&answer)
        )),
        other => failed(url, other),
    }
}

/// Why polling for the token ended without one, in words.
fn poll_failed(error: RequestTokenError<Failure, DeviceCodeErrorResponse>) -> TokenError {
    match error {
        RequestTokenError::ServerResponse(answer) => match answer.error() {
            DeviceCodeErrorResponseType::ExpiredToken => TokenError::new(
                "device code sign-in failed: the code expired before sign-in finished",
            ),
            _ => TokenError::new(format!(
                "device code sign-in failed: {}",
                error_text(&answer)
            )),
        },
        other => failed("the token endpoint", other),
    }
}

/// The failures both steps share: no answer, or one that is not JSON of
/// the expected shape (quoted, cleaned).
fn failed<T: ErrorResponse>(url: &str, error: RequestTokenError<Failure, T>) -> TokenError {
    match error {
        RequestTokenError::Request(failure) => failure.into_error(),
        RequestTokenError::Parse(e, body) => TokenError::new(format!(
            "{WHAT}: {url} answered something else than expected ({}): {}",
            clean(&e.to_string()),
            clean(&String::from_utf8_lossy(&body))
        )),
        RequestTokenError::Other(text) => {
            TokenError::new(format!("{WHAT}: {url}: {}", clean(&text)))
        }
        RequestTokenError::ServerResponse(_) => {
            TokenError::new(format!("{WHAT}: {url} refused the request"))
        }
    }
}

/// An OAuth error answer in words: `code: description`, cleaned.
fn error_text<T: oauth2::ErrorResponseType + AsRef<str>>(
    answer: &StandardErrorResponse<T>,
) -> String {
    format!(
        "{}: {}",
        clean(answer.error().as_ref()),
        clean(answer.error_description().map(String::as_str).unwrap_or(""))
    )
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
