//! Model schemas → `graph_runtime::validate::Schema` constructor tokens.
//!
//! Named types become `static`s in `validate::schemas` (so recursive types
//! are plain references between statics); everything else is written
//! inline. Each distinct `pattern` becomes one `static Pattern` in
//! `validate::patterns`, compiled on first use.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::super::{Ctx, ident};
use crate::model::{Additional, Api, NumberSchema, Schema, SchemaKind, StringSchema};

/// Collects patterns while schemas are written.
pub(crate) struct Writer<'c, 'a> {
    pub(crate) ctx: &'c Ctx<'a>,
    /// Pattern source → its static's index.
    pub(crate) patterns: BTreeMap<String, usize>,
}

/// Where the written tokens will sit, which decides the paths they use.
#[derive(Clone, Copy)]
pub(crate) enum Site {
    /// Inside `validate::schemas`.
    Schemas,
    /// Inside `validate::rules::<operation>`.
    Rules,
}

impl Site {
    fn schemas(self) -> TokenStream {
        match self {
            Site::Schemas => quote!(),
            Site::Rules => quote!(super::super::schemas::),
        }
    }

    fn patterns(self) -> TokenStream {
        match self {
            Site::Schemas => quote!(super::patterns::),
            Site::Rules => quote!(super::super::patterns::),
        }
    }
}

impl<'c, 'a> Writer<'c, 'a> {
    pub(crate) fn new(ctx: &'c Ctx<'a>) -> Self {
        Writer {
            ctx,
            patterns: BTreeMap::new(),
        }
    }

