//! `pub mod server`: the server-side entry point. [`handle`] takes a raw
//! request, finds its route and returns the operation's typed, validated
//! input, or why it was refused.

use std::collections::BTreeMap;

use super::super::Ctx;
use super::super::params::params_struct;
use super::super::rust_type::nullable_type;
use super::param_rule;
use crate::emit::ident;
use crate::model::{Api, Operation, ParamLocation};
use crate::names::{self, Namespace};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Decides the `Input` variant name of every operation. Distinct method
/// names can meet once turned to PascalCase (`foo_bar2` and `foo_bar_2`),
/// so the names come from one namespace, in operation order.
pub(crate) fn variant_names(api: &Api) -> BTreeMap<String, String> {
    let mut taken = Namespace::default();
    api.operations
        .iter()
        .map(|op| (op.id.clone(), taken.claim(&names::pascal(&op.rust_name))))
        .collect()
}

/// The `Input` variant of an operation.
pub(crate) fn variant(ctx: &Ctx<'_>, op: &Operation) -> Ident {
    match ctx.input_variants.get(&op.id) {
        Some(name) => ident(name.as_str()),
        // Every operation of `ctx.api` is in the map; this arm only keeps
        // the function total.
        None => ident(names::pascal(&op.rust_name)),
    }
}

