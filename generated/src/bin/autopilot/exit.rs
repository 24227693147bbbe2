//! Exit codes of the `autopilot` command, one per kind of outcome, so that
//! scripts can tell "fix your input" from "try again later".

use std::process::ExitCode;

use autopilot_client::runtime::Error;

/// The call succeeded (or the dry run printed the request).
pub const OK: u8 = 0;
/// The command line could not be parsed (clap's own code).
pub const USAGE: u8 = 2;
/// Bad local input: no token, unreadable token file, bad base URL, or a
/// request that breaks the spec. Nothing was sent.
pub const INPUT: u8 = 3;
/// Graph refused the request with a 4xx (bad request, unauthorised,
/// forbidden, not found...).
pub const REFUSED: u8 = 4;
/// Graph failed or throttled: 429 or 5xx. Trying again later may work.
pub const SERVICE: u8 = 5;
/// The network failed: connection, TLS or timeout.
pub const TRANSPORT: u8 = 6;
/// Graph answered with something the spec does not document (e.g. a 200
/// with a body where only 204 is documented).
pub const UNDOCUMENTED: u8 = 7;

/// The help text's table of exit codes.
pub const HELP: &str = "\
Exit codes:
  0  success (or dry run printed)
  2  command-line usage error
  3  bad local input, nothing sent (token, token file, base URL, invalid request)
  4  Graph refused the request (4xx other than 429)
  5  Graph throttled or failed (429, 5xx)
  6  network failure (connect, TLS, timeout)
  7  undocumented response (e.g. 200 with a body, or 204 with a body)";

/// The exit code for an error.
pub fn for_error(err: &Error) -> ExitCode {
    let code = match err {
        Error::InvalidRequest { .. } | Error::Config(_) | Error::Encode(_) => INPUT,
        Error::UndocumentedResponse { .. } | Error::Decode { .. } => UNDOCUMENTED,
        Error::Transport { .. } => TRANSPORT,
        other => match other.status() {
            Some(429) => SERVICE,
            Some(s) if s >= 500 => SERVICE,
            Some(_) => REFUSED,
            None => SERVICE,
        },
    };
    ExitCode::from(code)
}
