//! Where bearer tokens come from.
//!
//! The client asks its [`TokenProvider`] for a token before every attempt
//! of every request, passing the scope of the cloud it talks to
//! (`https://{graph host}/.default`). A provider may therefore refresh an
//! expiring token, read it from a changing source, or ask an identity
//! library; it hands back a [`SecretToken`], which never shows up in
//! `Debug` or `Display` output.
//!
//! Three providers ship here: a fixed token ([`SecretToken`] itself), an
//! environment variable read on every call ([`EnvToken`]) and a closure
//! ([`FnToken`], built with [`token_fn`]). With the `azure-identity`
//! feature, [`AzureIdentityToken`](crate::azure::AzureIdentityToken) adapts
//! any `azure_identity` credential.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::SecretToken;

/// The boxed future a [`TokenProvider`] returns. Boxed so that providers can
/// be stored as `Arc<dyn TokenProvider>` and swapped at run time.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SecretToken, TokenError>> + Send + 'a>>;

/// A source of bearer tokens.
///
/// `scopes` holds the scope to ask an identity platform for, e.g.
/// `["https://graph.microsoft.us/.default"]` for the US Gov L4 cloud.
/// Providers that hold a ready token may ignore it.
///
/// ```
/// use openapi_runtime::token::{TokenError, TokenFuture, TokenProvider};
/// use openapi_runtime::SecretToken;
///
/// /// Hands out a token that a background task keeps fresh.
/// #[derive(Debug)]
/// struct Shared(std::sync::RwLock<SecretToken>);
///
/// impl TokenProvider for Shared {
///     fn token<'a>(&'a self, _scopes: &'a [&'a str]) -> TokenFuture<'a> {
///         Box::pin(async move {
///             self.0
///                 .read()
///                 .map(|t| t.clone())
///                 .map_err(|_| TokenError::new("the token lock is poisoned"))
///         })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A token valid for `scopes`, fetched or refreshed as needed.
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a>;
}

/// A token provider failed; the request was not sent.
///
/// The message must never quote a token: providers build it from what went
/// wrong (a missing variable, an identity-platform error), not from secrets.
#[derive(Debug)]
pub struct TokenError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TokenError {
    /// A failure described in words.
    pub fn new(message: impl Into<String>) -> Self {
        TokenError {
            message: message.into(),
            source: None,
        }
    }

    /// A failure caused by another error, kept as the [`source`](std::error::Error::source).
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TokenError {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A fixed token: the provider behind [`ClientBuilder::token`](crate::ClientBuilder::token).
impl TokenProvider for SecretToken {
    fn token<'a>(&'a self, _scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// Reads the token from an environment variable on every request, so a
/// wrapper script can replace it while a long-running program uses it.
/// Surrounding whitespace is trimmed; an unset or empty variable is an
/// error naming the variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvToken {
    variable: String,
}

impl EnvToken {
    /// Reads `variable`, e.g. `GRAPH_TOKEN`.
    pub fn new(variable: impl Into<String>) -> Self {
        EnvToken {
            variable: variable.into(),
        }
    }

    /// The variable's name.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    fn read(&self) -> Result<SecretToken, TokenError> {
        self.token_from(std::env::var(&self.variable))
    }

    /// The token for what reading the variable gave (apart from the read
    /// itself, so the unit tests need not set process-wide variables).
    fn token_from(
        &self,
        value: Result<String, std::env::VarError>,
    ) -> Result<SecretToken, TokenError> {
        match value {
            Ok(value) if !value.trim().is_empty() => Ok(SecretToken::from(value.trim())),
            Ok(_) => Err(TokenError::new(format!(
                "environment variable {} is empty",
                self.variable
            ))),
            Err(std::env::VarError::NotPresent) => Err(TokenError::new(format!(
                "environment variable {} is not set",
                self.variable
            ))),
            Err(std::env::VarError::NotUnicode(_)) => Err(TokenError::new(format!(
                "environment variable {} is not valid UTF-8",
                self.variable
            ))),
        }
    }
}

impl TokenProvider for EnvToken {
    fn token<'a>(&'a self, _scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(std::future::ready(self.read()))
    }
}

