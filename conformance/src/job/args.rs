//! The generic arguments of the job's calls, made from each operation's
//! parameter and body schemas (see [`crate::synth`]): nothing here knows
//! any operation.

use graph_runtime::dispatch::DispatchArgs;
use serde_json::{Value, json};

use super::AWKWARD_ID;
use crate::oracle::spec::is_json;
use crate::oracle::{Oracle, SpecOperation};
use crate::synth;

/// Which path ids to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// `conformance-1`, `conformance-2`, ... where the schema admits them.
    Plain,
    /// [`AWKWARD_ID`] where the schema admits it.
    Awkward,
}

/// The arguments of a valid call of `op`: every path, query and header
/// parameter (optional ones too, so that they are exercised) and the body
/// (the spec's example when it has one). An error names what no
/// valid value could be made for.
pub fn arguments(oracle: &Oracle, op: &SpecOperation, ids: Ids) -> Result<DispatchArgs, String> {
    let mut args = DispatchArgs::new();
    let mut problems = Vec::new();
    let any = json!({});
    for (i, param) in op.parameters.iter().enumerate() {
        let schema = param.schema.as_ref().unwrap_or(&any);
        match param.location.as_str() {
            "path" => {
                let preferred = match ids {
                    Ids::Plain => json!(format!("conformance-{}", i + 1)),
                    Ids::Awkward => json!(AWKWARD_ID),
                };
                match synth::value_preferring(oracle, schema, &param.name, &[preferred]) {
                    Ok(v) => args = args.path(param.name.clone(), synth::text(&v)),
                    Err(e) => problems.push(e),
                }
            }
            "query" | "header" => match synth::value(oracle, schema, &param.name) {
                Ok(v) => args = args.param(param.name.clone(), v),
                Err(e) => problems.push(e),
            },
            // Cookies are not sent by the generated clients (yet); a
            // required one fails the call, which the report shows.
            _ => {}
        }
    }
    if let Some((media, schema)) = json_body(op) {
        // The spec's example as it is, valid or not: the job reports
        // whether it validates, and a spec that drifted from the client
        // shows in the oracle's verdict on what the client sent.
        let body = match example(op) {
            Some(example) => Ok(example),
            None => synth::value(oracle, &schema, &format!("{} body", op.operation_id)),
        };
        match body {
            Ok(body) => args = args.body(body),
            Err(e) => problems.push(format!("{media} body: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(args)
    } else {
        Err(problems.join("; "))
    }
}

/// The JSON media type and schema of the request body, when there is one.
pub fn json_body(op: &SpecOperation) -> Option<(String, Value)> {
    op.request_body.as_ref()?.content.iter().find_map(|m| {
        is_json(&m.media_type).then(|| {
            (
                m.media_type.clone(),
                m.schema.clone().unwrap_or_else(|| json!({})),
            )
        })
    })
}

/// The spec's example of the request body, when it gives one.
pub fn example(op: &SpecOperation) -> Option<Value> {
    op.request_body
        .as_ref()?
        .content
        .iter()
        .find_map(|m| m.example.clone())
}
