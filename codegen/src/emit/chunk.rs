//! Formatting a section a chunk of items at a time.
//!
//! A section of a large spec (Microsoft's 891-operation module has about
//! 4,000 types) held whole as tokens, then as a `syn` tree, then as text is
//! several times the memory of the spec's own parse. So the emitters hand
//! their items one by one to [`Items`], which formats every [`Mode::Format`]
//! `chunk` of them with `syn` + `prettyplease` and keeps only the text: the
//! peak is one chunk's tokens and tree, not a section's.
//!
//! The text is the same as formatting the whole section at once. Every
//! item starts on a line of its own and prettyplease lays out each item on
//! its own, so only an item's indentation (how deep it is nested) matters:
//! a chunk is formatted inside as many wrapper modules as the items' real
//! containers, whose lines are then cut off. A container's own lines (its
//! docs and `pub mod name {`, and its closing `}`) come from formatting it
//! around a marker item and cutting at the marker.

use proc_macro2::TokenStream;
use quote::quote;

use super::RenderError;

/// How emitted items become output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Format every `chunk` items (at least one) into text.
    Format {
        /// Items per chunk.
        chunk: usize,
    },
    /// Keep the tokens, for [`super::tokens`].
    Collect,
}

/// What kind of block items sit in; it decides how a chunk of them is
/// parsed (module items or `impl` items).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// The file itself or a `mod { ... }`.
    Module,
    /// An `impl ... { ... }`.
    Impl,
}

/// Finished output of part of a section: formatted text (in pieces, so
/// that joining parts never copies them) or tokens.
pub(crate) enum Code {
    Text(Vec<String>),
    Tokens(TokenStream),
}

impl Code {
    /// The tokens of [`Mode::Collect`] output (nothing for text).
    pub(crate) fn into_tokens(self) -> TokenStream {
        match self {
            Code::Tokens(tokens) => tokens,
            Code::Text(_) => TokenStream::new(),
        }
    }

    /// The text of [`Mode::Format`] output, in pieces (none for tokens).
    pub(crate) fn into_text(self) -> Vec<String> {
        match self {
            Code::Text(pieces) => pieces,
            Code::Tokens(_) => Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Code::Text(pieces) => pieces.iter().all(String::is_empty),
            Code::Tokens(tokens) => tokens.is_empty(),
        }
    }
}

/// The items of one block, in order, formatted a chunk at a time.
///
/// A formatting error is kept (the first one) and returned by
/// [`Items::finish`], so that emitters push items without handling it.
pub(crate) struct Items {
    mode: Mode,
    section: &'static str,
    /// How many containers are around the items.
    depth: usize,
    /// The innermost of them (the file at depth 0 is a module).
    inner: Container,
    pending: Vec<TokenStream>,
    out: Code,
    error: Option<RenderError>,
}

impl Items {
    /// The top-level items of section `section`.
    pub(crate) fn new(mode: Mode, section: &'static str) -> Items {
        Items::at(mode, section, 0, Container::Module)
    }

    fn at(mode: Mode, section: &'static str, depth: usize, inner: Container) -> Items {
        let out = match mode {
            Mode::Format { .. } => Code::Text(Vec::new()),
            Mode::Collect => Code::Tokens(TokenStream::new()),
        };
        Items {
            mode,
            section,
            depth,
            inner,
            pending: Vec::new(),
            out,
            error: None,
        }
    }

    /// The items of a block nested in this one, to be closed into it with
    /// [`Items::close`]. Blocks may be filled in any order: a block
    /// written before another can be closed after it.
    pub(crate) fn nested(&self, container: Container) -> Items {
        Items::at(self.mode, self.section, self.depth + 1, container)
    }

    /// Items at the same depth as these, to be added after them with
    /// [`Items::append`]: for items written before the ones they follow.
    pub(crate) fn beside(&self) -> Items {
        Items::at(self.mode, self.section, self.depth, self.inner)
    }

    /// Adds the items of `other` (made with [`Items::beside`]).
    pub(crate) fn append(&mut self, other: Items) {
        self.flush();
        match (other.finish(), &mut self.out) {
            (Ok(Code::Tokens(tokens)), Code::Tokens(out)) => out.extend(tokens),
            (Ok(Code::Text(pieces)), Code::Text(out)) => out.extend(pieces),
            (Ok(_), _) => unreachable!("blocks of one section share its mode"),
            (Err(err), _) => self.fail(err),
        }
    }

    /// Adds one item (or several, but then they are never split).
    pub(crate) fn push(&mut self, item: TokenStream) {
        match (&mut self.out, self.mode) {
            (Code::Tokens(tokens), _) => tokens.extend(item),
            (Code::Text(_), Mode::Format { chunk }) => {
                self.pending.push(item);
                if self.pending.len() >= chunk.max(1) {
                    self.flush();
                }
            }
            (Code::Text(_), Mode::Collect) => unreachable!("collect mode keeps tokens"),
        }
    }

    /// Adds every item of `items`.
    pub(crate) fn extend(&mut self, items: impl IntoIterator<Item = TokenStream>) {
        for item in items {
            self.push(item);
        }
    }

