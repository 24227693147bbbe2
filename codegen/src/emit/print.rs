//! The printer: emitted [`Code`] → Rust source laid out for people.
//!
//! The generator used to parse its own tokens back into a `syn` tree and
//! print that with prettyplease. On Microsoft's modules that round trip
//! was about four fifths of the whole generation, because the emitters
//! build 80,000 lines of code the parser then has to take apart again.
//! The emitters only produce a small, regular part of Rust, so this module
//! lays out their flat token list itself, in one pass:
//!
//! - one item, statement, field, variant or match arm per line, indented
//!   by four spaces per block;
//! - documentation lines (see [`Code::doc`]) are written as `///` lines;
//! - a parenthesised or bracketed group stays on its line when it fits in
//!   100 columns, otherwise each of its comma-separated elements gets a
//!   line of its own, with a trailing comma where Rust reads one the same
//!   way (call arguments, parameters, arrays, fields, match arms);
//! - a brace group is a block unless it follows a path (a struct literal
//!   or a `use` list), is short and simple, and fits.
//!
//! Spacing follows rustfmt's habits from the tokens alone: which words are
//! keywords, whether an operator follows an operand (binary) or not
//! (unary), whether a `<` opens generics. Apart from those trailing commas
//! (and dropping one from a list kept on one line), the printer never adds,
//! drops or reorders a token. The tests at the end of this module hold the
//! generated code of our specs and of Microsoft's modules, printed, to the
//! same program as the tokens (compared through prettyplease), and the
//! compile tests of the generated crates build what it prints.

use super::code::{Code, Delimiter, Span, Tok, Word, write_string};

/// Lines are kept within 100 columns where a group can be broken, with
/// room for the `,`, `;` or ` {` that follows it.
const WIDTH: usize = 98;

/// One indentation level.
const INDENT: &str = "    ";

/// Prints `tokens` (a sequence of items) as formatted Rust source, ending
/// with a newline unless there is nothing to print.
pub(crate) fn print(code: &Code) -> String {
    let mut printer = Printer {
        text: &code.text,
        out: String::with_capacity(code.text.len() * 2),
        line_start: 0,
        depth: 0,
        last: Last::Start,
        limit: None,
        verbatim: 0,
        reserve: 0,
    };
    printer.lines(&code.toks, true);
    if !printer.out.is_empty() {
        printer.out.push('\n');
    }
    printer.out
}

/// Keywords whose statement ends with a block: the next brace group at
/// the same level is a body, never a struct literal.
const BODY_KEYWORDS: &[&str] = &[
    "async", "else", "enum", "fn", "for", "if", "impl", "loop", "match", "mod", "struct", "trait",
    "union", "unsafe", "while",
];

/// The index of the token after `toks[i]` and everything inside it.
fn next(toks: &[Tok], i: usize) -> usize {
    match toks[i] {
        Tok::Group(_, len) => i + 1 + len,
        _ => i + 1,
    }
}

/// The indices of the top-level tokens of `toks` (a group's inner tokens
/// are skipped with it).
fn top_level(toks: &[Tok]) -> impl Iterator<Item = usize> + '_ {
    let first = (!toks.is_empty()).then_some(0);
    std::iter::successors(first, |&i| Some(next(toks, i)).filter(|&n| n < toks.len()))
}

/// The inner tokens of the group at `toks[i]`.
fn inner(toks: &[Tok], i: usize) -> &[Tok] {
    &toks[i + 1..next(toks, i)]
}

/// What was printed last, as far as spacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Start of a line or of a group: no space before the next token.
    Start,
    /// A word that ends an operand (a name or a literal).
    Operand,
    /// A keyword or lifetime: a space follows.
    Keyword,
    /// `pub` or `fn`: a space follows, except before `(` (`pub(super)`,
    /// `fn(&str)`).
    Hugging,
    /// A token after which nothing is spaced (`::`, `.`, `#`, a unary
    /// operator, an opening `<` or `|`, a macro's `!`).
    Glue,
    /// A token followed by a space (`,`, `:`, `=`, binary operators).
    Spaced,
    /// A closing `)` or `]`, or `?`: ends an operand.
    Close,
    /// A closing `}` of an inline brace group.
    CloseSpaced,
    /// The `>` that closes generics: `(`, `[` and `::` hug it.
    GenericClose,
    /// The closing `}` of a block: the element ends there unless `else`,
    /// `;`, `,`, `.` or `?` follows.
    Block,
}

