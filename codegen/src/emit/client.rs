//! The generated `Client` and its flat methods: one `async fn` per
//! operation, named after the operationId.

use super::choice::text_newtype;
use super::chunk::{Container, Items};
use super::params::{form_struct, params_struct};
use super::routes::route_const;
use super::rust_type::nullable_type;
use super::success::{Success, success};
use super::{Ctx, docs};
use crate::emit::ident;
use crate::model::{Body, BodyKind, Operation, ParamLocation, Schema, SchemaKind, Status};
use proc_macro2::TokenStream;
use quote::quote;

/// Whether a path parameter holds an array or an object, which its style
/// spells item by item: the flat method takes it typed (any of the
/// runtime's `PathValue`s), the server reads it back typed.
pub(crate) fn structured_path(ctx: &Ctx<'_>, p: &crate::model::Param) -> bool {
    p.location == ParamLocation::Path && ctx.api.is_structured(&p.schema)
}

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
            None if structured_path(ctx, p) => {
                let rt = &ctx.rt();
                decls.push(quote!(#name: &(impl #rt::PathValue + ?Sized)));
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
            // Bytes, a file or a stream (`Upload`); `&[u8]` and `Vec<u8>`
            // convert.
            BodyKind::Binary => quote!(impl Into<#rt::Upload>),
            // Bytes, a file or a stream with the caller's `Content-Type`.
            BodyKind::Raw => quote!(#rt::RawBody),
            BodyKind::Multipart => match form_struct(ctx, op) {
                Some(form) => quote!(&#up params::#form),
                None => quote!(#rt::RawBody),
            },
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
        BodyKind::Binary => quote!(upload),
        BodyKind::Raw => quote!(raw),
        BodyKind::Multipart => quote!(multipart),
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
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    let rt = &ctx.rt();
    let common_errors = common_error_types(&ctx.api.operations);
    let methods = ctx
        .api
        .operations
        .iter()
        .map(|op| method(ctx, op, &common_errors));
    let title = format!(" Client for {}.", super::doc_line(&ctx.api.title));
    let errors = if common_errors.is_empty() {
        quote!()
    } else {
        let line = format!(
            "{} (unless a method's docs say otherwise).",
            errors_line(&common_errors).trim_end_matches('.')
        );
        quote!(#[doc = ""] #[doc = #line])
    };
    out.push(quote! {
        #[doc = #title]
        ///
        /// Every operation has a flat method named after its operationId and
        /// a place in the fluent path that mirrors its URL. Each call is
        /// checked against the spec first (see [`validate`]); a request
        /// that breaks it is not sent and fails with `Error::InvalidRequest`.
        #errors
        #[derive(Debug, Clone)]
        pub struct Client {
            runtime: #rt::Client,
        }
    });
    let mut body = out.nested(Container::Impl);
    body.push(quote! {
            /// Wraps a configured runtime client (base URL, token, timeouts),
            /// telling it which service it serves (see `Client::for_service`).
            pub fn new(runtime: #rt::Client) -> Self {
                Client { runtime: runtime.for_service(&SERVICE) }
            }

            /// The runtime client underneath.
            pub fn runtime(&self) -> &#rt::Client {
                &self.runtime
            }
    });
    body.extend(methods);
    out.close(quote!(impl Client), body);
}

fn method(ctx: &Ctx<'_>, op: &Operation, common_errors: &[&str]) -> TokenStream {
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
            // The runtime reads an array or object from its JSON text.
            None if structured_path(ctx, p) => {
                conversions.push(quote!(let #name = #rt::PathValue::path_text(#name);));
                path_args.push(quote!(&*#name));
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
    let server = match op.servers.first() {
        Some(server) => {
            let line = format!(
                " Sent to the operation's own server `{}`: a relative URL resolves against \
                 the base URL; an absolute one is called as it is unless the base URL is \
                 loopback (see `ClientBuilder::base_url`).",
                server.url
            );
            quote!(#[doc = ""] #[doc = #line])
        }
        None => quote!(),
    };
    // Said once on `Client` for the error types most methods share.
    let own_errors = error_types(op);
    let errors = if own_errors == common_errors {
        quote!()
    } else {
        let line = errors_line(&own_errors);
        quote!(#[doc = ""] #[doc = #line])
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
        #server
        #errors
        #deprecated
        pub async fn #name(&self, #(#decls),*) -> #ret {
            #(#conversions)*
            self.runtime.#call(&routes::#route, #args).await
        }
    }
}

/// The named types the operation documents for its failures (non-2xx
/// codes, `4XX`/`5XX` and the like, `default`), sorted and without
/// repeats: what `Error::error_body_as` reads a failure's body as.
fn error_types(op: &Operation) -> Vec<&str> {
    let mut names: Vec<&str> = op
        .responses
        .iter()
        .filter(|r| match r.status {
            Status::Code(code) => !(200..300).contains(&code),
            Status::Range(class) => class != 2,
            Status::Default => true,
        })
        .filter_map(|r| match &r.schema {
            Some(Schema {
                kind: SchemaKind::Named(name),
                ..
            }) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The error types most operations document (see [`error_types`]): said
/// once on `Client` rather than on each method, as for Microsoft's
/// modules, where every operation documents the same OData error. Empty
/// when no operation documents one.
fn common_error_types(ops: &[Operation]) -> Vec<&str> {
    let mut counts: std::collections::BTreeMap<Vec<&str>, usize> = Default::default();
    for op in ops {
        let types = error_types(op);
        if !types.is_empty() {
            *counts.entry(types).or_default() += 1;
        }
    }
    // The most used list; among equals, the first in order.
    let mut best: Option<(Vec<&str>, usize)> = None;
    for (types, count) in counts {
        if best.as_ref().is_none_or(|(_, most)| count > *most) {
            best = Some((types, count));
        }
    }
    best.map(|(types, _)| types).unwrap_or_default()
}

/// The doc line naming the error types a failure's body is documented as.
fn errors_line(types: &[&str]) -> String {
    if types.is_empty() {
        return " No failure body is documented.".to_string();
    }
    let list: Vec<String> = types.iter().map(|t| format!("[`types::{t}`]")).collect();
    format!(
        " A failure's documented body is {}: read it with `Error::error_body_as`.",
        list.join(" or ")
    )
}