    /// Adds `head { body }`: `head` is the block's attributes and opening
    /// (`/// Docs.` `pub mod name`, `impl Client`), `body` its items, made
    /// with [`Items::nested`].
    pub(crate) fn close(&mut self, head: TokenStream, body: Items) {
        let container = body.inner;
        let body = match body.finish() {
            Ok(body) => body,
            Err(err) => return self.fail(err),
        };
        if let Code::Tokens(tokens) = &mut self.out {
            let body = body.into_tokens();
            tokens.extend(quote!(#head { #body }));
            return;
        }
        if body.is_empty() {
            // prettyplease writes an empty block on one line.
            return self.push(quote!(#head {}));
        }
        self.flush();
        let marker = match container {
            Container::Module => quote!(
                struct __CodegenChunkMarker;
            ),
            Container::Impl => quote!(
                fn __codegen_chunk_marker() {}
            ),
        };
        let text = match self.format(quote!(#head { #marker })) {
            Ok(text) => text,
            Err(err) => return self.fail(err),
        };
        let marker_line = format!(
            "{}{}\n",
            "    ".repeat(self.depth + 1),
            match container {
                Container::Module => "struct __CodegenChunkMarker;",
                Container::Impl => "fn __codegen_chunk_marker() {}",
            }
        );
        let Some((open, close)) = split_at_line(&text, &marker_line) else {
            return self.fail(RenderError::Unparsable {
                section: self.section,
                message: "a block's marker item was not laid out on a line of its own".into(),
            });
        };
        let (open, close) = (open.to_string(), close.to_string());
        if let Code::Text(pieces) = &mut self.out {
            pieces.push(open);
            pieces.extend(body.into_text());
            pieces.push(close);
        }
    }

    /// The output of every item pushed, or the first formatting error.
    pub(crate) fn finish(mut self) -> Result<Code, RenderError> {
        self.flush();
        match self.error {
            Some(err) => Err(err),
            None => Ok(self.out),
        }
    }

    fn fail(&mut self, err: RenderError) {
        self.error.get_or_insert(err);
    }

    /// Formats the pending items and drops their tokens.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let items = std::mem::take(&mut self.pending);
        let block = match self.inner {
            Container::Impl => quote!(impl __CodegenChunk { #(#items)* }),
            Container::Module if self.depth > 0 => quote!(mod __codegen_chunk { #(#items)* }),
            Container::Module => quote!(#(#items)*),
        };
        // The innermost wrapper above stands for the items' own block.
        let text = self.format_wrapped(block, self.depth.saturating_sub(1), self.depth);
        match (text, &mut self.out) {
            (Ok(text), Code::Text(pieces)) => pieces.push(text),
            (Err(err), _) => self.fail(err),
            (Ok(_), Code::Tokens(_)) => {}
        }
    }

    /// Formats `item` as it would be laid out at this block's depth.
    fn format(&self, item: TokenStream) -> Result<String, RenderError> {
        self.format_wrapped(item, self.depth, self.depth)
    }

    /// Formats `tokens` inside `wrappers` modules and cuts their lines off
    /// (`cut` wrapper lines at each end, the wrappers and the block that
    /// `tokens` itself opens, if any).
    fn format_wrapped(
        &self,
        mut tokens: TokenStream,
        wrappers: usize,
        cut: usize,
    ) -> Result<String, RenderError> {
        for _ in 0..wrappers {
            tokens = quote!(mod __codegen_chunk { #tokens });
        }
        let text = super::format_section(self.section, tokens)?;
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        if lines.len() < 2 * cut {
            return Err(RenderError::Unparsable {
                section: self.section,
                message: "a chunk's wrapper lines are missing".into(),
            });
        }
        lines.truncate(lines.len() - cut);
        Ok(lines[cut..].concat())
    }
}

/// `text` before and after the line `line` (which ends with `\n`), if it
/// is one of its lines.
fn split_at_line<'t>(text: &'t str, line: &str) -> Option<(&'t str, &'t str)> {
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        if piece == line {
            return Some((&text[..start], &text[start + piece.len()..]));
        }
        start += piece.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Code, Container, Items, Mode};

    fn items_in_blocks(mode: Mode) -> Code {
        let mut top = Items::new(mode, "test");
        top.push(quote!(
            pub struct A;
        ));
        let mut module = top.nested(Container::Module);
        for i in 0..5 {
            let name = quote::format_ident!("S{i}");
            module.push(quote!(
                /// A struct.
                pub struct #name { pub a_rather_long_field_name: Option<Vec<String>>, pub another_rather_long_one: u64 }
            ));
        }
        let mut inner = module.nested(Container::Impl);
        for i in 0..3 {
            let name = quote::format_ident!("f{i}");
            inner.push(quote!(pub fn #name(&self) -> u64 { if self.a_rather_long_field_name.is_some() { 1 } else { 2 } }));
        }
        module.close(quote!(impl S0), inner);
        let empty = module.nested(Container::Module);
        module.close(quote!(pub mod empty), empty);
        top.close(quote!(#[doc = " Docs."] pub mod m), module);
        top.push(quote!(
            pub fn last() {}
        ));
        top.finish().unwrap()
    }

    #[test]
    fn any_chunk_size_gives_the_text_of_formatting_at_once() {
        let whole =
            super::super::format_section("test", items_in_blocks(Mode::Collect).into_tokens())
                .unwrap();
        for chunk in [1, 2, 3, 100] {
            let text = items_in_blocks(Mode::Format { chunk }).into_text().concat();
            assert_eq!(text, whole, "chunk {chunk}");
        }
    }
}
