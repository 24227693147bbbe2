//! Schemas: `openapiv3::Schema` → [`crate::model::Schema`].
//!
//! Inline objects and string enums are hoisted into named types here (with
//! names from their context), so emitters only ever see named structs and
//! enums. Constraints are checked now, and what the validators could not
//! enforce as written is a located warning, never a refusal: a `pattern`
//! that is not ECMA-262 is left unchecked, a `multipleOf` that is not
//! positive is dropped, bounds that contradict each other (`minLength >
//! maxLength`) are kept, so that no value passes, as the schema says.

use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema as OaSchema, SchemaKind as OaKind, Type,
    VariantOrUnknownOrEmpty,
};

use super::Lowerer;
use crate::diag::join;
use crate::model::{
    Additional, ArraySchema, NumberSchema, ObjectSchema, Property, Schema, SchemaKind,
    StringSchema, TypeDef,
};
use crate::names;

impl<'a> Lowerer<'a> {
    /// A schema or a reference to one. `hint` is the Rust name an inline
    /// object or enum here would get.
    pub(crate) fn schema_or_ref(
        &mut self,
        item: &ReferenceOr<OaSchema>,
        pointer: &str,
        hint: &str,
    ) -> Schema {
        match item {
            ReferenceOr::Reference { reference } => self.schema_ref(reference, pointer),
            ReferenceOr::Item(schema) => self.inline_schema(schema, pointer, hint),
        }
    }

    /// Like [`Self::schema_or_ref`] for the boxed form `openapiv3` uses in
    /// properties and items.
    pub(crate) fn boxed_schema_or_ref(
        &mut self,
        item: &ReferenceOr<Box<OaSchema>>,
        pointer: &str,
        hint: &str,
    ) -> Schema {
        match item {
            ReferenceOr::Reference { reference } => self.schema_ref(reference, pointer),
            ReferenceOr::Item(schema) => self.inline_schema(schema, pointer, hint),
        }
    }

    /// An inline schema: lowered, then hoisted into a named type when it is
    /// an object with properties, an `allOf`, or a string enum.
    fn inline_schema(&mut self, schema: &OaSchema, pointer: &str, hint: &str) -> Schema {
        let lowered = self.schema(schema, pointer, hint);
        self.hoist(lowered, pointer, hint)
    }

    /// Turns a lowered inline schema into a reference to a new named type
    /// when it needs a name (see [`needs_name`]); else returns it as it is.
    fn hoist(&mut self, lowered: Schema, pointer: &str, hint: &str) -> Schema {
        if !needs_name(&lowered) {
            return lowered;
        }
        let rust_name = self.type_names.claim(hint);
        let named = Schema {
            kind: SchemaKind::Named(rust_name.clone()),
            nullable: lowered.nullable,
            description: lowered.description.clone(),
            pointer: pointer.to_string(),
        };
        let mut body = lowered;
        body.nullable = false;
        let key = rust_name.clone();
        self.out.types.insert(
            rust_name.clone(),
            TypeDef::undecided(rust_name, format!("#{pointer}"), body),
        );
        // Lowering sees through it from now on (see `Api::resolve`).
        super::aliases::settle(&mut self.out, &key);
        named
    }

