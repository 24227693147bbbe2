//! The steps of a path template (see [`PathStep`]), made from its
//! segments, for the fluent builders, and how each step takes its
//! parameters' values ([`StepValue`]).

use std::collections::BTreeMap;

use super::Lowerer;
use crate::model::{ParamLocation, PathSegment, PathStep, StepValue};

/// Groups `segments` into `/`-separated steps, leaving out empty ones.
pub(crate) fn steps(segments: &[PathSegment]) -> Vec<PathStep> {
    let mut steps = Vec::new();
    let mut text = String::new();
    let mut params: Vec<String> = Vec::new();
    let mut end_step = |text: &mut String, params: &mut Vec<String>| {
        if params.is_empty() {
            if !text.is_empty() {
                steps.push(PathStep::Literal(std::mem::take(text)));
            }
        } else {
            steps.push(PathStep::Templated {
                text: std::mem::take(text),
                values: vec![StepValue::Text; params.len()],
                params: std::mem::take(params),
            });
        }
    };
    for segment in segments {
        match segment {
            PathSegment::Param(name) => params.push(name.clone()),
            PathSegment::Literal(literal) => {
                let mut pieces = literal.split('/');
                text.push_str(pieces.next().unwrap_or_default());
                for piece in pieces {
                    end_step(&mut text, &mut params);
                    text.push_str(piece);
                }
            }
        }
    }
    end_step(&mut text, &mut params);
    steps
}

/// One operation's parameter at one place on the fluent path.
struct Use {
    /// Index of the operation in `Api::operations`.
    op: usize,
    /// Whether the parameter is an array or an object there.
    structured: bool,
}

impl Lowerer<'_> {
    /// Decides how each fluent step takes each of its parameters: typed
    /// (an array or object, as the flat method takes it) when every
    /// operation whose path goes through the step says the parameter is
    /// an array or object, text when none does. Where they disagree, one
    /// step cannot take both, so it takes text (a scalar's text, or the
    /// array's or object's JSON text) and a warning says so. Runs once
    /// aliases are resolved, so that a `$ref` to an array counts as one.
    pub(crate) fn decide_step_values(&mut self) {
        // Operations meet at a step when their paths agree up to it: the
        // fluent tree's node below that step.
        let mut places: BTreeMap<(Vec<PathStep>, usize), Vec<Use>> = BTreeMap::new();
        for (i, op) in self.out.operations.iter().enumerate() {
            for (at, step) in op.steps.iter().enumerate() {
                let PathStep::Templated { params, .. } = step else {
                    continue;
                };
                for (k, name) in params.iter().enumerate() {
                    let structured = op.params.iter().any(|p| {
                        p.location == ParamLocation::Path
                            && &p.name == name
                            && self.out.is_structured(&p.schema)
                    });
                    places
                        .entry((op.steps[..=at].to_vec(), k))
                        .or_default()
                        .push(Use { op: i, structured });
                }
            }
        }
        for ((prefix, k), uses) in places {
            let at = prefix.len() - 1;
            let value = if uses.iter().all(|u| u.structured) {
                StepValue::Typed
            } else {
                if let (Some(typed), Some(text)) = (
                    uses.iter().find(|u| u.structured),
                    uses.iter().find(|u| !u.structured),
                ) {
                    self.warn_disagreement(&prefix, k, typed.op, text.op);
                }
                StepValue::Text
            };
            for u in &uses {
                if let PathStep::Templated { values, .. } = &mut self.out.operations[u.op].steps[at]
                {
                    values[k] = value;
                }
            }
        }
    }

    /// The warning for a step whose parameter is an array or object in the
    /// operation `typed` and a scalar in `text`, located at the former's
    /// parameter.
    fn warn_disagreement(&mut self, prefix: &[PathStep], k: usize, typed: usize, text: usize) {
        let Some(PathStep::Templated { params, .. }) = prefix.last() else {
            return;
        };
        let name = &params[k];
        let ops = &self.out.operations;
        let pointer = ops[typed]
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Path && &p.name == name)
            .map_or_else(|| ops[typed].pointer.clone(), |p| p.pointer.clone());
        let message = format!(
            "path parameter `{name}` is an array or object in operation `{}` but not in operation `{}`, and their fluent paths share the step that takes it: that step takes text, so the fluent path of `{}` takes the value as JSON text instead of typed (it is still checked against the schema before sending)",
            ops[typed].id, ops[text].id, ops[typed].id
        );
        let hint = format!(
            "give `{name}` the same kind of schema in every operation under this path, or call the flat method `{}`, which takes the value typed",
            ops[typed].rust_name.trim_start_matches("r#")
        );
        self.c.warn(&pointer, message, hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::operation::split_template;

    fn literal(text: &str) -> PathStep {
        PathStep::Literal(text.into())
    }

    fn templated(text: &str, params: &[&str]) -> PathStep {
        PathStep::Templated {
            text: text.into(),
            params: params.iter().map(|p| p.to_string()).collect(),
            values: vec![StepValue::Text; params.len()],
        }
    }

    #[test]
    fn a_template_splits_into_steps_at_each_slash() {
        let steps_of = |path: &str| steps(&split_template(path).unwrap());
        assert_eq!(
            steps_of("/deviceManagement/profiles/{id}/microsoft.graph.assign"),
            [
                literal("deviceManagement"),
                literal("profiles"),
                templated("", &["id"]),
                literal("microsoft.graph.assign"),
            ]
        );
        // OData keys and several parameters in one step; empty steps go.
        assert_eq!(
            steps_of("//reports(period='{period}',top={top})/{a}{b}/"),
            [
                templated("reports(period='',top=)", &["period", "top"]),
                templated("", &["a", "b"]),
            ]
        );
        assert_eq!(steps_of("/"), []);
        // A parameter name with a `/` in it stays one parameter.
        assert_eq!(
            steps_of("/x/{a/b}"),
            [literal("x"), templated("", &["a/b"])]
        );
    }
}
