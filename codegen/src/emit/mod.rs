//! Emission: [`crate::model::Api`] → `proc_macro2::TokenStream` (built
//! with `quote!`) → `syn::File` → source formatted by `prettyplease`.
//!
//! One module per artefact: named types, the route table, the flat client
//! methods and the fluent path builders. The output is a sequence of items
//! meant for `include!` (no inner attributes), prefixed by an `@generated`
//! header, and is byte-for-byte the same for the same model.

pub(crate) mod choice;
mod choice_types;
mod chunk;
mod client;
mod dispatch;
mod fluent;
mod params;
mod routes;
mod rust_type;
mod success;
mod types;
mod validate;

use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use chunk::{Items, Mode};

use crate::model::Api;

/// What the emitted code may assume about its surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitOptions {
    /// Path of the runtime crate in the generated code (`openapi_runtime`).
    pub runtime_crate: String,
    /// Whether to emit the `Client` methods and fluent builders. Without
    /// them the output is types, routes, parameters and validators, and
    /// with [`EmitOptions::server`] the server entry point: all a
    /// validating server needs (and faster to compile for large specs).
    pub client: bool,
    /// Whether to emit the server side (`server::handle` and its `Input`
    /// enum): raw HTTP requests in, typed and validated operation input
    /// out, for a mock or a validating server. Off by default: a client's
    /// users do not call it, and it reads every request body into its
    /// type, which is about a fifth of a large spec's build time. The
    /// dispatcher brings it along (its `API` holds the server's reader).
    pub server: bool,
    /// Whether to emit the dispatcher (`dispatch`, `Client::dispatch`,
    /// `API`): every operation callable by its id with generic arguments,
    /// for a conformance job, a mock or a proxy. Off by default: it is two
    /// small async functions per operation, about 45 lines each, that a
    /// client's users do not call and should not compile.
    pub dispatcher: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            runtime_crate: "openapi_runtime".into(),
            client: true,
            server: false,
            dispatcher: false,
        }
    }
}

/// Why emitted code could not be turned into source text: always a bug in
/// codegen, never in the spec, so the message names the section and what
/// `syn` said about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A section's tokens do not parse as a Rust file.
    #[error(
        "internal error: the generated `{section}` section does not parse as Rust ({message}); \
         please report this with the spec that caused it"
    )]
    Unparsable {
        /// The section (`types`, `routes`, ...).
        section: &'static str,
        /// What `syn` reported.
        message: String,
    },
    /// A worker thread panicked while emitting.
    #[error("internal error: an emitting thread panicked")]
    Panicked,
}

/// An identifier for `name`, which [`crate::names`] made valid: `r#type`
/// becomes a raw identifier.
pub(crate) fn ident(name: impl AsRef<str>) -> Ident {
    let name = name.as_ref();
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Shared context for the emitters.
pub(crate) struct Ctx<'a> {
    pub(crate) api: &'a Api,
    /// The runtime crate's name, e.g. `openapi_runtime` (see [`Ctx::rt`]).
    rt_name: String,
    /// The runtime crate path as a string, for `#[serde(crate = "...")]`.
    pub(crate) rt_path: String,
    /// Parameter struct name by operationId (see [`params::struct_names`]).
    pub(crate) param_structs: std::collections::BTreeMap<String, String>,
    /// Multipart form struct name by operationId (see
    /// [`params::form_names`]).
    pub(crate) form_structs: std::collections::BTreeMap<String, String>,
    /// The server's `Input` variant name by operationId (see
    /// [`validate::server::variant_names`]).
    pub(crate) input_variants: std::collections::BTreeMap<String, String>,
    /// Whether to emit the client and the fluent builders (see
    /// [`EmitOptions::client`]).
    pub(crate) client: bool,
    /// Whether to emit the server side (see [`EmitOptions::server`]; the
    /// dispatcher implies it).
    pub(crate) server: bool,
    /// Whether to emit the dispatcher (see [`EmitOptions::dispatcher`]).
    pub(crate) dispatcher: bool,
}

