//! The Rust types of `oneOf`/`anyOf` schemas, as lowering planned them
//! ([`ChoicePlan`], see `lower::choice`): an alias, a string newtype, a
//! tagged or an untagged enum, an enum read by validation, or a JSON value.

use super::Ctx;
use super::rust_type::rust_type;
use super::types::derive_traits;
use crate::emit::ident;
use crate::model::{ChoicePlan, Schema, TypeDef, Variant};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Emits the type of the choice `def` (whose parts are `parts`) as `plan`
/// says.
pub(crate) fn emit_choice(
    ctx: &Ctx<'_>,
    plan: &ChoicePlan,
    def: &TypeDef,
    name: &Ident,
    doc: TokenStream,
    parts: &[Schema],
) -> TokenStream {
    let rt = &ctx.rt();
    match plan {
        ChoicePlan::Alias(part) => {
            let target = rust_type(ctx, &parts[*part], &quote!());
            quote!(#doc pub type #name = #target;)
        }
        ChoicePlan::Json(_) => quote!(#doc pub type #name = #rt::serde_json::Value;),
        ChoicePlan::Text => text(ctx, name, doc),
        ChoicePlan::Values(values) => super::types::emit_enum(ctx, name, doc, values),
        ChoicePlan::Validated(variants) => validated(ctx, def, name, doc, parts, variants),
        ChoicePlan::Untagged(variants) => {
            let body = variant_decls(ctx, def, parts, variants, false);
            let derives = derive_traits(ctx);
            let (ser, de) = (derives.serialize, derives.deserialize);
            let serde_crate = format!("{}::serde", ctx.rt_path);
            quote! {
                #doc
                ///
                /// Untagged: a value is read as the first variant whose JSON type it has.
                #[derive(Debug, Clone, PartialEq, #ser, #de)]
                #[serde(crate = #serde_crate, untagged)]
                pub enum #name { #(#body)* }
            }
        }
        ChoicePlan::Tagged {
            property,
            variants,
            declared: false,
        } => {
            let body = variant_decls(ctx, def, parts, variants, true);
            let derives = derive_traits(ctx);
            let (ser, de) = (derives.serialize, derives.deserialize);
            let serde_crate = format!("{}::serde", ctx.rt_path);
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, #ser, #de)]
                #[serde(crate = #serde_crate, tag = #property)]
                pub enum #name { #(#body)* }
            }
        }
        ChoicePlan::Tagged {
            property,
            variants,
            declared: true,
        } => declared_tag(ctx, def, name, doc, parts, property, variants),
    }
}

/// An enum whose parts share a JSON type: written untagged (each variant
/// writes itself), read by validation (the value is the variant of the part
/// it is valid against, which the runtime finds with the choice's schema in
/// `validate::schemas`).
fn validated(
    ctx: &Ctx<'_>,
    def: &TypeDef,
    name: &Ident,
    doc: TokenStream,
    parts: &[Schema],
    variants: &[Variant],
) -> TokenStream {
    let rt = &ctx.rt();
    let body = variant_decls(ctx, def, parts, variants, false);
    let ser = derive_traits(ctx).serialize;
    let serde_crate = format!("{}::serde", ctx.rt_path);
    let type_name = &def.rust_name;
    let last = variants.len().saturating_sub(1);
    let arms = variants.iter().enumerate().map(|(i, v)| {
        let variant = ident(&v.name);
        // The last arm takes what is left, so the match is exhaustive.
        let chosen = if i == last {
            quote!(_)
        } else {
            let part = proc_macro2::Literal::usize_unsuffixed(v.part);
            quote!(#part)
        };
        quote!((#chosen, value) => part(value).map(Self::#variant),)
    });
    quote! {
        #doc
        ///
        /// Its parts share a JSON type: a value is read as the variant of the
        /// part it is valid against.
        #[derive(Debug, Clone, PartialEq, #ser)]
        #[serde(crate = #serde_crate, untagged)]
        pub enum #name { #(#body)* }

        impl<'de> #rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use #rt::validate::choice::{choose, part};
                match choose(deserializer, &super::validate::schemas::#name, #type_name)? {
                    #(#arms)*
                }
            }
        }
    }
}

/// A string newtype: the text as given, checked against the choice by
/// the validators.
fn text(ctx: &Ctx<'_>, name: &Ident, doc: TokenStream) -> TokenStream {
    let derives = derive_traits(ctx);
    let (ser, de) = (derives.serialize, derives.deserialize);
    let serde_crate = format!("{}::serde", ctx.rt_path);
    quote! {
        #doc
        ///
        /// Every alternative is a string: the text is held as it is, and the
        /// validators check which alternative it matches.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, #ser, #de)]
        #[serde(crate = #serde_crate, transparent)]
        pub struct #name(pub String);

        impl #name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                #name(value)
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                #name(value.to_string())
            }
        }

        impl AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    }
}