    /// Lowers one schema object in place (no hoisting of the schema itself;
    /// its children may be hoisted, named after `hint`).
    pub(crate) fn schema(&mut self, schema: &OaSchema, pointer: &str, hint: &str) -> Schema {
        let data = &schema.schema_data;
        if data.discriminator.is_some() && !is_component_root(pointer) {
            self.c.warn(
                &join(pointer, "discriminator"),
                "a `discriminator` outside `components/schemas` is ignored: values are judged by this schema alone",
                "move this schema to `components/schemas` and refer to it with `$ref`",
            );
        }
        let nullable = data.nullable;
        let kind = match &schema.schema_kind {
            OaKind::Type(Type::String(s)) => {
                let enumeration = s.enumeration.iter().flatten().cloned().collect();
                self.listed_null(
                    pointer,
                    s.enumeration.iter().map(Option::is_none),
                    nullable,
                    "string",
                );
                SchemaKind::String(self.string_schema(
                    pointer,
                    format_name(&s.format),
                    s.pattern.clone(),
                    s.min_length,
                    s.max_length,
                    enumeration,
                ))
            }
            OaKind::Type(Type::Integer(n)) => {
                self.listed_null(
                    pointer,
                    n.enumeration.iter().map(Option::is_none),
                    nullable,
                    "integer",
                );
                SchemaKind::Integer(self.number_schema(
                    pointer,
                    NumberSchema {
                        format: format_name(&n.format),
                        minimum: n.minimum.map(|v| v as f64),
                        maximum: n.maximum.map(|v| v as f64),
                        exclusive_minimum: n.exclusive_minimum,
                        exclusive_maximum: n.exclusive_maximum,
                        multiple_of: n.multiple_of.map(|v| v as f64),
                        enumeration: n.enumeration.iter().flatten().map(|v| *v as f64).collect(),
                    },
                ))
            }
            OaKind::Type(Type::Number(n)) => {
                self.listed_null(
                    pointer,
                    n.enumeration.iter().map(Option::is_none),
                    nullable,
                    "number",
                );
                SchemaKind::Number(self.number_schema(
                    pointer,
                    NumberSchema {
                        format: format_name(&n.format),
                        minimum: n.minimum,
                        maximum: n.maximum,
                        exclusive_minimum: n.exclusive_minimum,
                        exclusive_maximum: n.exclusive_maximum,
                        multiple_of: n.multiple_of,
                        enumeration: n.enumeration.iter().flatten().copied().collect(),
                    },
                ))
            }
            OaKind::Type(Type::Boolean(b)) => {
                self.listed_null(
                    pointer,
                    b.enumeration.iter().map(Option::is_none),
                    nullable,
                    "boolean",
                );
                SchemaKind::Boolean(only_boolean(b.enumeration.iter().flatten().copied()))
            }
            OaKind::Type(Type::Array(a)) => {
                let items = match &a.items {
                    Some(items) => self.boxed_schema_or_ref(
                        items,
                        &join(pointer, "items"),
                        &format!("{hint}Item"),
                    ),
                    None => {
                        self.missing_items(pointer);
                        any_schema(pointer)
                    }
                };
                self.array_schema(pointer, items, a.min_items, a.max_items, a.unique_items)
            }
            OaKind::Type(Type::Object(o)) => SchemaKind::Object(self.object_schema(
                schema,
                pointer,
                hint,
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                o.min_properties,
                o.max_properties,
            )),
            OaKind::AllOf { all_of } => {
                SchemaKind::AllOf(self.parts(all_of, pointer, "allOf", hint))
            }
            OaKind::OneOf { one_of } => {
                SchemaKind::OneOf(self.parts(one_of, pointer, "oneOf", hint))
            }
            OaKind::AnyOf { any_of } => {
                SchemaKind::AnyOf(self.parts(any_of, pointer, "anyOf", hint))
            }
            OaKind::Not { not } => self.negation(not, pointer, hint).kind,
            OaKind::Any(any) => return self.any_schema_object(schema, any, pointer, hint),
        };
        Schema {
            kind,
            nullable,
            description: data.description.clone().unwrap_or_default(),
            pointer: pointer.to_string(),
        }
    }

    /// An array without `items`: JSON Schema reads it as items of any
    /// kind, which is what is generated.
    fn missing_items(&mut self, pointer: &str) {
        self.c.warn(
            pointer,
            "array schema without `items`: its items are held as untyped JSON and not checked",
            "OpenAPI 3.0 requires `items` on arrays; write `items: {}` to say any value, or the items' schema to have them typed and checked",
        );
    }