impl Ctx<'_> {
    /// Tokens naming the runtime crate, e.g. `::openapi_runtime`. Made on
    /// each call: token streams cannot be shared between the threads that
    /// share the context.
    pub(crate) fn rt(&self) -> TokenStream {
        let name = ident(&self.rt_name);
        quote!(::#name)
    }
}

/// An emitter of one section of the output: it pushes the section's items
/// one by one (see [`Items`]), so that a large section is never held whole.
type Section = fn(&Ctx<'_>, &mut Items);

/// The sections of the output, in order, with the names errors give them.
/// Each is emitted and formatted on its own (see [`render`]); a new
/// artefact is added here, and both [`tokens`] and [`render`] pick it up.
const SECTIONS: &[(&str, Section)] = &[
    ("types", types::emit),
    ("params", params::emit),
    ("validate", validate::emit),
    ("server", server_section),
    ("client", client_section),
    ("fluent", fluent_section),
    ("dispatch", dispatch::emit),
];

/// The order in which [`render`]'s workers take the sections, largest
/// first, so that the last one taken is small and no worker waits long
/// for another at the end.
const ORDER: [usize; 7] = [0, 2, 5, 3, 4, 1, 6];

/// At most this many threads emit and format: beyond it the largest
/// section alone sets the time.
const MAX_WORKERS: usize = 4;

/// Items formatted at a time (see [`chunk`]): enough that the cost of each
/// chunk's wrapper lines is nothing, few enough that a chunk's tokens and
/// `syn` tree are a few megabytes even when its items are large.
const CHUNK_ITEMS: usize = 64;

/// The server side, when the options ask for it.
fn server_section(ctx: &Ctx<'_>, out: &mut Items) {
    if ctx.server {
        validate::server::emit(ctx, out);
    }
}

/// The client, unless the options leave it out.
fn client_section(ctx: &Ctx<'_>, out: &mut Items) {
    if ctx.client {
        client::emit(ctx, out);
    }
}

/// The fluent builders, unless the options leave the client out.
fn fluent_section(ctx: &Ctx<'_>, out: &mut Items) {
    if ctx.client {
        fluent::emit(ctx, out);
    }
}

fn context<'a>(api: &'a Api, options: &EmitOptions) -> Ctx<'a> {
    Ctx {
        api,
        rt_name: options.runtime_crate.clone(),
        rt_path: format!("::{}", options.runtime_crate),
        param_structs: params::struct_names(api),
        form_structs: params::form_names(api),
        input_variants: validate::server::variant_names(api),
        client: options.client,
        server: options.server || options.dispatcher,
        dispatcher: options.dispatcher,
    }
}

/// Emits the whole API as tokens.
pub fn tokens(api: &Api, options: &EmitOptions) -> TokenStream {
    let ctx = context(api, options);
    SECTIONS
        .iter()
        .map(|(name, emit)| {
            let mut items = Items::new(Mode::Collect, name);
            emit(&ctx, &mut items);
            // Collecting tokens formats nothing, so it cannot fail.
            items
                .finish()
                .map(chunk::Code::into_tokens)
                .unwrap_or_default()
        })
        .collect()
}

/// Formats one section's tokens: `syn` parses them as a file and
/// `prettyplease` lays it out.
pub fn format_section(section: &'static str, tokens: TokenStream) -> Result<String, RenderError> {
    let file = syn::parse2::<syn::File>(tokens).map_err(|err| RenderError::Unparsable {
        section,
        message: err.to_string(),
    })?;
    Ok(prettyplease::unparse(&file))
}

/// Emits and formats one section, `chunk` items at a time; its text comes
/// in pieces.
fn section_text(ctx: &Ctx<'_>, i: usize, chunk: usize) -> Result<Vec<String>, RenderError> {
    let (name, emit) = SECTIONS[i];
    let mut items = Items::new(Mode::Format { chunk }, name);
    emit(ctx, &mut items);
    Ok(items.finish()?.into_text())
}

/// Emits and formats sections until none is left.
fn work(
    ctx: &Ctx<'_>,
    queue: &Mutex<Vec<usize>>,
    chunk: usize,
) -> Result<Vec<(usize, Vec<String>)>, RenderError> {
    let mut done = Vec::new();
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let Some(i) = next else {
            return Ok(done);
        };
        done.push((i, section_text(ctx, i, chunk)?));
    }
}

