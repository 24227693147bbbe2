//! A stable description of what a call returned, and typed drivers of the
//! three operations of `spec/assign.yaml` for the snapshot tests (the job
//! itself calls every operation through the generated dispatcher).

use std::future::Future;
use std::pin::Pin;

use autopilot_client::Client;
use autopilot_client::types::AssignRequest;
use openapi_runtime::Error;
use serde::Serialize;

/// A call's future.
pub type Call<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// How to call one operation through the typed client.
pub struct Driver {
    /// The operation's `operationId`.
    pub operation_id: &'static str,
    /// The flat method.
    pub flat: for<'a> fn(&'a Client, &'a str, &'a AssignRequest) -> Call<'a>,
    /// The fluent path.
    pub fluent: for<'a> fn(&'a Client, &'a str, &'a AssignRequest) -> Call<'a>,
}

/// One driver per operation of `spec/assign.yaml`, written against the
/// typed client, for the snapshot tests that show its exchanges. The job
/// does not use them: it reaches every operation of every spec through
/// the generated dispatcher.
pub static DRIVERS: &[Driver] = &[
    Driver {
        operation_id: "windowsAutopilotDeploymentProfiles_assign",
        flat: |c, id, body| Box::pin(c.windows_autopilot_deployment_profiles_assign(id, body)),
        fluent: |c, id, body| {
            Box::pin(
                c.device_management()
                    .windows_autopilot_deployment_profiles()
                    .by_windows_autopilot_deployment_profile_id(id)
                    .assign()
                    .post(body),
            )
        },
    },
    Driver {
        operation_id: "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        flat: |c, id, body| {
            Box::pin(c.windows_autopilot_device_identities_deployment_profile_assign(id, body))
        },
        fluent: |c, id, body| {
            Box::pin(
                c.device_management()
                    .windows_autopilot_device_identities()
                    .by_windows_autopilot_device_identity_id(id)
                    .deployment_profile()
                    .assign()
                    .post(body),
            )
        },
    },
    Driver {
        operation_id: "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
        flat: |c, id, body| {
            Box::pin(
                c.windows_autopilot_device_identities_intended_deployment_profile_assign(id, body),
            )
        },
        fluent: |c, id, body| {
            Box::pin(
                c.device_management()
                    .windows_autopilot_device_identities()
                    .by_windows_autopilot_device_identity_id(id)
                    .intended_deployment_profile()
                    .assign()
                    .post(body),
            )
        },
    },
];

/// The driver of an operation.
pub fn driver(operation_id: &str) -> Option<&'static Driver> {
    DRIVERS.iter().find(|d| d.operation_id == operation_id)
}

/// What a client call returned, in a form that snapshots and reports can
/// show: the variant, the status, Graph's code and the ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallOutcome {
    /// `Ok(())` or `Err(<Variant>)`.
    pub result: String,
    /// The HTTP status, when a response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Graph's error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph_code: Option<String>,
    /// The service's request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The error's one-line `Display`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl CallOutcome {
    /// Describes a result.
    pub fn of(result: &Result<(), Error>) -> CallOutcome {
        match result {
            Ok(()) => CallOutcome {
                result: "Ok(())".into(),
                status: None,
                graph_code: None,
                request_id: None,
                message: None,
            },
            Err(e) => CallOutcome::of_error(e),
        }
    }

    /// Describes a failed call.
    pub fn of_error(e: &Error) -> CallOutcome {
        CallOutcome {
            result: format!("Err({})", variant(e)),
            status: e.status(),
            graph_code: e.graph_code().map(str::to_string),
            request_id: e.request_id().map(str::to_string),
            message: Some(e.to_string()),
        }
    }

    /// Describes a typed result given as JSON by the dispatcher: `Ok(())`
    /// for `null`, else `Ok(<the JSON>)`.
    pub fn of_json(result: &Result<serde_json::Value, Error>) -> CallOutcome {
        match result {
            Ok(serde_json::Value::Null) => CallOutcome::of(&Ok(())),
            Ok(value) => CallOutcome {
                result: format!("Ok({value})"),
                ..CallOutcome::of(&Ok(()))
            },
            Err(e) => CallOutcome::of_error(e),
        }
    }

    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.result.starts_with("Ok(")
    }

    /// The variant name, e.g. `Graph`, `UndocumentedResponse`.
    pub fn variant(&self) -> &str {
        self.result
            .strip_prefix("Err(")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or("")
    }

    /// One line for the report.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.result.clone()];
        if let Some(status) = self.status {
            parts.push(format!("status {status}"));
        }
        if let Some(code) = &self.graph_code {
            parts.push(format!("code {code}"));
        }
        if let Some(message) = &self.message {
            parts.push(message.clone());
        }
        parts.join(", ")
    }
}

/// The error's variant name, read from its `Debug` form so that it keeps
/// working when the runtime adds variants.
pub fn variant(error: &Error) -> String {
    let debug = format!("{error:?}");
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("")
        .to_string()
}
