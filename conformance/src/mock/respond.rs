//! The responses the mock sends: Graph-shaped errors, the fault answers,
//! and the raw `204` with a body.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::faults::RetryAfter;

/// Ids and time stamped on one answer.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// The `request-id` the mock gives this request.
    pub request_id: String,
    /// The caller's `client-request-id`, echoed as Graph does.
    pub client_request_id: Option<String>,
    /// When the answer was made, as Graph writes it in `innerError.date`.
    pub date: String,
}

impl Stamp {
    /// A fresh request id and the current time.
    pub fn new(client_request_id: Option<String>) -> Stamp {
        Stamp {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id,
            date: iso_utc(SystemTime::now()),
        }
    }
}

/// One Graph error detail (`error.details[]`).
#[derive(Debug, Clone)]
pub struct Detail {
    /// A machine code (the validator's keyword).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Where (the violation's location).
    pub target: String,
}

/// A response before it becomes HTTP: what the mock also records.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// Headers the mock sets (hyper may add `date`, `content-length`).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// `204 No Content`: no body, no `Content-Type`.
    pub fn no_content(stamp: &Stamp) -> Answer {
        Answer {
            status: 204,
            headers: ids(stamp),
            body: Vec::new(),
        }
    }

    /// A Graph error: `{"error":{"code","message","details"?,
    /// "innerError":{"request-id","date","client-request-id"?}}}`.
    pub fn graph_error(
        status: u16,
        code: &str,
        message: &str,
        details: &[Detail],
        stamp: &Stamp,
    ) -> Answer {
        let mut inner = json!({"request-id": stamp.request_id, "date": stamp.date});
        if let Some(id) = &stamp.client_request_id {
            inner["client-request-id"] = Value::String(id.clone());
        }
        let mut error = json!({"code": code, "message": message, "innerError": inner});
        if !details.is_empty() {
            error["details"] = details
                .iter()
                .map(|d| json!({"code": d.code, "message": d.message, "target": d.target}))
                .collect();
        }
        let mut headers = ids(stamp);
        headers.push(("content-type", "application/json".into()));
        Answer {
            status,
            headers,
            body: serde_json::to_vec(&json!({ "error": error })).unwrap_or_default(),
        }
    }

    /// `429` or `503` with `Retry-After` in the asked form.
    pub fn retry_later(status: u16, retry_after: RetryAfter, stamp: &Stamp) -> Answer {
        let (code, what) = if status == 429 {
            ("TooManyRequests", "Too many requests")
        } else {
            (
                "ServiceUnavailable",
                "The service is temporarily unavailable",
            )
        };
        let value = match retry_after {
            RetryAfter::Seconds(s) => s.to_string(),
            RetryAfter::Date(s) => {
                httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(s))
            }
        };
        // The message points at the header rather than repeating its value, so
        // that it does not change from second to second.
        let message = format!("{what}; wait as Retry-After says, then try again.");
        let mut answer = Answer::graph_error(status, code, &message, &[], stamp);
        answer.headers.push(("retry-after", value));
        answer
    }

    /// `200` with a JSON body the spec does not document.
    pub fn undocumented_ok(stamp: &Stamp) -> Answer {
        let mut headers = ids(stamp);
        headers.push(("content-type", "application/json".into()));
        Answer {
            status: 200,
            headers,
            body: br#"{"value":"an undocumented success body"}"#.to_vec(),
        }
    }

    /// A `204` with a body; it must go on the wire through [`Answer::raw`].
    pub fn no_content_with_body(stamp: &Stamp) -> Answer {
        let body = br#"{"value":"a body on a 204"}"#.to_vec();
        let mut headers = ids(stamp);
        headers.push(("content-type", "application/json".into()));
        headers.push(("content-length", body.len().to_string()));
        headers.push(("connection", "close".into()));
        Answer {
            status: 204,
            headers,
            body,
        }
    }

    /// The answer as bytes for the socket, exactly as given (used for what
    /// hyper would refuse to send).
    pub fn raw(&self) -> Vec<u8> {
        let reason = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let mut out = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        out.push_str(&format!(
            "date: {}\r\n",
            httpdate::fmt_http_date(SystemTime::now())
        ));
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// The answer as an axum response.
    pub fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(name, value);
            }
        }
        response
    }
}

fn ids(stamp: &Stamp) -> Vec<(&'static str, String)> {
    let mut out = vec![("request-id", stamp.request_id.clone())];
    if let Some(id) = &stamp.client_request_id {
        out.push(("client-request-id", id.clone()));
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the form Graph uses in `innerError.date`.
pub fn iso_utc(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// well-known algorithm, written out from its description).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc(UNIX_EPOCH), "1970-01-01T00:00:00");
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(iso_utc(leap), "2024-02-29T12:34:56");
    }

    #[test]
    fn raw_204_announces_its_body() {
        let stamp = Stamp::new(None);
        let raw = String::from_utf8(Answer::no_content_with_body(&stamp).raw()).unwrap();
        assert!(raw.starts_with("HTTP/1.1 204 No Content\r\n"), "{raw}");
        assert!(raw.contains("content-length: 27\r\n"), "{raw}");
        assert!(
            raw.ends_with("\r\n\r\n{\"value\":\"a body on a 204\"}"),
            "{raw}"
        );
    }
}
