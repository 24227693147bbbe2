//! Emitted code as one flat token list, and [`code!`], which writes it.
//!
//! The emitters used to build `proc_macro2` token streams with `quote!`
//! and the printer then flattened them. On Microsoft's modules that was
//! most of the generator's time: every identifier and literal was a small
//! allocation, copied again at each level of nesting and freed at the end.
//! A [`Code`] is the form the printer reads anyway: the text of all tokens
//! in one string and the tokens in one array, a group followed by its
//! inner tokens. Appending one `Code` to another copies two arrays.
//!
//! [`code!`] takes the same input as `quote!` did for our emitters: Rust
//! tokens with `#name` to insert a value ([`ToCode`]) and `#(…)*` or
//! `#(…),*` to insert one copy per item of a collection. Unlike `quote!`,
//! the collection is consumed (`for item in name`) and exactly one
//! `#name` inside the repetition names it. Each token becomes a push of
//! its text, so nothing is parsed at run time.

use std::cell::RefCell;
use std::fmt::Write as _;

/// A token: words (identifiers, keywords, literals and lifetimes),
/// operators (`::`, `=>`, `&`, as the compiler's lexer splits them),
/// documentation lines and groups. A group is followed by its `len` inner
/// tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    Word(Span, Word),
    Op(Span),
    /// One line of documentation: the text after `///`.
    Doc(Span),
    Group(Delimiter, usize),
}

/// Where a token's text is in [`Code::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// What kind of word a [`Tok::Word`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Word {
    /// An identifier that can end an operand (`x`, `self`, `Self`, `true`).
    Name,
    /// A keyword that cannot end an operand (`let`, `if`, `as`, `fn`).
    Keyword,
    /// A literal.
    Literal,
    /// A lifetime (`'a`, `'static`).
    Lifetime,
}

/// The brackets of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    Parenthesis,
    Bracket,
    Brace,
}

/// A sequence of tokens (see the module documentation). Two `Code`s are
/// equal when they hold the same tokens: the text is always the tokens'
/// texts back to back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Code {
    pub(crate) text: String,
    pub(crate) toks: Vec<Tok>,
}

/// Keywords after which an operator is unary and a `(` is not a call.
/// `self`, `Self`, `super`, `crate`, `true` and `false` are missing on
/// purpose: they end operands and start paths.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "type"
            | "union"
            | "unsafe"
            | "use"
            | "where"
            | "while"
    )
}

/// At most this many emptied buffers are kept per thread for reuse.
const SPARE_BUFFERS: usize = 64;

/// Buffers larger than this (text bytes) are freed, not kept: a whole
/// section would hold megabytes for nothing.
const SPARE_MAX_BYTES: usize = 16 * 1024;

thread_local! {
    /// The emptied buffers of dropped `Code`s, which [`Code::new`] hands
    /// out again. The emitters make and drop a `Code` for almost every
    /// type, field and expression; with fresh buffers, allocating,
    /// growing and freeing them was a third of the time spent emitting.
    static SPARE: RefCell<Vec<(String, Vec<Tok>)>> = const { RefCell::new(Vec::new()) };
}

impl Drop for Code {
    fn drop(&mut self) {
        if self.text.capacity() > SPARE_MAX_BYTES || self.toks.capacity() == 0 {
            return;
        }
        let (mut text, mut toks) = (
            std::mem::take(&mut self.text),
            std::mem::take(&mut self.toks),
        );
        text.clear();
        toks.clear();
        // A thread being torn down has no spare list any more: then the
        // buffers are simply freed.
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARE_BUFFERS {
                spare.push((text, toks));
            }
        });
    }
}

