//! A JSON pointer that grows and shrinks as a walk descends and returns, so
//! that a location is only turned into a `String` when a violation needs it.

use std::borrow::Cow;

use crate::Violation;

/// A location such as `/body/deviceIds/3`, built one token at a time.
#[derive(Debug, Clone, Default)]
pub struct Pointer {
    /// Borrowed until the first token is pushed, so judging a valid body
    /// allocates nothing for its location.
    text: Cow<'static, str>,
}

impl Pointer {
    /// A pointer that starts at `root` (e.g. `/body`; empty for the root).
    pub fn new(root: &str) -> Self {
        Pointer {
            text: Cow::Owned(root.to_string()),
        }
    }

    /// Like [`Pointer::new`] for a root known at compile time; allocates
    /// nothing until a token is pushed.
    pub const fn at(root: &'static str) -> Self {
        Pointer {
            text: Cow::Borrowed(root),
        }
    }

    /// The location as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The length of the location so far (where tokens pushed next start).
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the location is empty (the document root).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// `key` escaped as an RFC 6901 token (`~` → `~0`, `/` → `~1`),
    /// borrowed when nothing needs escaping; without the leading `/`.
    pub fn escape_key(key: &str) -> Cow<'_, str> {
        if !key.bytes().any(|b| b == b'~' || b == b'/') {
            return Cow::Borrowed(key);
        }
        let mut token = String::with_capacity(key.len() + 2);
        for c in key.chars() {
            match c {
                '~' => token.push_str("~0"),
                '/' => token.push_str("~1"),
                c => token.push(c),
            }
        }
        Cow::Owned(token)
    }

    /// Appends a property name (escaped per RFC 6901: `~` → `~0`, `/` →
    /// `~1`) and returns the length to [`Pointer::truncate`] back to.
    pub fn push_key(&mut self, key: &str) -> usize {
        let mark = self.text.len();
        let text = self.text.to_mut();
        text.push('/');
        text.push_str(&Pointer::escape_key(key));
        mark
    }

    /// Appends an array index; returns the length to truncate back to.
    pub fn push_index(&mut self, index: usize) -> usize {
        let mark = self.text.len();
        let text = self.text.to_mut();
        text.push('/');
        let mut digits = [0u8; 20];
        text.push_str(decimal(index, &mut digits));
        mark
    }

    /// Returns to an earlier length.
    pub fn truncate(&mut self, mark: usize) {
        if mark < self.text.len() {
            self.text.to_mut().truncate(mark);
        }
    }
}

/// `n` in decimal, written into `buf` by hand: indices are written on the
/// hot path, where `fmt` machinery costs more than the rest of the item.
pub(crate) fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).expect("ASCII digits")
}

/// Puts `/token` into each violation's location at `at`: the array index
/// or property name a check left out of the pointer while the value
/// looked valid (so that judging a valid value writes no location).
/// Locations the body reader makes start with room to spare
/// (`walk::type_violation_named`), and growth is amortised otherwise.
pub(super) fn insert_token(violations: &mut [Violation], at: usize, token: &str) {
    for v in violations {
        v.location.reserve(token.len() + 1);
        v.location.insert_str(at, token);
        v.location.insert(at, '/');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_go_in_front_of_the_inner_location() {
        let mut list = vec![
            Violation::new("/body/3", "type", "x"),
            Violation::new("/body", "required", "y"),
        ];
        insert_token(&mut list, "/body".len(), "deviceIds");
        assert_eq!(list[0].location, "/body/deviceIds/3");
        assert_eq!(list[1].location, "/body/deviceIds");
    }

    #[test]
    fn escapes_and_unwinds() {
        let mut p = Pointer::new("/body");
        let a = p.push_key("a/b~c");
        assert_eq!(p.as_str(), "/body/a~1b~0c");
        let b = p.push_index(3);
        assert_eq!(p.as_str(), "/body/a~1b~0c/3");
        p.truncate(b);
        let c = p.push_index(0);
        assert_eq!(p.as_str(), "/body/a~1b~0c/0");
        p.truncate(c);
        p.push_index(1234567);
        assert!(p.as_str().ends_with("/1234567"));
        p.truncate(c);
        p.truncate(a);
        assert_eq!(p.as_str(), "/body");
        p.push_key("");
        assert_eq!(p.as_str(), "/body/");
        assert_eq!(Pointer::escape_key("a/b"), "a~1b");
        assert!(matches!(
            Pointer::escape_key("plain"),
            Cow::Borrowed("plain")
        ));
        let mut q = Pointer::at("/body");
        let m = q.push_index(2);
        assert_eq!(q.as_str(), "/body/2");
        q.truncate(m);
        assert_eq!(q.as_str(), "/body");
    }

    #[test]
    fn indices_are_written_in_decimal() {
        let mut buf = [0u8; 20];
        for n in [0, 7, 10, 99, 1000, 123_456_789, usize::MAX] {
            assert_eq!(decimal(n, &mut buf), n.to_string());
        }
    }
}