/// A provider made from a closure; see [`token_fn`].
pub struct FnToken<F> {
    function: F,
}

/// Wraps an async closure as a [`TokenProvider`]. The closure gets the
/// scopes as owned strings so that its future may outlive the call.
///
/// ```
/// use openapi_runtime::token::{token_fn, TokenError};
/// use openapi_runtime::SecretToken;
///
/// let provider = token_fn(|scopes: Vec<String>| async move {
///     assert_eq!(scopes, ["https://graph.microsoft.com/.default"]);
///     Ok::<_, TokenError>(SecretToken::from("eyJ..."))
/// });
/// # let _ = provider;
/// ```
pub fn token_fn<F, Fut>(function: F) -> FnToken<F>
where
    F: Fn(Vec<String>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<SecretToken, TokenError>> + Send + 'static,
{
    FnToken { function }
}

impl<F> fmt::Debug for FnToken<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnToken(..)")
    }
}

impl<F, Fut> TokenProvider for FnToken<F>
where
    F: Fn(Vec<String>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<SecretToken, TokenError>> + Send + 'static,
{
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        let owned = scopes.iter().map(|s| (*s).to_owned()).collect();
        Box::pin((self.function)(owned))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn block<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn static_token_is_handed_back() {
        let token = SecretToken::from("abc");
        let got = block(token.token(&["s"])).unwrap();
        assert_eq!(got.expose(), "abc");
    }

    /// What the variable holds, passed in: no test of this (threaded)
    /// binary sets a process-wide variable. `tests/auth.rs` reads a real
    /// one, set for a child process.
    #[test]
    fn env_token_trims_and_refuses_empty_or_unset() {
        use std::env::VarError;
        let provider = EnvToken::new("OPENAPI_RUNTIME_TEST_TOKEN_A");
        let token = |value| provider.token_from(value).map(|t| t.expose().to_string());
        assert_eq!(token(Ok(" first\n".into())).unwrap(), "first");
        assert_eq!(token(Ok("second".into())).unwrap(), "second");
        assert_eq!(
            token(Ok("  ".into())).unwrap_err().to_string(),
            "environment variable OPENAPI_RUNTIME_TEST_TOKEN_A is empty"
        );
        assert_eq!(
            token(Err(VarError::NotPresent)).unwrap_err().to_string(),
            "environment variable OPENAPI_RUNTIME_TEST_TOKEN_A is not set"
        );
        assert_eq!(
            token(Err(VarError::NotUnicode("\u{fffd}".into())))
                .unwrap_err()
                .to_string(),
            "environment variable OPENAPI_RUNTIME_TEST_TOKEN_A is not valid UTF-8"
        );
        // Read when asked: a name no one sets.
        let unset = EnvToken::new("OPENAPI_RUNTIME_TEST_TOKEN_NEVER_SET");
        assert_eq!(
            block(unset.token(&[])).unwrap_err().to_string(),
            "environment variable OPENAPI_RUNTIME_TEST_TOKEN_NEVER_SET is not set"
        );
    }

    #[test]
    fn closure_gets_the_scopes_and_may_refresh() {
        let calls = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let provider = token_fn(move |scopes: Vec<String>| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if scopes != ["https://graph.microsoft.us/.default"] {
                    return Err(TokenError::new(format!("unexpected scopes {scopes:?}")));
                }
                Ok(SecretToken::from(format!("token-{n}")))
            }
        });
        let scopes = ["https://graph.microsoft.us/.default"];
        assert_eq!(block(provider.token(&scopes)).unwrap().expose(), "token-0");
        assert_eq!(block(provider.token(&scopes)).unwrap().expose(), "token-1");
        assert!(block(provider.token(&["other"])).is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(format!("{provider:?}"), "FnToken(..)");
    }

    #[test]
    fn token_error_keeps_its_source() {
        use std::error::Error as _;
        let io = std::io::Error::other("socket closed");
        let err = TokenError::with_source("identity endpoint failed", io);
        assert_eq!(err.to_string(), "identity endpoint failed");
        assert_eq!(err.source().unwrap().to_string(), "socket closed");
        assert_eq!(err.message(), "identity endpoint failed");
    }
}
