//! How a dry run shows the request it stopped before sending.

use autopilot_client::runtime::client::DryRunRequest;

use crate::verbose::clean;

/// The request as it would go on the wire, with the token redacted; or,
/// without a token source, a line saying there is none.
pub fn render(request: &DryRunRequest, has_token: bool) -> String {
    let auth = if has_token {
        "Bearer <redacted>".to_owned()
    } else {
        format!("Bearer <none: {}>", crate::auth::NO_TOKEN_HINT)
    };
    clean(&format!(
        "{} {}\nAuthorization: {auth}\nAccept: application/json\nContent-Type: application/json\n\n{}\n",
        request.method,
        request.url,
        String::from_utf8_lossy(request.body.as_deref().unwrap_or_default())
    ))
}
