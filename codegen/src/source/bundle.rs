//! Multi-file specs: every `$ref` that names another file (`pet.yaml`,
//! `common.yaml#/components/schemas/Error`, `../shared.json#/Tag`) is
//! loaded and its target copied into the root document, so that the later
//! stages see one document whose references are all local
//! (`#/components/{kind}/{name}`).
//!
//! * A target is copied once: into `components/{kind}` under a key of its
//!   own (the last token of its pointer, or the file's stem, made unique),
//!   and every reference to it becomes a reference to that key. A root
//!   component that is only a `$ref` to another file takes the target's
//!   place under its own key. The kind comes from where the `$ref` stands
//!   (a `schema:` holds a schema, `responses/200` a response...), which is
//!   why the walk follows the OpenAPI 3.0 structure instead of looking at
//!   every `$ref` key (a `$ref` inside an example value is data).
//! * A path item has no component table in OpenAPI 3.0: its target is
//!   copied in place.
//! * Each file is read and parsed once; references among files may form
//!   cycles (a pet's owner lists pets): a target gets its key before its
//!   own references are followed, so a cycle ends at that key.
//! * A reference to a node of the root that is not a component
//!   (`#/paths/~1a/get/parameters/0`, `#/definitions/X`) is copied the
//!   same way; one to `#/components/...` is left to the lowering, which
//!   reports what it cannot resolve.
//! * [`Origins`] remembers where each copied node came from, so every
//!   later diagnostic about it names its own file, line and column, and
//!   its JSON pointer in that file.
//!
//! URLs (`https://...`) are an error: a build reads no network.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde_yaml::{Mapping, Value};

use super::{LocationIndex, Origins};
use crate::diag::{Diagnostic, Severity, escape_token, join};

/// The kinds of object a `$ref` can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Schema,
    Response,
    Parameter,
    Example,
    RequestBody,
    Header,
    SecurityScheme,
    Link,
    Callback,
    PathItem,
}

/// The component tables, with the kind each holds.
const TABLES: &[(&str, Kind)] = &[
    ("schemas", Kind::Schema),
    ("responses", Kind::Response),
    ("parameters", Kind::Parameter),
    ("examples", Kind::Example),
    ("requestBodies", Kind::RequestBody),
    ("headers", Kind::Header),
    ("securitySchemes", Kind::SecurityScheme),
    ("links", Kind::Link),
    ("callbacks", Kind::Callback),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Kind {
    /// Its table under `components` (none for path items in 3.0).
    fn table(self) -> Option<&'static str> {
        TABLES.iter().find(|(_, k)| *k == self).map(|(t, _)| *t)
    }

    /// How a message names it.
    fn what(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Response => "response",
            Kind::Parameter => "parameter",
            Kind::Example => "example",
            Kind::RequestBody => "request body",
            Kind::Header => "header",
            Kind::SecurityScheme => "security scheme",
            Kind::Link => "link",
            Kind::Callback => "callback",
            Kind::PathItem => "path item",
        }
    }
}

/// The root document after bundling.
pub(crate) struct Bundled {
    /// The root with every other file's targets copied in.
    pub tree: Value,
    /// Where copied nodes came from.
    pub origins: Origins,
}

/// Whether `root` has a reference that [`bundle`] must follow: one that is
/// not `#/components/...`, a path item `$ref`, or a discriminator mapping
/// to another file. (Conservative: a `$ref` inside an example counts too;
/// bundling then changes nothing.)
pub(crate) fn needs_bundling(root: &Value) -> bool {
    fn scan(value: &Value) -> bool {
        match value {
            Value::Mapping(map) => map.iter().any(|(k, v)| {
                let foreign = match (k.as_str(), v) {
                    (Some("$ref"), Value::String(r)) => !r.starts_with("#/components/"),
                    (Some("mapping"), Value::Mapping(m)) => m.values().any(|t| {
                        t.as_str()
                            .is_some_and(|t| is_file_ref(t) && !t.starts_with('#'))
                    }),
                    _ => false,
                };
                foreign || scan(v)
            }),
            Value::Sequence(items) => items.iter().any(scan),
            _ => false,
        }
    }
    let path_item_ref = root
        .get("paths")
        .and_then(Value::as_mapping)
        .is_some_and(|paths| paths.values().any(|item| item.get("$ref").is_some()));
    path_item_ref || scan(root)
}