    /// The `not` of the schema at `pointer`: its schema lowered in place
    /// (nothing in it becomes a type of its own, since no value is ever
    /// held as it), as a [`SchemaKind::Not`] located at the keyword.
    fn negation(&mut self, not: &ReferenceOr<OaSchema>, pointer: &str, hint: &str) -> Schema {
        let at = join(pointer, "not");
        let negated = match not {
            ReferenceOr::Reference { reference } => self.schema_ref(reference, &at),
            ReferenceOr::Item(item) => self.schema(item, &at, &format!("{hint}Not")),
        };
        Schema {
            kind: SchemaKind::Not(Box::new(negated)),
            nullable: false,
            description: String::new(),
            pointer: at,
        }
    }

    /// `null` listed in the `enum` of a schema with a `type`: it is a value
    /// only when `nullable` is set too (OpenAPI 3.0.3: `nullable` alone adds
    /// `null` to the type); otherwise it is left out, with a warning.
    fn listed_null(
        &mut self,
        pointer: &str,
        nulls: impl Iterator<Item = bool>,
        nullable: bool,
        kind: &str,
    ) {
        if nullable {
            return;
        }
        let at: Vec<usize> = nulls
            .enumerate()
            .filter(|(_, null)| *null)
            .map(|(i, _)| i)
            .collect();
        for i in at {
            self.mistyped_enum_value(pointer, i, &serde_json::Value::Null, kind);
        }
    }

    /// An `enum` value of another type than its schema's: no value of the
    /// schema's type equals it, so it is left out (JSON Schema's reading).
    fn mistyped_enum_value(
        &mut self,
        pointer: &str,
        i: usize,
        value: &serde_json::Value,
        kind: &str,
    ) {
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let quoted = match kind {
            _ if value.is_null() => "add `nullable: true` beside `type`",
            "string" => "quote it",
            "boolean" => "write it as `true` or `false`",
            _ => "write it as a number",
        };
        self.c.warn(
            &format!("{}/{i}", join(pointer, "enum")),
            format!("enum value {value} is not {article} {kind}, so no {kind} equals it: it is left out of the values the validators accept"),
            format!("to accept it, {quoted}"),
        );
    }

    /// An `enum` whose every value was left out: the schema admits no
    /// value of its type, but an empty list means "no `enum`" to the
    /// validators.
    fn no_value_left(
        &mut self,
        pointer: &str,
        listed: &[serde_json::Value],
        kept: usize,
        kind: &str,
    ) {
        if kept == 0 && listed.iter().any(|v| !v.is_null()) {
            self.c.warn(
                &join(pointer, "enum"),
                format!("no value of this `enum` is of type {kind}: the schema admits no {kind}, but the validators accept any"),
                "write the values with the schema's type, or change `type`",
            );
        }
    }

    /// An `enum` of values that are not strings or numbers.
    fn unchecked_enum(&mut self, pointer: &str, kind: &str, consequence: &str) {
        self.c.warn(
            &join(pointer, "enum"),
            format!("an `enum` of {kind} values is not checked: {consequence}"),
            "the validators check enums of strings and numbers; describe the value with other keywords to have it checked",
        );
    }