    /// `Schema { kind, nullable }` for `schema`.
    pub(crate) fn schema(&mut self, schema: &Schema, site: Site) -> TokenStream {
        let v = self.v();
        let kind = self.kind(schema, site);
        let nullable = schema.nullable;
        quote!(#v::Schema { kind: #kind, nullable: #nullable })
    }

    fn v(&self) -> TokenStream {
        let rt = &self.ctx.rt;
        quote!(#rt::validate)
    }

    fn kind(&mut self, schema: &Schema, site: Site) -> TokenStream {
        let v = self.v();
        match &schema.kind {
            SchemaKind::Named(name) => {
                let prefix = site.schemas();
                let name = ident(name);
                quote!(#v::Kind::Ref(&#prefix #name))
            }
            SchemaKind::Any => quote!(#v::Kind::Any),
            SchemaKind::String(s) => {
                let rules = self.string_rules(s, site);
                quote!(#v::Kind::String(#rules))
            }
            SchemaKind::Integer(n) => {
                let rules = self.number_rules(n, true);
                quote!(#v::Kind::Integer(#rules))
            }
            SchemaKind::Number(n) => {
                let rules = self.number_rules(n, false);
                quote!(#v::Kind::Number(#rules))
            }
            SchemaKind::Boolean => quote!(#v::Kind::Boolean),
            SchemaKind::Array(a) => {
                let items = self.schema(&a.items, site);
                let min = opt_usize(a.min_items);
                let max = opt_usize(a.max_items);
                let unique = a.unique_items;
                quote!(#v::Kind::Array(#v::ArrayRules {
                    items: &#items,
                    min_items: #min,
                    max_items: #max,
                    unique_items: #unique,
                }))
            }
            SchemaKind::Object(o) => {
                let mut props: Vec<_> = o.properties.iter().collect();
                props.sort_by(|a, b| a.name.cmp(&b.name));
                let props = props
                    .into_iter()
                    .map(|p| {
                        let name = &p.name;
                        let required = p.required;
                        let schema = self.schema(&p.schema, site);
                        quote!(#v::Property { name: #name, required: #required, schema: &#schema },)
                    })
                    .collect::<Vec<_>>();
                let undeclared = &o.required_undeclared;
                let additional = match &o.additional {
                    Additional::Any => quote!(#v::Additional::Any),
                    Additional::Forbidden => quote!(#v::Additional::Forbidden),
                    Additional::Schema(s) => {
                        let s = self.schema(s, site);
                        quote!(#v::Additional::Schema(&#s))
                    }
                };
                let min = opt_usize(o.min_properties);
                let max = opt_usize(o.max_properties);
                quote!(#v::Kind::Object(#v::ObjectRules {
                    properties: &[#(#props)*],
                    required_undeclared: &[#(#undeclared),*],
                    additional: #additional,
                    min_properties: #min,
                    max_properties: #max,
                }))
            }
            SchemaKind::AllOf(parts) | SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                let variant = match &schema.kind {
                    SchemaKind::AllOf(_) => format_ident!("AllOf"),
                    SchemaKind::OneOf(_) => format_ident!("OneOf"),
                    _ => format_ident!("AnyOf"),
                };
                let parts: Vec<TokenStream> = parts
                    .iter()
                    .map(|p| {
                        let p = self.schema(p, site);
                        quote!(&#p)
                    })
                    .collect();
                quote!(#v::Kind::#variant(&[#(#parts),*]))
            }
        }
    }

    fn string_rules(&mut self, s: &StringSchema, site: Site) -> TokenStream {
        let v = self.v();
        let min = opt_usize(s.min_length);
        let max = opt_usize(s.max_length);
        let pattern = match &s.pattern {
            Some(p) => {
                let next = self.patterns.len();
                let index = *self.patterns.entry(p.clone()).or_insert(next);
                let name = format_ident!("PATTERN_{index}");
                let prefix = site.patterns();
                quote!(::std::option::Option::Some(&#prefix #name))
            }
            None => quote!(::std::option::Option::None),
        };
        let format = match s.format.as_deref() {
            Some("date-time") => quote!(::std::option::Option::Some(#v::StringFormat::DateTime)),
            Some("date") => quote!(::std::option::Option::Some(#v::StringFormat::Date)),
            Some("uuid") => quote!(::std::option::Option::Some(#v::StringFormat::Uuid)),
            Some("base64url") => quote!(::std::option::Option::Some(#v::StringFormat::Base64Url)),
            Some("duration") => quote!(::std::option::Option::Some(#v::StringFormat::Duration)),
            // Other formats never reach request schemas: generation refuses
            // them there (lower::enforce).
            _ => quote!(::std::option::Option::None),
        };
        let values = &s.enumeration;
        quote!(#v::StringRules {
            min_length: #min,
            max_length: #max,
            pattern: #pattern,
            format: #format,
            enumeration: &[#(#values),*],
        })
    }

    fn number_rules(&self, n: &NumberSchema, integer: bool) -> TokenStream {
        let v = self.v();
        let min = opt_f64(n.minimum);
        let max = opt_f64(n.maximum);
        let step = opt_f64(n.multiple_of);
        let exclusive_min = n.exclusive_minimum;
        let exclusive_max = n.exclusive_maximum;
        let format = match (integer, n.format.as_deref()) {
            (true, Some("int8")) => quote!(::std::option::Option::Some(#v::IntegerFormat::Int8)),
            (true, Some("uint8")) => quote!(::std::option::Option::Some(#v::IntegerFormat::Uint8)),
            (true, Some("int16")) => quote!(::std::option::Option::Some(#v::IntegerFormat::Int16)),
            (true, Some("int32")) => quote!(::std::option::Option::Some(#v::IntegerFormat::Int32)),
            (true, Some("int64")) => quote!(::std::option::Option::Some(#v::IntegerFormat::Int64)),
            _ => quote!(::std::option::Option::None),
        };
        let values = n.enumeration.iter().map(|x| f64_literal(*x));
        quote!(#v::NumberRules {
            minimum: #min,
            maximum: #max,
            exclusive_minimum: #exclusive_min,
            exclusive_maximum: #exclusive_max,
            multiple_of: #step,
            format: #format,
            enumeration: &[#(#values),*],
        })
    }

    /// `pub mod patterns { ... }` for every pattern seen so far.
    pub(crate) fn patterns_module(&self) -> TokenStream {
        let v = self.v();
        let mut by_index: Vec<(&usize, &String)> =
            self.patterns.iter().map(|(p, i)| (i, p)).collect();
        by_index.sort();
        let items = by_index.into_iter().map(|(i, source)| {
            let name = format_ident!("PATTERN_{i}");
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

/// Named types a request can carry: reached from parameters and bodies.
pub(crate) fn request_types(api: &Api) -> BTreeSet<String> {
    fn walk(api: &Api, schema: &Schema, out: &mut BTreeSet<String>) {
        match &schema.kind {
            SchemaKind::Named(name) => {
                if out.insert(name.clone())
                    && let Some(def) = api.types.get(name)
                {
                    walk(api, &def.schema, out);
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
            SchemaKind::Any
            | SchemaKind::String(_)
            | SchemaKind::Integer(_)
            | SchemaKind::Number(_)
            | SchemaKind::Boolean => {}
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
    out
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

fn opt_f64(value: Option<f64>) -> TokenStream {
    match value {
        Some(x) => {
            let x = f64_literal(x);
            quote!(::std::option::Option::Some(#x))
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
