//! The observer the CLI gives the client: it prints `--verbose` output,
//! keeps each call's request ids for the report (the generated methods
//! return `()` on success, so the ids only reach us here), and tells the
//! progress bar about throttling waits.

use std::fmt;
use std::io::Write as _;
use std::sync::Mutex;

use autopilot_client::runtime::observe::{Event, Observer};
use indicatif::ProgressBar;

use crate::verbose;

/// What one call's exchanges showed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// The `client-request-id` the call was sent with.
    pub client_request_id: Option<String>,
    /// The last response's `request-id`.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
}

/// Watches every exchange of a run.
pub struct Watch {
    verbose: bool,
    progress: Option<ProgressBar>,
    seen: Mutex<Seen>,
}

impl fmt::Debug for Watch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("verbose", &self.verbose)
            .finish_non_exhaustive()
    }
}

impl Watch {
    /// A watch that prints exchanges when `verbose`, and reports waits to
    /// `progress`.
    pub fn new(verbose: bool, progress: Option<ProgressBar>) -> Self {
        Watch {
            verbose,
            progress,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// What the calls since the last `take` showed; starts afresh.
    pub fn take(&self) -> Seen {
        self.seen
            .lock()
            .map(|mut seen| std::mem::take(&mut *seen))
            .unwrap_or_default()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Observer for Watch {
    fn on_event(&self, event: &Event<'_>) {
        if self.verbose {
            // A closed stderr must not turn into a panic mid-request.
            let _ = std::io::stderr()
                .lock()
                .write_all(verbose::render(event).as_bytes());
        }
        match event {
            Event::Request {
                attempt, headers, ..
            } => {
                if let Ok(mut seen) = self.seen.lock() {
                    seen.attempts = *attempt;
                    seen.client_request_id =
                        header(headers, "client-request-id").map(verbose::clean);
                }
            }
            Event::Response { headers, .. } => {
                if let Ok(mut seen) = self.seen.lock() {
                    seen.request_id = header(headers, "request-id").map(verbose::clean);
                }
            }
            Event::Retry {
                attempt,
                status,
                wait,
                ..
            } => {
                if let Some(progress) = &self.progress {
                    progress.set_message(format!(
                        "throttled ({status}): waiting {}s before attempt {}",
                        wait.as_secs(),
                        attempt + 1
                    ));
                }
            }
            Event::RetryFailure { attempt, wait, .. } => {
                if let Some(progress) = &self.progress {
                    progress.set_message(format!(
                        "no answer: waiting {}s before attempt {}",
                        wait.as_secs(),
                        attempt + 1
                    ));
                }
            }
            _ => {}
        }
    }
}
