//! Lowering: `openapiv3::OpenAPI` → [`crate::model::Api`].
//!
//! This is where the spec is checked. Every problem is collected with its
//! JSON pointer (and so its line) and reported together at the end. What
//! the emitters cannot express correctly is an error that names it; what
//! they generate but do not enforce (an unknown `format`, say) is a
//! warning that says so. Never a silent skip.

mod aliases;
mod boxing;
pub(crate) mod choice;
mod discriminator;
mod enforce;
mod identical;
mod merge;
mod operation;
mod refs;
mod schema;
mod steps;

pub(crate) use enforce::{integer_format_variant, string_format_variant};
pub(crate) use merge::object_view;
pub(crate) use operation::{essence, is_json};

use std::collections::{BTreeMap, HashMap};

use openapiv3::OpenAPI;

use crate::diag::Diagnostics;
use crate::model::{Api, Discriminator, Server, TypeDef};
use crate::names::{self, Namespace};
use crate::source::{Collector, Source};

/// Names the generated code itself uses at the top of the `types` module,
/// so no spec type may take them.
/// The generated code also names the prelude's `Option`, `Vec`, `String`,
/// `Box`, `Result`, `Some` and `None` unqualified, so these stay free too.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Client", "Error", "Result", "Option", "Vec", "String", "Box", "Some", "None", "Ok", "Err",
];

/// Lowers a parsed spec, or returns every problem found.
pub fn lower(source: &Source, api: &OpenAPI) -> Result<Api, Diagnostics> {
    let mut lowerer = Lowerer::new(source, api);
    lowerer.c.extend(source.warnings.iter().cloned());
    lowerer.run();
    let Lowerer { c, out, .. } = lowerer;
    let (mut api, warnings) = c.finish(out)?;
    api.warnings = warnings;
    Ok(api)
}

/// State shared by the lowering stages.
pub(crate) struct Lowerer<'a> {
    pub(crate) api: &'a OpenAPI,
    pub(crate) c: Collector<'a>,
    pub(crate) out: Api,
    /// Rust names already used for types.
    pub(crate) type_names: Namespace,
    /// Component schema key → its Rust type name.
    pub(crate) component_names: HashMap<String, String>,
    /// Security schemes already warned about (warned once, at their
    /// definition, however many operations use them).
    pub(crate) warned_schemes: std::collections::BTreeSet<String>,
}

impl<'a> Lowerer<'a> {
    fn new(source: &'a Source, api: &'a OpenAPI) -> Self {
        Lowerer {
            api,
            c: Collector::for_source(source),
            out: Api {
                title: api.info.title.clone(),
                version: api.info.version.clone(),
                source: source.name.clone(),
                servers: Vec::new(),
                operations: Vec::new(),
                types: BTreeMap::new(),
                warnings: Vec::new(),
            },
            type_names: Namespace::with_reserved(RESERVED_TYPE_NAMES),
            component_names: HashMap::new(),
            warned_schemes: std::collections::BTreeSet::new(),
        }
    }

    fn run(&mut self) {
        self.lower_servers();
        self.name_components();
        self.lower_components();
        // Once now, so that lowering operations sees through aliases of
        // components, and again below with the types hoisted from them.
        self.resolve_aliases();
        self.lower_paths();
        self.resolve_aliases();
        self.merge_objects();
        self.decide_step_values();
        self.decide_boxes();
        self.decide_choices();
        self.check_enforceable();
        // Last, so that every decision and every warning above is made for
        // each place as the spec writes it (see `identical`).
        self.share_identical_inline_types();
    }

    fn lower_servers(&mut self) {
        let mut servers = self.server_list(&self.api.servers, "/servers");
        // The document's root `/` is the base URL with nothing after it.
        for server in &mut servers {
            if server.url == "/" {
                server.url.clear();
            }
        }
        self.out.servers = servers;
    }

    /// A `servers` list at `pointer`: each URL with its variables at their
    /// defaults and without a trailing slash (`/` stays `/`); an entry
    /// whose URL keeps an undefined variable is an error and left out.
    pub(crate) fn server_list(
        &mut self,
        servers: &[openapiv3::Server],
        pointer: &str,
    ) -> Vec<Server> {
        let mut out = Vec::new();
        for (i, server) in servers.iter().enumerate() {
            let pointer = format!("{pointer}/{i}");
            let mut url = server.url.clone();
            for (name, variable) in server.variables.iter().flatten() {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
            if url.contains('{') {
                self.c.error_hint(
                    &pointer,
                    format!(
                        "server URL `{}` has a variable with no definition",
                        server.url
                    ),
                    "declare every `{name}` of the URL under `variables` with a default",
                );
                continue;
            }
            let cloud = match server.extensions.get("x-cloud") {
                None => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    self.c.error_hint(
                        &format!("{pointer}/x-cloud"),
                        "`x-cloud` must be a string",
                        "write the cloud name as a string, e.g. `x-cloud: global`",
                    );
                    None
                }
            };
            let trimmed = url.trim_end_matches('/');
            out.push(Server {
                url: if trimmed.is_empty() {
                    url.clone()
                } else {
                    trimmed.to_string()
                },
                description: server.description.clone().unwrap_or_default(),
                cloud,
            });
        }
        out
    }

