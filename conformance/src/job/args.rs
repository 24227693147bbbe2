//! The generic arguments of the job's calls, made from each operation's
//! parameter and body schemas (see [`crate::synth`]): nothing here knows
//! any operation.

use openapi_runtime::dispatch::DispatchArgs;
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

/// `--id [OPERATION:]PARAM=VALUE`: the value of a path parameter in every
/// call of one operation (or of every operation that has the parameter),
/// instead of a made-up id. Against a real service the ids must name
/// things that exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenId {
    /// The operationId it is for; `None`: every operation.
    pub operation: Option<String>,
    /// The path parameter's name.
    pub param: String,
    /// Its value, as it is (the client encodes it).
    pub value: String,
}

impl std::str::FromStr for GivenId {
    type Err = String;

    fn from_str(text: &str) -> Result<GivenId, String> {
        let usage = || {
            format!(
                "{text:?}: expected PARAM=VALUE or OPERATION:PARAM=VALUE, e.g. \
                 windowsAutopilotDeploymentProfileId=6f1c…"
            )
        };
        let (key, value) = text.split_once('=').ok_or_else(usage)?;
        let (operation, param) = match key.split_once(':') {
            Some((operation, param)) => (Some(operation.trim()), param.trim()),
            None => (None, key.trim()),
        };
        if param.is_empty() || value.is_empty() || operation.is_some_and(str::is_empty) {
            return Err(usage());
        }
        Ok(GivenId {
            operation: operation.map(str::to_string),
            param: param.to_string(),
            value: value.to_string(),
        })
    }
}

impl std::fmt::Display for GivenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.operation {
            Some(operation) => write!(f, "{operation}:{}={}", self.param, self.value),
            None => write!(f, "{}={}", self.param, self.value),
        }
    }
}

/// The value given for `param` of `operation`: one given for the operation
/// wins over one given for every operation.
pub fn given<'a>(given: &'a [GivenId], operation: &str, param: &str) -> Option<&'a str> {
    let for_param = |g: &&GivenId| g.param == param;
    given
        .iter()
        .filter(for_param)
        .find(|g| g.operation.as_deref() == Some(operation))
        .or_else(|| {
            given
                .iter()
                .filter(for_param)
                .find(|g| g.operation.is_none())
        })
        .map(|g| g.value.as_str())
}

/// The `--id` values that name no path parameter of their operation (or of
/// any operation), each with why: a typo would otherwise send made-up ids.
pub fn unused_ids(given: &[GivenId], operations: &[&SpecOperation]) -> Vec<String> {
    given
        .iter()
        .filter(|g| {
            !operations.iter().any(|op| {
                g.operation.as_deref().is_none_or(|o| o == op.operation_id)
                    && op.path_params().any(|p| p.name == g.param)
            })
        })
        .map(|g| match &g.operation {
            Some(operation) => format!(
                "--id {g}: `{operation}` has no path parameter `{}`",
                g.param
            ),
            None => format!("--id {g}: no operation has a path parameter `{}`", g.param),
        })
        .collect()
}

/// The arguments of a valid call of `op`: every path, query and header
/// parameter (optional ones too, so that they are exercised) and the body
/// (the spec's example when it has one); path parameters named by `--id`
/// take the value given. An error names what no valid value could be made
/// for.
pub fn arguments(
    oracle: &Oracle,
    op: &SpecOperation,
    ids: Ids,
    given_ids: &[GivenId],
) -> Result<DispatchArgs, String> {
    let mut args = DispatchArgs::new();
    let mut problems = Vec::new();
    let any = json!({});
    for (i, param) in op.parameters.iter().enumerate() {
        let schema = param.schema.as_ref().unwrap_or(&any);
        match param.location.as_str() {
            "path" => {
                if let Some(value) = given(given_ids, &op.operation_id, &param.name) {
                    args = args.path(param.name.clone(), value);
                    continue;
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_ids_parse_and_the_operation_specific_one_wins() {
        let all: GivenId = "id=a".parse().unwrap();
        let one: GivenId = "op2:id=b=c".parse().unwrap();
        assert_eq!(one.value, "b=c");
        assert_eq!(one.to_string(), "op2:id=b=c");
        let list = [all, one];
        assert_eq!(given(&list, "op1", "id"), Some("a"));
        assert_eq!(given(&list, "op2", "id"), Some("b=c"));
        assert_eq!(given(&list, "op2", "other"), None);
        for bad in ["", "id", "=x", "id=", ":id=x", "op:=x"] {
            assert!(bad.parse::<GivenId>().is_err(), "{bad:?}");
        }
    }
}
