//! Where the bearer token comes from: `--auth` and its flags.
//!
//! A ready token (GRAPH_TOKEN, --token-file), or a sign-in through the
//! official Azure SDK (`azure_identity`: the Azure CLI, an app
//! registration's secret, a managed identity), the device code flow
//! (`device_code.rs`) or an app registration's certificate
//! (`client_certificate.rs`). Every sign-in asks for the chosen cloud's
//! Graph scope, at the chosen cloud's sign-in authority.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use autopilot_client::runtime::azure::AzureIdentityToken;
use autopilot_client::runtime::azure::azure_core::cloud::{
    CloudConfiguration, CustomConfiguration,
};
use autopilot_client::runtime::azure::azure_core::credentials::Secret;
use autopilot_client::runtime::azure::azure_core::http::{
    ClientOptions, ExponentialRetryOptions, RetryOptions,
};
use autopilot_client::runtime::azure::azure_identity;
use autopilot_client::runtime::token::{TokenError, TokenFuture};
use autopilot_client::runtime::{Cloud, SecretToken, TokenProvider};
use clap::ValueEnum;

use crate::certificate::Certificate;
use crate::client_certificate::ClientCertificate;
use crate::device_code::DeviceCode;

/// The environment variable holding a ready token.
pub const TOKEN_ENV: &str = "GRAPH_TOKEN";

/// The Azure SDKs' variable for a sign-in authority other than the
/// cloud's own (e.g. `https://login.microsoftonline.us`).
pub const AUTHORITY_ENV: &str = "AZURE_AUTHORITY_HOST";

/// The Azure SDKs' variable for an app registration's client secret; a
/// secret is never taken on the command line, where `ps` would show it.
pub const SECRET_ENV: &str = "AZURE_CLIENT_SECRET";

/// The Azure SDKs' variable for the certificate file of an app
/// registration.
pub const CERTIFICATE_ENV: &str = "AZURE_CLIENT_CERTIFICATE_PATH";

/// How long `az account show` may take to say whether someone is signed
/// in before the Azure CLI is taken as not signed in.
const AZ_CHECK_LIMIT: Duration = Duration::from_secs(20);

/// "Microsoft Graph Command Line Tools", the public client Microsoft's
/// own `Connect-MgGraph` and `mgc login` sign in with; used for the device
/// code flow unless --client-id names another.
pub const GRAPH_CLI_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Ways to get a token.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A ready token in GRAPH_TOKEN.
    Env,
    /// A ready token in the file --token-file names.
    File,
    /// The Azure CLI's signed-in account (`az login`).
    AzureCli,
    /// An app registration: --tenant, --client-id, secret in AZURE_CLIENT_SECRET.
    ClientSecret,
    /// An app registration's certificate: --tenant, --client-id,
    /// --certificate (a PEM file with the certificate and its key).
    ClientCertificate,
    /// The managed identity of the Azure VM, App Service or Function
    /// this runs on (--client-id for a user-assigned one).
    ManagedIdentity,
    /// Sign in on another device with a code (work or school account).
    DeviceCode,
}

