//! The random maker: one JSON value per call, every choice drawn from a
//! [`Source`] of random numbers (a proptest runner's, so a fixed seed
//! replays a run), aimed at a schema with one of three [`Aim`]s.
//!
//! * [`Aim::Valid`]: only valid values (save for [gaps](super::Gap), which
//!   a caller that needs certainty refuses first), and the awkward ones a
//!   property-based OpenAPI tester sends: any Unicode scalar, quotes,
//!   separators, percent signs, long runs, arrays of thousands of items.
//! * [`Aim::Tidy`]: meant to be valid, slipping rarely.
//! * [`Aim::Rough`]: every keyword a coin toss between satisfying it and
//!   breaking it, with wild values anywhere.
//!
//! Tidy values make agreement on "valid" meaningful; rough ones probe the
//! edges. (The order and number of draws of `Tidy` and `Rough` are those
//! of the differential tests' former generator, so their fixed seeds give
//! the same cases.)

use serde_json::{Map, Number, Value, json};

use super::candidates::format_sample;
use super::pattern;
use super::read::{ANY, Additional, Kind, Node, Reader, Rules, Shape, format_range};

/// Nesting past this gives leaves only (it keeps recursive schemas small).
pub const MAX_DEPTH: usize = 6;

/// A source of random numbers (any `FnMut() -> u64`, such as
/// `|| rng.next_u64()`).
pub trait Source {
    /// The next random number.
    fn next_u64(&mut self) -> u64;
}

impl<F: FnMut() -> u64> Source for F {
    fn next_u64(&mut self) -> u64 {
        self()
    }
}

/// What the made values aim at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// Valid values only, awkward ones often.
    Valid,
    /// Valid values, with a rare slip.
    Tidy,
    /// Values near the edges, valid or not.
    Rough,
}

/// Characters that trip naive encoders and parsers, all valid in a JSON
/// string and (percent-encoded) in a path segment.
pub const AWKWARD: &[char] = &[
    '/',
    '\\',
    '?',
    '#',
    '%',
    '&',
    '=',
    '+',
    ';',
    ',',
    ':',
    '@',
    '!',
    '$',
    '\'',
    '(',
    ')',
    '*',
    '[',
    ']',
    '{',
    '}',
    '<',
    '>',
    '"',
    '|',
    '^',
    '`',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u{0}',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{ad}',
    '\u{200b}',
    '\u{2028}',
    '\u{feff}',
    '\u{fffd}',
    'é',
    'ß',
    '日',
    '本',
    'Ω',
    '\u{1F600}',
    '\u{10FFFF}',
    '.',
    '~',
    '-',
    '_',
];

/// A random value maker over one document.
pub struct Random<'r, 'a, S: Source> {
    reader: &'r Reader<'a>,
    source: &'r mut S,
    /// What the values aim at (a caller may change it between values).
    pub aim: Aim,
    /// Set while a discriminator's mapped type is being made, so the base
    /// it inherits is not dispatched again.
    dispatched: bool,
    /// `$ref` hops since the last schema with rules (a loop of
    /// references ends in a wild value).
    hops: usize,
}

impl<'r, 'a, S: Source> Random<'r, 'a, S> {
    /// A maker reading schemas with `reader`, drawing from `source`.
    pub fn new(reader: &'r Reader<'a>, source: &'r mut S, aim: Aim) -> Self {
        Random {
            reader,
            source,
            aim,
            dispatched: false,
            hops: 0,
        }
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.source.next_u64() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.source.next_u64() % 100 < percent
    }

    fn valid(&self) -> bool {
        self.aim == Aim::Valid
    }

    /// A slip: never when valid, rare when tidy, frequent when rough.
    fn slip(&mut self) -> bool {
        self.chance(match self.aim {
            Aim::Valid => 0,
            Aim::Tidy => 1,
            Aim::Rough => 35,
        })
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// A value for `schema` (named `at` in gaps), at nesting `depth`.
    pub fn value(&mut self, schema: &'a Value, at: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return self.wild_leaf();
        }
        if self.chance(if self.aim == Aim::Rough { 8 } else { 0 }) {
            return self.wild(depth);
        }
        let node = self.reader.node(schema, at);
        self.node_value(&node, depth)
    }

