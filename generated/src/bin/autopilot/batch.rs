//! Splitting the device ids into assign calls and running them one after
//! the other. A failed batch does not stop the others, unless its failure
//! would repeat for every batch (the token, the profile id): then the rest
//! are reported as skipped rather than sent to fail the same way.

use std::time::Duration;

use autopilot_client::runtime::client::DryRunRequest;
use autopilot_client::runtime::{self, Error};
use autopilot_client::{Client, types::AssignRequest};
use indicatif::ProgressBar;
use tokio::time::Instant;

use crate::exit;
use crate::target::Target;
use crate::watch::{Seen, Watch};

/// How one batch ended.
#[derive(Debug)]
pub enum Result {
    /// Graph answered 204.
    Assigned,
    /// The call failed.
    Failed(runtime::Error),
    /// The dry run stopped before sending this request.
    DryRun(Box<DryRunRequest>),
    /// The overall --deadline passed during this batch.
    Deadline,
    /// Not sent, and why.
    Skipped(&'static str),
}

/// One batch: its ids, how it ended, and what the exchanges showed.
#[derive(Debug)]
pub struct Outcome {
    /// The device ids of this call.
    pub ids: Vec<String>,
    /// How it ended.
    pub result: Result,
    /// Request ids and attempts.
    pub seen: Seen,
}

/// Everything a run needs besides the ids.
pub struct Run<'a> {
    /// The generated client.
    pub client: &'a Client,
    /// Which route.
    pub target: Target,
    /// The profile or device identity id in the path.
    pub id: &'a str,
    /// The observer the client reports to.
    pub watch: &'a Watch,
    /// Advanced by one per device sent.
    pub progress: Option<&'a ProgressBar>,
    /// When the whole run must end.
    pub deadline: Option<Duration>,
}

/// Whether an error would repeat for every batch, so sending the rest is
/// pointless: the token, the permission, or the profile itself.
fn repeats_for_every_batch(err: &Error) -> bool {
    matches!(
        err,
        Error::Preflight { .. }
            | Error::Token { .. }
            | Error::Unauthorized(_)
            | Error::Forbidden(_)
            | Error::NotFound(_)
            | Error::Config(_)
    ) || matches!(err, Error::InvalidRequest { violations, .. }
        if violations.iter().any(|v| v.location.starts_with("/path")))
}

impl Run<'_> {
    /// Sends `ids` in calls of at most `size` devices each.
    pub async fn all(&self, ids: &[String], size: usize) -> Vec<Outcome> {
        let end = self.deadline.map(|d| Instant::now() + d);
        let mut stop: Option<&'static str> = None;
        let mut outcomes = Vec::new();
        for chunk in ids.chunks(size.max(1)) {
            if let Some(why) = stop {
                outcomes.push(Outcome {
                    ids: chunk.to_vec(),
                    result: Result::Skipped(why),
                    seen: Seen::default(),
                });
                continue;
            }
            let body = AssignRequest {
                device_ids: chunk.to_vec(),
            };
            let call = self.target.call(self.client, self.id, &body);
            let result = match end {
                Some(end) => tokio::time::timeout_at(end, call).await.ok(),
                None => Some(call.await),
            };
            let result = match result {
                None => {
                    stop = Some("the --deadline had passed");
                    Result::Deadline
                }
                Some(Ok(())) => Result::Assigned,
                Some(Err(Error::DryRun(request))) => Result::DryRun(request),
                Some(Err(err)) => {
                    if repeats_for_every_batch(&err) {
                        stop = Some("an earlier batch failed in a way every batch would");
                    }
                    Result::Failed(err)
                }
            };
            if let Some(progress) = self.progress {
                progress.set_message("");
                progress.inc(chunk.len() as u64);
            }
            outcomes.push(Outcome {
                ids: chunk.to_vec(),
                result,
                seen: self.watch.take(),
            });
        }
        outcomes
    }
}

/// The exit code of a run: 0 when every batch was assigned (or dry-run),
/// else the code of the first batch that was not.
pub fn exit_code(outcomes: &[Outcome]) -> u8 {
    outcomes
        .iter()
        .find_map(|o| match &o.result {
            Result::Assigned | Result::DryRun(_) => None,
            Result::Failed(err) => Some(exit::code_for(err)),
            Result::Deadline | Result::Skipped(_) => Some(exit::TRANSPORT),
        })
        .unwrap_or(exit::OK)
}
