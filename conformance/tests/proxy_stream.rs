//! A 100 MiB request body and a 100 MiB response body through the
//! validating proxy, in-process over loopback: every byte arrives, the
//! proxy reports both bodies as too large to judge, and the process's peak
//! resident memory grows by far less than one body (the proxy keeps at
//! most its judge limit of each). Alone in its test binary, so that no
//! other test's memory counts.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use conformance::oracle::Oracle;
use conformance::proxy::{ProxyConfig, ValidatingProxy};
use http_body::{Frame, SizeHint};

const MIB: u64 = 1024 * 1024;
const BODY: u64 = 100 * MIB;
static CHUNK: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// `length` spaces in 64 KiB chunks, never held whole.
struct Spaces {
    left: u64,
}

impl http_body::Body for Spaces {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(CHUNK.len() as u64);
        self.left -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
            &CHUNK[..n as usize],
        )))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

/// Kibibytes of a `/proc/self/status` line (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// The upstream: drains a POST body and answers 204 with the count in a
/// header; answers a GET with 100 MiB.
async fn upstream() -> String {
    use axum::routing::{get, post};
    async fn drain(body: Body) -> axum::response::Response {
        let mut body = body;
        let mut n = 0u64;
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            if let Ok(data) = frame.unwrap().into_data() {
                n += data.len() as u64;
            }
        }
        axum::response::Response::builder()
            .status(204)
            .header("x-received", n.to_string())
            .body(Body::empty())
            .unwrap()
    }
    async fn big() -> axum::response::Response {
        axum::response::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(Body::new(Spaces { left: BODY }))
            .unwrap()
    }
    use http_body::Body as _;
    let app = axum::Router::new()
        .route(
            "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/{id}/assign",
            post(drain),
        )
        .route("/beta/big", get(big));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_mib_bodies_stream_with_flat_memory() {
    let oracle =
        Oracle::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml"))
            .unwrap();
    let limit = MIB as usize;
    let proxy = ValidatingProxy::start(
        ProxyConfig {
            judge_limit: limit,
            ..ProxyConfig::new("127.0.0.1:0".parse().unwrap(), upstream().await)
        },
        oracle,
        Box::new(std::io::sink()),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://{}/beta", proxy.addr());
    // Warm up: one small exchange, so that the pools and the judge exist.
    let warm = http
        .post(format!(
            "{base}/deviceManagement/windowsAutopilotDeploymentProfiles/p/assign"
        ))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status(), 204);
    let before = status_kib("VmRSS:");

    let sent = http
        .post(format!(
            "{base}/deviceManagement/windowsAutopilotDeploymentProfiles/p/assign"
        ))
        .header("authorization", "Bearer stream-test")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap(Spaces { left: BODY }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 204);
    assert_eq!(
        sent.headers()["x-received"].to_str().unwrap(),
        BODY.to_string(),
        "the upstream got every byte"
    );

    let mut got = http.get(format!("{base}/big")).send().await.unwrap();
    assert_eq!(got.status(), 200);
    let mut received = 0u64;
    while let Some(chunk) = got.chunk().await.unwrap() {
        received += chunk.len() as u64;
    }
    assert_eq!(received, BODY, "the client got every byte");

    let peak = status_kib("VmHWM:");
    // Growth of the peak over the resident size before the two bodies:
    // both bodies together are 200 MiB; the proxy may keep 1 MiB of each,
    // and hyper's buffers are a few hundred KiB per connection.
    let growth_mib = peak.saturating_sub(before) / 1024;
    assert!(
        growth_mib < 32,
        "peak resident memory grew by {growth_mib} MiB while 200 MiB streamed through"
    );
    let summary = proxy.finish(std::time::Duration::from_secs(10)).await;
    assert_eq!(summary.exchanges, 3, "{summary:?}");
    assert_eq!(summary.too_large_to_judge, 2, "{summary:?}");
}