    fn parts(
        &mut self,
        parts: &[ReferenceOr<OaSchema>],
        pointer: &str,
        keyword: &str,
        hint: &str,
    ) -> Vec<Schema> {
        if parts.is_empty() {
            // JSON Schema requires a non-empty list. Read literally, an
            // empty `allOf` constrains nothing and an empty `oneOf` or
            // `anyOf` admits nothing; the first is generated as any
            // value, the second as the validators' empty choice, which
            // refuses every value.
            let effect = if keyword == "allOf" {
                "it is read as no constraint at all"
            } else {
                "no value can match one of no schemas, so every value is refused"
            };
            self.c.warn(
                &join(pointer, keyword),
                format!("`{keyword}` lists no schema: {effect}"),
                "list the schemas to combine, or remove the keyword",
            );
        }
        let lowered: Vec<Schema> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let at = format!("{}/{i}", join(pointer, keyword));
                match (keyword, part) {
                    // An inline object in an `allOf` is a piece of the one
                    // merged type, never a type of its own; its properties'
                    // types are named after the whole.
                    ("allOf", ReferenceOr::Item(item)) => {
                        let lowered = self.schema(item, &at, hint);
                        if matches!(lowered.kind, SchemaKind::Object(_)) {
                            lowered
                        } else {
                            self.hoist(lowered, &at, &format!("{hint}{}", i + 1))
                        }
                    }
                    _ => self.schema_or_ref(part, &at, &format!("{hint}{}", i + 1)),
                }
            })
            .collect();
        if keyword != "allOf" {
            return lowered;
        }
        // A part without type or constraints (only a description, say)
        // accepts every value, so it adds nothing to an `allOf`; dropping it
        // lets `allOf: [$ref, {description}]` stay the referenced type.
        let total = lowered.len();
        let mut kept: Vec<Schema> = Vec::with_capacity(total);
        for part in lowered {
            let neutral = part.kind == SchemaKind::Any && !part.nullable;
            if !neutral {
                kept.push(part);
            }
        }
        if kept.is_empty() && total > 0 {
            kept.push(any_schema(&format!("{}/0", join(pointer, keyword))));
        }
        kept
    }

    fn string_schema(
        &mut self,
        pointer: &str,
        format: Option<String>,
        pattern: Option<String>,
        min_length: Option<usize>,
        max_length: Option<usize>,
        enumeration: Vec<String>,
    ) -> StringSchema {
        let mut pattern = pattern;
        if let Some(p) = &pattern
            && let Err(err) = regress::Regex::new(p)
        {
            self.c.warn(
                &join(pointer, "pattern"),
                format!("`pattern` {p:?} is not a valid ECMA-262 regular expression ({err}): it is not checked"),
                "patterns use JavaScript regex syntax; escape backslashes once more inside YAML double quotes",
            );
            pattern = None;
        }
        if let (Some(lo), Some(hi)) = (min_length, max_length)
            && lo > hi
        {
            self.contradiction(pointer, "minLength", lo, "maxLength", hi, "string");
        }
        StringSchema {
            format,
            pattern,
            min_length,
            max_length,
            enumeration,
        }
    }

    fn number_schema(&mut self, pointer: &str, n: NumberSchema) -> NumberSchema {
        let mut n = n;
        if let (Some(lo), Some(hi)) = (n.minimum, n.maximum)
            && lo > hi
        {
            self.contradiction(pointer, "minimum", lo, "maximum", hi, "number");
        }
        if n.multiple_of.is_some_and(|m| !m.is_finite() || m <= 0.0) {
            // Dropped: JSON Schema calls such a schema invalid, and the
            // validators divide by it.
            self.c.warn(
                &join(pointer, "multipleOf"),
                "`multipleOf` must be greater than 0: it is not checked",
                "use a positive number, or remove `multipleOf`",
            );
            n.multiple_of = None;
        }
        n
    }

    /// A lower bound above its upper bound: generated as written, so the
    /// validators refuse every value, which is what the schema says.
    fn contradiction<T: std::fmt::Display>(
        &mut self,
        pointer: &str,
        low_word: &str,
        lo: T,
        high_word: &str,
        hi: T,
        what: &str,
    ) {
        self.c.warn(
            pointer,
            format!("`{low_word}` {lo} is greater than `{high_word}` {hi}: no {what} can satisfy both, so the validators refuse every value here"),
            format!("lower `{low_word}` or raise `{high_word}`"),
        );
    }

    fn array_schema(
        &mut self,
        pointer: &str,
        items: Schema,
        min_items: Option<usize>,
        max_items: Option<usize>,
        unique_items: bool,
    ) -> SchemaKind {
        if let (Some(lo), Some(hi)) = (min_items, max_items)
            && lo > hi
        {
            self.contradiction(pointer, "minItems", lo, "maxItems", hi, "array");
        }
        SchemaKind::Array(ArraySchema {
            items: Box::new(items),
            min_items,
            max_items,
            unique_items,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn object_schema(
        &mut self,
        schema: &OaSchema,
        pointer: &str,
        hint: &str,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<OaSchema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        min_properties: Option<usize>,
        max_properties: Option<usize>,
    ) -> ObjectSchema {
        let aliases = self.property_aliases(schema, pointer);
        let mut field_names = names::Namespace::with_reserved(&["additional_properties"]);
        let mut keys: Vec<&String> = properties.keys().collect();
        keys.sort();
        let props_pointer = join(pointer, "properties");
        let mut lowered = Vec::new();
        for key in keys {
            let at = join(&props_pointer, key);
            let child_hint = format!("{hint}{}", names::pascal(key));
            // OpenAPI 3.0: `required` on a `readOnly` property applies to
            // responses only, on a `writeOnly` one to requests only. One
            // Rust type serves both directions, so the field is optional.
            let mut one_way = false;
            if let ReferenceOr::Item(item) = &properties[key]
                && required.contains(key)
                && (item.schema_data.read_only || item.schema_data.write_only)
            {
                one_way = true;
                let (word, unchecked) = if item.schema_data.read_only {
                    (
                        "readOnly",
                        "that responses hold it is not checked (requests leave it out, as they should)",
                    )
                } else {
                    (
                        "writeOnly",
                        "the validators do not require it in requests, and responses leave it out",
                    )
                };
                self.c.warn(
                    &join(&at, word),
                    format!("required `{word}` property `{key}`: its Rust field is optional, because the requirement holds in one direction only; {unchecked}"),
                    "drop it from `required`, or split the schema into a request and a response schema",
                );
            }
            let prop_schema = self.boxed_schema_or_ref(&properties[key], &at, &child_hint);
            lowered.push(Property {
                name: key.clone(),
                rust_name: field_names.claim(&names::snake(key)),
                required: required.contains(key) && !one_way,
                schema: prop_schema,
                aliases: aliases.get(key).cloned().unwrap_or_default(),
                boxed: false,
            });
        }
        for alias_key in aliases.keys() {
            if !properties.contains_key(alias_key) {
                self.c.warn(
                    &join(&join(pointer, "x-property-aliases"), alias_key),
                    format!(
                        "`x-property-aliases` names `{alias_key}`, which is not a property here: it is ignored"
                    ),
                    "name a property declared under `properties` of this schema",
                );
            }
        }
        let additional = match additional {
            None | Some(AdditionalProperties::Any(true)) => Additional::Any,
            Some(AdditionalProperties::Any(false)) => Additional::Forbidden,
            Some(AdditionalProperties::Schema(inner)) => {
                Additional::Schema(Box::new(self.schema_or_ref(
                    inner,
                    &join(pointer, "additionalProperties"),
                    &format!("{hint}Value"),
                )))
            }
        };
        if let (Some(lo), Some(hi)) = (min_properties, max_properties)
            && lo > hi
        {
            self.contradiction(pointer, "minProperties", lo, "maxProperties", hi, "object");
        }
        let mut required_undeclared: Vec<String> = required
            .iter()
            .filter(|r| !properties.contains_key(*r))
            .cloned()
            .collect();
        required_undeclared.sort();
        required_undeclared.dedup();
        ObjectSchema {
            properties: lowered,
            additional,
            min_properties,
            max_properties,
            required_undeclared,
        }
    }

    /// Reads `x-property-aliases: {prop: [alias, ...]}`.
    fn property_aliases(
        &mut self,
        schema: &OaSchema,
        pointer: &str,
    ) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut out = std::collections::BTreeMap::new();
        let Some(value) = schema.schema_data.extensions.get("x-property-aliases") else {
            return out;
        };
        let at = join(pointer, "x-property-aliases");
        let Some(map) = value.as_object() else {
            self.c.warn(
                &at,
                "`x-property-aliases` must map property names to lists of names: it is ignored",
                "write `x-property-aliases: {property: [alias, ...]}`",
            );
            return out;
        };
        for (key, list) in map {
            let names: Option<Vec<String>> = list.as_array().and_then(|items| {
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect()
            });
            match names {
                Some(names) => {
                    out.insert(key.clone(), names);
                }
                None => self.c.warn(
                    &join(&at, key),
                    "aliases must be a list of strings: these are ignored",
                    "write the aliases as a YAML list of strings",
                ),
            }
        }
        out
    }

    /// A schema with combinators beside each other or beside other
    /// keywords (`allOf` + `properties`, `oneOf` + `type: object`). JSON
    /// Schema applies every keyword on its own, so the schema is exactly
    /// the `allOf` of its `allOf` parts, one part for its `oneOf`, one for
    /// its `anyOf`, and one for the other keywords: that is what it lowers
    /// to. Where every part is an object, the emitters merge them into one
    /// struct; otherwise the Rust type is a JSON value (a warning says so),
    /// and the validators check every keyword either way.
    fn mixed_combinators(
        &mut self,
        schema: &OaSchema,
        any: &AnySchema,
        pointer: &str,
        hint: &str,
    ) -> Schema {
        let mut parts = Vec::new();
        if !any.all_of.is_empty() {
            parts.extend(self.parts(&any.all_of, pointer, "allOf", hint));
        }
        let mut alternatives = Vec::new();
        for (keyword, list) in [("oneOf", &any.one_of), ("anyOf", &any.any_of)] {
            if list.is_empty() {
                continue;
            }
            let lowered = self.parts(list, pointer, keyword, hint);
            // An alternative that accepts every value makes `anyOf` accept
            // everything, and so does a `oneOf` of that one alternative:
            // such a part adds nothing (buildomat writes `oneOf: [{}]`).
            let neutral = |p: &Schema| p.kind == SchemaKind::Any && !p.nullable;
            if (keyword == "anyOf" && lowered.iter().any(neutral))
                || (lowered.len() == 1 && neutral(&lowered[0]))
            {
                continue;
            }
            let kind = if keyword == "oneOf" {
                SchemaKind::OneOf(lowered)
            } else {
                SchemaKind::AnyOf(lowered)
            };
            parts.push(Schema {
                kind,
                nullable: false,
                description: String::new(),
                pointer: join(pointer, keyword),
            });
            alternatives.push(keyword);
        }
        let mut rest = any.clone();
        rest.all_of.clear();
        rest.one_of.clear();
        rest.any_of.clear();
        let mut siblings = self.any_schema_object(schema, &rest, pointer, hint);
        if siblings.kind != SchemaKind::Any {
            siblings.nullable = false;
            siblings.description = String::new();
            parts.push(siblings);
        }
        if !alternatives.is_empty() && parts.len() > 1 {
            self.c.warn(
                pointer,
                format!(
                    "`{}` beside other keywords: the value is held as an untyped JSON value (`serde_json::Value`); the validators check every keyword",
                    alternatives.join("` and `")
                ),
                "to get a Rust type, move the shared keywords into each alternative, or the alternatives into one `allOf` part of a named schema",
            );
        }
        let data = &schema.schema_data;
        Schema {
            kind: SchemaKind::AllOf(parts),
            nullable: data.nullable,
            description: data.description.clone().unwrap_or_default(),
            pointer: pointer.to_string(),
        }
    }

    /// `openapiv3` falls back to `AnySchema` when a schema mixes keywords of
    /// several kinds or leaves out `type`. Decide what it really is.
    fn any_schema_object(
        &mut self,
        schema: &OaSchema,
        any: &AnySchema,
        pointer: &str,
        hint: &str,
    ) -> Schema {
        let data = &schema.schema_data;
        let mut nullable = data.nullable;
        let has_object_words = !any.properties.is_empty()
            || any.additional_properties.is_some()
            || !any.required.is_empty()
            || any.min_properties.is_some()
            || any.max_properties.is_some();
        let combinators = [
            ("allOf", !any.all_of.is_empty()),
            ("oneOf", !any.one_of.is_empty()),
            ("anyOf", !any.any_of.is_empty()),
            ("not", any.not.is_some()),
        ];
        let used: Vec<&str> = combinators
            .iter()
            .filter(|(_, on)| *on)
            .map(|(k, _)| *k)
            .collect();
        if let Some(not) = &any.not {
            // `not` beside other keywords: the value must pass them and
            // fail `not`'s schema, an `allOf` of the two; the Rust type is
            // that of the other keywords (see `emit::rust_type::sole_part`).
            let negation = self.negation(not, pointer, hint);
            let mut rest = any.clone();
            rest.not = None;
            let mut lowered = self.any_schema_object(schema, &rest, pointer, hint);
            match &mut lowered.kind {
                SchemaKind::Any if !lowered.nullable => lowered.kind = negation.kind,
                SchemaKind::AllOf(parts) => parts.push(negation),
                _ => {
                    let description = std::mem::take(&mut lowered.description);
                    let nullable = lowered.nullable;
                    lowered = Schema {
                        kind: SchemaKind::AllOf(vec![lowered, negation]),
                        nullable,
                        description,
                        pointer: pointer.to_string(),
                    };
                }
            }
            return lowered;
        }
        if used.len() > 1 || (!used.is_empty() && (any.typ.is_some() || has_object_words)) {
            return self.mixed_combinators(schema, any, pointer, hint);
        }
        let kind = if !any.all_of.is_empty() {
            SchemaKind::AllOf(self.parts(&any.all_of, pointer, "allOf", hint))
        } else if !any.one_of.is_empty() {
            SchemaKind::OneOf(self.parts(&any.one_of, pointer, "oneOf", hint))
        } else if !any.any_of.is_empty() {
            SchemaKind::AnyOf(self.parts(&any.any_of, pointer, "anyOf", hint))
        } else {
            let typ = any.typ.as_deref().or_else(|| {
                if has_object_words {
                    Some("object")
                } else if any.items.is_some() {
                    Some("array")
                } else if any.pattern.is_some()
                    || any.min_length.is_some()
                    || any.max_length.is_some()
                    || (!any.enumeration.is_empty()
                        && any.enumeration.iter().all(|v| v.is_string() || v.is_null()))
                {
                    Some("string")
                } else {
                    None
                }
            });
            match typ {
                None if any.enumeration.is_empty()
                    && any.minimum.is_none()
                    && any.maximum.is_none() =>
                {
                    SchemaKind::Any
                }
                Some("string") => {
                    let mut values = Vec::new();
                    for (i, v) in any.enumeration.iter().enumerate() {
                        match v {
                            serde_json::Value::String(s) => values.push(s.clone()),
                            // Without `type`, `enum` alone admits `null`.
                            serde_json::Value::Null if any.typ.is_none() => nullable = true,
                            serde_json::Value::Null if data.nullable => {}
                            _ => self.mistyped_enum_value(pointer, i, v, "string"),
                        }
                    }
                    self.no_value_left(pointer, &any.enumeration, values.len(), "string");
                    SchemaKind::String(self.string_schema(
                        pointer,
                        any.format.clone(),
                        any.pattern.clone(),
                        any.min_length,
                        any.max_length,
                        values,
                    ))
                }
                Some(kind @ ("integer" | "number")) => {
                    let mut values = Vec::new();
                    for (i, v) in any.enumeration.iter().enumerate() {
                        match v {
                            serde_json::Value::Number(n) => {
                                values.push(n.as_f64().unwrap_or(f64::NAN))
                            }
                            serde_json::Value::Null if any.typ.is_none() => nullable = true,
                            serde_json::Value::Null if data.nullable => {}
                            _ => self.mistyped_enum_value(pointer, i, v, kind),
                        }
                    }
                    self.no_value_left(pointer, &any.enumeration, values.len(), kind);
                    let n = self.number_schema(
                        pointer,
                        NumberSchema {
                            format: any.format.clone(),
                            minimum: any.minimum,
                            maximum: any.maximum,
                            exclusive_minimum: any.exclusive_minimum.unwrap_or(false),
                            exclusive_maximum: any.exclusive_maximum.unwrap_or(false),
                            multiple_of: any.multiple_of,
                            enumeration: values,
                        },
                    );
                    if kind == "integer" {
                        SchemaKind::Integer(n)
                    } else {
                        SchemaKind::Number(n)
                    }
                }
                Some("boolean") if !any.enumeration.is_empty() => {
                    let mut values = Vec::new();
                    for (i, v) in any.enumeration.iter().enumerate() {
                        match v {
                            serde_json::Value::Bool(b) => values.push(*b),
                            serde_json::Value::Null if data.nullable => {}
                            _ => self.mistyped_enum_value(pointer, i, v, "boolean"),
                        }
                    }
                    SchemaKind::Boolean(only_boolean(values))
                }
                Some(kind @ ("array" | "object")) if !any.enumeration.is_empty() => {
                    self.unchecked_enum(
                        pointer,
                        kind,
                        "the value is held as untyped JSON and any value is accepted",
                    );
                    SchemaKind::Any
                }
                Some("boolean") => SchemaKind::Boolean(None),
                Some("array") => {
                    let items = match &any.items {
                        Some(items) => self.boxed_schema_or_ref(
                            items,
                            &join(pointer, "items"),
                            &format!("{hint}Item"),
                        ),
                        None => any_schema(pointer),
                    };
                    self.array_schema(
                        pointer,
                        items,
                        any.min_items,
                        any.max_items,
                        any.unique_items.unwrap_or(false),
                    )
                }
                Some("object") => SchemaKind::Object(self.object_schema(
                    schema,
                    pointer,
                    hint,
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    any.min_properties,
                    any.max_properties,
                )),
                Some(other) => {
                    let hint = if other == "file" {
                        "`file` is Swagger 2.0; in OpenAPI 3.0 write `type: string, format: binary`"
                    } else {
                        "use one of string, integer, number, boolean, array, object"
                    };
                    self.c.warn(
                        &join(pointer, "type"),
                        format!("unknown schema type `{other}`: the value is held as untyped JSON and not checked"),
                        hint,
                    );
                    SchemaKind::Any
                }
                None => {
                    self.c.warn(
                        pointer,
                        "schema has `enum` or bounds but no `type`, and its values do not tell the type: the value is held as untyped JSON, and the `enum` and bounds are not checked",
                        "add `type`",
                    );
                    SchemaKind::Any
                }
            }
        };
        Schema {
            kind,
            nullable,
            description: data.description.clone().unwrap_or_default(),
            pointer: pointer.to_string(),
        }
    }
}

/// What a boolean `enum` leaves: one value, or `None` when it lists both
/// (or neither, `null` aside), which restricts nothing.
fn only_boolean(values: impl IntoIterator<Item = bool>) -> Option<bool> {
    let (mut t, mut f) = (false, false);
    for v in values {
        if v {
            t = true;
        } else {
            f = true;
        }
    }
    match (t, f) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn any_schema(pointer: &str) -> Schema {
    Schema {
        kind: SchemaKind::Any,
        nullable: false,
        description: String::new(),
        pointer: pointer.to_string(),
    }
}

/// Whether a lowered inline schema becomes a named type.
fn needs_name(schema: &Schema) -> bool {
    match &schema.kind {
        SchemaKind::Object(o) => !o.properties.is_empty(),
        SchemaKind::AllOf(parts) => {
            // (An empty `allOf` is reported; it stays unnamed here.)
            parts.len() > 1
                || parts
                    .first()
                    .is_some_and(|p| !matches!(p.kind, SchemaKind::Named(_)))
        }
        SchemaKind::String(s) => !s.enumeration.is_empty(),
        // A choice is an enum or a newtype, which needs a name; one real
        // part beside parts that only admit `null` is that part.
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
            !parts.is_empty() && crate::model::alias_part(parts).is_none()
        }
        _ => false,
    }
}

fn format_name<T: std::fmt::Debug>(format: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => Some(known_format(&format!("{item:?}"))),
        VariantOrUnknownOrEmpty::Unknown(name) => Some(name.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

/// `openapiv3` parses well-known formats into enum variants; turn the
/// variant's Debug name back into the spec spelling.
fn known_format(variant: &str) -> String {
    match variant {
        "DateTime" => "date-time".into(),
        other => {
            let mut out = String::new();
            for (i, c) in other.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        }
    }
}

/// Whether `pointer` is where a component schema itself is written
/// (`/components/schemas/NAME`), not something inside one.
fn is_component_root(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}
