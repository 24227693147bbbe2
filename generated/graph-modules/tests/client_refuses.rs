//! A generated client (the keyword fixture's) refuses requests that break
//! the spec before sending: body, parameter and path violations all come
//! back as `Error::InvalidRequest`, and a real loopback server sees none
//! of them.

use std::sync::atomic::Ordering;

use graph_modules::keywords::{Client, params, types};
use openapi_runtime::{Error, SecretToken};
use serde_json::json;

#[path = "../../tests/support/loopback.rs"]
mod loopback;
use loopback::counting_server;

fn widget(value: serde_json::Value) -> types::Widget {
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn invalid_requests_stay_home() {
    let (addr, count) = counting_server().await;
    let runtime = openapi_runtime::Client::builder()
        .base_url(format!("http://{addr}/v1"))
        .token(SecretToken::from("token-for-tests".to_string()))
        .build()
        .unwrap();
    let client = Client::new(runtime);

    let bad = widget(json!({
        "name": "toolongname",
        "kind": "small",
        "sizes": [5, 5, 101],
        "ratio": 0.3,
        "tags": {"a": "long"}
    }));
    let params = params::WidgetsUpdateParams {
        top: Some(0),
        ..Default::default()
    };
    let result = client.widgets_update("Widget!", &params, &bad).await;
    let Err(Error::InvalidRequest {
        operation_id,
        violations,
    }) = result
    else {
        panic!("expected InvalidRequest, got {result:?}");
    };
    assert_eq!(operation_id, "widgets_update");
    let got: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.location.as_str(), v.keyword))
        .collect();
    assert_eq!(
        got,
        [
            ("/path/widgetId", "pattern"),
            ("/query/$top", "minimum"),
            ("/body/name", "maxLength"),
            ("/body/name", "pattern"),
            ("/body/ratio", "multipleOf"),
            ("/body/sizes", "uniqueItems"),
            ("/body/sizes/2", "exclusiveMaximum"),
            ("/body/sizes/2", "multipleOf"),
            ("/body/tags/a", "maxLength"),
        ]
    );
    assert_eq!(count.load(Ordering::SeqCst), 0, "nothing may be sent");

    let good = widget(json!({"name": "Bolt", "kind": "small", "sizes": [5, 10]}));
    client
        .widgets_update("widget-7", &params::WidgetsUpdateParams::default(), &good)
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
