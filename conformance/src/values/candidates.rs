//! The deterministic maker: for a schema, a short list of candidate
//! values, most likely valid first (its `example`, `default` or first
//! `enum` value, then values built from its keywords). The same schema
//! always gives the same list. Candidates are proposals: the caller
//! checks them (the job's [`crate::synth`] keeps the first the oracle
//! accepts), since keywords such as `minProperties` or a gap are not
//! steered for.

use serde_json::{Map, Number, Value, json};

use super::pattern;
use super::read::{ANY, Additional, Kind, Reader, Rules, Shape};

/// How deep objects and arrays are filled before only what is required
/// is made (a recursive schema must end).
pub const MAX_DEPTH: usize = 6;

/// Past this depth nothing is made: only a schema that requires itself
/// (no finite value is valid) gets this deep.
const GIVE_UP_DEPTH: usize = 4 * MAX_DEPTH;

/// Candidates for `schema` (named `hint` in made-up strings), most likely
/// first; empty when a `$ref` dangles.
pub fn candidates<'a>(reader: &Reader<'a>, schema: &'a Value, hint: &str) -> Vec<Value> {
    Maker { reader }.candidates(schema, hint, hint, 0)
}

struct Maker<'r, 'a> {
    reader: &'r Reader<'a>,
}

impl<'a> Maker<'_, 'a> {
    fn candidates(&self, schema: &'a Value, at: &str, hint: &str, depth: usize) -> Vec<Value> {
        if depth > GIVE_UP_DEPTH {
            return Vec::new();
        }
        let Some(node) = self.reader.rules(schema, at) else {
            return Vec::new();
        };
        let Shape::Rules(rules) = &node.shape else {
            return Vec::new();
        };
        let at = node.at.as_str();
        let mut out = Vec::new();
        out.extend(rules.example.cloned());
        out.extend(rules.default.cloned());
        if let Some(first) = rules.enumeration.as_ref().and_then(|e| e.first()) {
            out.push(first.clone());
        }
        // `allOf`: the parts' first candidates merged (objects), or the
        // last scalar one.
        if !rules.all_of.is_empty() {
            let mut merged = Map::new();
            let mut scalar = None;
            for (i, part) in rules.all_of.iter().enumerate() {
                let part_at = format!("{at}/allOf/{i}");
                match self
                    .candidates(part, &part_at, hint, depth)
                    .into_iter()
                    .next()
                {
                    Some(Value::Object(object)) => merged.extend(object),
                    Some(other) => scalar = Some(other),
                    None => {}
                }
            }
            let own = self.built(rules, at, hint, depth).into_iter().next();
            if let Some(Value::Object(object)) = own {
                merged.extend(object);
            }
            out.push(scalar.unwrap_or(Value::Object(merged)));
        }
        for (key, parts) in [("oneOf", &rules.one_of), ("anyOf", &rules.any_of)] {
            for (i, part) in parts.iter().enumerate() {
                out.extend(self.candidates(part, &format!("{at}/{key}/{i}"), hint, depth));
            }
        }
        out.extend(self.built(rules, at, hint, depth));
        if rules.nullable {
            out.push(Value::Null);
        }
        out
    }

    /// Values built from the schema's own keywords.
    fn built(&self, rules: &Rules<'a>, at: &str, hint: &str, depth: usize) -> Vec<Value> {
        match rules.kind {
            Some(Kind::Object) => self.objects(rules, at, depth),
            Some(Kind::Array) => self.arrays(rules, at, hint, depth),
            Some(Kind::String) => strings(rules, hint),
            Some(Kind::Integer) => numbers(rules, true),
            Some(Kind::Number) => numbers(rules, false),
            Some(Kind::Boolean) => vec![json!(true), json!(false)],
            Some(Kind::Null) => vec![Value::Null],
            Some(Kind::Unknown) => Vec::new(),
            None => vec![json!(format!("{hint}-1")), json!({}), json!(1)],
        }
    }

    fn objects(&self, rules: &Rules<'a>, at: &str, depth: usize) -> Vec<Value> {
        let fill = |all: bool| {
            let mut object = Map::new();
            for (name, property) in &rules.properties {
                if !all && !rules.requires(name) {
                    continue;
                }
                let property_at = format!("{at}/properties/{name}");
                if let Some(v) = self
                    .candidates(property, &property_at, name, depth + 1)
                    .into_iter()
                    .next()
                {
                    object.insert((*name).to_string(), v);
                }
            }
            for name in &rules.required {
                if !object.contains_key(*name) {
                    let made = match rules.additional {
                        Additional::Schema(extra) => self
                            .candidates(
                                extra,
                                &format!("{at}/additionalProperties"),
                                name,
                                depth + 1,
                            )
                            .into_iter()
                            .next(),
                        _ => None,
                    };
                    let made = made.unwrap_or_else(|| json!(format!("{name}-1")));
                    object.insert((*name).to_string(), made);
                }
            }
            Value::Object(object)
        };
        if depth < MAX_DEPTH {
            vec![fill(true), fill(false)]
        } else {
            vec![fill(false)]
        }
    }

    fn arrays(&self, rules: &Rules<'a>, at: &str, hint: &str, depth: usize) -> Vec<Value> {
        let min = rules.min_items.unwrap_or(0);
        let count = min.max(u64::from(depth < MAX_DEPTH)).min(16) as usize;
        let items = rules.items.unwrap_or(&ANY);
        let made = self.candidates(items, &format!("{at}/items"), hint, depth + 1);
        let mut out = Vec::new();
        if let Some(first) = made.first() {
            let list: Vec<Value> = (0..count)
                .map(|i| match (rules.unique_items, first) {
                    (true, Value::String(s)) if i > 0 => json!(format!("{s}{i}")),
                    (true, Value::Number(n)) if i > 0 => {
                        json!(n.as_i64().unwrap_or(0) + i as i64)
                    }
                    _ => first.clone(),
                })
                .collect();
            out.push(Value::Array(list));
        }
        if min == 0 {
            out.push(json!([]));
        }
        out
    }
}

