//! The generated `Client` and its flat methods: one `async fn` per
//! operation, named after the operationId.

use super::choice::text_newtype;
use super::params::params_struct;
use super::routes::route_const;
use super::rust_type::nullable_type;
use super::success::{Success, success};
use super::{Ctx, docs};
use crate::emit::ident;
use crate::model::{Body, BodyKind, Operation, ParamLocation};
use proc_macro2::TokenStream;
use quote::quote;

/// The flat method's argument list (after `&self`), as declarations and as
/// the names to pass along. Types are written from a module `up` below the
/// crate root (`quote!()` at the root, `quote!(super::)` one level down).
pub(crate) fn arguments(
    ctx: &Ctx<'_>,
    op: &Operation,
    up: &TokenStream,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut decls = Vec::new();
    let mut names = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let name = ident(&p.rust_name);
        match text_newtype(ctx.api, &p.schema) {
            Some(newtype) => {
                let newtype = ident(newtype);
                decls.push(quote!(#name: impl Into<#up types::#newtype>));
            }
            None => decls.push(quote!(#name: &str)),
        }
        names.push(quote!(#name));
    }
    if let Some(params) = params_struct(ctx, op) {
        decls.push(quote!(params: &#up params::#params));
        names.push(quote!(params));
    }
    if let Some(body) = &op.body {
        let rt = &ctx.rt();
        let ty = match body.kind {
            BodyKind::Json | BodyKind::Form => {
                let ty = nullable_type(ctx, &body.schema, &quote!(#up types::));
                quote!(&#ty)
            }
            BodyKind::Text => quote!(&str),
            BodyKind::Binary => quote!(&[u8]),
            BodyKind::Raw => quote!(#rt::RawBody<'_>),
        };
        decls.push(quote!(body: #ty));
        names.push(quote!(body));
    }
    (decls, names)
}

/// The `Args` method that takes an operation's body.
fn body_arg(body: &Body) -> TokenStream {
    match body.kind {
        BodyKind::Json => quote!(body),
        BodyKind::Form => quote!(form),
        BodyKind::Text => quote!(text),
        BodyKind::Binary => quote!(bytes),
        BodyKind::Raw => quote!(raw),
    }
}

/// The return type of an operation's methods.
/// `error` is how the runtime's `Error` is named where the method sits.
pub(crate) fn return_type(ctx: &Ctx<'_>, op: &Operation, error: &TokenStream) -> TokenStream {
    let ok = match success(ctx, op) {
        Success::Empty => quote!(()),
        Success::Json(ty) => ty,
        Success::Optional(ty) => quote!(Option<#ty>),
        Success::Bytes => quote!(Vec<u8>),
        Success::Text => quote!(String),
    };
    quote!(Result<#ok, #error>)
}

/// Emits `Client` and its flat methods.
pub(crate) fn emit(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt();
    let methods = ctx.api.operations.iter().map(|op| method(ctx, op));
    let title = format!(" Client for {}.", super::doc_line(&ctx.api.title));
    quote! {
        #[doc = #title]
        ///
        /// Every operation has a flat method named after its operationId and
        /// a place in the fluent path that mirrors its URL. Each call is
        /// checked against the spec first (see [`validate`]); a request
        /// that breaks it is not sent and fails with `Error::InvalidRequest`.
        #[derive(Debug, Clone)]
        pub struct Client {
            runtime: #rt::Client,
        }

        impl Client {
            /// Wraps a configured runtime client (base URL, token, timeouts).
            pub fn new(runtime: #rt::Client) -> Self {
                Client { runtime }
            }

            /// The runtime client underneath.
            pub fn runtime(&self) -> &#rt::Client {
                &self.runtime
            }

            #(#methods)*
        }
    }
}

fn method(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let rt = &ctx.rt();
    let name = ident(&op.rust_name);
    let route = route_const(op);
    let (decls, _) = arguments(ctx, op, &quote!());
    let ret = return_type(ctx, op, &quote!(#rt::Error));
    let mut conversions = Vec::new();
    let mut path_args = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        let name = ident(&p.rust_name);
        match text_newtype(ctx.api, &p.schema) {
            Some(newtype) => {
                let newtype = ident(newtype);
                conversions.push(quote!(let #name: types::#newtype = #name.into();));
                path_args.push(quote!(#name.as_str()));
            }
            None => path_args.push(quote!(#name)),
        }
    }
    let mut args = quote!(#rt::Args::new(&[#(#path_args),*]));
    if params_struct(ctx, op).is_some() {
        args = quote!(#args.params(params));
    }
    if let Some(body) = &op.body {
        let with = body_arg(body);
        args = quote!(#args.#with(body));
    }
    let call = match success(ctx, op) {
        Success::Empty => quote!(call_empty),
        Success::Json(_) => quote!(call_json),
        Success::Optional(_) => quote!(call_optional),
        Success::Bytes => quote!(call_bytes),
        Success::Text => quote!(call_text),
    };
    let request_line = format!(
        " `{} {}` (operationId `{}`).",
        op.method.spec_name().to_uppercase(),
        op.path,
        op.id
    );
    let permissions = if op.permissions.is_empty() {
        quote!()
    } else {
        let alts: Vec<String> = op.permissions.iter().map(|a| a.join(" + ")).collect();
        let line = format!(" Needs one of these permissions: {}.", alts.join(", "));
        quote!(#[doc = #line])
    };
    let doc = docs(&[&op.summary, &op.description]);
    let others = match &op.body {
        Some(body) if !body.others.is_empty() => {
            let list: Vec<String> = body.others.iter().map(|m| format!("`{m}`")).collect();
            let line = format!(
                " The body is sent as `{}`; it is also documented as {}: send those as \
                 bytes with `self.runtime().call(&routes::{}, Args::new(..).raw(..))`.",
                body.content_type,
                list.join(", "),
                route
            );
            quote!(#[doc = ""] #[doc = #line])
        }
        _ => quote!(),
    };
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    quote! {
        #doc
        #[doc = ""]
        #[doc = #request_line]
        #permissions
        #others
        #deprecated
        pub async fn #name(&self, #(#decls),*) -> #ret {
            #(#conversions)*
            self.runtime.#call(&routes::#route, #args).await
        }
    }
}
