//! Emission: [`crate::model::Api`] → Rust tokens → formatted source.
//!
//! One module per artefact: named types, the route table, the flat client
//! methods and the fluent path builders. The output is a sequence of items
//! meant for `include!` (no inner attributes), prefixed by an `@generated`
//! header, and is byte-for-byte the same for the same model.

mod client;
mod fluent;
mod params;
mod routes;
mod rust_type;
mod success;
mod types;
mod validate;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::Api;

/// What the emitted code may assume about its surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitOptions {
    /// Path of the runtime crate in the generated code (`graph_runtime`).
    pub runtime_crate: String,
    /// Whether to emit the `Client` methods and fluent builders. Without
    /// them the output is types, routes, parameters, validators and the
    /// server entry point, which is all a validating server needs (and
    /// compiles faster for large specs).
    pub client: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            runtime_crate: "graph_runtime".into(),
            client: true,
        }
    }
}

/// Shared context for the emitters.
pub(crate) struct Ctx<'a> {
    pub(crate) api: &'a Api,
    /// Tokens naming the runtime crate, e.g. `::graph_runtime`.
    pub(crate) rt: TokenStream,
    /// The runtime crate path as a string, for `#[serde(crate = "...")]`.
    pub(crate) rt_path: String,
    /// Parameter struct name by operationId (see [`params::struct_names`]).
    pub(crate) param_structs: std::collections::BTreeMap<String, String>,
    /// The server's `Input` variant name by operationId (see
    /// [`validate::server::variant_names`]).
    pub(crate) input_variants: std::collections::BTreeMap<String, String>,
    /// Whether to emit the client and the fluent builders (see
    /// [`EmitOptions::client`]).
    pub(crate) client: bool,
}

/// The sections of the output, in order. Each is emitted and formatted on
/// its own (see [`render`]); a new artefact is added here, and both
/// [`tokens`] and [`render`] pick it up.
const SECTIONS: &[fn(&Ctx<'_>) -> TokenStream] = &[
    types::emit,
    routes::emit,
    params::emit,
    validate::emit,
    validate::server::emit,
    client_section,
    fluent_section,
];

/// Which sections the second formatting thread takes: together they are
/// about half of the output on Microsoft's modules.
const SECOND_THREAD: &[usize] = &[1, 2, 4, 6];

/// The client, unless the options leave it out.
fn client_section(ctx: &Ctx<'_>) -> TokenStream {
    if ctx.client {
        client::emit(ctx)
    } else {
        quote!()
    }
}

/// The fluent builders, unless the options leave the client out.
fn fluent_section(ctx: &Ctx<'_>) -> TokenStream {
    if ctx.client {
        fluent::emit(ctx)
    } else {
        quote!()
    }
}

fn context<'a>(api: &'a Api, options: &EmitOptions) -> Ctx<'a> {
    let rt_ident = ident(&options.runtime_crate);
    Ctx {
        api,
        rt: quote!(::#rt_ident),
        rt_path: format!("::{}", options.runtime_crate),
        param_structs: params::struct_names(api),
        input_variants: validate::server::variant_names(api),
        client: options.client,
    }
}

/// Emits the whole API as tokens.
pub fn tokens(api: &Api, options: &EmitOptions) -> TokenStream {
    let ctx = context(api, options);
    let sections = SECTIONS.iter().map(|emit| emit(&ctx));
    quote!(#(#sections)*)
}

/// Emits and formats the sections numbered `which`.
fn format_sections(
    api: &Api,
    options: &EmitOptions,
    which: &[usize],
) -> Result<Vec<(usize, String)>, String> {
    let ctx = context(api, options);
    which
        .iter()
        .map(|&i| {
            let file: syn::File = syn::parse2(SECTIONS[i](&ctx)).map_err(|err| {
                format!("internal error: generated tokens do not parse as Rust: {err}")
            })?;
            Ok((i, prettyplease::unparse(&file)))
        })
        .collect()
}

/// Emits and formats the whole API as Rust source text. Formatting is most
/// of the generator's time on a large spec, so the sections are emitted
/// and formatted on two threads (token streams cannot cross threads: each
/// thread emits its own).
pub fn render(api: &Api, options: &EmitOptions) -> Result<String, String> {
    let first: Vec<usize> = (0..SECTIONS.len())
        .filter(|i| !SECOND_THREAD.contains(i))
        .collect();
    let (here, there) = std::thread::scope(|scope| {
        let second = scope.spawn(|| format_sections(api, options, SECOND_THREAD));
        let here = format_sections(api, options, &first);
        let there = second
            .join()
            .unwrap_or_else(|_| Err("internal error: the formatting thread panicked".into()));
        (here, there)
    });
    let mut parts = here?;
    parts.extend(there?);
    parts.sort_by_key(|(i, _)| *i);
    let body: String = parts.into_iter().map(|(_, text)| text).collect();
    Ok(format!(
        "// @generated by codegen {} from `{}` ({} {}). Do not edit by hand:\n\
         // change the spec and rebuild.\n\n{body}",
        env!("CARGO_PKG_VERSION"),
        api.source.replace('\\', "/"),
        api.title.replace('\n', " "),
        api.version.replace('\n', " "),
    ))
}

/// An identifier, raw when the name is a raw identifier (`r#type`).
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc = ...]` attributes for spec prose (see [`doc_line`]).
pub(crate) fn docs(parts: &[&str]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        for line in part.trim().lines() {
            lines.push(format!(" {}", doc_line(line)));
        }
    }
    let attrs = lines.iter().map(|l| quote!(#[doc = #l]));
    quote!(#(#attrs)*)
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
