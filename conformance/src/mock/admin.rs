//! `/_mock/...`: switch faults and read the recording over HTTP, for
//! clients that run in another process (`conformance serve`).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::faults::{Fault, Target, Times};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_mock/exchanges", get(exchanges))
        .route("/_mock/faults", put(set_fault).delete(clear_faults))
}

#[derive(Deserialize)]
struct Last {
    last: Option<usize>,
}

async fn exchanges(State(shared): State<Arc<Shared>>, Query(q): Query<Last>) -> Json<Value> {
    let mut kept = shared.recorder.exchanges();
    if let Some(n) = q.last {
        let skip = kept.len().saturating_sub(n);
        kept.drain(..skip);
    }
    Json(json!({
        "total": shared.recorder.total(),
        "capacity": shared.recorder.capacity(),
        "exchanges": kept,
    }))
}

#[derive(Deserialize)]
struct SetFault {
    scenario: String,
    operation: Option<String>,
    times: Option<u32>,
}

async fn set_fault(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<SetFault>,
) -> (StatusCode, Json<Value>) {
    let fault = match body.scenario.parse::<Fault>() {
        Ok(f) => f,
        Err(message) => return (StatusCode::BAD_REQUEST, Json(json!({"error": message}))),
    };
    let target = match &body.operation {
        Some(id) => Target::Route(id.clone()),
        None => Target::All,
    };
    let times = match body.times {
        Some(0) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "times must be at least 1 (omit it for always)"})),
            );
        }
        Some(n) => Times::Next(n),
        None => Times::Always,
    };
    shared.faults.set(target, fault, times);
    (
        StatusCode::OK,
        Json(
            json!({"scenario": fault.to_string(), "operation": body.operation, "times": body.times}),
        ),
    )
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.faults.clear();
    StatusCode::NO_CONTENT
}
