//! Emission: [`crate::model::Api`] → [`Code`] (flat tokens) → formatted source.
//!
//! One module per artefact: named types, the route table, the flat client
//! methods and the fluent path builders. The output is a sequence of items
//! meant for `include!` (no inner attributes), prefixed by an `@generated`
//! header, and is byte-for-byte the same for the same model.

mod client;
pub(crate) mod code;
mod fluent;
mod params;
mod print;
mod routes;
mod rust_type;
mod success;
mod types;
mod validate;

use std::sync::atomic::{AtomicUsize, Ordering};

pub use code::Code;
use code::{Ident, code};

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
    pub(crate) rt: Code,
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
const SECTIONS: &[fn(&Ctx<'_>) -> Code] = &[
    types::emit,
    routes::emit,
    params::emit,
    validate::emit,
    validate::server::emit,
    client_section,
    fluent_section,
];

/// The order in which the workers of [`render`] take the sections: the
/// largest first, so that the last one taken is small and the workers
/// finish close together. Emitting and printing took, on Microsoft's
/// Actions module with the flat token list: validation 19 ms, types 11,
/// the fluent paths 7, the server 6, the client 5, routes 4, parameters
/// next to nothing.
const LARGEST_FIRST: [usize; 7] = [3, 0, 6, 4, 5, 1, 2];

/// At most this many threads emit and print: beyond it the largest
/// section alone sets the time.
const MAX_WORKERS: usize = 4;

/// The client, unless the options leave it out.
fn client_section(ctx: &Ctx<'_>) -> Code {
    if ctx.client {
        client::emit(ctx)
    } else {
        code!()
    }
}

/// The fluent builders, unless the options leave the client out.
fn fluent_section(ctx: &Ctx<'_>) -> Code {
    if ctx.client {
        fluent::emit(ctx)
    } else {
        code!()
    }
}

fn context<'a>(api: &'a Api, options: &EmitOptions) -> Ctx<'a> {
    let rt_ident = Ident::new(&options.runtime_crate);
    Ctx {
        api,
        rt: code!(::#rt_ident),
        rt_path: format!("::{}", options.runtime_crate),
        param_structs: params::struct_names(api),
        input_variants: validate::server::variant_names(api),
        client: options.client,
    }
}

/// Emits the whole API as tokens.
pub fn tokens(api: &Api, options: &EmitOptions) -> Code {
    let ctx = context(api, options);
    let mut out = Code::new();
    for emit in SECTIONS {
        out.append(&emit(&ctx));
    }
    out
}

/// Emits and prints sections, taking the next one from `LARGEST_FIRST`
/// until none is left.
fn work(ctx: &Ctx<'_>, next: &AtomicUsize) -> Vec<(usize, String)> {
    let mut done = Vec::new();
    while let Some(&i) = LARGEST_FIRST.get(next.fetch_add(1, Ordering::Relaxed)) {
        done.push((i, print::print(&SECTIONS[i](ctx))));
    }
    done
}

/// Lays out emitted tokens as Rust source (see [`print`]): what
/// [`render`] does with each section.
pub fn print_tokens(code: &Code) -> String {
    print::print(code)
}

/// Emits and formats the whole API as Rust source text. Emitting and
/// printing are most of the generator's time on a large spec, so the
/// sections are shared out among threads, which share one context; each
/// thread emits what it prints.
pub fn render(api: &Api, options: &EmitOptions) -> Result<String, String> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS);
    let ctx = context(api, options);
    let next = AtomicUsize::new(0);
    let mut parts = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .map(|_| scope.spawn(|| work(&ctx, &next)))
            .collect();
        let mut parts = work(&ctx, &next);
        for helper in helpers {
            let done = helper
                .join()
                .map_err(|_| "internal error: an emitting thread panicked".to_string())?;
            parts.extend(done);
        }
        Ok::<_, String>(parts)
    })?;
    parts.sort_by_key(|(i, _)| *i);
    let header = format!(
        "// @generated by codegen {} from `{}` ({} {}). Do not edit by hand:\n\
         // change the spec and rebuild.\n\n",
        env!("CARGO_PKG_VERSION"),
        api.source.replace('\\', "/"),
        api.title.replace('\n', " "),
        api.version.replace('\n', " "),
    );
    let mut out = String::with_capacity(
        header.len() + parts.iter().map(|(_, text)| text.len()).sum::<usize>(),
    );
    out.push_str(&header);
    for (_, text) in &parts {
        out.push_str(text);
    }
    Ok(out)
}

/// `#[doc = ...]` attributes for spec prose (see [`doc_line`]).
pub(crate) fn docs(parts: &[&str]) -> Code {
    let mut out = Code::new();
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        if !out.is_empty() {
            out.doc("");
        }
        for line in part.trim().lines() {
            out.doc(&format!(" {}", doc_line(line)));
        }
    }
    out
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
    use super::{LARGEST_FIRST, SECTIONS};

    #[test]
    fn every_section_is_taken_once() {
        let mut order = LARGEST_FIRST.to_vec();
        order.sort_unstable();
        assert_eq!(order, (0..SECTIONS.len()).collect::<Vec<_>>());
    }
}