/// Sign-in flags.
#[derive(clap::Args, Debug)]
pub struct AuthArgs {
    /// How to get the token. Default: env when GRAPH_TOKEN is set, file
    /// with --token-file, else azure-cli when `az` is signed in.
    #[arg(long, global = true, value_enum)]
    pub auth: Option<Mode>,
    /// Read the bearer token from this file (surrounding whitespace is
    /// trimmed); implies --auth file.
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Directory (tenant) id or domain to sign in to (client-secret,
    /// client-certificate, device-code, azure-cli). Device code default:
    /// organizations.
    #[arg(long, global = true, env = "AZURE_TENANT_ID", value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Application (client) id of the app registration (client-secret,
    /// client-certificate), of a user-assigned managed identity, or of the
    /// public client for device-code (default: Microsoft Graph Command Line
    /// Tools).
    #[arg(long, global = true, env = "AZURE_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// PEM file with the app registration's certificate and its
    /// unencrypted RSA private key (client-certificate); a .pfx must be
    /// converted first (the error says how).
    #[arg(long, global = true, env = CERTIFICATE_ENV, value_name = "PATH")]
    pub certificate: Option<PathBuf>,
}

/// A token source, ready for the client.
pub struct Source {
    /// Asked for a token before every attempt.
    pub provider: Arc<dyn TokenProvider>,
}

/// The ways to a token, in words.
macro_rules! token_choices {
    () => {
        "set GRAPH_TOKEN, pass --token-file PATH, or sign in with \
         --auth azure-cli|client-secret|client-certificate|managed-identity|device-code"
    };
}

/// What to tell someone who has no token yet.
pub const NO_TOKEN: &str = concat!("no token: ", token_choices!());

/// What to tell someone whose `az` is on PATH but not signed in.
const AZ_SIGNED_OUT: &str = concat!(
    "no token: the Azure CLI (`az` on PATH) is not signed in: run `az login`, or ",
    token_choices!()
);

/// The choices, for a default sign-in that gave no token.
const NO_TOKEN_CHOICES: &str = token_choices!();

/// Why there is no token source.
#[derive(Debug)]
pub enum NoSource {
    /// Nothing chose one (the message lists the choices): a dry run
    /// goes on without a token.
    NotChosen(String),
    /// The chosen one cannot work (unreadable token file, missing
    /// secret, unusable certificate...): refused, a dry run too.
    Refused(String),
}

impl NoSource {
    /// The message for the user.
    pub fn message(self) -> String {
        match self {
            NoSource::NotChosen(m) | NoSource::Refused(m) => m,
        }
    }
}

/// The short form, for the dry run's `Authorization` line.
pub const NO_TOKEN_HINT: &str = "set GRAPH_TOKEN or --token-file, or choose --auth";

/// The mode the flags and environment choose, or why there is none.
fn mode(args: &AuthArgs) -> Result<Mode, NoSource> {
    if let Some(mode) = args.auth {
        return Ok(mode);
    }
    if args.token_file.is_some() {
        return Ok(Mode::File);
    }
    if std::env::var(TOKEN_ENV).is_ok_and(|t| !t.trim().is_empty()) {
        return Ok(Mode::Env);
    }
    if !on_path("az") {
        return Err(NoSource::NotChosen(NO_TOKEN.into()));
    }
    if az_signed_in() {
        Ok(Mode::AzureCli)
    } else {
        Err(NoSource::NotChosen(AZ_SIGNED_OUT.into()))
    }
}

/// Whether an executable `name` is in one of PATH's directories.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(name);
            candidate.is_file() || candidate.with_extension("cmd").is_file()
        })
    })
}