/// Emits and formats the whole API as Rust source text. Formatting is most
/// of the generator's time on a large spec, so the sections are shared out
/// among threads, which share one context; each thread formats what it
/// emits, a chunk of items at a time (see [`chunk`]), so that memory stays
/// bounded by a chunk per thread plus the text.
pub fn render(api: &Api, options: &EmitOptions) -> Result<String, RenderError> {
    Ok(render_pieces(api, options)?.concat())
}

/// [`render`]'s text in pieces, in order: a writer that takes them one by
/// one (see [`crate::write_pieces`]) never holds the text twice, as joining
/// them would (13 MB for Microsoft's largest module).
pub fn render_pieces(api: &Api, options: &EmitOptions) -> Result<Vec<String>, RenderError> {
    render_chunked(api, options, CHUNK_ITEMS)
}

/// [`render_pieces`] with `chunk` items formatted at a time.
fn render_chunked(
    api: &Api,
    options: &EmitOptions,
    chunk: usize,
) -> Result<Vec<String>, RenderError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS);
    let ctx = context(api, options);
    let queue = Mutex::new(ORDER.iter().rev().copied().collect::<Vec<_>>());
    let mut parts = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .map(|_| scope.spawn(|| work(&ctx, &queue, chunk)))
            .collect();
        let mut parts = work(&ctx, &queue, chunk)?;
        for helper in helpers {
            parts.extend(helper.join().map_err(|_| RenderError::Panicked)??);
        }
        Ok::<_, RenderError>(parts)
    })?;
    parts.sort_by_key(|(i, _)| *i);
    let header = format!(
        "// @generated by codegen {} from `{}` ({} {}). Do not edit by hand:\n\
         // change the spec and rebuild.\n\n",
        env!("CARGO_PKG_VERSION"),
        spec_name(Path::new(&api.source)),
        api.title.replace('\n', " "),
        api.version.replace('\n', " "),
    );
    let mut out = vec![header];
    for (_, pieces) in parts {
        if pieces.iter().any(|piece| !piece.is_empty()) {
            out.extend(pieces);
            out.push("\n".into());
        }
    }
    // The text ends with exactly one line break.
    while let Some(last) = out.last_mut() {
        last.truncate(last.trim_end().len());
        if !last.is_empty() || out.len() == 1 {
            break;
        }
        out.pop();
    }
    out.push("\n".into());
    Ok(out)
}

/// How the generated header names the spec, the same on every machine: a
/// relative path as given; an absolute one relative to the directory of
/// the crate being built (`CARGO_MANIFEST_DIR`, read at run time) when
/// there is one, else the file name alone.
fn spec_name(path: &Path) -> String {
    let named = if path.is_relative() {
        path.to_path_buf()
    } else {
        std::env::var_os("CARGO_MANIFEST_DIR")
            .and_then(|dir| relative_to(path, Path::new(&dir)))
            .unwrap_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default())
    };
    named.display().to_string().replace('\\', "/")
}

/// `path` as seen from `base` (both absolute), `..` where they part; `None`
/// when they share no root (another drive on Windows).
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path: Vec<Component<'_>> = path.components().collect();
    let base: Vec<Component<'_>> = base.components().collect();
    if path.first() != base.first() {
        return None;
    }
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    out.extend(&path[common..]);
    Some(out)
}

/// `#[doc = ...]` attributes for spec prose (see [`doc_line`]).
pub(crate) fn docs(parts: &[&str]) -> TokenStream {
    let mut lines = Vec::new();
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        for line in part.trim().lines() {
            lines.push(format!(" {}", doc_line(line)));
        }
    }
    quote!(#(#[doc = #lines])*)
}

/// Punctuation that ends a sentence after a URL rather than belonging to it.
const URL_TRAILERS: [char; 7] = ['.', ',', ';', ':', ')', '\'', '"'];

