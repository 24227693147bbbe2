//! The command line: subcommands and flags, as clap parses them.

use std::path::PathBuf;

use autopilot_client::SERVERS;
use autopilot_client::runtime;
use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand, ValueEnum};

use crate::exit;

/// Assign Windows Autopilot deployment profiles through Microsoft Graph (beta).
///
/// The bearer token comes from the GRAPH_TOKEN environment variable, from
/// --token-file, or from a sign-in (--auth); it is never printed, not even
/// with --verbose. Throttled requests (429, 503, 504) and failed
/// connections are retried as Retry-After says, else with exponential
/// backoff.
#[derive(Parser, Debug)]
#[command(name = "autopilot", version, after_help = exit::HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

/// How the outcome is printed on standard output.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Output {
    /// One line per batch, naming its request id.
    #[default]
    Text,
    /// One JSON document with every batch: ids, outcome, request ids.
    Json,
}

/// Flags every subcommand takes, before or after it.
#[derive(clap::Args, Debug)]
pub struct Global {
    /// Service root including the version segment. Its host must be one of
    /// the spec's clouds, a loopback host (plain http:// is only accepted
    /// there) or a host named by --allow-host.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Send to this --base-url host although it is not one of the spec's
    /// clouds (e.g. a proxy in front of Graph); repeat for more.
    #[arg(long, global = true, value_name = "HOST")]
    pub allow_host: Vec<String>,
    /// National cloud, by the name the spec's servers give it (x-cloud):
    /// where requests go (unless --base-url says otherwise), where to sign
    /// in, and what tokens must be issued for; default: the spec's first
    /// server.
    #[arg(long, global = true, env = "GRAPH_CLOUD", value_parser = PossibleValuesParser::new(cloud_names()))]
    pub cloud: Option<String>,
    #[command(flatten)]
    pub auth: crate::auth::AuthArgs,
    /// Print the exact request(s) that would be sent (token redacted) and
    /// send nothing; refuses what a real call would refuse.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Show every request and response on stderr, retries included (the
    /// token is shown as <redacted>).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Standard output: text (one line per batch) or json (one document).
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Attempts in all, the first included, while Graph throttles (429,
    /// 503, 504) or a connection fails; 1 turns retries off.
    #[arg(long, global = true, value_name = "N", default_value_t = runtime::retry::DEFAULT_MAX_ATTEMPTS, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,
    /// Longest total time to spend waiting between retries, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = runtime::retry::DEFAULT_MAX_TOTAL_WAIT.as_secs())]
    pub max_total_wait: u64,
    /// Limit for each request, in seconds (at least 1).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = runtime::client::DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Limit for the whole run, every batch and wait included, in seconds;
    /// batches not finished by then are reported as not done.
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline: Option<u64>,
    /// Send even when the token's claims show it cannot make the call
    /// (permission, expiry or audience preflight off).
    #[arg(long, global = true)]
    pub no_preflight: bool,
}

/// The cloud names the spec's servers declare.
fn cloud_names() -> Vec<&'static str> {
    SERVERS.iter().filter_map(|s| s.cloud).collect()
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Assign a deployment profile to devices.
    #[command(subcommand)]
    Assign(Assign),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output.
    Man,
}

/// The three assign routes.
#[derive(Subcommand, Debug)]
pub enum Assign {
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

/// The default `--batch-size`; see the README's "Batching" section.
///
/// Graph documents no limit on `deviceIds` for this action (nor could we
/// find one it enforces), so this is a choice, not a limit: 100 GUIDs make
/// a body of about 4 KB, a rejected batch (one bad id fails its whole
/// call) names at most 100 devices to look at, and 10,000 devices still
/// take only 100 calls, far below the Intune write throttling that makes
/// large runs wait.
pub const DEFAULT_BATCH_SIZE: usize = 100;

/// Where the device ids come from, and how they are sent.
#[derive(clap::Args, Debug)]
pub struct Devices {
    #[command(flatten)]
    pub source: DeviceSource,
    /// The CSV column holding the device ids (default: the column named
    /// like an id, e.g. "Id" or "Azure AD Device ID").
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// Send device ids that are not GUIDs.
    #[arg(long)]
    pub allow_non_guid: bool,
    /// Devices per assign call; more devices are split into several calls.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH_SIZE, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub batch_size: usize,
}

/// `--device` and `--devices-file`: at least one of them.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = true)]
pub struct DeviceSource {
    /// A device id to assign the profile to; commas separate several;
    /// repeat for more.
    #[arg(long = "device", value_name = "ID")]
    pub device: Vec<String>,
    /// Read device ids from this file ("-" reads standard input): one per
    /// line, or a CSV with a header row. UTF-8 (with or without a BOM) or
    /// UTF-16 with a BOM. Blank lines and lines starting with # are
    /// skipped; the ids follow any given with --device.
    #[arg(long, value_name = "PATH")]
    pub devices_file: Option<PathBuf>,
}
