//! Cassettes: exchanges written to disk by `--record DIR` and judged again
//! offline by `--replay DIR`, so that a session against a real tenant
//! becomes a regression test that needs no credentials.
//!
//! One JSON file per exchange (`0001.json`, `0002.json`, ...), holding the
//! request and response byte for byte (bodies as UTF-8 text, or hex when
//! they are not UTF-8) and the oracle's verdict at recording time.
//! Credentials never reach the disk: an `Authorization` credential, a
//! cookie's value and an `access_token` query value are replaced. The
//! replacement keeps what the oracle looks at: a credential that was a
//! well-formed token68 becomes one (`redacted`), a malformed one stays
//! malformed (`[redacted]`), so a replay judges the same.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exchange::{self, Exchange, Headers};
use crate::oracle::headers::is_token68;
use crate::oracle::{Check, Outcome, Verdict};

/// The format version written into every cassette.
pub const VERSION: u32 = 1;

/// One recorded exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cassette {
    /// [`VERSION`].
    pub version: u32,
    /// The operation the oracle resolved the request to when recording.
    pub operation: Option<String>,
    /// The request, credentials replaced.
    pub request: RecordedRequest,
    /// The response; `None` when none came.
    pub response: Option<RecordedResponse>,
    /// The oracle's findings when recording: what a replay must match.
    pub verdict: Vec<RecordedFinding>,
}

/// A request on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path as sent, percent-encoded, with the service root.
    pub path: String,
    /// The query string without `?`.
    pub query: Option<String>,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: RecordedBody,
}

/// A response on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The status code.
    pub status: u16,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: RecordedBody,
}

/// A body on disk: the bytes kept and how long it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedBody {
    /// The bytes as text, when they are UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The bytes in hex, when they are not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The whole body's length (more than the bytes kept when it was cut).
    pub length: usize,
}

/// One finding of a verdict, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedFinding {
    /// The check's name (`route`, `body`, ...).
    pub check: String,
    /// `pass`, `fail` or `skip`.
    pub outcome: String,
    /// The detail at recording time.
    pub detail: String,
}

impl RecordedFinding {
    /// The findings of a verdict.
    pub fn of(verdict: &Verdict) -> Vec<RecordedFinding> {
        verdict
            .findings
            .iter()
            .map(|f| RecordedFinding {
                check: f.check.name().to_string(),
                outcome: outcome_name(f.outcome).to_string(),
                detail: f.detail.clone(),
            })
            .collect()
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Skip => "skip",
    }
}

impl Cassette {
    /// A cassette of `exchange` with the verdict it was given.
    pub fn new(exchange: &Exchange, verdict: &Verdict) -> Cassette {
        let request = &exchange.request;
        Cassette {
            version: VERSION,
            operation: verdict.operation.clone(),
            request: RecordedRequest {
                method: request.method.clone(),
                path: request.path.clone(),
                query: request
                    .query
                    .as_deref()
                    .map(|q| exchange::redact_query(q, "redacted")),
                headers: headers_out(&request.headers),
                body: body_out(&request.body),
            },
            response: exchange.response.as_ref().map(|r| RecordedResponse {
                status: r.status,
                headers: headers_out(&r.headers),
                body: body_out(&r.body),
            }),
            verdict: RecordedFinding::of(verdict),
        }
    }

    /// The exchange, as the oracle judges it again (`seq` is the
    /// cassette's position).
    pub fn exchange(&self, seq: u64) -> Result<Exchange, String> {
        let request = &self.request;
        Ok(Exchange {
            seq,
            request: exchange::Request {
                method: request.method.clone(),
                path: request.path.clone(),
                query: request.query.clone(),
                headers: headers_in(&request.headers),
                body: body_in(&request.body).map_err(|e| format!("request body: {e}"))?,
            },
            response: match &self.response {
                None => None,
                Some(r) => Some(exchange::Response {
                    status: r.status,
                    headers: headers_in(&r.headers),
                    body: body_in(&r.body).map_err(|e| format!("response body: {e}"))?,
                }),
            },
            scenario: None,
        })
    }

    /// Where the recorded and the replayed verdicts differ, check by
    /// check (outcomes only: details may be worded differently).
    pub fn differences(&self, now: &Verdict) -> Vec<String> {
        let now = RecordedFinding::of(now);
        let mut out = Vec::new();
        for check in Check::ALL.map(Check::name) {
            let find = |list: &[RecordedFinding]| {
                list.iter()
                    .find(|f| f.check == check)
                    .map(|f| f.outcome.clone())
            };
            let (then, today) = (find(&self.verdict), find(&now));
            if then != today {
                out.push(format!(
                    "{check}: recorded {}, now {}",
                    then.as_deref().unwrap_or("absent"),
                    today.as_deref().unwrap_or("absent")
                ));
            }
        }
        out
    }
}

/// A credential's stand-in that the oracle judges as it judged the
/// credential (see the module's doc).
fn stand_in(credential: &str) -> &'static str {
    if is_token68(credential) {
        "redacted"
    } else {
        "[redacted]"
    }
}

