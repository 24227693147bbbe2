//! The `validate` module: request validators for every operation, as
//! static schema descriptors (`validate::schemas`, `validate::patterns`,
//! `validate::rules::<operation>`) that `graph_runtime::validate` judges,
//! plus one function per operation that checks a typed request the way the
//! client is about to send it. The server side lives in [`server`].
//!
//! The code here names `Ok`, `Some`, `Vec`, `String` and friends through
//! the prelude, not by their `::std` paths: the `validate` and `server`
//! modules declare nothing with those names (only snake_case functions,
//! modules, `Input`, `Matched`, `Rejection`, `Reader` and `READERS`), so
//! nothing can shadow them, and the shorter paths are a sixth fewer tokens
//! to emit and print on Microsoft's modules. The statics of `schemas` and
//! `rules`, whose names come from the spec, keep the full paths.

mod inherit;
mod schema;
pub(crate) mod server;
mod typed;
mod verdict;

use super::Ctx;
use crate::emit::ident;
use crate::model::{Operation, Param, ParamLocation, ParamStyle, Schema, SchemaKind};
use crate::names;
use proc_macro2::{Ident, TokenStream};
use quote::quote;
use schema::{Site, Writer};

/// The name of an operation's parameter rule static.
pub(crate) fn param_rule(p: &Param) -> Ident {
    let location = match p.location {
        ParamLocation::Path => "PATH",
        ParamLocation::Query => "QUERY",
        ParamLocation::Header => "HEADER",
    };
    ident(format!(
        "{}_{}",
        location,
        names::screaming(&names::snake(&p.rust_name))
    ))
}