impl Code {
    /// No tokens (reusing a dropped `Code`'s buffers when there is one).
    pub fn new() -> Code {
        let spare = SPARE
            .try_with(|spare| spare.borrow_mut().pop())
            .ok()
            .flatten();
        match spare {
            Some((text, toks)) => Code { text, toks },
            None => Code::default(),
        }
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    fn span(&mut self, text: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        Span {
            start,
            end: self.text.len() as u32,
        }
    }

    /// Appends an identifier or keyword.
    pub(crate) fn word(&mut self, text: &str) {
        let kind = if is_keyword(text) {
            Word::Keyword
        } else {
            Word::Name
        };
        let span = self.span(text);
        self.toks.push(Tok::Word(span, kind));
    }

    /// Appends a lifetime (`'a`).
    pub(crate) fn lifetime(&mut self, text: &str) {
        let span = self.span(text);
        self.toks.push(Tok::Word(span, Word::Lifetime));
    }

    /// Appends a literal as written (`"text"`, `3`, `b"key"`).
    pub(crate) fn literal(&mut self, text: &str) {
        let span = self.span(text);
        self.toks.push(Tok::Word(span, Word::Literal));
    }

    /// Appends an operator (`::`, `=>`, `&`, `#`).
    pub(crate) fn op(&mut self, text: &str) {
        let span = self.span(text);
        self.toks.push(Tok::Op(span));
    }

    /// Appends a line of documentation (the text after `///`).
    pub(crate) fn doc(&mut self, text: &str) {
        let span = self.span(text);
        self.toks.push(Tok::Doc(span));
    }

    /// Appends a string literal with the value `value`.
    pub(crate) fn string(&mut self, value: &str) {
        let start = self.text.len() as u32;
        write_string(&mut self.text, value);
        let end = self.text.len() as u32;
        self.toks
            .push(Tok::Word(Span { start, end }, Word::Literal));
    }

    /// Opens a group; [`Code::close`] with the returned index closes it.
    pub(crate) fn open(&mut self, delimiter: Delimiter) -> usize {
        self.toks.push(Tok::Group(delimiter, 0));
        self.toks.len() - 1
    }

    /// Closes the group opened at `at`: everything appended since is
    /// inside it.
    pub(crate) fn close(&mut self, at: usize) {
        if let Tok::Group(delimiter, _) = self.toks[at] {
            self.toks[at] = Tok::Group(delimiter, self.toks.len() - at - 1);
        }
    }

    /// Appends a copy of `other`'s tokens.
    pub(crate) fn append(&mut self, other: &Code) {
        let shift = self.text.len() as u32;
        self.text.push_str(&other.text);
        let moved = |span: Span| Span {
            start: span.start + shift,
            end: span.end + shift,
        };
        self.toks.extend(other.toks.iter().map(|tok| match *tok {
            Tok::Word(span, kind) => Tok::Word(moved(span), kind),
            Tok::Op(span) => Tok::Op(moved(span)),
            Tok::Doc(span) => Tok::Doc(moved(span)),
            group @ Tok::Group(..) => group,
        }));
    }

    /// The tokens separated by single spaces, documentation as `#[doc]`
    /// attributes: unformatted Rust that `syn` can parse (the printer's
    /// tests and the benchmark's comparison stage use it).
    pub fn plain(&self) -> String {
        let mut out = String::with_capacity(self.text.len() * 2);
        self.plain_into(&self.toks, &mut out);
        out
    }

    fn plain_into(&self, toks: &[Tok], out: &mut String) {
        let mut i = 0;
        while i < toks.len() {
            match toks[i] {
                Tok::Word(span, _) | Tok::Op(span) => {
                    out.push_str(&self.text[span.start as usize..span.end as usize]);
                    out.push(' ');
                }
                Tok::Doc(span) => {
                    out.push_str("#[doc = ");
                    write_string(out, &self.text[span.start as usize..span.end as usize]);
                    out.push_str("] ");
                }
                Tok::Group(delimiter, len) => {
                    let (open, close) = match delimiter {
                        Delimiter::Parenthesis => ("( ", ") "),
                        Delimiter::Bracket => ("[ ", "] "),
                        Delimiter::Brace => ("{ ", "} "),
                    };
                    out.push_str(open);
                    self.plain_into(&toks[i + 1..i + 1 + len], out);
                    out.push_str(close);
                    i += len;
                }
            }
            i += 1;
        }
    }
}

/// Writes `value` as a Rust string literal: quotes, backslashes and
/// characters that are not printable escaped, everything else as is.
pub(crate) fn write_string(out: &mut String, value: &str) {
    out.push('"');
    let plain = value
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
    if plain {
        out.push_str(value);
    } else {
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                // `\0` followed by a digit would read as another escape.
                '\0' if chars.peek().is_some_and(char::is_ascii_digit) => out.push_str("\\x00"),
                '\0' => out.push_str("\\0"),
                '\'' => out.push(c),
                _ => out.extend(c.escape_debug()),
            }
        }
    }
    out.push('"');
}

