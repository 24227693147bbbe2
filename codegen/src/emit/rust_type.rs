//! Mapping schemas to Rust types, shared by every emitter.

use super::Ctx;
use crate::emit::ident;
use crate::model::{Additional, Api, Schema, SchemaKind};
use proc_macro2::TokenStream;
use quote::quote;

/// The Rust type of `schema`, ignoring `nullable`. `types` is the path
/// prefix under which named types are reachable from the use site (empty
/// inside the `types` module itself).
pub(crate) fn rust_type(ctx: &Ctx<'_>, schema: &Schema, types: &TokenStream) -> TokenStream {
    let rt = &ctx.rt();
    // A one-part `allOf` and a choice of one real part beside parts that
    // only admit `null` (how Graph makes a `$ref` nullable) are that part.
    match &schema.unwrapped().kind {
        SchemaKind::Named(name) => {
            let name = ident(name);
            quote!(#types #name)
        }
        // Other choices are named types (see `choice`), unless they sit
        // beside other keywords.
        SchemaKind::Any
        | SchemaKind::AllOf(_)
        | SchemaKind::OneOf(_)
        | SchemaKind::AnyOf(_)
        | SchemaKind::Not(_) => {
            quote!(#rt::serde_json::Value)
        }
        // Formats (date-time, duration, base64url, uuid...) stay strings so
        // that a value always round-trips exactly; validators check them.
        SchemaKind::String(_) => quote!(String),
        SchemaKind::Integer(n) => match n.format.as_deref() {
            Some("int32") => quote!(i32),
            Some("int16") => quote!(i16),
            Some("int8") => quote!(i8),
            Some("uint8") => quote!(u8),
            Some("uint16") => quote!(u16),
            Some("uint32") => quote!(u32),
            Some("uint64" | "uint") => quote!(u64),
            _ => quote!(i64),
        },
        SchemaKind::Number(n) => match n.format.as_deref() {
            Some("float") => quote!(f32),
            _ => quote!(f64),
        },
        SchemaKind::Boolean(_) => quote!(bool),
        SchemaKind::Array(a) => {
            let item = nullable_type(ctx, &a.items, types);
            quote!(Vec<#item>)
        }
        SchemaKind::Object(o) => match &o.additional {
            Additional::Schema(value)
                if o.properties.is_empty() && !is_open_object(ctx.api, value) =>
            {
                let value = nullable_type(ctx, value, types);
                quote!(::std::collections::BTreeMap<String, #value>)
            }
            _ => quote!(#rt::JsonObject),
        },
    }
}

/// Like [`rust_type`], wrapped in `Option` when the schema admits `null`
/// (see [`Api::admits_null`]).
pub(crate) fn nullable_type(ctx: &Ctx<'_>, schema: &Schema, types: &TokenStream) -> TokenStream {
    let inner = rust_type(ctx, schema, types);
    if ctx.api.admits_null(schema) {
        quote!(Option<#inner>)
    } else {
        inner
    }
}

/// Whether `schema` is a bare `type: object` (no properties, no
/// constraints). Microsoft's Graph documents put `additionalProperties:
/// {type: object}` on every type to mean "open type", while Graph payloads
/// carry string-valued OData annotations (`@odata.type`, `@odata.context`)
/// and open-type properties of every kind there. Reading such extra values
/// as objects would make real responses fail to decode, so generated types
/// keep them as JSON values; checking them against the schema is the
/// validators' job (the model keeps the schema).
pub(crate) fn is_open_object(api: &Api, schema: &Schema) -> bool {
    match &api.resolve(schema).kind {
        SchemaKind::Object(o) => {
            o.properties.is_empty()
                && o.additional == Additional::Any
                && o.min_properties.is_none()
                && o.max_properties.is_none()
        }
        SchemaKind::Any => true,
        _ => false,
    }
}
