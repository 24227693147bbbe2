//! `$ref` resolution for component parameters, request bodies, responses,
//! headers and schemas. Only local references (`#/components/...`) are
//! understood; anything else is reported.

use indexmap::IndexMap;
use openapiv3::{Components, ReferenceOr};

use super::Lowerer;
use crate::diag::{escape_token, join};
use crate::model::{Schema, SchemaKind};

/// Longest chain of references to references we follow before calling it
/// a cycle.
const MAX_REF_CHAIN: usize = 64;

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
    /// object and the JSON pointer where it is written.
    pub(crate) fn resolve<T>(
        &mut self,
        item: &'a ReferenceOr<T>,
        pointer: &str,
        kind: &str,
        table: fn(&'a Components) -> &'a IndexMap<String, ReferenceOr<T>>,
    ) -> Option<(&'a T, String)> {
        let mut current = item;
        let mut at = pointer.to_string();
        for _ in 0..MAX_REF_CHAIN {
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
                    at = format!("/components/{kind}/{}", escape_token(&name));
                    current = found;
                }
            }
        }
        self.c.error_hint(
            pointer,
            format!("$ref cycle among {kind} components"),
            "a component must end in an object, not only in references",
        );
        None
    }

    fn report_bad_ref(&mut self, reference: &str, at: &str, kind: &str) {
        if reference.starts_with('#') {
            self.c.error_hint(
                at,
                format!("$ref `{reference}` does not point at a {kind} component"),
                format!("use `#/components/{kind}/NAME`"),
            );
        } else {
            self.c.error_hint(
                at,
                format!("external $ref `{reference}` is not supported"),
                "bundle the referenced document into this one (e.g. with a bundler) first",
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

    /// A component whose schema only names another component is an alias;
    /// a ring of aliases has no type at all and is reported once per ring.
    pub(crate) fn check_alias_cycles(&mut self) {
        let alias_of = |types: &std::collections::BTreeMap<String, crate::model::TypeDef>,
                        name: &str|
         -> Option<String> {
            match &types.get(name)?.schema.kind {
                SchemaKind::Named(target) => Some(target.clone()),
                SchemaKind::AllOf(parts) if parts.len() == 1 => match &parts[0].kind {
                    SchemaKind::Named(target) => Some(target.clone()),
                    _ => None,
                },
                _ => None,
            }
        };
        let mut reported = std::collections::BTreeSet::new();
        let names: Vec<String> = self.out.types.keys().cloned().collect();
        for start in names {
            let mut seen = vec![start.clone()];
            let mut current = start.clone();
            while let Some(next) = alias_of(&self.out.types, &current) {
                if next == start {
                    let mut ring = seen.clone();
                    ring.sort();
                    if reported.insert(ring) {
                        let spec_names: Vec<String> = seen
                            .iter()
                            .map(|n| self.out.types[n].spec_name.clone())
                            .collect();
                        let pointer =
                            join("/components/schemas", &self.out.types[&start].spec_name);
                        self.c.error_hint(
                            &pointer,
                            format!(
                                "$ref cycle with no type in it: {} -> {}",
                                spec_names.join(" -> "),
                                spec_names[0]
                            ),
                            "one of these schemas must define a type (e.g. an object) instead of only referring on",
                        );
                    }
                    break;
                }
                if seen.contains(&next) {
                    break; // a ring that does not include `start`: found from its own members
                }
                seen.push(next.clone());
                current = next;
            }
        }
    }
}
