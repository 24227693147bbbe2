//! `$ref` resolution for component parameters, request bodies, responses,
//! headers and schemas. References to other files were copied into the
//! document before lowering (`bundle`), so only local references
//! (`#/components/...`) are left; anything else is reported.
//!
//! What stays an error here, and why: a reference that resolves to
//! nothing (there is no type to generate), a reference to a component of
//! another kind (a parameter cannot stand for a schema), and a ring of
//! references with no object in it (no finite type exists); an `allOf`
//! ring has no finite set of properties either.

use indexmap::IndexMap;
use openapiv3::{Components, ReferenceOr};

use super::Lowerer;
use crate::diag::{escape_token, join};
use crate::model::{Schema, SchemaKind};

/// Splits `#/components/{kind}/{name}` into its name, undoing JSON pointer
/// escapes.
pub(crate) fn component_name(reference: &str, kind: &str) -> Option<String> {
    let rest = reference.strip_prefix("#/components/")?;
    let (found_kind, name) = rest.split_once('/')?;
    if found_kind != kind || name.contains('/') {
        return None;
    }
    Some(name.replace("~1", "/").replace("~0", "~"))
}

impl<'a> Lowerer<'a> {
    /// Follows `item` through component references of `kind`; returns the
    /// object and the JSON pointer where it is written. A chain may be as
    /// long as the components allow; one that comes back to a component
    /// it passed is a cycle.
    pub(crate) fn resolve<T>(
        &mut self,
        item: &'a ReferenceOr<T>,
        pointer: &str,
        kind: &str,
        table: fn(&'a Components) -> &'a IndexMap<String, ReferenceOr<T>>,
    ) -> Option<(&'a T, String)> {
        let mut current = item;
        let mut at = pointer.to_string();
        let mut passed = std::collections::BTreeSet::new();
        loop {
            match current {
                ReferenceOr::Item(value) => return Some((value, at)),
                ReferenceOr::Reference { reference } => {
                    let Some(name) = component_name(reference, kind) else {
                        self.report_bad_ref(reference, &at, kind);
                        return None;
                    };
                    let found = self
                        .api
                        .components
                        .as_ref()
                        .and_then(|c| table(c).get(&name));
                    let Some(found) = found else {
                        self.c.error_hint(
                            &at,
                            format!("unresolved $ref `{reference}`: no such {kind} component"),
                            format!("define `components/{kind}/{name}` or fix the reference"),
                        );
                        return None;
                    };
                    if !passed.insert(name.clone()) {
                        self.c.error_hint(
                            pointer,
                            format!("$ref cycle among {kind} components"),
                            "a component must end in an object, not only in references",
                        );
                        return None;
                    }
                    at = format!("/components/{kind}/{}", escape_token(&name));
                    current = found;
                }
            }
        }
    }

    fn report_bad_ref(&mut self, reference: &str, at: &str, kind: &str) {
        if reference.starts_with('#') {
            self.c.error_hint(
                at,
                format!("$ref `{reference}` does not point at a {kind} component"),
                format!("use `#/components/{kind}/NAME`"),
            );
        } else {
            // Other files are read and copied in before lowering (see
            // `bundle`), wherever OpenAPI reads a reference; one left here
            // stands where the loader does not look for one.
            self.c.error_hint(
                at,
                format!("$ref `{reference}` names another file in a place the loader does not follow"),
                format!("refer to a `#/components/{kind}/NAME` defined in this file, which may itself refer to the other file"),
            );
        }
    }

    /// A schema `$ref`: becomes a reference to the component's named type.
    pub(crate) fn schema_ref(&mut self, reference: &str, pointer: &str) -> Schema {
        let kind = match component_name(reference, "schemas") {
            Some(name) => match self.component_names.get(&name) {
                Some(rust) => SchemaKind::Named(rust.clone()),
                None => {
                    self.c.error_hint(
                        pointer,
                        format!("unresolved $ref `{reference}`: no such schema component"),
                        format!("define `components/schemas/{name}` or fix the reference"),
                    );
                    SchemaKind::Any
                }
            },
            None => {
                self.report_bad_ref(reference, pointer, "schemas");
                SchemaKind::Any
            }
        };
        Schema {
            kind,
            nullable: false,
            description: String::new(),
            pointer: pointer.to_string(),
        }
    }

    /// A component whose schema only names another component is an alias,
    /// and one whose `allOf` names another contains all of it. A ring of
    /// either has no finite type: it is reported once per ring, naming its
    /// members in order.
    pub(crate) fn check_alias_cycles(&mut self) {
        use std::collections::{BTreeMap, BTreeSet};
        let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut pure_alias: BTreeSet<String> = BTreeSet::new();
        for (name, def) in &self.out.types {
            let mut targets = Vec::new();
            merge_targets(&def.schema, &mut targets);
            if matches!(def.schema.kind, SchemaKind::Named(_)) {
                pure_alias.insert(name.clone());
            }
            if let SchemaKind::AllOf(parts) = &def.schema.kind
                && parts.len() == 1
                && matches!(parts[0].kind, SchemaKind::Named(_))
            {
                pure_alias.insert(name.clone());
            }
            edges.insert(name.clone(), targets);
        }
        let mut reported = BTreeSet::new();
        for start in edges.keys() {
            // Depth-first search for a path back to `start`; the model is
            // small enough (one node per named type) to search from each.
            let mut stack: Vec<(String, usize)> = vec![(start.clone(), 0)];
            let mut on_path: Vec<String> = vec![start.clone()];
            let mut visited: BTreeSet<String> = BTreeSet::new();
            while let Some((node, next)) = stack.pop() {
                let targets = edges.get(&node).map(Vec::as_slice).unwrap_or(&[]);
                let Some(target) = targets.get(next) else {
                    on_path.pop();
                    continue;
                };
                stack.push((node.clone(), next + 1));
                if target == start {
                    let mut ring = on_path.clone();
                    ring.sort();
                    if reported.insert(ring) {
                        self.report_ring(&on_path, on_path.iter().all(|n| pure_alias.contains(n)));
                    }
                    continue;
                }
                if visited.insert(target.clone()) && edges.contains_key(target) {
                    on_path.push(target.clone());
                    stack.push((target.clone(), 0));
                }
            }
        }
    }

    fn report_ring(&mut self, ring: &[String], aliases_only: bool) {
        let spec_names: Vec<String> = ring
            .iter()
            .map(|n| self.out.types[n].spec_name.clone())
            .collect();
        let pointer = if spec_names[0].starts_with('#') {
            spec_names[0].trim_start_matches('#').to_string()
        } else {
            join("/components/schemas", &spec_names[0])
        };
        let chain = format!("{} -> {}", spec_names.join(" -> "), spec_names[0]);
        if aliases_only {
            self.c.error_hint(
                &pointer,
                format!("$ref cycle with no type in it: {chain}"),
                "one of these schemas must define a type (e.g. an object) instead of only referring on",
            );
        } else {
            self.c.error_hint(
                &pointer,
                format!("allOf cycle: each of these schemas includes the next, so none has a finite set of properties: {chain}"),
                "break the ring: a schema cannot (indirectly) list itself under `allOf`; refer to it from a property instead",
            );
        }
    }
}

/// The named types whose properties a value of `schema` includes by
/// merging: a bare `$ref`, and the `$ref` parts of `allOf` (nested ones too).
fn merge_targets(schema: &Schema, out: &mut Vec<String>) {
    match &schema.kind {
        SchemaKind::Named(name) => out.push(name.clone()),
        SchemaKind::AllOf(parts) => {
            for part in parts {
                merge_targets(part, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    /// A spec whose operation takes the parameter `P0`, with the
    /// parameter components `components`.
    fn spec(components: &str) -> String {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: '#/components/parameters/P0'\n      responses:\n        '204': {{description: ok}}\ncomponents:\n  parameters:\n{components}"
        )
    }

    #[test]
    fn a_chain_of_references_of_any_length_resolves() {
        let n = 150;
        let mut components = String::new();
        for i in 0..n {
            components.push_str(&format!(
                "    P{i}: {{$ref: '#/components/parameters/P{}'}}\n",
                i + 1
            ));
        }
        components.push_str(&format!(
            "    P{n}: {{name: top, in: query, schema: {{type: integer}}}}\n"
        ));
        let api = crate::model_from_str("refs.yaml", &spec(&components)).unwrap();
        assert_eq!(api.operations[0].params[0].name, "top");
    }

    #[test]
    fn a_ring_of_references_is_reported_once_round() {
        let components = "    P0: {$ref: '#/components/parameters/P1'}\n    P1: {$ref: '#/components/parameters/P2'}\n    P2: {$ref: '#/components/parameters/P1'}\n";
        let err = crate::model_from_str("refs.yaml", &spec(components)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("$ref cycle among parameters components"),
            "{text}"
        );
    }
}
