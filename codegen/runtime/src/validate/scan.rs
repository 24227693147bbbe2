//! Finding where a plain run inside a JSON string ends.
//!
//! Strings are the bulk of most request bodies (device ids), so the
//! one-pass reader ([`super::stream`]) spends most of its time here. The
//! scan looks at many bytes per step: 32 (as two halves of 16) with SSE2,
//! which every x86-64 CPU has, and eight with plain `u64` arithmetic
//! elsewhere and for the last few bytes. They give the same answer; the
//! tests compare each with a byte loop.

/// How a run of plain string items ended (see [`plain_strings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunEnd {
    /// `pos` is where an item starts that is not a plain string (it has
    /// escapes, non-ASCII bytes, or is not a string at all): the caller
    /// reads it the general way.
    BeforeItem,
    /// The last item read is not followed by a comma; `pos` is past the
    /// whitespace after it (at `]` in a well-formed array).
    AfterItem,
}

/// What [`plain_strings`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Run {
    /// Where reading stopped.
    pub pos: usize,
    /// How many string items were read.
    pub items: usize,
    /// Why it stopped.
    pub end: RunEnd,
}

/// Reads, from `pos` (where an array item may start, past any
/// whitespace), as many items as are plain strings: ASCII without escapes
/// or control characters, each followed by optional whitespace and a
/// comma. Such strings are valid
/// against a schema that admits every string, so they need no more than
/// this; the reader's general path takes over at anything else.
///
/// This is the loop an array of device ids spends its time in. It keeps
/// a [`Window`] of the special bytes ahead, so one 32-byte look serves the
/// end of one id and the start of the next; the last bytes of the body,
/// where no whole window fits, are looked at by [`next_special`].
pub(super) fn plain_strings(bytes: &[u8], pos: usize) -> Run {
    let mut window = Window::default();
    run(bytes, pos, |from| window.next_special(bytes, from))
}

/// The loop of [`plain_strings`] and [`short_plain_strings`]:
/// `next_special(from)` is the first special byte at or after `from`.
#[inline(always)]
fn run(bytes: &[u8], mut pos: usize, mut next_special: impl FnMut(usize) -> Option<usize>) -> Run {
    let mut items = 0;
    loop {
        if bytes.get(pos) != Some(&b'"') {
            return Run {
                pos,
                items,
                end: RunEnd::BeforeItem,
            };
        }
        let close = match next_special(pos + 1) {
            Some(at) if bytes[at] == b'"' => at,
            _ => {
                return Run {
                    pos,
                    items,
                    end: RunEnd::BeforeItem,
                };
            }
        };
        items += 1;
        // Compact JSON puts the comma right after the quote.
        let mut after = close + 1;
        if bytes.get(after) != Some(&b',') {
            after = skip_ws(bytes, after);
            if bytes.get(after) != Some(&b',') {
                return Run {
                    pos: after,
                    items,
                    end: RunEnd::AfterItem,
                };
            }
        }
        pos = skip_ws(bytes, after + 1);
    }
}

/// The longest rest of a body [`short_plain_strings`] takes.
pub(super) const SHORT_REST: usize = 64;

/// [`plain_strings`] for the end of a body: at most [`SHORT_REST`] bytes
/// from `pos` to the end, in a body of at least 16 bytes (otherwise it
/// defers to [`plain_strings`]). One mask of the special bytes of the
/// whole rest, built from 16-byte looks (the last one overlapping the one
/// before), serves every item: a body of one device id needs no window.
#[inline(always)]
pub(super) fn short_plain_strings(bytes: &[u8], pos: usize) -> Run {
    let Some(mask) = rest_mask(bytes, pos) else {
        return plain_strings(bytes, pos);
    };
    let base = pos;
    run(bytes, pos, |from| {
        let ahead = mask >> (from - base);
        (ahead != 0).then(|| from + ahead.trailing_zeros() as usize)
    })
}

