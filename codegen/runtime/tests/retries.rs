//! Throttling on a real loopback server: which answers are retried, how
//! long the client waits (read from a recording clock, so nothing sleeps),
//! and what the final error says.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{Canned, TOKEN, TestServer, assign, serve_script};
use openapi_runtime::retry::{Clock, GaveUp, SleepFuture};
use openapi_runtime::{Client, Error, RetryPolicy, SecretToken, Upload};

/// A clock frozen at a fixed instant that records waits instead of
/// sleeping them.
#[derive(Debug)]
struct TestClock {
    now: SystemTime,
    waits: Mutex<Vec<Duration>>,
}

impl TestClock {
    fn new() -> Arc<TestClock> {
        Arc::new(TestClock {
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000),
            waits: Mutex::new(Vec::new()),
        })
    }

    fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        self.now
    }

    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.waits.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

fn client(server: &TestServer, clock: &Arc<TestClock>, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .token(SecretToken::from(TOKEN))
        .clock(clock.clone())
        .retry(policy)
        .build()
        .unwrap()
}

fn throttled(retry_after: Option<&str>) -> Canned {
    let canned = Canned::json(
        429,
        r#"{"error":{"code":"TooManyRequests","message":"Too many requests"}}"#,
    );
    match retry_after {
        Some(value) => canned.header("retry-after", value),
        None => canned,
    }
}

fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().copied().map(Duration::from_secs).collect()
}

#[tokio::test]
async fn retry_after_seconds_is_waited_then_the_same_request_is_sent_again() {
    let server = serve_script(vec![throttled(Some("2")), Canned::status(204)]).await;
    let clock = TestClock::new();
    let result = assign(&client(&server, &clock, RetryPolicy::default())).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(clock.waits(), secs(&[2]));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let (first, second) = (&requests[0], &requests[1]);
    assert_eq!(first.target, second.target);
    assert_eq!(first.body, second.body);
    assert_eq!(
        first.header("client-request-id"),
        second.header("client-request-id"),
        "a retry keeps the client-request-id so Graph can correlate the attempts"
    );
    assert_eq!(first.header("retry-attempt"), None);
    assert_eq!(second.header("retry-attempt"), Some("1"));
    assert_eq!(
        second.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn retry_after_http_date_is_converted_to_seconds() {
    let clock = TestClock::new();
    let date = httpdate::fmt_http_date(clock.now + Duration::from_secs(30));
    let unavailable = Canned::json(
        503,
        r#"{"error":{"code":"ServiceUnavailable","message":"later"}}"#,
    )
    .header("retry-after", &date);
    let server = serve_script(vec![unavailable, Canned::status(204)]).await;
    assert!(
        assign(&client(&server, &clock, RetryPolicy::default()))
            .await
            .is_ok()
    );
    assert_eq!(clock.waits(), secs(&[30]));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn missing_retry_after_backs_off_exponentially() {
    let server = serve_script(vec![
        Canned::status(504),
        throttled(None),
        throttled(Some("not a number")),
        Canned::status(204),
    ])
    .await;
    let clock = TestClock::new();
    let policy = RetryPolicy::default().jitter(false);
    assert!(assign(&client(&server, &clock, policy)).await.is_ok());
    assert_eq!(clock.waits(), secs(&[3, 6, 12]));
    let retry_headers: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.header("retry-attempt").map(str::to_owned))
        .collect();
    assert_eq!(
        retry_headers,
        [None, Some("1".into()), Some("2".into()), Some("3".into())]
    );
}

#[tokio::test]
async fn jittered_backoff_stays_within_its_bounds() {
    let server = serve_script(vec![throttled(None), Canned::status(204)]).await;
    let clock = TestClock::new();
    assert!(
        assign(&client(&server, &clock, RetryPolicy::default()))
            .await
            .is_ok()
    );
    let waits = clock.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] >= Duration::from_millis(1500) && waits[0] <= Duration::from_secs(3),
        "{waits:?}"
    );
}