/// Emits `pub mod validate`.
pub(crate) fn emit(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt();
    let mut writer = Writer::new(ctx);
    let schemas: Vec<TokenStream> = schema::request_types(ctx.api)
        .into_iter()
        .filter_map(|name| {
            let def = ctx.api.types.get(&name)?;
            let schema = writer.schema(&def.schema, Site::Schemas);
            let id = ident(&name);
            let doc = format!(
                " The schema of [`super::super::types::{name}`] (`{}`).",
                def.spec_name
            );
            let Some(d) = &def.discriminator else {
                return Some(quote! {
                    #[doc = #doc]
                    pub static #id: v::Schema = #schema;
                });
            };
            let base = schema::base_ident(&name);
            let base_doc = format!(
                " The schema of [`super::super::types::{name}`] (`{}`) without its discriminator: what `allOf` parts and mapped types refer to.",
                def.spec_name
            );
            let property = &d.property;
            let mapping = d.mapping.iter().map(|(value, target)| {
                let target = schema::mapped_ident(ctx.api, target);
                quote!((#value, &#target),)
            });
            Some(quote! {
                #[doc = #doc]
                pub static #id: v::Schema = v::schema(v::Kind::Discriminated(&v::Discriminator {
                    property: #property,
                    mapping: &[#(#mapping)*],
                    base: &#base,
                }));
                #[doc = #base_doc]
                pub static #base: v::Schema = #schema;
            })
        })
        .collect();
    let rules: Vec<TokenStream> = ctx
        .api
        .operations
        .iter()
        .map(|op| op_rules(&mut writer, op))
        .collect();
    let (checks, encoded): (Vec<TokenStream>, Vec<Option<TokenStream>>) = ctx
        .api
        .operations
        .iter()
        .map(|op| op_check(ctx, op))
        .unzip();
    let checks = checks.into_iter();
    let encoded = encoded.into_iter().flatten();
    let verdicts = ctx
        .api
        .operations
        .iter()
        .filter_map(|op| verdict::op_verdict(ctx, op));
    let patterns = writer.patterns_module();
    // An empty module gets no `use`, which would be unused there.
    let alias = (!schemas.is_empty()).then(|| schema::alias(rt));
    // `operationId => Some(<what the operation's module gives>)`, for
    // the operations with a body.
    let body_arms = |value: &dyn Fn(&Ident) -> TokenStream| -> Vec<TokenStream> {
        ctx.api
            .operations
            .iter()
            .filter(|op| op.body.is_some())
            .map(|op| {
                let id = &op.id;
                let value = value(&ident(&op.rust_name));
                quote!(#id => Some(#value),)
            })
            .collect()
    };
    let schema_arms = body_arms(&|module| quote!(&rules::#module::BODY));
    let verdict_arms = body_arms(&|module| quote!(verdict::#module));
    let verdict_imports = verdict::imports(ctx);
    quote! {
        /// Request validators generated from the spec: what each operation
        /// accepts, and a check per operation for requests built in Rust.
        ///
        /// The server side (raw HTTP requests) is [`server::handle`].
        pub mod validate {
            /// The schema of every named type a request can carry.
            #[allow(non_upper_case_globals)]
            pub mod schemas {
                #alias
                #(#schemas)*
            }

            #patterns

            /// Per operation: its parameters' rules and its body's schema.
            pub mod rules {
                #(#rules)*
            }

            /// The request body schema of the operation with this
            /// `operationId`; `None` when it has no body or no such
            /// operation exists.
            pub fn body_schema(operation_id: &str) -> Option<&'static #rt::validate::Schema> {
                match operation_id {
                    #(#schema_arms)*
                    _ => None,
                }
            }

            /// The body verdict function of the operation with this
            /// `operationId` (see [`verdict`]); `None` when it has no body
            /// or no such operation exists.
            pub fn body_verdict(operation_id: &str) -> Option<fn(&[u8]) -> bool> {
                match operation_id {
                    #(#verdict_arms)*
                    _ => None,
                }
            }

            #(#checks)*

            /// Per operation with a body: the check, returning the body
            /// bytes it judged, which the client sends.
            pub mod encoded {
                #(#encoded)*
            }

            /// Per operation with a body: whether raw body bytes are valid,
            /// without the report. Cheaper than a check that returns the
            /// violations, and always its verdict.
            pub mod verdict {
                #verdict_imports
                #(#verdicts)*
            }
        }
    }
}

fn op_rules(writer: &mut Writer<'_, '_>, op: &Operation) -> TokenStream {
    let module = ident(&op.rust_name);
    let params: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let name = param_rule(p);
            let wire = &p.name;
            let required = p.required;
            let schema = writer.schema(&p.schema, Site::Rules);
            let (scalar, array) = scalar_of(writer.ctx, &p.schema);
            let scalar = ident(scalar);
            let explode = matches!(p.style, ParamStyle::Form { explode: true });
            let doc = format!(" Parameter `{wire}`.");
            let rule = match (array, required) {
                (false, true) => {
                    quote!(v::ParamRule::required(#wire, v::Scalar::#scalar, &#schema))
                }
                (false, false) => {
                    quote!(v::ParamRule::optional(#wire, v::Scalar::#scalar, &#schema))
                }
                (true, _) => quote! {
                    v::ParamRule {
                        name: #wire,
                        required: #required,
                        schema: &#schema,
                        scalar: v::Scalar::#scalar,
                        array: true,
                        explode: #explode,
                    }
                },
            };
            quote! {
                #[doc = #doc]
                pub static #name: v::ParamRule = #rule;
            }
        })
        .collect();
    let body = op.body.as_ref().map(|b| {
        let schema = writer.schema(&b.schema, Site::Rules);
        let proves = typed::typed_proves_valid(writer.ctx.api, &b.schema);
        quote! {
            /// The request body's schema.
            pub static BODY: v::Schema = #schema;
            /// Whether decoding the body into its Rust type already proves
            /// it valid (so the server may skip the separate pass).
            pub const BODY_TYPED_PROVES_VALID: bool = #proves;
        }
    });
    let doc = format!(" Rules of `{}`.", op.id);
    let alias = (!params.is_empty() || body.is_some()).then(|| schema::alias(&writer.ctx.rt()));
    quote! {
        #[doc = #doc]
        pub mod #module {
            #alias
            #(#params)*
            #body
        }
    }
}

/// How a parameter's text is read: the scalar kind of its schema (or of its
/// items) and whether it is an array.
fn scalar_of(ctx: &Ctx<'_>, schema: &Schema) -> (&'static str, bool) {
    fn base<'s>(ctx: &'s Ctx<'_>, schema: &'s Schema, depth: usize) -> &'s Schema {
        match &schema.kind {
            SchemaKind::Named(name) if depth < 64 => match ctx.api.types.get(name) {
                Some(def) => base(ctx, &def.schema, depth + 1),
                None => schema,
            },
            SchemaKind::AllOf(parts) if parts.len() == 1 && depth < 64 => {
                base(ctx, &parts[0], depth + 1)
            }
            _ => schema,
        }
    }
    let scalar = |s: &Schema| match &base(ctx, s, 0).kind {
        SchemaKind::String(_) => "String",
        SchemaKind::Integer(_) => "Integer",
        SchemaKind::Number(_) => "Number",
        SchemaKind::Boolean => "Boolean",
        _ => "Json",
    };
    match &base(ctx, schema, 0).kind {
        SchemaKind::Array(a) => (scalar(&a.items), true),
        _ => (scalar(schema), false),
    }
}

/// `validate::<operation>(...)`: the check the client runs before sending.
/// For an operation with a body, also `validate::encoded::<operation>`,
/// which does the checking and returns the serialised body: the check
/// judges those bytes, and the client sends them.
fn op_check(ctx: &Ctx<'_>, op: &Operation) -> (TokenStream, Option<TokenStream>) {
    let rt = &ctx.rt();
    let name = ident(&op.rust_name);
    let doc = format!(
        " Checks a `{}` request against the spec before it is sent; returns every violation (empty when valid), ordered path, query, headers, body.",
        op.id
    );
    let (decls, args) = super::client::arguments(ctx, op, &quote!(super::));
    if op.body.is_none() {
        let steps = check_steps(ctx, op, &quote!(rules::));
        let check = quote! {
            #[doc = #doc]
            pub fn #name(#(#decls),*) -> Vec<#rt::Violation> {
                let mut out = Vec::new();
                #(#steps)*
                #rt::validate::request::sort_request(&mut out);
                out
            }
        };
        return (check, None);
    }
    let check = quote! {
        #[doc = #doc]
        pub fn #name(#(#decls),*) -> Vec<#rt::Violation> {
            encoded::#name(#(#args),*).err().unwrap_or_default()
        }
    };
    let (decls, _) = super::client::arguments(ctx, op, &quote!(super::super::));
    let steps = check_steps(ctx, op, &quote!(super::rules::));
    let encoded_doc = format!(
        " Checks a `{}` request like [`super::{name}`]; when it is valid, returns the JSON bytes of its body, the ones that were judged.",
        op.id
    );
    let out = if steps.is_empty() {
        quote!(out)
    } else {
        quote!(mut out)
    };
    let encoded = quote! {
        #[doc = #encoded_doc]
        pub fn #name(#(#decls),*) -> Result<Vec<u8>, Vec<#rt::Violation>> {
            let #out = Vec::new();
            #(#steps)*
            #rt::validate::client::body(&super::rules::#name::BODY, body, out, super::verdict::#name)
        }
    };
    (check, Some(encoded))
}

/// The parameter checks of an operation's check; `rules` is the path to
/// `validate::rules` from where they run.
fn check_steps(ctx: &Ctx<'_>, op: &Operation, rules: &TokenStream) -> Vec<TokenStream> {
    let rt = &ctx.rt();
    let module = ident(&op.rust_name);
    op.params
        .iter()
        .map(|p| {
            let rule = param_rule(p);
            let arg = ident(&p.rust_name);
            match p.location {
                ParamLocation::Path => {
                    quote!(#rt::validate::client::path_param(&#rules #module::#rule, #arg, &mut out);)
                }
                ParamLocation::Query | ParamLocation::Header => {
                    let part = if p.location == ParamLocation::Query {
                        "/query"
                    } else {
                        "/headers"
                    };
                    let value = quote!(&params.#arg);
                    if p.required {
                        quote!(#rt::validate::client::param(&#rules #module::#rule, #part, #value, &mut out);)
                    } else {
                        quote! {
                            if let Some(value) = #value {
                                #rt::validate::client::param(&#rules #module::#rule, #part, value, &mut out);
                            }
                        }
                    }
                }
            }
        })
        .collect()
}