/// Whether the Azure CLI has a signed-in account: `az account show`
/// succeeds. It reads the CLI's local profile and asks no server, so it is
/// cheap; a CLI that does not answer within [`AZ_CHECK_LIMIT`] counts as
/// not signed in.
fn az_signed_in() -> bool {
    // `az` is a batch file on Windows, which only cmd runs.
    let mut command = if cfg!(windows) {
        let mut command = Command::new("cmd");
        command.args(["/C", "az"]);
        command
    } else {
        Command::new("az")
    };
    command
        .args(["account", "show", "--output", "none"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let give_up = Instant::now() + AZ_CHECK_LIMIT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if Instant::now() < give_up => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                // Only the child this function started.
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// The token source for `tokens` (the cloud tokens are for). Builds the
/// credential without signing in; `Err` when there is none or it cannot
/// be built (unreadable token file, missing secret...). `attempts` bounds
/// the tries of each sign-in request made through `azure_identity`, as
/// `--max-attempts` does for Graph calls.
pub fn source(args: &AuthArgs, tokens: &Cloud, attempts: u32) -> Result<Source, NoSource> {
    let mode = mode(args)?;
    if mode == Mode::Env && !std::env::var(TOKEN_ENV).is_ok_and(|t| !t.trim().is_empty()) {
        // As with no choice at all: a dry run shows the request without.
        return Err(NoSource::NotChosen(format!(
            "no token: --auth env reads it from {TOKEN_ENV}, which is not set"
        )));
    }
    build(args, mode, tokens, attempts)
        .map(|provider| Source { provider })
        .map_err(NoSource::Refused)
}

/// The provider for `mode`.
fn build(
    args: &AuthArgs,
    mode: Mode,
    tokens: &Cloud,
    attempts: u32,
) -> Result<Arc<dyn TokenProvider>, String> {
    Ok(match mode {
        Mode::Env => match std::env::var(TOKEN_ENV) {
            Ok(token) if !token.trim().is_empty() => {
                Arc::new(SecretToken::from(token.trim().to_owned()))
            }
            _ => {
                return Err(format!(
                    "--auth env reads the token from {TOKEN_ENV}, which is not set"
                ));
            }
        },
        Mode::File => {
            let Some(path) = &args.token_file else {
                return Err("--auth file needs --token-file PATH".into());
            };
            Arc::new(read_token_file(path)?)
        }
        Mode::AzureCli => {
            let options = azure_identity::AzureCliCredentialOptions {
                tenant_id: args.tenant.clone(),
                ..Default::default()
            };
            let credential = azure_identity::AzureCliCredential::new(Some(options))
                .map_err(|e| format!("cannot use the Azure CLI: {e}"))?;
            let provider = Arc::new(AzureIdentityToken::new(credential));
            if args.auth.is_some() {
                provider
            } else {
                Arc::new(ChosenForYou(provider))
            }
        }
        Mode::ClientSecret => {
            let (Some(tenant), Some(client_id)) = (&args.tenant, &args.client_id) else {
                return Err("--auth client-secret needs --tenant and --client-id (or \
                            AZURE_TENANT_ID and AZURE_CLIENT_ID)"
                    .into());
            };
            let secret = std::env::var(SECRET_ENV)
                .ok()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    format!(
                        "--auth client-secret reads the secret from {SECRET_ENV}, which is not set"
                    )
                })?;
            let options = azure_identity::ClientSecretCredentialOptions {
                client_options: client_options(tokens, attempts),
            };
            let credential = azure_identity::ClientSecretCredential::new(
                tenant,
                client_id.clone(),
                Secret::from(secret),
                Some(options),
            )
            .map_err(|e| format!("cannot use the client secret: {e}"))?;
            Arc::new(AzureIdentityToken::new(credential))
        }
        Mode::ClientCertificate => {
            let (Some(tenant), Some(client_id)) = (&args.tenant, &args.client_id) else {
                return Err(
                    "--auth client-certificate needs --tenant and --client-id (or \
                            AZURE_TENANT_ID and AZURE_CLIENT_ID)"
                        .into(),
                );
            };
            let Some(path) = &args.certificate else {
                return Err(format!(
                    "--auth client-certificate needs --certificate PATH (or {CERTIFICATE_ENV}): \
                     a PEM file with the app's certificate and its private key"
                ));
            };
            Arc::new(ClientCertificate::new(
                Certificate::load(path)?,
                &authority(tokens)?,
                tenant,
                client_id.clone(),
            ))
        }
        Mode::ManagedIdentity => {
            let options = azure_identity::ManagedIdentityCredentialOptions {
                user_assigned_id: args
                    .client_id
                    .clone()
                    .map(azure_identity::UserAssignedId::ClientId),
                // Its own retries: the managed identity endpoints have
                // their own guidance, which azure_identity follows.
                ..Default::default()
            };
            let credential = azure_identity::ManagedIdentityCredential::new(Some(options))
                .map_err(|e| format!("cannot use a managed identity: {e}"))?;
            Arc::new(AzureIdentityToken::new(credential))
        }
        Mode::DeviceCode => Arc::new(DeviceCode::new(
            authority(tokens)?,
            args.tenant
                .clone()
                .unwrap_or_else(|| "organizations".into()),
            args.client_id
                .clone()
                .unwrap_or_else(|| GRAPH_CLI_CLIENT_ID.into()),
        )),
    })
}

/// The Azure CLI taken by default because `az` is signed in: when it
/// still gives no token (e.g. the sign-in expired, or not for --tenant),
/// the error also says why it was asked and what else there is.
#[derive(Debug)]
struct ChosenForYou(Arc<dyn TokenProvider>);

impl TokenProvider for ChosenForYou {
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(async move {
            self.0.token(scopes).await.map_err(|err| {
                TokenError::new(format!(
                    "{err}\n(the Azure CLI was tried because `az` is signed in and no token was \
                     given: run `az login` again, or choose another way: {NO_TOKEN_CHOICES})"
                ))
            })
        })
    }
}

