//! What the mock answers a valid request with: each operation's first
//! documented success, with a body made from its schema when it has one
//! (see [`crate::synth`]), so that an operation returning JSON gets JSON
//! its client can decode and the oracle can judge.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::respond::{Answer, Stamp};
use crate::oracle::{Oracle, SpecOperation};

/// One operation's success answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// The documented status (`2XX` is answered as `200`).
    pub status: u16,
    /// The body's media type and bytes, when the response has a body.
    pub body: Option<(String, Vec<u8>)>,
}

/// Success answers by operationId. Operations without one get `204`.
#[derive(Debug, Clone, Default)]
pub struct Successes(Arc<BTreeMap<String, Success>>);

impl Successes {
    /// The answers for every operation of `specs`, and a message for each
    /// operation none could be made for (its body schema defeats
    /// [`crate::synth`]; it then gets `204`).
    pub fn from_specs(specs: &[PathBuf]) -> (Successes, Vec<String>) {
        let mut map = BTreeMap::new();
        let mut problems = Vec::new();
        for path in specs {
            match Oracle::load(path) {
                Ok(oracle) => {
                    for op in oracle.operations() {
                        match success(&oracle, op) {
                            Ok(Some(success)) => {
                                map.insert(op.operation_id.clone(), success);
                            }
                            Ok(None) => {}
                            Err(e) => problems.push(format!("{}: {e}", op.operation_id)),
                        }
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        (Successes(Arc::new(map)), problems)
    }

    /// The answers for the specs in `spec/` (made once per process).
    pub fn for_repository() -> Successes {
        static MADE: OnceLock<Successes> = OnceLock::new();
        MADE.get_or_init(|| Successes::from_specs(&crate::job::default_spec_files()).0)
            .clone()
    }

    /// The answer for a valid request of `operation_id`, when there is one
    /// other than `204`.
    pub fn answer(&self, operation_id: &str, stamp: &Stamp) -> Option<Answer> {
        let success = self.0.get(operation_id)?;
        let mut answer = Answer::no_content(stamp);
        answer.status = success.status;
        if let Some((media, body)) = &success.body {
            answer.headers.push(("content-type", media.clone()));
            answer.body = body.clone();
        }
        Some(answer)
    }

    /// The success of an operation, when known.
    pub fn get(&self, operation_id: &str) -> Option<&Success> {
        self.0.get(operation_id)
    }
}

/// The first documented success of `op` (an exact 2xx code before a `2XX`
/// range), with a body when the response documents JSON; `None` for a
/// bare `204` (the mock's default) or when no success is documented.
fn success(oracle: &Oracle, op: &SpecOperation) -> Result<Option<Success>, String> {
    let exact = op
        .responses
        .iter()
        .filter_map(|r| r.status.parse::<u16>().ok().map(|code| (code, r)))
        .filter(|(code, _)| (200..300).contains(code))
        .min_by_key(|(code, _)| *code);
    let range = || {
        op.responses
            .iter()
            .find(|r| r.status.eq_ignore_ascii_case("2XX"))
            .map(|r| (200, r))
    };
    let Some((status, response)) = exact.or_else(range) else {
        return Ok(None);
    };
    let Some(media) = response.content.first() else {
        return Ok((status != 204).then_some(Success { status, body: None }));
    };
    let json = crate::oracle::spec::is_json(&media.media_type);
    let value = match (&media.example, &media.schema) {
        (Some(example), Some(schema)) if oracle.validate(schema, example).is_empty() => {
            example.clone()
        }
        (_, Some(schema)) => crate::synth::value(oracle, schema, &op.operation_id)?,
        (Some(example), None) => example.clone(),
        (None, None) => Value::Object(Default::default()),
    };
    let bytes = if json {
        serde_json::to_vec(&value).map_err(|e| e.to_string())?
    } else {
        crate::synth::text(&value).into_bytes()
    };
    let media_type = if media.media_type.contains('*') {
        "application/json".to_string()
    } else {
        media.media_type.clone()
    };
    Ok(Some(Success {
        status,
        body: Some((media_type, bytes)),
    }))
}
