//! Multi-file specs, read by the oracle on its own: every `$ref` that
//! names another file (`pet.yaml`, `common.yaml#/components/schemas/Error`,
//! `../shared/errors.json#/NotFound`) is loaded and its target copied into
//! the root document, so that the rest of the oracle sees one document
//! whose references are all local, as it always has.
//!
//! This is written apart from the generator's bundler on purpose (the
//! oracle never shares the generator's reading of a spec, so that a bug
//! cannot hide by being the same on both sides), but it follows the same
//! OpenAPI 3.0 rules:
//!
//! * A target that stands where a schema stands (`schema:`, `items:`,
//!   `properties/*`, `allOf/*`...) becomes a component schema, under the
//!   last token of its pointer (or the file's stem) made unique, because
//!   the JSON Schema translation gives only component schemas a home. An
//!   implicit discriminator value is therefore the target's own name
//!   unless the root already uses it.
//! * A path item is copied in place (OpenAPI 3.0 has no table for them).
//! * Any other target (a response, a parameter, a request body...) is kept
//!   under `x-oracle-bundled` in the root, which only [`SpecDoc::resolve`]
//!   reads.
//! * A target is copied once, whatever refers to it, and gets its key
//!   before its own references are followed, so cycles among files end.
//! * Inside another file, a local `#/...` reference means that file.
//! * `$ref` keys inside data (`example`, `default`, `enum`, extensions) are
//!   data and left alone; which keys hold what follows the 3.0 structure.
//! * URLs are refused: the oracle reads no network.
//!
//! [`SpecDoc::resolve`]: super::SpecDoc::resolve

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use super::spec::escape;

/// Where non-schema targets from other files are kept in the root.
pub const BUNDLED: &str = "x-oracle-bundled";

/// What a node is, as far as following its `$ref`s needs to know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// An OpenAPI object that is not a schema (operation, response...).
    Object,
    /// A path item: a reference to one is copied in place.
    PathItem,
    /// A schema object.
    Schema,
    /// A map whose values are objects of this kind.
    Map(Entry),
}

/// The values of a named map.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Object,
    PathItem,
    Schema,
    /// A map of objects (a callback: expressions to path items).
    Callback,
    /// Examples: each value's `value` is data.
    Example,
}

/// Copies every target of `root`'s references to other files into
/// `root`. `path` is the root file; its directory anchors relative
/// references. An error names the file and the JSON pointer of the
/// `$ref` that could not be followed.
pub fn bundle(path: &Path, root: &mut Value) -> Result<(), String> {
    let root_path = canonical(path);
    let mut bundler = Bundler {
        root_path: root_path.clone(),
        files: HashMap::new(),
        copied: HashMap::new(),
        taken: taken_keys(root),
        out: Vec::new(),
        inlining: HashSet::new(),
    };
    let mut doc = std::mem::take(root);
    let result = bundler.walk(&mut doc, &root_path, At::Object, "");
    *root = doc;
    result?;
    for (table, key, value) in bundler.out {
        let slot = match table {
            Table::Schemas => root
                .as_object_mut()
                .map(|o| {
                    o.entry("components")
                        .or_insert_with(|| Value::Object(Map::new()))
                })
                .and_then(Value::as_object_mut)
                .map(|c| {
                    c.entry("schemas")
                        .or_insert_with(|| Value::Object(Map::new()))
                }),
            Table::Bundled => root.as_object_mut().map(|o| {
                o.entry(BUNDLED)
                    .or_insert_with(|| Value::Object(Map::new()))
            }),
        };
        if let Some(Value::Object(map)) = slot {
            map.insert(key, value);
        }
    }
    Ok(())
}

/// Where a copied target goes in the root.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Table {
    Schemas,
    Bundled,
}

impl Table {
    fn pointer(self) -> &'static str {
        match self {
            Table::Schemas => "#/components/schemas",
            Table::Bundled => "#/x-oracle-bundled",
        }
    }
}

