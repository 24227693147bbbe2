//! Permission preflight: refuse, before sending, a request the token
//! visibly cannot make.
//!
//! Access tokens for Graph are usually JWTs whose payload lists what they
//! grant: `scp` (space-separated delegated scopes) or `roles` (application
//! permissions), and `tid`, the tenant. The client reads those claims
//! *without verifying the signature* (only Graph can judge the token; this
//! is a courtesy check that turns a certain `403` into a clear message
//! naming the permissions the spec requires). A token that is not a JWT
//! with a JSON payload is opaque to us and is sent as it is.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The tenant id that personal Microsoft accounts (outlook.com, live.com)
/// sign in through. Graph's Intune APIs do not serve them.
pub const PERSONAL_ACCOUNT_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The claims preflight reads from a token's payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// `tid`: the tenant the token was issued in.
    pub tenant_id: Option<String>,
    /// `scp`, split on whitespace: delegated scopes.
    pub scopes: Option<Vec<String>>,
    /// `roles`: application permissions (app roles).
    pub roles: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawClaims {
    tid: Option<String>,
    scp: Option<String>,
    roles: Option<Vec<String>>,
}

impl Claims {
    /// Reads the payload of a JWT (`header.payload.signature`, base64url)
    /// without verifying anything. `None` when the token is not shaped like
    /// a JWT or its payload is not a JSON object with the expected claim
    /// types: such a token is treated as opaque.
    pub fn from_jwt(token: &str) -> Option<Claims> {
        let mut parts = token.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            // Five parts is an encrypted JWE, whose payload we cannot read.
            return None;
        }
        // Some issuers pad their base64url; the standard says not to.
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        let raw: RawClaims = serde_json::from_slice(&bytes).ok()?;
        Some(Claims {
            tenant_id: raw.tid,
            scopes: raw
                .scp
                .map(|scp| scp.split_whitespace().map(str::to_owned).collect()),
            roles: raw.roles,
        })
    }

    /// Whether the claims satisfy one of `alternatives`, each a set of
    /// permissions that together suffice. Names compare case-insensitively,
    /// as Microsoft Entra ID treats them. No alternatives means no
    /// requirement.
    pub fn grants_any(&self, alternatives: &[&[&str]]) -> bool {
        if alternatives.is_empty() {
            return true;
        }
        let granted: Vec<&str> = self.granted().collect();
        alternatives.iter().any(|needed| {
            needed
                .iter()
                .all(|n| granted.iter().any(|g| g.eq_ignore_ascii_case(n)))
        })
    }

    /// Every permission the token grants, delegated and application.
    pub fn granted(&self) -> impl Iterator<Item = &str> {
        self.scopes
            .iter()
            .chain(self.roles.iter())
            .flatten()
            .map(String::as_str)
    }

    /// Which kind of token the claims describe.
    pub fn kind(&self) -> TokenKind {
        match (&self.scopes, &self.roles) {
            (Some(_), Some(_)) => TokenKind::Both,
            (Some(_), None) => TokenKind::Delegated,
            (None, Some(_)) => TokenKind::Application,
            (None, None) => TokenKind::NoPermissions,
        }
    }
}

/// The kind of a token, by the permission claims it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `scp`: a user signed in, the app acts for them.
    Delegated,
    /// `roles`: the app acts as itself.
    Application,
    /// Both claims (unusual, but possible).
    Both,
    /// Neither claim: e.g. an ID token or a token for another resource.
    NoPermissions,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenKind::Delegated => "delegated token (scp)",
            TokenKind::Application => "application token (roles)",
            TokenKind::Both => "token (scp and roles)",
            TokenKind::NoPermissions => "token with neither scp nor roles",
        })
    }
}

/// Why preflight refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreflightProblem {
    /// The token comes from the personal Microsoft account tenant.
    PersonalAccount,
    /// The token grants none of the permission alternatives the spec lists.
    MissingPermission {
        /// The alternatives the spec lists for the operation.
        required: &'static [&'static [&'static str]],
        /// What the token carries.
        kind: TokenKind,
        /// Every permission the token grants.
        granted: Vec<String>,
    },
}

/// Checks `token` for the permissions `required` lists; `Ok` for a
/// sufficient JWT and for any opaque token.
pub fn check(
    token: &str,
    required: &'static [&'static [&'static str]],
) -> Result<(), PreflightProblem> {
    let Some(claims) = Claims::from_jwt(token) else {
        return Ok(());
    };
    if claims.tenant_id.as_deref() == Some(PERSONAL_ACCOUNT_TENANT) {
        return Err(PreflightProblem::PersonalAccount);
    }
    if claims.grants_any(required) {
        return Ok(());
    }
    Err(PreflightProblem::MissingPermission {
        required,
        kind: claims.kind(),
        granted: claims.granted().map(str::to_owned).collect(),
    })
}

impl fmt::Display for PreflightProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightProblem::PersonalAccount => f.write_str(
                "personal Microsoft accounts are not supported: the token was issued in the \
                 consumer tenant; sign in with a work or school account",
            ),
            PreflightProblem::MissingPermission {
                required,
                kind,
                granted,
            } => {
                f.write_str("the token lacks the permission this operation needs: ")?;
                f.write_str(if required.len() == 1 {
                    "it needs "
                } else {
                    "it needs one of "
                })?;
                for (index, set) in required.iter().enumerate() {
                    if index > 0 {
                        f.write_str(if index + 1 == required.len() {
                            " or "
                        } else {
                            ", "
                        })?;
                    }
                    f.write_str(&set.join(" and "))?;
                }
                write!(f, "; the {kind} grants ")?;
                if granted.is_empty() {
                    f.write_str("nothing")
                } else {
                    f.write_str(&granted.join(", "))
                }
            }
        }
    }
}

