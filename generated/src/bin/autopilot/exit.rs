//! Exit codes of the `autopilot` command, one per kind of outcome, so that
//! scripts can tell "fix your input" from "fix your token" from "try again
//! later".

use autopilot_client::runtime::Error;

/// The call succeeded (or the dry run printed the request).
pub const OK: u8 = 0;
/// The command line could not be parsed (clap's own code).
pub const USAGE: u8 = 2;
/// Bad local input, nothing sent: no token, unreadable token file, bad base
/// URL or cloud, or a request that breaks the spec.
pub const INPUT: u8 = 3;
/// The token cannot make this call: refused by permission preflight
/// (nothing sent), unusable, or answered with 401 or 403 by Graph.
pub const AUTH: u8 = 4;
/// Graph answered 404: no such profile or device identity.
pub const NOT_FOUND: u8 = 5;
/// Graph kept throttling (429) or was unavailable (503, 504) after every
/// retry; trying again later may work.
pub const THROTTLED: u8 = 6;
/// Any other Graph error: 400, 409, 500...
pub const GRAPH: u8 = 7;
/// Graph answered with something the spec does not document (e.g. a 200
/// with a body where only 204 is documented).
pub const UNDOCUMENTED: u8 = 8;
/// The network failed: connection, TLS or timeout.
pub const TRANSPORT: u8 = 9;

/// The help text's table of exit codes.
pub const HELP: &str = "\
Exit codes:
  0  success: every batch assigned (or the dry run printed the requests)
  2  command-line usage error
  3  bad local input, nothing sent (sign-in choice, token file, device list, base URL
     or host, cloud, invalid request)
  4  the token cannot make this call: preflight refused it (permission, expired, other
     cloud; nothing sent), the sign-in failed, or Graph answered 401 / 403
  5  Graph answered 404 Not Found
  6  still throttled or unavailable (429, 503, 504) after every retry
  7  any other Graph error (400, 409, 500, ...)
  8  undocumented response (e.g. 200 with a body, or 204 with a body)
  9  network failure (connect, TLS, timeout), or the --deadline passed
With several batches, the code is that of the first batch not assigned.";

/// The exit code for an error.
pub fn code_for(err: &Error) -> u8 {
    match err {
        Error::InvalidRequest { .. } | Error::Config(_) | Error::Encode(_) => INPUT,
        Error::Preflight { .. }
        | Error::Token { .. }
        | Error::Unauthorized(_)
        | Error::Forbidden(_) => AUTH,
        Error::NotFound(_) => NOT_FOUND,
        Error::Throttled(_) => THROTTLED,
        Error::Graph(_) => GRAPH,
        Error::UndocumentedResponse { .. } | Error::Decode { .. } => UNDOCUMENTED,
        Error::Transport { .. } => TRANSPORT,
        // A dry run's stop is not a failure.
        Error::DryRun(_) => OK,
        // `Error` is non-exhaustive; a future variant is at least an error
        // that came back from Graph's side of the call.
        _ => GRAPH,
    }
}
