//! `autopilot`: assign a Windows Autopilot deployment profile to devices
//! from the command line, through the generated client.

mod exit;
mod verbose;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use autopilot_client::runtime::{self, Cloud, RetryPolicy, Route, SecretToken};
use autopilot_client::{Client, SERVERS, routes, types::AssignRequest, validate};
use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};

/// Assign Windows Autopilot deployment profiles through Microsoft Graph (beta).
///
/// The bearer token comes from the GRAPH_TOKEN environment variable or from
/// --token-file; it is never printed, not even with --verbose. Throttled
/// requests (429, 503, 504) are retried as Retry-After says, else with
/// exponential backoff.
#[derive(Parser, Debug)]
#[command(name = "autopilot", version, after_help = exit::HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: Global,
}

#[derive(clap::Args, Debug)]
struct Global {
    /// Service root including the version segment. Plain http:// is only
    /// accepted for loopback hosts.
    #[arg(long, global = true, value_name = "URL", conflicts_with = "cloud")]
    base_url: Option<String>,
    /// National cloud whose service root to use, by the name the spec's
    /// servers give it (x-cloud); default: the spec's first server.
    #[arg(long, global = true, value_parser = PossibleValuesParser::new(cloud_names()))]
    cloud: Option<String>,
    /// Read the bearer token from this file (surrounding whitespace is
    /// trimmed) instead of GRAPH_TOKEN.
    #[arg(long, global = true, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Print the exact request that would be sent (token redacted) and send
    /// nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Show every request and response on stderr, retries included (the
    /// token is shown as <redacted>).
    #[arg(long, short, global = true)]
    verbose: bool,
    /// Attempts in all, the first included, while Graph throttles (429,
    /// 503, 504); 1 turns retries off.
    #[arg(long, global = true, value_name = "N", default_value_t = runtime::retry::DEFAULT_MAX_ATTEMPTS)]
    max_attempts: u32,
    /// Longest total time to spend waiting between retries, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = runtime::retry::DEFAULT_MAX_TOTAL_WAIT.as_secs())]
    max_total_wait: u64,
    /// Limit for each request, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = runtime::client::DEFAULT_TIMEOUT.as_secs())]
    timeout: u64,
    /// Send even when the token's claims do not show the permissions the
    /// operation needs (permission preflight off).
    #[arg(long, global = true)]
    no_preflight: bool,
}

/// The cloud names the spec's servers declare.
fn cloud_names() -> Vec<&'static str> {
    SERVERS.iter().filter_map(|s| s.cloud).collect()
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Assign a deployment profile to devices.
    #[command(subcommand)]
    Assign(Assign),
}

#[derive(Subcommand, Debug)]
enum Assign {
    /// POST /deviceManagement/windowsAutopilotDeploymentProfiles/{id}/assign
    Profile {
        /// The deployment profile's id.
        profile_id: String,
        #[command(flatten)]
        devices: Devices,
    },
    /// POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/deploymentProfile/assign
    DeviceProfile {
        /// The device identity's id.
        device_identity_id: String,
        #[command(flatten)]
        devices: Devices,
    },
    /// POST /deviceManagement/windowsAutopilotDeviceIdentities/{id}/intendedDeploymentProfile/assign
    IntendedProfile {
        /// The device identity's id.
        device_identity_id: String,
        #[command(flatten)]
        devices: Devices,
    },
}

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = true)]
struct Devices {
    /// A device id to assign the profile to; repeat for more.
    #[arg(long = "device", value_name = "ID")]
    device: Vec<String>,
    /// Read device ids from this file, one per line ("-" reads standard
    /// input). Blank lines and lines starting with # are skipped; the ids
    /// follow any given with --device.
    #[arg(long, value_name = "PATH")]
    devices_file: Option<PathBuf>,
}

