//! JSON values aimed at a schema: valid, nearly valid, or wild. The
//! generator reads the OpenAPI schema as plain JSON (the way the oracle
//! does), never the generated code, and draws every choice from the
//! proptest runner's random source.
//!
//! A generator is either *tidy* (it means to produce a valid value and
//! only rarely slips) or *rough* (every keyword is a coin toss between
//! satisfying it and breaking it, and wild values turn up anywhere). Tidy
//! values are what make agreement on "valid" meaningful; rough ones probe
//! the edges.

use proptest::prelude::Rng;
use regex_syntax::ParserBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Number, Value, json};

/// Nesting past this gives leaves only (it keeps recursive schemas small).
const MAX_DEPTH: usize = 6;

/// A value generator over one spec document.
pub struct Gen<'a, R: Rng> {
    pub root: &'a Value,
    pub rng: &'a mut R,
    /// Aim for valid values.
    pub tidy: bool,
    /// Set while a discriminator's mapped type is being generated, so the
    /// base it inherits is not dispatched again.
    pub dispatched: bool,
}

impl<R: Rng> Gen<'_, R> {
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.rng.next_u64() % 100 < percent
    }

    /// A slip: rare when tidy, frequent when rough.
    fn slip(&mut self) -> bool {
        self.chance(if self.tidy { 1 } else { 35 })
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// A value for `schema`, at nesting `depth`.
    pub fn value(&mut self, schema: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return self.wild_leaf();
        }
        if self.chance(if self.tidy { 0 } else { 8 }) {
            return self.wild(depth);
        }
        let Some(object) = schema.as_object() else {
            return self.wild(depth);
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            return match self.root.pointer(reference.trim_start_matches('#')) {
                Some(target) => {
                    let target = target.clone();
                    self.value(&target, depth)
                }
                None => self.wild(depth),
            };
        }
        if let Some(value) = self.dispatch(object, depth) {
            return value;
        }
        if object.get("nullable") == Some(&Value::Bool(true)) && self.chance(12) {
            return Value::Null;
        }
        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            return self.all_of(parts, depth);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(parts) = object.get(key).and_then(Value::as_array)
                && !parts.is_empty()
            {
                if parts.len() > 1 && self.slip() {
                    // Something that may match two alternatives at once.
                    return self.all_of(parts, depth);
                }
                let part = self.pick(parts);
                return self.value(&part, depth);
            }
        }
        if let Some(values) = object.get("enum").and_then(Value::as_array)
            && !values.is_empty()
            && !self.slip()
        {
            return self.pick(values);
        }
        match object.get("type").and_then(Value::as_str) {
            Some("string") => Value::String(self.string(object)),
            Some("integer") => self.integer(object),
            Some("number") => self.number(object),
            Some("boolean") => Value::Bool(self.chance(50)),
            Some("array") => self.array(object, depth),
            Some("object") => self.object(object, depth),
            _ if object.contains_key("properties") => self.object(object, depth),
            _ => self.wild(depth),
        }
    }

    /// For a schema with a `discriminator` mapping, mostly: a value of one
    /// mapped type, tagged with its value (a wrong or missing tag when
    /// the generator slips).
    fn dispatch(&mut self, schema: &Map<String, Value>, depth: usize) -> Option<Value> {
        let d = schema.get("discriminator")?;
        if std::mem::take(&mut self.dispatched) || !self.chance(70) {
            return None;
        }
        let property = d.get("propertyName")?.as_str()?.to_string();
        let mapping: Vec<(String, Value)> = d
            .get("mapping")?
            .as_object()?
            .iter()
            .map(|(tag, target)| {
                let target = target.as_str().unwrap_or_default();
                let reference = if target.starts_with('#') {
                    target.to_string()
                } else {
                    format!("#/components/schemas/{target}")
                };
                (tag.clone(), json!({ "$ref": reference }))
            })
            .collect();
        if mapping.is_empty() {
            return None;
        }
        let (tag, target) = self.pick(&mapping);
        self.dispatched = true;
        let mut value = self.value(&target, depth);
        self.dispatched = false;
        if let Value::Object(map) = &mut value {
            let tag = if self.slip() {
                self.pick(&[json!("#microsoft.graph.unknown"), json!(7), Value::Null])
            } else {
                Value::String(tag)
            };
            if !(self.slip() && map.remove(&property).is_some()) {
                map.insert(property, tag);
            }
        }
        Some(value)
    }

    fn all_of(&mut self, parts: &[Value], depth: usize) -> Value {
        let mut merged: Option<Map<String, Value>> = Some(Map::new());
        let mut last = Value::Null;
        for part in parts {
            let value = self.value(part, depth);
            match (&mut merged, &value) {
                (Some(map), Value::Object(more)) => {
                    map.extend(more.iter().map(|(k, v)| (k.clone(), v.clone())))
                }
                _ => merged = None,
            }
            last = value;
        }
        merged.map(Value::Object).unwrap_or(last)
    }

    fn string(&mut self, schema: &Map<String, Value>) -> String {
        let text = match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => Some(self.date_time()),
            Some("date") => Some(self.date()),
            Some("uuid") => Some(self.uuid()),
            Some("base64url") => Some(self.base64url()),
            Some("duration") => Some(self.duration()),
            _ => None,
        };
        if let Some(text) = text {
            return if self.slip() { self.bend(text) } else { text };
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
            && let Some(sample) = self.matching(pattern)
        {
            return if self.slip() {
                self.bend(sample)
            } else {
                sample
            };
        }
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let len = if self.slip() {
            match (self.below(3), max) {
                (0, _) => min.saturating_sub(1),
                (1, Some(max)) => max + 1,
                _ => self.below(12),
            }
        } else {
            let top = max.unwrap_or(min + 10).max(min);
            min + self.below(top - min + 1)
        };
        self.text(len)
    }

    /// Text of `len` code points from an alphabet that mixes ASCII,
    /// multi-byte characters and digits from other scripts.
    fn text(&mut self, len: usize) -> String {
        const ALPHABET: &[char] = &[
            'a', 'b', 'z', 'A', 'Q', '0', '7', '9', '-', '_', ' ', '@', '.', '/', '~', '"', '\\',
            'é', 'ß', '日', '😀', '\u{661}', '\u{ff12}', '\n', '\u{0}', '\u{2028}',
        ];
        (0..len).map(|_| self.pick(ALPHABET)).collect()
    }

    /// A string that `pattern` matches, generated from the pattern itself:
    /// each alternative, class and repetition drawn from the random source.
    /// `None` for a pattern the Rust regex parser cannot read.
    ///
    /// The schema's pattern is ECMA-262; read as a Rust regex, without
    /// Unicode classes first (ECMA-262's `\d` and `\w` are ASCII), with them
    /// when a class needs them (a negated class such as `[^@\s]`). Where
    /// the two dialects differ a sample may not match; the oracle then
    /// calls it invalid, which the test tolerates.
    fn matching(&mut self, pattern: &str) -> Option<String> {
        let hir = ParserBuilder::new()
            .unicode(false)
            .build()
            .parse(pattern)
            .ok()
            .or_else(|| ParserBuilder::new().build().parse(pattern).ok())?;
        let mut out = String::new();
        self.emit(&hir, &mut out);
        Some(out)
    }

    /// Appends a string that `hir` matches (anchors match empty).
    fn emit(&mut self, hir: &Hir, out: &mut String) {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
            HirKind::Class(Class::Unicode(class)) => {
                let ranges: Vec<(u32, u32)> = class
                    .ranges()
                    .iter()
                    .map(|r| (u32::from(r.start()), u32::from(r.end())))
                    .collect();
                if let Some(c) = self.class_member(&ranges) {
                    out.push(c);
                }
            }
            HirKind::Class(Class::Bytes(class)) => {
                let ranges: Vec<(u32, u32)> = class
                    .ranges()
                    .iter()
                    .map(|r| (u32::from(r.start()), u32::from(r.end()).min(0x7f)))
                    .filter(|(lo, hi)| lo <= hi)
                    .collect();
                if let Some(c) = self.class_member(&ranges) {
                    out.push(c);
                }
            }
            HirKind::Repetition(repetition) => {
                let room = repetition
                    .max
                    .map_or(3, |max| (max - repetition.min).min(6));
                let times = repetition.min + self.below(room as usize + 1) as u32;
                for _ in 0..times {
                    self.emit(&repetition.sub, out);
                }
            }
            HirKind::Capture(capture) => self.emit(&capture.sub, out),
            HirKind::Concat(parts) => {
                for part in parts {
                    self.emit(part, out);
                }
            }
            HirKind::Alternation(choices) => {
                let choice = self.below(choices.len());
                self.emit(&choices[choice], out);
            }
        }
    }

    /// A character of a class given as code point ranges: mostly printable
    /// ASCII, when the class has some.
    fn class_member(&mut self, ranges: &[(u32, u32)]) -> Option<char> {
        let printable: Vec<(u32, u32)> = ranges
            .iter()
            .map(|&(lo, hi)| (lo.max(0x20), hi.min(0x7e)))
            .filter(|(lo, hi)| lo <= hi)
            .collect();
        let pool = if !printable.is_empty() && self.chance(85) {
            &printable[..]
        } else {
            ranges
        };
        if pool.is_empty() {
            return None;
        }
        let (lo, hi) = pool[self.below(pool.len())];
        let code = lo + (self.rng.next_u64() % u64::from(hi - lo + 1)) as u32;
        // A range across the surrogates gives its start instead.
        char::from_u32(code).or_else(|| char::from_u32(lo))
    }

    /// Changes a string slightly: a character added, removed or swapped
    /// for a look-alike.
    fn bend(&mut self, text: String) -> String {
        match self.below(6) {
            0 => format!("{text} "),
            1 => text.chars().skip(1).collect(),
            2 => text.replacen(|c: char| c.is_ascii_digit(), "\u{661}", 1),
            3 => text.to_lowercase(),
            4 => format!("{text}x"),
            _ => text.replacen(['-', ':', 'T'], "", 1),
        }
    }

    fn date(&mut self) -> String {
        if self.slip() {
            let year = self.pick(&[0, 1900, 2023, 2024, 10000]);
            let month = self.below(14);
            let day = self.below(33);
            return format!("{year:04}-{month:02}-{day:02}");
        }
        let year = self.pick(&[1999, 2000, 2024, 9999]);
        let month = 1 + self.below(12);
        let day = 1 + self.below(28);
        format!("{year:04}-{month:02}-{day:02}")
    }

    fn date_time(&mut self) -> String {
        let date = self.date();
        if self.slip() {
            let hour = self.pick(&[0, 23, 24]);
            let minute = self.pick(&[0, 59, 60]);
            let second = self.pick(&[59, 60, 61]);
            let fraction = self.pick(&["", ".", ".1234567890123"]);
            let sep = self.pick(&["T", "t", " "]);
            let zone = self.pick(&["Z", "z", "", "+24:00", "+0100", "-23:59"]);
            return format!("{date}{sep}{hour:02}:{minute:02}:{second:02}{fraction}{zone}");
        }
        let hour = self.pick(&[0, 12, 23]);
        let minute = self.pick(&[0, 30, 59]);
        let second = self.pick(&[0, 1, 59]);
        let fraction = self.pick(&["", ".5", ".123456789012"]);
        let zone = self.pick(&["Z", "+00:00", "-05:00", "+05:30"]);
        format!("{date}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}")
    }

    fn uuid(&mut self) -> String {
        let hex = |g: &mut Self, n: usize| -> String {
            (0..n)
                .map(|_| g.pick(&['0', '9', 'a', 'f', 'A', 'F']))
                .collect()
        };
        format!(
            "{}-{}-{}-{}-{}",
            hex(self, 8),
            hex(self, 4),
            hex(self, 4),
            hex(self, 4),
            hex(self, 12)
        )
    }

    fn base64url(&mut self) -> String {
        let alphabet: &[char] = if self.slip() {
            &['A', 'z', '0', '-', '_', '+', '/']
        } else {
            &['A', 'z', '0', '-', '_']
        };
        let body: String = (0..self.below(10)).map(|_| self.pick(alphabet)).collect();
        let most = if self.slip() { 4 } else { 3 };
        let pad = "=".repeat(self.below(most));
        format!("{body}{pad}")
    }

    fn duration(&mut self) -> String {
        let mut text = String::new();
        if self.chance(10) {
            text.push('-');
        }
        text.push('P');
        // Microsoft's own duration pattern allows only days before `T`.
        let units: &[&str] = if self.slip() {
            &["Y", "M", "W", "D"]
        } else {
            &["D"]
        };
        for unit in units {
            if self.chance(40) {
                text.push_str(&format!("{}{unit}", self.below(40)));
            }
        }
        if text.ends_with('P') || self.chance(60) {
            text.push('T');
            let mut any = false;
            for unit in ["H", "M", "S"] {
                if self.chance(40) {
                    text.push_str(&format!("{}{unit}", self.below(90)));
                    any = true;
                }
            }
            if !any {
                text.push_str(if self.chance(50) { "1.5S" } else { "2H" });
            }
        }
        text
    }

    fn integer(&mut self, schema: &Map<String, Value>) -> Value {
        let min = schema.get("minimum").and_then(Value::as_i64);
        let max = schema.get("maximum").and_then(Value::as_i64);
        let step = schema
            .get("multipleOf")
            .and_then(Value::as_i64)
            .filter(|s| *s > 0);
        if !self.slip() {
            let lo = min.unwrap_or(-1000).max(-1_000_000);
            let hi = max.unwrap_or(1000).min(1_000_000);
            let mut value = lo + (self.rng.next_u64() % ((hi - lo).max(0) as u64 + 1)) as i64;
            if let Some(step) = step {
                value -= value.rem_euclid(step);
                if value < lo {
                    value += step;
                }
            }
            if schema.get("exclusiveMinimum") == Some(&Value::Bool(true)) && Some(value) == min {
                value += step.unwrap_or(1);
            }
            if schema.get("exclusiveMaximum") == Some(&Value::Bool(true)) && Some(value) == max {
                value -= step.unwrap_or(1);
            }
            return json!(value);
        }
        let mut candidates: Vec<Value> = vec![json!(0), json!(-1), json!(42)];
        for bound in [min, max].into_iter().flatten() {
            candidates.extend([json!(bound - 1), json!(bound), json!(bound + 1)]);
        }
        if let Some(step) = step {
            candidates.extend([json!(step * 3), json!(step * 3 + 1)]);
        }
        candidates.extend([
            json!(i32::MAX),
            json!(i64::from(i32::MAX) + 1),
            json!(i32::MIN),
            json!(i64::from(i32::MIN) - 1),
            json!(i16::MAX),
            json!(i64::from(i16::MAX) + 1),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1.0),
            json!(2.5),
            json!(1e20),
            json!(-0.0),
            json!((self.rng.next_u64() as i64) >> self.below(64)),
        ]);
        self.pick(&candidates)
    }

    fn number(&mut self, schema: &Map<String, Value>) -> Value {
        let min = schema.get("minimum").and_then(Value::as_f64);
        let max = schema.get("maximum").and_then(Value::as_f64);
        if !self.slip() {
            // Quarters inside the bounds: multiples of any step the
            // fixture uses, and away from exclusive ends.
            let lo = (min.unwrap_or(-1000.0) * 4.0).ceil() as i64 + 1;
            let hi = (max.unwrap_or(1000.0) * 4.0).floor() as i64 - 1;
            let quarters = if hi >= lo {
                lo + (self.rng.next_u64() % ((hi - lo) as u64 + 1)) as i64
            } else {
                lo
            };
            return Number::from_f64(quarters as f64 / 4.0).map_or(Value::Null, Value::Number);
        }
        let mut candidates: Vec<Value> = vec![json!(0), json!(0.3), json!(-1.5), json!(1)];
        for bound in [min, max].into_iter().flatten() {
            candidates.extend([json!(bound - 0.25), json!(bound), json!(bound + 0.25)]);
        }
        candidates.extend([json!(0.1), json!(1e300), json!(-1e-300), json!(999.99)]);
        self.pick(&candidates)
    }

    fn array(&mut self, schema: &Map<String, Value>, depth: usize) -> Value {
        let items = schema.get("items").cloned().unwrap_or(json!({}));
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        if depth <= 1 && self.chance(2) {
            return self.huge_array(&items, depth);
        }
        let len = if self.slip() {
            match self.below(3) {
                0 => min.saturating_sub(1),
                1 => max.map_or(5, |m| m + 1),
                _ => self.below(6),
            }
        } else {
            let top = max.unwrap_or(min + 3).max(min);
            min + self.below(top - min + 1)
        };
        let unique = schema.get("uniqueItems") == Some(&Value::Bool(true));
        let mut out: Vec<Value> = Vec::with_capacity(len);
        for _ in 0..len * 3 {
            if out.len() == len {
                break;
            }
            let item = self.value(&items, depth + 1);
            // Tidy arrays that must be unique skip repeats.
            if !(unique && self.tidy && out.contains(&item)) {
                out.push(item);
            }
        }
        if !out.is_empty() && self.slip() {
            // Duplicate ids.
            let copy = out[self.below(out.len())].clone();
            let at = self.below(out.len() + 1);
            out.insert(at, copy);
        }
        Value::Array(out)
    }

    /// Thousands of items, drawn from a small pool so duplicates abound.
    fn huge_array(&mut self, items: &Value, depth: usize) -> Value {
        let pool: Vec<Value> = (0..4).map(|_| self.value(items, depth + 1)).collect();
        let len = 1000 + self.below(9000);
        Value::Array((0..len).map(|i| pool[i % pool.len()].clone()).collect())
    }

    fn object(&mut self, schema: &Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let present = if required.contains(&name.as_str()) {
                    !self.slip()
                } else {
                    self.chance(40)
                };
                if present {
                    let value = self.value(property, depth + 1);
                    out.insert(name.clone(), value);
                }
            }
        }
        let additional = schema.get("additionalProperties").cloned();
        let allowed = !matches!(additional, Some(Value::Bool(false)));
        let min = schema
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let max = schema
            .get("maxProperties")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let extra = if self.tidy {
            if allowed && (out.len() < min || self.chance(15)) {
                let room = max.map_or(2, |m| m.saturating_sub(out.len()));
                min.saturating_sub(out.len()).max(1).min(room)
            } else {
                0
            }
        } else if self.chance(30) {
            1 + self.below(3)
        } else {
            0
        };
        for i in 0..extra {
            let key = if self.tidy {
                format!("extra{i}")
            } else {
                self.pick(&["extra", "@odata.type", "ID", "ключ", "", "a/b~c"])
                    .to_string()
            };
            let value = match &additional {
                Some(Value::Object(s)) if self.tidy || self.chance(60) => {
                    self.value(&Value::Object(s.clone()), depth + 1)
                }
                _ if self.tidy => json!(i),
                _ => self.wild(depth + 1),
            };
            out.insert(key, value);
        }
        Value::Object(out)
    }

    /// Anything at all.
    pub fn wild(&mut self, depth: usize) -> Value {
        match self.below(100) {
            0 if depth == 0 => {
                let levels = 100 + self.below(40);
                self.deep(levels)
            }
            1..=45 => self.wild_leaf(),
            46..=70 if depth < MAX_DEPTH => {
                let len = self.below(4);
                Value::Array((0..len).map(|_| self.wild(depth + 1)).collect())
            }
            71..=90 if depth < MAX_DEPTH => {
                let len = self.below(4);
                Value::Object(
                    (0..len)
                        .map(|i| (format!("k{i}"), self.wild(depth + 1)))
                        .collect(),
                )
            }
            _ => self.wild_leaf(),
        }
    }

    fn wild_leaf(&mut self) -> Value {
        match self.below(9) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 => json!(self.rng.next_u64() as i64),
            3 => json!(self.rng.next_u64()),
            4 => self.pick(&[
                json!(0.5),
                json!(-0.0),
                json!(1e-7),
                json!(1.7976931348623157e308),
            ]),
            5 => Value::String(String::new()),
            _ => {
                let len = self.below(10);
                Value::String(self.text(len))
            }
        }
    }

    /// Arrays and objects nested `levels` deep (past serde_json's limit of
    /// 128 for the larger ones).
    fn deep(&mut self, levels: usize) -> Value {
        let mut value = json!("bottom");
        for i in 0..levels {
            value = if i % 2 == 0 {
                json!([value])
            } else {
                json!({ "deviceIds": value })
            };
        }
        value
    }
}
