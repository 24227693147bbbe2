//! What the generated client costs over a hand-written `reqwest` call.
//!
//! Both send the same request (POST, same path, `Authorization`, `Accept`,
//! `Content-Type`, a fresh `client-request-id`, `User-Agent`, the same JSON
//! body) to the same loopback server, which answers `204` like Graph, and
//! both read the whole response. The generated client adds route
//! rendering, path encoding, the token provider call, permission preflight
//! (a JWT payload decode), the retry loop's bookkeeping and status
//! decoding. The `no_preflight` line shows what the preflight part costs.
//!
//! The baseline runs first and again last: on a shared machine the load
//! drifts during a run, and the two baseline figures show by how much. A
//! paired measurement follows, which is what BENCHMARKS.md reports: many
//! short rounds, each timing a block of hand-written calls and a block of
//! generated-client calls back to back (alternating which goes first), so
//! both sides of each round see the same load; it prints the median and
//! quartiles of the per-round ratios.
//!
//! Run with `cargo bench -p autopilot-client --bench overhead`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autopilot_client::Client;
use autopilot_client::runtime::{self, SecretToken};
use autopilot_client::types::AssignRequest;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};

/// A JWT-shaped token with the permission the route needs, so preflight
/// runs its full check on every call.
fn token() -> String {
    let payload = serde_json::json!({
        "aud": "https://graph.microsoft.com",
        "tid": "11111111-2222-3333-4444-555555555555",
        "scp": "openid profile DeviceManagementServiceConfig.ReadWrite.All User.Read",
        "upn": "admin@contoso.example",
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode([7u8; 256])
    )
}

fn body() -> AssignRequest {
    AssignRequest {
        device_ids: vec!["device-1".into(), "device-2".into()],
    }
}

/// The hand-written call: what someone would write without the generator.
async fn by_hand(http: &reqwest::Client, base: &str, token: &str, body: &AssignRequest) {
    let url = format!(
        "{base}/deviceManagement/windowsAutopilotDeploymentProfiles/{}/assign",
        "profile-1"
    );
    let response = http
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .header("client-request-id", uuid::Uuid::new_v4().to_string())
        .header("user-agent", runtime::client::DEFAULT_USER_AGENT)
        .body(serde_json::to_vec(body).unwrap())
        .timeout(runtime::client::DEFAULT_TIMEOUT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    black_box(response.bytes().await.unwrap());
}

fn generated_client(base: &str, token: &str, preflight: bool) -> Client {
    Client::new(
        runtime::Client::builder()
            .base_url(base)
            .token(SecretToken::from(token))
            .permission_preflight(preflight)
            .build()
            .unwrap(),
    )
}

fn overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let base = rt.block_on(async {
        let app = axum::Router::new().fallback(|| async { StatusCode::NO_CONTENT });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/beta")
    });
    let token = token();
    let body = body();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(runtime::client::DEFAULT_CONNECT_TIMEOUT)
        .build()
        .unwrap();
    let client = generated_client(&base, &token, true);
    let no_preflight = generated_client(&base, &token, false);

    let mut group = c.benchmark_group("assign_call_loopback");
    group.measurement_time(Duration::from_secs(8));
    group.sample_size(100);
    group.bench_function("reqwest_by_hand", |b| {
        b.to_async(&rt)
            .iter(|| by_hand(&http, &base, &token, &body))
    });
    group.bench_function("generated_client", |b| {
        b.to_async(&rt).iter(|| async {
            client
                .windows_autopilot_deployment_profiles_assign("profile-1", &body)
                .await
                .unwrap()
        })
    });
    group.bench_function("generated_client_no_preflight", |b| {
        b.to_async(&rt).iter(|| async {
            no_preflight
                .windows_autopilot_deployment_profiles_assign("profile-1", &body)
                .await
                .unwrap()
        })
    });
    group.bench_function("reqwest_by_hand_again", |b| {
        b.to_async(&rt)
            .iter(|| by_hand(&http, &base, &token, &body))
    });
    group.finish();

    // The preflight check on its own (decode the JWT payload, compare
    // permissions), to size its share of the difference above.
    let permissions =
        autopilot_client::routes::WINDOWS_AUTOPILOT_DEPLOYMENT_PROFILES_ASSIGN.permissions;
    c.bench_function("preflight_check_only", |b| {
        b.iter(|| runtime::preflight::check(black_box(&token), permissions).unwrap())
    });

    rt.block_on(paired(
        &http,
        &base,
        &token,
        &body,
        &client,
        "generated_client",
    ));
    rt.block_on(paired(
        &http,
        &base,
        &token,
        &body,
        &no_preflight,
        "generated_client_no_preflight",
    ));
}

/// Rounds of the paired measurement, and calls per side in each round.
const ROUNDS: usize = 80;
const CALLS_PER_BLOCK: u32 = 100;

/// Prints the median and quartiles of `generated / by hand` over rounds in
/// which both sides run back to back.
async fn paired(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: &AssignRequest,
    client: &Client,
    name: &str,
) {
    let hand_block = || async {
        let started = Instant::now();
        for _ in 0..CALLS_PER_BLOCK {
            by_hand(http, base, token, body).await;
        }
        started.elapsed()
    };
    let generated_block = || async {
        let started = Instant::now();
        for _ in 0..CALLS_PER_BLOCK {
            client
                .windows_autopilot_deployment_profiles_assign("profile-1", body)
                .await
                .unwrap();
        }
        started.elapsed()
    };
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (hand, generated) = if round % 2 == 0 {
            let hand = hand_block().await;
            (hand, generated_block().await)
        } else {
            let generated = generated_block().await;
            (hand_block().await, generated)
        };
        ratios.push(generated.as_secs_f64() / hand.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ROUNDS - 1) as f64 * q).round() as usize];
    println!(
        "paired {name} / reqwest_by_hand over {ROUNDS} rounds of {CALLS_PER_BLOCK} calls each: \
         median {:.3}x (quartiles {:.3}x .. {:.3}x)",
        at(0.5),
        at(0.25),
        at(0.75)
    );
}

criterion_group!(benches, overhead);
criterion_main!(benches);
