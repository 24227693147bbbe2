//! Client configuration and the rule that the token never shows.

use std::time::Duration;

use openapi_runtime::{Client, Error, SecretToken};

const TOKEN: &str = "tok-SECRET-0123456789";

fn config_error(builder: openapi_runtime::ClientBuilder) -> String {
    match builder.build() {
        Err(Error::Config(message)) => message,
        Err(other) => panic!("expected Error::Config, got {other:?}"),
        Ok(client) => panic!("expected Error::Config, got {client:?}"),
    }
}

#[test]
fn default_base_url_is_graph_beta() {
    let client = Client::builder().build().unwrap();
    assert_eq!(client.base_url(), "https://graph.microsoft.com/beta");
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let message = config_error(Client::builder().base_url("http://example.com"));
    assert!(message.contains("http://example.com"), "{message}");
    assert!(message.contains("https"), "{message}");
    let err = Client::builder()
        .base_url("http://example.com")
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid client configuration: "),
        "{err}"
    );
}

#[test]
fn plain_http_is_allowed_on_loopback() {
    for url in [
        "http://127.0.0.1:1",
        "http://localhost:8080/beta/",
        "http://[::1]:9/v1.0",
    ] {
        let client = Client::builder().base_url(url).build().unwrap();
        assert!(!client.base_url().ends_with('/'), "{}", client.base_url());
    }
    let client = Client::builder()
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:1");
}

#[test]
fn national_cloud_roots_are_accepted_and_normalised() {
    for (given, kept) in [
        (
            "https://graph.microsoft.us/beta/",
            "https://graph.microsoft.us/beta",
        ),
        (
            "https://dod-graph.microsoft.us/beta",
            "https://dod-graph.microsoft.us/beta",
        ),
        (
            "https://microsoftgraph.chinacloudapi.cn/beta//",
            "https://microsoftgraph.chinacloudapi.cn/beta",
        ),
    ] {
        assert_eq!(
            Client::builder()
                .base_url(given)
                .build()
                .unwrap()
                .base_url(),
            kept
        );
    }
}

#[test]
fn malformed_and_odd_base_urls_are_refused() {
    assert!(
        config_error(Client::builder().base_url("graph.microsoft.com")).contains("not a valid URL")
    );
    assert!(config_error(Client::builder().base_url("file:///etc")).contains("scheme"));
    assert!(config_error(Client::builder().base_url("https://h/beta?x=1")).contains("query"));
}

#[test]
fn headers_that_cannot_be_sent_are_refused_without_echoing_the_token() {
    let message =
        config_error(Client::builder().token(SecretToken::from(format!("{TOKEN}\nInjected: yes"))));
    assert!(message.contains("bearer token"), "{message}");
    assert!(!message.contains(TOKEN), "{message}");
    assert!(
        config_error(Client::builder().user_agent("bad\r\nagent".into())).contains("user agent")
    );
}

#[test]
fn connect_timeout_conflicts_with_a_supplied_client() {
    let message = config_error(
        Client::builder()
            .http_client(reqwest_client())
            .connect_timeout(Duration::from_secs(1)),
    );
    assert!(message.contains("connect_timeout"), "{message}");
    // Either one alone is fine.
    Client::builder()
        .http_client(reqwest_client())
        .build()
        .unwrap();
    Client::builder()
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
}

fn reqwest_client() -> reqwest::Client {
    reqwest::Client::new()
}

#[test]
fn debug_output_never_contains_the_token() {
    let token = SecretToken::from(TOKEN);
    assert_eq!(format!("{token:?}"), "SecretToken(***)");
    assert_eq!(format!("{token}"), "***");
    assert_eq!(token.expose(), TOKEN);

    let builder = Client::builder().token(token.clone());
    let builder_debug = format!("{builder:?}");
    assert!(
        builder_debug.contains("SecretToken(***)"),
        "{builder_debug}"
    );
    assert!(!builder_debug.contains(TOKEN));

    let client = builder.build().unwrap();
    for debug in [format!("{client:?}"), format!("{client:#?}")] {
        assert!(debug.contains("SecretToken(***)"), "{debug}");
        assert!(!debug.contains(TOKEN), "{debug}");
    }
}
