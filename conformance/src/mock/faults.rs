//! Fault scenarios: answers a test asks the mock to give instead of the
//! validated one, per request (the `x-mock-scenario` header), per route or
//! for every route (the in-process [`FaultBoard`] or the admin endpoint).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The request header that asks for a scenario on one request.
pub const SCENARIO_HEADER: &str = "x-mock-scenario";

/// How `Retry-After` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`, this many seconds from now.
    Date(u64),
}

/// One fault the mock can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After`.
    Throttled(RetryAfter),
    /// `503 Service Unavailable` with `Retry-After`.
    Unavailable(RetryAfter),
    /// `500` with a Graph error body.
    ServerError,
    /// `403` with Graph's `Authorization_RequestDenied` OData error.
    Forbidden,
    /// `404` with Graph's `ResourceNotFound` OData error: the id names
    /// nothing (what Graph answers for an unknown profile or device).
    NotFound,
    /// `200` with a JSON body: a success the spec does not document.
    UndocumentedOk,
    /// `204` that carries a body (written on the socket by hand, since
    /// hyper never sends one), announced by `Content-Type` and
    /// `Content-Length`.
    NoContentWithBody,
    /// Waits this long, then answers as usual.
    Slow(Duration),
    /// Closes the connection without a response.
    Drop,
}

impl Fault {
    /// Every scenario with its default parameters, for reports and help.
    pub const ALL: [Fault; 11] = [
        Fault::Throttled(RetryAfter::Seconds(1)),
        Fault::Throttled(RetryAfter::Date(1)),
        Fault::Unavailable(RetryAfter::Seconds(1)),
        Fault::Unavailable(RetryAfter::Date(1)),
        Fault::ServerError,
        Fault::Forbidden,
        Fault::NotFound,
        Fault::UndocumentedOk,
        Fault::NoContentWithBody,
        Fault::Slow(Duration::from_millis(300)),
        Fault::Drop,
    ];
}

/// The text form: `name[:arg]`, e.g. `throttle:2`, `throttle-date:5`,
/// `slow:300` (milliseconds), `drop`.
impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Throttled(RetryAfter::Seconds(s)) => write!(f, "throttle:{s}"),
            Fault::Throttled(RetryAfter::Date(s)) => write!(f, "throttle-date:{s}"),
            Fault::Unavailable(RetryAfter::Seconds(s)) => write!(f, "unavailable:{s}"),
            Fault::Unavailable(RetryAfter::Date(s)) => write!(f, "unavailable-date:{s}"),
            Fault::ServerError => f.write_str("server-error"),
            Fault::Forbidden => f.write_str("forbidden"),
            Fault::NotFound => f.write_str("not-found"),
            Fault::UndocumentedOk => f.write_str("undocumented-200"),
            Fault::NoContentWithBody => f.write_str("204-with-body"),
            Fault::Slow(d) => write!(f, "slow:{}", d.as_millis()),
            Fault::Drop => f.write_str("drop"),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Fault, String> {
        let (name, arg) = match text.trim().split_once(':') {
            Some((n, a)) => (n, Some(a.trim())),
            None => (text.trim(), None),
        };
        let number = |default: u64| -> Result<u64, String> {
            match arg {
                None => Ok(default),
                Some(a) => a
                    .parse()
                    .map_err(|_| format!("scenario `{text}`: `{a}` is not a whole number")),
            }
        };
        let fault = match name {
            "throttle" => Fault::Throttled(RetryAfter::Seconds(number(1)?)),
            "throttle-date" => Fault::Throttled(RetryAfter::Date(number(1)?)),
            "unavailable" => Fault::Unavailable(RetryAfter::Seconds(number(1)?)),
            "unavailable-date" => Fault::Unavailable(RetryAfter::Date(number(1)?)),
            "server-error" => Fault::ServerError,
            "forbidden" => Fault::Forbidden,
            "not-found" => Fault::NotFound,
            "undocumented-200" => Fault::UndocumentedOk,
            "204-with-body" => Fault::NoContentWithBody,
            "slow" => Fault::Slow(Duration::from_millis(number(300)?)),
            "drop" => Fault::Drop,
            _ => {
                return Err(format!(
                    "unknown scenario `{text}`; known: {}",
                    Fault::ALL.map(|f| f.to_string()).join(", ")
                ));
            }
        };
        if arg.is_some()
            && !matches!(
                name,
                "throttle" | "throttle-date" | "unavailable" | "unavailable-date" | "slow"
            )
        {
            return Err(format!("scenario `{name}` takes no argument"));
        }
        Ok(fault)
    }
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Every request under the service root.
    All,
    /// Requests routed to this `operationId`.
    Route(String),
}

