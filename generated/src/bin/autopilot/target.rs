//! Which of the three assign routes a subcommand drives, through the
//! generated client's own methods (dry run included, so the two cannot
//! disagree on what is sendable).

use autopilot_client::runtime::{self, Route};
use autopilot_client::{Client, routes, types::AssignRequest};

/// One of the three routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `windowsAutopilotDeploymentProfiles/{id}/assign`
    Profile,
    /// `windowsAutopilotDeviceIdentities/{id}/deploymentProfile/assign`
    DeviceProfile,
    /// `windowsAutopilotDeviceIdentities/{id}/intendedDeploymentProfile/assign`
    IntendedProfile,
}

impl Target {
    /// The route table entry.
    pub fn route(self) -> &'static Route {
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

    /// One assign call: the generated method for the route.
    pub async fn call(
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
