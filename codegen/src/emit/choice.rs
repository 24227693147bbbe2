//! Questions the emitters ask about `oneOf`/`anyOf` types, answered from
//! the plan lowering decided ([`crate::model::TypeDef::choice`], see
//! `lower::choice`); the types themselves are rendered by `choice_types`.

use crate::model::{Api, ChoicePlan, Schema};

/// The string newtype a path parameter's schema names, if it is one (a
/// reference to a choice of strings): the flat method takes it, and the
/// server reads the path into it.
pub(crate) fn text_newtype<'a>(api: &'a Api, schema: &'a Schema) -> Option<&'a str> {
    let def = api.types.get(schema.named_target()?)?;
    matches!(def.choice, Some(ChoicePlan::Text)).then_some(def.rust_name.as_str())
}
