//! When and how long to wait before sending a request again.
//!
//! Graph answers `429 Too Many Requests` when a tenant or an app is
//! throttled, and `503`/`504` when a backend is briefly unavailable; each
//! usually comes with `Retry-After`. The client then waits what that header
//! says (delta-seconds or an HTTP date), else backs off exponentially with
//! jitter, and sends the same request again with the same
//! `client-request-id`. Every other status, 4xx included, is final.
//!
//! The defaults follow Microsoft's Graph SDKs: 3 retries (4 attempts), a
//! 3-second base for the backoff, and no single wait longer than 180 s.
//!
//! Waiting goes through a [`Clock`], so tests can record the waits instead
//! of sleeping them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use crate::error::parse_retry_after;

/// Statuses that are retried: throttled, unavailable, gateway timeout.
pub const RETRY_STATUSES: [u16; 3] = [429, 503, 504];

/// Whether `status` is one the client retries.
pub const fn is_retry_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// How the client retries throttled requests.
///
/// ```
/// use std::time::Duration;
/// use openapi_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .max_total_wait(Duration::from_secs(60));
/// assert_eq!(policy.attempts(), 6);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_total_wait: Duration,
    jitter: bool,
    retry_connect: bool,
    idempotent: bool,
}

/// Attempts in all, the first included: one try and 3 retries.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// First backoff wait when no `Retry-After` came; doubled on each retry.
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_secs(3);
/// Longest single wait, `Retry-After` included.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(180);
/// Longest time spent waiting across all retries of one request: three
/// waits at the per-wait cap, so that under the defaults the attempt count
/// is the limit that binds (the SDKs set no total limit by default).
pub const DEFAULT_MAX_TOTAL_WAIT: Duration = Duration::from_secs(540);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            max_total_wait: DEFAULT_MAX_TOTAL_WAIT,
            jitter: true,
            retry_connect: false,
            idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry: a throttled answer is returned at once.
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Attempts in all, the first included (default
    /// [`DEFAULT_MAX_ATTEMPTS`]). Zero counts as one.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff wait, doubled on each further retry (default
    /// [`DEFAULT_BASE_DELAY`]). Used only when `Retry-After` is missing or
    /// unreadable.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest single wait (default [`DEFAULT_MAX_DELAY`]); a longer
    /// `Retry-After` is cut to it.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest total wait for one request (default
    /// [`DEFAULT_MAX_TOTAL_WAIT`]). When the next wait would pass it, the
    /// client gives up and returns the last answer.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Whether backoff waits are spread at random over the upper half of
    /// their nominal length, so that many clients throttled together do not
    /// come back together (default on). Off gives exact waits.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Whether a connection that could not be opened is retried (default
    /// off, so that a caller with its own failover sees the failure at
    /// once). Safe for any request: nothing was sent.
    pub fn retry_connect(mut self, yes: bool) -> Self {
        self.retry_connect = yes;
        self
    }

    /// Whether the requests may be sent twice without harm (default off).
    /// With this on, a failed connection, a timeout and a connection
    /// dropped before the answer are all retried, although in the last two
    /// the service may already have acted on the request. Graph's assign
    /// is idempotent (assigning the same profile again changes nothing), so
    /// the `autopilot` CLI turns it on.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// Attempts in all, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Decides what follows attempt number `attempt` (1-based), which got
    /// `status` with `retry_after` (the raw header), after `waited` in all
    /// so far.
    pub fn decide(
        &self,
        attempt: u32,
        status: u16,
        retry_after: Option<&str>,
        now: SystemTime,
        waited: Duration,
    ) -> Decision {
        if !is_retry_status(status) {
            return Decision::Done;
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GaveUp::MaxAttempts {
                max: self.max_attempts,
            });
        }
        let (wait, reason) = match retry_after.and_then(|v| parse_retry_after(v, now)) {
            Some(asked) => (asked.min(self.max_delay), WaitReason::RetryAfter),
            None => (self.backoff(attempt), WaitReason::Backoff),
        };
        if waited + wait > self.max_total_wait {
            return Decision::GiveUp(GaveUp::MaxTotalWait {
                next: wait,
                limit: self.max_total_wait,
            });
        }
        Decision::Wait { wait, reason }
    }

    /// Decides what follows attempt number `attempt`, which got no answer
    /// because of `failure`, after `waited` in all so far. Failures are
    /// retried with exponential backoff (there is no `Retry-After`).
    pub fn decide_failure(&self, attempt: u32, failure: Failure, waited: Duration) -> Decision {
        let retried = match failure {
            Failure::Connect => self.retry_connect || self.idempotent,
            Failure::Timeout | Failure::Interrupted => self.idempotent,
        };
        if !retried {
            return Decision::Done;
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GaveUp::MaxAttempts {
                max: self.max_attempts,
            });
        }
        let wait = self.backoff(attempt);
        if waited + wait > self.max_total_wait {
            return Decision::GiveUp(GaveUp::MaxTotalWait {
                next: wait,
                limit: self.max_total_wait,
            });
        }
        Decision::Wait {
            wait,
            reason: WaitReason::Backoff,
        }
    }

    /// The backoff after attempt `attempt`: `base * 2^(attempt-1)`, capped,
    /// then with jitter somewhere in its upper half.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << (attempt - 1).min(20);
        let nominal = self.base_delay.saturating_mul(factor).min(self.max_delay);
        if !self.jitter {
            return nominal;
        }
        let half = nominal / 2;
        // uuid's v4 generator is already a dependency and draws from the OS
        // RNG; a few of its random bits are plenty to spread out waits.
        let random = (uuid::Uuid::new_v4().as_u128() & 0xFFFF_FFFF) as f64 / f64::from(u32::MAX);
        half + half.mul_f64(random)
    }
}