    /// A value through a reference to `target` (a discriminator mapping).
    fn via_ref(&mut self, target: Option<&'a Value>, at: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return self.wild_leaf();
        }
        if self.chance(if self.aim == Aim::Rough { 8 } else { 0 }) {
            return self.wild(depth);
        }
        match target {
            Some(target) => self.value(target, at, depth),
            None => self.wild(depth),
        }
    }

    fn node_value(&mut self, node: &Node<'a>, depth: usize) -> Value {
        let rules = match &node.shape {
            Shape::Ref(target) => {
                self.hops += 1;
                return match target {
                    Some(target) if self.hops <= 64 => self.value(target, &node.at, depth),
                    _ => {
                        self.hops = 0;
                        self.wild(depth)
                    }
                };
            }
            Shape::Rules(rules) => rules,
        };
        self.hops = 0;
        let at = node.at.as_str();
        if let Some(value) = self.dispatch(rules, at, depth) {
            return value;
        }
        if rules.nullable && self.chance(12) {
            return Value::Null;
        }
        if !rules.all_of.is_empty() {
            return self.all_of(&rules.all_of, &format!("{at}/allOf"), depth);
        }
        for (key, parts) in [("oneOf", &rules.one_of), ("anyOf", &rules.any_of)] {
            if !parts.is_empty() {
                let at = format!("{at}/{key}");
                if parts.len() > 1 && self.slip() {
                    // Something that may match two alternatives at once.
                    return self.all_of(parts, &at, depth);
                }
                let i = self.below(parts.len());
                return self.value(parts[i], &format!("{at}/{i}"), depth);
            }
        }
        if let Some(values) = &rules.enumeration
            && !values.is_empty()
            && !self.slip()
        {
            return self.pick(values);
        }
        match rules.kind {
            Some(Kind::String) => Value::String(self.string(rules)),
            Some(Kind::Integer) => self.integer(rules),
            Some(Kind::Number) => self.number(rules),
            Some(Kind::Boolean) => Value::Bool(self.chance(50)),
            Some(Kind::Array) => self.array(rules, at, depth),
            Some(Kind::Object) => self.object(rules, at, depth),
            Some(Kind::Null) if !self.slip() => Value::Null,
            _ => self.wild(depth),
        }
    }

    /// For a schema with a `discriminator` mapping, mostly: a value of one
    /// mapped type, tagged with its value (a wrong or missing tag when
    /// the maker slips).
    fn dispatch(&mut self, rules: &Rules<'a>, at: &str, depth: usize) -> Option<Value> {
        let d = rules.discriminator.as_ref()?;
        if std::mem::take(&mut self.dispatched) || !self.chance(70) {
            return None;
        }
        let (tag, target) = self.pick(&d.mapping);
        self.dispatched = true;
        let mut value = self.via_ref(target, &format!("{at}/mapping/{tag}"), depth);
        self.dispatched = false;
        if let Value::Object(map) = &mut value {
            let tag = if self.slip() {
                self.pick(&[json!("#microsoft.graph.unknown"), json!(7), Value::Null])
            } else {
                Value::String(tag)
            };
            if !(self.slip() && map.remove(&d.property).is_some()) {
                map.insert(d.property.clone(), tag);
            }
        }
        Some(value)
    }

    fn all_of(&mut self, parts: &[&'a Value], at: &str, depth: usize) -> Value {
        let mut merged: Option<Map<String, Value>> = Some(Map::new());
        let mut last = Value::Null;
        for (i, part) in parts.iter().enumerate() {
            let value = self.value(part, &format!("{at}/{i}"), depth);
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

    fn string(&mut self, rules: &Rules) -> String {
        let text = match rules.format {
            Some("date-time") => Some(self.date_time()),
            Some("date") => Some(self.date()),
            Some("uuid") => Some(self.uuid()),
            Some("base64url") => Some(self.base64url()),
            Some("duration") => Some(self.duration()),
            Some(other) => format_sample(other).map(str::to_string),
            None => None,
        };
        if let Some(text) = text {
            return if self.slip() { self.bend(text) } else { text };
        }
        if let Some(pattern) = rules.pattern
            && let Some(sample) = pattern::sample(pattern, &mut |n| self.below(n))
        {
            return if self.slip() {
                self.bend(sample)
            } else {
                sample
            };
        }
        let min = rules.min_length.unwrap_or(0) as usize;
        let max = rules.max_length.map(|m| m as usize);
        if self.valid() {
            return self.awkward(min, max);
        }
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

    /// Awkward text of `min..=max` code points (as JSON Schema counts
    /// them): plain words, any Unicode scalar, [`AWKWARD`] characters, a
    /// UUID, or a long run of one character; padded with `x` or cut to
    /// fit.
    fn awkward(&mut self, min: usize, max: Option<usize>) -> String {
        let raw: String = match self.below(10) {
            0..=3 => {
                const WORD: &[char] = &['a', 'k', 'z', 'A', 'M', 'Z', '0', '5', '9', '-'];
                let len = 1 + self.below(24);
                (0..len).map(|_| self.pick(WORD)).collect()
            }
            4 | 5 => {
                let len = self.below(16);
                (0..len)
                    .map(|_| char::from_u32(self.below(0x11_0000) as u32).unwrap_or('\u{fffd}'))
                    .collect()
            }
            6 | 7 => {
                let len = 1 + self.below(11);
                (0..len).map(|_| self.pick(AWKWARD)).collect()
            }
            8 => self.uuid().to_lowercase(),
            _ => {
                let c = self.pick(&['a', 'é', '日', '%', '\u{1F600}']);
                let len = 256 + self.below(2500 - 256);
                std::iter::repeat_n(c, len).collect()
            }
        };
        let mut chars: Vec<char> = raw.chars().collect();
        while chars.len() < min {
            chars.push('x');
        }
        if let Some(max) = max {
            chars.truncate(max.max(min));
        }
        chars.into_iter().collect()
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

    fn integer(&mut self, rules: &Rules) -> Value {
        let min = rules.minimum.and_then(Number::as_i64);
        let max = rules.maximum.and_then(Number::as_i64);
        let step = rules
            .multiple_of
            .and_then(Number::as_i64)
            .filter(|s| *s > 0);
        if !self.slip() {
            // Inside the bounds, and the range the format implies.
            let (format_lo, format_hi) =
                format_range(rules.format).unwrap_or((i64::MIN as f64, i64::MAX as f64));
            let lo = min
                .unwrap_or(-1000)
                .max(-1_000_000)
                .max(format_lo.ceil() as i64);
            let hi = max
                .unwrap_or(1000)
                .min(1_000_000)
                .min(format_hi.floor() as i64);
            let mut value = lo + (self.source.next_u64() % ((hi - lo).max(0) as u64 + 1)) as i64;
            if let Some(step) = step {
                value -= value.rem_euclid(step);
                if value < lo {
                    value += step;
                }
            }
            if rules.exclusive_minimum && Some(value) == min {
                value += step.unwrap_or(1);
            }
            if rules.exclusive_maximum && Some(value) == max {
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
            json!((self.source.next_u64() as i64) >> self.below(64)),
        ]);
        self.pick(&candidates)
    }

    fn number(&mut self, rules: &Rules) -> Value {
        let min = rules.minimum.and_then(Number::as_f64);
        let max = rules.maximum.and_then(Number::as_f64);
        if !self.slip() {
            // Quarters inside the bounds: multiples of any step the
            // fixture uses, and away from exclusive ends.
            let lo = (min.unwrap_or(-1000.0) * 4.0).ceil() as i64 + 1;
            let hi = (max.unwrap_or(1000.0) * 4.0).floor() as i64 - 1;
            let quarters = if hi >= lo {
                lo + (self.source.next_u64() % ((hi - lo) as u64 + 1)) as i64
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

    fn array(&mut self, rules: &Rules<'a>, at: &str, depth: usize) -> Value {
        let items = rules.items.unwrap_or(&ANY);
        let items_at = format!("{at}/items");
        let min = rules.min_items.unwrap_or(0) as usize;
        let max = rules.max_items.map(|m| m as usize);
        if self.valid() {
            return self.valid_array(rules, items, &items_at, depth);
        }
        if depth <= 1 && self.chance(2) {
            return self.huge_array(items, &items_at, depth);
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
        let mut out: Vec<Value> = Vec::with_capacity(len);
        for _ in 0..len * 3 {
            if out.len() == len {
                break;
            }
            let item = self.value(items, &items_at, depth + 1);
            // Tidy arrays that must be unique skip repeats.
            if !(rules.unique_items && self.aim == Aim::Tidy && out.contains(&item)) {
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

    /// Mostly small; near the top, now and then (1 in 9) hundreds to
    /// thousands of items (repeating a pool of eight unless items must be
    /// unique, so that a recursive item stays cheap); within
    /// `minItems..=maxItems`, repeats dropped when items must be unique.
    fn valid_array(&mut self, rules: &Rules, items: &'a Value, at: &str, depth: usize) -> Value {
        let min = rules.min_items.unwrap_or(0) as usize;
        let cap = |n: usize| rules.max_items.map_or(n, |m| (m as usize).min(n)).max(min);
        let huge = depth <= 1 && self.below(9) == 0;
        let (lo, hi) = if huge {
            (cap(min + 200), cap(min + 4000))
        } else {
            (min, cap(min + 6))
        };
        let len = lo + self.below(hi - lo + 1);
        if huge && !rules.unique_items {
            let pool: Vec<Value> = (0..8).map(|_| self.value(items, at, depth + 1)).collect();
            return Value::Array((0..len).map(|i| pool[i % pool.len()].clone()).collect());
        }
        let mut out: Vec<Value> = Vec::with_capacity(len);
        // Unique items may repeat by chance: a few more tries to reach
        // `min` (an enum of two values cannot fill three).
        for _ in 0..len + 16 {
            if out.len() == len {
                break;
            }
            let item = self.value(items, at, depth + 1);
            if !(rules.unique_items && out.contains(&item)) {
                out.push(item);
            }
        }
        Value::Array(out)
    }

    /// Thousands of items, drawn from a small pool so duplicates abound.
    fn huge_array(&mut self, items: &'a Value, at: &str, depth: usize) -> Value {
        let pool: Vec<Value> = (0..4).map(|_| self.value(items, at, depth + 1)).collect();
        let len = 1000 + self.below(9000);
        Value::Array((0..len).map(|i| pool[i % pool.len()].clone()).collect())
    }

    fn object(&mut self, rules: &Rules<'a>, at: &str, depth: usize) -> Value {
        let mut out = Map::new();
        for (name, property) in &rules.properties {
            let present = if rules.requires(name) {
                !self.slip()
            } else {
                self.chance(40)
            };
            if present {
                let value = self.value(property, &format!("{at}/properties/{name}"), depth + 1);
                out.insert((*name).to_string(), value);
            }
        }
        let allowed = !matches!(rules.additional, Additional::None);
        let min = rules.min_properties.unwrap_or(0) as usize;
        let max = rules.max_properties.map(|m| m as usize);
        let extra = if self.aim != Aim::Rough {
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
            let key = if self.aim != Aim::Rough {
                format!("extra{i}")
            } else {
                self.pick(&["extra", "@odata.type", "ID", "ключ", "", "a/b~c"])
                    .to_string()
            };
            let value = match rules.additional {
                Additional::Schema(s) if self.aim != Aim::Rough || self.chance(60) => {
                    self.value(s, &format!("{at}/additionalProperties"), depth + 1)
                }
                _ if self.aim != Aim::Rough => json!(i),
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
                deep(levels)
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
            2 => json!(self.source.next_u64() as i64),
            3 => json!(self.source.next_u64()),
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
}

/// Arrays and objects nested `levels` deep (past serde_json's limit of
/// 128 for the larger ones).
fn deep(levels: usize) -> Value {
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
