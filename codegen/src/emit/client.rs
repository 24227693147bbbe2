//! The generated `Client` and its flat methods: one `async fn` per
//! operation, named after the operationId.

use super::params::params_struct;
use super::routes::route_const;
use super::rust_type::nullable_type;
use super::success::{Success, success};
use super::{Ctx, docs};
use crate::emit::ident;
use crate::model::{Operation, ParamLocation};
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
        decls.push(quote!(#name: &str));
        names.push(quote!(#name));
    }
    if let Some(params) = params_struct(ctx, op) {
        decls.push(quote!(params: &#up params::#params));
        names.push(quote!(params));
    }
    if let Some(body) = &op.body {
        let ty = nullable_type(ctx, &body.schema, &quote!(#up types::));
        decls.push(quote!(body: &#ty));
        names.push(quote!(body));
    }
    (decls, names)
}

/// The return type of an operation's methods.
pub(crate) fn return_type(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let rt = &ctx.rt();
    let ok = match success(ctx, op) {
        Success::Empty => quote!(()),
        Success::Json(ty) => ty,
        Success::Optional(ty) => quote!(Option<#ty>),
        Success::Bytes => quote!(Vec<u8>),
    };
    quote!(Result<#ok, #rt::Error>)
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
        /// a place in the fluent path that mirrors its URL.
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
    let ret = return_type(ctx, op);
    let path_args = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| ident(&p.rust_name));
    let (query, headers) = match params_struct(ctx, op) {
        Some(_) => (quote!(&params.query()), quote!(&params.headers())),
        None => (quote!(&[]), quote!(&[])),
    };
    let decode = match success(ctx, op) {
        Success::Empty => quote!(#rt::decode::empty(&routes::#route, response)),
        Success::Json(_) => quote!(#rt::decode::json(&routes::#route, response)),
        // A status documented without a body gives `None`; any other is
        // decoded (or refused) as JSON.
        Success::Optional(_) => quote! {
            if routes::#route
                .response_for(response.status)
                .is_some_and(|r| r.content_type.is_none())
            {
                #rt::decode::empty(&routes::#route, response).map(|()| None)
            } else {
                #rt::decode::json(&routes::#route, response).map(Some)
            }
        },
        Success::Bytes => quote!(#rt::decode::bytes(&routes::#route, response)),
    };
    let request_line = format!(
        " `{} {}` (operationId `{}`).",
        op.method.spec_name().to_uppercase(),
        op.path,
        op.id
    );
    let permissions = if op.permissions.is_empty() {
        String::new()
    } else {
        let alts: Vec<String> = op.permissions.iter().map(|a| a.join(" + ")).collect();
        format!(" Needs one of these permissions: {}.", alts.join(", "))
    };
    let doc = docs(&[&op.summary, &op.description]);
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    let (_, arg_names) = arguments(ctx, op, &quote!());
    let id = &op.id;
    let invalid = quote! {
        return ::std::result::Result::Err(#rt::Error::InvalidRequest { operation_id: #id, violations })
    };
    // With a body, the check hands back the bytes it judged, and those
    // are what is sent.
    let (check, body) = match &op.body {
        Some(_) => (
            quote! {
                let body = match validate::encoded::#name(#(#arg_names),*) {
                    ::std::result::Result::Ok(bytes) => bytes,
                    ::std::result::Result::Err(violations) => {
                        #invalid;
                    }
                };
            },
            quote!(Some(body)),
        ),
        None => (
            quote! {
                let violations = validate::#name(#(#arg_names),*);
                if !violations.is_empty() {
                    #invalid;
                }
            },
            quote!(None),
        ),
    };
    quote! {
        #doc
        #[doc = ""]
        #[doc = #request_line]
        #[doc = #permissions]
        #[doc = ""]
        #[doc = " The request is checked against the spec first (see [`validate`]); a request that breaks it is not sent and fails with `Error::InvalidRequest`."]
        #deprecated
        pub async fn #name(&self, #(#decls),*) -> #ret {
            #check
            let response = self
                .runtime
                .send(&routes::#route, &[#(#path_args),*], #query, #headers, #body)
                .await?;
            #decode
        }
    }
}