struct Bundler {
    root_path: PathBuf,
    /// Each file read, by canonical path.
    files: HashMap<PathBuf, Value>,
    /// Targets already copied: (file, pointer) → the local reference.
    copied: HashMap<(PathBuf, String), String>,
    /// Keys in use per table.
    taken: HashMap<Table, HashSet<String>>,
    /// Copied targets, in the order they were finished.
    out: Vec<(Table, String, Value)>,
    /// Path items being copied in place (a cycle of them cannot end).
    inlining: HashSet<(PathBuf, String)>,
}

impl Bundler {
    /// Follows the references under `node` of the file `file`, whose JSON
    /// pointer is `at_pointer` (for messages).
    fn walk(
        &mut self,
        node: &mut Value,
        file: &Path,
        at: At,
        at_pointer: &str,
    ) -> Result<(), String> {
        match node {
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(item, file, at, &format!("{at_pointer}/{i}"))?;
                }
                Ok(())
            }
            Value::Object(object) => {
                if let At::Map(entry) = at {
                    for (key, value) in object.iter_mut() {
                        let child = match entry {
                            Entry::Object => At::Object,
                            Entry::PathItem => At::PathItem,
                            Entry::Schema => At::Schema,
                            Entry::Callback => At::Map(Entry::PathItem),
                            Entry::Example => At::Object,
                        };
                        let pointer = format!("{at_pointer}/{}", escape(key));
                        if entry == Entry::Example {
                            // An example's `value` is data: only a `$ref`
                            // standing for the whole example is followed.
                            if value.get("$ref").is_some() {
                                self.reference(value, file, At::Object, &pointer)?;
                            }
                            continue;
                        }
                        self.walk(value, file, child, &pointer)?;
                    }
                    return Ok(());
                }
                if object.get("$ref").is_some_and(Value::is_string) {
                    return self.reference(node, file, at, at_pointer);
                }
                for (key, value) in object.iter_mut() {
                    let pointer = format!("{at_pointer}/{}", escape(key));
                    if key == "discriminator" && at == At::Schema {
                        self.mapping(value, file, &pointer)?;
                        continue;
                    }
                    let Some(child) = child_of(at, key, value) else {
                        continue;
                    };
                    self.walk(value, file, child, &pointer)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Rewrites the `$ref` of `node` (in `file`, at `pointer`) to a local
    /// one, copying its target first when it lives in another file.
    fn reference(
        &mut self,
        node: &mut Value,
        file: &Path,
        at: At,
        pointer: &str,
    ) -> Result<(), String> {
        let reference = node["$ref"].as_str().unwrap_or_default().to_string();
        let located = || format!("{}#{pointer}/$ref", file.display());
        let (target_file, fragment) = self
            .split(&reference, file)
            .map_err(|e| format!("{}: {e}", located()))?;
        if target_file == self.root_path {
            // Local to the root (written there, or a file pointing back).
            if file != self.root_path {
                node["$ref"] = Value::String(format!("#{fragment}"));
            }
            return Ok(());
        }
        let key = (target_file.clone(), fragment.clone());
        if at == At::PathItem {
            if !self.inlining.insert(key.clone()) {
                return Err(format!(
                    "{}: the path items refer to each other in a cycle",
                    located()
                ));
            }
            let mut target = self
                .target(&target_file, &fragment)
                .map_err(|e| format!("{}: {e}", located()))?;
            self.walk(&mut target, &target_file, At::PathItem, &fragment)?;
            self.inlining.remove(&key);
            *node = target;
            return Ok(());
        }
        if let Some(local) = self.copied.get(&key) {
            node["$ref"] = Value::String(local.clone());
            return Ok(());
        }
        let mut target = self
            .target(&target_file, &fragment)
            .map_err(|e| format!("{}: {e}", located()))?;
        let table = if at == At::Schema || fragment.starts_with("/components/schemas/") {
            Table::Schemas
        } else {
            Table::Bundled
        };
        let name = self.name(table, &target_file, &fragment);
        let local = format!("{}/{}", table.pointer(), escape(&name));
        self.copied.insert(key, local.clone());
        let kind = if table == Table::Schemas {
            At::Schema
        } else {
            At::Object
        };
        self.walk(&mut target, &target_file, kind, &fragment)?;
        self.out.push((table, name, target));
        node["$ref"] = Value::String(local);
        Ok(())
    }

    /// Rewrites a discriminator's mapping values that name other files.
    fn mapping(
        &mut self,
        discriminator: &mut Value,
        file: &Path,
        pointer: &str,
    ) -> Result<(), String> {
        let Some(mapping) = discriminator
            .get_mut("mapping")
            .and_then(Value::as_object_mut)
        else {
            return Ok(());
        };
        for (key, value) in mapping.iter_mut() {
            let Some(target) = value.as_str() else {
                continue;
            };
            // A bare name is a component name, not a reference.
            if !target.contains('#') && !target.contains('/') && !looks_like_file(target) {
                continue;
            }
            let mut holder = serde_json::json!({"$ref": target});
            let at = format!("{pointer}/mapping/{}", escape(key));
            self.reference(&mut holder, file, At::Schema, &at)?;
            *value = holder["$ref"].take();
        }
        Ok(())
    }

    /// The file and the decoded JSON pointer a reference names.
    fn split(&self, reference: &str, file: &Path) -> Result<(PathBuf, String), String> {
        let (location, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let fragment = percent_decode_str(fragment)
            .decode_utf8()
            .map_err(|_| format!("`{reference}`: the fragment is not UTF-8 once decoded"))?
            .into_owned();
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(format!("`{reference}`: the fragment is not a JSON pointer"));
        }
        if location.is_empty() {
            return Ok((file.to_path_buf(), fragment));
        }
        if location.contains("://") {
            return Err(format!(
                "`{reference}` names a URL; the oracle reads local files only"
            ));
        }
        let location = percent_decode_str(location)
            .decode_utf8()
            .map_err(|_| format!("`{reference}`: the file name is not UTF-8 once decoded"))?;
        let base = file.parent().unwrap_or(Path::new("."));
        Ok((canonical(&base.join(location.as_ref())), fragment))
    }

    /// The node at `fragment` of `file`, read once per file.
    fn target(&mut self, file: &Path, fragment: &str) -> Result<Value, String> {
        if !self.files.contains_key(file) {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let doc: Value =
                serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            self.files.insert(file.to_path_buf(), doc);
        }
        self.files[file]
            .pointer(fragment)
            .cloned()
            .ok_or_else(|| format!("{} has nothing at `#{fragment}`", file.display()))
    }

    /// A key of `table` not yet taken: the pointer's last token, or the
    /// file's stem for a whole file, with `_2`, `_3`... when taken.
    fn name(&mut self, table: Table, file: &Path, fragment: &str) -> String {
        let base = match fragment.rsplit('/').next() {
            Some(token) if !token.is_empty() => token.replace("~1", "/").replace("~0", "~"),
            _ => file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("external")
                .to_string(),
        };
        let taken = self.taken.entry(table).or_default();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    }
}

/// The kind of the value under `key` of a node of kind `at`; `None` for
/// data and for keywords that hold no references.
fn child_of(at: At, key: &str, value: &Value) -> Option<At> {
    if key.starts_with("x-") {
        return None;
    }
    match at {
        At::Schema => match key {
            "properties" | "patternProperties" | "definitions" | "$defs" => {
                Some(At::Map(Entry::Schema))
            }
            "items"
            | "not"
            | "additionalProperties"
            | "additionalItems"
            | "allOf"
            | "oneOf"
            | "anyOf"
            | "prefixItems"
            | "contains"
            | "propertyNames"
            | "if"
            | "then"
            | "else" => Some(At::Schema),
            _ => None,
        },
        At::Object | At::PathItem => match key {
            "example" | "default" | "enum" | "value" | "const" => None,
            "schema" => Some(At::Schema),
            "schemas" => Some(At::Map(Entry::Schema)),
            "paths" | "pathItems" => Some(At::Map(Entry::PathItem)),
            "callbacks" => Some(At::Map(Entry::Callback)),
            "examples" if value.is_object() => Some(At::Map(Entry::Example)),
            "examples" => None,
            "responses" | "requestBodies" | "headers" | "content" | "encoding" | "links"
            | "securitySchemes" | "variables" => Some(At::Map(Entry::Object)),
            // `parameters` is a list in operations and path items and a
            // map under `components`: either way its items are objects.
            "parameters" if value.is_object() => Some(At::Map(Entry::Object)),
            _ => Some(At::Object),
        },
        At::Map(_) => Some(At::Object),
    }
}

/// Keys already used in the root's tables.
fn taken_keys(root: &Value) -> HashMap<Table, HashSet<String>> {
    let keys = |pointer: &str| -> HashSet<String> {
        root.pointer(pointer)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    HashMap::from([
        (Table::Schemas, keys("/components/schemas")),
        (Table::Bundled, keys(&format!("/{BUNDLED}"))),
    ])
}

/// Whether a mapping value without `#` or `/` names a file.
fn looks_like_file(target: &str) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| target.ends_with(ext))
}

/// The path with `.` and `..` worked out, through the file system when it
/// exists (so two spellings of one file are one file).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        let mut out = PathBuf::new();
        for part in path.components() {
            match part {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::SpecDoc;

    /// Writes `files` (relative path, text) under a new directory and
    /// loads the first one.
    fn load(files: &[(&str, &str)]) -> Result<SpecDoc, String> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        SpecDoc::load(&dir.path().join(files[0].0))
    }

    /// Every `$ref` string under `node`, data included.
    fn refs(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(o) => {
                for (k, v) in o {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    const ROOT: &str = "openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      parameters:
        - $ref: 'params.yaml#/limit'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: 'schemas/pet.yaml'}}
              example: {$ref: 'kept as data'}
        default:
          $ref: 'common.yaml#/components/responses/Failure'
  /owners:
    $ref: 'paths.yaml#/~1owners'
components:
  schemas:
    Error: {type: object, properties: {local: {type: boolean}}}
";

    const COMMON: &str = "components:
  responses:
    Failure:
      description: failed
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
  schemas:
    Error:
      type: object
      required: [code]
      properties: {code: {$ref: '#/components/schemas/Code'}}
    Code: {type: integer, minimum: 1}
";

    fn pets() -> SpecDoc {
        load(&[
            ("api/root.yaml", ROOT),
            ("api/common.yaml", COMMON),
            ("api/params.yaml", "limit: {name: limit, in: query, schema: {type: integer, maximum: 50}}\n"),
            (
                "api/schemas/pet.yaml",
                "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n  owner: {$ref: '../owners/owner.yaml'}\n",
            ),
            (
                "api/owners/owner.yaml",
                "type: object\nproperties:\n  pets: {type: array, items: {$ref: '../schemas/pet.yaml'}}\n  error: {$ref: '../common.yaml#/components/schemas/Error'}\n",
            ),
            (
                "api/paths.yaml",
                "/owners:\n  get:\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: {$ref: 'owners/owner.yaml'}\n",
            ),
        ])
        .unwrap()
    }

    #[test]
    fn every_reference_to_another_file_becomes_local() {
        let doc = pets();
        let mut found = Vec::new();
        refs(&doc.root, &mut found);
        for reference in &found {
            assert!(
                reference.starts_with('#') || reference == "kept as data",
                "`{reference}` still names a file"
            );
        }
        // Each target copied once: the pet of the list and the pet of an
        // owner's list are one schema, and so are the two owners.
        let schemas = doc.at("#/components/schemas").unwrap().as_object().unwrap();
        let mut names: Vec<&str> = schemas.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["Code", "Error", "Error_2", "owner", "pet"]);
        // The root's own `Error` keeps its name and meaning; the other
        // file's `Error` is under a key of its own and refers to its own
        // `Code`.
        assert_eq!(schemas["Error"]["properties"]["local"]["type"], "boolean");
        assert_eq!(
            schemas["Error_2"]["properties"]["code"]["$ref"],
            "#/components/schemas/Code"
        );
        assert_eq!(
            schemas["pet"]["properties"]["owner"]["$ref"],
            "#/components/schemas/owner"
        );
        assert_eq!(
            schemas["owner"]["properties"]["pets"]["items"]["$ref"],
            "#/components/schemas/pet"
        );
        // A parameter and a response resolve through the document.
        let param = doc.at("#/paths/~1pets/get/parameters/0").unwrap();
        let (param, _) = doc.resolve(param, "").unwrap();
        assert_eq!(param["name"], "limit");
        let failure = doc.at("#/paths/~1pets/get/responses/default").unwrap();
        let (failure, _) = doc.resolve(failure, "").unwrap();
        assert_eq!(
            failure["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error_2"
        );
        // The path item is copied in place, its references made local.
        assert_eq!(
            doc.at("#/paths/~1owners/get/responses/200/content/application~1json/schema/$ref")
                .unwrap(),
            "#/components/schemas/owner"
        );
    }

    #[test]
    fn the_oracle_validates_against_schemas_of_other_files() {
        let doc = pets();
        let oracle = crate::oracle::Oracle::new(doc.clone()).unwrap();
        let list = json_schema(
            &doc,
            "#/paths/~1pets/get/responses/200/content/application~1json/schema",
        );
        let good = serde_json::json!([{"name": "Rex", "owner": {"pets": [{"name": "Tom"}], "error": {"code": 2}}}]);
        assert!(oracle.validate(&list, &good).is_empty());
        // Two files down, through the cycle: the owner's pet lacks `name`,
        // and the owner's error breaks `Code` of common.yaml.
        let bad =
            serde_json::json!([{"name": "Rex", "owner": {"pets": [{}], "error": {"code": 0}}}]);
        let problems = oracle.validate(&list, &bad).join("\n");
        assert!(problems.contains("/0/owner/pets/0"), "{problems}");
        assert!(problems.contains("/0/owner/error/code"), "{problems}");
    }

    fn json_schema(doc: &SpecDoc, pointer: &str) -> Value {
        doc.at(pointer).unwrap().clone()
    }

    #[test]
    fn references_that_cannot_be_followed_are_located() {
        let root = |reference: &str| {
            format!(
                "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '{reference}'}}\n"
            )
        };
        let missing_file = load(&[("root.yaml", &root("nowhere.yaml#/B"))]).unwrap_err();
        assert!(
            missing_file.contains("root.yaml#/components/schemas/A/$ref"),
            "{missing_file}"
        );
        assert!(missing_file.contains("cannot read"), "{missing_file}");
        assert!(missing_file.contains("nowhere.yaml"), "{missing_file}");

        let missing_node = load(&[
            ("root.yaml", &root("other.yaml#/components/schemas/B")),
            ("other.yaml", "components: {schemas: {C: {type: string}}}\n"),
        ])
        .unwrap_err();
        assert!(
            missing_node.contains("has nothing at `#/components/schemas/B`"),
            "{missing_node}"
        );

        let url = load(&[("root.yaml", &root("https://example.com/s.yaml#/B"))]).unwrap_err();
        assert!(url.contains("local files only"), "{url}");

        let broken = load(&[
            ("root.yaml", &root("other.yaml#/B")),
            ("other.yaml", "B: {type: [\n"),
        ])
        .unwrap_err();
        assert!(broken.contains("other.yaml"), "{broken}");
        assert!(broken.contains("line"), "{broken}");
    }

    #[test]
    fn a_file_named_two_ways_is_read_and_copied_once() {
        let doc = load(&[
            (
                "root.yaml",
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: './defs.yaml#/Tag'}\n    B: {$ref: 'sub/../defs.yaml#/Tag'}\n    C:\n      oneOf: [{$ref: 'defs.yaml#/Tag'}]\n      discriminator: {propertyName: kind, mapping: {tag: 'defs.yaml#/Tag'}}\n",
            ),
            ("defs.yaml", "Tag: {type: object, properties: {kind: {type: string}}}\n"),
            ("sub/.keep", ""),
        ])
        .unwrap();
        let schemas = doc.at("#/components/schemas").unwrap();
        assert_eq!(schemas["A"]["$ref"], "#/components/schemas/Tag");
        assert_eq!(schemas["B"]["$ref"], "#/components/schemas/Tag");
        assert_eq!(schemas["C"]["oneOf"][0]["$ref"], "#/components/schemas/Tag");
        assert_eq!(
            schemas["C"]["discriminator"]["mapping"]["tag"],
            "#/components/schemas/Tag"
        );
        assert_eq!(schemas.as_object().unwrap().len(), 4);
    }
}
