//! Short constructors for the schema descriptors that generated code writes.
//!
//! A generated crate spells out every request schema as `static` data. As
//! struct literals, the shapes that make up most of a Microsoft Graph module
//! (a plain string, the same string allowing `null`, a reference to a named
//! type, a declared property, an `int32`) take several lines each, and a
//! module holds thousands of them: the generator then spends its time
//! formatting that text, and every build of the generated crate reads it.
//! The constants and `const fn`s here build exactly the values those
//! literals build (same fields, same meaning), in a fraction of the text.
//! Generated code reaches them through an alias of this module's parent,
//! e.g. `v::optional("id", &v::nullable(v::STRING))`.
//!
//! Shapes without a shorthand are written with [`schema`] and the plain
//! structs, e.g. `v::schema(v::Kind::Number(v::NumberRules { .. }))`.

use super::{
    ArrayRules, IntegerFormat, Kind, NumberRules, ObjectRules, Pattern, Property, Schema,
    StringFormat, StringRules,
};

/// Any string (no length, pattern, format or `enum`); `null` refused.
pub const STRING: Schema = string(StringRules::NONE);

/// Any JSON value: a schema object with no `type`.
pub const ANY: Schema = schema(Kind::Any);

/// `true` or `false`; `null` refused.
pub const BOOLEAN: Schema = schema(Kind::Boolean);

/// Any object ([`ObjectRules::OPEN`]); `null` refused. Microsoft's modules
/// give almost every type `additionalProperties: {type: object}`, which is
/// this schema.
pub const OBJECT: Schema = object(ObjectRules::OPEN);

/// An integer with `format: int32` and the same range also written as
/// `minimum`/`maximum`, as Microsoft's modules spell every `int32`; `null`
/// refused. A value out of range fails all three keywords, as it would
/// with the struct literal.
pub const INT32: Schema = schema(Kind::Integer(NumberRules::format_and_range(
    IntegerFormat::Int32,
)));

/// Like [`INT32`] for `format: int64`.
pub const INT64: Schema = schema(Kind::Integer(NumberRules::format_and_range(
    IntegerFormat::Int64,
)));

/// A schema of this kind that refuses `null` (every shorthand below starts
/// from it; wrap it in [`nullable`] to let `null` through).
pub const fn schema(kind: Kind) -> Schema {
    Schema {
        kind,
        nullable: false,
    }
}

/// The same schema, but accepting `null` as well.
pub const fn nullable(schema: Schema) -> Schema {
    let mut schema = schema;
    schema.nullable = true;
    schema
}

/// A reference to a named type's schema ([`Kind::Ref`]).
pub const fn reference(target: &'static Schema) -> Schema {
    schema(Kind::Ref(target))
}

/// A string with these rules.
pub const fn string(rules: StringRules) -> Schema {
    schema(Kind::String(rules))
}

/// A string that must be one of `values` (an `enum` of strings and no
/// other rule).
pub const fn string_enum(values: &'static [&'static str]) -> Schema {
    string(StringRules::NONE.with_enumeration(values))
}

/// An array of `items` with no `minItems`, `maxItems` or `uniqueItems`.
pub const fn array(items: &'static Schema) -> Schema {
    schema(Kind::Array(ArrayRules {
        items,
        min_items: None,
        max_items: None,
        unique_items: false,
    }))
}

/// An object with these rules.
pub const fn object(rules: ObjectRules) -> Schema {
    schema(Kind::Object(rules))
}

/// `allOf` of `parts`.
pub const fn all_of(parts: &'static [&'static Schema]) -> Schema {
    schema(Kind::AllOf(parts))
}

/// `oneOf` of `parts`.
pub const fn one_of(parts: &'static [&'static Schema]) -> Schema {
    schema(Kind::OneOf(parts))
}

/// `anyOf` of `parts`.
pub const fn any_of(parts: &'static [&'static Schema]) -> Schema {
    schema(Kind::AnyOf(parts))
}

/// `not`: any value that `negated` refuses.
pub const fn not(negated: &'static Schema) -> Schema {
    schema(Kind::Not(negated))
}

/// `type: boolean` with `enum: [value]`: only `value`.
pub const fn boolean_value(value: bool) -> Schema {
    schema(Kind::BooleanValue(value))
}

/// A declared property that `required` does not list.
pub const fn optional(name: &'static str, schema: &'static Schema) -> Property {
    Property {
        name,
        required: false,
        schema,
    }
}

/// A declared property that `required` lists.
pub const fn required(name: &'static str, schema: &'static Schema) -> Property {
    Property {
        name,
        required: true,
        schema,
    }
}

/// Builders from [`StringRules::NONE`], one rule at a time: generated code
/// writes `StringRules::NONE.with_pattern(&P).with_format(F)` rather than a
/// struct literal of `Option`s (where a spec type called `Some` could not
/// shadow anything either).
impl StringRules {
    /// These rules with `minLength` set.
    pub const fn with_min_length(self, min_length: usize) -> StringRules {
        StringRules {
            min_length: Some(min_length),
            ..self
        }
    }

    /// These rules with `maxLength` set.
    pub const fn with_max_length(self, max_length: usize) -> StringRules {
        StringRules {
            max_length: Some(max_length),
            ..self
        }
    }