fn read_token_file(path: &Path) -> Result<SecretToken, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read token file {}: {err}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("token file {} is empty", path.display()));
    }
    Ok(SecretToken::from(token.to_owned()))
}

/// The sign-in authority of a cloud, by the spec's `x-cloud` name: Entra
/// ID's global, US Government (both L4 and DoD sign in there) or China
/// (21Vianet) endpoint. `AZURE_AUTHORITY_HOST` overrides it.
pub fn authority(tokens: &Cloud) -> Result<String, String> {
    if let Ok(host) = std::env::var(AUTHORITY_ENV)
        && !host.trim().is_empty()
    {
        // http only for a loopback test server, as for --base-url.
        Cloud::custom(&host).map_err(|e| format!("{AUTHORITY_ENV}: {e}"))?;
        return Ok(host.trim().trim_end_matches('/').to_owned());
    }
    Ok(match tokens.name() {
        Some("usgov" | "usgov-dod") => "https://login.microsoftonline.us",
        Some("china") => "https://login.chinacloudapi.cn",
        _ => "https://login.microsoftonline.com",
    }
    .to_owned())
}

/// `azure_identity` options that sign in at the chosen cloud's authority,
/// trying each request at most `attempts` times (its own default is 9
/// tries over up to a minute; `--max-attempts 1` means no retry here too).
fn client_options(tokens: &Cloud, attempts: u32) -> ClientOptions {
    let cloud = match (std::env::var(AUTHORITY_ENV), tokens.name()) {
        (Ok(host), _) if !host.trim().is_empty() => {
            let mut custom = CustomConfiguration::default();
            custom.authority_host = host.trim().to_owned();
            CloudConfiguration::Custom(custom)
        }
        (_, Some("usgov" | "usgov-dod")) => CloudConfiguration::AzureGovernment,
        (_, Some("china")) => CloudConfiguration::AzureChina,
        _ => CloudConfiguration::AzurePublic,
    };
    ClientOptions {
        cloud: Some(Arc::new(cloud)),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            max_retries: attempts.saturating_sub(1),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use autopilot_client::SERVERS;

    use super::*;

    #[test]
    fn each_cloud_signs_in_at_its_own_authority() {
        // Skip when the developer's environment overrides it.
        if std::env::var_os(AUTHORITY_ENV).is_some() {
            return;
        }
        for (name, expected) in [
            ("global", "https://login.microsoftonline.com"),
            ("usgov", "https://login.microsoftonline.us"),
            ("usgov-dod", "https://login.microsoftonline.us"),
            ("china", "https://login.chinacloudapi.cn"),
        ] {
            let cloud = Cloud::named(SERVERS, name).unwrap();
            assert_eq!(authority(&cloud).unwrap(), expected, "{name}");
        }
    }
}
