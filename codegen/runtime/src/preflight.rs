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
//!
//! Two more claims turn a certain `401` into a clear message: `exp` (the
//! token has expired, allowing [`CLOCK_SKEW`]) and `aud` (the token was
//! issued for another cloud's Graph, or another resource altogether).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The tenant id that personal Microsoft accounts (outlook.com, live.com)
/// sign in through. Graph's Intune APIs do not serve them.
pub const PERSONAL_ACCOUNT_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// How far past its `exp` a token is still sent. Five minutes is the
/// default clock skew of Microsoft's token validation
/// (`Microsoft.IdentityModel`'s `TokenValidationParameters.ClockSkew`), so a
/// token refused here would be refused by Graph too, whatever this
/// machine's clock says within that margin.
pub const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// Microsoft Graph's application id: a token may name it as its `aud`
/// instead of the resource URL, in every cloud.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The claims preflight reads from a token's payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// `exp`: when the token expires, in seconds since the Unix epoch.
    pub expires_at: Option<u64>,
    /// `aud`: the resource(s) the token was issued for.
    pub audiences: Option<Vec<String>>,
    /// `tid`: the tenant the token was issued in.
    pub tenant_id: Option<String>,
    /// `scp`, split on whitespace: delegated scopes.
    pub scopes: Option<Vec<String>>,
    /// `roles`: application permissions (app roles).
    pub roles: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawClaims {
    // Read leniently: an odd `exp` or `aud` must not make a token opaque.
    exp: Option<serde_json::Value>,
    aud: Option<serde_json::Value>,
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
        let audiences = match raw.aud {
            Some(serde_json::Value::String(one)) => Some(vec![one]),
            Some(serde_json::Value::Array(many)) => Some(
                many.into_iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        };
        Some(Claims {
            // Some issuers write a fractional `exp`; whole seconds will do.
            expires_at: raw
                .exp
                .as_ref()
                .and_then(serde_json::Value::as_f64)
                .map(|e| e.max(0.0) as u64),
            audiences,
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
#[non_exhaustive]
pub enum PreflightProblem {
    /// The token comes from the personal Microsoft account tenant.
    PersonalAccount,
    /// The token's `exp` is more than [`CLOCK_SKEW`] in the past.
    Expired {
        /// How long ago it expired.
        ago: Duration,
    },
    /// The token's `aud` is not the Graph resource of the cloud called.
    WrongAudience {
        /// What the token names.
        audiences: Vec<String>,
        /// The resource the call needs, e.g. `https://graph.microsoft.us`.
        expected: String,
    },
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

/// What a token must match besides its permissions.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The Graph resource of the cloud called (`https://graph.microsoft.com`);
    /// `None` skips the `aud` check.
    pub audience: Option<&'a str>,
    /// The time to judge `exp` by.
    pub now: SystemTime,
}

/// Checks `token` for the permissions `required` lists and for expiry
/// (now); `Ok` for a sufficient JWT and for any opaque token.
pub fn check(
    token: &str,
    required: &'static [&'static [&'static str]],
) -> Result<(), PreflightProblem> {
    check_with(
        token,
        required,
        &Expected {
            audience: None,
            now: SystemTime::now(),
        },
    )
}

/// Checks, in this order, that `token` is not from a personal account,
/// has not expired, was issued for `expected.audience` and grants one of
/// `required`. Claims a token lacks are not checked; an opaque token passes.
pub fn check_with(
    token: &str,
    required: &'static [&'static [&'static str]],
    expected: &Expected<'_>,
) -> Result<(), PreflightProblem> {
    let Some(claims) = Claims::from_jwt(token) else {
        return Ok(());
    };
    if claims.tenant_id.as_deref() == Some(PERSONAL_ACCOUNT_TENANT) {
        return Err(PreflightProblem::PersonalAccount);
    }
    if let Some(exp) = claims.expires_at {
        let now = expected.now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let exp = Duration::from_secs(exp);
        if now > exp.saturating_add(CLOCK_SKEW) {
            return Err(PreflightProblem::Expired { ago: now - exp });
        }
    }
    if let (Some(expected), Some(audiences)) = (expected.audience, &claims.audiences)
        && !audiences.iter().any(|a| audience_matches(a, expected))
    {
        return Err(PreflightProblem::WrongAudience {
            audiences: audiences.clone(),
            expected: expected.to_owned(),
        });
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

/// Whether a token's `aud` names `expected` (same URL but for case and a
/// trailing slash) or Graph's application id.
fn audience_matches(audience: &str, expected: &str) -> bool {
    let normal = |s: &str| s.trim_end_matches('/').to_ascii_lowercase();
    audience.eq_ignore_ascii_case(GRAPH_APP_ID) || normal(audience) == normal(expected)
}

/// `90s`, `12m`, `3h`, `2d`: roughly how long.
fn rough(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..120 => format!("{secs}s"),
        120..7200 => format!("{}m", secs / 60),
        7200..172_800 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

impl fmt::Display for PreflightProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightProblem::Expired { ago } => write!(
                f,
                "the token expired {} ago (its exp claim is in the past); get a fresh token",
                rough(*ago)
            ),
            PreflightProblem::WrongAudience {
                audiences,
                expected,
            } => write!(
                f,
                "the token was issued for {} but this call needs a token for {expected} \
                 (another cloud's Graph, or another resource); get a token for {expected}/.default",
                audiences.join(", ")
            ),
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

    fn at(secs: u64) -> Expected<'static> {
        Expected {
            audience: Some("https://graph.microsoft.us"),
            now: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    #[test]
    fn expiry_allows_the_clock_skew() {
        let token = unsigned_jwt(&json!({
            "exp": 10_000, "scp": "DeviceManagementServiceConfig.ReadWrite.All"
        }));
        assert_eq!(check_with(&token, NEEDS, &at(10_000 + 300)), Ok(()));
        let problem = check_with(&token, NEEDS, &at(10_000 + 301)).unwrap_err();
        assert_eq!(
            problem,
            PreflightProblem::Expired {
                ago: Duration::from_secs(301)
            }
        );
        assert!(
            problem.to_string().starts_with("the token expired 5m ago"),
            "{problem}"
        );
        let fractional = unsigned_jwt(
            &json!({"exp": 10_000.5, "roles": ["DeviceManagementConfiguration.ReadWrite.All"]}),
        );
        assert!(check_with(&fractional, NEEDS, &at(20_000)).is_err());
    }

    #[test]
    fn audience_must_be_the_clouds_graph() {
        let scp = "DeviceManagementServiceConfig.ReadWrite.All";
        for ok in [
            json!("https://graph.microsoft.us"),
            json!("https://GRAPH.microsoft.us/"),
            json!(GRAPH_APP_ID),
            json!(["https://other", "https://graph.microsoft.us"]),
        ] {
            let token = unsigned_jwt(&json!({"aud": ok, "scp": scp}));
            assert_eq!(check_with(&token, NEEDS, &at(0)), Ok(()), "{ok}");
        }
        let global = unsigned_jwt(&json!({"aud": "https://graph.microsoft.com", "scp": scp}));
        let problem = check_with(&global, NEEDS, &at(0)).unwrap_err();
        assert!(
            problem.to_string().starts_with(
                "the token was issued for https://graph.microsoft.com but this call needs a token for https://graph.microsoft.us"
            ),
            "{problem}"
        );
        // No expected audience: not checked.
        let anywhere = Expected {
            audience: None,
            ..at(0)
        };
        assert_eq!(check_with(&global, NEEDS, &anywhere), Ok(()));
        // An odd aud is ignored rather than making the token opaque.
        let odd = unsigned_jwt(&json!({"aud": 5, "scp": "User.Read"}));
        assert!(matches!(
            check_with(&odd, NEEDS, &at(0)),
            Err(PreflightProblem::MissingPermission { .. })
        ));
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
