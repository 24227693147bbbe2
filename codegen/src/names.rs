//! The one place that decides Rust names: case conversion, keywords,
//! leading digits, and collisions. Every emitter takes names from the model,
//! which got them here, so two parts of the output never disagree.

use std::collections::BTreeSet;

/// Rust keywords (strict and reserved, 2024 edition) that cannot be
/// identifiers as they are.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits a spec name into words at case changes and punctuation (digits
/// stay with the letters before them):
/// `windowsAutopilotDeploymentProfiles_assign` → windows, autopilot, ...
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(name, |word| out.push(word.to_string()));
    out
}

/// Calls `f` with each word of `name` (see [`words`]), as slices of it.
/// Names are made for every type, field and operation of a large spec, so
/// this allocates nothing.
fn each_word(name: &str, mut f: impl FnMut(&str)) {
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars = name.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !c.is_alphanumeric() {
            if let Some(s) = start.take() {
                f(&name[s..i]);
            }
            prev = Some(c);
            continue;
        }
        let next = chars.peek().map(|&(_, n)| n);
        let boundary = match prev {
            Some(p) if p.is_alphanumeric() => {
                (c.is_uppercase() && p.is_lowercase())
                    || (c.is_uppercase()
                        && p.is_uppercase()
                        && next.is_some_and(|n| n.is_lowercase()))
                    || (c.is_uppercase() && p.is_ascii_digit())
            }
            _ => false,
        };
        if boundary && let Some(s) = start.take() {
            f(&name[s..i]);
        }
        start.get_or_insert(i);
        prev = Some(c);
    }
    if let Some(s) = start {
        f(&name[s..]);
    }
}

/// Keeps only characters Rust accepts in identifiers (ASCII here, so the
/// output is readable everywhere).
fn ascii_word(word: &str) -> String {
    word.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// `snake_case`, safe as a Rust identifier.
pub fn snake(name: &str) -> String {
    let mut joined = String::with_capacity(name.len() + 4);
    each_word(name, |word| {
        let before = joined.len();
        if before > 0 {
            joined.push('_');
        }
        let start = joined.len();
        joined.extend(
            word.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase()),
        );
        // A word with no ASCII letter or digit leaves no trace.
        if joined.len() == start {
            joined.truncate(before);
        }
    });
    fix_identifier(joined, "value")
}

/// `PascalCase`, safe as a Rust identifier.
pub fn pascal(name: &str) -> String {
    let mut joined = String::with_capacity(name.len());
    each_word(name, |word| {
        let mut ascii = word.chars().filter(char::is_ascii_alphanumeric);
        if let Some(first) = ascii.next() {
            joined.push(first.to_ascii_uppercase());
            joined.extend(ascii.map(|c| c.to_ascii_lowercase()));
        }
    });
    fix_identifier(joined, "Value")
}

/// The variant name of an enum value: `PascalCase`, with the signs and
/// symbols that would otherwise vanish spelled out, so that `-INF` and
/// `INF`, or `*` and the empty string, get names that tell them apart
/// (`MinusInf`, `Inf`, `Asterisk`, `Empty`).
pub fn variant(value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return "Empty".into();
    }
    let mut spelled = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        let word = match c {
            '-' if i == 0 => Some("minus "),
            '+' if i == 0 => Some("plus "),
            _ => None,
        };
        match word {
            Some(w) => spelled.push_str(w),
            None => spelled.push(c),
        }
    }
    if !spelled.chars().any(|c| c.is_ascii_alphanumeric()) {
        // Only symbols: name each one.
        let words: Vec<&str> = trimmed.chars().map(symbol_name).collect();
        return pascal(&words.join(" "));
    }
    // Like `pascal`, but numbers that punctuation kept apart stay apart
    // (`1.0` is `_1_0`, not `_10`).
    let mut joined = String::new();
    for word in words(&spelled) {
        let word = ascii_word(&word);
        let Some(first) = word.chars().next() else {
            continue;
        };
        if first.is_ascii_digit() && joined.ends_with(|c: char| c.is_ascii_digit()) {
            joined.push('_');
        }
        joined.push(first.to_ascii_uppercase());
        joined.push_str(&word[first.len_utf8()..].to_ascii_lowercase());
    }
    fix_identifier(joined, "Value")
}