/// The special bytes from `base` to the end of `bytes` (bit `i` is byte
/// `base + i`), when there are at most [`SHORT_REST`] of them and the
/// body has at least 16 bytes.
#[inline(always)]
fn rest_mask(bytes: &[u8], base: usize) -> Option<u64> {
    let rest = bytes.len().checked_sub(base)?;
    if rest > SHORT_REST || bytes.len() < 16 {
        return None;
    }
    let mut mask = 0u64;
    let mut chunks = bytes[base..].chunks_exact(16);
    for (i, chunk) in chunks.by_ref().enumerate() {
        let chunk: &[u8; 16] = chunk.try_into().ok()?;
        mask |= u64::from(mask16(chunk)) << (16 * i);
    }
    if !chunks.remainder().is_empty() {
        // The last 16 bytes of the body, which start `rest - 16` bytes
        // after `base` (or before it, when the rest is shorter).
        let tail: &[u8; 16] = bytes[bytes.len() - 16..].try_into().ok()?;
        let tail = u64::from(mask16(tail));
        mask |= match (base + 16).checked_sub(bytes.len()) {
            Some(before) => tail >> before,
            None => tail << (rest - 16),
        };
    }
    Some(mask)
}

/// The special bytes (as [`special_offset`] with `stop_at_non_ascii`) of
/// the 32 bytes from `base`: bit `i` of `mask` is byte `base + i`.
/// Empty (`len` 0) until first loaded.
#[derive(Default)]
struct Window {
    base: usize,
    len: usize,
    mask: u32,
}

impl Window {
    /// The first special byte at or after `from`.
    #[inline]
    fn next_special(&mut self, bytes: &[u8], mut from: usize) -> Option<usize> {
        loop {
            if from >= self.base && from < self.base + self.len {
                let ahead = self.mask & (u32::MAX << (from - self.base));
                if ahead != 0 {
                    return Some(self.base + ahead.trailing_zeros() as usize);
                }
                // Nothing special up to the window's end.
                from = self.base + self.len;
            }
            match bytes.get(from..from + 32) {
                Some(chunk) => {
                    let chunk: &[u8; 32] = chunk.try_into().expect("32 bytes");
                    let (low, high) = chunk.split_at(16);
                    *self = Window {
                        base: from,
                        len: 32,
                        mask: mask16(low.try_into().expect("16 bytes"))
                            | mask16(high.try_into().expect("16 bytes")) << 16,
                    };
                }
                None => return next_special(bytes, from),
            }
        }
    }
}

/// The first special byte (as [`special_offset`] with `stop_at_non_ascii`)
/// at or after `from`, looking at 16 bytes per step. Where fewer than 16
/// are left, it looks at the last 16 bytes of `bytes` again (ignoring
/// those before `from`) rather than going byte by byte: every body's last
/// string ends there.
#[inline]
fn next_special(bytes: &[u8], mut from: usize) -> Option<usize> {
    while let Some(chunk) = bytes.get(from..from + 16) {
        let mask = mask16(chunk.try_into().expect("16 bytes"));
        if mask != 0 {
            return Some(from + mask.trailing_zeros() as usize);
        }
        from += 16;
    }
    if from >= bytes.len() {
        return None;
    }
    match bytes.len().checked_sub(16) {
        Some(base) => {
            let tail: &[u8; 16] = bytes[base..].try_into().expect("16 bytes");
            let mask = mask16(tail) >> (from - base);
            (mask != 0).then(|| from + mask.trailing_zeros() as usize)
        }
        None => special_offset(&bytes[from..], true).map(|i| from + i),
    }
}

/// Bit `i` set when byte `i` of `chunk` is special: `"`, `\`, below 0x20,
/// or 0x80 and above.
#[inline]
fn mask16(chunk: &[u8; 16]) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        x86::mask16(chunk, true)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        mask16_bytewise(chunk)
    }
}

/// [`mask16`] a byte at a time, for targets without SSE2 (and as the
/// reference the SSE2 version is tested against).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn mask16_bytewise(chunk: &[u8; 16]) -> u32 {
    chunk
        .iter()
        .enumerate()
        .filter(|(_, b)| is_special(**b, true))
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

