//! Which requests a call put on the wire, so that its exchanges can be
//! found among those of the other calls in flight: the generated client
//! sends a fresh `client-request-id` GUID with every call (the same one on
//! each retry), the mock and the forwarder record it, and a [`Tap`] given
//! to the client as its observer notes it as each attempt goes out.
//!
//! Nothing is added to the request: what the job judges is exactly what
//! the client sends.

use std::sync::Mutex;
use std::time::Duration;

use openapi_runtime::observe::{Event, Observer};

use crate::exchange::Exchange;
use crate::mock::Recorder;
use crate::mock::recorder::CLIENT_REQUEST_ID;

/// The longest the job waits for the recorder to store the exchanges of a
/// call that already returned (milliseconds, normally; the `slow`
/// scenario's client gives up 200 ms before the mock answers).
pub const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// An observer noting the `client-request-id` of each attempt a client
/// sends (`None` for an attempt without one).
#[derive(Debug, Default)]
pub struct Tap {
    sent: Mutex<Vec<Option<String>>>,
}

impl Observer for Tap {
    fn on_event(&self, event: &Event<'_>) {
        if let Event::Request { headers, .. } = event {
            let id = headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(CLIENT_REQUEST_ID))
                .map(|(_, value)| value.clone());
            self.sent.lock().unwrap_or_else(|e| e.into_inner()).push(id);
        }
    }
}

impl Tap {
    /// The attempts noted since the last call, forgetting them.
    pub fn take(&self) -> Vec<Option<String>> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The exchanges of one call.
#[derive(Debug, Clone, Default)]
pub struct Traced {
    /// Every exchange recorded with one of the call's `client-request-id`s,
    /// by sequence number.
    pub exchanges: Vec<Exchange>,
    /// Attempts the client sent without a `client-request-id`: their
    /// exchanges cannot be told from other calls', so they are missing
    /// from [`Traced::exchanges`].
    pub untraceable: usize,
}

impl Traced {
    /// Why a call that should have caused one exchange did not, in a row's
    /// words.
    pub fn not_one(&self) -> String {
        let mut text = format!(
            "expected one request on the wire, saw {}",
            self.exchanges.len()
        );
        if self.untraceable > 0 {
            text.push_str(&format!(
                " and {} without a `{CLIENT_REQUEST_ID}` header (the job finds a call's \
                 exchanges by the id the client sends with every request)",
                self.untraceable
            ));
        }
        text
    }
}

/// Runs `call` with a client observed by `tap` (and by nothing else at the
/// same time: calls sharing a tap must not overlap), and gives its result
/// and its exchanges.
pub async fn trace<T>(
    recorder: &Recorder,
    tap: &Tap,
    call: impl Future<Output = T>,
) -> (T, Traced) {
    tap.take();
    let result = call.await;
    let sent = tap.take();
    let ids: Vec<String> = sent.iter().flatten().cloned().collect();
    let exchanges = recorder.exchanges_of(&ids, ids.len(), SETTLE_LIMIT).await;
    (
        result,
        Traced {
            exchanges,
            untraceable: sent.len() - ids.len(),
        },
    )
}
