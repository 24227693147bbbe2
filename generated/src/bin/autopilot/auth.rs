//! Where the bearer token comes from: `--auth` and its flags.

use std::path::PathBuf;
use std::sync::Arc;

use autopilot_client::runtime::{SecretToken, TokenProvider};
use clap::ValueEnum;

/// The environment variable holding a ready token.
pub const TOKEN_ENV: &str = "GRAPH_TOKEN";

/// Ways to get a token.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A ready token in GRAPH_TOKEN.
    Env,
    /// A ready token in the file --token-file names.
    File,
}

/// Sign-in flags.
#[derive(clap::Args, Debug)]
pub struct AuthArgs {
    /// How to get the token (default: env when GRAPH_TOKEN is set, file
    /// when --token-file is given).
    #[arg(long, global = true, value_enum)]
    pub auth: Option<Mode>,
    /// Read the bearer token from this file (surrounding whitespace is
    /// trimmed); implies --auth file.
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// A token source, ready for the client, and what to call it.
pub struct Source {
    /// Asked for a token before every attempt.
    pub provider: Arc<dyn TokenProvider>,
}

/// What to tell someone who has no token yet.
pub const NO_TOKEN: &str = "no token: set GRAPH_TOKEN or pass --token-file PATH";

/// The short form, for the dry run's `Authorization` line.
pub const NO_TOKEN_HINT: &str = "set GRAPH_TOKEN or --token-file";

/// The token source the flags and environment choose. `Err` when there is
/// none, or it cannot be used (unreadable or empty file).
pub fn source(args: &AuthArgs) -> Result<Source, String> {
    let mode = match (args.auth, &args.token_file) {
        (Some(mode), _) => mode,
        (None, Some(_)) => Mode::File,
        (None, None) => Mode::Env,
    };
    let token = match mode {
        Mode::File => {
            let Some(path) = &args.token_file else {
                return Err("--auth file needs --token-file PATH".into());
            };
            let text = std::fs::read_to_string(path)
                .map_err(|err| format!("cannot read token file {}: {err}", path.display()))?;
            let token = text.trim();
            if token.is_empty() {
                return Err(format!("token file {} is empty", path.display()));
            }
            SecretToken::from(token.to_owned())
        }
        Mode::Env => match std::env::var(TOKEN_ENV) {
            Ok(token) if !token.trim().is_empty() => SecretToken::from(token.trim().to_owned()),
            _ => return Err(NO_TOKEN.into()),
        },
    };
    Ok(Source {
        provider: Arc::new(token),
    })
}