/// One line of spec prose made safe for rustdoc. Nothing in a description
/// may become a doc test of the generated crate or a rustdoc warning:
/// lines are trimmed (no indented code blocks), code fences are broken up,
/// `[`/`]` and `<`/`>` are escaped outside code spans (no intra-doc links,
/// no HTML tags), and bare URLs are put in angle brackets.
pub(crate) fn doc_line(line: &str) -> String {
    let line = line.trim().replace("```", "'''").replace("~~~", "~ ~ ~");
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let is_url = !in_code
            && (word.starts_with("http://") || word.starts_with("https://"))
            && !word.contains('`');
        if is_url {
            let url = word.trim_end_matches(URL_TRAILERS);
            out.push('<');
            out.extend(url.chars().filter(|c| !matches!(c, '<' | '>')));
            out.push('>');
            out.push_str(&word[url.len()..]);
            continue;
        }
        for c in word.chars() {
            match c {
                '`' => {
                    in_code = !in_code;
                    out.push(c);
                }
                '[' | ']' | '<' | '>' if !in_code => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{ORDER, RenderError, SECTIONS, format_section, ident, relative_to};

    #[test]
    fn every_section_is_taken_once() {
        let mut order = ORDER.to_vec();
        order.sort_unstable();
        assert_eq!(order, (0..SECTIONS.len()).collect::<Vec<_>>());
    }

    /// The whole output the way it was made before chunking: each
    /// section's tokens formatted at once.
    fn formatted_whole(api: &crate::model::Api, options: &super::EmitOptions) -> String {
        let ctx = super::context(api, options);
        let mut out = String::new();
        for (name, emit) in SECTIONS {
            let mut items = super::Items::new(super::Mode::Collect, name);
            emit(&ctx, &mut items);
            let text = format_section(name, items.finish().unwrap().into_tokens()).unwrap();
            if !text.is_empty() {
                out.push_str(&text);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn chunks_of_any_size_give_the_bytes_of_whole_sections() {
        // Every kind of item the emitters write, in every section
        // (dispatcher included): a chunk of one item shows that no item
        // is split and that items are laid out alone.
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/features.yaml");
        let api = crate::load_model(&spec).unwrap();
        let options = super::EmitOptions {
            dispatcher: true,
            ..Default::default()
        };
        let whole = formatted_whole(&api, &options);
        assert!(whole.lines().count() > 1000, "a spec with many items");
        for chunk in [1, 3, super::CHUNK_ITEMS, usize::MAX] {
            let text = super::render_chunked(&api, &options, chunk)
                .unwrap()
                .concat();
            let (header, body) = text.split_once("\n\n").unwrap();
            assert!(header.starts_with("// @generated"), "{header}");
            assert!(
                body == whole.trim_end().to_string() + "\n",
                "chunks of {chunk} items differ from whole sections"
            );
        }
        assert_eq!(
            super::render(&api, &options).unwrap(),
            super::render_pieces(&api, &options).unwrap().concat()
        );
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("kind").to_string(), "kind");
    }

    #[test]
    fn tokens_that_do_not_parse_are_an_internal_error_naming_the_section() {
        let err = format_section("routes", quote::quote!(pub fn)).unwrap_err();
        assert!(matches!(
            err,
            RenderError::Unparsable {
                section: "routes",
                ..
            }
        ));
        assert!(err.to_string().contains("`routes` section"), "{err}");
    }

    #[test]
    fn comparisons_and_negative_numbers_print_as_rust() {
        // The cases a home-made printer got wrong: `<` read as a generic.
        let text = format_section(
            "check",
            quote::quote!(
                fn f(n: i64, x: i64) -> bool {
                    n < 3 && x < -1
                }
            ),
        )
        .unwrap();
        assert!(text.contains("n < 3 && x < -1"), "{text}");
        syn::parse_file(&text).unwrap();
    }

    #[test]
    fn spec_paths_are_named_relative_to_the_crate() {
        let rel = |p: &str, b: &str| relative_to(Path::new(p), Path::new(b));
        assert_eq!(
            rel("/a/repo/spec/x.yaml", "/a/repo/generated"),
            Some(PathBuf::from("../spec/x.yaml"))
        );
        assert_eq!(rel("/a/b/x.yaml", "/a/b"), Some(PathBuf::from("x.yaml")));
    }
}
