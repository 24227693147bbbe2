//! Exact numeric rules: what counts as an integer, comparisons against
//! bounds, `multipleOf`, and numeric equality for `enum`/`uniqueItems`.
//!
//! JSON numbers arrive as [`serde_json::Number`]: a `u64`, an `i64`, or an
//! `f64` when the text had a fraction or exponent or did not fit 64 bits.
//! Integers are compared as integers (through `i128`), never rounded to
//! `f64`, so `2147483648` is above `2147483647.0` however they are written.

use std::cmp::Ordering;

use serde_json::Number;

/// 2^63, the first magnitude past `i64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^53: below it every integer is exact in `f64`.
const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// Whether `n` is an integer in Draft 4's sense: written without fraction
/// or exponent. `serde_json` keeps such text as `u64`/`i64` when it fits;
/// a larger one becomes an `f64` that prints with an exponent (`1e20`), and
/// an exponent written by the sender prints the same way, so any `f64`
/// with an exponent and a magnitude past `i64` is taken as written whole.
pub fn is_integer(n: &Number) -> bool {
    if n.is_u64() || n.is_i64() {
        return true;
    }
    let text = n.to_string();
    if text.contains(['e', 'E']) {
        n.as_f64().is_some_and(|f| f.abs() >= TWO_POW_63)
    } else {
        !text.contains('.')
    }
}

