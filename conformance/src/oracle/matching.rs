//! Matching a request path against the spec's path templates, and the
//! service roots of its `servers`.

use percent_encoding::percent_decode_str;

use super::operations::SpecOperation;

/// A request path matched to a template.
#[derive(Debug, Clone)]
pub struct PathMatch {
    /// The template that matched.
    pub template: String,
    /// Parameter name and raw (still percent-encoded) value, in template
    /// order.
    pub raw_params: Vec<(String, String)>,
    /// How many literal characters the template has; the most specific
    /// (largest) match wins, as OpenAPI asks concrete paths to win over
    /// templated ones.
    pub specificity: usize,
}

/// A path template split into segments once, so that matching a request
/// against it scans only the request's path: a judged exchange is matched
/// against every template of the spec.
#[derive(Debug, Clone)]
pub struct Template {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    /// A segment without parameters.
    Literal(String),
    /// A segment with parameters (`{id}`, `x({id})`), in pieces.
    Pattern(Vec<Piece>),
}

impl Template {
    /// Splits `text` (a template such as `/a/{id}/b`) into segments.
    pub fn parse(text: &str) -> Template {
        let segments = text
            .split('/')
            .map(|segment| {
                if segment.contains('{') {
                    Segment::Pattern(pieces(segment))
                } else {
                    Segment::Literal(segment.to_string())
                }
            })
            .collect();
        Template {
            text: text.to_string(),
            segments,
        }
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Matches a path given as its `/`-separated segments (relative to
    /// the service root, still percent-encoded).
    pub fn match_segments(&self, path: &[&str]) -> Option<PathMatch> {
        if self.segments.len() != path.len() {
            return None;
        }
        // A segment equals its literal as sent or percent-decoded (a
        // decoding that equals a `&str` is UTF-8). The literal segments
        // first, before any parameter is copied out.
        let literal_mismatch = self.segments.iter().zip(path).any(|(pattern, segment)| {
            matches!(pattern, Segment::Literal(literal)
                if literal != segment
                    && !(segment.contains('%') && percent_decode_str(segment).eq(literal.bytes())))
        });
        if literal_mismatch {
            return None;
        }
        let mut raw_params = Vec::new();
        let mut specificity = 0;
        for (pattern, segment) in self.segments.iter().zip(path) {
            match pattern {
                Segment::Literal(literal) => specificity += literal.len(),
                Segment::Pattern(pieces) => {
                    let (found, literal) = match_segment(pieces, segment)?;
                    raw_params.extend(found);
                    specificity += literal;
                }
            }
        }
        Some(PathMatch {
            template: self.text.clone(),
            raw_params,
            specificity,
        })
    }
}

/// Matches `path` (relative to the service root, still percent-encoded)
/// against `template`.
pub fn match_template(template: &str, path: &str) -> Option<PathMatch> {
    let segments: Vec<&str> = path.split('/').collect();
    Template::parse(template).match_segments(&segments)
}

/// One template segment with parameters: each parameter takes text up to
/// the next literal piece.
fn match_segment(pieces: &[Piece], segment: &str) -> Option<(Vec<(String, String)>, usize)> {
    let mut rest = segment;
    let mut found = Vec::new();
    let mut literal = 0;
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(text) => {
                rest = rest.strip_prefix(text.as_str())?;
                literal += text.len();
            }
            Piece::Param(name) => {
                let end = match pieces.get(index + 1) {
                    Some(Piece::Literal(next)) if index + 2 == pieces.len() => {
                        rest.len().checked_sub(next.len())?
                    }
                    Some(Piece::Literal(next)) => rest.find(next.as_str())?,
                    _ => rest.len(),
                };
                found.push((name.clone(), rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty().then_some((found, literal))
}

#[derive(Debug, Clone)]
enum Piece {
    Literal(String),
    Param(String),
}

fn pieces(pattern: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            out.push(Piece::Literal(rest[..start].to_string()));
        }
        let Some(len) = rest[start..].find('}') else {
            out.push(Piece::Literal(rest[start..].to_string()));
            return out;
        };
        out.push(Piece::Param(rest[start + 1..start + len].to_string()));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest.to_string()));
    }
    out
}

/// Percent-decodes one segment; `None` when the result is not UTF-8.
pub fn decode(raw: &str) -> Option<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// The path part of each server URL (`https://host/beta` → `/beta`,
/// `/v1/` → `/v1`), without a trailing slash; `""` when the spec lists no
/// servers (OpenAPI's default server is `/`).
pub fn server_roots(root: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = root
        .get("servers")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(server_path)
        .collect();
    if out.is_empty() {
        out.push(String::new());
    }
    out.sort();
    out.dedup();
    out
}

/// The paths of an operation's own `servers` list (`/upload`, or `""` for
/// a host's root), in its order; empty when there is no list. A client
/// whose base URL is loopback sends such an operation to its template
/// under the first of these paths, below the service root.
pub fn own_server_paths(servers: Option<&serde_json::Value>) -> Vec<String> {
    servers
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(server_path)
        .collect()
}

/// The path of one server object's URL, its variables at their defaults,
/// with a leading and no trailing slash (`files` → `/files`, `./files` →
/// `/files`, `https://h` → ``).
fn server_path(server: &serde_json::Value) -> Option<String> {
    let mut url = server.get("url")?.as_str()?.to_string();
    if let Some(variables) = server
        .get("variables")
        .and_then(serde_json::Value::as_object)
    {
        for (name, variable) in variables {
            if let Some(default) = variable.get("default").and_then(serde_json::Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let path = match url.find("://") {
        Some(at) => {
            let after = &url[at + 3..];
            after.find('/').map(|p| &after[p..]).unwrap_or("")
        }
        None => url.as_str(),
    };
    let path = path.strip_prefix("./").unwrap_or(path).trim_matches('/');
    Some(if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    })
}

/// What a request path resolves to.
pub enum Resolution<'a> {
    /// The path is not under any service root.
    OutsideRoots,
    /// No template matches; the nearest template, if any shares a prefix.
    NoTemplate {
        /// The path relative to the root.
        relative: String,
        /// The template sharing the most leading segments.
        nearest: Option<String>,
    },
    /// Templates match but none defines the method.
    MethodNotDefined {
        /// The path relative to the root.
        relative: String,
        /// The template that matched.
        template: String,
        /// Methods the template defines.
        allowed: Vec<String>,
    },
    /// The operation the request is for.
    Operation {
        /// The operation.
        operation: &'a SpecOperation,
        /// How its template matched.
        matched: PathMatch,
        /// The service root that was stripped.
        root: String,
    },
}

/// Resolves `method` and `path` (as received, with the root) to an
/// operation.
pub fn resolve<'a>(
    operations: &'a [SpecOperation],
    roots: &[String],
    method: &str,
    path: &str,
) -> Resolution<'a> {
    // The longest root that the path is under (the first of equals), so
    // `/beta` wins over `` when both are listed.
    let Some((root, relative)) = roots
        .iter()
        .filter_map(|root| {
            let rest = path.strip_prefix(root.as_str())?;
            rest.starts_with('/').then_some((root, rest))
        })
        .min_by_key(|(root, _)| std::cmp::Reverse(root.len()))
    else {
        return Resolution::OutsideRoots;
    };
    let (root, relative) = (root.clone(), relative.to_string());
    let segments: Vec<&str> = relative.split('/').collect();
    let mut matches: Vec<(PathMatch, &SpecOperation)> = operations
        .iter()
        .filter_map(|op| match_operation(op, &segments).map(|m| (m, op)))
        .collect();
    if matches.is_empty() {
        return Resolution::NoTemplate {
            nearest: nearest(operations, &relative),
            relative,
        };
    }
    let best = matches
        .iter()
        .map(|(m, _)| m.specificity)
        .max()
        .unwrap_or(0);
    matches.retain(|(m, _)| m.specificity == best);
    match matches
        .iter()
        .position(|(_, op)| op.method.eq_ignore_ascii_case(method))
    {
        Some(index) => {
            let (matched, operation) = matches.swap_remove(index);
            Resolution::Operation {
                operation,
                matched,
                root,
            }
        }
        None => Resolution::MethodNotDefined {
            template: matches[0].0.template.clone(),
            allowed: matches.iter().map(|(_, op)| op.method.clone()).collect(),
            relative,
        },
    }
}

