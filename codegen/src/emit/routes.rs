//! The route table (`routes` module) and the `SERVERS` list: static data
//! the runtime, the validators and the conformance suite read. A route
//! carries everything the runtime's generic call, server reader and
//! verdict need about its operation (parameter rules, body schema,
//! responses, permissions), so none of that is code per operation.

use std::collections::BTreeMap;

use super::chunk::{Container, Items};
use super::validate::scalar_of;
use super::validate::schema::{Site, Writer, alias};
use super::validate::typed;
use crate::emit::ident;
use crate::model::{
    BodyKind, KeyLocation, Method, Operation, ParamLocation, ParamStyle, SchemaKind,
    SecurityScheme, Status,
};
use crate::names;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// The `routes::` constant name of an operation.
pub(crate) fn route_const(op: &Operation) -> Ident {
    ident(names::screaming(&op.rust_name))
}

/// Lists that many routes share (the responses of Microsoft's operations
/// are nearly all alike), written once each in `routes::shared`.
#[derive(Default)]
struct Shared {
    /// The tokens of a list → its const's name.
    by_tokens: BTreeMap<String, (Ident, TokenStream)>,
}

impl Shared {
    /// The name of the shared const holding `list` (of type `ty`),
    /// declaring it on first use.
    fn name(&mut self, prefix: &str, ty: TokenStream, list: TokenStream) -> TokenStream {
        let key = format!("{prefix}{list}");
        let next = self.by_tokens.len();
        let (name, _) = self.by_tokens.entry(key).or_insert_with(|| {
            let name = ident(format!("{prefix}_{next}"));
            (name.clone(), quote!(pub const #name: #ty = &[#list];))
        });
        quote!(shared::#name)
    }

    /// Adds `mod shared` to `out`, items in order of first use.
    fn module(self, out: &mut Items) {
        let mut items: Vec<(Ident, TokenStream)> = self.by_tokens.into_values().collect();
        items.sort_by_key(|(name, _)| {
            let text = name.to_string();
            let (prefix, n) = text.rsplit_once('_').unwrap_or((&text, "0"));
            (n.parse::<usize>().unwrap_or(0), prefix.to_string())
        });
        let mut body = out.nested(Container::Module);
        body.push(quote! {
            #[allow(unused_imports)]
            use super::*;
        });
        body.extend(items.into_iter().map(|(_, item)| item));
        out.close(
            quote! {
                /// Response, permission, security and server lists shared by
                /// several routes.
                pub mod shared
            },
            body,
        );
    }
}

/// Emits `pub mod routes`, `pub static SERVERS` and `pub static SERVICE`; schemas go through
/// `writer`, so their patterns join `validate::patterns`.
pub(crate) fn emit(writer: &mut Writer<'_, '_>, out: &mut Items) {
    let ctx = writer.ctx;
    let rt = &ctx.rt();
    let mut shared = Shared::default();
    // The routes are written before the shared lists they fill, which come
    // first in the module.
    let mut routes = out.nested(Container::Module);
    let mut body = routes.beside();
    for op in &ctx.api.operations {
        routes.push(route(writer, &mut shared, op));
    }
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
    let alias = alias(rt);
    let title = &ctx.api.title;
    let graph = ctx.api.is_graph();
    body.push(quote! {
        #[allow(unused_imports)]
        use #rt::{Body, BodyKind, KeyPlace, Method, ResponseSpec, Route, Scheme, Server, StatusSpec};
        #[allow(unused_imports)]
        use #rt::validate::{ParamRule, Scalar, Style};
        #[allow(unused_imports)]
        #alias
        #[allow(unused_imports)]
        use super::validate::{patterns, schemas};
    });
    shared.module(&mut body);
    body.append(routes);
    body.push(quote! {
        /// Every route, sorted by path then method.
        pub static ALL: &[&#rt::Route] = &[#(&#names),*];
    });
    out.close(
        quote! {
            /// The route table: one entry per operation of the spec, with
            /// everything the runtime needs to call, check and serve it.
            pub mod routes
        },
        body,
    );
    out.push(quote! {
        /// The service roots listed in the spec's `servers`, in its order.
        pub static SERVERS: &[#rt::Server] = &[#(#servers)*];

        /// The service this spec describes, as the runtime client needs
        /// it (see `Client::for_service`).
        pub static SERVICE: #rt::Service = #rt::Service {
            title: #title,
            servers: SERVERS,
            graph: #graph,
        };
    });
}

/// One route; runtime names come from the `use`s at the top of the module.
fn route(writer: &mut Writer<'_, '_>, shared: &mut Shared, op: &Operation) -> TokenStream {
    let ctx = writer.ctx;
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
    let params: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let wire = &p.name;
            let schema = writer.schema(&p.schema, Site::Routes);
            let (scalar, array) = scalar_of(ctx, &p.schema);
            let scalar = ident(scalar);
            let constructor = ident(match p.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
            });
            let mut rule = quote!(ParamRule::#constructor(#wire, Scalar::#scalar, &#schema));
            if p.required && p.location != ParamLocation::Path {
                rule = quote!(#rule.required());
            }
            if array {
                let explode = matches!(p.style, ParamStyle::Form { explode: true });
                rule = quote!(#rule.array(#explode));
            }
            // An object, or a choice with a list among its variants (see
            // `lower::operation`), is spelt by its style like an array.
            let spelt = is_object(ctx.api, &p.schema)
                || (p.location == ParamLocation::Query && has_list_variant(ctx.api, &p.schema));
            if let Some(style) = style_rule(p.style, array || !spelt) {
                rule = quote!(#rule.#style);
            }
            quote!(#rule,)
        })
        .collect();
    let body = match &op.body {
        Some(body) => {
            let schema = match &body.schema.kind {
                // A named type's own static: the same schema as a
                // reference to it, without the indirection.
                SchemaKind::Named(name) if !body.schema.nullable => {
                    let name = ident(name);
                    quote!(schemas::#name)
                }
                _ => writer.schema(&body.schema, Site::Routes),
            };
            let media = &body.content_type;
            let mut made = match body.kind {
                BodyKind::Json if media == "application/json" => quote!(Body::json(&#schema)),
                BodyKind::Json => quote!(Body::of(#media, &#schema)),
                other => {
                    let kind = ident(format!("{other:?}"));
                    quote!(Body::kind(#media, BodyKind::#kind, &#schema))
                }
            };
            if !body.others.is_empty() {
                let others = &body.others;
                made = quote!(#made.or(&[#(#others),*]));
            }
            if !body.parts.is_empty() {
                let parts = form_parts(ctx, &body.parts);
                made = quote!(#made.parts(&[#(#parts),*]));
            }
            if !body.required {
                made = quote!(#made.optional());
            }
            if matches!(body.kind, BodyKind::Json)
                && typed::typed_proves_valid(ctx.api, &body.schema)
            {
                made = quote!(#made.proven());
            }
            quote!(Some(#made))
        }
        None => quote!(None),
    };
    let auth = op.auth_required;
    let security = security(shared, op);
    let responses: Vec<TokenStream> = op
        .responses
        .iter()
        .map(|r| {
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
        })
        .collect();
    let responses = shared.name("RESPONSES", quote!(&[ResponseSpec]), quote!(#(#responses)*));
    let permissions = if op.permissions.is_empty() {
        quote!(&[])
    } else {
        let alts = op.permissions.iter().map(|alt| quote!(&[#(#alt),*],));
        shared.name("PERMISSIONS", quote!(&[&[&str]]), quote!(#(#alts)*))
    };
    let servers = if op.servers.is_empty() {
        quote!(&[])
    } else {
        let list = op.servers.iter().map(|s| {
            let (url, description) = (&s.url, &s.description);
            quote!(Server { url: #url, description: #description, cloud: None },)
        });
        shared.name("SERVERS", quote!(&[Server]), quote!(#(#list)*))
    };
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
            params: &[#(#params)*],
            body: #body,
            auth: #auth,
            security: #security,
            responses: #responses,
            permissions: #permissions,
            summary: #summary,
            servers: #servers,
        };
    }
}

/// A route's `security`: `&[]` when every alternative is a bearer token
/// or nothing (what `auth` alone describes, as for every Graph operation);
/// otherwise each alternative's schemes, in a shared list.
fn security(shared: &mut Shared, op: &Operation) -> TokenStream {
    let bearer_only = op
        .security
        .iter()
        .all(|alt| alt.is_empty() || alt.as_slice() == [SecurityScheme::Bearer]);
    if bearer_only {
        return quote!(&[]);
    }
    let alternatives = op.security.iter().map(|alt| {
        let schemes = alt.iter().map(|scheme| match scheme {
            SecurityScheme::Bearer => quote!(Scheme::Bearer),
            SecurityScheme::Basic => quote!(Scheme::Basic),
            SecurityScheme::ApiKey {
                scheme,
                name,
                location,
            } => {
                let place = ident(match location {
                    KeyLocation::Header => "Header",
                    KeyLocation::Query => "Query",
                    KeyLocation::Cookie => "Cookie",
                });
                quote!(Scheme::ApiKey { scheme: #scheme, name: #name, place: KeyPlace::#place })
            }
            SecurityScheme::Unsupported { scheme } => {
                quote!(Scheme::Unsupported { scheme: #scheme })
            }
        });
        quote!(&[#(#schemes),*],)
    });
    shared.name("SECURITY", quote!(&[&[Scheme]]), quote!(#(#alternatives)*))
}

/// Whether a schema stands for an object (aliases and annotated
/// references seen through, see `Api::resolve`).
pub(crate) fn is_object(api: &crate::model::Api, schema: &crate::model::Schema) -> bool {
    matches!(api.resolve(schema).kind, SchemaKind::Object(_))
}

/// Whether a schema is a `oneOf`/`anyOf` with an array among its parts.
fn has_list_variant(api: &crate::model::Api, schema: &crate::model::Schema) -> bool {
    let resolved = api.resolve(schema);
    match &resolved.kind {
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => parts
            .iter()
            .any(|p| matches!(api.resolve(p).kind, SchemaKind::Array(_))),
        _ => false,
    }
}

/// The `.style(..)` of a parameter rule, when it is not the default: a
/// style other than `form`/`simple`, or an exploded object (`not_object`
/// otherwise; an array's `explode` is written by `.array(..)`).
fn style_rule(style: ParamStyle, not_object: bool) -> Option<TokenStream> {
    let (name, explode) = match style {
        ParamStyle::Simple { explode } | ParamStyle::Form { explode } => {
            if not_object || !explode {
                return None;
            }
            ("Form", explode)
        }
        ParamStyle::SpaceDelimited { explode } => ("SpaceDelimited", explode),
        ParamStyle::PipeDelimited { explode } => ("PipeDelimited", explode),
        ParamStyle::DeepObject => ("DeepObject", true),
        ParamStyle::Label { explode } => ("Label", explode),
        ParamStyle::Matrix { explode } => ("Matrix", explode),
        ParamStyle::Json => ("Json", false),
    };
    let name = ident(name);
    Some(quote!(style(Style::#name, #explode)))
}

/// The `PartRule`s of a multipart form, one per property.
fn form_parts(ctx: &super::Ctx<'_>, parts: &[crate::model::FormPart]) -> Vec<TokenStream> {
    let rt = &ctx.rt();
    parts
        .iter()
        .map(|part| {
            let name = &part.name;
            let kind = ident(format!("{:?}", part.kind));
            let mut rule = quote!(#rt::PartRule::new(#name, #rt::PartKind::#kind));
            if part.required {
                rule = quote!(#rule.required());
            }
            if let Some(content_type) = &part.content_type {
                rule = quote!(#rule.content_type(#content_type));
            }
            rule
        })
        .collect()
}
