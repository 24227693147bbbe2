//! The `params` module: one struct per operation that has query or header
//! parameters. The runtime writes them onto the request from their
//! serialised form and the route's rules.

use std::collections::BTreeMap;

use super::chunk::{Container, Items};
use super::rust_type::rust_type;
use super::{Ctx, docs};
use crate::emit::ident;
use crate::model::{Api, Operation, Param, ParamLocation};
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
