//! What the generator does for request validation: it refuses what the
//! validators cannot enforce (naming the keyword and where it is), and it
//! emits the validators and the server entry point for every operation.

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

#[test]
fn unknown_formats_in_request_schemas_fail_generation() {
    let body = "{type: object, properties: {mail: {type: string, format: email}}}";
    let report = errors(body, "{type: object}").expect("an email format cannot be enforced");
    assert!(report.contains("format `email`"), "{report}");
    assert!(
        report.contains("requestBody/content/application~1json/schema/properties/mail/format"),
        "{report}"
    );
    assert!(
        report.contains("t.yaml:"),
        "the report gives the line: {report}"
    );
}

#[test]
fn formats_only_responses_use_stay_annotations() {
    let response = "{type: object, properties: {mail: {type: string, format: email}}}";
    assert_eq!(errors("{type: object}", response), None);
}

#[test]
fn enforced_formats_pass() {
    let body = "{type: object, properties: {a: {type: string, format: date-time}, b: {type: string, format: uuid}, c: {type: integer, format: int32}, d: {type: number, format: double}, e: {type: string, format: duration}}}";
    assert_eq!(errors(body, "{type: object}"), None);
}

#[test]
fn body_values_the_rust_types_cannot_hold_fail_generation() {
    let unbounded = "{type: object, properties: {n: {type: integer}}}";
    let report = errors(unbounded, "{type: object}").expect("i64 cannot hold every integer");
    assert!(report.contains("`integer` without `format`"), "{report}");
    let float = "{type: object, properties: {x: {type: number, format: float}}}";
    let report = errors(float, "{type: object}").expect("f32 cannot hold every number");
    assert!(report.contains("format: float"), "{report}");
    // Bounded, or untyped inside anyOf: fine (and the unbounded `$top`
    // parameter is not held to this).
    let bounded = "{type: object, properties: {n: {type: integer, minimum: 0, maximum: 10}}}";
    assert_eq!(errors(bounded, "{type: object}"), None);
    let untyped = "{type: object, properties: {n: {anyOf: [{type: integer}, {type: string}]}}}";
    assert_eq!(errors(untyped, "{type: object}"), None);
}

#[test]
fn validators_and_server_are_emitted() {
    let code = generate_str(
        "t.yaml",
        &spec(
            "{type: object, properties: {n: {type: string, pattern: '^a+$'}}}",
            "{type: object}",
        ),
        &EmitOptions::default(),
    )
    .unwrap();
    for needle in [
        "pub mod validate",
        "pub mod server",
        "pub fn handle(",
        "pub enum Input",
        "ThingsUpdate {",
        "pub use ::graph_runtime::validate::serve::Rejection;",
        // The server builds the operation's input from the runtime's
        // checked parts.
        "fn things_update(parts: &mut Parts<'_>) -> Option<Input>",
        "pub static PATTERN_0",
        "\"^a+$\"",
        "pub fn body_schema(",
        "pub fn check(",
        // The route carries the rules the runtime checks and the body.
        "ParamRule::path(\"thingId\"",
        "body: Some(Body::json(&super::validate::schemas::",
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
            ..EmitOptions::default()
        },
    )
    .unwrap();
    assert!(without_client.contains("pub mod server"));
    assert!(!without_client.contains("pub struct Client"));
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
