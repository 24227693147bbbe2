//! Strings a `pattern` matches, made from the pattern itself: each
//! alternative, class member and repetition count is a choice, asked of
//! the caller (the deterministic maker always takes the first; the random
//! one draws).
//!
//! The schema's pattern is ECMA-262; it is read as a Rust regex, without
//! Unicode classes first (ECMA-262's `\d` and `\w` are ASCII), with them
//! when a class needs them (a negated class such as `[^@\s]`). Where the
//! two dialects differ a sample may not match; the oracle then calls it
//! invalid.

use regex_syntax::ParserBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Makes choices: `choose(n)` is a number in `0..n` (`n > 0`).
pub type Choose<'c> = &'c mut dyn FnMut(usize) -> usize;

/// A string `pattern` matches, or `None` for a pattern the Rust regex
/// parser cannot read.
pub fn sample(pattern: &str, choose: Choose<'_>) -> Option<String> {
    let hir = ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(pattern)
        .ok()
        .or_else(|| ParserBuilder::new().build().parse(pattern).ok())?;
    let mut out = String::new();
    emit(&hir, choose, &mut out);
    Some(out)
}

/// Appends a string that `hir` matches (anchors match empty).
fn emit(hir: &Hir, choose: Choose<'_>, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(u32, u32)> = class
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect();
            if let Some(c) = class_member(&ranges, choose) {
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
            if let Some(c) = class_member(&ranges, choose) {
                out.push(c);
            }
        }
        HirKind::Repetition(repetition) => {
            // Unbounded repetitions stay short.
            let room = repetition
                .max
                .map_or(3, |max| (max - repetition.min).min(6));
            let times = repetition.min + choose(room as usize + 1) as u32;
            for _ in 0..times {
                emit(&repetition.sub, choose, out);
            }
        }
        HirKind::Capture(capture) => emit(&capture.sub, choose, out),
        HirKind::Concat(parts) => {
            for part in parts {
                emit(part, choose, out);
            }
        }
        HirKind::Alternation(choices) => {
            let choice = choose(choices.len());
            emit(&choices[choice], choose, out);
        }
    }
}

/// A character of a class given as code point ranges: mostly (85 in 100
/// choices, and always for the first choice) printable ASCII, when the
/// class has some.
fn class_member(ranges: &[(u32, u32)], choose: Choose<'_>) -> Option<char> {
    let printable: Vec<(u32, u32)> = ranges
        .iter()
        .map(|&(lo, hi)| (lo.max(0x20), hi.min(0x7e)))
        .filter(|(lo, hi)| lo <= hi)
        .collect();
    let pool = if !printable.is_empty() && choose(100) < 85 {
        &printable[..]
    } else {
        ranges
    };
    if pool.is_empty() {
        return None;
    }
    let (lo, hi) = pool[choose(pool.len())];
    let code = lo + choose((hi - lo + 1) as usize) as u32;
    // A range across the surrogates gives its start instead.
    char::from_u32(code).or_else(|| char::from_u32(lo))
}