/// An integer value exactly, when it has one.
pub fn as_i128(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// Compares `n` with `bound` without rounding `n`.
pub fn compare(n: &Number, bound: f64) -> Ordering {
    match as_i128(n) {
        Some(i) => compare_int(i, bound),
        None => n
            .as_f64()
            .and_then(|f| f.partial_cmp(&bound))
            .unwrap_or(Ordering::Equal),
    }
}

/// Compares an integer with an `f64` exactly.
pub fn compare_int(value: i128, bound: f64) -> Ordering {
    // i128 spans about ±1.7e38; bounds past it are beyond every JSON integer
    // serde_json keeps as an integer (at most 2^64).
    if bound >= 1e38 {
        return Ordering::Less;
    }
    if bound <= -1e38 {
        return Ordering::Greater;
    }
    let floor = bound.floor();
    // `floor` is a whole number within i128, so the cast is exact.
    match value.cmp(&(floor as i128)) {
        Ordering::Equal if bound > floor => Ordering::Less,
        other => other,
    }
}

/// Whether two JSON numbers are the same number (`1` equals `1.0`).
pub fn equal(a: &Number, b: &Number) -> bool {
    match (as_i128(a), as_i128(b)) {
        (Some(x), Some(y)) => x == y,
        (Some(x), None) => b.as_f64().is_some_and(|f| compare_int(x, f).is_eq()),
        (None, Some(y)) => a.as_f64().is_some_and(|f| compare_int(y, f).is_eq()),
        (None, None) => a.as_f64() == b.as_f64(),
    }
}

/// Whether `n` equals the `f64` value `target` (an `enum` entry).
pub fn equals_f64(n: &Number, target: f64) -> bool {
    compare(n, target).is_eq()
}

/// `multipleOf`: whether `n / divisor` is a whole number, reading both as
/// the decimal numbers they print as (so `0.3` is a multiple of `0.1`).
pub fn is_multiple_of(n: &Number, divisor: f64) -> bool {
    let whole_divisor = divisor > 0.0 && divisor <= TWO_POW_53 && divisor.fract() == 0.0;
    if whole_divisor {
        if let Some(i) = as_i128(n) {
            return i % (divisor as i128) == 0;
        }
        let Some(f) = n.as_f64() else { return false };
        if f == 0.0 {
            return is_written_zero(n);
        }
        return f.fract() == 0.0 && f % divisor == 0.0;
    }
    let Some(f) = n.as_f64() else { return false };
    if f == 0.0 {
        return is_written_zero(n);
    }
    if f.abs() < divisor {
        return false;
    }
    match (decimal(f), decimal(divisor)) {
        (Some(value), Some(step)) => {
            divides(value, step).unwrap_or_else(|| float_divides(f, divisor))
        }
        _ => float_divides(f, divisor),
    }
}

/// A value that underflowed to zero (`1e-400`) is not a zero.
fn is_written_zero(n: &Number) -> bool {
    let text = n.to_string();
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    mantissa.bytes().all(|b| !b.is_ascii_digit() || b == b'0')
}

/// `f` as `mantissa × 10^exponent` with the shortest digits that
/// round-trip.
fn decimal(f: f64) -> Option<(i128, i32)> {
    let text = format!("{f:e}");
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = digits.starts_with('-');
    let digits = digits.trim_start_matches('-');
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let mut mantissa: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    let exponent = exponent - i32::try_from(frac_part.len()).ok()?;
    Some((if negative { -mantissa } else { mantissa }, exponent))
}

/// Whether `value / step` is whole, both given as decimal (mantissa,
/// exponent); `None` when the arithmetic leaves `i128`.
fn divides(value: (i128, i32), step: (i128, i32)) -> Option<bool> {
    let (vm, ve) = value;
    let (sm, se) = step;
    if sm == 0 {
        return None;
    }
    let scale = |m: i128, places: i32| -> Option<i128> {
        m.checked_mul(10i128.checked_pow(u32::try_from(places).ok()?)?)
    };
    let shared = ve.min(se);
    Some(scale(vm, ve - shared)? % scale(sm, se - shared)? == 0)
}

/// The last resort for numbers whose decimal forms are too long.
fn float_divides(value: f64, divisor: f64) -> bool {
    let quotient = value / divisor;
    quotient.is_finite() && quotient.fract() == 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        text.parse().unwrap()
    }

    #[test]
    fn draft4_integers_are_written_whole() {
        assert!(is_integer(&n("1")));
        assert!(is_integer(&n("-5")));
        assert!(is_integer(&n("18446744073709551616")));
        assert!(is_integer(&n("1e30")));
        assert!(!is_integer(&n("1.0")));
        assert!(!is_integer(&n("1e2")));
        assert!(!is_integer(&n("0.5")));
    }

    #[test]
    fn comparisons_are_exact() {
        assert_eq!(compare(&n("2147483648"), 2147483647.0), Ordering::Greater);
        assert_eq!(compare(&n("2147483647"), 2147483647.0), Ordering::Equal);
        assert_eq!(compare(&n("3"), 3.5), Ordering::Less);
        assert_eq!(compare(&n("4"), 3.5), Ordering::Greater);
        assert_eq!(compare(&n("-4"), -3.5), Ordering::Less);
        assert_eq!(
            compare(&n("9007199254740993"), 9007199254740992.0),
            Ordering::Greater
        );
        assert_eq!(compare(&n("1.5"), 1.5), Ordering::Equal);
    }

    #[test]
    fn equality_ignores_representation() {
        assert!(equal(&n("1"), &n("1.0")));
        assert!(!equal(&n("1"), &n("1.5")));
        assert!(equals_f64(&n("2"), 2.0));
        assert!(!equals_f64(&n("2"), 2.5));
    }

    #[test]
    fn multiples() {
        assert!(is_multiple_of(&n("10"), 5.0));
        assert!(!is_multiple_of(&n("11"), 5.0));
        assert!(is_multiple_of(&n("0.3"), 0.1));
        assert!(is_multiple_of(&n("1.5"), 0.5));
        assert!(!is_multiple_of(&n("1.25"), 0.5));
        assert!(is_multiple_of(&n("0"), 0.5));
        assert!(!is_multiple_of(&n("0.05"), 0.1));
        // serde_json reads 1e-400 as 0.0: the value judged is zero.
        assert!(is_multiple_of(&n("1e-400"), 5.0));
    }
}