/// A valid sample of a string `format`, when the makers know one.
pub fn format_sample(format: &str) -> Option<&'static str> {
    Some(match format {
        "uuid" => "0f8fad5b-d9cb-469f-a165-70867728950e",
        "date-time" => "2024-01-02T03:04:05Z",
        "date" => "2024-01-02",
        "time" => "03:04:05Z",
        "email" => "someone@example.com",
        "uri" | "url" | "uri-reference" | "iri" => "https://example.com/a",
        "hostname" => "example.com",
        "ipv4" | "ip" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" | "base64" | "base64url" => "QUJD",
        "duration" => "P1D",
        "mac" => "00:1a:2b:3c:4d:5e",
        _ => return None,
    })
}

fn strings(rules: &Rules, hint: &str) -> Vec<Value> {
    let min = rules.min_length.unwrap_or(0) as usize;
    let max = rules.max_length.map(|m| m as usize);
    let fit = |text: String| -> String {
        let mut text = text;
        while text.chars().count() < min {
            text.push('x');
        }
        match max {
            Some(max) => text.chars().take(max).collect(),
            None => text,
        }
    };
    let mut out = Vec::new();
    if let Some(v) = rules.format.and_then(format_sample) {
        out.push(json!(v));
    }
    // The first string the pattern describes (every choice the first).
    if let Some(sample) = rules.pattern.and_then(|p| pattern::sample(p, &mut |_| 0)) {
        out.push(json!(sample));
    }
    let word: String = hint
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>();
    let word = if word.is_empty() {
        "value".into()
    } else {
        word
    };
    for text in [
        format!("{word}-1"),
        word.clone(),
        "a".to_string(),
        "A".to_string(),
        "1".to_string(),
        "0f8fad5b-d9cb-469f-a165-70867728950e".to_string(),
        "abc123".to_string(),
    ] {
        out.push(json!(fit(text)));
    }
    out
}

fn numbers(rules: &Rules, integer: bool) -> Vec<Value> {
    let min = rules.minimum.and_then(Number::as_f64);
    let max = rules.maximum.and_then(Number::as_f64);
    let step = rules.multiple_of.and_then(Number::as_f64);
    let mut picks = Vec::new();
    if let Some(min) = min {
        picks.push(if rules.exclusive_minimum {
            min + 1.0
        } else {
            min
        });
    }
    if let Some(max) = max {
        picks.push(max - if integer { 0.0 } else { 0.5 });
    }
    if let Some(step) = step {
        picks.push(step);
    }
    picks.extend([1.0, 0.0, 2.0]);
    picks
        .into_iter()
        .filter_map(|n| {
            if integer {
                Some(Value::Number(Number::from(n.ceil() as i64)))
            } else {
                Number::from_f64(n).map(Value::Number)
            }
        })
        .collect()
}