impl Devices {
    /// The ids of `--device`, then those of `--devices-file`.
    fn collect(self) -> Result<Vec<String>, String> {
        let mut ids = self.device;
        let Some(path) = self.devices_file else {
            return Ok(ids);
        };
        let (name, text) = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|err| format!("cannot read device ids from standard input: {err}"))?;
            ("standard input".to_string(), text)
        } else {
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("cannot read device ids from {}: {err}", path.display()))?;
            (path.display().to_string(), text)
        };
        let from_file = device_ids(&name, &text)?;
        if from_file.is_empty() {
            return Err(format!(
                "{name} holds no device ids (blank lines and # comments are skipped)"
            ));
        }
        ids.extend(from_file);
        Ok(ids)
    }
}

/// The device ids of a list `text` read from `name`: one per line,
/// trimmed; blank lines and `#` comments skipped. A line with whitespace
/// inside is refused with its line number, since it is most likely
/// several ids run together, which Graph would take as one unknown id.
fn device_ids(name: &str, text: &str) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let id = line.trim();
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        if id.contains(char::is_whitespace) {
            return Err(format!(
                "{name}:{}: `{id}` holds whitespace; put one device id per line",
                index + 1
            ));
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

/// The token, or why there is none.
fn read_token(global: &Global) -> Result<SecretToken, String> {
    if let Some(path) = &global.token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read token file {}: {err}", path.display()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("token file {} is empty", path.display()));
        }
        return Ok(SecretToken::from(token.to_string()));
    }
    match std::env::var("GRAPH_TOKEN") {
        Ok(token) if !token.trim().is_empty() => Ok(SecretToken::from(token.trim().to_string())),
        _ => Err("no token: set GRAPH_TOKEN or pass --token-file PATH".into()),
    }
}

/// The cloud to call: `--base-url`, else `--cloud`, else the spec's first
/// server.
fn cloud(global: &Global) -> Result<Cloud, runtime::Error> {
    if let Some(url) = &global.base_url {
        return Cloud::custom(url);
    }
    match (&global.cloud, SERVERS.first()) {
        (Some(name), _) => Cloud::named(SERVERS, name),
        (None, Some(first)) => Cloud::from_server(first),
        (None, None) => Err(runtime::Error::Config(
            "the spec lists no servers; pass --base-url".into(),
        )),
    }
}

/// The request as it would go on the wire, with the token redacted.
fn render_dry_run(base: &str, route: &Route, id: &str, body: &[u8], has_token: bool) -> String {
    let auth = if has_token {
        "Bearer <redacted>"
    } else {
        "Bearer <none: set GRAPH_TOKEN or --token-file>"
    };
    format!(
        "{} {}{}\nAuthorization: {auth}\nAccept: application/json\nContent-Type: application/json\n\n{}\n",
        route.method,
        base.trim_end_matches('/'),
        route.render_path(&[id]),
        String::from_utf8_lossy(body)
    )
}

/// Which of the three routes a subcommand drives.
#[derive(Clone, Copy)]
enum Target {
    Profile,
    DeviceProfile,
    IntendedProfile,
}