/// Where a short plain string ends: the offset of its closing quote when
/// the string whose content starts at `start` is ASCII without escapes or
/// control characters and closes within the next 16 bytes (one look).
/// `None` otherwise; the caller then scans it the general way. Object keys
/// are nearly all like this.
#[inline]
pub(super) fn short_plain_end(bytes: &[u8], start: usize) -> Option<usize> {
    let chunk: &[u8; 16] = bytes.get(start..start + 16)?.try_into().ok()?;
    let mask = mask16(chunk);
    let end = start + mask.trailing_zeros() as usize;
    (mask != 0 && bytes[end] == b'"').then_some(end)
}

/// The end of the run of bytes from `pos` that can make up a JSON number
/// (digits, `-`, `+`, `.`, `e`, `E`), without checking their grammar.
///
/// In well-formed JSON a number is followed by whitespace, `,`, `]` or
/// `}`, so this is where the number ends; in malformed JSON the body is
/// invalid whatever the run holds.
///
/// One 16-byte look settles a number shorter than that (nearly all); near
/// the end of the body it looks at the body's last 16 bytes again.
#[inline]
pub(super) fn number_run_end(bytes: &[u8], pos: usize) -> usize {
    if let Some(chunk) = bytes.get(pos..pos + 16) {
        let others = !number_mask16(chunk.try_into().expect("16 bytes")) & 0xffff;
        return match others {
            0 => number_run_end_bytewise(bytes, pos + 16),
            _ => pos + others.trailing_zeros() as usize,
        };
    }
    match bytes.len().checked_sub(16) {
        Some(base) if base < pos => {
            let tail: &[u8; 16] = bytes[base..].try_into().expect("16 bytes");
            let others = (!number_mask16(tail) & 0xffff) >> (pos - base);
            match others {
                0 => bytes.len(),
                _ => pos + others.trailing_zeros() as usize,
            }
        }
        _ => number_run_end_bytewise(bytes, pos),
    }
}

/// [`number_run_end`] a byte at a time.
fn number_run_end_bytewise(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|&b| is_number_byte(b)) {
        pos += 1;
    }
    pos
}

/// Whether `b` can be part of a JSON number.
fn is_number_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Bit `i` set when byte `i` of `chunk` can be part of a JSON number.
#[inline]
fn number_mask16(chunk: &[u8; 16]) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        x86::number_mask16(chunk)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        number_mask16_bytewise(chunk)
    }
}

/// [`number_mask16`] a byte at a time (the reference for the SSE2 one).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn number_mask16_bytewise(chunk: &[u8; 16]) -> u32 {
    chunk
        .iter()
        .enumerate()
        .filter(|(_, b)| is_number_byte(**b))
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

/// The first offset from `pos` that is not JSON whitespace.
#[inline]
pub(super) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    // Most calls find no whitespace at all (compact JSON), and every JSON
    // whitespace byte is at most a space: one comparison settles those.
    while let Some(&b) = bytes.get(pos) {
        if b > b' ' || !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        pos += 1;
    }
    pos
}

/// The offset of the first byte in `bytes` that ends a plain run inside a
/// JSON string: `"`, `\`, a control character (below 0x20), and, when
/// `stop_at_non_ascii`, any byte of 0x80 or above (so the caller knows the
/// string needs a UTF-8 check). `None` when there is none.
#[inline]
pub(super) fn special_offset(bytes: &[u8], stop_at_non_ascii: bool) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        x86::sse2(bytes, stop_at_non_ascii)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        swar(bytes, stop_at_non_ascii)
    }
}

