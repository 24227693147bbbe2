//! One Rust type for inline schemas written out the same way in several
//! places.
//!
//! Specs repeat inline schemas: Microsoft's `DeviceManagement.Actions`
//! module gives 56 report operations the same inline request body, and a
//! dozen actions the same inline `{value: ...}` response. Each would be a
//! struct of its own, with its own serde code to compile, although they
//! are the same type. Here the second and later ones become aliases of the
//! first (`pub type ReportsGetActiveMalwareReportBody = ...;`), so every
//! name the spec's places give still exists and means what it did, and the
//! struct is compiled once.
//!
//! Only types hoisted from inline schemas are shared: a component schema
//! is a name the spec chose, and stays a type of its own. And only structs
//! with named fields and string enums, which an alias stands for wholly
//! (a struct literal, a pattern or `Alias::Variant` work through it); a
//! choice's newtype is a tuple struct, whose constructor an alias does not
//! bring. Two inline schemas are the same when everything but where they
//! are written is equal (descriptions included, so no documentation is
//! lost), seeing through inline types that were shared already, so nested
//! inline objects are shared bottom-up.
//!
//! It runs after every other decision of lowering and after the checks
//! that warn, so that each copy is decided and warned about at its own
//! place as before, and only the emitted code changes.

use std::collections::{BTreeMap, HashMap};

use super::Lowerer;
use crate::model::{Additional, Api, Fields, Schema, SchemaKind, Target, TypeDef};

impl Lowerer<'_> {
    pub(crate) fn share_identical_inline_types(&mut self) {
        share(&mut self.out);
    }
}

/// Makes every inline type that is written the same as an earlier one (by
/// Rust name) an alias of it, and resolves aliases again.
pub(crate) fn share(api: &mut Api) {
    // Which inline type stands for which: grows each round, as sharing
    // nested types makes the types that hold them equal in turn.
    let mut shared: BTreeMap<String, String> = BTreeMap::new();
    loop {
        // Candidates by a cheap key (their property names, say), then
        // compared whole within a key.
        let mut seen: HashMap<String, Vec<(&str, Shape)>> = HashMap::new();
        let mut found = Vec::new();
        for (name, def) in &api.types {
            if shared.contains_key(name) || !shareable(def) {
                continue;
            }
            let shape = Shape::of(def, &shared);
            let alike = seen.entry(outline(&shape.schema)).or_default();
            match alike.iter().find(|(_, other)| *other == shape) {
                Some((first, _)) => found.push((name.clone(), (*first).to_string())),
                None => alike.push((name, shape)),
            }
        }
        if found.is_empty() {
            break;
        }
        for (name, first) in found {
            if let Some(def) = api.types.get_mut(&name) {
                let description = std::mem::take(&mut def.schema.description);
                let pointer = std::mem::take(&mut def.schema.pointer);
                def.schema = Schema {
                    description,
                    pointer,
                    ..Schema::named(&first)
                };
                // An alias has no fields of its own (see `emit::types`).
                def.fields = None;
            }
            shared.insert(name, first);
        }
    }
    if !shared.is_empty() {
        super::aliases::resolve(api);
    }
}

/// Whether `def` may be shared: hoisted from an inline schema, a type of
/// its own (not an alias), and a struct with named fields or a string
/// enum, for which an alias can be written wherever the type can.
fn shareable(def: &TypeDef) -> bool {
    let own_struct = def.fields.is_some() && def.choice.is_none();
    let string_enum =
        matches!(&def.schema.kind, SchemaKind::String(s) if !s.enumeration.is_empty());
    def.spec_name.starts_with('#')
        && def.target == Target::Itself
        && def.discriminator.is_none()
        && (own_struct || string_enum)
}

/// What must be equal for two types to be one: the schema and the fields
/// lowering decided (boxing included), both without their pointers.
#[derive(PartialEq)]
struct Shape {
    schema: Schema,
    fields: Option<Fields>,
}

impl Shape {
    fn of(def: &TypeDef, shared: &BTreeMap<String, String>) -> Shape {
        let mut schema = def.schema.clone();
        normalise(&mut schema, shared);
        let mut fields = def.fields.clone();
        for property in fields.iter_mut().flat_map(|f| &mut f.properties) {
            normalise(&mut property.schema, shared);
        }
        if let Some(Fields {
            additional: Additional::Schema(extra),
            ..
        }) = &mut fields
        {
            normalise(extra, shared);
        }
        Shape { schema, fields }
    }
}

/// A short text that schemas written alike share: the kind, and an
/// object's property names or an enumeration's values.
fn outline(schema: &Schema) -> String {
    match &schema.kind {
        SchemaKind::Object(object) => {
            let names: Vec<&str> = object.properties.iter().map(|p| p.name.as_str()).collect();
            format!("object:{}", names.join(","))
        }
        SchemaKind::String(string) => format!("string:{}", string.enumeration.join(",")),
        SchemaKind::AllOf(parts) => format!("allOf:{}", parts.len()),
        SchemaKind::OneOf(parts) => format!("oneOf:{}", parts.len()),
        SchemaKind::AnyOf(parts) => format!("anyOf:{}", parts.len()),
        _ => String::new(),
    }
}