/// Whether a discriminator `mapping` value is a reference (not a bare
/// schema name).
fn is_file_ref(target: &str) -> bool {
    target.contains('#')
        || target.contains('/')
        || target.ends_with(".yaml")
        || target.ends_with(".yml")
        || target.ends_with(".json")
}

/// Copies into `root` every target its references reach in other files
/// (and non-component targets in itself). `name` is how diagnostics name
/// the root, `text` its text; `files` receives every file read or tried
/// (for `cargo:rerun-if-changed`). Errors: references that cannot be
/// followed, each located in the file that holds it.
pub(crate) fn bundle(
    name: &str,
    text: &str,
    root: Value,
    files: &mut Vec<PathBuf>,
) -> Result<Bundled, Vec<Diagnostic>> {
    let mut b = Bundler {
        docs: vec![Doc {
            name: name.to_string(),
            path: PathBuf::from(name),
            tree: Rc::new(root),
            index: LocationIndex::lazy(text),
        }],
        by_path: HashMap::new(),
        failed: BTreeSet::new(),
        imported: HashMap::new(),
        taken: HashMap::new(),
        added: Vec::new(),
        adopted: HashMap::new(),
        inlining: Vec::new(),
        origins: Vec::new(),
        problems: Vec::new(),
        files: Vec::new(),
    };
    if let Ok(canonical) = std::fs::canonicalize(name) {
        b.by_path.insert(canonical, 0);
    }
    let root_tree = b.docs[0].tree.clone();
    // Keys the root already uses, per table.
    for (table, kind) in TABLES {
        if let Some(map) = root_tree
            .get("components")
            .and_then(|c| c.get(*table))
            .and_then(Value::as_mapping)
        {
            let keys = map.keys().filter_map(Value::as_str).map(str::to_string);
            b.taken.entry(*kind).or_default().extend(keys);
        }
    }
    b.adopt_components(&root_tree);
    let edits = {
        let mut walk = Walk::new(&mut b, 0, "", "");
        walk.document(&root_tree);
        walk.edits
    };
    drop(root_tree);
    let docs = std::mem::take(&mut b.docs);
    let mut docs = docs.into_iter();
    let root_doc = docs.next().expect("the root is the first document");
    let mut tree = Rc::try_unwrap(root_doc.tree).unwrap_or_else(|shared| (*shared).clone());
    for (at, value) in edits {
        replace(&mut tree, &at, value);
    }
    // New components, in the order they were met.
    for (kind, key, value) in std::mem::take(&mut b.added) {
        let table = kind.table().expect("only tabled kinds are added");
        let Some(map) = tree.as_mapping_mut() else {
            break;
        };
        let components = map
            .entry(Value::String("components".into()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if !components.is_mapping() {
            *components = Value::Mapping(Mapping::new());
        }
        let entries = components
            .as_mapping_mut()
            .expect("just made a mapping")
            .entry(Value::String(table.into()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Some(entries) = entries.as_mapping_mut() {
            entries.insert(Value::String(key), value);
        }
    }
    files.append(&mut b.files);
    if !b.problems.is_empty() {
        let mut problems = b.problems;
        crate::diag::sort(&mut problems);
        problems.dedup();
        return Err(problems);
    }
    let mut origins = Origins::default();
    origins.add_file(root_doc.name, root_doc.index);
    for doc in docs {
        origins.add_file(doc.name, doc.index);
    }
    for (at, file, from) in b.origins {
        origins.add(at, file, from);
    }
    Ok(Bundled { tree, origins })
}

/// One file taking part.
struct Doc {
    /// How diagnostics name it.
    name: String,
    /// Where it was read from (references are relative to its directory).
    path: PathBuf,
    tree: Rc<Value>,
    index: LocationIndex,
}

/// Where a target is: a document and a JSON pointer in it.
type Target = (usize, String);

struct Bundler {
    docs: Vec<Doc>,
    /// Canonical path → document.
    by_path: HashMap<PathBuf, usize>,
    /// Paths that could not be read or parsed (reported once).
    failed: BTreeSet<PathBuf>,
    /// Copied targets → their component key.
    imported: HashMap<(Kind, Target), String>,
    /// Component keys in use, per kind.
    taken: HashMap<Kind, BTreeSet<String>>,
    /// Components to add to the root, in order.
    added: Vec<(Kind, String, Value)>,
    /// Root components that are a `$ref` to another file and take their
    /// target's place: (table, key) → target.
    adopted: HashMap<(Kind, String), Target>,
    /// Path items being copied (to stop a ring of path item references).
    inlining: Vec<Target>,
    /// (pointer in the bundle, document, pointer there).
    origins: Vec<(String, usize, String)>,
    problems: Vec<Diagnostic>,
    files: Vec<PathBuf>,
}

/// What a followed reference turns into.
enum Replacement {
    /// A new `$ref` text.
    Ref(String),
    /// The referenced node itself (path items).
    Node(Value),
}

impl Bundler {
    fn error(&mut self, doc: usize, at: &str, message: String, hint: &str) {
        let d = &self.docs[doc];
        self.problems.push(Diagnostic {
            severity: Severity::Error,
            file: d.name.clone(),
            location: d.index.locate(at),
            pointer: format!("#{at}"),
            message,
            hint: Some(hint.to_string()),
        });
    }

    /// A root component that is only a `$ref` to another file becomes that
    /// file's node under the component's own key (the usual way to split a
    /// spec: `Pet: {$ref: schemas/pet.yaml}`).
    fn adopt_components(&mut self, root: &Value) {
        for (table, kind) in TABLES {
            let Some(map) = root
                .get("components")
                .and_then(|c| c.get(*table))
                .and_then(Value::as_mapping)
            else {
                continue;
            };
            for (key, node) in map {
                let (Some(key), Some(reference)) =
                    (key.as_str(), node.get("$ref").and_then(Value::as_str))
                else {
                    continue;
                };
                if reference.starts_with('#') {
                    continue;
                }
                let at = format!("/components/{table}/{}", escape_token(key));
                let Some(target) = self.target(reference, 0, &at) else {
                    continue;
                };
                let Some(found) = pointer_get(&self.docs[target.0].tree, &target.1) else {
                    continue;
                };
                if found.get("$ref").is_some()
                    || self.imported.contains_key(&(*kind, target.clone()))
                {
                    continue;
                }
                self.imported
                    .insert((*kind, target.clone()), key.to_string());
                self.adopted.insert((*kind, key.to_string()), target);
            }
        }
    }

    /// The document and pointer `reference` names from `doc` (reading the
    /// file the first time), or `None` with the problem reported at `at`.
    fn target(&mut self, reference: &str, doc: usize, at: &str) -> Option<Target> {
        let (file, fragment) = match reference.split_once('#') {
            Some((file, fragment)) => (file, percent_decode(fragment)),
            None => (reference, String::new()),
        };
        if !fragment.is_empty() && !fragment.starts_with('/') {
            self.error(
                doc,
                at,
                format!("$ref `{reference}`: the part after `#` must be a JSON pointer"),
                "write the fragment as `#/path/to/node` (anchors are not supported)",
            );
            return None;
        }
        if file.is_empty() {
            return Some((doc, fragment));
        }
        if has_scheme(file) {
            self.error(
                doc,
                at,
                format!("$ref `{reference}` names a URL; a build reads no network"),
                "save that document next to the spec and refer to it by a relative path",
            );
            return None;
        }
        let relative = percent_decode(file);
        let base = self.docs[doc].path.parent().unwrap_or(Path::new(""));
        let path = base.join(&relative);
        let loaded = self.load(&path, doc, at, reference)?;
        Some((loaded, fragment))
    }

    /// Reads and parses the file at `path` once.
    fn load(&mut self, path: &Path, doc: usize, at: &str, reference: &str) -> Option<usize> {
        let name = tidy(path);
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(err) => {
                if !self.files.contains(&path.to_path_buf()) {
                    self.files.push(path.to_path_buf());
                }
                self.error(
                    doc,
                    at,
                    format!(
                        "cannot read `{}`, named by $ref `{reference}`: {err}",
                        name.display()
                    ),
                    "the path is relative to the file that holds the $ref",
                );
                return None;
            }
        };
        if let Some(found) = self.by_path.get(&canonical) {
            return Some(*found);
        }
        if self.failed.contains(&canonical) {
            return None;
        }
        self.files.push(path.to_path_buf());
        let display = name.display().to_string().replace('\\', "/");
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                self.failed.insert(canonical);
                self.error(
                    doc,
                    at,
                    format!("cannot read `{display}`, named by $ref `{reference}`: {err}"),
                    "check that the file exists and is UTF-8 text",
                );
                return None;
            }
        };
        let tree: Value = match serde_yaml::from_str(&text) {
            Ok(tree) => tree,
            Err(err) => {
                self.failed.insert(canonical);
                let report = super::syntax_error(&display, &text, &err);
                self.problems.extend(report.items);
                return None;
            }
        };
        self.docs.push(Doc {
            name: display,
            path: path.to_path_buf(),
            tree: Rc::new(tree),
            index: LocationIndex::lazy(&text),
        });
        let id = self.docs.len() - 1;
        self.by_path.insert(canonical, id);
        Some(id)
    }

    /// A key for `target` in the table of `kind`, not used before.
    fn claim_key(&mut self, kind: Kind, target: &Target) -> String {
        let (doc, pointer) = target;
        let stem = {
            let file = self.docs[*doc]
                .path
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            file.split('.').next().unwrap_or_default().to_string()
        };
        let tokens: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let preferred = match tokens.as_slice() {
            [] => stem.clone(),
            [.., parent, last] if last.chars().all(|c| c.is_ascii_digit()) => {
                format!("{parent}{last}")
            }
            [.., last] => last.clone(),
        };
        let preferred = if preferred.is_empty() {
            "imported".to_string()
        } else {
            preferred
        };
        let taken = self.taken.entry(kind).or_default();
        let mut key = preferred.clone();
        if taken.contains(&key) && !stem.is_empty() {
            key = format!("{stem}.{preferred}");
        }
        let mut n = 2;
        let base = key.clone();
        while taken.contains(&key) {
            key = format!("{base}{n}");
            n += 1;
        }
        taken.insert(key.clone());
        key
    }

    /// Follows the `$ref` `reference` found at `at` in `doc`, in a place
    /// that holds a `kind`; `out` is where that place lands in the bundle.
    fn reference(
        &mut self,
        kind: Kind,
        reference: &str,
        doc: usize,
        at: &str,
        out: &str,
    ) -> Option<Replacement> {
        // The root's own components are the lowering's to resolve (and to
        // report when missing or of the wrong kind).
        if doc == 0 && kind != Kind::PathItem && is_component_pointer(reference) {
            return None;
        }
        // So are the root's path items that repeat another of its paths:
        // the lowering names their operations apart from the original's.
        if doc == 0 && kind == Kind::PathItem && reference.starts_with("#/paths/") {
            return None;
        }
        let target = self.target(reference, doc, at)?;
        if target.0 == 0
            && kind != Kind::PathItem
            && is_component_pointer(&format!("#{}", target.1))
        {
            return (doc != 0).then(|| Replacement::Ref(format!("#{}", target.1)));
        }
        let tree = self.docs[target.0].tree.clone();
        let Some(node) = pointer_get(&tree, &target.1) else {
            let file = &self.docs[target.0].name;
            let place = if target.1.is_empty() { "/" } else { &target.1 };
            let message =
                format!("unresolved $ref `{reference}`: `{file}` has no node at `{place}`");
            self.error(
                doc,
                at,
                message,
                "fix the pointer after `#`, or add the node it names",
            );
            return None;
        };
        if let Some(table) = other_table(&target.1, kind) {
            self.error(
                doc,
                at,
                format!(
                    "$ref `{reference}` points at a component of `{table}` where a {} is expected",
                    kind.what()
                ),
                "refer to a component of the kind this place holds",
            );
            return None;
        }
        if kind == Kind::PathItem {
            if self.inlining.contains(&target) {
                self.error(
                    doc,
                    at,
                    format!("$ref cycle among path items at `{reference}`"),
                    "a path item must end in an object, not only in references",
                );
                return None;
            }
            self.inlining.push(target.clone());
            let copied = self.copy(kind, node, &target, out);
            self.inlining.pop();
            self.origins
                .push((out.to_string(), target.0, target.1.clone()));
            return Some(Replacement::Node(copied));
        }
        let table = kind.table().expect("every kind but path items has a table");
        if let Some(key) = self.imported.get(&(kind, target.clone())) {
            return Some(Replacement::Ref(format!(
                "#/components/{table}/{}",
                escape_token(key)
            )));
        }
        let key = self.claim_key(kind, &target);
        self.imported.insert((kind, target.clone()), key.clone());
        let landing = format!("/components/{table}/{}", escape_token(&key));
        let copied = self.copy(kind, node, &target, &landing);
        self.added.push((kind, key.clone(), copied));
        self.origins
            .push((landing.clone(), target.0, target.1.clone()));
        Some(Replacement::Ref(format!("#{landing}")))
    }

    /// `node` (at `target`) with its own references followed, to land at
    /// `out` in the bundle.
    fn copy(&mut self, kind: Kind, node: &Value, target: &Target, out: &str) -> Value {
        let edits = {
            let mut walk = Walk::new(self, target.0, &target.1, out);
            walk.slot(kind, node, &target.1);
            walk.edits
        };
        let mut copied = node.clone();
        for (at, value) in edits {
            replace(&mut copied, &at, value);
        }
        copied
    }
}

/// One walk over a node of one document, collecting the edits its
/// references need (pointers relative to the node).
struct Walk<'b> {
    b: &'b mut Bundler,
    doc: usize,
    /// Pointer of the walked node in its document.
    base: String,
    /// Where the walked node lands in the bundle.
    out: String,
    edits: Vec<(String, Value)>,
}