fn symbol_name(c: char) -> &'static str {
    match c {
        '*' => "asterisk",
        '+' => "plus",
        '-' => "minus",
        '.' => "dot",
        '/' => "slash",
        '_' => "underscore",
        '@' => "at",
        '#' => "hash",
        '$' => "dollar",
        '%' => "percent",
        '&' => "and",
        '=' => "equals",
        '<' => "less",
        '>' => "greater",
        '!' => "bang",
        '?' => "question",
        ',' => "comma",
        ':' => "colon",
        ';' => "semicolon",
        '~' => "tilde",
        '|' => "pipe",
        _ => "symbol",
    }
}

/// `SCREAMING_SNAKE_CASE`, safe as a Rust identifier.
pub fn screaming(name: &str) -> String {
    let mut name = snake(name);
    if name.starts_with("r#") {
        name.drain(..2);
    }
    name.make_ascii_uppercase();
    name
}

/// Makes `ident` a valid identifier: empty becomes `fallback`, a leading
/// digit gets a `_` prefix, keywords become raw identifiers (or get a `_`
/// suffix where raw identifiers are not allowed: `self`, `Self`, `crate`,
/// `super`).
fn fix_identifier(ident: String, fallback: &str) -> String {
    if ident.is_empty() {
        return fallback.to_string();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{ident}");
    }
    if KEYWORDS.contains(&ident.as_str()) {
        return match ident.as_str() {
            "self" | "Self" | "crate" | "super" => format!("{ident}_"),
            _ => format!("r#{ident}"),
        };
    }
    ident
}

/// Hands out unique names within one namespace, suffixing `2`, `3`, ... on a
/// collision, in the order names are asked for (callers ask in sorted order
/// so the result is deterministic).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace with `reserved` names already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Claims `wanted`, or the first free `wanted2`, `wanted3`, ...
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let bare = wanted.trim_start_matches("r#");
        // `_1` then `_1_2`, not `_12`, which would read as another number.
        let sep = if bare.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{bare}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(
            snake("windowsAutopilotDeploymentProfiles_assign"),
            "windows_autopilot_deployment_profiles_assign"
        );
        assert_eq!(
            pascal("microsoft.graph.ODataErrors.ODataError"),
            "MicrosoftGraphODataErrorsODataError"
        );
        assert_eq!(snake("request-id"), "request_id");
        assert_eq!(snake("$select"), "select");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(pascal("self"), "Self_");
        assert_eq!(snake("3rdParty"), "_3rd_party");
        assert_eq!(pascal("2XX"), "_2Xx");
        assert_eq!(snake("@odata.type"), "odata_type");
        assert_eq!(snake("ünïcode"), "ncode");
        assert_eq!(snake("!!!"), "value");
        assert_eq!(
            screaming("deviceManagement.x_assign"),
            "DEVICE_MANAGEMENT_X_ASSIGN"
        );
        assert_eq!(pascal("HTTPServer"), "HttpServer");
    }

    #[test]
    fn enum_variants_keep_values_apart() {
        assert_eq!(variant("-INF"), "MinusInf");
        assert_eq!(variant("INF"), "Inf");
        assert_eq!(variant("+1"), "Plus1");
        assert_eq!(variant("-1"), "Minus1");
        assert_eq!(variant("1"), "_1");
        assert_eq!(variant("1.0"), "_1_0");
        assert_eq!(variant("10"), "_10");
        assert_eq!(variant("*"), "Asterisk");
        assert_eq!(variant("**"), "AsteriskAsterisk");
        assert_eq!(variant(""), "Empty");
        assert_eq!(variant("id desc"), "IdDesc");
        assert_eq!(variant("unknownFutureValue"), "UnknownFutureValue");
        assert_eq!(variant("Self"), "Self_");
    }

    #[test]
    fn numbered_names_get_a_separator() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("_1"), "_1");
        assert_eq!(ns.claim("_1"), "_1_2");
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut ns = Namespace::with_reserved(&["Client"]);
        assert_eq!(ns.claim("Client"), "Client2");
        assert_eq!(ns.claim("A"), "A");
        assert_eq!(ns.claim("A"), "A2");
        assert_eq!(ns.claim("A"), "A3");
    }
}