/// An identifier (`r#type` for a raw one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ident(String);

impl Ident {
    /// The identifier `name`, which must be a valid Rust identifier.
    pub(crate) fn new(name: impl Into<String>) -> Ident {
        Ident(name.into())
    }
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A literal other than a string (see [`ToCode`] for `str`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal(String);

impl Literal {
    /// An integer without a type suffix.
    pub(crate) fn usize_unsuffixed(n: usize) -> Literal {
        Literal(n.to_string())
    }

    /// An integer without a type suffix.
    pub(crate) fn u16_unsuffixed(n: u16) -> Literal {
        Literal(n.to_string())
    }

    /// A finite floating-point number with an `f64` suffix.
    pub(crate) fn f64_suffixed(x: f64) -> Literal {
        Literal(format!("{x}f64"))
    }

    /// A byte string (`b"…"`).
    pub(crate) fn byte_string(bytes: &[u8]) -> Literal {
        let mut text = String::with_capacity(bytes.len() + 3);
        text.push_str("b\"");
        for &b in bytes {
            if b == b'"' {
                text.push_str("\\\"");
            } else {
                let _ = write!(text, "{}", b.escape_ascii());
            }
        }
        text.push('"');
        Literal(text)
    }
}

/// A value [`code!`] can insert with `#name`.
pub(crate) trait ToCode {
    /// Appends the value's tokens to `out`.
    fn to_code(&self, out: &mut Code);
}

impl ToCode for Code {
    fn to_code(&self, out: &mut Code) {
        out.append(self);
    }
}

impl ToCode for Ident {
    fn to_code(&self, out: &mut Code) {
        out.word(&self.0);
    }
}

impl ToCode for Literal {
    fn to_code(&self, out: &mut Code) {
        out.literal(&self.0);
    }
}

/// Text is inserted as a string literal.
impl ToCode for str {
    fn to_code(&self, out: &mut Code) {
        out.string(self);
    }
}

impl ToCode for String {
    fn to_code(&self, out: &mut Code) {
        out.string(self);
    }
}

/// `true` or `false`.
impl ToCode for bool {
    fn to_code(&self, out: &mut Code) {
        out.word(if *self { "true" } else { "false" });
    }
}

/// `None` inserts nothing.
impl<T: ToCode> ToCode for Option<T> {
    fn to_code(&self, out: &mut Code) {
        if let Some(value) = self {
            value.to_code(out);
        }
    }
}

impl<T: ToCode + ?Sized> ToCode for &T {
    fn to_code(&self, out: &mut Code) {
        (**self).to_code(out);
    }
}

/// Builds a [`Code`] from Rust tokens; see the module documentation.
macro_rules! code {
    () => {
        $crate::emit::code::Code::new()
    };
    ($($tokens:tt)+) => {{
        let mut out = $crate::emit::code::Code::new();
        $crate::emit::code::code_into!(out; $($tokens)+);
        out
    }};
}

/// Appends tokens to the `Code` named first; the muncher behind [`code!`].
macro_rules! code_into {
    ($out:ident;) => {};
    // `#(…)*` and `#(…)sep*`: one copy per item.
    ($out:ident; # ( $($body:tt)* ) * $($rest:tt)*) => {
        $crate::emit::code::code_into!(@each $out [] ($($body)*) $($body)*);
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; # ( $($body:tt)* ) $sep:tt * $($rest:tt)*) => {
        $crate::emit::code::code_into!(@each $out [$sep] ($($body)*) $($body)*);
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    // Documentation, as a line of its own rather than an attribute whose
    // string the printer would have to read back. `/// text` in the input
    // arrives as `#[doc = r" text"]`.
    ($out:ident; # [doc = # $value:ident] $($rest:tt)*) => {
        $out.doc(&$value);
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; # [doc = $value:literal] $($rest:tt)*) => {
        $out.doc($value);
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    // `#name`: a value.
    ($out:ident; # $value:ident $($rest:tt)*) => {
        $crate::emit::code::ToCode::to_code(&$value, &mut $out);
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; ( $($inner:tt)* ) $($rest:tt)*) => {
        $crate::emit::code::code_into!(@group $out Parenthesis ($($inner)*) $($rest)*);
    };
    ($out:ident; [ $($inner:tt)* ] $($rest:tt)*) => {
        $crate::emit::code::code_into!(@group $out Bracket ($($inner)*) $($rest)*);
    };
    ($out:ident; { $($inner:tt)* } $($rest:tt)*) => {
        $crate::emit::code::code_into!(@group $out Brace ($($inner)*) $($rest)*);
    };
    (@group $out:ident $delimiter:ident ($($inner:tt)*) $($rest:tt)*) => {
        let at = $out.open($crate::emit::code::Delimiter::$delimiter);
        $crate::emit::code::code_into!($out; $($inner)*);
        $out.close(at);
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; _ $($rest:tt)*) => {
        $out.word("_");
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; $word:ident $($rest:tt)*) => {
        $out.word(stringify!($word));
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; $lifetime:lifetime $($rest:tt)*) => {
        $out.lifetime(stringify!($lifetime));
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    // Before literals: `- 1` would otherwise be read as the literal `-1`.
    ($out:ident; - $($rest:tt)*) => {
        $out.op("-");
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; $literal:literal $($rest:tt)*) => {
        $out.literal(stringify!($literal));
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    ($out:ident; $op:tt $($rest:tt)*) => {
        $out.op(stringify!($op));
        $crate::emit::code::code_into!($out; $($rest)*);
    };
    // A repetition: find the `#name` it repeats over (groups are searched
    // too), then emit the body once per item, separated by `sep`.
    (@each $out:ident [$($sep:tt)?] ($($body:tt)*) # $items:ident $($scan:tt)*) => {
        let mut first = true;
        for $items in $items {
            if !first {
                $crate::emit::code::code_into!($out; $($sep)?);
            }
            first = false;
            $crate::emit::code::code_into!($out; $($body)*);
        }
    };
    (@each $out:ident [$($sep:tt)?] ($($body:tt)*) ( $($inner:tt)* ) $($scan:tt)*) => {
        $crate::emit::code::code_into!(@each $out [$($sep)?] ($($body)*) $($inner)* $($scan)*);
    };
    (@each $out:ident [$($sep:tt)?] ($($body:tt)*) [ $($inner:tt)* ] $($scan:tt)*) => {
        $crate::emit::code::code_into!(@each $out [$($sep)?] ($($body)*) $($inner)* $($scan)*);
    };
    (@each $out:ident [$($sep:tt)?] ($($body:tt)*) { $($inner:tt)* } $($scan:tt)*) => {
        $crate::emit::code::code_into!(@each $out [$($sep)?] ($($body)*) $($inner)* $($scan)*);
    };
    (@each $out:ident [$($sep:tt)?] ($($body:tt)*) $other:tt $($scan:tt)*) => {
        $crate::emit::code::code_into!(@each $out [$($sep)?] ($($body)*) $($scan)*);
    };
}

pub(crate) use {code, code_into};

#[cfg(test)]
mod tests {
    use super::{Code, Delimiter, Ident, Literal, Tok, Word};

    /// The tokens' texts and kinds, groups as their delimiter and length.
    fn shape(code: &Code) -> Vec<String> {
        code.toks
            .iter()
            .map(|tok| match *tok {
                Tok::Word(span, kind) => {
                    format!(
                        "{kind:?}:{}",
                        &code.text[span.start as usize..span.end as usize]
                    )
                }
                Tok::Op(span) => {
                    format!("Op:{}", &code.text[span.start as usize..span.end as usize])
                }
                Tok::Doc(span) => {
                    format!("Doc:{}", &code.text[span.start as usize..span.end as usize])
                }
                Tok::Group(delimiter, len) => format!("{delimiter:?}:{len}"),
            })
            .collect()
    }

    #[test]
    fn tokens_are_classified_as_the_printer_needs_them() {
        let code = code!(let _x: &'a [u8] = f(- 1, true)::<T>;);
        assert_eq!(
            shape(&code),
            [
                "Keyword:let",
                "Name:_x",
                "Op::",
                "Op:&",
                "Lifetime:'a",
                "Bracket:1",
                "Name:u8",
                "Op:=",
                "Name:f",
                "Parenthesis:4",
                "Op:-",
                "Literal:1",
                "Op:,",
                "Name:true",
                "Op:::",
                "Op:<",
                "Name:T",
                "Op:>",
                "Op:;",
            ]
        );
        assert_eq!(
            shape(&code!(_ => r#type)),
            ["Name:_", "Op:=>", "Name:r#type"]
        );
    }

    #[test]
    fn values_are_inserted_and_repeated() {
        let name = Ident::new("value");
        let text = "say \"hi\"\n";
        let none: Option<Code> = None;
        let items = vec![code!(a), code!(b), code!(c)];
        let statements = items.clone();
        let code = code!(fn #name() { g(#text, #none #(#items),*); #(#statements;)* });
        assert_eq!(
            code.plain(),
            "fn value ( ) { g ( \"say \\\"hi\\\"\\n\" , a , b , c ) ; a ; b ; c ; } "
        );
        let parts = ["x", "y"].iter().map(|p| Ident::new(*p));
        assert_eq!(code!(#(&#parts)|*).plain(), "& x | & y ");
        let empty: Vec<Code> = Vec::new();
        assert!(code!(#(#empty),*).is_empty());
    }

    #[test]
    fn appending_gives_the_same_tokens_as_writing_them_in_place() {
        // Braces keep rustfmt out of the macro's input.
        let inner = code! { x: [u8; 2] };
        let whole = code! { struct S { #inner } };
        assert_eq!(whole, code! { struct S { x: [u8; 2] } });
        assert_eq!(whole.toks[2], Tok::Group(Delimiter::Brace, 6));
        assert!(matches!(whole.toks[0], Tok::Word(_, Word::Keyword)));
    }

    #[test]
    fn reused_buffers_start_empty() {
        for _ in 0..3 {
            let used = code!(
                fn f() {
                    g(x)
                }
            );
            drop(used);
            let fresh = code!(y);
            assert_eq!(fresh.plain(), "y ");
            assert_eq!(fresh.text, "y");
        }
    }

    #[test]
    fn literals_are_written_escaped() {
        let mut code = Code::new();
        code.string("tab\there, nul\0 then \u{0}7, quote ' and é");
        assert_eq!(
            code.text,
            "\"tab\\there, nul\\0 then \\x007, quote ' and é\""
        );
        let key = Literal::byte_string(b"a\"b\\\xff");
        let (n, x) = (Literal::usize_unsuffixed(7), Literal::f64_suffixed(0.5));
        assert_eq!(code!(#key #n #x).plain(), "b\"a\\\"b\\\\\\xff\" 7 0.5f64 ");
        let mut doc = Code::new();
        doc.doc(" a \"line\"");
        assert_eq!(doc.plain(), "#[doc = \" a \\\"line\\\"\"] ");
    }
}