/// Width overflow while trying a flat layout.
struct Overflow;

struct Printer<'a> {
    /// The tokens' text (see [`Tok`]).
    text: &'a str,
    out: String,
    /// Byte offset of the current line's first byte.
    line_start: usize,
    /// Indentation level.
    depth: usize,
    last: Last,
    /// The column limit while a group is tried on one line.
    limit: Option<usize>,
    /// Above zero inside attributes and macro arguments, whose tokens are
    /// read by their own parsers: no trailing comma is added there.
    verbatim: usize,
    /// Columns to keep free after the group being tried on one line.
    reserve: usize,
}

/// Per-sequence state: generics and closure parameters (where commas do
/// not end an element), and whether a brace group is due to be a body.
#[derive(Default)]
struct Level {
    generics: usize,
    closure_params: bool,
    body_pending: Option<Body>,
}

/// The kind of body a keyword announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Statements or items (`fn`, `impl`, `if`, `mod`…).
    Block,
    /// Comma-separated fields or variants (`struct`, `enum`, `union`).
    List,
    /// Match arms.
    Match,
}

impl<'a> Printer<'a> {
    fn column(&self) -> usize {
        self.out.len() - self.line_start
    }

    fn text(&self, span: Span) -> &'a str {
        &self.text[span.start as usize..span.end as usize]
    }

    /// The operator at `toks[i]`, if it is one.
    fn op(&self, toks: &[Tok], i: usize) -> Option<&'a str> {
        match toks.get(i) {
            Some(Tok::Op(span)) => Some(self.text(*span)),
            _ => None,
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.line_start = self.out.len();
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
        self.last = Last::Start;
    }

    /// Checks the width when a flat layout is being tried.
    fn check(&self) -> Result<(), Overflow> {
        match self.limit {
            Some(limit) if self.column() > limit => Err(Overflow),
            _ => Ok(()),
        }
    }

    /// Writes `text` after a space when `space` says so, or when the
    /// text would otherwise run into the operator before it and read as
    /// another one (`= =` is not `==`).
    fn put(&mut self, space: bool, text: &str, last: Last) -> Result<(), Overflow> {
        if (space && self.last != Last::Start) || self.would_merge(text) {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.last = last;
        self.check()
    }

    /// Whether `text` written right after the output would form an
    /// operator with its last character. `&&`, `||` and `>>` are left
    /// out: the spacing rules join them only where they read the same
    /// (`&&x`, a closure's `| |`, generics closing together).
    fn would_merge(&self, text: &str) -> bool {
        const PAIRS: [&str; 20] = [
            "==", "!=", "<=", ">=", "=>", "->", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=",
            "::", "..", "<<", "//", "/*", "*/",
        ];
        let (Some(before), Some(after)) = (self.out.chars().next_back(), text.chars().next())
        else {
            return false;
        };
        before.is_ascii_punctuation()
            && after.is_ascii_punctuation()
            && PAIRS
                .iter()
                .any(|pair| pair.as_bytes() == [before as u8, after as u8])
    }

    /// Prints a sequence with one element per line: the top level, a
    /// block, or a group too wide for one line. Blocks also break after
    /// `;` (`semicolons`); a bracket group (`[T; N]`) does not.
    fn lines(&mut self, toks: &[Tok], semicolons: bool) {
        let mut level = Level::default();
        let mut i = 0;
        while i < toks.len() {
            if let Some(after) = self.attribute(toks, i) {
                i = after;
                if i < toks.len() {
                    self.newline();
                }
                continue;
            }
            // Outside `flat` there is no width limit, so this cannot
            // overflow: groups fall back to broken layouts instead.
            let _ = self.token(toks, i, &mut level, false);
            let after = next(toks, i);
            let breaks = match toks[i] {
                Tok::Op(span) => match self.text(span) {
                    ";" => semicolons && level.generics == 0,
                    "," => level.generics == 0 && !level.closure_params,
                    _ => false,
                },
                Tok::Group(Delimiter::Brace, _) => {
                    self.last == Last::Block && !self.attaches(toks, after)
                }
                _ => false,
            };
            i = after;
            if breaks && i < toks.len() {
                self.newline();
            }
        }
    }

    /// Whether the token at `toks[i]` keeps to the line of the block
    /// before it (`} else`, `};`, `},`, `}.await`, `}?`).
    fn attaches(&self, toks: &[Tok], i: usize) -> bool {
        match toks.get(i) {
            Some(Tok::Op(span)) => matches!(self.text(*span), ";" | "," | "." | "?"),
            Some(Tok::Word(span, _)) => self.text(*span) == "else",
            _ => false,
        }
    }

    /// Prints the attribute or documentation line at `toks[i]`, if there
    /// is one, and returns the index after it.
    fn attribute(&mut self, toks: &[Tok], i: usize) -> Option<usize> {
        if let Tok::Doc(span) = toks[i] {
            self.doc(self.text(span));
            return Some(i + 1);
        }
        if self.op(toks, i) != Some("#")
            || !matches!(toks.get(i + 1), Some(Tok::Group(Delimiter::Bracket, _)))
        {
            return None;
        }
        let _ = self.put(false, "#", Last::Glue);
        self.verbatim += 1;
        let _ = self.group(Delimiter::Bracket, inner(toks, i + 1), false, false);
        self.verbatim -= 1;
        Some(next(toks, i + 1))
    }

    /// Prints a line of documentation: `///` and the text, or a `#[doc]`
    /// attribute where a comment would read differently (a line break
    /// inside, or text starting with `/`, which makes another kind of
    /// comment).
    fn doc(&mut self, text: &str) {
        if text.contains(['\n', '\r']) || text.starts_with('/') {
            let _ = self.put(false, "#[doc = ", Last::Glue);
            write_string(&mut self.out, text);
            self.out.push(']');
        } else {
            let _ = self.put(false, "///", Last::Glue);
            self.out.push_str(text);
        }
    }

    /// Prints `toks[i]`, spaced after what came before it.
    fn token(
        &mut self,
        toks: &[Tok],
        i: usize,
        level: &mut Level,
        flat: bool,
    ) -> Result<(), Overflow> {
        match toks[i] {
            Tok::Word(span, kind) => {
                let text = self.text(span);
                let last = match kind {
                    Word::Name | Word::Literal => Last::Operand,
                    Word::Lifetime => Last::Keyword,
                    Word::Keyword if text == "pub" || text == "fn" => Last::Hugging,
                    Word::Keyword => Last::Keyword,
                };
                if kind == Word::Keyword && BODY_KEYWORDS.contains(&text) {
                    level.body_pending = Some(match text {
                        "match" => Body::Match,
                        "struct" | "enum" | "union" => Body::List,
                        _ => Body::Block,
                    });
                }
                let space = self.last != Last::Glue;
                self.put(space, text, last)
            }
            Tok::Op(span) => self.operator(self.text(span), level),
            // Documentation only stands before items, fields and
            // variants, which `lines` prints; elsewhere it cannot be flat.
            Tok::Doc(span) => {
                if flat {
                    return Err(Overflow);
                }
                self.doc(self.text(span));
                self.newline();
                Ok(())
            }
            Tok::Group(delimiter, _) => {
                let content = inner(toks, i);
                if delimiter != Delimiter::Brace {
                    let space = matches!(
                        self.last,
                        Last::Keyword | Last::Spaced | Last::Block | Last::CloseSpaced
                    );
                    if space {
                        self.out.push(' ');
                    }
                    let macro_args = self.last == Last::Glue && self.out.ends_with('!');
                    // Call arguments, parameters and array elements take
                    // a trailing comma when broken; a parenthesised
                    // expression would turn into a tuple, an index is not
                    // a list.
                    let list = match delimiter {
                        Delimiter::Parenthesis => self.last == Last::Operand,
                        // An array, not a slice or array type (`[u8]`).
                        _ => {
                            !matches!(self.last, Last::Operand | Last::Close)
                                && !self.one_element(content, false)
                        }
                    };
                    // A signature's parameters fit only if its return
                    // type does too.
                    let reserve = if self.op(toks, next(toks, i)) == Some("->") {
                        self.tail_width(toks, next(toks, i))
                    } else {
                        0
                    };
                    self.verbatim += usize::from(macro_args);
                    self.reserve += reserve;
                    let printed = self.group(delimiter, content, flat, list && !macro_args);
                    self.reserve -= reserve;
                    self.verbatim -= usize::from(macro_args);
                    return printed;
                }
                let use_list = self.out.ends_with("::");
                let after_path = self.last == Last::Operand || use_list;
                if !matches!(self.last, Last::Glue | Last::Start) {
                    self.out.push(' ');
                }
                let body = level.body_pending.take();
                let inline = body.is_none() && after_path && self.simple_braces(content);
                if flat && !inline {
                    return Err(Overflow);
                }
                let trailing = match body {
                    None => after_path,
                    Some(Body::List) => true,
                    Some(Body::Match) => !self.ends_with_block(content),
                    Some(Body::Block) => false,
                };
                self.braces(content, inline, use_list, flat, trailing)
            }
        }
    }

    /// Prints an operator, deciding between its unary and binary reading
    /// from whether an operand precedes it.
    fn operator(&mut self, op: &str, level: &mut Level) -> Result<(), Overflow> {
        let operand = matches!(self.last, Last::Operand | Last::Close);
        let glue_before = self.last == Last::Glue;
        match op {
            "," | ";" | ":" => {
                if op == ";" {
                    level.body_pending = None;
                }
                self.put(false, op, Last::Spaced)
            }
            "." => self.put(false, op, Last::Glue),
            "?" => self.put(false, op, Last::Close),
            "::" => {
                let separator = operand || self.last == Last::GenericClose;
                self.put(!separator && !glue_before, op, Last::Glue)
            }
            "#" => self.put(!glue_before, op, Last::Glue),
            "!" if self.last == Last::Operand => self.put(false, op, Last::Glue),
            "<" if level.generics > 0 || self.last != Last::Close => {
                level.generics += 1;
                let hug = matches!(self.last, Last::Operand | Last::Keyword | Last::Hugging)
                    || glue_before;
                self.put(!hug, op, Last::Glue)
            }
            _ if level.generics > 0 && op.bytes().all(|c| c == b'>') => {
                level.generics = level.generics.saturating_sub(op.len());
                self.put(false, op, Last::GenericClose)
            }
            "|" | "||" if level.closure_params => {
                level.closure_params = false;
                self.put(false, op, Last::Spaced)
            }
            "|" if !operand => {
                level.closure_params = true;
                self.put(!glue_before, op, Last::Glue)
            }
            "||" if !operand => self.put(!glue_before, op, Last::Spaced),
            ".." | "..=" => {
                let space = !operand && !glue_before;
                self.put(space, op, Last::Glue)
            }
            "&" | "&&" | "*" | "-" | "!" if !operand => self.put(!glue_before, op, Last::Glue),
            "=>" => {
                level.body_pending = None;
                self.put(true, op, Last::Spaced)
            }
            _ => self.put(!glue_before, op, Last::Spaced),
        }
    }

    /// Prints a parenthesised or bracketed group: on one line when it
    /// fits; else, when it holds one element (`derive(…)` in an attribute,
    /// `Some(f(…))`), with that element continuing the line; else one
    /// comma-separated element per line.
    ///
    /// A broken `list` gets a trailing comma, as rustfmt writes one.
    fn group(
        &mut self,
        delimiter: Delimiter,
        content: &[Tok],
        flat: bool,
        list: bool,
    ) -> Result<(), Overflow> {
        let (open, close) = match delimiter {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
        };
        self.out.push_str(open);
        self.last = Last::Start;
        let one_line = if list {
            self.without_trailing_comma(content)
        } else {
            content
        };
        if flat {
            self.flat(one_line)?;
        } else if !content.is_empty() && !self.try_flat(one_line) {
            if self.one_element(content, true) {
                self.lines(content, false);
            } else {
                self.depth += 1;
                self.newline();
                self.lines(content, false);
                self.trailing_comma(content, list);
                self.depth -= 1;
                self.newline();
            }
        }
        self.put(false, close, Last::Close)
    }

    /// Ends a broken list with a comma, unless it has one or `wanted` is
    /// false or the tokens are someone else's to read (see `verbatim`).
    /// The struct update (`..base`) must stay last, without a comma.
    fn trailing_comma(&mut self, content: &[Tok], wanted: bool) {
        if !wanted || self.verbatim > 0 {
            return;
        }
        let Some(last) = top_level(content).last() else {
            return;
        };
        let element = top_level(content)
            .filter(|&i| self.op(content, i) == Some(","))
            .last()
            .map_or(0, |comma| next(content, comma));
        let ends_with_comma = self.op(content, last) == Some(",");
        let update = self.op(content, element) == Some("..");
        if !ends_with_comma && !update {
            self.out.push(',');
        }
    }

    /// `content` without its final top-level comma: a list laid out on
    /// one line has none (`f(a, b)`, `Foo { a, b }`).
    fn without_trailing_comma<'t>(&self, content: &'t [Tok]) -> &'t [Tok] {
        match top_level(content).last() {
            Some(last) if self.verbatim == 0 && self.op(content, last) == Some(",") => {
                &content[..last]
            }
            _ => content,
        }
    }

    /// About how wide `toks[i..]` is up to the next brace group or `;`
    /// (a function's return type), counting a space between tokens.
    fn tail_width(&self, toks: &[Tok], mut i: usize) -> usize {
        let mut width = 0;
        while i < toks.len() {
            match toks[i] {
                Tok::Group(Delimiter::Brace, _) => return width + 2,
                Tok::Op(span) if self.text(span) == ";" => return width + 1,
                Tok::Op(span) | Tok::Word(span, _) | Tok::Doc(span) => {
                    width += (span.end - span.start) as usize + 1;
                }
                Tok::Group(..) => {
                    let end = next(toks, i);
                    width += toks[i + 1..end]
                        .iter()
                        .map(|tok| match tok {
                            Tok::Op(span) | Tok::Word(span, _) | Tok::Doc(span) => {
                                (span.end - span.start) as usize + 1
                            }
                            Tok::Group(..) => 2,
                        })
                        .sum::<usize>()
                        + 2;
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        width
    }

    /// Whether the last match arm in `content` ends with a block (and so
    /// needs no comma).
    fn ends_with_block(&self, content: &[Tok]) -> bool {
        let (before, last) = top_level(content).fold((None, None), |(_, last), i| (last, Some(i)));
        match (before, last) {
            (Some(before), Some(last)) => {
                self.op(content, before) == Some("=>")
                    && matches!(content[last], Tok::Group(Delimiter::Brace, _))
            }
            _ => false,
        }
    }

    /// Whether `content` is one element (no comma at its top level) and,
    /// if `ending_in_call`, one that ends in a call or a brace group
    /// (`derive(…)`, `f(…)`, `Foo { … }`), which can break in its turn:
    /// then the element may continue the line of the group that holds it.
    fn one_element(&self, content: &[Tok], ending_in_call: bool) -> bool {
        if top_level(content).any(|i| self.op(content, i) == Some(",")) {
            return false;
        }
        !ending_in_call
            || matches!(
                top_level(content).last().map(|i| content[i]),
                Some(Tok::Group(Delimiter::Parenthesis | Delimiter::Brace, _))
            )
    }

    /// Prints a brace group: inline (`Foo { a, b }`, `use x::{A, B}`) when
    /// `inline` allows and it fits, otherwise as a block.
    fn braces(
        &mut self,
        content: &[Tok],
        inline: bool,
        use_list: bool,
        flat: bool,
        trailing: bool,
    ) -> Result<(), Overflow> {
        if content.is_empty() {
            let last = if inline {
                Last::CloseSpaced
            } else {
                Last::Block
            };
            return self.put(false, "{}", last);
        }
        let pad = if use_list { "" } else { " " };
        if inline {
            let mark = (self.out.len(), self.last);
            self.out.push('{');
            self.out.push_str(pad);
            self.last = Last::Start;
            let one_line = self.without_trailing_comma(content);
            let fitted = if flat {
                self.flat(one_line)
            } else if self.try_flat(one_line) {
                Ok(())
            } else {
                Err(Overflow)
            };
            match fitted {
                Ok(()) => {
                    self.out.push_str(pad);
                    return self.put(false, "}", Last::CloseSpaced);
                }
                Err(Overflow) if flat => return Err(Overflow),
                Err(Overflow) => {
                    self.out.truncate(mark.0);
                    self.last = mark.1;
                }
            }
        }
        self.out.push('{');
        self.depth += 1;
        self.newline();
        self.lines(content, true);
        self.trailing_comma(content, trailing);
        self.depth -= 1;
        self.newline();
        self.out.push('}');
        self.last = Last::Block;
        Ok(())
    }

    /// Whether a brace group may stay inline: no statements, attributes,
    /// match arms or nested braces at its top level.
    fn simple_braces(&self, content: &[Tok]) -> bool {
        top_level(content).all(|i| match content[i] {
            Tok::Op(span) => !matches!(self.text(span), ";" | "#" | "=>"),
            Tok::Group(delimiter, _) => delimiter != Delimiter::Brace,
            Tok::Word(..) => true,
            Tok::Doc(_) => false,
        })
    }

    /// Tries `toks` on the current line; on overflow, takes back what it
    /// wrote and says so.
    fn try_flat(&mut self, toks: &[Tok]) -> bool {
        let mark = (self.out.len(), self.last);
        let outer = self.limit.replace(WIDTH.saturating_sub(self.reserve));
        let fitted = self.flat(toks).is_ok();
        self.limit = outer;
        if !fitted {
            self.out.truncate(mark.0);
            self.last = mark.1;
        }
        fitted
    }

    /// Prints `toks` on one line, failing on overflow or on anything that
    /// needs lines of its own (a block, an attribute).
    fn flat(&mut self, toks: &[Tok]) -> Result<(), Overflow> {
        let mut level = Level::default();
        for i in top_level(toks) {
            if self.op(toks, i) == Some("#") {
                return Err(Overflow);
            }
            self.token(toks, i, &mut level, true)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::code::{Code, code};
    use super::print;

    /// Asserts that the printed text is the same program as `code`: both
    /// parsed by `syn` and printed by prettyplease give the same text.
    fn assert_same_program(code: &Code, printed: &str) {
        let expected: syn::File = syn::parse_file(&code.plain()).expect("the tokens parse");
        let actual: syn::File = match syn::parse_file(printed) {
            Ok(file) => file,
            Err(err) => panic!("the printed code does not parse: {err}"),
        };
        let (expected, actual) = (
            prettyplease::unparse(&expected),
            prettyplease::unparse(&actual),
        );
        if expected != actual {
            let at = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "the printed program differs from the tokens near line {at} of prettyplease's reading:\n\
                 tokens:  {:?}\nprinted: {:?}",
                expected.lines().nth(at),
                actual.lines().nth(at)
            );
        }
    }

    #[test]
    fn spacing_follows_rustfmt() {
        let tokens = code! {
            pub(super) fn f<'a, T: Clone>(x: &'a [u8], y: &mut Vec<Vec<T>>) -> Result<(), E> {
                let reader: fn(&str) -> bool = |c: &mut Cursor<'_>, key: &[u8]| key.is_empty();
                let n = -1 + *y.len() & !mask | 1 << 3;
                if !x.is_empty() && n >= 0 {
                    return Err(e)?;
                }
                let v = ::std::vec::Vec::<u8>::new();
                vec![""; 1].iter().map(|s| s.len()).sum::<usize>();
                let Some(z) = w else { return };
                async { f().await? }
            }
        };
        let printed = print(&tokens);
        assert_same_program(&tokens, &printed);
        let expected = "\
pub(super) fn f<'a, T: Clone>(x: &'a [u8], y: &mut Vec<Vec<T>>) -> Result<(), E> {
    let reader: fn(&str) -> bool = |c: &mut Cursor<'_>, key: &[u8]| key.is_empty();
    let n = -1 + *y.len() & !mask | 1 << 3;
    if !x.is_empty() && n >= 0 {
        return Err(e)?;
    }
    let v = ::std::vec::Vec::<u8>::new();
    vec![\"\"; 1].iter().map(|s| s.len()).sum::<usize>();
    let Some(z) = w else {
        return
    };
    async {
        f().await?
    }
}
";
        assert_eq!(printed, expected);
    }

    #[test]
    fn items_attributes_and_docs_take_their_own_lines() {
        let tokens = code! {
            /// A widget.
            ///
            /// Second paragraph with `code` and a "quote".
            #[doc = "/ starts with a slash"]
            #[derive(Debug, Clone)]
            pub struct Widget<'a> {
                /// Its name.
                pub name: &'a str,
                pub(crate) sizes: ::std::collections::BTreeMap<String, Vec<u32>>
            }
            pub enum Kind { A, B(u8), C { x: u8 } }
            impl<'a> Widget<'a> {
                pub fn new(name: &'a str) -> Self { Widget { name, sizes: Default::default() } }
                pub fn kind(&self) -> Kind {
                    match self.name { "a" => Kind::A, "b" => { Kind::B(1) } _ => Kind::C { x: 0 } }
                }
            }
            use ::graph_runtime::{Method, Route};
            static EMPTY: &[u8] = &[];
        };
        let printed = print(&tokens);
        assert_same_program(&tokens, &printed);
        let expected = "\
/// A widget.
///
/// Second paragraph with `code` and a \"quote\".
#[doc = \"/ starts with a slash\"]
#[derive(Debug, Clone)]
pub struct Widget<'a> {
    /// Its name.
    pub name: &'a str,
    pub(crate) sizes: ::std::collections::BTreeMap<String, Vec<u32>>,
}
pub enum Kind {
    A,
    B(u8),
    C { x: u8 },
}
impl<'a> Widget<'a> {
    pub fn new(name: &'a str) -> Self {
        Widget { name, sizes: Default::default() }
    }
    pub fn kind(&self) -> Kind {
        match self.name {
            \"a\" => Kind::A,
            \"b\" => {
                Kind::B(1)
            }
            _ => Kind::C { x: 0 },
        }
    }
}
use ::graph_runtime::{Method, Route};
static EMPTY: &[u8] = &[];
";
        assert_eq!(printed, expected);
    }

    #[test]
    fn long_groups_break_one_element_per_line() {
        let tokens = code! {
            #[derive(Debug, Clone, PartialEq, ::graph_runtime::serde::Serialize, ::graph_runtime::serde::Deserialize)]
            pub static ROUTE: Route = Route {
                operation_id: "windowsAutopilotDeploymentProfiles_assign",
                params: &[ParamSpec::path("windowsAutopilotDeploymentProfileId"), ParamSpec::path("otherParameterId")],
                wrapped: Some(call_with_a_long_name(first_argument_value, second_argument_value, third_argument_value)),
            };
            fn f() { g(x, |a, b| { a + b; }) }
        };
        let printed = print(&tokens);
        assert_same_program(&tokens, &printed);
        let expected = "\
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::graph_runtime::serde::Serialize,
    ::graph_runtime::serde::Deserialize
)]
pub static ROUTE: Route = Route {
    operation_id: \"windowsAutopilotDeploymentProfiles_assign\",
    params: &[
        ParamSpec::path(\"windowsAutopilotDeploymentProfileId\"),
        ParamSpec::path(\"otherParameterId\"),
    ],
    wrapped: Some(call_with_a_long_name(
        first_argument_value,
        second_argument_value,
        third_argument_value,
    )),
};
fn f() {
    g(
        x,
        |a, b| {
            a + b;
        },
    )
}
";
        assert_eq!(printed, expected);
    }

    #[test]
    fn a_signature_breaks_when_its_return_type_does_not_fit() {
        let tokens = code! {
            pub fn windows_autopilot_device_identities_intended_deployment_profile(bytes: &[u8]) -> Option<bool> {}
            pub fn short(bytes: &[u8]) -> bool {}
        };
        let printed = print(&tokens);
        assert_same_program(&tokens, &printed);
        let expected = "\
pub fn windows_autopilot_device_identities_intended_deployment_profile(
    bytes: &[u8],
) -> Option<bool> {}
pub fn short(bytes: &[u8]) -> bool {}
";
        assert_eq!(printed, expected);
    }

    #[test]
    fn operators_never_run_together() {
        // Pairs of operators the compiler would read as one, as two
        // tokens, placed where a careless printer would write them side
        // by side.
        let mut tokens = Code::new();
        for (a, b) in ["=", "-", ".", ":", "<", "/"]
            .into_iter()
            .zip(["=", ">", ".", ":", "<", "/"])
        {
            tokens.word("x");
            tokens.op(a);
            tokens.op(b);
        }
        let printed = print(&tokens);
        for pair in ["==", "->", "..", "::", "<<", "//"] {
            assert!(!printed.contains(pair), "{pair} in {printed:?}");
        }
    }

    #[test]
    fn documentation_becomes_comments_unless_they_would_read_differently() {
        let interpolated = String::from(" from a value");
        let tokens = code! {
            #[doc = r#" raw "quoted" text"#]
            #[doc = " escaped \" and \\ and \u{e9}"]
            #[doc = " two\nlines"]
            #[doc = #interpolated]
            #[doc = "/ after `///` this would read `////`, a plain comment"]
            struct S;
        };
        let printed = print(&tokens);
        assert_same_program(&tokens, &printed);
        let expected = "\
/// raw \"quoted\" text
/// escaped \" and \\ and \u{e9}
#[doc = \" two\\nlines\"]
/// from a value
#[doc = \"/ after `///` this would read `////`, a plain comment\"]
struct S;
";
        assert_eq!(printed, expected);
    }

    fn generated(spec: &Path) -> (Code, String) {
        let model = crate::load_model(spec).expect("the spec lowers");
        let code = crate::emit::tokens(&model, &crate::EmitOptions::default());
        let printed = print(&code);
        (code, printed)
    }

    #[test]
    fn generated_code_of_our_specs_is_the_same_program() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for spec in ["spec/assign.yaml", "codegen/tests/specs/features.yaml"] {
            let (tokens, printed) = generated(&root.join(spec));
            assert_same_program(&tokens, &printed);
        }
    }

    #[test]
    fn generated_code_of_microsofts_modules_is_the_same_program() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/graph-openapi");
        for module in [
            "DeviceManagement.Actions.yml",
            "DeviceManagement.Enrollment.yml",
        ] {
            let path = dir.join(module);
            if !path.exists() {
                eprintln!("SKIPPED: {} is absent", path.display());
                continue;
            }
            let (tokens, printed) = generated(&path);
            assert_same_program(&tokens, &printed);
        }
    }
}