/// A JWT with the given payload, for tests and examples (header `none`,
/// empty signature). Not a valid token anywhere.
pub fn unsigned_jwt(payload: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{header}.{body}.sig")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    static NEEDS: &[&[&str]] = &[
        &["DeviceManagementServiceConfig.ReadWrite.All"],
        &["DeviceManagementConfiguration.ReadWrite.All"],
    ];

    #[test]
    fn delegated_scopes_are_split_on_spaces() {
        let token = unsigned_jwt(&json!({
            "tid": "t", "scp": "User.Read  DeviceManagementConfiguration.ReadWrite.All"
        }));
        assert_eq!(check(&token, NEEDS), Ok(()));
        let claims = Claims::from_jwt(&token).unwrap();
        assert_eq!(claims.kind(), TokenKind::Delegated);
        assert_eq!(claims.tenant_id.as_deref(), Some("t"));
    }

    #[test]
    fn application_roles_and_case() {
        let token = unsigned_jwt(&json!({
            "roles": ["devicemanagementserviceconfig.readwrite.all"]
        }));
        assert_eq!(check(&token, NEEDS), Ok(()));
        assert_eq!(
            Claims::from_jwt(&token).unwrap().kind(),
            TokenKind::Application
        );
    }

    #[test]
    fn missing_permissions_are_named() {
        let token =
            unsigned_jwt(&json!({"scp": "User.Read DeviceManagementServiceConfig.Read.All"}));
        let problem = check(&token, NEEDS).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "the token lacks the permission this operation needs: it needs one of \
             DeviceManagementServiceConfig.ReadWrite.All or \
             DeviceManagementConfiguration.ReadWrite.All; the delegated token (scp) grants \
             User.Read, DeviceManagementServiceConfig.Read.All"
        );
        let bare = unsigned_jwt(&json!({"aud": "x"}));
        let problem = check(&bare, NEEDS).unwrap_err();
        assert!(
            problem
                .to_string()
                .ends_with("the token with neither scp nor roles grants nothing"),
            "{problem}"
        );
    }

    #[test]
    fn every_scope_of_an_alternative_is_needed() {
        static BOTH: &[&[&str]] = &[&["A.Read", "B.Read"]];
        let one = unsigned_jwt(&json!({"scp": "A.Read"}));
        let problem = check(&one, BOTH).unwrap_err();
        assert!(
            problem.to_string().contains("it needs A.Read and B.Read;"),
            "{problem}"
        );
        let two = unsigned_jwt(&json!({"scp": "B.Read", "roles": ["A.Read"]}));
        assert_eq!(check(&two, BOTH), Ok(()));
        assert_eq!(Claims::from_jwt(&two).unwrap().kind(), TokenKind::Both);
        assert_eq!(check(&one, &[]), Ok(()));
    }

    #[test]
    fn personal_accounts_are_refused_first() {
        let token = unsigned_jwt(&json!({
            "tid": PERSONAL_ACCOUNT_TENANT,
            "scp": "DeviceManagementServiceConfig.ReadWrite.All"
        }));
        let problem = check(&token, NEEDS).unwrap_err();
        assert_eq!(problem, PreflightProblem::PersonalAccount);
        assert!(
            problem
                .to_string()
                .starts_with("personal Microsoft accounts are not supported")
        );
    }

    #[test]
    fn opaque_tokens_pass() {
        for token in [
            "EwBwA8l6BAAU-opaque",
            "a.b",
            "a.b.c.d.e",
            "x.!!!.y",
            // Valid base64url, but not JSON.
            "x.bm90IGpzb24.y",
            // JSON, but `scp` of the wrong type.
            &unsigned_jwt(&json!({"scp": 5})),
            // JSON, but not an object.
            &unsigned_jwt(&json!([1, 2])),
        ] {
            assert_eq!(check(token, NEEDS), Ok(()), "{token}");
        }
    }

    #[test]
    fn padded_payloads_are_read() {
        let token = unsigned_jwt(&json!({"scp": "DeviceManagementConfiguration.ReadWrite.All"}));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        while !parts[1].len().is_multiple_of(4) {
            parts[1].push('=');
        }
        let padded = parts.join(".");
        assert_ne!(padded, token, "the test payload must need padding");
        assert!(Claims::from_jwt(&padded).is_some());
    }
}