/// The variants' declarations; `renamed`: each carries its tag values
/// (serde's internal tagging).
fn variant_decls(
    ctx: &Ctx<'_>,
    def: &TypeDef,
    parts: &[Schema],
    variants: &[Variant],
    renamed: bool,
) -> Vec<TokenStream> {
    variants
        .iter()
        .map(|v| {
            let variant = ident(&v.name);
            let part = &parts[v.part];
            let ty = payload(ctx, def, part, v);
            let doc = variant_doc(part, v);
            let attr = match v.tags.split_first() {
                Some((first, rest)) if renamed => {
                    quote!(#[serde(rename = #first #(, alias = #rest)*)])
                }
                _ => quote!(),
            };
            quote! {
                #[doc = #doc]
                #attr
                #variant(#ty),
            }
        })
        .collect()
}

/// A variant's payload type, boxed when lowering says its part holds the
/// enum again ([`TypeDef::boxed_parts`]).
fn payload(ctx: &Ctx<'_>, def: &TypeDef, part: &Schema, v: &Variant) -> TokenStream {
    let ty = rust_type(ctx, part, &quote!());
    if def.boxed_parts.contains(&v.part) {
        quote!(Box<#ty>)
    } else {
        ty
    }
}

fn variant_doc(part: &Schema, v: &Variant) -> String {
    let what = match part.named_target() {
        Some(name) => format!("A `{name}`"),
        None => format!("The `{}` alternative", v.name),
    };
    if v.tags.is_empty() {
        format!(" {what}.")
    } else {
        let tags: Vec<String> = v.tags.iter().map(|t| format!("`{t}`")).collect();
        format!(" {what}, tagged {}.", tags.join(", "))
    }
}

/// An enum tagged by a property that every variant's struct declares: it
/// is written by the variant (untagged), and read by looking at the tag
/// first (serde's internal tagging would drop it from the struct).
fn declared_tag(
    ctx: &Ctx<'_>,
    def: &TypeDef,
    name: &Ident,
    doc: TokenStream,
    parts: &[Schema],
    property: &str,
    variants: &[Variant],
) -> TokenStream {
    let rt = &ctx.rt();
    let body = variant_decls(ctx, def, parts, variants, false);
    let derives = derive_traits(ctx);
    let ser = derives.serialize;
    let serde_crate = format!("{}::serde", ctx.rt_path);
    let all_tags: Vec<&String> = variants.iter().flat_map(|v| &v.tags).collect();
    let arms = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let tags = &v.tags;
        quote! {
            Some(#(#tags)|*) => #rt::serde_json::from_value(value).map(#name::#variant).map_err(D::Error::custom),
        }
    });
    let note = format!(" Tagged by `{property}`, which each variant declares and writes.");
    quote! {
        #doc
        ///
        #[doc = #note]
        #[derive(Debug, Clone, PartialEq, #ser)]
        #[serde(crate = #serde_crate, untagged)]
        pub enum #name { #(#body)* }

        impl<'de> #rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use #rt::serde::de::Error as _;
                let value = <#rt::serde_json::Value as #rt::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(#rt::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    Some(other) => Err(D::Error::unknown_variant(other, &[#(#all_tags),*])),
                    None => Err(D::Error::missing_field(#property)),
                }
            }
        }
    }
}
