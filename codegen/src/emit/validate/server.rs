//! `pub mod server`: the server-side entry point. `handle` takes a raw
//! request and hands it, with the route table and one input builder per
//! operation, to the runtime's generic reader, which returns the
//! operation's typed, validated input, or why it was refused.

use std::collections::BTreeMap;

use super::super::Ctx;
use super::super::choice::text_newtype;
use super::super::chunk::Items;
use super::super::client::structured_path;
use super::super::params::params_struct;
use super::super::rust_type::{nullable_type, rust_type};
use crate::emit::ident;
use crate::model::{Api, BodyKind, Operation, ParamLocation};
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
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    // Two items hold nearly all of it (`Input` and `BUILDERS`), one
    // entry per operation each, so the module is formatted whole.
    out.push(module(ctx));
}

/// `pub mod server`.
fn module(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt();
    let variants = ctx.api.operations.iter().map(|op| input_variant(ctx, op));
    let readers = ctx.api.operations.iter().map(|op| reader(ctx, op));
    quote! {
        /// The server side of the validators: raw HTTP request in, typed and
        /// validated operation input (or the reasons to refuse it) out. The
        /// checks are the runtime's, read from the route table; each
        /// operation only builds its `Input` from the checked parts.
        pub mod server {
            pub use #rt::validate::serve::Rejection;
            use #rt::validate::serve::Builder;

            /// The typed, validated input of one operation: path parameters
            /// as decoded text, `params` when the operation has query or
            /// header parameters, `body` when it has a body.
            #[derive(Debug, Clone, PartialEq)]
            #[allow(clippy::large_enum_variant)]
            pub enum Input {
                #(#variants)*
            }

            /// A request that names an operation and satisfies the spec.
            pub type Matched = #rt::validate::serve::Matched<Input>;

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
                #rt::validate::serve::handle(super::routes::ALL, BUILDERS, &request)
            }

            /// Each operation's input builder, in the order of `routes::ALL`:
            /// it takes the checked parts in the order of the route's
            /// parameters, then the body, and names its `Input` variant.
            static BUILDERS: &[Builder<Input>] = &[#(#readers),*];
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
        let ty = match text_newtype(ctx.api, &p.schema) {
            Some(newtype) => {
                let newtype = ident(newtype);
                quote!(super::types::#newtype)
            }
            None if structured_path(ctx, p) => rust_type(ctx, &p.schema, &quote!(super::types::)),
            None => quote!(String),
        };
        fields.push(quote!(#[doc = #doc] #field: #ty,));
    }
    if let Some(params) = params_struct(ctx, op) {
        fields
            .push(quote!(#[doc = " Query and header parameters."] params: super::params::#params,));
    }
    if let Some(body) = &op.body {
        let rt = &ctx.rt();
        let ty = match body.kind {
            BodyKind::Json | BodyKind::Form => {
                nullable_type(ctx, &body.schema, &quote!(super::types::))
            }
            BodyKind::Text => quote!(String),
            BodyKind::Binary => quote!(Vec<u8>),
            BodyKind::Raw | BodyKind::Multipart => quote!(#rt::validate::media::RawPayload),
        };
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

/// The builder of one operation's input, a closure in the `BUILDERS`
/// table: takes each part from the runtime's checked `Parts` in the
/// route's parameter order, then puts them into the operation's variant
/// (refused parts are `None`).
fn reader(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let variant = variant(ctx, op);
    let mut steps = Vec::new();
    let mut fields = Vec::new();
    let mut param_fields = Vec::new();
    for p in &op.params {
        let local = ident(format!("p_{}", names::snake(&p.rust_name)));
        let field = ident(&p.rust_name);
        match p.location {
            ParamLocation::Path if structured_path(ctx, p) => {
                steps.push(quote!(let #local = p.path_value();));
                fields.push(quote!(#field: #local?,));
            }
            ParamLocation::Path => {
                steps.push(quote!(let #local = p.path();));
                if text_newtype(ctx.api, &p.schema).is_some() {
                    fields.push(quote!(#field: #local?.into(),));
                } else {
                    fields.push(quote!(#field: #local?,));
                }
            }
            ParamLocation::Query | ParamLocation::Header | ParamLocation::Cookie => {
                // The type comes from the field the value goes into.
                steps.push(quote!(let #local = p.param();));
                if !p.required || ctx.api.admits_null(&p.schema) {
                    param_fields.push(quote!(#field: #local,));
                } else {
                    param_fields.push(quote!(#field: #local?,));
                }
            }
        }
    }
    if let Some(body) = &op.body {
        let read = ident(match body.kind {
            BodyKind::Json => "body",
            BodyKind::Form => "form",
            BodyKind::Text => "text",
            BodyKind::Binary => "bytes",
            BodyKind::Raw | BodyKind::Multipart => "raw",
        });
        steps.push(quote!(let body = p.#read();));
        if body.required {
            fields.push(quote!(body: body??,));
        } else {
            fields.push(quote!(body: body?,));
        }
    }
    if let Some(params) = params_struct(ctx, op) {
        fields.push(quote!(params: super::params::#params { #(#param_fields)* },));
    }
    if steps.is_empty() {
        return quote!(|_| Some(Input::#variant { #(#fields)* }));
    }
    quote! {
        |p| {
            #(#steps)*
            Some(Input::#variant { #(#fields)* })
        }
    }
}
