//! The `params` module: one struct per operation that has query or header
//! parameters, with the code that writes them onto the request.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust_type::nullable_type;
use super::{Ctx, docs, ident};
use crate::model::{Operation, Param, ParamLocation, ParamStyle, SchemaKind};
use crate::names;

/// The name of an operation's parameter struct, if it has one.
pub(crate) fn params_struct(op: &Operation) -> Option<proc_macro2::Ident> {
    op.params
        .iter()
        .any(|p| p.location != ParamLocation::Path)
        .then(|| format_ident!("{}Params", names::pascal(&op.rust_name)))
}

/// Emits `pub mod params`.
pub(crate) fn emit(ctx: &Ctx<'_>) -> TokenStream {
    let items = ctx.api.operations.iter().filter_map(|op| {
        let name = params_struct(op)?;
        Some(emit_struct(ctx, op, &name))
    });
    quote! {
        /// Query and header parameters, one struct per operation that has any.
        pub mod params {
            #(#items)*
        }
    }
}

fn emit_struct(ctx: &Ctx<'_>, op: &Operation, name: &proc_macro2::Ident) -> TokenStream {
    let rt = &ctx.rt;
    let types = quote!(super::types::);
    let others: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .collect();
    let all_optional = others.iter().all(|p| !p.required);
    let fields = others.iter().map(|p| {
        let field = ident(&p.rust_name);
        let ty = nullable_type(ctx, &p.schema, &types);
        let ty = if p.required {
            ty
        } else {
            quote!(::std::option::Option<#ty>)
        };
        let where_ = match p.location {
            ParamLocation::Query => "query",
            _ => "header",
        };
        let origin = format!(
            " `{}` ({where_}{})",
            p.name,
            if p.required { ", required" } else { "" }
        );
        let doc = docs(&[&p.description]);
        quote! {
            #doc
            #[doc = #origin]
            pub #field: #ty,
        }
    });
    let writer = |location: ParamLocation| {
        let pushes = others.iter().filter(|p| p.location == location).map(|p| {
            let field = ident(&p.rust_name);
            let wire = &p.name;
            let is_array = matches!(p.schema.kind, SchemaKind::Array(_));
            let explode = matches!(p.style, ParamStyle::Form { explode: true });
            let push = if is_array && explode {
                quote! {
                    for item in value.iter() {
                        out.push((#wire, #rt::encode::param_text(item)));
                    }
                }
            } else {
                quote!(out.push((#wire, #rt::encode::param_text(value)));)
            };
            if p.required {
                quote! { { let value = &self.#field; #push } }
            } else {
                quote! { if let ::std::option::Option::Some(value) = &self.#field { #push } }
            }
        });
        quote! {
            let mut out = ::std::vec::Vec::new();
            #(#pushes)*
            out
        }
    };
    let query = writer(ParamLocation::Query);
    let headers = writer(ParamLocation::Header);
    let default = if all_optional {
        quote!(Default,)
    } else {
        quote!()
    };
    let doc = format!(" Parameters of `{}`.", op.id);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// The query pairs to send, in the spec's order.
            pub fn query(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                #query
            }

            /// The headers to send.
            pub fn headers(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                #headers
            }
        }
    }
}
