//! Mapping schemas to Rust types, shared by every emitter.

use std::collections::HashMap;

use super::Ctx;
use super::choice::alias_part;
use crate::emit::ident;
use crate::model::{Additional, Api, Schema, SchemaKind};
use proc_macro2::TokenStream;
use quote::quote;

/// The Rust type of `schema`, ignoring `nullable`. `types` is the path
/// prefix under which named types are reachable from the use site (empty
/// inside the `types` module itself).
pub(crate) fn rust_type(ctx: &Ctx<'_>, schema: &Schema, types: &TokenStream) -> TokenStream {
    let rt = &ctx.rt();
    match &schema.kind {
        SchemaKind::Named(name) => {
            let name = ident(name);
            quote!(#types #name)
        }
        SchemaKind::AllOf(parts) if sole_part(parts).is_some() => {
            rust_type(ctx, sole_part(parts).unwrap_or(&parts[0]), types)
        }
        // A choice of one real part and parts that only admit `null` (how
        // Graph makes a `$ref` nullable) is that part; other choices are
        // named types (see `choice`), unless they sit beside other keywords.
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => match alias_part(parts) {
            Some(part) => rust_type(ctx, part, types),
            None => quote!(#rt::serde_json::Value),
        },
        SchemaKind::Any | SchemaKind::AllOf(_) | SchemaKind::Not(_) => {
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

/// Like [`rust_type`], wrapped in `Option` when the schema (or a named
/// schema it stands for) is nullable.
pub(crate) fn nullable_type(ctx: &Ctx<'_>, schema: &Schema, types: &TokenStream) -> TokenStream {
    let inner = rust_type(ctx, schema, types);
    if is_nullable(ctx.api, schema) {
        quote!(Option<#inner>)
    } else {
        inner
    }
}

pub(crate) use crate::model::sole_part;

/// Longest chain of aliases followed before giving up (lowering reports
/// alias cycles; this only keeps emission finite on any model).
const MAX_ALIAS_CHAIN: usize = 64;

/// The schema `schema` stands for once named references and one-part
/// `allOf`s (the usual way to annotate a `$ref`) are seen through.
pub(crate) fn resolved<'a>(api: &'a Api, schema: &'a Schema) -> &'a Schema {
    let mut current = schema;
    for _ in 0..MAX_ALIAS_CHAIN {
        current = match &current.kind {
            SchemaKind::Named(name) => match api.types.get(name) {
                Some(def) => &def.schema,
                None => return current,
            },
            SchemaKind::AllOf(parts) => match sole_part(parts) {
                Some(part) => part,
                None => return current,
            },
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => match alias_part(parts) {
                Some(part) => part,
                None => return current,
            },
            _ => return current,
        };
    }
    current
}

/// Whether `null` is a valid value: the schema says so, or a schema it is
/// an alias of does (a `$ref` to a nullable component), or a part of a
/// choice does (the Rust type of a choice holds no `null` itself).
pub(crate) fn is_nullable(api: &Api, schema: &Schema) -> bool {
    fn walk(api: &Api, schema: &Schema, depth: usize) -> bool {
        if schema.nullable {
            return true;
        }
        if depth >= MAX_ALIAS_CHAIN {
            return false;
        }
        match &schema.kind {
            SchemaKind::Named(name) => api
                .types
                .get(name)
                .is_some_and(|def| walk(api, &def.schema, depth + 1)),
            SchemaKind::AllOf(parts) => sole_part(parts).is_some_and(|p| walk(api, p, depth + 1)),
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                parts.iter().any(|p| walk(api, p, depth + 1))
            }
            _ => false,
        }
    }
    walk(api, schema, 0)
}

/// The named type a property holds directly (`$ref`, or a one-part
/// `allOf` around one), if any.
pub(crate) fn named_target(schema: &Schema) -> Option<&str> {
    match &schema.kind {
        SchemaKind::Named(name) => Some(name),
        SchemaKind::AllOf(parts) => sole_part(parts).and_then(named_target),
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
            alias_part(parts).and_then(named_target)
        }
        _ => None,
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
    match &resolved(api, schema).kind {
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

/// Named types that `schema` holds by value (not behind a `Vec` or map).
fn direct_names(schema: &Schema, out: &mut Vec<String>) {
    match &schema.kind {
        SchemaKind::Named(name) => out.push(name.clone()),
        SchemaKind::Object(o) => {
            for p in &o.properties {
                direct_names(&p.schema, out);
            }
        }
        // A choice holds its parts by value, as an alias or as variants.
        SchemaKind::AllOf(parts) | SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
            for p in parts {
                direct_names(p, out);
            }
        }
        _ => {}
    }
}

/// Groups named types into the strongly connected components of "holds by
/// value" (Tarjan's algorithm, iterative). A field of named type `T` in
/// type `D` must be boxed exactly when `T` can reach `D` again, that is
/// when both are in the same component: see [`needs_box`].
pub(crate) fn containment_components(api: &Api) -> HashMap<&str, usize> {
    let names: Vec<&str> = api.types.keys().map(String::as_str).collect();
    let index_of: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            let mut out = Vec::new();
            direct_names(&api.types[*n].schema, &mut out);
            out.iter()
                .filter_map(|t| index_of.get(t.as_str()).copied())
                .collect()
        })
        .collect();
    let n = names.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut component) = (Vec::new(), vec![usize::MAX; n]);
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0)];
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if *e == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*e) {
                *e += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    names.into_iter().zip(component).collect()
}

/// Whether a field of named type `target` inside type `holder` must be
/// boxed to give `holder` a finite size.
pub(crate) fn needs_box(components: &HashMap<&str, usize>, target: &str, holder: &str) -> bool {
    target == holder
        || matches!(
            (components.get(target), components.get(holder)),
            (Some(a), Some(b)) if a == b
        )
}
