//! Mapping schemas to Rust types, shared by every emitter.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, ident};
use crate::model::{Additional, Api, Schema, SchemaKind};

/// The Rust type of `schema`, ignoring `nullable`. `types` is the path
/// prefix under which named types are reachable from the use site (empty
/// inside the `types` module itself).
pub(crate) fn rust_type(ctx: &Ctx<'_>, schema: &Schema, types: &TokenStream) -> TokenStream {
    let rt = &ctx.rt;
    match &schema.kind {
        SchemaKind::Named(name) => {
            let name = ident(name);
            quote!(#types #name)
        }
        SchemaKind::AllOf(parts) if parts.len() == 1 => rust_type(ctx, &parts[0], types),
        SchemaKind::Any | SchemaKind::OneOf(_) | SchemaKind::AnyOf(_) | SchemaKind::AllOf(_) => {
            quote!(#rt::serde_json::Value)
        }
        // Formats (date-time, duration, base64url, uuid...) stay strings so
        // that a value always round-trips exactly; validators check them.
        SchemaKind::String(_) => quote!(::std::string::String),
        SchemaKind::Integer(n) => match n.format.as_deref() {
            Some("int32") => quote!(i32),
            Some("int16") => quote!(i16),
            Some("int8") => quote!(i8),
            Some("uint8") => quote!(u8),
            _ => quote!(i64),
        },
        SchemaKind::Number(n) => match n.format.as_deref() {
            Some("float") => quote!(f32),
            _ => quote!(f64),
        },
        SchemaKind::Boolean => quote!(bool),
        SchemaKind::Array(a) => {
            let item = nullable_type(ctx, &a.items, types);
            quote!(::std::vec::Vec<#item>)
        }
        SchemaKind::Object(o) => match &o.additional {
            Additional::Schema(value) if o.properties.is_empty() => {
                let value = nullable_type(ctx, value, types);
                quote!(::std::collections::BTreeMap<::std::string::String, #value>)
            }
            _ => quote!(#rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>),
        },
    }
}

/// Like [`rust_type`], wrapped in `Option` when the schema is nullable.
pub(crate) fn nullable_type(ctx: &Ctx<'_>, schema: &Schema, types: &TokenStream) -> TokenStream {
    let inner = rust_type(ctx, schema, types);
    if schema.nullable {
        quote!(::std::option::Option<#inner>)
    } else {
        inner
    }
}

/// Named types that `schema` holds by value (not behind a `Vec` or map).
fn direct_names(schema: &Schema, out: &mut Vec<String>) {
    match &schema.kind {
        SchemaKind::Named(name) => out.push(name.clone()),
        SchemaKind::Object(o) => {
            for p in &o.properties {
                direct_names(&p.schema, out);
            }
        }
        SchemaKind::AllOf(parts) => {
            for p in parts {
                direct_names(p, out);
            }
        }
        _ => {}
    }
}

/// Whether a value of named type `from` contains, by value, a value of
/// named type `to` — in which case a field of type `to` inside `from` must
/// be boxed to give the type a finite size.
pub(crate) fn reaches(api: &Api, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(current) = stack.pop() {
        if !seen.insert(current.clone()) {
            continue;
        }
        let Some(def) = api.types.get(&current) else {
            continue;
        };
        let mut next = Vec::new();
        direct_names(&def.schema, &mut next);
        for n in next {
            if n == to {
                return true;
            }
            stack.push(n);
        }
    }
    false
}
