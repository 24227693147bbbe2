//! Model schemas → `openapi_runtime::validate::Schema` constructor tokens.
//!
//! Named types become `static`s in `validate::schemas` (so recursive types
//! are plain references between statics); everything else is written
//! inline, with the runtime's shorthands (`v::STRING`,
//! `v::optional("id", &v::nullable(v::STRING))`, ...) where one fits and
//! plain struct literals otherwise. Each distinct `pattern` becomes one
//! `static Pattern` in `validate::patterns`, compiled on first use.

use std::collections::{BTreeMap, BTreeSet};

use super::super::Ctx;
use super::inherit;
use crate::emit::ident;
use crate::model::{Additional, Api, ChoicePlan, NumberSchema, Schema, SchemaKind, StringSchema};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// Collects patterns while schemas are written.
pub(crate) struct Writer<'c, 'a> {
    pub(crate) ctx: &'c Ctx<'a>,
    /// Pattern source → its static's index.
    pub(crate) patterns: BTreeMap<String, usize>,
    /// What is left of the `allOf` rewriting budget ([`inherit::BUDGET`]).
    inherit_budget: usize,
}

/// Where the written tokens will sit, which decides the paths they use.
#[derive(Clone, Copy)]
pub(crate) enum Site {
    /// Inside `validate::schemas`.
    Schemas,
    /// Inside `routes`, at the crate root.
    Routes,
}

impl Site {
    fn schemas(self) -> TokenStream {
        match self {
            Site::Schemas => quote!(),
            Site::Routes => quote!(schemas::),
        }
    }

    fn patterns(self) -> TokenStream {
        match self {
            Site::Schemas => quote!(super::patterns::),
            Site::Routes => quote!(patterns::),
        }
    }
}

impl<'c, 'a> Writer<'c, 'a> {
    pub(crate) fn new(ctx: &'c Ctx<'a>) -> Self {
        Writer {
            ctx,
            patterns: BTreeMap::new(),
            inherit_budget: inherit::BUDGET,
        }
    }

