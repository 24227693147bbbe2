//! Which fields and variants hold their type behind a `Box`: a value
//! that holds a value of its own type again (directly, or through other
//! types held by value) has no finite size without one. Decided once
//! every type is known and its fields merged
//! ([`crate::model::Property::boxed`] on [`TypeDef::fields`],
//! [`TypeDef::boxed_parts`] for the variants of a choice); the emitters
//! only read the flags.

use std::collections::HashMap;

use super::Lowerer;
use crate::model::{Api, Schema, SchemaKind, TypeDef};

impl Lowerer<'_> {
    /// Sets [`crate::model::Property::boxed`] and [`TypeDef::boxed_parts`].
    pub(crate) fn decide_boxes(&mut self) {
        decide(&mut self.out);
    }
}

/// Decides, for every type of `api`, which of its fields (see
/// [`TypeDef::fields`]) and choice parts hold their named type in a `Box`.
pub(crate) fn decide(api: &mut Api) {
    let components = containment_components(api);
    let boxed = |holder: &TypeDef, schema: &Schema| {
        schema
            .named_target()
            .is_some_and(|target| needs_box(&components, target, &holder.rust_name))
    };
    let mut decided: Vec<(String, Vec<bool>, Vec<usize>)> = Vec::new();
    for (name, def) in &api.types {
        let fields: Vec<bool> = def
            .fields
            .iter()
            .flat_map(|f| &f.properties)
            .map(|p| boxed(def, &p.schema))
            .collect();
        let parts: Vec<usize> = match &def.schema.kind {
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => parts
                .iter()
                .enumerate()
                .filter(|(_, part)| boxed(def, part))
                .map(|(i, _)| i)
                .collect(),
            _ => Vec::new(),
        };
        if fields.contains(&true) || !parts.is_empty() {
            decided.push((name.clone(), fields, parts));
        }
    }
    for (name, fields, parts) in decided {
        let Some(def) = api.types.get_mut(&name) else {
            continue;
        };
        if let Some(merged) = &mut def.fields {
            for (property, boxed) in merged.properties.iter_mut().zip(fields) {
                property.boxed = boxed;
            }
        }
        def.boxed_parts = parts;
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
fn containment_components(api: &Api) -> HashMap<&str, usize> {
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
fn needs_box(components: &HashMap<&str, usize>, target: &str, holder: &str) -> bool {
    target == holder
        || matches!(
            (components.get(target), components.get(holder)),
            (Some(a), Some(b)) if a == b
        )
}

#[cfg(test)]
mod tests {
    use crate::model::Api;

    fn api(schemas: &str) -> Api {
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        crate::model_from_str("boxes.yaml", &spec).unwrap()
    }

    fn boxed_fields(api: &Api, name: &str) -> Vec<(String, bool)> {
        api.types[name]
            .fields
            .iter()
            .flat_map(|f| &f.properties)
            .map(|p| (p.name.clone(), p.boxed))
            .collect()
    }

    #[test]
    fn fields_that_lead_back_to_their_struct_are_boxed_and_no_others() {
        let api = api("    Node:
      type: object
      properties:
        next: {$ref: '#/components/schemas/Node'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        owner: {$ref: '#/components/schemas/Owner'}
        leaf: {$ref: '#/components/schemas/Leaf'}
    Owner:
      type: object
      properties:
        root: {allOf: [{$ref: '#/components/schemas/Node'}]}
    Leaf:
      type: object
      properties:
        name: {type: string}
    Derived:
      allOf:
        - $ref: '#/components/schemas/Node'
        - type: object
          properties:
            extra: {type: string}
");
        // `next` holds a `Node` in a `Node`, `owner` an `Owner` that holds
        // a `Node` by value; a `Vec` already has a finite size, and `Leaf`
        // never leads back.
        assert_eq!(
            boxed_fields(&api, "Node"),
            [
                ("children".to_string(), false),
                ("leaf".to_string(), false),
                ("next".to_string(), true),
                ("owner".to_string(), true),
            ]
        );
        assert_eq!(boxed_fields(&api, "Owner"), [("root".to_string(), true)]);
        // `Derived` inherits `next` and `owner`, but no `Node` or `Owner`
        // holds a `Derived`: its fields need no `Box`, whatever the base's.
        assert!(
            boxed_fields(&api, "Derived")
                .iter()
                .all(|(_, boxed)| !boxed),
            "{:?}",
            boxed_fields(&api, "Derived")
        );
    }

    #[test]
    fn choice_parts_that_hold_the_choice_again_are_boxed() {
        let api = api("    Expr:
      oneOf:
        - type: string
        - $ref: '#/components/schemas/Sum'
        - type: array
          items: {$ref: '#/components/schemas/Expr'}
    Sum:
      type: object
      properties:
        left: {$ref: '#/components/schemas/Expr'}
");
        assert_eq!(api.types["Expr"].boxed_parts, [1]);
        assert_eq!(boxed_fields(&api, "Sum"), [("left".to_string(), true)]);
    }
}
