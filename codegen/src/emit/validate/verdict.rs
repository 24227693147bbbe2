//! `validate::verdict::<operation>`: whether raw body bytes are valid,
//! without building the report (see `graph_runtime::validate::verdict`).
//!
//! A body whose schema is a plain object gets a member reader written for
//! it: a `match` on each key's bytes, and per declared property the
//! cheapest read its schema allows. Any other body, and any property this
//! does not specialise, is read by the runtime's shared one-pass reader.

use super::super::Ctx;
use super::schema::has_type;
use super::typed;
use crate::emit::ident;
use crate::model::{Api, ObjectSchema, Operation, Schema, SchemaKind};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The verdict function of an operation with a body.
pub(super) fn op_verdict(ctx: &Ctx<'_>, op: &Operation) -> Option<TokenStream> {
    let body = op.body.as_ref()?;
    let rt = &ctx.rt();
    let name = ident(&op.rust_name);
    let doc = format!(
        " Whether the raw JSON bytes are a valid `{}` request body: the verdict [`super::super::validate`]'s checks would give, without locations or messages.",
        op.id
    );
    let schema = quote!(&super::rules::#name::BODY);
    let read = match object_of(ctx.api, &body.schema) {
        Some(object) => member_reader(ctx, object, &schema),
        None => quote!(#rt::validate::verdict::valid(#schema, bytes)),
    };
    Some(quote! {
        #[doc = #doc]
        pub fn #name(bytes: &[u8]) -> bool {
            #read
        }
    })
}

/// A `static` `verdict::Members` of the body and its `read` by a member
/// reader: a `match` over the object's declared keys, one line each.
fn member_reader(ctx: &Ctx<'_>, object: &ObjectSchema, schema: &TokenStream) -> TokenStream {
    let mut properties: Vec<_> = object.properties.iter().collect();
    // The order of the emitted `ObjectRules::properties`, which the bits
    // and indices below refer to.
    properties.sort_by(|a, b| a.name.cmp(&b.name));
    let mut uses_properties = false;
    let arms: Vec<TokenStream> = properties
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let key = Literal::byte_string(p.name.as_bytes());
            let shift = Literal::usize_unsuffixed(index);
            let bit = quote!(1 << #shift);
            let read = match plain(ctx.api, &p.schema) {
                Some(Plain::String { nullable }) => quote!(c.plain_string(#bit, #nullable)),
                Some(Plain::Strings {
                    nullable,
                    min_items,
                    max_items,
                }) => {
                    let min = Literal::usize_unsuffixed(min_items.unwrap_or(0));
                    let max = match max_items {
                        Some(max) => {
                            let max = Literal::usize_unsuffixed(max);
                            quote!(#max)
                        }
                        None => quote!(usize::MAX),
                    };
                    quote!(c.plain_strings(#bit, #nullable, #min, #max))
                }
                None => {
                    uses_properties = true;
                    let index = Literal::usize_unsuffixed(index);
                    quote!(c.value(#bit, properties[#index].schema))
                }
            };
            quote!(#key => #read,)
        })
        .collect();
    let properties = if uses_properties {
        quote!(properties)
    } else {
        quote!(_)
    };
    quote! {
        static MEMBERS: Members = Members::of(#schema);
        let member = |c: &mut Cursor<'_>, #properties: Properties, key: &[u8]| match key {
            #(#arms)*
            _ => UNDECLARED,
        };
        MEMBERS.read(bytes, member)
    }
}

/// The runtime names the member readers use, imported once for the whole
/// `verdict` module.
pub(super) fn imports(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt();
    quote! {
        #[allow(unused_imports)]
        use #rt::validate::verdict::{Cursor, Members, Properties, UNDECLARED};
    }
}

/// The object a body schema stands for, when its members can be read one
/// by one (what `graph_runtime::validate::verdict::Members::new` accepts).
fn object_of<'s>(api: &'s Api, schema: &'s Schema) -> Option<&'s ObjectSchema> {
    match &resolve(api, schema)?.kind {
        SchemaKind::Object(o)
            if o.properties.len() <= 64
                && o.required_undeclared.is_empty()
                && o.min_properties.is_none()
                && o.max_properties.is_none() =>
        {
            Some(o)
        }
        _ => None,
    }
}

/// What a specialised read of a property needs to know.
enum Plain {
    /// Any string.
    String { nullable: bool },
    /// An array of any strings, without `uniqueItems`.
    Strings {
        nullable: bool,
        min_items: Option<usize>,
        max_items: Option<usize>,
    },
}

/// The specialised read for `schema`, if it has one.
fn plain(api: &Api, schema: &Schema) -> Option<Plain> {
    let target = resolve(api, schema)?;
    let nullable = nullable(api, schema);
    match &target.kind {
        SchemaKind::String(_) if plain_string(api, target) => Some(Plain::String { nullable }),
        SchemaKind::Array(a)
            if !a.unique_items && !self::nullable(api, &a.items) && plain_string(api, &a.items) =>
        {
            Some(Plain::Strings {
                nullable,
                min_items: a.min_items,
                max_items: a.max_items,
            })
        }
        _ => None,
    }
}

/// Whether `schema` admits every string and nothing else but (perhaps)
/// `null`: the runtime's `StringRules::NONE`.
fn plain_string(api: &Api, schema: &Schema) -> bool {
    matches!(
        &resolve(api, schema).map(|s| &s.kind),
        Some(SchemaKind::String(s)) if typed::plain_string(s)
    )
}

/// The named types `schema` refers to, followed as the runtime's
/// `validate::resolve` follows `Kind::Ref`: to the first schema that is
/// not a reference. `None` for a discriminated type (dispatched, not
/// plain) or a chain the generator would not have emitted.
fn resolve<'s>(api: &'s Api, mut schema: &'s Schema) -> Option<&'s Schema> {
    for _ in 0..64 {
        let SchemaKind::Named(name) = &schema.kind else {
            return Some(schema);
        };
        let def = api.types.get(name)?;
        if def.discriminator.is_some() {
            return None;
        }
        schema = &def.schema;
    }
    None
}

/// Whether `null` is accepted, as the emitted schemas say it: any node of
/// the reference chain that is `nullable` beside a `type`.
fn nullable<'s>(api: &'s Api, mut schema: &'s Schema) -> bool {
    for _ in 0..64 {
        if schema.nullable && has_type(api, schema, 0) {
            return true;
        }
        let SchemaKind::Named(name) = &schema.kind else {
            return false;
        };
        match api.types.get(name) {
            Some(def) => schema = &def.schema,
            None => return false,
        }
    }
    false
}
