//! The steps of a path template (see [`PathStep`]), made from its
//! segments, for the fluent builders.

use crate::model::{PathSegment, PathStep};

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