    /// A `Schema` expression for `schema`, written with the shorthands of
    /// `openapi_runtime::validate` (reached as `v`, see [`alias`]) wherever
    /// one fits: they build the same values as the struct literals, in far
    /// less text.
    pub(crate) fn schema(&mut self, schema: &Schema, site: Site) -> TokenStream {
        let refusing_null = self.refusing_null(schema, site);
        // OpenAPI 3.0.3: `nullable` only counts beside a `type`. Composition
        // kinds come from schema objects without one, so their `nullable`
        // (kept in the model for the Rust types) lets nothing through here.
        if schema.nullable && has_type(self.ctx.api, schema) {
            quote!(v::nullable(#refusing_null))
        } else {
            refusing_null
        }
    }

    /// The schema of `schema`'s kind, refusing `null`.
    fn refusing_null(&mut self, schema: &Schema, site: Site) -> TokenStream {
        match &schema.kind {
            SchemaKind::Named(name) => {
                let prefix = site.schemas();
                let name = ident(name);
                quote!(v::reference(&#prefix #name))
            }
            SchemaKind::Any => quote!(v::ANY),
            SchemaKind::String(s) => {
                let calls = self.string_rules(s, site);
                if calls.is_empty() {
                    quote!(v::STRING)
                } else if calls.len() == 1 && !s.enumeration.is_empty() {
                    // The one rule is the `enum`.
                    let values = &s.enumeration;
                    quote!(v::string_enum(&[#(#values),*]))
                } else {
                    quote!(v::string(v::StringRules::NONE #(#calls)*))
                }
            }
            SchemaKind::Integer(n) => match int_shorthand(n) {
                Some(constant) => constant,
                None => {
                    let rules = number_rules(n, true);
                    quote!(v::schema(v::Kind::Integer(#rules)))
                }
            },
            SchemaKind::Number(n) => {
                let rules = number_rules(n, false);
                quote!(v::schema(v::Kind::Number(#rules)))
            }
            SchemaKind::Boolean(None) => quote!(v::BOOLEAN),
            SchemaKind::Boolean(Some(only)) => quote!(v::boolean_value(#only)),
            SchemaKind::Not(negated) => {
                let negated = self.schema(negated, site);
                quote!(v::not(&#negated))
            }
            SchemaKind::Array(a) => {
                let items = self.schema(&a.items, site);
                if a.min_items.is_none() && a.max_items.is_none() && !a.unique_items {
                    return quote!(v::array(&#items));
                }
                let min = opt_usize(a.min_items);
                let max = opt_usize(a.max_items);
                let unique = a.unique_items;
                quote!(v::schema(v::Kind::Array(v::ArrayRules {
                    items: &#items,
                    min_items: #min,
                    max_items: #max,
                    unique_items: #unique,
                })))
            }
            SchemaKind::Object(o) => {
                let mut props: Vec<_> = o.properties.iter().collect();
                props.sort_by(|a, b| a.name.cmp(&b.name));
                let props = props
                    .into_iter()
                    .map(|p| {
                        let name = &p.name;
                        let schema = self.schema(&p.schema, site);
                        if p.required {
                            quote!(v::required(#name, &#schema),)
                        } else {
                            quote!(v::optional(#name, &#schema),)
                        }
                    })
                    .collect::<Vec<_>>();
                let undeclared = &o.required_undeclared;
                let mut fields = Vec::new();
                if !props.is_empty() {
                    fields.push(quote!(properties: &[#(#props)*],));
                }
                if !undeclared.is_empty() {
                    fields.push(quote!(required_undeclared: &[#(#undeclared),*],));
                }
                match &o.additional {
                    Additional::Any => {}
                    Additional::Forbidden => {
                        fields.push(quote!(additional: v::Additional::Forbidden,));
                    }
                    Additional::Schema(s) => {
                        let s = self.schema(s, site);
                        fields.push(quote!(additional: v::Additional::Schema(&#s),));
                    }
                }
                if let Some(n) = o.min_properties {
                    let n = opt_usize(Some(n));
                    fields.push(quote!(min_properties: #n,));
                }
                if let Some(n) = o.max_properties {
                    let n = opt_usize(Some(n));
                    fields.push(quote!(max_properties: #n,));
                }
                if fields.is_empty() {
                    quote!(v::OBJECT)
                } else {
                    quote!(v::object(v::ObjectRules { #(#fields)* ..v::ObjectRules::OPEN }))
                }
            }
            SchemaKind::AllOf(parts) | SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                let (constructor, parts) = match &schema.kind {
                    SchemaKind::AllOf(_) => (
                        ident("all_of"),
                        inherit::parts(self.ctx.api, parts, &mut self.inherit_budget),
                    ),
                    SchemaKind::OneOf(_) => (ident("one_of"), parts.clone()),
                    _ => (ident("any_of"), parts.clone()),
                };
                let inheriting = matches!(schema.kind, SchemaKind::AllOf(_));
                let parts: Vec<TokenStream> = parts
                    .iter()
                    .map(|p| match &p.kind {
                        // A base type is inherited without its
                        // discriminator, which would hand the value back
                        // to the derived type.
                        SchemaKind::Named(name) if inheriting && self.discriminated(name) => {
                            let prefix = site.schemas();
                            let base = base_ident(name);
                            if p.nullable && has_type(self.ctx.api, p) {
                                quote!(&v::nullable(v::reference(&#prefix #base)))
                            } else {
                                quote!(&v::reference(&#prefix #base))
                            }
                        }
                        _ => {
                            let p = self.schema(p, site);
                            quote!(&#p)
                        }
                    })
                    .collect();
                quote!(v::#constructor(&[#(#parts),*]))
            }
        }
    }

    fn discriminated(&self, name: &str) -> bool {
        self.ctx
            .api
            .types
            .get(name)
            .is_some_and(|def| def.discriminator.is_some())
    }

    /// The builder calls that turn `StringRules::NONE` into `s`'s rules
    /// (`.with_pattern(..)`, ...); empty for any string. Registers the
    /// pattern, if any.
    fn string_rules(&mut self, s: &StringSchema, site: Site) -> Vec<TokenStream> {
        let mut calls = Vec::new();
        if let Some(n) = s.min_length {
            let n = Literal::usize_unsuffixed(n);
            calls.push(quote!(.with_min_length(#n)));
        }
        if let Some(n) = s.max_length {
            let n = Literal::usize_unsuffixed(n);
            calls.push(quote!(.with_max_length(#n)));
        }
        if let Some(p) = &s.pattern {
            let next = self.patterns.len();
            let index = *self.patterns.entry(p.clone()).or_insert(next);
            let name = ident(format!("PATTERN_{index}"));
            let prefix = site.patterns();
            calls.push(quote!(.with_pattern(&#prefix #name)));
        }
        // Other formats are annotations (lowering warns about them).
        let format = s
            .format
            .as_deref()
            .and_then(crate::lower::string_format_variant)
            .map(ident);
        if let Some(f) = format {
            calls.push(quote!(.with_format(v::StringFormat::#f)));
        }
        if !s.enumeration.is_empty() {
            let values = &s.enumeration;
            calls.push(quote!(.with_enumeration(&[#(#values),*])));
        }
        calls
    }

    /// `pub mod patterns { ... }` for every pattern seen so far.
    pub(crate) fn patterns_module(&self) -> TokenStream {
        let rt = &self.ctx.rt();
        let v = quote!(#rt::validate);
        let mut by_index: Vec<(&usize, &String)> =
            self.patterns.iter().map(|(p, i)| (i, p)).collect();
        by_index.sort();
        let items = by_index.into_iter().map(|(i, source)| {
            let name = ident(format!("PATTERN_{i}"));
            let doc = format!(" `{source}`");
            quote! {
                #[doc = #doc]
                pub static #name: #v::Pattern = #v::Pattern::new(#source);
            }
        });
        quote! {
            /// Every `pattern` of the request schemas, compiled on first use.
            pub mod patterns {
                #(#items)*
            }
        }
    }
}

/// Whether the schema object `schema` came from had a `type`. A named
/// type with `nullable` set on its reference was hoisted from an inline
/// schema (a `$ref` carries no `nullable`), so the schema object is that
/// type's own schema; a `$ref` has no `type`.
pub(super) fn has_type(api: &Api, schema: &Schema) -> bool {
    fn written(schema: &Schema) -> bool {
        match &schema.kind {
            SchemaKind::Named(_)
            | SchemaKind::AllOf(_)
            | SchemaKind::OneOf(_)
            | SchemaKind::AnyOf(_)
            | SchemaKind::Not(_) => false,
            SchemaKind::Any
            | SchemaKind::String(_)
            | SchemaKind::Integer(_)
            | SchemaKind::Number(_)
            | SchemaKind::Boolean(_)
            | SchemaKind::Array(_)
            | SchemaKind::Object(_) => true,
        }
    }
    match &schema.kind {
        SchemaKind::Named(name) => api.types.get(name).is_some_and(|def| written(&def.schema)),
        _ => written(schema),
    }
}

/// The static of a discriminated type's schema without its discriminator.
pub(crate) fn base_ident(name: &str) -> Ident {
    ident(format!("{name}__base"))
}

/// What a discriminator mapping points at: the type's static, or its base
/// form when the type has a discriminator too (a value is dispatched once).
pub(crate) fn mapped_ident(api: &Api, name: &str) -> Ident {
    match api.types.get(name) {
        Some(def) if def.discriminator.is_some() => base_ident(name),
        _ => ident(name),
    }
}

/// Named types whose schema the generated code needs: those a request can
/// carry (reached from parameters and bodies, and from there through
/// discriminator mappings), and the choices read by validation with what
/// they reach.
pub(crate) fn request_types(api: &Api) -> BTreeSet<String> {
    fn walk(api: &Api, schema: &Schema, out: &mut BTreeSet<String>) {
        match &schema.kind {
            SchemaKind::Named(name) => {
                if out.insert(name.clone())
                    && let Some(def) = api.types.get(name)
                {
                    walk(api, &def.schema, out);
                    for (_, target) in def.discriminator.iter().flat_map(|d| &d.mapping) {
                        walk(api, &Schema::named(target), out);
                    }
                }
            }
            SchemaKind::Array(a) => walk(api, &a.items, out),
            SchemaKind::Object(o) => {
                for p in &o.properties {
                    walk(api, &p.schema, out);
                }
                if let Additional::Schema(s) = &o.additional {
                    walk(api, s, out);
                }
            }
            SchemaKind::AllOf(parts) | SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                for p in parts {
                    walk(api, p, out);
                }
            }
            SchemaKind::Not(negated) => walk(api, negated, out),
            SchemaKind::Any
            | SchemaKind::String(_)
            | SchemaKind::Integer(_)
            | SchemaKind::Number(_)
            | SchemaKind::Boolean(_) => {}
        }
    }
    let mut out = BTreeSet::new();
    for op in &api.operations {
        for p in &op.params {
            walk(api, &p.schema, &mut out);
        }
        if let Some(b) = &op.body {
            walk(api, &b.schema, &mut out);
        }
    }
    // An enum read by validation reads its value with its own schema,
    // wherever it is used (a response, say).
    for (name, def) in &api.types {
        if let Some(ChoicePlan::Validated(_)) = def.choice {
            walk(api, &Schema::named(name), &mut out);
        }
    }
    out
}

/// The constant for an integer schema that is exactly a range `format`
/// with the same range written as `minimum`/`maximum` (how Microsoft's
/// modules spell `int32` and `int64`), built by
/// `NumberRules::format_and_range` in the runtime.
fn int_shorthand(n: &NumberSchema) -> Option<TokenStream> {
    let (constant, low, high) = match n.format.as_deref()? {
        "int32" => (quote!(v::INT32), i32::MIN as f64, i32::MAX as f64),
        "int64" => (quote!(v::INT64), i64::MIN as f64, i64::MAX as f64),
        _ => return None,
    };
    let exact = n.minimum == Some(low)
        && n.maximum == Some(high)
        && !n.exclusive_minimum
        && !n.exclusive_maximum
        && n.multiple_of.is_none()
        && n.enumeration.is_empty();
    exact.then_some(constant)
}

/// `use <runtime>::validate as v;`: how the modules that hold schema data
/// reach the runtime's types and shorthands. Their other items are
/// `PascalCase` statics (one per named type, see `names::pascal`) or
/// `SCREAMING_CASE` rules, so the lower-case alias cannot collide with one.
pub(crate) fn alias(rt: &TokenStream) -> TokenStream {
    quote!(use #rt::validate as v;)
}

/// `NumberRules { <what the schema sets> ..NumberRules::NONE }`.
fn number_rules(n: &NumberSchema, integer: bool) -> TokenStream {
    let mut fields = Vec::new();
    for (name, value) in [
        ("minimum", n.minimum),
        ("maximum", n.maximum),
        ("multiple_of", n.multiple_of),
    ] {
        if let Some(x) = value {
            let name = ident(name);
            let x = f64_literal(x);
            fields.push(quote!(#name: ::std::option::Option::Some(#x),));
        }
    }
    if n.exclusive_minimum {
        fields.push(quote!(exclusive_minimum: true,));
    }
    if n.exclusive_maximum {
        fields.push(quote!(exclusive_maximum: true,));
    }
    let format = n
        .format
        .as_deref()
        .filter(|_| integer)
        .and_then(crate::lower::integer_format_variant)
        .map(ident);
    if let Some(f) = format {
        fields.push(quote!(format: ::std::option::Option::Some(v::IntegerFormat::#f),));
    }
    if !integer && n.format.as_deref() == Some("float") {
        fields.push(quote!(float: true,));
    }
    if !n.enumeration.is_empty() {
        let values = n.enumeration.iter().map(|x| f64_literal(*x));
        fields.push(quote!(enumeration: &[#(#values),*],));
    }
    if fields.is_empty() {
        quote!(v::NumberRules::NONE)
    } else {
        quote!(v::NumberRules { #(#fields)* ..v::NumberRules::NONE })
    }
}

fn opt_usize(value: Option<usize>) -> TokenStream {
    match value {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn f64_literal(x: f64) -> TokenStream {
    if x.is_finite() {
        let lit = Literal::f64_suffixed(x);
        quote!(#lit)
    } else {
        // Only a malformed `enum` entry can be non-finite; it matches nothing.
        quote!(f64::NAN)
    }
}