/// Clears the pointers of `schema` and its children, and names every
/// shared inline type by the type that stands for it.
fn normalise(schema: &mut Schema, shared: &BTreeMap<String, String>) {
    schema.pointer.clear();
    match &mut schema.kind {
        SchemaKind::Named(name) => {
            let mut standing = name.as_str();
            while let Some(first) = shared.get(standing) {
                standing = first;
            }
            *name = standing.to_string();
        }
        SchemaKind::Array(array) => normalise(&mut array.items, shared),
        SchemaKind::Object(object) => {
            for property in &mut object.properties {
                normalise(&mut property.schema, shared);
            }
            if let Additional::Schema(extra) = &mut object.additional {
                normalise(extra, shared);
            }
        }
        SchemaKind::AllOf(parts) | SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
            for part in parts {
                normalise(part, shared);
            }
        }
        SchemaKind::Not(inner) => normalise(inner, shared),
        SchemaKind::Any
        | SchemaKind::String(_)
        | SchemaKind::Integer(_)
        | SchemaKind::Number(_)
        | SchemaKind::Boolean(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{SchemaKind, Target};

    /// A `POST` of `path` whose inline body's `name` has `description`.
    fn post(path: &str, description: &str) -> String {
        format!(
            "  /{path}:\n    post:\n      operationId: {path}\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              properties:\n                name: {{type: string, description: {description}}}\n                size: {{type: object, properties: {{w: {{type: integer, format: int32}}}}}}\n      responses: {{'204': {{description: done}}}}\n"
        )
    }

    /// Four operations: `a` and `b` post the same inline body (with the
    /// same inline object nested in it), `c` one that differs only in a
    /// description, and `d` one written like the component `Shape`.
    fn spec() -> String {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{}{}{}  /d:\n    post:\n      operationId: d\n      requestBody:\n        content:\n          application/json:\n            schema: {{type: object, properties: {{x: {{type: string}}}}}}\n      responses: {{'204': {{description: done}}}}\ncomponents:\n  schemas:\n    Shape: {{type: object, properties: {{x: {{type: string}}}}}}\n",
            post("a", "What it is called."),
            post("b", "What it is called."),
            post("c", "Another text."),
        )
    }

    #[test]
    fn inline_types_written_alike_are_one_type_and_components_stay_their_own() {
        let api = crate::model_from_str("identical.yaml", &spec()).unwrap();
        let target = |name: &str| &api.types[name].target;
        // `b`'s body is `a`'s, and so is its nested object.
        assert_eq!(*target("ABody"), Target::Itself);
        assert_eq!(*target("BBody"), Target::Alias("ABody".into()));
        assert_eq!(*target("BBodySize"), Target::Alias("ABodySize".into()));
        // `c`'s body differs in a description, so it keeps its own type
        // (no documentation is lost); its nested object is `a`'s.
        assert_eq!(*target("CBody"), Target::Itself);
        assert_eq!(*target("CBodySize"), Target::Alias("ABodySize".into()));
        // A component is a name the spec chose: `d`'s body is not made an
        // alias of `Shape`, nor `Shape` of it.
        assert_eq!(*target("Shape"), Target::Itself);
        assert_eq!(*target("DBody"), Target::Itself);
        // The alias keeps where it is written, for its documentation.
        let b = &api.types["BBody"];
        assert!(
            b.schema.pointer.starts_with("/paths/~1b/post"),
            "{}",
            b.schema.pointer
        );
        assert!(matches!(&b.schema.kind, SchemaKind::Named(n) if n == "ABody"));
        // Emitted as an alias, with the struct once.
        let code = crate::emit::render(&api, &crate::EmitOptions::default()).unwrap();
        assert!(code.contains("pub type BBody = ABody;"), "{code}");
        assert_eq!(code.matches("pub struct ABodySize ").count(), 1);
        assert!(!code.contains("pub struct BBody "), "{code}");
    }

    /// A path-level parameter is lowered once per operation. Its string
    /// choice is a tuple-struct newtype, whose constructor an alias would
    /// not bring, so each operation keeps its own; the string enum inside
    /// it is shared.
    #[test]
    fn choice_newtypes_are_not_shared_and_their_enums_are() {
        let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /g/{id}:\n    parameters: [{name: id, in: path, required: true, schema: {anyOf: [{type: string, enum: [me]}, {type: string, pattern: '^[0-9]+$'}]}}]\n    get: {operationId: g_get, responses: {'204': {description: done}}}\n    delete: {operationId: g_delete, responses: {'204': {description: done}}}\n";
        let api = crate::model_from_str("choice.yaml", spec).unwrap();
        assert_eq!(api.types["GGetId"].target, Target::Itself);
        assert_eq!(api.types["GDeleteId"].target, Target::Itself);
        assert_eq!(
            api.types["GGetId1"].target,
            Target::Alias("GDeleteId1".into())
        );
        let code = crate::emit::render(&api, &crate::EmitOptions::default()).unwrap();
        assert!(code.contains("pub struct GGetId(pub String);"), "{code}");
        assert!(code.contains("id: impl Into<types::GGetId>,"), "{code}");
        assert!(code.contains("id: impl Into<types::GDeleteId>,"), "{code}");
    }
}
