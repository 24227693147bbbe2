//! The `types` module: one serde type per named schema. JSON names are kept
//! exactly with `#[serde(rename)]`; an `allOf` is one struct, with the
//! fields lowering merged ([`TypeDef::fields`]).

use std::collections::BTreeSet;

use super::chunk::{Container, Items};
use super::rust_type::{is_open_object, nullable_type, rust_type};
use super::{Ctx, docs};
use crate::emit::ident;
use crate::model::{Additional, Fields, SchemaKind, TypeDef};
use crate::names::{self, Namespace};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Emits `pub mod types { ... }`, one type at a time.
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    let mut body = out.nested(Container::Module);
    // The derives name serde's traits through one `use`, unless a type of
    // the spec takes one of those names.
    let rt = &ctx.rt();
    if derive_traits(ctx).is_short() {
        body.push(quote!(#[allow(unused_imports)] use #rt::serde::{Deserialize, Serialize};));
    }
    body.extend(ctx.api.types.values().map(|def| emit_type(ctx, def)));
    out.close(
        quote! {
            /// Request, response and error types, one per named schema of the spec.
            pub mod types
        },
        body,
    );
}

/// How the derives name serde's traits.
pub(crate) struct DeriveTraits {
    short: bool,
    pub(crate) serialize: TokenStream,
    pub(crate) deserialize: TokenStream,
}

impl DeriveTraits {
    fn is_short(&self) -> bool {
        self.short
    }
}

/// `Serialize`/`Deserialize` by their imported names, or by full paths
/// when a type of the spec is called so.
pub(crate) fn derive_traits(ctx: &Ctx<'_>) -> DeriveTraits {
    let rt = &ctx.rt();
    let taken = ctx
        .api
        .types
        .values()
        .any(|def| matches!(def.rust_name.as_str(), "Serialize" | "Deserialize"));
    if taken {
        DeriveTraits {
            short: false,
            serialize: quote!(#rt::serde::Serialize),
            deserialize: quote!(#rt::serde::Deserialize),
        }
    } else {
        DeriveTraits {
            short: true,
            serialize: quote!(Serialize),
            deserialize: quote!(Deserialize),
        }
    }
}

/// The JSON name serde gives a field under `rename_all = "camelCase"`:
/// serde_derive's rule, PascalCase (each `_` dropped and the letter after
/// it upper-cased, the first letter too) with the first letter then
/// lower-cased.
fn serde_camel_field(field: &str) -> String {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    serde_camel_variant(&pascal)
}

/// The JSON name serde gives a PascalCase variant under
/// `rename_all = "camelCase"`: its first letter lower-cased.
fn serde_camel_variant(variant: &str) -> String {
    let mut chars = variant.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn emit_type(ctx: &Ctx<'_>, def: &TypeDef) -> TokenStream {
    let name = ident(&def.rust_name);
    let origin = format!(" Spec: `{}`.", def.spec_name);
    let doc = if def.schema.description.trim().is_empty() {
        quote!(#[doc = #origin])
    } else {
        let doc = docs(&[&def.schema.description]);
        quote!(#doc #[doc = ""] #[doc = #origin])
    };
    if let SchemaKind::String(s) = &def.schema.kind
        && !s.enumeration.is_empty()
    {
        return emit_enum(ctx, &name, doc, &s.enumeration);
    }
    if let (Some(plan), SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts)) =
        (&def.choice, &def.schema.kind)
    {
        return super::choice_types::emit_choice(ctx, plan, def, &name, doc, parts);
    }
    if let Some(fields) = &def.fields {
        return emit_struct(ctx, &name, doc, fields);
    }
    let target = rust_type(ctx, &def.schema, &quote!());
    quote! {
        #doc
        pub type #name = #target;
    }
}

fn emit_struct(ctx: &Ctx<'_>, name: &Ident, doc: TokenStream, merged: &Fields) -> TokenStream {
    let rt = &ctx.rt();
    let serde_crate = format!("{}::serde", ctx.rt_path);
    let mut all_optional = true;
    let fields = merged
        .properties
        .iter()
        .map(|p| {
            let field = ident(&p.rust_name);
            let json = &p.name;
            let mut ty = rust_type(ctx, &p.schema, &quote!());
            if p.boxed {
                ty = quote!(Box<#ty>);
            }
            let optional = ctx.api.admits_null(&p.schema) || !p.required;
            all_optional &= optional;
            let ty = if optional { quote!(Option<#ty>) } else { ty };
            // One `serde` attribute per field, naming the JSON key only when
            // the struct's `rename_all` does not already give it. A missing
            // `Option` field is `None` without `default`.
            let mut args: Vec<TokenStream> = Vec::new();
            if serde_camel_field(p.rust_name.trim_start_matches("r#")) != json.as_str() {
                args.push(quote!(rename = #json));
            }
            args.extend(p.aliases.iter().map(|a| quote!(alias = #a)));
            if !p.required {
                args.push(quote!(skip_serializing_if = "Option::is_none"));
            }
            let attr = (!args.is_empty()).then(|| quote!(#[serde(#(#args),*)]));
            let doc = docs(&[&p.schema.description]);
            quote! {
                #doc
                #attr
                pub #field: #ty,
            }
        })
        .collect::<Vec<_>>();
    let (extra, deny) = match &merged.additional {
        Additional::Forbidden => (quote!(), quote!(#[serde(deny_unknown_fields)])),
        Additional::Any => (
            quote! {
                /// Properties the spec does not list, kept as they came.
                #[serde(flatten)]
                pub additional_properties: #rt::JsonObject,
            },
            quote!(),
        ),
        Additional::Schema(value) if is_open_object(ctx.api, value) => (
            quote! {
                /// Properties the spec does not list (it allows any object
                /// there), kept as they came, OData annotations included.
                #[serde(flatten)]
                pub additional_properties: #rt::JsonObject,
            },
            quote!(),
        ),
        Additional::Schema(value) => {
            let value = nullable_type(ctx, value, &quote!());
            (
                quote! {
                    /// Properties the spec does not list; each must match its schema.
                    #[serde(flatten)]
                    pub additional_properties: ::std::collections::BTreeMap<String, #value>,
                },
                quote!(),
            )
        }
    };
    let default = if all_optional {
        quote!(Default,)
    } else {
        quote!()
    };
    let DeriveTraits {
        serialize,
        deserialize,
        ..
    } = derive_traits(ctx);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default #serialize, #deserialize)]
        #[serde(crate = #serde_crate, rename_all = "camelCase")]
        #deny
        pub struct #name {
            #(#fields)*
            #extra
        }
    }
}

pub(crate) fn emit_enum(
    ctx: &Ctx<'_>,
    name: &Ident,
    doc: TokenStream,
    values: &[String],
) -> TokenStream {
    let serde_crate = format!("{}::serde", ctx.rt_path);
    let mut variant_names = Namespace::default();
    let mut seen = BTreeSet::new();
    let variants: Vec<(Ident, &String)> = values
        .iter()
        .filter(|v| seen.insert(v.as_str()))
        .map(|v| (ident(variant_names.claim(&names::variant(v))), v))
        .collect();
    let decls = variants.iter().map(|(variant, json)| {
        let doc = format!(" `{json}`");
        let rename = (serde_camel_variant(&variant.to_string().replace("r#", "")) != json.as_str())
            .then(|| quote!(#[serde(rename = #json)]));
        quote! {
            #[doc = #doc]
            #rename
            #variant,
        }
    });
    let arms = variants
        .iter()
        .map(|(variant, json)| quote!(#name::#variant => #json,));
    let DeriveTraits {
        serialize,
        deserialize,
        ..
    } = derive_traits(ctx);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, #serialize, #deserialize)]
        #[serde(crate = #serde_crate, rename_all = "camelCase")]
        pub enum #name {
            #(#decls)*
        }

        impl #name {
            /// The value as the spec writes it.
            pub const fn as_str(&self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
