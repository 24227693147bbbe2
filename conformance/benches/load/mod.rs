//! Shared load generator: many concurrent tasks on one keep-alive
//! connection pool, each sending a valid assign request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Concurrent client tasks.
pub const TASKS: u64 = 64;

/// One prepared request, sent over and over.
#[derive(Clone)]
pub struct Load {
    http: reqwest::Client,
    url: String,
    body: bytes_body::Body,
}

mod bytes_body {
    /// The request body, shared.
    pub type Body = &'static str;
}

impl Load {
    pub fn new(base_url: &str) -> Load {
        Load {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(TASKS as usize)
                .build()
                .unwrap(),
            url: format!(
                "{base_url}/deviceManagement/windowsAutopilotDeploymentProfiles/profile-1/assign"
            ),
            body: r#"{"deviceIds":["device-1","device-2"]}"#,
        }
    }

    /// Sends `total` requests from [`TASKS`] tasks; panics on any answer
    /// other than 204 (a benchmark of errors would measure nothing useful).
    pub async fn send(&self, total: u64) -> Duration {
        let next = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..TASKS.min(total.max(1)) {
            let load = self.clone();
            let next = next.clone();
            tasks.push(tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let response = load
                        .http
                        .post(&load.url)
                        .header("authorization", "Bearer bench-token")
                        .header("content-type", "application/json")
                        .header("accept", "application/json")
                        .body(load.body)
                        .send()
                        .await
                        .expect("the mock answers");
                    assert_eq!(
                        response.status(),
                        204,
                        "the benchmark request must be valid"
                    );
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        start.elapsed()
    }
}
