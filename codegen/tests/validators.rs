//! What the generator does for request validation: it warns about what the
//! validators do not enforce (naming the keyword and where it is, and
//! generating the code all the same), and it emits the validators and the
//! server entry point for every operation.

use codegen::{EmitOptions, generate_str};

/// A spec with one operation whose body schema is `body`, and a response
/// whose schema is `response`.
fn spec(body: &str, response: &str) -> String {
    format!(
        r#"openapi: 3.0.3
info: {{title: t, version: v}}
paths:
  /things/{{thingId}}:
    post:
      operationId: things_update
      parameters:
        - name: thingId
          in: path
          required: true
          schema: {{type: string}}
        - name: $top
          in: query
          schema: {{type: integer, minimum: 0}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {body}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {response}
"#
    )
}

fn errors(body: &str, response: &str) -> Option<String> {
    generate_str("t.yaml", &spec(body, response), &EmitOptions::default())
        .err()
        .map(|e| e.to_string())
}

/// The warnings of the spec, one per line (`file:line:col: warning at ...`).
fn warnings(body: &str, response: &str) -> Vec<String> {
    let api = codegen::model_from_str("t.yaml", &spec(body, response)).expect("no errors");
    api.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn unknown_formats_in_request_schemas_are_located_warnings() {
    let body = "{type: object, properties: {mail: {type: string, format: e-mail}}}";
    assert_eq!(
        errors(body, "{type: object}"),
        None,
        "the code is generated"
    );
    let found = warnings(body, "{type: object}");
    assert_eq!(found.len(), 1, "{found:?}");
    let report = &found[0];
    assert!(
        report.starts_with("t.yaml:"),
        "the report gives the line: {report}"
    );
    assert!(report.contains(": warning at #"), "{report}");
    assert!(report.contains("format `e-mail`"), "{report}");
    assert!(report.contains("annotation"), "{report}");
    assert!(
        report.contains("requestBody/content/application~1json/schema/properties/mail/format"),
        "{report}"
    );
    // The generated validator has no format rule for it.
    let code = generate_str(
        "t.yaml",
        &spec(body, "{type: object}"),
        &EmitOptions::default(),
    )
    .unwrap();
    assert!(
        !code.contains("with_format"),
        "an annotation is not checked"
    );
}

#[test]
fn formats_only_responses_use_stay_silent_annotations() {
    let response = "{type: object, properties: {mail: {type: string, format: e-mail}}}";
    assert_eq!(warnings("{type: object}", response), Vec::<String>::new());
}

#[test]
fn enforced_formats_pass_without_warnings() {
    let body = "{type: object, properties: {a: {type: string, format: date-time}, b: {type: string, format: uuid}, c: {type: integer, format: int32}, d: {type: number, format: double}, e: {type: string, format: duration}, f: {type: string, format: time}, g: {type: string, format: ipv4}, h: {type: string, format: ipv6}, i: {type: string, format: ip}, j: {type: string, format: email}, k: {type: string, format: hostname}, l: {type: string, format: uri}, m: {type: string, format: mac}, n: {type: string, format: byte}, o: {type: integer, format: uint16}, p: {type: integer, format: uint32}, q: {type: integer, format: uint64}, r: {type: integer, format: uint}, s: {type: string, format: password}}}";
    assert_eq!(errors(body, "{type: object}"), None);
    assert_eq!(warnings(body, "{type: object}"), Vec::<String>::new());
    let code = generate_str(
        "t.yaml",
        &spec(body, "{type: object}"),
        &EmitOptions::default(),
    )
    .unwrap();
    for needle in [
        "StringFormat::Time",
        "StringFormat::Ipv4",
        "StringFormat::Ipv6",
        "StringFormat::Ip)",
        "StringFormat::Email",
        "StringFormat::Hostname",
        "StringFormat::Uri",
        "StringFormat::Mac",
        "StringFormat::Byte",
        "IntegerFormat::Uint16",
        "IntegerFormat::Uint32",
        "IntegerFormat::Uint64",
        "IntegerFormat::Uint)",
        "pub o: Option<u16>",
        "pub p: Option<u32>",
        "pub q: Option<u64>",
        "pub r: Option<u64>",
    ] {
        assert!(code.contains(needle), "missing `{needle}`");
    }
}

#[test]
fn body_values_the_rust_types_cannot_hold_are_warnings() {
    let unbounded = "{type: object, properties: {n: {type: integer}}}";
    assert_eq!(errors(unbounded, "{type: object}"), None);
    let found = warnings(unbounded, "{type: object}").join("\n");
    assert!(found.contains("`integer` without `format`"), "{found}");
    assert!(found.contains("`i64`"), "{found}");
    // `float` is an `f32` whose range the validators check: no warning.
    let float = "{type: object, properties: {x: {type: number, format: float}}}";
    assert_eq!(warnings(float, "{type: object}"), Vec::<String>::new());
    let code = generate_str(
        "t.yaml",
        &spec(float, "{type: object}"),
        &EmitOptions::default(),
    )
    .unwrap();
    assert!(code.contains("float: true"), "the f32 range is checked");
    assert!(code.contains("pub x: Option<f32>"));
    // Bounded: fine (and the unbounded `$top` parameter is not held to
    // this). Inside an anyOf that is an enum, the integer is an `i64`
    // variant: the same warning.
    let bounded = "{type: object, properties: {n: {type: integer, minimum: 0, maximum: 10}}}";
    assert_eq!(warnings(bounded, "{type: object}"), Vec::<String>::new());
    let variant = "{type: object, properties: {n: {anyOf: [{type: integer}, {type: string}]}}}";
    let found = warnings(variant, "{type: object}").join("\n");
    assert!(found.contains("`integer` without `format`"), "{found}");
}

#[test]
fn deny_warnings_fails_the_build_script_run_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("t.yaml");
    let body = "{type: object, properties: {mail: {type: string, format: e-mail}}}";
    std::fs::write(&spec_path, spec(body, "{type: object}")).unwrap();
    let strict = codegen::Config::new()
        .spec(&spec_path)
        .out_dir(dir.path())
        .cargo_metadata(false)
        .deny_warnings(true)
        .generate();
    match strict {
        Err(codegen::Error::Spec(report)) => {
            assert_eq!(report.errors().count(), 0);
            assert_eq!(report.warnings().count(), 1);
            assert!(report.to_string().contains("format `e-mail`"), "{report}");
        }
        other => panic!("expected the warnings as a spec error, got {other:?}"),
    }
    assert!(!dir.path().join("api.rs").exists());
    let lenient = codegen::Config::new()
        .spec(&spec_path)
        .out_dir(dir.path())
        .cargo_metadata(false)
        .generate()
        .unwrap();
    assert!(lenient.exists());
}

#[test]
fn validators_and_server_are_emitted() {
    let code = generate_str(
        "t.yaml",
        &spec(
            "{type: object, properties: {n: {type: string, pattern: '^a+$'}}}",
            "{type: object}",
        ),
        &EmitOptions {
            server: true,
            ..EmitOptions::default()
        },
    )
    .unwrap();
    for needle in [
        "pub mod validate",
        "pub mod server",
        "pub fn handle(",
        "pub enum Input",
        "ThingsUpdate {",
        "pub use ::openapi_runtime::validate::serve::Rejection;",
        // The server builds the operation's input from the runtime's
        // checked parts, one builder per operation in a table.
        "static BUILDERS: &[Builder<Input>]",
        "let p_thing_id = p.path();",
        "Some(Input::ThingsUpdate {",
        "pub static PATTERN_0",
        "\"^a+$\"",
        "pub fn body_schema(",
        "pub fn check(",
        // The route carries the rules the runtime checks and the body.
        "ParamRule::path(\"thingId\"",
        "body: Some(Body::json(&schemas::",
        // The client hands the route and its arguments to the runtime.
        "pub async fn things_update(",
        ".body(body)",
    ] {
        assert!(code.contains(needle), "missing `{needle}`");
    }
    let without_client = generate_str(
        "t.yaml",
        &spec("{type: object}", "{type: object}"),
        &EmitOptions {
            client: false,
            server: true,
            ..EmitOptions::default()
        },
    )
    .unwrap();
    assert!(without_client.contains("pub mod server"));
    assert!(!without_client.contains("pub struct Client"));
    // By default a client alone: the server side is asked for, or brought
    // by the dispatcher, whose `API` holds the server's reader.
    let client_only = generate_str(
        "t.yaml",
        &spec("{type: object}", "{type: object}"),
        &EmitOptions::default(),
    )
    .unwrap();
    assert!(client_only.contains("pub struct Client"));
    assert!(!client_only.contains("pub mod server"));
    assert!(!client_only.contains("server::handle"));
    let with_dispatcher = generate_str(
        "t.yaml",
        &spec("{type: object}", "{type: object}"),
        &EmitOptions {
            dispatcher: true,
            ..EmitOptions::default()
        },
    )
    .unwrap();
    assert!(with_dispatcher.contains("pub mod server"));
    assert!(with_dispatcher.contains("serve: dispatch::serve"));
}

/// Diamond-shaped inheritance: every level's two parts share the next
/// level as their base, so the `allOf` tree has 2^30 paths. Reading
/// `allOf` as inheritance must neither walk nor unfold all of them:
/// before the walk was memoised and budgeted this never finished.
#[test]
fn diamond_inheritance_stays_small() {
    const LEVELS: usize = 30;
    let mut schemas = String::new();
    for i in 0..LEVELS {
        let next = i + 1;
        schemas.push_str(&format!(
            "    t{i}:\n      allOf:\n        - $ref: '#/components/schemas/a{next}'\n        - $ref: '#/components/schemas/b{next}'\n"
        ));
        for side in ["a", "b"] {
            schemas.push_str(&format!(
                "    {side}{next}:\n      allOf:\n        - $ref: '#/components/schemas/t{next}'\n        - type: object\n          properties: {{{side}{next}: {{type: string}}}}\n          additionalProperties: {{type: object}}\n"
            ));
        }
    }
    schemas.push_str(&format!(
        "    t{LEVELS}:\n      type: object\n      properties: {{id: {{type: string}}}}\n      additionalProperties: {{type: object}}\n"
    ));
    let text = format!(
        r#"openapi: 3.0.3
info: {{title: t, version: v}}
paths:
  /things:
    post:
      operationId: things_create
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/t0'}}
      responses:
        '204': {{description: done}}
components:
  schemas:
{schemas}"#
    );
    let code = generate_str("diamond.yaml", &text, &EmitOptions::default()).unwrap();
    assert!(
        code.contains("pub static T0:"),
        "the top type has a validator"
    );
    // Budgeted: far fewer lines than 2^30 inlined copies would take.
    assert!(
        code.lines().count() < 200_000,
        "{} lines",
        code.lines().count()
    );
}

#[test]
fn combinators_beside_other_keywords_merge_where_sound() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/diagnostics/57-allof-beside-properties.yaml"),
    )
    .unwrap();
    let api = codegen::model_from_str("57.yaml", &text).unwrap();
    assert_eq!(api.warnings.len(), 1, "only the oneOf warns");
    let code = generate_str("57.yaml", &text, &EmitOptions::default()).unwrap();
    // allOf + properties: one struct with the base's and its own fields.
    let dog = code.split("pub struct Dog {").nth(1).unwrap();
    let dog = &dog[..dog.find('}').unwrap()];
    assert!(dog.contains("pub barks: Option<bool>"), "{dog}");
    assert!(dog.contains("pub name: String"), "{dog}");
    // oneOf + properties: a JSON value, every keyword still validated.
    assert!(code.contains("pub type Tag = ::openapi_runtime::serde_json::Value;"));
}