#[tokio::test]
async fn exhausted_attempts_give_a_throttled_error_that_says_so() {
    let server = serve_script(vec![
        throttled(Some("1")).header("request-id", "req-throttled"),
    ])
    .await;
    let clock = TestClock::new();
    let err = assign(&client(&server, &clock, RetryPolicy::default()))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 4, "1 attempt + 3 retries");
    assert_eq!(clock.waits(), secs(&[1, 1, 1]));
    let Error::Throttled(failure) = &err else {
        panic!("expected Throttled, got {err:?}")
    };
    assert_eq!(failure.attempts.count, 4);
    assert_eq!(failure.attempts.waited, Duration::from_secs(3));
    assert_eq!(
        failure.attempts.gave_up,
        Some(GaveUp::MaxAttempts { max: 4 })
    );
    assert!(err.is_retryable());
    assert_eq!(err.graph_code(), Some("TooManyRequests"));
    let text = err.to_string();
    assert!(
        text.starts_with(
            "windowsAutopilotDeploymentProfiles_assign: 429 Too Many Requests: TooManyRequests: \
             Too many requests; gave up after 4 attempts (waited 3s; 4 attempts allowed) \
             (request-id req-throttled, client-request-id "
        ),
        "{text}"
    );
    assert!(!text.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn max_attempts_is_configurable() {
    let server = serve_script(vec![throttled(Some("1"))]).await;
    let clock = TestClock::new();
    let err = assign(&client(
        &server,
        &clock,
        RetryPolicy::default().max_attempts(2),
    ))
    .await
    .unwrap_err();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        err.graph_failure().unwrap().attempts.gave_up,
        Some(GaveUp::MaxAttempts { max: 2 })
    );

    let server = serve_script(vec![throttled(Some("1"))]).await;
    let err = assign(&client(&server, &clock, RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("gave up after 1 attempt (waited 0s; 1 attempt allowed)")
    );
}

#[tokio::test]
async fn max_total_wait_stops_before_a_wait_that_would_pass_it() {
    let server = serve_script(vec![throttled(Some("4"))]).await;
    let clock = TestClock::new();
    let policy = RetryPolicy::default().max_total_wait(Duration::from_secs(10));
    let err = assign(&client(&server, &clock, policy)).await.unwrap_err();
    // 4 s + 4 s fit in 10 s; a third 4 s wait would not.
    assert_eq!(clock.waits(), secs(&[4, 4]));
    assert_eq!(server.requests().len(), 3);
    let failure = err.graph_failure().unwrap();
    assert_eq!(
        failure.attempts.gave_up,
        Some(GaveUp::MaxTotalWait {
            next: Duration::from_secs(4),
            limit: Duration::from_secs(10)
        })
    );
    assert!(
        err.to_string()
            .contains("the next wait of 4s would pass the 10s limit on total waiting"),
        "{err}"
    );
}

#[tokio::test]
async fn a_long_retry_after_is_capped_at_the_per_wait_maximum() {
    let server = serve_script(vec![throttled(Some("86400")), Canned::status(204)]).await;
    let clock = TestClock::new();
    assert!(
        assign(&client(&server, &clock, RetryPolicy::default()))
            .await
            .is_ok()
    );
    assert_eq!(clock.waits(), secs(&[180]));
}

#[tokio::test]
async fn other_statuses_are_never_retried() {
    for (status, variant) in [
        (400, "Graph"),
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (409, "Graph"),
        (500, "Graph"),
        (502, "Graph"),
    ] {
        // A Retry-After on a final status must not cause a retry either.
        let answer = Canned::json(status, r#"{"error":{"code":"X","message":"no"}}"#)
            .header("retry-after", "1");
        let server = serve_script(vec![answer, Canned::status(204)]).await;
        let clock = TestClock::new();
        let err = assign(&client(&server, &clock, RetryPolicy::default()))
            .await
            .unwrap_err();
        assert_eq!(server.requests().len(), 1, "{status}");
        assert!(clock.waits().is_empty(), "{status}");
        assert!(format!("{err:?}").starts_with(variant), "{status}: {err:?}");
        let failure = err.graph_failure().unwrap();
        assert_eq!(failure.attempts.count, 1);
        assert_eq!(failure.attempts.gave_up, None);
    }
}

#[tokio::test]
async fn a_final_answer_after_retries_records_the_attempts() {
    let server = serve_script(vec![
        throttled(Some("1")),
        Canned::json(
            404,
            r#"{"error":{"code":"NotFound","message":"no such profile"}}"#,
        ),
    ])
    .await;
    let clock = TestClock::new();
    let err = assign(&client(&server, &clock, RetryPolicy::default()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.graph_failure().unwrap().attempts.count, 2);
    assert!(
        err.to_string()
            .contains("no such profile; after 2 attempts (waited 1s)"),
        "{err}"
    );
}

#[tokio::test]
async fn the_real_clock_waits_a_zero_retry_after() {
    // The only test on the system clock: `Retry-After: 0` keeps it instant.
    let server = serve_script(vec![throttled(Some("0")), Canned::status(204)]).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .token(SecretToken::from(TOKEN))
        .build()
        .unwrap();
    assert!(assign(&client).await.is_ok());
    assert_eq!(server.requests().len(), 2);
}

/// The resetting server's service root, and its connection count.
async fn resetting_server(resets: usize) -> (String, Arc<Mutex<usize>>) {
    let (addr, count) = common::resetting::serve(resets).await;
    (format!("http://{addr}/beta"), count)
}

fn raw_client(base: &str, clock: &Arc<TestClock>, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base)
        .token(SecretToken::from(TOKEN))
        .clock(clock.clone())
        .retry(policy.jitter(false))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_reset_connection_is_retried_only_for_idempotent_requests() {
    let (base, connections) = resetting_server(1).await;
    let clock = TestClock::new();
    let client = raw_client(&base, &clock, RetryPolicy::default().idempotent(true));
    assign(&client).await.unwrap();
    assert_eq!(*connections.lock().unwrap(), 2);
    assert_eq!(clock.waits(), [Duration::from_secs(3)]);

    let (base, connections) = resetting_server(1).await;
    let clock = TestClock::new();
    let client = raw_client(&base, &clock, RetryPolicy::default());
    let err = assign(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert_eq!(*connections.lock().unwrap(), 1);
    assert!(clock.waits().is_empty());
}

#[tokio::test]
async fn a_failed_connection_is_retried_when_the_policy_says_so() {
    // Bound, then closed: nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = TestClock::new();
    let client = raw_client(
        &format!("http://127.0.0.1:{port}/beta"),
        &clock,
        RetryPolicy::default().max_attempts(3).retry_connect(true),
    );
    let err = assign(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert_eq!(
        clock.waits(),
        [Duration::from_secs(3), Duration::from_secs(6)]
    );
    // Off by default.
    let clock = TestClock::new();
    let client = raw_client(
        &format!("http://127.0.0.1:{port}/beta"),
        &clock,
        RetryPolicy::default(),
    );
    assert!(assign(&client).await.is_err());
    assert!(clock.waits().is_empty());
}

/// A PUT of an `application/octet-stream` body (a binary upload).
static UPLOAD: openapi_runtime::Route = openapi_runtime::Route {
    operation_id: "uploads_put",
    method: openapi_runtime::Method::Put,
    template: "/uploads/{name}",
    params: &[],
    body: Some(openapi_runtime::Body::kind(
        "application/octet-stream",
        openapi_runtime::BodyKind::Binary,
        &openapi_runtime::validate::ANY,
    )),
    auth: true,
    security: &[],
    responses: &[openapi_runtime::ResponseSpec::no_body(
        openapi_runtime::StatusSpec::Code(204),
    )],
    permissions: &[],
    summary: "upload",
    servers: &[],
};

/// Chunks handed over a channel, as a stream of the kind
/// `Upload::stream` takes.
struct Chunks(tokio::sync::mpsc::Receiver<Vec<u8>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Vec<u8>, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

fn chunks(list: &[&[u8]]) -> Chunks {
    let (tx, rx) = tokio::sync::mpsc::channel(list.len().max(1));
    for chunk in list {
        tx.try_send(chunk.to_vec()).unwrap();
    }
    Chunks(rx)
}

async fn upload(client: &Client, body: Upload) -> openapi_runtime::Response {
    client
        .call(&UPLOAD, openapi_runtime::Args::new(&["f.bin"]).upload(body))
        .await
        .unwrap()
}

/// A file is read again for a retry, and goes out with its length; a
/// stream cannot be sent twice, so a throttled upload of one comes back
/// as it is, saying why it was not retried.
#[tokio::test]
async fn a_throttled_file_upload_is_sent_again_and_a_stream_is_not() {
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    std::fs::write(&path, &content).unwrap();

    let server = serve_script(vec![throttled(Some("1")), Canned::status(204)]).await;
    let clock = TestClock::new();
    let file = Upload::file(&path).unwrap();
    assert_eq!(file.length(), Some(300_000));
    let response = upload(&client(&server, &clock, RetryPolicy::default()), file).await;
    assert_eq!(response.status, 204);
    assert_eq!(clock.waits(), secs(&[1]));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.target, "/beta/uploads/f.bin");
        assert_eq!(
            request.header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(request.header("content-length"), Some("300000"));
        assert!(request.body == content, "the file arrived changed");
    }

    let server = serve_script(vec![throttled(Some("1")), Canned::status(204)]).await;
    let clock = TestClock::new();
    let stream = Upload::stream(chunks(&[b"first ", b"second"]));
    assert!(!stream.replayable());
    let response = upload(&client(&server, &clock, RetryPolicy::default()), stream).await;
    assert_eq!(response.status, 429);
    assert_eq!(response.attempts.gave_up, Some(GaveUp::BodySentOnce));
    assert!(clock.waits().is_empty());
    let sent = server.only_request();
    assert_eq!(sent.body, b"first second");
    assert_eq!(
        sent.header("content-length"),
        None,
        "a stream of unknown length is chunked"
    );

    assert!(
        Upload::file(dir.path().join("missing.bin"))
            .unwrap_err()
            .to_string()
            .contains("missing.bin")
    );
}

/// A stream goes out as it is produced, not gathered first: its second
/// chunk is made only once the server has received the first, which a
/// client that buffered the body would wait for forever.
#[tokio::test]
async fn a_stream_is_sent_as_it_is_produced() {
    use axum::extract::Request;
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<()>();
    let first_tx = Arc::new(Mutex::new(Some(first_tx)));
    let app = axum::Router::new().fallback(move |request: Request| {
        let first_tx = first_tx.clone();
        async move {
            let mut body = request.into_body().into_data_stream();
            let mut got = Vec::new();
            while let Some(chunk) = std::future::poll_fn(|cx| {
                futures_core::Stream::poll_next(std::pin::Pin::new(&mut body), cx)
            })
            .await
            {
                got.extend_from_slice(&chunk.unwrap());
                if let Some(tx) = first_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
            }
            assert_eq!(got, b"first second");
            axum::http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("{origin}/beta"))
        .token(SecretToken::from(TOKEN))
        .build()
        .unwrap();

    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let feed = async move {
        tx.send(b"first ".to_vec()).await.unwrap();
        first_rx.await.expect("the server saw the first chunk");
        tx.send(b"second".to_vec()).await.unwrap();
    };
    let call = upload(&client, Upload::stream(Chunks(rx)));
    // Bounded so that a client that buffers fails instead of hanging.
    let (response, ()) =
        tokio::time::timeout(Duration::from_secs(30), async { tokio::join!(call, feed) })
            .await
            .expect("the body was not streamed: the server never got its first chunk");
    assert_eq!(response.status, 204);
}

/// A POST of a `multipart/form-data` body: a required text part of at
/// most 8 characters and a required file part sent as `image/png`.
static FORM: openapi_runtime::Route = openapi_runtime::Route {
    operation_id: "photos_add",
    method: openapi_runtime::Method::Post,
    template: "/photos",
    body: Some(
        openapi_runtime::Body::kind(
            "multipart/form-data",
            openapi_runtime::BodyKind::Multipart,
            &FORM_SCHEMA,
        )
        .parts(&[
            openapi_runtime::PartRule::new("title", openapi_runtime::PartKind::Text).required(),
            openapi_runtime::PartRule::new("photo", openapi_runtime::PartKind::File)
                .required()
                .content_type("image/png"),
        ]),
    ),
    params: &[],
    auth: true,
    security: &[],
    responses: &[openapi_runtime::ResponseSpec::no_body(
        openapi_runtime::StatusSpec::Code(204),
    )],
    permissions: &[],
    summary: "photo",
    servers: &[],
};

static FORM_SCHEMA: openapi_runtime::validate::Schema = {
    use openapi_runtime::validate::{self as v, StringRules};
    static TITLE: v::Schema = v::string(StringRules::NONE.with_max_length(8));
    v::object(v::ObjectRules {
        properties: &[
            v::required("photo", &v::STRING),
            v::required("title", &TITLE),
        ],
        ..v::ObjectRules::OPEN
    })
};

/// What a generated form looks like: text fields serialised, files given
/// apart.
#[derive(serde::Serialize)]
struct PhotoForm {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip)]
    photo: Option<openapi_runtime::FilePart>,
}

impl openapi_runtime::MultipartForm for PhotoForm {
    fn files(&self) -> Vec<(&'static str, Vec<openapi_runtime::FilePart>)> {
        vec![(
            "photo",
            openapi_runtime::multipart::FileField::file_parts(&self.photo),
        )]
    }
}

async fn post_form(client: &Client, form: &PhotoForm) -> Result<openapi_runtime::Response, Error> {
    client
        .call(&FORM, openapi_runtime::Args::new(&[]).multipart(form))
        .await
}

/// A form is built again for a retry, file included; a form with a
/// streamed file part is sent once, as a streamed body is; a form that
/// breaks the spec is not sent at all.
#[tokio::test]
async fn a_throttled_form_is_sent_again_unless_a_file_part_is_a_stream() {
    let server = serve_script(vec![throttled(Some("1")), Canned::status(204)]).await;
    let clock = TestClock::new();
    let form = PhotoForm {
        title: Some("cat".into()),
        photo: Some(openapi_runtime::FilePart::new(b"\x89PNG".to_vec()).file_name("cat.png")),
    };
    let response = post_form(&client(&server, &clock, RetryPolicy::default()), &form)
        .await
        .unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(clock.waits(), secs(&[1]));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let content_type = request.header("content-type").unwrap();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap_or_else(|| panic!("{content_type}"));
        let body = String::from_utf8_lossy(&request.body);
        assert!(body.starts_with(&format!("--{boundary}\r\n")), "{body}");
        assert!(body.contains("name=\"title\"\r\n\r\ncat\r\n"), "{body}");
        assert!(
            body.contains(
                "name=\"photo\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n\u{fffd}PNG\r\n"
            ),
            "{body}"
        );
        assert!(request.header("content-length").is_some());
    }

    let server = serve_script(vec![throttled(Some("1")), Canned::status(204)]).await;
    let clock = TestClock::new();
    let form = PhotoForm {
        title: Some("dog".into()),
        photo: Some(Upload::stream(chunks(&[b"woof"])).into()),
    };
    let response = post_form(&client(&server, &clock, RetryPolicy::default()), &form)
        .await
        .unwrap();
    assert_eq!(response.status, 429);
    assert_eq!(response.attempts.gave_up, Some(GaveUp::BodySentOnce));
    assert!(clock.waits().is_empty());
    let sent = server.only_request();
    let body = String::from_utf8_lossy(&sent.body);
    // Without a file name the part goes under its property's name.
    assert!(
        body.contains(
            "name=\"photo\"; filename=\"photo\"\r\nContent-Type: image/png\r\n\r\nwoof\r\n"
        ),
        "{body}"
    );

    let server = serve_script(vec![Canned::status(204)]).await;
    let clock = TestClock::new();
    let client = client(&server, &clock, RetryPolicy::default());
    let refused = |form: PhotoForm| {
        let client = client.clone();
        async move {
            match post_form(&client, &form).await {
                Err(Error::InvalidRequest { violations, .. }) => violations
                    .into_iter()
                    .map(|v| (v.location, v.keyword, v.message))
                    .collect::<Vec<_>>(),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    };
    let found = refused(PhotoForm {
        title: None,
        photo: None,
    })
    .await;
    assert_eq!(
        found,
        [
            (
                "/body".to_owned(),
                "required",
                "the part `photo` is required, and no file was given".to_owned()
            ),
            (
                "/body".to_owned(),
                "required",
                "the part `title` is required, and none was given".to_owned()
            ),
        ]
    );
    let long = PhotoForm {
        title: Some("far too long".into()),
        photo: Some(b"x".into()),
    };
    let found = refused(long).await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("/body/title", "maxLength")
    );
    assert!(
        server.requests().is_empty(),
        "refused forms must not be sent"
    );
}
