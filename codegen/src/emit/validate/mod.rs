//! The `validate` module: the schema of every named type a request can
//! carry, as static descriptors that `openapi_runtime::validate` judges, and
//! the compiled patterns. The route table is written in the same pass
//! (its parameter rules and body schemas share the patterns), and the
//! checks themselves are the runtime's, driven by the routes. The server
//! side lives in [`server`].

mod inherit;
pub(crate) mod schema;
pub(crate) mod server;
pub(crate) mod typed;

use super::Ctx;
use super::chunk::{Container, Items};
use crate::emit::ident;
use crate::model::{Schema, SchemaKind};
use quote::quote;
use schema::{Site, Writer};

/// Emits `pub mod validate` and, in the same pass, the route table (which
/// comes first in the output).
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    let rt = &ctx.rt();
    let mut writer = Writer::new(ctx);
    let mut validate = out.nested(Container::Module);
    let mut schemas = validate.nested(Container::Module);
    let mut empty = true;
    for name in schema::request_types(ctx.api) {
        let Some(def) = ctx.api.types.get(&name) else {
            continue;
        };
        if empty {
            // An empty module gets no `use`, which would be unused there.
            schemas.push(schema::alias(rt));
            empty = false;
        }
        let schema = writer.schema(&def.schema, Site::Schemas);
        let id = ident(&name);
        let doc = format!(
            " The schema of [`super::super::types::{name}`] (`{}`).",
            def.spec_name
        );
        let Some(d) = &def.discriminator else {
            schemas.push(quote! {
                #[doc = #doc]
                pub static #id: v::Schema = #schema;
            });
            continue;
        };
        let base = schema::base_ident(&name);
        let base_doc = format!(
            " The schema of [`super::super::types::{name}`] (`{}`) without its discriminator: what `allOf` parts and mapped types refer to.",
            def.spec_name
        );
        let property = &d.property;
        let mapping = d.mapping.iter().map(|(value, target)| {
            let target = schema::mapped_ident(ctx.api, target);
            quote!((#value, &#target),)
        });
        schemas.push(quote! {
            #[doc = #doc]
            pub static #id: v::Schema = v::schema(v::Kind::Discriminated(&v::Discriminator {
                property: #property,
                mapping: &[#(#mapping)*],
                base: &#base,
            }));
            #[doc = #base_doc]
            pub static #base: v::Schema = #schema;
        });
    }
    super::routes::emit(&mut writer, out);
    validate.close(
        quote! {
            /// The schema of every named type a request can carry.
            #[allow(non_upper_case_globals)]
            pub mod schemas
        },
        schemas,
    );
    validate.push(writer.patterns_module());
    validate.push(quote! {
        /// The route of the operation with this `operationId`.
        pub fn route(operation_id: &str) -> Option<&'static #rt::Route> {
            super::routes::ALL
                .iter()
                .copied()
                .find(|route| route.operation_id == operation_id)
        }

        /// The request body of the operation with this `operationId`;
        /// `None` when it has no body or no such operation exists. Its
        /// `verdict` judges raw bytes without a report.
        pub fn body(operation_id: &str) -> Option<&'static #rt::Body> {
            route(operation_id)?.body.as_ref()
        }

        /// The request body schema of the operation with this
        /// `operationId`; `None` when it has no body or no such
        /// operation exists.
        pub fn body_schema(operation_id: &str) -> Option<&'static #rt::validate::Schema> {
            body(operation_id).map(|body| body.schema)
        }

        /// Checks a call of `route` with `args` against the spec the
        /// way the client does before sending it; returns every
        /// violation (empty when valid), ordered path, query, headers,
        /// body.
        pub fn check(route: &'static #rt::Route, args: &#rt::Args<'_>) -> Vec<#rt::Violation> {
            #rt::validate::client::check(route, args).err().unwrap_or_default()
        }
    });
    // The link only where the server is emitted, so `cargo doc` finds it.
    let server_doc = ctx
        .server
        .then(|| quote!(#[doc = ""] #[doc = " The server side (raw HTTP requests) is [`server::handle`]."]));
    out.close(
        quote! {
            /// Request validators generated from the spec: the schemas the
            /// route table's rules refer to, and checks for requests built in
            /// Rust. The rules of each operation are in its route.
            #server_doc
            pub mod validate
        },
        validate,
    );
}

/// How a parameter's text is read: the scalar kind of its schema (or of its
/// items) and whether it is an array, aliases seen through.
pub(crate) fn scalar_of(ctx: &Ctx<'_>, schema: &Schema) -> (&'static str, bool) {
    let scalar = |s: &Schema| match &ctx.api.resolve(s).kind {
        SchemaKind::String(_) => "String",
        SchemaKind::Integer(_) => "Integer",
        SchemaKind::Number(_) => "Number",
        SchemaKind::Boolean(_) => "Boolean",
        // A choice of strings (a name or an id) is read as text, so that
        // `123` stays the string it was sent as; a choice among other
        // scalars is read as JSON text, which falls back to a string.
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts)
            if parts
                .iter()
                .all(|p| matches!(ctx.api.resolve(p).kind, SchemaKind::String(_))) =>
        {
            "String"
        }
        _ => "Json",
    };
    match &ctx.api.resolve(schema).kind {
        SchemaKind::Array(a) => (scalar(&a.items), true),
        _ => (scalar(schema), false),
    }
}