fn headers_out(headers: &Headers) -> Vec<(String, String)> {
    headers
        .0
        .iter()
        .map(|(name, value)| {
            let value = value.expose();
            let shown = if name == "cookie" {
                value
                    .split(';')
                    .map(|pair| match pair.split_once('=') {
                        Some((k, v)) => format!("{k}={}", stand_in(v.trim())),
                        None => pair.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(";")
            } else if exchange::is_sensitive(name) {
                match value.split_once(' ') {
                    Some((scheme, credential)) => {
                        format!("{scheme} {}", stand_in(credential.trim()))
                    }
                    None => stand_in(value).to_string(),
                }
            } else {
                value.to_string()
            };
            (name.clone(), shown)
        })
        .collect()
}

fn headers_in(headers: &[(String, String)]) -> Headers {
    let mut out = Headers::default();
    for (name, value) in headers {
        out.push(name, value.clone());
    }
    out
}

fn body_out(body: &exchange::Body) -> RecordedBody {
    match std::str::from_utf8(&body.bytes) {
        Ok(text) => RecordedBody {
            text: Some(text.to_string()),
            hex: None,
            length: body.length,
        },
        Err(_) => RecordedBody {
            text: None,
            hex: Some(body.bytes.iter().map(|b| format!("{b:02x}")).collect()),
            length: body.length,
        },
    }
}

fn body_in(body: &RecordedBody) -> Result<exchange::Body, String> {
    let bytes = match (&body.text, &body.hex) {
        (Some(text), None) => text.as_bytes().to_vec(),
        (None, Some(hex)) => from_hex(hex)?,
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => return Err("has both `text` and `hex`".into()),
    };
    if bytes.len() > body.length {
        return Err(format!(
            "{} bytes kept but `length` says {}",
            bytes.len(),
            body.length
        ));
    }
    Ok(exchange::Body {
        bytes,
        length: body.length,
    })
}

fn from_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err("`hex` has an odd number of digits".into());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("`hex` is not hexadecimal at offset {i}"))
        })
        .collect()
}

/// Writes one cassette per exchange into `dir` (created if needed), named
/// by position: `0001.json`, ... Gives the number written.
pub fn record(dir: &Path, cassettes: &[Cassette]) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (i, cassette) in cassettes.iter().enumerate() {
        let path = dir.join(format!("{:04}.json", i + 1));
        let mut text = serde_json::to_string_pretty(cassette)
            .map_err(|e| format!("cannot encode {}: {e}", path.display()))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(cassettes.len())
}

/// Reads every `*.json` cassette of `dir`, in name order. An unreadable or
/// malformed file is an error naming it (and, for JSON, the line and
/// column): a replay that silently skipped one would prove less than it
/// says.
pub fn load(dir: &Path) -> Result<Vec<(PathBuf, Cassette)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{} holds no *.json cassette", dir.display()));
    }
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let cassette: Cassette = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a cassette: {e}", path.display()))?;
            if cassette.version != VERSION {
                return Err(format!(
                    "{}: cassette version {} (this build reads {VERSION})",
                    path.display(),
                    cassette.version
                ));
            }
            Ok((path, cassette))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{Body, Request, Response};

    fn exchange(authorization: &str, body: &[u8]) -> Exchange {
        let mut headers = Headers::default();
        headers.push("authorization", authorization.into());
        headers.push("cookie", "a=s3cret-1; b=s3cret-2".into());
        headers.push("content-type", "application/json".into());
        let mut response_headers = Headers::default();
        response_headers.push("request-id", "r-1".into());
        Exchange {
            seq: 7,
            request: Request {
                method: "POST".into(),
                path: "/beta/x%2Fy".into(),
                query: Some("a=1&access_token=s3cret-3".into()),
                headers,
                body: Body::new(body),
            },
            response: Some(Response {
                status: 204,
                headers: response_headers,
                body: Body::default(),
            }),
            scenario: None,
        }
    }

    fn verdict() -> Verdict {
        Verdict {
            operation: Some("op".into()),
            findings: vec![],
            quiet: false,
        }
    }

    #[test]
    fn credentials_never_reach_the_disk_and_keep_their_shape() {
        let well_formed = Cassette::new(&exchange("Bearer s3cret.tok-en", b"{}"), &verdict());
        let text = serde_json::to_string(&well_formed).unwrap();
        assert!(!text.contains("s3cret"), "{text}");
        let back = well_formed.exchange(1).unwrap();
        assert_eq!(
            back.request.headers.get("authorization"),
            Some("Bearer redacted")
        );
        assert_eq!(
            back.request.headers.get("cookie"),
            Some("a=redacted; b=redacted")
        );
        assert_eq!(
            back.request.query.as_deref(),
            Some("a=1&access_token=redacted")
        );
        let malformed = Cassette::new(&exchange("Bearer not a token", b"{}"), &verdict());
        assert_eq!(
            malformed
                .exchange(1)
                .unwrap()
                .request
                .headers
                .get("authorization"),
            Some("Bearer [redacted]")
        );
    }

    #[test]
    fn bodies_round_trip_byte_for_byte() {
        for body in [&b"{\"b\": 1,  \"a\":2}"[..], &[0xff, 0x00, 0x10][..], b""] {
            let cassette = Cassette::new(&exchange("Bearer t", body), &verdict());
            let text = serde_json::to_string(&cassette).unwrap();
            let read: Cassette = serde_json::from_str(&text).unwrap();
            let back = read.exchange(1).unwrap();
            assert_eq!(back.request.body.bytes, body);
            assert_eq!(back.request.body.length, body.len());
            assert_eq!(back.request.path, "/beta/x%2Fy");
            assert_eq!(back.response.unwrap().status, 204);
        }
    }

    #[test]
    fn damaged_cassettes_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap_err().contains("no *.json cassette"));
        std::fs::write(dir.path().join("0001.json"), "{\"version\": 1,").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.contains("0001.json: not a cassette"), "{err}");
        let mut cassette = Cassette::new(&exchange("Bearer t", b"x"), &verdict());
        cassette.request.body = RecordedBody {
            text: None,
            hex: Some("zz".into()),
            length: 1,
        };
        assert!(
            cassette
                .exchange(1)
                .unwrap_err()
                .contains("not hexadecimal")
        );
    }
}