/// Eight bytes per step: a byte `b` of a word is flagged when `b < 0x20`,
/// when `b ^ '"'` or `b ^ '\'` is zero (the usual borrow tricks on `u64`),
/// or, if asked, when its top bit is set.
fn swar(bytes: &[u8], stop_at_non_ascii: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let high = if stop_at_non_ascii { HIGHS } else { 0 };
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&bytes[at..at + 8]);
        let word = u64::from_le_bytes(chunk);
        let flags = below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | (word & high);
        if flags != 0 {
            // Bytes before the first flagged one cannot carry a false
            // flag into it (borrows only move upwards, and a top bit is
            // exact), so the lowest flag is exact.
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    // The last few bytes as one more word, padded with spaces (never
    // special), so no flag can come from the padding.
    let rest = &bytes[at..];
    if rest.is_empty() {
        return None;
    }
    let mut chunk = [b' '; 8];
    chunk[..rest.len()].copy_from_slice(rest);
    let word = u64::from_le_bytes(chunk);
    let flags = below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
        | (word & high);
    (flags != 0).then(|| at + (flags.trailing_zeros() / 8) as usize)
}

/// The byte-at-a-time definition every scan must agree with.
fn is_special(b: u8, stop_at_non_ascii: bool) -> bool {
    b == b'"' || b == b'\\' || b < 0x20 || (stop_at_non_ascii && b >= 0x80)
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod x86 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
        _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// Bit `i` set when byte `i` of `chunk` is a digit, `-`, `+`, `.`, `e`
    /// or `E`.
    #[inline]
    pub(super) fn number_mask16(chunk: &[u8; 16]) -> u32 {
        // SAFETY: as in [`mask16`]: SSE2 is enabled at compile time and
        // the load reads exactly the sixteen bytes of `chunk`.
        unsafe {
            let chunk: __m128i = _mm_loadu_si128(chunk.as_ptr().cast());
            let set = |b: u8| _mm_set1_epi8(b as i8);
            // `+` (0x2b) to `9` (0x39) but for `,` and `/`. The compares
            // are signed, so bytes of 0x80 and above fall below 0x2b.
            let range = _mm_and_si128(
                _mm_cmpgt_epi8(chunk, set(b'+' - 1)),
                _mm_cmplt_epi8(chunk, set(b'9' + 1)),
            );
            let gaps = _mm_or_si128(
                _mm_cmpeq_epi8(chunk, set(b',')),
                _mm_cmpeq_epi8(chunk, set(b'/')),
            );
            // `e` and `E` differ only in the 0x20 bit.
            let exponent = _mm_cmpeq_epi8(_mm_or_si128(chunk, set(0x20)), set(b'e'));
            _mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(gaps, range), exponent)) as u32
        }
    }

    /// Thirty-two bytes per step as two sixteen-byte SSE2 halves, then
    /// [`super::swar`] for the rest.
    ///
    /// SSE2 is part of the x86-64 baseline, enabled at compile time (the
    /// `cfg` on this module says so), which is what makes calling its
    /// intrinsics sound here. Being a plain function (no
    /// `#[target_feature]`, no run-time detection, unlike an AVX2 path
    /// would need) lets it inline into the reader's loops, which matters
    /// more for 36-byte ids than a wider step.
    #[inline]
    pub(super) fn sse2(bytes: &[u8], stop_at_non_ascii: bool) -> Option<usize> {
        let mut at = 0;
        while let Some(chunk) = bytes.get(at..at + 32) {
            let mask = mask32(chunk.try_into().expect("32 bytes"), stop_at_non_ascii);
            if mask != 0 {
                return Some(at + mask.trailing_zeros() as usize);
            }
            at += 32;
        }
        if let Some(chunk) = bytes.get(at..at + 16) {
            let mask = mask16(chunk.try_into().expect("16 bytes"), stop_at_non_ascii);
            if mask != 0 {
                return Some(at + mask.trailing_zeros() as usize);
            }
            at += 16;
        }
        super::swar(&bytes[at..], stop_at_non_ascii).map(|i| at + i)
    }

    /// [`mask16`] of both halves of `chunk`.
    #[inline]
    pub(super) fn mask32(chunk: &[u8; 32], stop_at_non_ascii: bool) -> u32 {
        let (low, high) = chunk.split_at(16);
        mask16(low.try_into().expect("16 bytes"), stop_at_non_ascii)
            | mask16(high.try_into().expect("16 bytes"), stop_at_non_ascii) << 16
    }

    /// Bit `i` set when byte `i` of `chunk` ends a plain run.
    #[inline]
    pub(super) fn mask16(chunk: &[u8; 16], stop_at_non_ascii: bool) -> u32 {
        // SAFETY: SSE2 is enabled at compile time (see [`sse2`]), and the
        // load reads exactly the sixteen bytes of `chunk`, with no
        // alignment required.
        let (hits, chunk) = unsafe {
            let chunk: __m128i = _mm_loadu_si128(chunk.as_ptr().cast());
            let highest_control = _mm_set1_epi8(0x1f);
            // b <= 0x1f exactly when max(b, 0x1f) == 0x1f (unsigned).
            let control = _mm_cmpeq_epi8(_mm_max_epu8(chunk, highest_control), highest_control);
            let quote = _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'\\' as i8));
            // movemask gathers each byte's top bit: of the comparison
            // results, and of the bytes themselves (non-ASCII).
            (
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)),
                _mm_movemask_epi8(chunk),
            )
        };
        let high = if stop_at_non_ascii { chunk } else { 0 };
        (hits | high) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8], stop_at_non_ascii: bool) -> Option<usize> {
        bytes.iter().position(|&b| is_special(b, stop_at_non_ascii))
    }

    /// Every scan this CPU can run, by name.
    #[allow(clippy::type_complexity)]
    fn scans() -> Vec<(&'static str, Box<dyn Fn(&[u8], bool) -> Option<usize>>)> {
        let all: Vec<(&'static str, Box<dyn Fn(&[u8], bool) -> Option<usize>>)> = vec![
            ("dispatch", Box::new(special_offset)),
            ("swar", Box::new(swar)),
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            ("sse2", Box::new(x86::sse2)),
        ];
        all
    }

    #[test]
    fn special_bytes_are_found_exactly() {
        let mut cases: Vec<Vec<u8>> = vec![
            b"plain text without specials at all".to_vec(),
            b"abc\"def".to_vec(),
            b"0123456789abcdef\\".to_vec(),
            "caf\u{e9} \u{1F600} \"".as_bytes().to_vec(),
            vec![0x21, 0x1f, 0x22],
            vec![0xff, 0xfe, 0x80, 0x7f, 0x20, 0x5c],
            vec![0x23; 40],
            Vec::new(),
        ];
        // Every byte value at every position of a 72-byte buffer, so the
        // 32-, 16- and 8-byte steps and the byte tail all see each one.
        for byte in 0..=255u8 {
            for at in 0..72 {
                let mut buf = vec![b'a'; 72];
                buf[at] = byte;
                cases.push(buf);
            }
        }
        for (name, scan) in scans() {
            for case in &cases {
                for stop_at_non_ascii in [false, true] {
                    assert_eq!(
                        scan(case, stop_at_non_ascii),
                        naive(case, stop_at_non_ascii),
                        "{name}, stop_at_non_ascii {stop_at_non_ascii}: {case:?}"
                    );
                }
            }
        }
    }

    fn run(text: &str) -> (usize, usize, RunEnd) {
        let r = plain_strings(text.as_bytes(), 0);
        (r.pos, r.items, r.end)
    }

    #[test]
    fn plain_string_runs_stop_where_the_general_reader_must_look() {
        use RunEnd::{AfterItem, BeforeItem};
        // A whole array's items, with and without whitespace (the run
        // starts past any).
        assert_eq!(run(r#""a","b" , "c"]"#), (13, 3, AfterItem));
        assert_eq!(run("\"\"\n,\t\"x\"\r\n]"), (10, 2, AfterItem));
        // Not strings, or strings that need decoding or a UTF-8 check:
        // the run stops before them.
        assert_eq!(run(r#""a", 7]"#), (5, 1, BeforeItem));
        assert_eq!(run(r#""a","b\"c"]"#), (4, 1, BeforeItem));
        assert_eq!(run("\"a\",\"caf\u{e9}\"]"), (4, 1, BeforeItem));
        assert_eq!(run("\"a\",\"tab\there\"]"), (4, 1, BeforeItem));
        assert_eq!(run("]"), (0, 0, BeforeItem));
        // A trailing comma leaves `]` to the general reader, which refuses it.
        assert_eq!(run(r#""a",]"#), (4, 1, BeforeItem));
        // The text ends early: nothing past the end is claimed.
        assert_eq!(run(r#""a","unterminated"#), (4, 1, BeforeItem));
        assert_eq!(run(r#""a""#), (3, 1, AfterItem));
        // Long strings cross the 32- and 16-byte steps.
        let long = format!("\"{}\",\"{}\"]", "x".repeat(70), "y".repeat(33));
        assert_eq!(run(&long), (long.len() - 1, 2, AfterItem));
    }

    #[test]
    fn short_plain_strings_end_at_their_quote_within_one_look() {
        let pad = "                ";
        let found = |text: &str| short_plain_end(format!("{text}{pad}").as_bytes(), 1);
        assert_eq!(found(r#""deviceIds":"#), Some(10));
        assert_eq!(found(r#""":"#), Some(1));
        assert_eq!(found(r#""fifteen-bytes..":"#), Some(16));
        // The quote is the 17th byte: beyond one look.
        assert_eq!(found(r#""sixteen-bytes...":"#), None);
        // Escapes, non-ASCII bytes and control characters are for the
        // general scan.
        assert_eq!(found(r#""a\"b":"#), None);
        assert_eq!(found("\"caf\u{e9}\":"), None);
        assert_eq!(found("\"a\tb\":"), None);
        // Fewer than 16 bytes left: no look at all.
        assert_eq!(short_plain_end(br#""ab":1}"#, 1), None);
    }

    #[test]
    fn a_number_run_ends_at_the_first_byte_no_number_has() {
        for (text, end) in [
            ("12345]", 5),
            ("-0.5e+10,", 8),
            ("1E-3}", 4),
            ("7 ,", 1),
            ("7", 1),
            // Not JSON numbers, but runs all the same: the grammar is
            // the caller's business.
            ("01-.e]", 5),
            ("-", 1),
            ("x", 0),
        ] {
            assert_eq!(number_run_end(text.as_bytes(), 0), end, "{text}");
        }
        assert_eq!(number_run_end(b"[12,3]", 1), 3);
        assert_eq!(number_run_end(b"12", 2), 2);
    }

    #[test]
    fn the_end_of_a_body_is_read_as_the_window_reads_it() {
        // Bodies of 16 to 80 bytes ending in arrays of short strings,
        // with escapes, non-ASCII bytes, whitespace and missing quotes
        // at every place: the one-mask read and the window must stop at
        // the same place with the same count.
        let items = [
            "\"a\"",
            "\"0123456789abcdef0123\"",
            "\"\"",
            " \"b\" ",
            "\"c\\\"d\"",
            "\"\u{e9}\"",
            "7",
            "\"unterminated",
        ];
        let mut compared = 0;
        for first in 0..items.len() {
            for second in 0..items.len() {
                for pad in 0..40 {
                    let array = format!("{},{}]", items[first], items[second]);
                    let text = format!("{{\"{}\":[{array}}}", "k".repeat(pad));
                    let bytes = text.as_bytes();
                    let start = bytes.len() - array.len() - 1;
                    let start = skip_ws(bytes, start);
                    if bytes.len() - start > SHORT_REST || bytes.len() < 16 {
                        continue;
                    }
                    assert_eq!(
                        short_plain_strings(bytes, start),
                        plain_strings(bytes, start),
                        "{text}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared} bodies compared");
        // Too long a rest, or too short a body: the window's answer.
        let long = format!("[\"{}\"]", "x".repeat(70));
        assert_eq!(
            short_plain_strings(long.as_bytes(), 1),
            plain_strings(long.as_bytes(), 1)
        );
        assert_eq!(
            short_plain_strings(b"[\"a\"]", 1),
            plain_strings(b"[\"a\"]", 1)
        );
    }

    #[test]
    fn number_runs_end_where_a_byte_at_a_time_says() {
        for byte in 0..=255u8 {
            let mut chunk = [b'7'; 16];
            for at in 0..16 {
                chunk[at] = byte;
                let expected = number_mask16_bytewise(&chunk);
                assert_eq!(number_mask16(&chunk), expected, "byte {byte:#x} at {at}");
                chunk[at] = b'7';
            }
        }
        // Runs of every length up to past a whole look, ended by each
        // kind of byte or by the end of the body, from every start.
        for len in 0..40 {
            for stop in [&b"]"[..], b",", b" ", b"x", b"\xff", b""] {
                let mut text = b"[".to_vec();
                text.extend((0..len).map(|i| b"12-+.eE90"[i % 9]));
                text.extend_from_slice(stop);
                for start in 0..text.len() {
                    assert_eq!(
                        number_run_end(&text, start),
                        number_run_end_bytewise(&text, start),
                        "{:?} from {start}",
                        String::from_utf8_lossy(&text)
                    );
                }
            }
        }
    }

    #[test]
    fn masks_flag_exactly_the_special_bytes() {
        for byte in 0..=255u8 {
            for at in 0..16 {
                let mut chunk = [b'a'; 16];
                chunk[at] = byte;
                let expected = if is_special(byte, true) { 1 << at } else { 0 };
                assert_eq!(mask16_bytewise(&chunk), expected, "byte {byte:#x} at {at}");
                assert_eq!(mask16(&chunk), expected, "byte {byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn every_special_byte_is_found_in_turn() {
        // Specials at irregular gaps, some closer than a step, some
        // farther, and near the end where a whole step cannot be loaded.
        let mut text = Vec::new();
        for gap in [0usize, 1, 5, 30, 31, 32, 33, 64, 3, 100, 2, 40] {
            text.extend(std::iter::repeat_n(b'x', gap));
            text.push(if gap % 2 == 0 { b'"' } else { 0xc3 });
        }
        text.extend(b"tail");
        let expected: Vec<usize> = (0..text.len())
            .filter(|&i| is_special(text[i], true))
            .collect();
        // One window kept across the calls, as the run keeps it, and the
        // stepwise search alone.
        let mut window = Window::default();
        let mut found = (Vec::new(), Vec::new());
        let mut from = 0;
        while let Some(at) = window.next_special(&text, from) {
            found.0.push(at);
            from = at + 1;
        }
        from = 0;
        while let Some(at) = next_special(&text, from) {
            found.1.push(at);
            from = at + 1;
        }
        assert_eq!(found, (expected.clone(), expected.clone()));
        // Starting anywhere gives the next special after that point.
        for start in 0..text.len() {
            let next = expected.iter().copied().find(|&i| i >= start);
            assert_eq!(next_special(&text, start), next, "from {start}");
            assert_eq!(
                Window::default().next_special(&text, start),
                next,
                "from {start}"
            );
        }
        // Buffers around the step's size, where the last bytes are looked
        // at again from the end.
        for len in 0..70 {
            for special in (0..len).map(Some).chain([None]) {
                let mut text = vec![b'x'; len];
                if let Some(at) = special {
                    text[at] = b'\\';
                }
                for start in 0..=len {
                    let next = special.filter(|&at| at >= start);
                    assert_eq!(
                        next_special(&text, start),
                        next,
                        "length {len}, special {special:?}, from {start}"
                    );
                    assert_eq!(
                        Window::default().next_special(&text, start),
                        next,
                        "window: length {len}, special {special:?}, from {start}"
                    );
                }
            }
        }
    }
}