impl Target {
    fn route(self) -> &'static Route {
        match self {
            Target::Profile => &routes::WINDOWS_AUTOPILOT_DEPLOYMENT_PROFILES_ASSIGN,
            Target::DeviceProfile => {
                &routes::WINDOWS_AUTOPILOT_DEVICE_IDENTITIES_DEPLOYMENT_PROFILE_ASSIGN
            }
            Target::IntendedProfile => {
                &routes::WINDOWS_AUTOPILOT_DEVICE_IDENTITIES_INTENDED_DEPLOYMENT_PROFILE_ASSIGN
            }
        }
    }

    /// The check the client method runs before sending (see the
    /// generated `validate::encoded`): the body bytes it would send, or
    /// the error the call would fail with.
    fn checked_body(self, id: &str, body: &AssignRequest) -> Result<Vec<u8>, runtime::Error> {
        let checked = match self {
            Target::Profile => {
                validate::encoded::windows_autopilot_deployment_profiles_assign(id, body)
            }
            Target::DeviceProfile => {
                validate::encoded::windows_autopilot_device_identities_deployment_profile_assign(
                    id, body,
                )
            }
            Target::IntendedProfile => {
                validate::encoded::windows_autopilot_device_identities_intended_deployment_profile_assign(
                    id, body,
                )
            }
        };
        checked.map_err(|violations| runtime::Error::InvalidRequest {
            operation_id: self.route().operation_id,
            violations,
        })
    }

    async fn call(
        self,
        client: &Client,
        id: &str,
        body: &AssignRequest,
    ) -> Result<(), runtime::Error> {
        match self {
            Target::Profile => {
                client
                    .windows_autopilot_deployment_profiles_assign(id, body)
                    .await
            }
            Target::DeviceProfile => {
                client
                    .windows_autopilot_device_identities_deployment_profile_assign(id, body)
                    .await
            }
            Target::IntendedProfile => {
                client
                    .windows_autopilot_device_identities_intended_deployment_profile_assign(
                        id, body,
                    )
                    .await
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are "errors" to clap that exit 0.
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let Command::Assign(assign) = cli.command;
    let (target, id, devices) = match assign {
        Assign::Profile {
            profile_id,
            devices,
        } => (Target::Profile, profile_id, devices),
        Assign::DeviceProfile {
            device_identity_id,
            devices,
        } => (Target::DeviceProfile, device_identity_id, devices),
        Assign::IntendedProfile {
            device_identity_id,
            devices,
        } => (Target::IntendedProfile, device_identity_id, devices),
    };
    let route = target.route();
    let fail = |message: String| {
        eprintln!("autopilot: {message}");
        ExitCode::from(exit::INPUT)
    };
    let body = match devices.collect() {
        Ok(device_ids) => AssignRequest { device_ids },
        Err(message) => return fail(message),
    };
    let cloud = match cloud(&cli.global) {
        Ok(cloud) => cloud,
        Err(err) => return fail(err.to_string()),
    };
    let token = read_token(&cli.global);
    // Validate the service root the same way a real call would, even for
    // a dry run, so a dry run never shows a request that could not be sent.
    let global = &cli.global;
    let mut builder = runtime::Client::builder()
        .cloud(&cloud)
        .user_agent(format!(
            "autopilot/{} {}",
            env!("CARGO_PKG_VERSION"),
            runtime::client::DEFAULT_USER_AGENT
        ))
        .timeout(Duration::from_secs(global.timeout))
        .retry(
            RetryPolicy::default()
                .max_attempts(global.max_attempts)
                .max_total_wait(Duration::from_secs(global.max_total_wait)),
        )
        .permission_preflight(!global.no_preflight);
    if global.verbose {
        builder = builder.observer(Arc::new(verbose::Verbose));
    }
    if let Ok(token) = &token {
        builder = builder.token(token.clone());
    }
    let runtime_client = match builder.build() {
        Ok(client) => client,
        Err(err) => return fail(err.to_string()),
    };

    if cli.global.dry_run {
        // The spec check a real call runs first; what it judged is what
        // a real call would send.
        let bytes = match target.checked_body(&id, &body) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("autopilot: {err}");
                return exit::for_error(&err);
            }
        };
        print!(
            "{}",
            render_dry_run(runtime_client.base_url(), route, &id, &bytes, token.is_ok())
        );
        return ExitCode::from(exit::OK);
    }
    if let Err(message) = token {
        return fail(message);
    }

    let client = Client::new(runtime_client);
    let executor = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(executor) => executor,
        Err(err) => return fail(format!("cannot start the async runtime: {err}")),
    };
    match executor.block_on(target.call(&client, &id, &body)) {
        Ok(()) => {
            println!(
                "assigned: {} {} ({} device(s))",
                route.method,
                route.render_path(&[&id]),
                body.device_ids.len()
            );
            ExitCode::from(exit::OK)
        }
        Err(err) => {
            eprintln!("autopilot: {err}");
            exit::for_error(&err)
        }
    }
}