/// Why an attempt got no answer, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The connection could not be opened: nothing was sent.
    Connect,
    /// No answer in time: the request may have been acted on.
    Timeout,
    /// The connection broke (reset, closed) before the whole answer came.
    Interrupted,
}

/// What to do after one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The answer is final (not a retried status).
    Done,
    /// Wait this long, then send again.
    Wait {
        /// How long.
        wait: Duration,
        /// Where the length came from.
        reason: WaitReason,
    },
    /// A retried status, but the policy allows no further attempt.
    GiveUp(GaveUp),
}

/// Where a wait's length came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// The response's `Retry-After` header (capped at the policy's
    /// per-wait maximum).
    RetryAfter,
    /// Exponential backoff, because `Retry-After` was missing or unreadable.
    Backoff,
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WaitReason::RetryAfter => "as Retry-After asks",
            WaitReason::Backoff => "exponential backoff",
        })
    }
}

/// Why the client stopped retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// Every allowed attempt was made.
    MaxAttempts {
        /// The policy's limit.
        max: u32,
    },
    /// The next wait would have passed the limit on total waiting.
    MaxTotalWait {
        /// The wait that would have come next.
        next: Duration,
        /// The policy's limit.
        limit: Duration,
    },
    /// The body was a stream, already sent, which a retry cannot send
    /// again (see [`crate::Upload::stream`]).
    BodySentOnce,
}

/// How a request went: how many attempts, how long the client waited
/// between them, and why it stopped retrying, if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    /// Attempts made, the first included (at least 1).
    pub count: u32,
    /// Time spent waiting between attempts.
    pub waited: Duration,
    /// Set when the last answer was a retried status and retrying stopped.
    pub gave_up: Option<GaveUp>,
}

impl Default for Attempts {
    fn default() -> Self {
        Attempts {
            count: 1,
            waited: Duration::ZERO,
            gave_up: None,
        }
    }
}

impl fmt::Display for Attempts {
    /// `gave up after 4 attempts (waited 21s; 4 attempts allowed)`, or
    /// `after 2 attempts (waited 3s)` for a request that was retried and
    /// then got a final answer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.count == 1 { "" } else { "s" };
        match self.gave_up {
            None => write!(
                f,
                "after {} attempt{plural} (waited {})",
                self.count,
                Secs(self.waited)
            ),
            Some(GaveUp::MaxAttempts { max }) => write!(
                f,
                "gave up after {} attempt{plural} (waited {}; {max} attempt{} allowed)",
                self.count,
                Secs(self.waited),
                if max == 1 { "" } else { "s" }
            ),
            Some(GaveUp::MaxTotalWait { next, limit }) => write!(
                f,
                "gave up after {} attempt{plural} (waited {}; the next wait of {} would pass the {} limit on total waiting)",
                self.count,
                Secs(self.waited),
                Secs(next),
                Secs(limit)
            ),
            Some(GaveUp::BodySentOnce) => write!(
                f,
                "not retried after {} attempt{plural} (waited {}; the body was a stream, already sent)",
                self.count,
                Secs(self.waited)
            ),
        }
    }
}

/// A duration in whole seconds, or milliseconds below one second.
pub(crate) struct Secs(pub(crate) Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < Duration::from_secs(1) && !self.0.is_zero() {
            write!(f, "{}ms", self.0.as_millis())
        } else if self.0.subsec_millis() == 0 {
            write!(f, "{}s", self.0.as_secs())
        } else {
            write!(f, "{:.1}s", self.0.as_secs_f64())
        }
    }
}