    /// These rules with `pattern` set.
    pub const fn with_pattern(self, pattern: &'static Pattern) -> StringRules {
        StringRules {
            pattern: Some(pattern),
            ..self
        }
    }

    /// These rules with a `format` the validators enforce.
    pub const fn with_format(self, format: StringFormat) -> StringRules {
        StringRules {
            format: Some(format),
            ..self
        }
    }

    /// These rules with an `enum`.
    pub const fn with_enumeration(self, values: &'static [&'static str]) -> StringRules {
        StringRules {
            enumeration: values,
            ..self
        }
    }
}

impl NumberRules {
    /// A range `format` together with its range written out as `minimum`
    /// and `maximum` (inclusive), and nothing else; see [`INT32`].
    pub const fn format_and_range(format: IntegerFormat) -> NumberRules {
        let (low, high) = format.range();
        NumberRules {
            minimum: Some(low as f64),
            maximum: Some(high as f64),
            format: Some(format),
            ..NumberRules::NONE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Additional;
    use super::*;

    #[test]
    fn format_and_range_writes_the_bounds_the_modules_spell_out() {
        let rules = NumberRules::format_and_range(IntegerFormat::Int32);
        assert_eq!(rules.minimum, Some(-2147483648.0));
        assert_eq!(rules.maximum, Some(2147483647.0));
        assert_eq!(rules.format, Some(IntegerFormat::Int32));
        assert!(!rules.exclusive_minimum && !rules.exclusive_maximum);
        assert_eq!(rules.multiple_of, None);
        assert!(rules.enumeration.is_empty());
        // `i64::MAX` has no exact `f64`; the bound is the nearest one, as
        // the literal `9223372036854775807` in a spec reads.
        let rules = NumberRules::format_and_range(IntegerFormat::Int64);
        assert_eq!(rules.minimum, Some(-9223372036854775808.0));
        assert_eq!(rules.maximum, Some("9223372036854775807".parse().unwrap()));
        assert_eq!(rules.format, Some(IntegerFormat::Int64));
    }

    #[test]
    fn string_rule_builders_set_one_rule_each() {
        static P: Pattern = Pattern::new("^a");
        let rules = StringRules::NONE
            .with_min_length(1)
            .with_max_length(9)
            .with_pattern(&P)
            .with_format(StringFormat::Uuid)
            .with_enumeration(&["x"]);
        assert_eq!((rules.min_length, rules.max_length), (Some(1), Some(9)));
        assert!(rules.pattern.is_some_and(|p| std::ptr::eq(p, &P)));
        assert_eq!(rules.format, Some(StringFormat::Uuid));
        assert_eq!(rules.enumeration, ["x"]);
        let only = StringRules::NONE.with_max_length(3);
        assert_eq!((only.min_length, only.max_length), (None, Some(3)));
        assert!(only.pattern.is_none() && only.format.is_none() && only.enumeration.is_empty());
    }

    #[test]
    fn shorthands_build_the_plain_values() {
        // Bound to locals: the checks are on what the constants hold.
        let (string, any, boolean) = (STRING, ANY, BOOLEAN);
        assert!(!string.nullable);
        assert!(matches!(string.kind, Kind::String(ref r) if r.is_unconstrained()));
        let maybe = nullable(STRING);
        assert!(maybe.nullable);
        assert!(matches!(maybe.kind, Kind::String(ref r) if r.is_unconstrained()));
        assert!(matches!(any.kind, Kind::Any) && !any.nullable);
        assert!(matches!(boolean.kind, Kind::Boolean) && !boolean.nullable);
        assert!(matches!(
            OBJECT.kind,
            Kind::Object(ObjectRules {
                properties: [],
                required_undeclared: [],
                additional: Additional::Any,
                min_properties: None,
                max_properties: None,
            })
        ));
        static TARGET: Schema = STRING;
        assert!(matches!(reference(&TARGET).kind, Kind::Ref(t) if std::ptr::eq(t, &TARGET)));
        let listed = string_enum(&["a", "b"]);
        match listed.kind {
            Kind::String(r) => {
                assert_eq!(r.enumeration, ["a", "b"]);
                assert_eq!(r.format, None::<StringFormat>);
                assert!(r.min_length.is_none() && r.max_length.is_none() && r.pattern.is_none());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            array(&TARGET).kind,
            Kind::Array(ArrayRules {
                min_items: None,
                max_items: None,
                unique_items: false,
                ..
            })
        ));
        static ALL: Schema = all_of(&[&TARGET]);
        static ONE: Schema = one_of(&[&TARGET, &STRING]);
        static SOME: Schema = any_of(&[]);
        assert!(matches!(ALL.kind, Kind::AllOf([_])) && !ALL.nullable);
        assert!(matches!(ONE.kind, Kind::OneOf([_, _])) && !ONE.nullable);
        assert!(matches!(SOME.kind, Kind::AnyOf([])) && !SOME.nullable);
        let p = optional("a", &TARGET);
        assert!(p.name == "a" && !p.required);
        let p = required("b", &TARGET);
        assert!(p.name == "b" && p.required);
        assert!(matches!(
            INT32.kind,
            Kind::Integer(NumberRules {
                format: Some(IntegerFormat::Int32),
                ..
            })
        ));
        assert!(matches!(
            INT64.kind,
            Kind::Integer(NumberRules {
                format: Some(IntegerFormat::Int64),
                ..
            })
        ));
    }
}
