//! `autopilot`: assign a Windows Autopilot deployment profile to devices
//! from the command line, through the generated client.

mod args;
mod auth;
mod batch;
mod certificate;
mod client_certificate;
mod device_code;
mod devices;
mod dry_run;
mod entra;
mod exit;
mod place;
mod report;
mod target;
mod verbose;
mod watch;

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use autopilot_client::Client;
use autopilot_client::runtime::{self, RetryPolicy};
use clap::{CommandFactory as _, Parser as _};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use args::{Assign, Cli, Command, Devices, Output};
use target::Target;

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
    match cli.command {
        Command::Assign(assign) => {
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
            match assign_run(&cli.global, target, &id, devices) {
                Ok(code) => ExitCode::from(code),
                Err(message) => {
                    eprintln!("autopilot: {}", verbose::clean(&message));
                    ExitCode::from(exit::INPUT)
                }
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "autopilot",
                &mut std::io::stdout(),
            );
            ExitCode::from(exit::OK)
        }
        Command::Man => {
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::from(exit::OK),
                Err(err) => {
                    eprintln!("autopilot: cannot write the man page: {err}");
                    ExitCode::from(exit::INPUT)
                }
            }
        }
    }
}

/// The device ids the flags name, with notes (dropped duplicates) printed.
fn device_ids(devices: &Devices) -> Result<Vec<String>, String> {
    let file = match &devices.source.devices_file {
        None => None,
        Some(path) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|err| format!("cannot read device ids from standard input: {err}"))?;
            Some(("standard input".to_owned(), bytes))
        }
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|err| format!("cannot read device ids from {}: {err}", path.display()))?;
            Some((path.display().to_string(), bytes))
        }
    };
    let options = devices::Options {
        column: devices.column.clone(),
        allow_non_guid: devices.allow_non_guid,
    };
    let list = devices::collect(
        &devices.source.device,
        file.as_ref()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
        &options,
    )?;
    for note in &list.notes {
        eprintln!("autopilot: note: {}", verbose::clean(note));
    }
    Ok(list.ids)
}

/// One `assign` run: `Err` for bad local input found before any call.
fn assign_run(
    global: &args::Global,
    target: Target,
    id: &str,
    devices: Devices,
) -> Result<u8, String> {
    let ids = device_ids(&devices)?;
    let place = place::choose(
        global.base_url.as_deref(),
        global.cloud.as_deref(),
        &global.allow_host,
    )?;
    // A dry run needs no token and signs no one in; it only says whether
    // there would be one.
    let token = auth::source(&global.auth, &place.tokens, global.max_attempts);
    let progress = progress_bar(global, ids.len());
    let watch = Arc::new(watch::Watch::new(global.verbose, progress.clone()));
    let mut builder = runtime::Client::builder()
        .cloud(&place.service)
        .token_cloud(&place.tokens)
        .user_agent(format!(
            "autopilot/{} {}",
            env!("CARGO_PKG_VERSION"),
            runtime::client::DEFAULT_USER_AGENT
        ))
        .timeout(Duration::from_secs(global.timeout))
        .retry(
            RetryPolicy::default()
                .max_attempts(global.max_attempts)
                .max_total_wait(Duration::from_secs(global.max_total_wait))
                // Assigning the same profile to the same devices again
                // changes nothing, so a timeout or a dropped connection is
                // safe to retry.
                .idempotent(true),
        )
        // Assign answers 204; anything long is a misbehaving server.
        .max_success_body(runtime::client::MAX_ERROR_BODY)
        .permission_preflight(!global.no_preflight)
        .observer(watch.clone())
        // A dry run takes the real call's path and stops at the network,
        // so it refuses exactly what a real call refuses.
        .dry_run(global.dry_run);
    let has_token = token.is_ok();
    match token {
        Ok(source) => builder = builder.shared_token_provider(source.provider),
        // A dry run needs no token, but a sign-in chosen that cannot work
        // (unreadable token file, missing secret, unusable certificate)
        // is refused as the real call refuses it.
        Err(auth::NoSource::NotChosen(_)) if global.dry_run => {}
        Err(missing) => return Err(missing.message()),
    }
    let client = Client::new(builder.build().map_err(|e| e.to_string())?);
    let executor = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let run = batch::Run {
        client: &client,
        target,
        id,
        watch: &watch,
        progress: progress.as_ref(),
        deadline: global.deadline.map(Duration::from_secs),
    };
    let outcomes = executor.block_on(run.all(&ids, devices.batch_size));
    if let Some(progress) = &progress {
        progress.finish_and_clear();
    }
    let code = batch::exit_code(&outcomes);
    let route = target.route();
    match global.output {
        Output::Json if !global.dry_run => {
            println!("{:#}", report::json(route, id, &outcomes, code));
        }
        _ => {
            let (out, err) = report::text(route, id, &outcomes, has_token);
            print!("{out}");
            eprint!("{err}");
        }
    }
    Ok(code)
}

/// A progress bar over the device count, on an interactive stderr only,
/// and never with --verbose, whose lines it would garble.
fn progress_bar(global: &args::Global, devices: usize) -> Option<ProgressBar> {
    if global.verbose || global.dry_run || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(devices as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} devices {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    // Ticks through throttling waits, so a long wait still looks alive.
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