impl<'b> Walk<'b> {
    fn new(b: &'b mut Bundler, doc: usize, base: &str, out: &str) -> Self {
        Walk {
            b,
            doc,
            base: base.to_string(),
            out: out.to_string(),
            edits: Vec::new(),
        }
    }

    fn relative<'p>(&self, at: &'p str) -> &'p str {
        &at[self.base.len()..]
    }

    fn document(&mut self, doc: &Value) {
        for (key, item) in entries(doc.get("paths")) {
            self.slot(Kind::PathItem, item, &join("/paths", key));
        }
        let Some(components) = doc.get("components") else {
            return;
        };
        for (table, kind) in TABLES {
            for (key, node) in entries(components.get(*table)) {
                let at = format!("/components/{table}/{}", escape_token(key));
                if let Some(target) = self.b.adopted.get(&(*kind, key.to_string())).cloned() {
                    let tree = self.b.docs[target.0].tree.clone();
                    if let Some(found) = pointer_get(&tree, &target.1) {
                        let copied = self.b.copy(*kind, found, &target, &at);
                        self.b
                            .origins
                            .push((at.clone(), target.0, target.1.clone()));
                        let rel = self.relative(&at).to_string();
                        self.edits.push((rel, copied));
                        continue;
                    }
                }
                self.slot(*kind, node, &at);
            }
        }
    }

    /// A place that holds a `kind` or a reference to one.
    fn slot(&mut self, kind: Kind, node: &Value, at: &str) {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let out = format!("{}{}", self.out, self.relative(at));
            match self.b.reference(kind, reference, self.doc, at, &out) {
                Some(Replacement::Ref(new)) => {
                    let rel = join(self.relative(at), "$ref");
                    self.edits.push((rel, Value::String(new)));
                }
                Some(Replacement::Node(value)) => {
                    let rel = self.relative(at).to_string();
                    self.edits.push((rel, value));
                }
                None => {}
            }
            return;
        }
        match kind {
            Kind::Schema => self.schema(node, at),
            Kind::Response => self.response(node, at),
            Kind::Parameter | Kind::Header => self.parameter(node, at),
            Kind::RequestBody => self.content(node.get("content"), &join(at, "content")),
            Kind::Callback => {
                for (expression, item) in entries(Some(node)) {
                    self.slot(Kind::PathItem, item, &join(at, expression));
                }
            }
            Kind::PathItem => self.path_item(node, at),
            Kind::Example | Kind::SecurityScheme | Kind::Link => {}
        }
    }

    fn list(&mut self, kind: Kind, list: Option<&Value>, at: &str) {
        for (i, item) in list
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.slot(kind, item, &format!("{at}/{i}"));
        }
    }

    fn map(&mut self, kind: Kind, map: Option<&Value>, at: &str) {
        for (key, node) in entries(map) {
            self.slot(kind, node, &join(at, key));
        }
    }

    fn path_item(&mut self, item: &Value, at: &str) {
        self.list(
            Kind::Parameter,
            item.get("parameters"),
            &join(at, "parameters"),
        );
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let at = join(at, method);
            self.list(
                Kind::Parameter,
                op.get("parameters"),
                &join(&at, "parameters"),
            );
            if let Some(body) = op.get("requestBody") {
                self.slot(Kind::RequestBody, body, &join(&at, "requestBody"));
            }
            self.map(Kind::Response, op.get("responses"), &join(&at, "responses"));
            self.map(Kind::Callback, op.get("callbacks"), &join(&at, "callbacks"));
        }
    }

    fn parameter(&mut self, p: &Value, at: &str) {
        if let Some(schema) = p.get("schema") {
            self.slot(Kind::Schema, schema, &join(at, "schema"));
        }
        self.map(Kind::Example, p.get("examples"), &join(at, "examples"));
        self.content(p.get("content"), &join(at, "content"));
    }

    fn response(&mut self, r: &Value, at: &str) {
        self.map(Kind::Header, r.get("headers"), &join(at, "headers"));
        self.content(r.get("content"), &join(at, "content"));
        self.map(Kind::Link, r.get("links"), &join(at, "links"));
    }

    fn content(&mut self, content: Option<&Value>, at: &str) {
        for (media_type, media) in entries(content) {
            let at = join(at, media_type);
            if let Some(schema) = media.get("schema") {
                self.slot(Kind::Schema, schema, &join(&at, "schema"));
            }
            self.map(Kind::Example, media.get("examples"), &join(&at, "examples"));
            for (property, encoding) in entries(media.get("encoding")) {
                let at = join(&join(&at, "encoding"), property);
                self.map(Kind::Header, encoding.get("headers"), &join(&at, "headers"));
            }
        }
    }

    fn schema(&mut self, schema: &Value, at: &str) {
        self.map(
            Kind::Schema,
            schema.get("properties"),
            &join(at, "properties"),
        );
        for key in ["items", "not", "additionalProperties"] {
            if let Some(inner) = schema.get(key)
                && inner.is_mapping()
            {
                self.slot(Kind::Schema, inner, &join(at, key));
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            self.list(Kind::Schema, schema.get(key), &join(at, key));
        }
        let mapping_at = join(&join(at, "discriminator"), "mapping");
        for (value, target) in entries(schema.get("discriminator").and_then(|d| d.get("mapping"))) {
            let Some(target) = target.as_str() else {
                continue;
            };
            // A reference is followed like a `$ref` to a schema. A bare
            // schema name in the root stays as it is; in another file it
            // names that file's component when it has one (else the
            // root's, left as it is).
            let named;
            let target = if is_file_ref(target) {
                if self.doc == 0 && is_component_pointer(target) {
                    continue;
                }
                target
            } else {
                let pointer = join("/components/schemas", target);
                if self.doc == 0 || pointer_get(&self.b.docs[self.doc].tree, &pointer).is_none() {
                    continue;
                }
                named = format!("#{pointer}");
                named.as_str()
            };
            let at = join(&mapping_at, value);
            let out = format!("{}{}", self.out, self.relative(&at));
            if let Some(Replacement::Ref(new)) =
                self.b.reference(Kind::Schema, target, self.doc, &at, &out)
            {
                let rel = self.relative(&at).to_string();
                self.edits.push((rel, Value::String(new)));
            }
        }
    }
}

