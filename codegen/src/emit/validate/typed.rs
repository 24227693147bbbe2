//! When decoding a body into its generated Rust type already proves it
//! valid, the server can skip the separate validation pass.
//!
//! That holds for a narrow, common shape, decided here at generation time
//! and deliberately conservatively: a named object type with properties
//! that refuses unknown fields (`additionalProperties: false`, no aliases,
//! no property-count rules), whose every property is either required and
//! not nullable (a plain field, so absence and `null` fail to decode) or
//! optional and nullable (absence and `null` are both valid), and whose
//! values are ones the Rust type accepts exactly: unconstrained strings,
//! string enums, booleans, unconstrained numbers, integers whose only rule
//! is a range `format` (the Rust integer type has exactly that range), any
//! value, and arrays of those without item rules. Nested objects are not
//! allowed: serde would also accept them written as arrays. The caller
//! checks that the body itself starts with `{` for the same reason.

use crate::model::{Additional, Api, Schema, SchemaKind, StringSchema, Target, TypeDef};

/// Whether a body with this schema is valid whenever it decodes.
pub(crate) fn typed_proves_valid(api: &Api, body: &Schema) -> bool {
    let SchemaKind::Named(name) = &body.kind else {
        return false;
    };
    let Some(def) = behind_aliases(api, name) else {
        return false;
    };
    // A discriminator may hand the body to a derived type, which the base
    // type's struct does not describe.
    if def.discriminator.is_some() {
        return false;
    }
    let SchemaKind::Object(o) = &def.schema.kind else {
        return false;
    };
    !body.nullable
        && !o.properties.is_empty()
        && o.additional == Additional::Forbidden
        && o.min_properties.is_none()
        && o.max_properties.is_none()
        && o.required_undeclared.is_empty()
        && o.properties.iter().all(|p| {
            p.aliases.is_empty() && p.required != p.schema.nullable && exact_value(api, &p.schema)
        })
}

/// The type `name` stands for: itself, or the end of its aliases when the
/// alias admits `null` exactly when its end does (then its Rust type is
/// the end's, so what the end proves, it does); `None` for any other
/// alias, which proves nothing.
fn behind_aliases<'a>(api: &'a Api, name: &str) -> Option<&'a TypeDef> {
    let def = api.types.get(name)?;
    match &def.target {
        Target::Alias(end) => api
            .types
            .get(end)
            .filter(|end| end.admits_null == def.admits_null),
        Target::Itself | Target::Ring(_) => Some(def),
    }
}

/// Whether the Rust type of `schema` accepts exactly the values it allows.
fn exact_value(api: &Api, schema: &Schema) -> bool {
    match &schema.kind {
        SchemaKind::Any | SchemaKind::Boolean(None) => true,
        SchemaKind::String(s) => plain_string(s),
        SchemaKind::Named(name) => behind_aliases(api, name).is_some_and(|def| {
            // Only string enums: a Rust enum takes exactly its values.
            def.discriminator.is_none()
                && matches!(&def.schema.kind, SchemaKind::String(s)
                if !s.enumeration.is_empty()
                    && plain_string(&StringSchema { enumeration: Vec::new(), ..s.clone() }))
                && !def.schema.nullable
        }),
        SchemaKind::Integer(n) => {
            matches!(
                n.format.as_deref(),
                Some(
                    "int8"
                        | "uint8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "uint"
                )
            ) && n.minimum.is_none()
                && n.maximum.is_none()
                && n.multiple_of.is_none()
                && n.enumeration.is_empty()
        }
        SchemaKind::Number(n) => {
            matches!(n.format.as_deref(), None | Some("double"))
                && n.minimum.is_none()
                && n.maximum.is_none()
                && n.multiple_of.is_none()
                && n.enumeration.is_empty()
        }
        SchemaKind::Array(a) => {
            a.min_items.is_none()
                && a.max_items.is_none()
                && !a.unique_items
                && exact_value(api, &a.items)
        }
        // `bool` takes both values; Rust types do not say `not`.
        SchemaKind::Boolean(Some(_))
        | SchemaKind::Object(_)
        | SchemaKind::AllOf(_)
        | SchemaKind::OneOf(_)
        | SchemaKind::AnyOf(_)
        | SchemaKind::Not(_) => false,
    }
}

/// Whether a string schema admits every string (its `format`, if any,
/// counts as a constraint).
pub(super) fn plain_string(s: &StringSchema) -> bool {
    s.min_length.is_none()
        && s.max_length.is_none()
        && s.pattern.is_none()
        && s.format.is_none()
        && s.enumeration.is_empty()
}
