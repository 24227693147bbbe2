//! The route table (`routes` module) and the `SERVERS` list: static data
//! the runtime, the validators and the conformance suite read.

use super::Ctx;
use crate::emit::ident;
use crate::model::{Method, Operation, ParamLocation, PathSegment, Status};
use crate::names;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// The `routes::` constant name of an operation.
pub(crate) fn route_const(op: &Operation) -> Ident {
    ident(names::screaming(&op.rust_name))
}

/// Emits `pub mod routes` and `pub static SERVERS`.
pub(crate) fn emit(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt();
    let routes = ctx.api.operations.iter().map(route);
    let names = ctx.api.operations.iter().map(route_const);
    let servers = ctx.api.servers.iter().map(|s| {
        let url = &s.url;
        let description = &s.description;
        let cloud = match &s.cloud {
            Some(c) => quote!(Some(#c)),
            None => quote!(None),
        };
        quote!(#rt::Server { url: #url, description: #description, cloud: #cloud },)
    });
    quote! {
        /// The route table: one entry per operation of the spec.
        pub mod routes {
            #[allow(unused_imports)]
            use #rt::{Method, ParamLocation, ParamSpec, ResponseSpec, Route, Segment, StatusSpec};

            #(#routes)*

            /// Every route, sorted by path then method.
            pub static ALL: &[&#rt::Route] = &[#(&#names),*];
        }

        /// The service roots listed in the spec's `servers`, in its order.
        pub static SERVERS: &[#rt::Server] = &[#(#servers)*];
    }
}

/// One route; runtime names come from the `use` at the top of the module.
fn route(op: &Operation) -> TokenStream {
    let name = route_const(op);
    let id = &op.id;
    let template = &op.path;
    let method = ident(match op.method {
        Method::Get => "Get",
        Method::Put => "Put",
        Method::Post => "Post",
        Method::Delete => "Delete",
        Method::Options => "Options",
        Method::Head => "Head",
        Method::Patch => "Patch",
        Method::Trace => "Trace",
    });
    let segments = op.segments.iter().map(|s| match s {
        PathSegment::Literal(text) => quote!(Segment::Literal(#text),),
        PathSegment::Param(name) => quote!(Segment::Param(#name),),
    });
    let params = op.params.iter().map(|p| {
        let name = &p.name;
        let required = p.required;
        let location = ident(match p.location {
            ParamLocation::Path => "Path",
            ParamLocation::Query => "Query",
            ParamLocation::Header => "Header",
        });
        if required && p.location == ParamLocation::Path {
            quote!(ParamSpec::path(#name),)
        } else if required {
            quote!(ParamSpec::required(#name, ParamLocation::#location),)
        } else {
            quote!(ParamSpec::optional(#name, ParamLocation::#location),)
        }
    });
    let (request_body, body_required) = match &op.body {
        Some(body) => {
            let ct = &body.content_type;
            (quote!(Some(#ct)), body.required)
        }
        None => (quote!(None), false),
    };
    let responses = op.responses.iter().map(|r| {
        let status = match r.status {
            Status::Code(n) => {
                let n = Literal::u16_unsuffixed(n);
                quote!(StatusSpec::Code(#n))
            }
            Status::Range(n) => {
                let n = Literal::u16_unsuffixed(n);
                quote!(StatusSpec::Range(#n))
            }
            Status::Default => quote!(StatusSpec::Default),
        };
        let response = match &r.content_type {
            None => quote!(ResponseSpec::no_body(#status)),
            Some(ct) => quote!(ResponseSpec::body(#status, #ct)),
        };
        let headers = &r.headers;
        if headers.is_empty() {
            quote!(#response,)
        } else {
            quote!(#response.with_headers(&[#(#headers),*]),)
        }
    });
    let permissions = op.permissions.iter().map(|alt| quote!(&[#(#alt),*],));
    let summary = &op.summary;
    let doc = format!(
        " `{} {}` ({})",
        op.method.spec_name().to_uppercase(),
        op.path,
        op.id
    );
    quote! {
        #[doc = #doc]
        pub static #name: Route = Route {
            operation_id: #id,
            method: Method::#method,
            template: #template,
            segments: &[#(#segments)*],
            params: &[#(#params)*],
            request_body: #request_body,
            body_required: #body_required,
            responses: &[#(#responses)*],
            permissions: &[#(#permissions)*],
            summary: #summary,
        };
    }
}
