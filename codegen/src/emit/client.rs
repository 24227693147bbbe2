//! The generated `Client` and its flat methods: one `async fn` per
//! operation, named after the operationId.

use proc_macro2::TokenStream;
use quote::quote;

use super::params::params_struct;
use super::routes::route_const;
use super::rust_type::nullable_type;
use super::{Ctx, docs, ident};
use crate::lower::is_json;
use crate::model::{Operation, ParamLocation, Status};

/// What a successful call returns.
pub(crate) enum Success {
    /// Nothing (`204`, or a success without content).
    Empty,
    /// A JSON body of this type.
    Json(TokenStream),
    /// Raw bytes (a non-JSON success body).
    Bytes,
}

/// The success type of an operation: the first documented 2xx response.
pub(crate) fn success(ctx: &Ctx<'_>, op: &Operation) -> Success {
    let first = op.responses.iter().find(|r| match r.status {
        Status::Code(n) => (200..300).contains(&n),
        Status::Range(n) => n == 2,
        Status::Default => false,
    });
    match first {
        None => Success::Empty,
        Some(r) => match (&r.content_type, &r.schema) {
            (None, _) => Success::Empty,
            (Some(_), Some(schema)) => Success::Json(nullable_type(ctx, schema, &quote!(types::))),
            (Some(ct), None) if is_json(ct) => {
                let rt = &ctx.rt;
                Success::Json(quote!(#rt::serde_json::Value))
            }
            (Some(_), None) => Success::Bytes,
        },
    }
}

/// The flat method's argument list (after `&self`), as declarations and as
/// the names to pass along.
pub(crate) fn arguments(ctx: &Ctx<'_>, op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
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
        decls.push(quote!(params: &params::#params));
        names.push(quote!(params));
    }
    if let Some(body) = &op.body {
        let ty = nullable_type(ctx, &body.schema, &quote!(types::));
        decls.push(quote!(body: &#ty));
        names.push(quote!(body));
    }
    (decls, names)
}

/// The return type of an operation's methods.
pub(crate) fn return_type(ctx: &Ctx<'_>, op: &Operation) -> TokenStream {
    let rt = &ctx.rt;
    let ok = match success(ctx, op) {
        Success::Empty => quote!(()),
        Success::Json(ty) => ty,
        Success::Bytes => quote!(::std::vec::Vec<u8>),
    };
    quote!(::std::result::Result<#ok, #rt::Error>)
}

/// Emits `Client` and its flat methods.
pub(crate) fn emit(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt;
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
    let rt = &ctx.rt;
    let name = ident(&op.rust_name);
    let route = route_const(op);
    let (decls, _) = arguments(ctx, op);
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
    let body = match &op.body {
        Some(_) => quote!(::std::option::Option::Some(#rt::encode::json_body(body)?)),
        None => quote!(::std::option::Option::None),
    };
    let decode = match success(ctx, op) {
        Success::Empty => quote!(#rt::decode::empty(&routes::#route, response)),
        Success::Json(_) => quote!(#rt::decode::json(&routes::#route, response)),
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
    let (_, arg_names) = arguments(ctx, op);
    let id = &op.id;
    quote! {
        #doc
        #[doc = ""]
        #[doc = #request_line]
        #[doc = #permissions]
        #[doc = ""]
        #[doc = " The request is checked against the spec first (see [`validate`]); a request that breaks it is not sent and fails with `Error::InvalidRequest`."]
        #deprecated
        pub async fn #name(&self, #(#decls),*) -> #ret {
            let violations = validate::#name(#(#arg_names),*);
            if !violations.is_empty() {
                return ::std::result::Result::Err(#rt::Error::InvalidRequest { operation_id: #id, violations });
            }
            let response = self
                .runtime
                .send(&routes::#route, &[#(#path_args),*], #query, #headers, #body)
                .await?;
            #decode
        }
    }
}
