//! The dispatcher: every operation callable by its operationId with
//! generic arguments (`runtime::dispatch::DispatchArgs`), raw through
//! `Client::dispatch`, typed through its flat method or its fluent path
//! (`dispatch::OPERATIONS`), and the spec's whole surface as one value
//! (`API`) that a conformance job, a mock or a proxy reads without naming
//! any generated type.
//!
//! The typed forms convert the generic arguments to the method's own
//! (parameter struct, body type) with serde, call it, and give its result
//! as JSON; the conversion is the only per-operation code here.

use std::path::Path;

use super::chunk::{Container, Items};
use super::fluent::{chains, dispatch_method};
use super::params::{form_struct, params_struct};
use super::routes::route_const;
use super::rust_type::nullable_type;
use super::{Ctx, ident};
use crate::model::{BodyKind, Operation, ParamLocation};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// Emits `pub mod dispatch`, `Client::dispatch` and `pub static API`
/// (nothing unless the options ask for the dispatcher and the client).
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    if !ctx.client || !ctx.dispatcher {
        return;
    }
    let rt = &ctx.rt();
    let fluent = chains(ctx, &quote!(client), &quote!(path));
    let mut functions = Vec::new();
    let mut entries = Vec::new();
    for op in &ctx.api.operations {
        let name = op.rust_name.trim_start_matches("r#");
        let flat_fn = ident(format!("flat_{name}"));
        let fluent_fn = ident(format!("fluent_{name}"));
        let flat_method = ident(&op.rust_name);
        let chain = &fluent[&op.id];
        functions.push(typed(ctx, op, &flat_fn, quote!(client.#flat_method), true));
        functions.push(typed(ctx, op, &fluent_fn, chain.clone(), false));
        let route = route_const(op);
        entries.push(quote! {
            #rt::dispatch::Operation {
                route: &super::routes::#route,
                flat: #flat_fn,
                fluent: #fluent_fn,
            },
        });
    }
    let dispatch = dispatch_method(ctx);
    let spec = Path::new(&ctx.api.source)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = &ctx.api.title;
    let graph = ctx.api.is_graph();
    let mut body = out.nested(Container::Module);
    body.push(quote! {
            // Unused in a spec without operations.
            #[allow(unused_imports)]
            use super::{params, types};
            #[allow(unused_imports)]
            use #rt::dispatch::{Call, DispatchArgs};

            /// One entry per operation, in the order of `routes::ALL`.
            pub static OPERATIONS: &[#rt::dispatch::Operation] = &[#(#entries)*];

            /// The generated server-side reader, as the route it matched.
            pub fn serve(
                method: &str,
                path: &str,
                query: Option<&str>,
                headers: &[(&str, &str)],
                body: &[u8],
            ) -> Result<&'static #rt::Route, #rt::validate::serve::Rejection> {
                super::server::handle(method, path, query, headers, body).map(|m| m.route)
            }
    });
    body.extend(functions);
    out.close(
        quote! {
            /// Every operation callable by its operationId with generic
            /// arguments, through its flat method and its fluent path.
            pub mod dispatch
        },
        body,
    );
    out.push(quote! {
        impl Client {
            /// Calls the operation `operation_id` with generic arguments and
            /// gives the raw response, whatever its status. The request is
            /// checked against the spec first, as every typed call is; an
            /// unknown operation id is `Error::Config`.
            pub async fn #dispatch(
                &self,
                operation_id: &str,
                args: &#rt::dispatch::DispatchArgs,
            ) -> Result<#rt::Response, #rt::Error> {
                let Some(route) = routes::ALL
                    .iter()
                    .copied()
                    .find(|r| r.operation_id == operation_id)
                else {
                    return Err(#rt::Error::Config(format!(
                        "this client has no operation `{operation_id}`"
                    )));
                };
                #rt::dispatch::call(&self.runtime, route, args).await
            }
        }

        /// The spec's whole surface as data: routes, servers, the
        /// server-side reader and the dispatcher.
        pub static API: #rt::dispatch::Api = #rt::dispatch::Api {
            spec: #spec,
            title: #title,
            routes: routes::ALL,
            servers: SERVERS,
            graph: #graph,
            operations: dispatch::OPERATIONS,
            serve: dispatch::serve,
        };
    });
}

/// One typed call: the generic arguments converted, then `target` (the
/// flat method or the fluent path's last step) called with them.
fn typed(
    ctx: &Ctx<'_>,
    op: &Operation,
    name: &Ident,
    target: TokenStream,
    flat: bool,
) -> TokenStream {
    let rt = &ctx.rt();
    let route = route_const(op);
    let path_count = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .count();
    let mut args: Vec<TokenStream> = Vec::new();
    if flat {
        for i in 0..path_count {
            let i = Literal::usize_unsuffixed(i);
            args.push(quote!(path[#i]));
        }
    }
    let mut convert = Vec::new();
    if let Some(params) = params_struct(ctx, op) {
        convert.push(quote!(let params: super::params::#params = args.typed_params(route)?;));
        args.push(quote!(&params));
    }
    if let Some(body) = &op.body {
        match body.kind {
            BodyKind::Json | BodyKind::Form | BodyKind::Text => {
                let ty = nullable_type(ctx, &body.schema, &quote!(super::types::));
                convert.push(quote!(let body: #ty = args.typed_body(route)?;));
                args.push(quote!(&body));
            }
            // The generic arguments carry a JSON body: a string there is
            // sent as its UTF-8 bytes.
            BodyKind::Binary => {
                convert.push(quote!(let body: String = args.typed_body(route)?;));
                args.push(quote!(body.as_bytes()));
            }
            BodyKind::Raw => {
                let media = if body.content_type.contains('*') {
                    "application/octet-stream"
                } else {
                    body.content_type.as_str()
                };
                convert.push(quote!(let body: String = args.typed_body(route)?;));
                args.push(quote!(#rt::RawBody::new(#media, body.into_bytes())));
            }
            // The generic arguments carry the form as a JSON object: a
            // file property's string is sent as its UTF-8 bytes.
            BodyKind::Multipart => {
                if let Some(form) = form_struct(ctx, op) {
                    convert.push(quote!(let body: super::params::#form = args.typed_body(route)?;));
                    args.push(quote!(&body));
                }
            }
        }
    }
    let how = if flat { "flat method" } else { "fluent path" };
    let doc = format!(" `{}` through its {how}.", op.id);
    quote! {
        #[doc = #doc]
        #[allow(deprecated, unused_variables, clippy::let_unit_value)]
        fn #name<'a>(client: &'a #rt::Client, args: &'a DispatchArgs) -> Call<'a> {
            Box::pin(async move {
                let route = &super::routes::#route;
                let path = args.path_values(route)?;
                #(#convert)*
                let client = super::Client::new(client.clone());
                let out = #target(#(#args),*).await?;
                #rt::dispatch::to_json(route, &out)
            })
        }
    }
}