/// Matches a relative path's segments against an operation's template,
/// under one of its own servers' paths when it has any.
fn match_operation(op: &SpecOperation, segments: &[&str]) -> Option<PathMatch> {
    op.templates()
        .iter()
        .find_map(|template| template.match_segments(segments))
}

fn nearest(operations: &[SpecOperation], relative: &str) -> Option<String> {
    let got: Vec<&str> = relative.split('/').collect();
    operations
        .iter()
        .map(|op| {
            let shared = op
                .path
                .split('/')
                .zip(&got)
                .take_while(|(a, b)| a == *b || a.starts_with('{'))
                .count();
            (shared, &op.path)
        })
        .filter(|(shared, _)| *shared > 1)
        .max_by_key(|(shared, _)| *shared)
        .map(|(_, path)| path.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_partial_segment_parameters() {
        let m = match_template("/a/{id}/b", "/a/x%2Fy/b").unwrap();
        assert_eq!(m.raw_params, [("id".to_string(), "x%2Fy".to_string())]);
        assert!(match_template("/a/{id}/b", "/a/x/y/b").is_none());
        assert!(match_template("/a/{id}/b", "/a/x/c").is_none());
        let m = match_template("/f(k='{k}')/{v}.json", "/f(k='1')/doc.json").unwrap();
        assert_eq!(
            m.raw_params,
            [
                ("k".to_string(), "1".to_string()),
                ("v".to_string(), "doc".to_string())
            ]
        );
        // An empty value still matches; the parameter's schema judges it.
        assert!(match_template("/a/{id}/b", "/a//b").is_some());
    }

    #[test]
    fn roots_come_from_servers() {
        let root = serde_json::json!({"servers": [
            {"url": "https://graph.microsoft.com/beta"},
            {"url": "https://graph.microsoft.us/beta/"},
            {"url": "/v1"}
        ]});
        assert_eq!(server_roots(&root), ["/beta", "/v1"]);
        assert_eq!(server_roots(&serde_json::json!({})), [""]);
        let own = serde_json::json!([
            {"url": "https://{host}.example.invalid/{v}/", "variables": {"host": {"default": "up"}, "v": {"default": "v2"}}},
            {"url": "files"},
            {"url": "https://root.example.invalid"}
        ]);
        assert_eq!(own_server_paths(Some(&own)), ["/v2", "/files", ""]);
        assert!(own_server_paths(None).is_empty());
    }
}