/// How long a fault stays on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// Until cleared.
    Always,
    /// For the next `n` matching requests.
    Next(u32),
}

/// Faults switched on for routes (or all of them).
#[derive(Debug, Default)]
pub struct FaultBoard {
    /// Fast path: nothing is switched on.
    any: AtomicBool,
    faults: Mutex<HashMap<Target, (Fault, Times)>>,
}

impl FaultBoard {
    /// Switches `fault` on for `target`, replacing what was there.
    pub fn set(&self, target: Target, fault: Fault, times: Times) {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        faults.insert(target, (fault, times));
        self.any.store(true, Ordering::Release);
    }

    /// Switches every fault off.
    pub fn clear(&self) {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        faults.clear();
        self.any.store(false, Ordering::Release);
    }

    /// Whether any fault is on (lets the mock skip the route look-up).
    pub fn is_empty(&self) -> bool {
        !self.any.load(Ordering::Acquire)
    }

    /// The fault for a request routed to `operation_id` (or to no route),
    /// counting it against a `Times::Next` budget. A route's own fault wins
    /// over one for all routes.
    pub fn take(&self, operation_id: Option<&str>) -> Option<Fault> {
        if self.is_empty() {
            return None;
        }
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let key = operation_id
            .map(|id| Target::Route(id.to_string()))
            .filter(|k| faults.contains_key(k))
            .unwrap_or(Target::All);
        let entry = faults.get_mut(&key)?;
        let fault = entry.0;
        if let Times::Next(n) = &mut entry.1 {
            *n = n.saturating_sub(1);
            if *n == 0 {
                faults.remove(&key);
                if faults.is_empty() {
                    self.any.store(false, Ordering::Release);
                }
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for fault in Fault::ALL {
            assert_eq!(fault.to_string().parse::<Fault>().unwrap(), fault);
        }
        assert_eq!(
            "slow:50".parse::<Fault>().unwrap(),
            Fault::Slow(Duration::from_millis(50))
        );
        assert!(
            "nope"
                .parse::<Fault>()
                .unwrap_err()
                .contains("known: throttle:1")
        );
        assert!(
            "drop:3"
                .parse::<Fault>()
                .unwrap_err()
                .contains("no argument")
        );
        assert!(
            "throttle:x"
                .parse::<Fault>()
                .unwrap_err()
                .contains("not a whole number")
        );
    }

    #[test]
    fn route_faults_win_and_budgets_run_out() {
        let board = FaultBoard::default();
        assert_eq!(board.take(Some("a")), None);
        board.set(Target::All, Fault::ServerError, Times::Always);
        board.set(Target::Route("a".into()), Fault::Drop, Times::Next(2));
        assert_eq!(board.take(Some("a")), Some(Fault::Drop));
        assert_eq!(board.take(Some("b")), Some(Fault::ServerError));
        assert_eq!(board.take(Some("a")), Some(Fault::Drop));
        assert_eq!(board.take(Some("a")), Some(Fault::ServerError));
        board.clear();
        assert!(board.is_empty());
        assert_eq!(board.take(None), None);
    }
}
