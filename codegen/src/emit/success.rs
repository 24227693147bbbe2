//! What an operation's methods return on success, from its documented 2xx
//! responses (exact codes and `2XX`; `default` never documents a success
//! for the runtime).

use super::Ctx;
use super::rust_type::nullable_type;
use crate::lower::is_json;
use crate::model::{Operation, Status};
use proc_macro2::TokenStream;
use quote::quote;

/// What a successful call returns.
pub(crate) enum Success {
    /// Nothing (`204`, or successes without content).
    Empty,
    /// A JSON body of this type.
    Json(TokenStream),
    /// A JSON body of this type for some statuses, none for others (e.g.
    /// `200` with a body beside `204`): `Option` of it.
    Optional(TokenStream),
    /// Raw bytes (a non-JSON success body).
    Bytes,
    /// Text (every non-JSON success body is `text/*`): a `String`.
    Text,
}

/// The success type of an operation. Several documented 2xx responses are
/// combined: one JSON type beside bodiless ones is an `Option`, different
/// JSON types are a JSON value, and any non-JSON body makes it bytes, or
/// a string when every success body is text.
pub(crate) fn success(ctx: &Ctx<'_>, op: &Operation) -> Success {
    let rt = &ctx.rt();
    let mut empty = false;
    let mut bytes = false;
    let mut text = false;
    let mut json: Vec<TokenStream> = Vec::new();
    for r in &op.responses {
        let is_success = match r.status {
            Status::Code(n) => (200..300).contains(&n),
            Status::Range(n) => n == 2,
            Status::Default => false,
        };
        if !is_success {
            continue;
        }
        let ty = match (&r.content_type, &r.schema) {
            (None, _) => {
                empty = true;
                continue;
            }
            (Some(_), Some(schema)) => nullable_type(ctx, schema, &quote!(types::)),
            (Some(ct), None) if is_json(ct) => quote!(#rt::serde_json::Value),
            (Some(ct), None) if is_text(ct) => {
                text = true;
                continue;
            }
            (Some(_), None) => {
                bytes = true;
                continue;
            }
        };
        if !json.iter().any(|known| known.to_string() == ty.to_string()) {
            json.push(ty);
        }
    }
    if bytes || (text && !json.is_empty()) || (text && empty) {
        return Success::Bytes;
    }
    if text {
        return Success::Text;
    }
    let ty = match json.len() {
        0 => return Success::Empty,
        1 => json.remove(0),
        _ => quote!(#rt::serde_json::Value),
    };
    if empty {
        Success::Optional(ty)
    } else {
        Success::Json(ty)
    }
}

/// Whether a response media type is text a caller reads as a string
/// (`text/plain`, `text/csv`; not a range such as `text/*`).
fn is_text(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.len() > "text/".len()
        && essence
            .get(..5)
            .is_some_and(|t| t.eq_ignore_ascii_case("text/"))
        && !essence.contains('*')
}