    /// Decides the Rust name of every component schema up front, so that
    /// references can name types before those types are lowered. A dotted
    /// key (`microsoft.graph.user`) is named by its last part when that part
    /// is unique among the components, else by the whole key.
    fn name_components(&mut self) {
        let Some(components) = &self.api.components else {
            return;
        };
        let mut keys: Vec<&String> = components.schemas.keys().collect();
        keys.sort();
        let mut short_count: HashMap<String, usize> = HashMap::new();
        for key in &keys {
            *short_count
                .entry(names::pascal(short_part(key)))
                .or_default() += 1;
        }
        for key in keys {
            let short = names::pascal(short_part(key));
            let wanted = if short_count[&short] == 1 {
                short
            } else {
                names::pascal(key)
            };
            let name = self.type_names.claim(&wanted);
            self.component_names.insert(key.clone(), name);
        }
    }

    fn lower_components(&mut self) {
        let Some(components) = &self.api.components else {
            return;
        };
        let mut keys: Vec<&String> = components.schemas.keys().collect();
        keys.sort();
        for key in keys {
            let pointer = crate::diag::join("/components/schemas", key);
            let rust_name = self.component_names[key].clone();
            let (schema, discriminator) = match &components.schemas[key] {
                openapiv3::ReferenceOr::Reference { reference } => {
                    (self.schema_ref(reference, &pointer), None)
                }
                openapiv3::ReferenceOr::Item(item) => (
                    self.schema(item, &pointer, &rust_name),
                    item.schema_data
                        .discriminator
                        .as_ref()
                        .and_then(|d| self.discriminator(d, key, item, &pointer)),
                ),
            };
            self.out.types.insert(
                rust_name.clone(),
                TypeDef {
                    discriminator,
                    ..TypeDef::undecided(rust_name, key.clone(), schema)
                },
            );
        }
        self.check_alias_cycles();
    }

    /// A component's `discriminator`, its mapping resolved to Rust type
    /// names. A mapping value is a reference (`#/components/schemas/X`) or,
    /// as OpenAPI 3.0 also allows, a bare component name. Without a
    /// `mapping`, the implicit one: each component the base can be, under
    /// its own name (see the `discriminator` module).
    fn discriminator(
        &mut self,
        d: &openapiv3::Discriminator,
        key: &str,
        item: &openapiv3::Schema,
        pointer: &str,
    ) -> Option<Discriminator> {
        let at = crate::diag::join(pointer, "discriminator");
        if d.mapping.is_empty() {
            let mapping: Vec<(String, String)> = self
                .implicit_mapping(key, item)
                .into_iter()
                .filter_map(|name| {
                    let rust = self.component_names.get(&name)?.clone();
                    Some((name, rust))
                })
                .collect();
            if mapping.is_empty() {
                self.c.warn(
                    &at,
                    format!(
                        "a `discriminator` without `mapping` names no schema here: no `oneOf`/`anyOf` alternative is a `$ref` to a component and no component inherits this one through `allOf`, so values are judged by this schema alone, not by the schema their `{}` names",
                        d.property_name
                    ),
                    "list every value with its schema under `mapping`, or refer to the derived schemas from `oneOf`",
                );
                return None;
            }
            return Some(Discriminator {
                property: d.property_name.clone(),
                mapping,
            });
        }
        let mut mapping = Vec::new();
        for (value, target) in &d.mapping {
            let name = refs::component_name(target, "schemas").unwrap_or_else(|| target.clone());
            match self.component_names.get(&name) {
                Some(rust_name) => mapping.push((value.clone(), rust_name.clone())),
                None => self.c.error_hint(
                    &crate::diag::join(&crate::diag::join(&at, "mapping"), value),
                    format!("discriminator mapping `{target}` names no schema component"),
                    "map the value to `#/components/schemas/NAME` of a defined schema",
                ),
            }
        }
        mapping.sort();
        Some(Discriminator {
            property: d.property_name.clone(),
            mapping,
        })
    }
}

/// The part of a dotted component key after the last dot.
fn short_part(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}
