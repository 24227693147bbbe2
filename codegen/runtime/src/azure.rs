//! Tokens from the official Azure SDK (`azure_identity`), behind the
//! `azure-identity` feature.
//!
//! Any `azure_core::credentials::TokenCredential` works: a developer's
//! `az login` (`DeveloperToolsCredential`, `AzureCliCredential`), an app
//! registration's secret (`ClientSecretCredential`), a managed identity.
//! The client asks it for `https://{graph host of the cloud}/.default`,
//! e.g. `https://graph.microsoft.us/.default` for US Gov L4, and the
//! credential caches and refreshes the token itself.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use openapi_runtime::azure::{AzureIdentityToken, azure_identity};
//! use openapi_runtime::{Client, Cloud, Server};
//!
//! # static SERVERS: &[Server] = &[];
//! let credential = azure_identity::DeveloperToolsCredential::new(None)?;
//! let client = Client::builder()
//!     .cloud(&Cloud::named(SERVERS, "usgov")?)
//!     .token_provider(AzureIdentityToken::new(credential))
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```

use std::sync::Arc;

pub use azure_core;
pub use azure_identity;

use azure_core::credentials::TokenCredential;

use crate::SecretToken;
use crate::token::{TokenError, TokenFuture, TokenProvider};

/// A [`TokenProvider`] over an `azure_identity` credential.
#[derive(Debug, Clone)]
pub struct AzureIdentityToken {
    credential: Arc<dyn TokenCredential>,
}

impl AzureIdentityToken {
    /// Wraps a credential; `azure_identity` constructors already return
    /// one in an `Arc`.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        AzureIdentityToken { credential }
    }
}

impl TokenProvider for AzureIdentityToken {
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(async move {
            let access = self.credential.get_token(scopes, None).await.map_err(|e| {
                TokenError::with_source(
                    format!("azure_identity could not get a token for {scopes:?}: {e}"),
                    e,
                )
            })?;
            Ok(SecretToken::from(access.token.secret()))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Mutex;

    use azure_core::credentials::{AccessToken, TokenRequestOptions};
    use azure_core::error::{Error as AzureError, ErrorKind};
    use azure_core::time::{Duration as AzureDuration, OffsetDateTime};

    use super::*;

    /// A credential that records the scopes it is asked for; no network.
    #[derive(Debug, Default)]
    struct Recording {
        asked: Mutex<Vec<Vec<String>>>,
        fail: bool,
    }

    // The trait is declared with `#[async_trait]`; this is the signature
    // that macro produces, written out so the tests need no extra crate.
    impl TokenCredential for Recording {
        fn get_token<'life0, 'life1, 'life2, 'life3, 'async_trait>(
            &'life0 self,
            scopes: &'life1 [&'life2 str],
            _options: Option<TokenRequestOptions<'life3>>,
        ) -> Pin<Box<dyn Future<Output = azure_core::Result<AccessToken>> + Send + 'async_trait>>
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            'life2: 'async_trait,
            'life3: 'async_trait,
            Self: 'async_trait,
        {
            self.asked
                .lock()
                .unwrap()
                .push(scopes.iter().map(|s| s.to_string()).collect());
            let result = if self.fail {
                Err(AzureError::with_message(
                    ErrorKind::Credential,
                    "AzureCliCredential: az not found",
                ))
            } else {
                Ok(AccessToken::new(
                    "azure-token",
                    OffsetDateTime::now_utc() + AzureDuration::minutes(60),
                ))
            };
            Box::pin(std::future::ready(result))
        }
    }

    fn block<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn asks_the_credential_for_the_given_scope() {
        let credential = Arc::new(Recording::default());
        let provider = AzureIdentityToken::new(credential.clone());
        let token = block(provider.token(&["https://graph.microsoft.us/.default"])).unwrap();
        assert_eq!(token.expose(), "azure-token");
        assert_eq!(
            *credential.asked.lock().unwrap(),
            [["https://graph.microsoft.us/.default"]]
        );
    }

    #[test]
    fn credential_errors_become_token_errors() {
        let provider = AzureIdentityToken::new(Arc::new(Recording {
            fail: true,
            ..Recording::default()
        }));
        let err = block(provider.token(&["https://graph.microsoft.com/.default"])).unwrap_err();
        assert!(
            err.message().starts_with(
                "azure_identity could not get a token for [\"https://graph.microsoft.com/.default\"]"
            ),
            "{err}"
        );
        assert!(err.message().contains("az not found"), "{err}");
    }
}