/// The future a [`Clock`] sleeps with.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Time as the retry loop sees it: the current time (to read an HTTP-date
/// `Retry-After`) and a way to wait. Swapped in tests to record waits
/// instead of sleeping them.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
    /// Completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// The real clock: [`SystemTime::now`] and `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: SystemTime = SystemTime::UNIX_EPOCH;

    fn exact() -> RetryPolicy {
        RetryPolicy::default().jitter(false)
    }

    fn at(offset: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + offset)
    }

    #[test]
    fn final_statuses_are_done() {
        for status in [200, 204, 400, 401, 403, 404, 409, 500, 502] {
            assert_eq!(
                exact().decide(1, status, Some("1"), NOW, Duration::ZERO),
                Decision::Done,
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_and_dates_are_honoured() {
        for status in RETRY_STATUSES {
            assert_eq!(
                exact().decide(1, status, Some("7"), NOW, Duration::ZERO),
                Decision::Wait {
                    wait: Duration::from_secs(7),
                    reason: WaitReason::RetryAfter
                }
            );
        }
        let date = httpdate::fmt_http_date(at(42));
        assert_eq!(
            exact().decide(2, 429, Some(&date), at(0), Duration::ZERO),
            Decision::Wait {
                wait: Duration::from_secs(42),
                reason: WaitReason::RetryAfter
            }
        );
        // A date in the past means "now".
        let past = httpdate::fmt_http_date(at(0));
        assert_eq!(
            exact().decide(1, 503, Some(&past), at(10), Duration::ZERO),
            Decision::Wait {
                wait: Duration::ZERO,
                reason: WaitReason::RetryAfter
            }
        );
    }

    #[test]
    fn long_retry_after_is_capped() {
        assert_eq!(
            exact().decide(1, 429, Some("3600"), NOW, Duration::ZERO),
            Decision::Wait {
                wait: DEFAULT_MAX_DELAY,
                reason: WaitReason::RetryAfter
            }
        );
    }

    #[test]
    fn missing_or_unreadable_header_backs_off_exponentially() {
        let waits: Vec<Decision> = (1..4)
            .map(|attempt| exact().decide(attempt, 429, None, NOW, Duration::ZERO))
            .collect();
        let backoff = |secs| Decision::Wait {
            wait: Duration::from_secs(secs),
            reason: WaitReason::Backoff,
        };
        assert_eq!(waits, [backoff(3), backoff(6), backoff(12)]);
        assert_eq!(
            exact().decide(1, 504, Some("soon"), NOW, Duration::ZERO),
            backoff(3)
        );
        let policy = exact().max_attempts(20).max_total_wait(Duration::MAX);
        assert_eq!(
            policy.decide(19, 503, None, NOW, Duration::ZERO),
            backoff(180)
        );
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let policy = RetryPolicy::default();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let Decision::Wait { wait, reason } = policy.decide(2, 429, None, NOW, Duration::ZERO)
            else {
                panic!("expected a wait")
            };
            assert_eq!(reason, WaitReason::Backoff);
            assert!(wait >= Duration::from_secs(3) && wait <= Duration::from_secs(6));
            seen.insert(wait);
        }
        assert!(seen.len() > 100, "waits should vary: {}", seen.len());
    }

    #[test]
    fn attempts_run_out() {
        let policy = exact().max_attempts(3);
        assert!(matches!(
            policy.decide(2, 429, Some("1"), NOW, Duration::ZERO),
            Decision::Wait { .. }
        ));
        assert_eq!(
            policy.decide(3, 429, Some("1"), NOW, Duration::ZERO),
            Decision::GiveUp(GaveUp::MaxAttempts { max: 3 })
        );
        assert_eq!(
            RetryPolicy::none().decide(1, 503, None, NOW, Duration::ZERO),
            Decision::GiveUp(GaveUp::MaxAttempts { max: 1 })
        );
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn total_wait_is_bounded() {
        let policy = exact().max_total_wait(Duration::from_secs(10));
        assert!(matches!(
            policy.decide(1, 429, Some("10"), NOW, Duration::ZERO),
            Decision::Wait { .. }
        ));
        assert_eq!(
            policy.decide(2, 429, Some("4"), NOW, Duration::from_secs(7)),
            Decision::GiveUp(GaveUp::MaxTotalWait {
                next: Duration::from_secs(4),
                limit: Duration::from_secs(10)
            })
        );
    }

    #[test]
    fn attempts_display() {
        let mut attempts = Attempts::default();
        assert_eq!(attempts.to_string(), "after 1 attempt (waited 0s)");
        attempts.count = 4;
        attempts.waited = Duration::from_millis(21_500);
        attempts.gave_up = Some(GaveUp::MaxAttempts { max: 4 });
        assert_eq!(
            attempts.to_string(),
            "gave up after 4 attempts (waited 21.5s; 4 attempts allowed)"
        );
        attempts.count = 2;
        attempts.waited = Duration::from_millis(250);
        attempts.gave_up = Some(GaveUp::MaxTotalWait {
            next: Duration::from_secs(200),
            limit: Duration::from_secs(180),
        });
        assert_eq!(
            attempts.to_string(),
            "gave up after 2 attempts (waited 250ms; the next wait of 200s would pass the 180s limit on total waiting)"
        );
    }
}
