//! A bearer token that cannot leak through formatting.

use std::fmt;

/// A bearer token for the `Authorization` header.
///
/// `Debug` prints `SecretToken(***)` and `Display` prints `***`, so a token
/// inside a config struct, an error or a log line stays hidden. The only way
/// to read it is [`SecretToken::expose`], which makes every use easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(token.into())
    }

    /// The token itself, for building the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretToken {
    fn from(token: String) -> Self {
        SecretToken(token)
    }
}

impl From<&str> for SecretToken {
    fn from(token: &str) -> Self {
        SecretToken(token.to_owned())
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(***)")
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_hides_the_token() {
        let token = SecretToken::from(String::from("eyJ-very-secret"));
        assert_eq!(format!("{token:?}"), "SecretToken(***)");
        assert_eq!(format!("{token:#?}"), "SecretToken(***)");
        assert_eq!(token.to_string(), "***");
        assert_eq!(token.expose(), "eyJ-very-secret");
    }

    #[test]
    fn constructors_agree() {
        assert_eq!(SecretToken::new("t"), SecretToken::from("t"));
        assert_eq!(SecretToken::new("t"), SecretToken::from(String::from("t")));
        assert_ne!(SecretToken::new("t"), SecretToken::new("u"));
    }
}