/// The string-keyed entries of a mapping.
fn entries(value: Option<&Value>) -> Vec<(&str, &Value)> {
    value
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// `#/components/{table}/{name}`, exactly.
fn is_component_pointer(reference: &str) -> bool {
    let Some(rest) = reference.strip_prefix("#/components/") else {
        return false;
    };
    matches!(rest.split('/').collect::<Vec<_>>().as_slice(), [table, name] if !table.is_empty() && !name.is_empty())
}

/// The table a component pointer names, when it is not the one of `kind`.
fn other_table(pointer: &str, kind: Kind) -> Option<&str> {
    let rest = pointer.strip_prefix("/components/")?;
    let (table, _) = rest.split_once('/')?;
    let known = TABLES.iter().any(|(t, _)| *t == table);
    (known && kind.table() != Some(table)).then_some(table)
}

/// Whether `file` starts with a URI scheme (`https:`, `file:`); a
/// one-letter "scheme" is a Windows drive.
fn has_scheme(file: &str) -> bool {
    let Some((scheme, _)) = file.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Undoes `%XX` escapes (a `$ref` is a URI reference); a bad escape stays
/// as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2)))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    (*byte? as char).to_digit(16).map(|d| d as u8)
}

/// `path` without `.` parts and with `dir/..` pairs removed, for naming
/// the file in diagnostics.
fn tidy(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// The node at JSON pointer `pointer` (without `#`).
fn pointer_get<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let mut current = value;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Mapping(map) => map.get(token.as_str())?,
            Value::Sequence(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Replaces the node at `pointer` (relative to `value`) with `new`.
fn replace(value: &mut Value, pointer: &str, new: Value) {
    if pointer.is_empty() {
        *value = new;
        return;
    }
    let mut current = value;
    for token in pointer.trim_start_matches('/').split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match current {
            Value::Mapping(map) => map.get_mut(token.as_str()),
            Value::Sequence(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return,
        }
    }
    *current = new;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_parts() {
        assert!(has_scheme("https://example.com/a.yaml"));
        assert!(has_scheme("file:///a.yaml"));
        assert!(!has_scheme("C:/specs/a.yaml"));
        assert!(!has_scheme("schemas/a.yaml"));
        assert_eq!(percent_decode("my%20file.yaml"), "my file.yaml");
        assert_eq!(percent_decode("/a%7Bb%7D"), "/a{b}");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(
            tidy(Path::new("specs/./parts/../common.yaml")),
            PathBuf::from("specs/common.yaml")
        );
        assert_eq!(tidy(Path::new("../a.yaml")), PathBuf::from("../a.yaml"));
    }

    #[test]
    fn pointers_reach_and_replace_nodes() {
        let mut doc: Value = serde_yaml::from_str("a:\n  b/c: [1, {d: 2}]\n").unwrap();
        assert_eq!(
            pointer_get(&doc, "/a/b~1c/1/d"),
            Some(&Value::Number(2.into()))
        );
        assert_eq!(pointer_get(&doc, "/a/x"), None);
        replace(&mut doc, "/a/b~1c/0", Value::String("x".into()));
        assert_eq!(
            pointer_get(&doc, "/a/b~1c/0").and_then(Value::as_str),
            Some("x")
        );
    }

    #[test]
    fn only_foreign_references_need_bundling() {
        let local: Value = serde_yaml::from_str(
            "paths: {/a: {get: {responses: {'200': {$ref: '#/components/responses/ok'}}}}}",
        )
        .unwrap();
        assert!(!needs_bundling(&local));
        let foreign: Value =
            serde_yaml::from_str("components: {schemas: {Pet: {$ref: 'pet.yaml'}}}").unwrap();
        assert!(needs_bundling(&foreign));
        let path_item: Value = serde_yaml::from_str("paths: {/a: {$ref: '#/x'}}").unwrap();
        assert!(needs_bundling(&path_item));
    }
}
