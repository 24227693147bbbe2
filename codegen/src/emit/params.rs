//! The `params` module: one struct per operation that has query or header
//! parameters. The runtime writes them onto the request from their
//! serialised form and the route's rules.

use std::collections::BTreeMap;

use super::chunk::{Container, Items};
use super::rust_type::rust_type;
use super::{Ctx, docs};
use crate::emit::ident;
use crate::model::{Api, BodyKind, FormPart, Operation, Param, ParamLocation, PartKind};
use crate::names::{self, Namespace};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Decides the parameter struct name of every operation that has query or
/// header parameters. Distinct method names can still meet once turned to
/// PascalCase (`foo_bar2` and `foo_bar_2`), so names come from one
/// namespace, in operation order.
pub(crate) fn struct_names(api: &Api) -> BTreeMap<String, String> {
    let mut taken = Namespace::default();
    api.operations
        .iter()
        .filter(|op| op.params.iter().any(|p| p.location != ParamLocation::Path))
        .map(|op| {
            let name = taken.claim(&format!("{}Params", names::pascal(&op.rust_name)));
            (op.id.clone(), name)
        })
        .collect()
}

/// Decides the form struct name of every operation with a typed
/// `multipart/form-data` body: `{Operation}Form`, in the parameter
/// structs' namespace (the two share the `params` module).
pub(crate) fn form_names(api: &Api) -> BTreeMap<String, String> {
    let mut taken = Namespace::default();
    for name in struct_names(api).into_values() {
        taken.claim(&name);
    }
    api.operations
        .iter()
        .filter(|op| {
            op.body
                .as_ref()
                .is_some_and(|b| b.kind == BodyKind::Multipart)
        })
        .map(|op| {
            let name = taken.claim(&format!("{}Form", names::pascal(&op.rust_name)));
            (op.id.clone(), name)
        })
        .collect()
}

/// The name of an operation's multipart form struct, if it has one.
pub(crate) fn form_struct(ctx: &Ctx<'_>, op: &Operation) -> Option<Ident> {
    ctx.form_structs.get(&op.id).map(ident)
}

/// The name of an operation's parameter struct, if it has one.
pub(crate) fn params_struct(ctx: &Ctx<'_>, op: &Operation) -> Option<Ident> {
    ctx.param_structs.get(&op.id).map(ident)
}

/// Emits `pub mod params`.
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    let mut body = out.nested(Container::Module);
    body.extend(ctx.api.operations.iter().filter_map(|op| {
        let name = params_struct(ctx, op)?;
        Some(emit_struct(ctx, op, &name))
    }));
    body.extend(ctx.api.operations.iter().filter_map(|op| {
        let name = form_struct(ctx, op)?;
        Some(emit_form(ctx, op, &name, &op.body.as_ref()?.parts))
    }));
    out.close(
        quote! {
            /// Query, header and cookie parameters, one struct per operation that has any.
            pub mod params
        },
        body,
    );
}

fn emit_struct(ctx: &Ctx<'_>, op: &Operation, name: &Ident) -> TokenStream {
    let rt = &ctx.rt();
    let serde_crate = format!("{}::serde", ctx.rt_path);
    let types = quote!(super::types::);
    let others: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .collect();
    // A parameter that may be absent or `null` is one `Option`: form and
    // simple styles have no spelling for null, so both leave it out.
    let optional = |p: &Param| !p.required || ctx.api.admits_null(&p.schema);
    let all_optional = others.iter().all(|p| optional(p));
    let fields = others.iter().map(|p| {
        let field = ident(&p.rust_name);
        let ty = rust_type(ctx, &p.schema, &types);
        let ty = if optional(p) { quote!(Option<#ty>) } else { ty };
        let where_ = match p.location {
            ParamLocation::Query => "query",
            ParamLocation::Cookie => "cookie",
            _ => "header",
        };
        let origin = format!(
            " `{}` ({where_}{})",
            p.name,
            if p.required { ", required" } else { "" }
        );
        let doc = docs(&[&p.description]);
        let wire = &p.name;
        let rename = (p.rust_name.trim_start_matches("r#") != wire.as_str())
            .then(|| quote!(#[serde(rename = #wire)]));
        quote! {
            #doc
            #[doc = #origin]
            #rename
            pub #field: #ty,
        }
    });
    let default = if all_optional {
        quote!(Default,)
    } else {
        quote!()
    };
    let doc = format!(
        " Parameters of `{}`, serialised under their names in the spec; the runtime checks and writes them from the route's rules.",
        op.id
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #default #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// A multipart form: one field per part, text and JSON parts serialised
/// under their names (and judged by the runtime against the route's
/// schema), file parts given as `FilePart`s.
fn emit_form(ctx: &Ctx<'_>, op: &Operation, name: &Ident, parts: &[FormPart]) -> TokenStream {
    let rt = &ctx.rt();
    let serde_crate = format!("{}::serde", ctx.rt_path);
    let types = quote!(super::types::);
    let fields = parts.iter().map(|part| {
        let field = ident(&part.rust_name);
        let optional = !part.required || ctx.api.admits_null(&part.schema);
        let (ty, serde, what) = match (part.kind, part.repeated) {
            (PartKind::File, true) => (
                quote!(Vec<#rt::FilePart>),
                quote!(#[serde(skip_serializing, default)]),
                "files, one part each",
            ),
            (PartKind::File, false) if optional => (
                quote!(Option<#rt::FilePart>),
                quote!(#[serde(skip_serializing, default)]),
                "a file",
            ),
            (PartKind::File, false) => (
                quote!(#rt::FilePart),
                quote!(#[serde(skip_serializing)]),
                "a file",
            ),
            (kind, repeated) => {
                let ty = rust_type(ctx, &part.schema, &types);
                let what = match (kind, repeated) {
                    (PartKind::Json, _) => "JSON",
                    (_, true) => "text, one part per item",
                    _ => "text",
                };
                if optional {
                    (
                        quote!(Option<#ty>),
                        quote!(#[serde(skip_serializing_if = "Option::is_none", default)]),
                        what,
                    )
                } else {
                    (ty, quote!(), what)
                }
            }
        };
        let origin = format!(
            " Part `{}` ({what}{}).",
            part.name,
            if part.required { ", required" } else { "" }
        );
        let doc = docs(&[&part.schema.description]);
        let wire = &part.name;
        let rename = (part.rust_name.trim_start_matches("r#") != wire.as_str())
            .then(|| quote!(#[serde(rename = #wire)]));
        quote! {
            #doc
            #[doc = #origin]
            #rename
            #serde
            pub #field: #ty,
        }
    });
    let files = parts
        .iter()
        .filter(|p| p.kind == PartKind::File)
        .map(|part| {
            let field = ident(&part.rust_name);
            let wire = &part.name;
            quote!((#wire, #rt::multipart::FileField::file_parts(&self.#field)))
        });
    // A form whose every part may be left out starts empty.
    let default = if parts
        .iter()
        .all(|p| p.repeated || !p.required || ctx.api.admits_null(&p.schema))
    {
        quote!(Default,)
    } else {
        quote!()
    };
    let doc = format!(
        " The `multipart/form-data` body of `{}`: one field per part. The runtime checks the text parts against their schemas and builds the form.",
        op.id
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, #default #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        pub struct #name {
            #(#fields)*
        }

        impl #rt::MultipartForm for #name {
            fn files(&self) -> Vec<(&'static str, Vec<#rt::FilePart>)> {
                vec![#(#files),*]
            }
        }
    }
}