/// Emits `pub mod server`.
pub(crate) fn emit(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt();
    let variants = ctx.api.operations.iter().map(|op| input_variant(ctx, op));
    let readers = ctx.api.operations.iter().map(|op| reader(ctx, op));
    let readers_in_order = ctx.api.operations.iter().map(|op| ident(&op.rust_name));
    quote! {
        /// The server side of the validators: raw HTTP request in, typed and
        /// validated operation input (or the reasons to refuse it) out.
        pub mod server {
            /// The typed, validated input of one operation: path parameters
            /// as decoded text, `params` when the operation has query or
            /// header parameters, `body` when it has a body.
            #[derive(Debug, Clone, PartialEq)]
            #[allow(clippy::large_enum_variant)]
            pub enum Input {
                #(#variants)*
            }

            /// A request that names an operation and satisfies the spec.
            #[derive(Debug, Clone, PartialEq)]
            pub struct Matched {
                /// The operation's route.
                pub route: &'static #rt::Route,
                /// Its input.
                pub input: Input,
            }

            /// Why a request was refused.
            #[derive(Debug, Clone, PartialEq)]
            pub enum Rejection {
                /// No operation has this path.
                UnknownRoute,
                /// Operations have this path, but not with this method.
                MethodNotAllowed {
                    /// The methods the path does take.
                    allow: Vec<#rt::Method>,
                },
                /// The request breaks the spec of its operation.
                Invalid {
                    /// The operation.
                    route: &'static #rt::Route,
                    /// Every violation, ordered path, query, headers, body.
                    /// Those about `Authorization` are located at
                    /// `/headers/authorization`.
                    violations: Vec<#rt::Violation>,
                },
            }

            /// Judges one raw request.
            ///
            /// `path` is relative to the service root (e.g.
            /// `/deviceManagement/...`) and still percent-encoded as
            /// received; `query` is the raw query string without `?`;
            /// header names compare case-insensitively; `body` is empty when
            /// there is none.
            pub fn handle(
                method: &str,
                path: &str,
                query: Option<&str>,
                headers: &[(&str, &str)],
                body: &[u8],
            ) -> Result<Matched, Rejection> {
                let request = #rt::validate::request::RawRequest { method, path, query, headers, body };
                let (index, found) = match #rt::validate::request::find_route(super::routes::ALL, method, path) {
                    Ok(hit) => hit,
                    Err(#rt::validate::request::RouteMiss::Unknown) => {
                        return Err(Rejection::UnknownRoute);
                    }
                    Err(#rt::validate::request::RouteMiss::Method(allow)) => {
                        return Err(Rejection::MethodNotAllowed { allow });
                    }
                };
                let route = super::routes::ALL[index];
                let input = match READERS.get(index) {
                    Some(read) => read(&request, &found),
                    None => {
                        return Err(Rejection::UnknownRoute);
                    }
                };
                match input {
                    Ok(input) => Ok(Matched { route, input }),
                    Err(violations) => {
                        Err(Rejection::Invalid { route, violations })
                    }
                }
            }

            /// What reads one operation's request: its path parameters as
            /// the route matched them, in, its input or violations out.
            type Reader = fn(
                &#rt::validate::request::RawRequest<'_>,
                &[(&'static str, String)],
            ) -> Result<Input, Vec<#rt::Violation>>;

            /// Each operation's reader, in the order of `routes::ALL` (a
            /// table rather than a `match`: one line per operation).
            static READERS: &[Reader] = &[#(#readers_in_order),*];

            #(#readers)*
        }
    }
}

fn input_variant(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let name = variant(ctx, op);
    let mut fields = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let field = ident(&p.rust_name);
        let doc = format!(" Path parameter `{}`, decoded.", p.name);
        fields.push(quote!(#[doc = #doc] #field: String,));
    }
    if let Some(params) = params_struct(ctx, op) {
        fields
            .push(quote!(#[doc = " Query and header parameters."] params: super::params::#params,));
    }
    if let Some(body) = &op.body {
        let ty = nullable_type(ctx, &body.schema, &quote!(super::types::));
        let ty = if body.required {
            ty
        } else {
            quote!(Option<#ty>)
        };
        fields.push(quote!(#[doc = " The request body."] body: #ty,));
    }
    let doc = format!(
        " `{} {}` (operationId `{}`).",
        op.method.spec_name().to_uppercase(),
        op.path,
        op.id
    );
    quote! {
        #[doc = #doc]
        #name { #(#fields)* },
    }
}

/// The function that validates and reads one operation's input.
fn reader(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let rt = &ctx.rt();
    let name = ident(&op.rust_name);
    let module = ident(&op.rust_name);
    let variant = variant(ctx, op);
    let rules = quote!(super::validate::rules::#module);
    let mut steps = Vec::new();
    // What must be `Some` for the input to be built, and the fields.
    let mut needed: Vec<(Ident, TokenStream)> = Vec::new();
    let mut fields = Vec::new();
    let mut param_fields = Vec::new();
    for p in &op.params {
        let rule = param_rule(p);
        let local = ident(format!("p_{}", names::snake(&p.rust_name)));
        let field = ident(&p.rust_name);
        match p.location {
            ParamLocation::Path => {
                steps.push(
                    quote!(let #local = request.path_param(found, &#rules::#rule, &mut out);),
                );
                needed.push((local.clone(), quote!(#local)));
                fields.push(quote!(#field: #local,));
            }
            ParamLocation::Query | ParamLocation::Header => {
                let ty = nullable_type(ctx, &p.schema, &quote!(super::types::));
                let read = if p.location == ParamLocation::Query {
                    ident("query_param")
                } else {
                    ident("header_param")
                };
                steps.push(quote!(let #local = request.#read::<#ty>(&#rules::#rule, &mut out);));
                if p.required {
                    needed.push((local.clone(), quote!(#local)));
                }
                param_fields.push(quote!(#field: #local,));
            }
        }
    }
    if op.auth_required {
        steps.push(quote!(request.check_bearer(&mut out);));
    }
    steps.push(quote!(request.check_accept(&mut out);));
    let mut body_pattern = quote!(_);
    match &op.body {
        Some(body) => {
            let ty = nullable_type(ctx, &body.schema, &quote!(super::types::));
            let media = &body.content_type;
            let required = body.required;
            steps.push(quote! {
                let body = request.json_body::<#ty>(
                    #media,
                    #required,
                    &#rules::BODY,
                    #rules::BODY_TYPED_PROVES_VALID,
                    &mut out,
                );
            });
            if body.required {
                body_pattern = quote!(Ok(Some(body)));
            } else {
                body_pattern = quote!(Ok(body));
            }
            fields.push(quote!(body,));
        }
        None => steps.push(quote!(request.no_body(&mut out);)),
    }
    if let Some(params) = params_struct(ctx, op) {
        fields.push(quote!(params: super::params::#params { #(#param_fields)* },));
    }
    let body_value = if op.body.is_some() {
        quote!(body)
    } else {
        quote!(())
    };
    let refutable = !needed.is_empty() || op.body.is_some();
    let locals = needed.iter().map(|(l, _)| l);
    let patterns = needed.iter().map(|(l, _)| quote!(Some(#l)));
    let unpack = if refutable {
        quote! {
            let ((#(#patterns,)*), #body_pattern) = ((#(#locals,)*), #body_value) else {
                // Every reader adds a violation when it returns nothing, so
                // this cannot happen; refuse rather than panic if it does.
                return Err(#rt::validate::request::lacked_part());
            };
        }
    } else {
        quote!()
    };
    let found = if op.params.iter().any(|p| p.location == ParamLocation::Path) {
        ident("found")
    } else {
        ident("_found")
    };
    quote! {
        fn #name(
            request: &#rt::validate::request::RawRequest<'_>,
            #found: &[(&'static str, String)],
        ) -> Result<Input, Vec<#rt::Violation>> {
            let mut out = Vec::new();
            #(#steps)*
            #rt::validate::request::sort_request(&mut out);
            if !out.is_empty() {
                return Err(out);
            }
            #unpack
            Ok(Input::#variant { #(#fields)* })
        }
    }
}
