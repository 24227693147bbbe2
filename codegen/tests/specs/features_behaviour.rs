//! Behaviour of the client generated from `features.yaml`, copied into the
//! generated crate as `tests/behaviour.rs` by `real_modules.rs`. Real HTTP:
//! a loopback server records what the client sends and answers with canned
//! responses.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use features_client::params::{
    FooBar2Params, FooBar2Params2, HostsPutParams, LabelsFindParams, ProjectsArchiveParams,
    ThingsDeleteParams, ThingsListParams,
};
use features_client::server::{Input, Rejection, handle};
use features_client::types::{
    Entity, HostsPutBody, Kind, Level, LoginBody, NullableLevel, Owner, Pet, Thing,
    ThingsListSelectItem,
};
use features_client::{Client, routes};
use openapi_runtime::validate::client::RawBody;
use openapi_runtime::validate::media::RawPayload;

/// One request as the server saw it: request line, lower-cased headers, body.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn answer(method: &str, target: &str) -> (u16, &'static str, Vec<u8>) {
    let path = target.split('?').next().unwrap_or("");
    match (method, path) {
        (_, p) if ["/v1/keys", "/v1/reports", "/v1/search"].iter().any(|s| p.starts_with(s)) => {
            (204, "", Vec::new())
        }
        ("GET", "/v1/things") => (
            200,
            "application/json",
            br##"{"@odata.context":"https://x/$metadata#things","value":[{"id":"1","displayName":null,"level":"-INF","maybeLevel":null,"@odata.type":"#ns.thing","counts":{"a":1},"parent":{"id":"0","level":"1.0"}}],"@odata.nextLink":null}"##.to_vec(),
        ),
        ("POST", "/v1/things") => (201, "application/json", br#"{"id":"new","level":""}"#.to_vec()),
        ("PATCH", _) => (200, "", Vec::new()),
        ("DELETE", _) => (
            404,
            "application/json",
            br#"{"error":{"code":"NotFound","message":"no such thing"}}"#.to_vec(),
        ),
        ("GET", "/v1/things/full") => (200, "application/json", br#"{"id":"full"}"#.to_vec()),
        ("GET", "/v1/things/empty") => (204, "", Vec::new()),
        ("GET", p) if p.starts_with("/v1/pets/") => (
            200,
            "application/json",
            br#"{"name":"rex","kind":"dog","owner":{"name":"ann","pets":[{"name":"tom","kind":"cat"}]}}"#.to_vec(),
        ),
        ("GET", "/v1/labels") => (204, "", Vec::new()),
        ("POST", "/v1/readings") => (
            200,
            "application/json",
            br#"[{"value":5,"range":{"from":0}},{"value":2.5,"range":null},{"value":"five"},{"value":{"from":1,"to":2}}]"#.to_vec(),
        ),
        ("POST", "/v1/animals") => (200, "application/json", br#"{"kind":"kitten","lives":9}"#.to_vec()),
        ("PUT", "/v1/vehicles") => (200, "application/json", br#"{"type":"bike","gears":3}"#.to_vec()),
        ("GET", p) if p.starts_with("/v1/store/") => (204, "", Vec::new()),
        ("PUT", p) if p.starts_with("/v1/upload/") => (204, "", Vec::new()),
        ("GET", "/v1/quotas") => (
            429,
            "application/problem+json",
            br#"{"title":"over quota","status":429,"detail":"try tomorrow","retryable":false}"#.to_vec(),
        ),
        ("PUT", p) if p.starts_with("/v1/uploads/") => (204, "", Vec::new()),
        ("POST", "/v1/accounts") => (200, "application/json", br#"{"name":"ann","active":true,"tier":null}"#.to_vec()),
        ("PUT", "/v1/shapes") => (200, "application/json", br#"{"shapeType":"Square","side":2}"#.to_vec()),
        ("GET", p) if p.starts_with("/v1/tiles/") || p.starts_with("/v1/layers/") => (204, "", Vec::new()),
        ("POST", "/v1/parcels/letter") => (200, "application/json", br#"{"pages":3}"#.to_vec()),
        ("POST", "/v1/parcels/package") => (200, "application/json", br#"{"weight":2.5}"#.to_vec()),
        ("POST", "/v1/parcels/neither") => (200, "application/json", br#"{"pages":0}"#.to_vec()),
        ("POST", "/v1/parcels/both") => (200, "application/json", br#"{"pages":1,"weight":1}"#.to_vec()),
        ("GET", _) => (200, "application/octet-stream", vec![0, 1, 2, 255]),
        ("PUT", _) => (200, "text/plain", b"stored".to_vec()),
        _ => (204, "", Vec::new()),
    }
}

fn serve() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
            let length = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut parts = line.split_whitespace();
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let (status, content_type, reply) = answer(method, target);
            log.lock().unwrap().push(Seen { line: line.trim_end().to_string(), headers, body });
            let mut head = format!("HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-length: {}\r\n", reply.len());
            if !content_type.is_empty() {
                head.push_str(&format!("content-type: {content_type}\r\n"));
            }
            if target == "/v1/quotas" {
                head.push_str("x-request-id: quota-7\r\nretry-after: 0\r\n");
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&reply).unwrap();
        }
    });
    (base, seen)
}

fn client(base: &str) -> Client {
    let runtime = openapi_runtime::Client::builder()
        .base_url(base)
        .token(openapi_runtime::SecretToken::from("secret-token".to_string()))
        .build()
        .unwrap();
    Client::new(runtime)
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else if bytes[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn query_pairs(line: &str) -> Vec<(String, String)> {
    let target = line.split_whitespace().nth(1).unwrap();
    let Some((_, query)) = target.split_once('?') else { return Vec::new() };
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn enum_values_that_are_not_identifiers_round_trip() {
    let all = [
        (Level::MinusInf, "-INF"),
        (Level::Inf, "INF"),
        (Level::NaN, "NaN"),
        (Level::_1_0, "1.0"),
        (Level::Empty, ""),
        (Level::Low, "low"),
        (Level::Low2, "Low"),
        (Level::UnknownFutureValue, "unknownFutureValue"),
    ];
    for (variant, text) in all {
        assert_eq!(variant.as_str(), text);
        assert_eq!(variant.to_string(), text);
        let json = serde_json::to_string(&variant).unwrap();
        assert_eq!(json, format!("{text:?}"));
        assert_eq!(serde_json::from_str::<Level>(&json).unwrap(), variant);
    }
    assert!(serde_json::from_str::<Level>("\"inf\"").is_err());
    assert_eq!(ThingsListSelectItem::Asterisk.as_str(), "*");
    assert_eq!(ThingsListSelectItem::IdDesc.as_str(), "id desc");
}

#[test]
fn all_of_inheritance_is_one_struct_with_parent_fields_and_open_extras() {
    let json = r##"{"id":"7","displayName":null,"size":9007199254740993,"@odata.type":"#ns.thing","maybeLevel":null,"extra":5}"##;
    let thing: Thing = serde_json::from_str(json).unwrap();
    assert_eq!(thing.id.as_deref(), Some("7")); // from ns.entity
    assert_eq!(thing.size, Some(9007199254740993)); // int64 kept exactly
    assert_eq!(thing.display_name, None);
    assert_eq!(thing.maybe_level, None::<NullableLevel>);
    assert_eq!(thing.odata_type.as_deref(), Some("#ns.thing")); // declared by ns.entity
    assert_eq!(thing.additional_properties["extra"], 5);
    // Absent optional fields are not written back; extras are.
    let back = serde_json::to_value(&thing).unwrap();
    assert_eq!(
        back,
        serde_json::json!({"id":"7","size":9007199254740993i64,"@odata.type":"#ns.thing","extra":5})
    );
}

#[test]
fn recursive_schemas_are_boxed_and_nest() {
    let json = r#"{"id":"a","parent":{"id":"b","parent":{"id":"c"}},"children":[{"id":"d"}]}"#;
    let thing: Thing = serde_json::from_str(json).unwrap();
    let parent = thing.parent.as_ref().unwrap();
    assert_eq!(parent.parent.as_ref().unwrap().id.as_deref(), Some("c"));
    assert_eq!(thing.children.as_ref().unwrap()[0].id.as_deref(), Some("d"));
}

#[test]
fn query_and_header_parameters_follow_their_style() {
    let params = ThingsListParams {
        select: Some(vec![ThingsListSelectItem::Id, ThingsListSelectItem::DisplayName]),
        top: Some(5),
        tag: Some(vec!["a".into(), "b c".into()]),
        consistency_level: Some("eventual".into()),
    };
    // What the runtime writes from the serialised parameters and the
    // route's rules (style, explode), after checking them.
    fn written<P: openapi_runtime::serde::Serialize>(
        route: &'static openapi_runtime::Route,
        params: &P,
    ) -> (Vec<(String, String)>, Vec<(&'static str, String)>) {
        let args = openapi_runtime::Args::new(&[]).params(params);
        let checked = openapi_runtime::validate::client::check(route, &args).expect("valid");
        let query = checked.query.into_iter().map(|(k, v)| (k.into_owned(), v)).collect();
        (query, checked.headers)
    }
    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
    let (query, headers) = written(&routes::THINGS_LIST, &params);
    assert_eq!(
        query,
        pairs(&[("$select", "id,displayName"), ("$top", "5"), ("tag", "a"), ("tag", "b c")])
    );
    assert_eq!(headers, vec![("ConsistencyLevel", "eventual".to_string())]);
    // An empty explode:false list is left out, as RFC 6570 says.
    let empty = ThingsListParams { select: Some(vec![]), ..Default::default() };
    assert!(written(&routes::THINGS_LIST, &empty).0.is_empty());
    // Names that collide once sanitised got distinct structs.
    // (`fooBar_2` is `foo_bar_2`, `foo_bar` is `foo_bar2`: both PascalCase
    // to `FooBar2`.)
    let foo_bar_2 = written(&routes::FOO_BAR_2, &FooBar2Params { a: Some(true) });
    assert_eq!(foo_bar_2.0, pairs(&[("a", "true")]));
    let foo_bar = written(&routes::FOO_BAR2, &FooBar2Params2 { a: Some(1_i64) });
    assert_eq!(foo_bar.0, pairs(&[("a", "1")]));
}

#[tokio::test]
async fn a_tagged_value_is_checked_as_its_mapped_type_before_sending() {
    let (base, seen) = serve();
    let client = client(&base);
    // `related` is declared as ns.entity; the tag makes it an ns.thing,
    // whose `size` is an int64 (to ns.entity alone it would have to be an
    // object, like every property it does not declare).
    let related = |tag: &str, size: serde_json::Value| {
        let mut entity = Entity { odata_type: Some(tag.into()), ..Default::default() };
        entity.additional_properties.insert("size".into(), size);
        Thing { related: Some(entity), ..Default::default() }
    };
    let refused = [
        ("#ns.thing", serde_json::json!("big")), // the thing's int64 rule
        ("#ns.other", serde_json::json!(5)),     // no mapping: ns.entity's rule
    ];
    for (tag, size) in refused {
        let err = client.things_update("a", &related(tag, size)).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/body/related/size") && text.contains("(type)"), "{text}");
    }
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");
    client.things_update("a", &related("#ns.thing", serde_json::json!(5))).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn every_method_goes_over_the_wire_as_documented() {
    let (base, seen) = serve();
    let client = client(&base);

    // GET with query and header parameters, typed JSON body (200).
    let params = ThingsListParams {
        select: Some(vec![ThingsListSelectItem::Id, ThingsListSelectItem::IdDesc]),
        top: Some(2),
        tag: Some(vec!["x".into(), "y".into()]),
        consistency_level: Some("eventual".into()),
    };
    let page = client.things_list(&params).await.unwrap();
    let first = &page.value.as_ref().unwrap()[0];
    assert_eq!(first.level, Some(Level::MinusInf));
    assert_eq!(first.parent.as_ref().unwrap().level, Some(Level::_1_0));
    assert_eq!(first.counts.as_ref().unwrap()["a"], 1);
    assert_eq!(page.additional_properties["@odata.context"], "https://x/$metadata#things");

    // POST with a JSON body, typed JSON result (201).
    let created = client
        .things()
        .post(&Thing { id: Some("n".into()), level: Some(Level::Empty), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("new"));

    // PATCH with a body, `2XX` without content.
    client.things_update("a/b", &Thing::default()).await.unwrap();

    // DELETE with a required header; the `default` error decodes.
    let err = client
        .things_delete("gone", &ThingsDeleteParams { if_match: "*".into() })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.graph_code(), Some("NotFound"));
    assert!(!format!("{err:?}{err}").contains("secret-token"));

    // GET of an octet-stream body (deprecated operation, fluent path).
    #[allow(deprecated)]
    let bytes = client.paths().things().by_params("x").content().get().await.unwrap();
    assert_eq!(bytes, vec![0, 1, 2, 255]);

    // `200` with a body beside `204` without one: an Option.
    let full = client.things_get("full").await.unwrap();
    assert_eq!(full.and_then(|t| t.id).as_deref(), Some("full"));
    assert_eq!(client.things_get("empty").await.unwrap(), None);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 7, "{seen:#?}");
    assert!(seen[0].line.starts_with("GET /v1/things?"), "{}", seen[0].line);
    assert_eq!(
        query_pairs(&seen[0].line),
        vec![
            ("$select".to_string(), "id,id desc".to_string()),
            ("$top".to_string(), "2".to_string()),
            ("tag".to_string(), "x".to_string()),
            ("tag".to_string(), "y".to_string()),
        ]
    );
    assert_eq!(header(&seen[0], "consistencylevel"), Some("eventual"));
    assert_eq!(header(&seen[0], "authorization"), Some("Bearer secret-token"));
    assert!(seen[0].body.is_empty());

    assert_eq!(seen[1].line, "POST /v1/things HTTP/1.1");
    assert_eq!(header(&seen[1], "content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(sent, serde_json::json!({"id": "n", "level": ""}));

    assert_eq!(seen[2].line, "PATCH /v1/things/a%2Fb HTTP/1.1");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&seen[2].body).unwrap(), serde_json::json!({}));

    assert_eq!(seen[3].line, "DELETE /v1/things/gone HTTP/1.1");
    assert_eq!(header(&seen[3], "if-match"), Some("*"));
    assert!(seen[3].body.is_empty());

    assert_eq!(seen[4].line, "GET /v1/things/x/content HTTP/1.1");
}

#[tokio::test]
async fn formats_are_checked_before_sending_and_undocumented_responses_come_back_as_bytes() {
    let (base, seen) = serve();
    let client = client(&base);
    let good = HostsPutBody {
        mac: Some("00:1a:2b:3c:4d:5e".into()),
        opens: Some("08:30:00+02:00".into()),
        owner: Some("ops@example.com".into()),
        serial: Some(u64::MAX),
        ..Default::default()
    };
    let port = HostsPutParams { port: Some(65535) };
    let refused = [
        ("192.0.2.300", good.clone(), "/path/address"),
        ("192.0.2.1", HostsPutBody { mac: Some("00:1a:2b".into()), ..good.clone() }, "/body/mac"),
        ("192.0.2.1", HostsPutBody { opens: Some("8:30".into()), ..good.clone() }, "/body/opens"),
        ("192.0.2.1", HostsPutBody { owner: Some("ops at example".into()), ..good.clone() }, "/body/owner"),
    ];
    for (address, body, place) in refused {
        let err = client.hosts_put(address, &port, &body).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains(place) && text.contains("(format)"), "{text}");
    }
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");
    // `responses: {}`: any success, its body as bytes.
    let reply = client.hosts_put("192.0.2.1", &port, &good).await.unwrap();
    assert_eq!(reply, b"stored".to_vec());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].line, "PUT /v1/hosts/192.0.2.1?port=65535 HTTP/1.1");
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(sent["serial"], serde_json::json!(u64::MAX));
}

#[tokio::test]
async fn choices_of_scalars_are_parameters_checked_before_sending_and_read_back() {
    use features_client::server::{Input, handle};
    use features_client::types::{NameOrId, ProjectsArchiveBy};
    let (base, seen) = serve();
    let client = client(&base);
    let by = |value: ProjectsArchiveBy| ProjectsArchiveParams { by: Some(value) };
    // A name or a uuid in the path (a string newtype); a positive integer
    // or a lower-case word in the query (an untagged enum). `123` stays
    // the string it is: a name must start with a letter and a uuid has
    // dashes, so it is neither.
    let refused = [
        ("Bad_Name", by(ProjectsArchiveBy::Integer(7)), "/path/project"),
        ("123", by(ProjectsArchiveBy::Integer(7)), "/path/project"),
        ("web", by(ProjectsArchiveBy::Integer(0)), "/query/by"),
        ("web", by(ProjectsArchiveBy::String("Ops".into())), "/query/by"),
    ];
    for (project, params, place) in refused {
        let err = client.projects_archive(project, &params).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains(place), "{text}");
    }
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");
    let name = NameOrId::from("web-site");
    assert_eq!((name.as_str(), name.to_string()), ("web-site", "web-site".to_string()));
    client.projects_archive(name.clone(), &by(ProjectsArchiveBy::Integer(7))).await.unwrap();
    let uuid = "123e4567-e89b-12d3-a456-426614174000";
    let ops = by(ProjectsArchiveBy::String("ops".into()));
    client.projects_archive(uuid, &ops).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].line, "POST /v1/projects/web-site/archive?by=7 HTTP/1.1");
    assert_eq!(seen[1].line, format!("POST /v1/projects/{uuid}/archive?by=ops HTTP/1.1"));
    // The generated server reads both back into the same types.
    let sent = [(name, by(ProjectsArchiveBy::Integer(7))), (NameOrId::from(uuid), ops)];
    for (request, (project, params)) in seen.iter().zip(sent) {
        let target = request.line.split_whitespace().nth(1).unwrap().strip_prefix("/v1").unwrap();
        let (path, query) = target.split_once('?').unwrap();
        let matched = handle("POST", path, Some(query), &[("authorization", "Bearer t")], b"").unwrap();
        assert_eq!(matched.input, Input::ProjectsArchive { project, params });
    }
}

#[tokio::test]
async fn choices_are_enums_sent_and_received_over_the_wire() {
    use features_client::server::{Input, handle};
    use features_client::types::{
        Animal, Bike, Car, Cat, Dog, Range, Reading, ReadingValue, Vehicle,
    };
    let (base, seen) = serve();
    let client = client(&base);
    let range = |from, to| Range { from: Some(from), to, ..Default::default() };
    let reading = |value| Reading { value, range: None, additional_properties: Default::default() };
    let dog = |name: &str| Dog { kind: "dog".into(), name: name.into(), additional_properties: Default::default() };
    let cat = |kind: &str, lives| Cat { kind: kind.into(), lives, additional_properties: Default::default() };
    let car = |seats| Vehicle::Car(Car { seats, additional_properties: Default::default() });

    // What breaks a variant's own rules is refused before sending.
    let text = |err: openapi_runtime::Error| err.to_string();
    let long = text(client.readings_add(&reading(ReadingValue::String("far too long".into()))).await.unwrap_err());
    assert!(long.contains("/body/value"), "{long}");
    let nameless = text(client.animals_add(&Animal::Dog(dog(""))).await.unwrap_err());
    assert!(nameless.contains("/body/name") && nameless.contains("(minLength)"), "{nameless}");
    let ten = text(client.animals_add(&Animal::Cat(cat("cat", 10))).await.unwrap_err());
    assert!(ten.contains("/body/lives") && ten.contains("(maximum)"), "{ten}");
    let seatless = text(client.vehicles_put(&car(0)).await.unwrap_err());
    assert!(seatless.contains("/body/seats") && seatless.contains("(minimum)"), "{seatless}");
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");

    // Untagged: the JSON type of a value picks its variant (an integer
    // before a number); Graph's nullable reference is an `Option`.
    let back = client.readings_add(&reading(ReadingValue::Range(range(1, Some(2))))).await.unwrap();
    let values: Vec<ReadingValue> = back.iter().map(|r| r.value.clone()).collect();
    assert_eq!(
        values,
        [
            ReadingValue::Integer(5),
            ReadingValue::Number(2.5),
            ReadingValue::String("five".into()),
            ReadingValue::Range(range(1, Some(2))),
        ]
    );
    assert_eq!(back[0].range, Some(range(0, None)));
    assert_eq!(back[1].range, None);
    // Tagged by a property each variant declares: read by the tag (two
    // tags name `Cat`), written by the variant.
    let got = client.animals_add(&Animal::Dog(dog("rex"))).await.unwrap();
    assert_eq!(got, Animal::Cat(cat("kitten", 9)));
    assert!(serde_json::from_str::<Animal>(r#"{"kind":"bird"}"#).is_err());
    assert!(serde_json::from_str::<Animal>(r#"{"name":"rex"}"#).is_err());
    // Tagged by a property only the discriminator names: serde writes it.
    let got = client.vehicles_put(&car(4)).await.unwrap();
    assert_eq!(got, Vehicle::Bike(Bike { gears: Some(3), ..Default::default() }));

    let seen = seen.lock().unwrap().clone();
    let bodies: Vec<serde_json::Value> =
        seen.iter().map(|s| serde_json::from_slice(&s.body).unwrap()).collect();
    assert_eq!(
        bodies,
        [
            serde_json::json!({"value": {"from": 1, "to": 2}}),
            serde_json::json!({"kind": "dog", "name": "rex"}),
            serde_json::json!({"type": "car", "seats": 4}),
        ]
    );
    // The generated server reads each body into the same enum.
    let json = [("authorization", "Bearer t"), ("content-type", "application/json")];
    let input = |method, path, body: &serde_json::Value| {
        handle(method, path, None, &json, body.to_string().as_bytes()).unwrap().input
    };
    assert_eq!(
        input("POST", "/readings", &bodies[0]),
        Input::ReadingsAdd { body: reading(ReadingValue::Range(range(1, Some(2)))) }
    );
    assert_eq!(input("POST", "/animals", &bodies[1]), Input::AnimalsAdd { body: Animal::Dog(dog("rex")) });
    assert_eq!(input("PUT", "/vehicles", &bodies[2]), Input::VehiclesPut { body: car(4) });
}

/// `/pets/{petId}` comes from `features/pets.yaml`, its parameter from a
/// component of that file, `Pet` from `features/schemas/pet.yaml` (a whole
/// file), `Owner` from a file that refers back to `pet.yaml`, `Kind` from
/// a JSON file: one client, every rule checked.
#[tokio::test]
async fn a_spec_in_several_files_is_one_client() {
    let (base, seen) = serve();
    let client = client(&base);
    let pet = |name: &str| Pet {
        name: name.into(),
        kind: Some(Kind::Cat),
        owner: Some(Owner { name: Some("ann".into()), ..Default::default() }),
        additional_properties: Default::default(),
    };
    let refused = [
        ("rex", pet(""), "/body/name"),       // minLength in pet.yaml
        ("Rex!", pet("rex"), "/path/petId"), // pattern in pets.yaml
    ];
    for (id, body, place) in refused {
        let err = client.pets_store(id, &body).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains(place), "{text}");
    }
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");
    client.pets_store("rex", &pet("rex")).await.unwrap();
    let got = client.pets_get("rex").await.unwrap();
    assert_eq!(got.kind, Some(Kind::Dog));
    let owner = got.owner.unwrap();
    assert_eq!(owner.pets.unwrap()[0].kind, Some(Kind::Cat)); // back in pet.yaml
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].line, "POST /v1/pets/rex HTTP/1.1");
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(sent, serde_json::json!({"name": "rex", "kind": "cat", "owner": {"name": "ann"}}));
    assert_eq!(seen[1].line, "GET /v1/pets/rex HTTP/1.1");
}

#[tokio::test]
async fn bodies_that_are_not_json_go_over_the_wire_in_their_media_type() {
    let (base, seen) = serve();
    let client = client(&base);
    client.uploads_put("a.bin", &[0, 159, 255]).await.unwrap();
    // A text success comes back as a string.
    let note: String = client.notes_put("héllo").await.unwrap();
    assert_eq!(note, "stored");
    let login = LoginBody { user: "ana maria".into(), remember: Some(true), tries: Some(2) };
    client.login(&login).await.unwrap();
    let multipart = b"--XyZ\r\ncontent-type: text/plain\r\n\r\nab\r\n--XyZ--\r\n";
    client.bundles_add(RawBody::new("multipart/mixed; boundary=XyZ", multipart)).await.unwrap();
    client.blobs_add(RawBody::new("image/png", &[137, 80])).await.unwrap();
    // Two media types: JSON is the typed method's; CSV goes raw through
    // the runtime, under its own type.
    client.imports_create(&Thing { id: Some("i".into()), ..Default::default() }).await.unwrap();
    let csv = openapi_runtime::Args::new(&[]).raw(RawBody::new("text/csv", b"id\ni\n"));
    client.runtime().call(&routes::IMPORTS_CREATE, csv).await.unwrap();
    // A binary body may be a file, read in chunks as it is sent; so may
    // a raw one.
    let file = std::env::temp_dir().join(format!("features-upload-{}.bin", std::process::id()));
    std::fs::write(&file, [7u8; 5000]).unwrap();
    client.uploads_put("c.bin", openapi_runtime::Upload::file(&file).unwrap()).await.unwrap();
    client.blobs_add(RawBody::new("image/png", openapi_runtime::Upload::file(&file).unwrap())).await.unwrap();
    std::fs::remove_file(&file).unwrap();

    let seen = seen.lock().unwrap().clone();
    // A text success is asked for by its type; JSON stays for errors.
    assert_eq!(header(&seen[1], "accept"), Some("text/plain, application/json"));
    assert_eq!(header(&seen[0], "accept"), Some("application/json"));
    let sent: Vec<(&str, Option<&str>, &[u8])> = seen
        .iter()
        .map(|s| (s.line.as_str(), header(s, "content-type"), s.body.as_slice()))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("PUT /v1/uploads/a.bin HTTP/1.1", Some("application/octet-stream"), &[0u8, 159, 255][..]),
            ("PUT /v1/notes HTTP/1.1", Some("text/plain"), "héllo".as_bytes()),
            ("POST /v1/login HTTP/1.1", Some("application/x-www-form-urlencoded"), &b"remember=true&tries=2&user=ana+maria"[..]),
            ("POST /v1/bundles HTTP/1.1", Some("multipart/mixed; boundary=XyZ"), &multipart[..]),
            ("POST /v1/blobs HTTP/1.1", Some("image/png"), &[137u8, 80][..]),
            ("POST /v1/imports HTTP/1.1", Some("application/json"), &br#"{"id":"i"}"#[..]),
            ("POST /v1/imports HTTP/1.1", Some("text/csv"), &b"id\ni\n"[..]),
            ("PUT /v1/uploads/c.bin HTTP/1.1", Some("application/octet-stream"), &[7u8; 5000][..]),
            ("POST /v1/blobs HTTP/1.1", Some("image/png"), &[7u8; 5000][..]),
        ]
    );
    assert_eq!(header(&seen[7], "content-length"), Some("5000"));
    assert_eq!(header(&seen[8], "content-length"), Some("5000"));
}

#[tokio::test]
async fn bodies_that_are_not_json_are_checked_before_sending() {
    let (base, seen) = serve();
    let client = client(&base);
    let text = |err: openapi_runtime::Error| err.to_string();
    let long = text(client.notes_put("a note far longer than twenty").await.unwrap_err());
    assert!(long.contains("/body") && long.contains("(maxLength)"), "{long}");
    let bad = LoginBody { user: String::new(), remember: None, tries: Some(0) };
    let form = text(client.login(&bad).await.unwrap_err());
    assert!(form.contains("/body/user") && form.contains("(minLength)"), "{form}");
    assert!(form.contains("/body/tries") && form.contains("(minimum)"), "{form}");
    // A range admits any type within it; multipart must be multipart.
    let wrong = [
        client.blobs_add(RawBody::new("no-slash", b"x")).await,
        client.bundles_add(RawBody::new("text/plain", b"x")).await,
    ];
    for result in wrong {
        let message = text(result.unwrap_err());
        assert!(message.contains("/headers/content-type") && message.contains("(contentType)"), "{message}");
    }
    // A media type the operation does not document is not sent raw either.
    let xml = openapi_runtime::Args::new(&[]).raw(RawBody::new("text/xml", b"<a/>"));
    let message = text(client.runtime().call(&routes::IMPORTS_CREATE, xml).await.unwrap_err());
    assert!(message.contains("`text/xml` is not a media type the operation documents"), "{message}");
    // The wrong kind of body for the route is refused, not sent as JSON.
    let json = openapi_runtime::Args::new(&[]).body(&"hello");
    let message = text(client.runtime().call(&routes::NOTES_PUT, json).await.unwrap_err());
    assert!(message.contains("takes a `text/plain` body"), "{message}");
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");
}

#[tokio::test]
async fn a_choice_with_a_list_variant_is_sent_in_the_parameters_style() {
    use features_client::server::{Input, handle};
    use features_client::types::LabelsFindId;
    let (base, seen) = serve();
    let client = client(&base);
    let find = |id: LabelsFindId| LabelsFindParams { id: Some(id) };
    let one = find(LabelsFindId::String("a".into()));
    let list = find(LabelsFindId::Array(vec!["a".into(), "b c".into()]));
    client.labels_find(&one).await.unwrap();
    client.labels_find(&list).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(query_pairs(&seen[0].line), vec![("id".to_string(), "a".to_string())]);
    // `form` with `explode` (the default): one pair per item.
    assert_eq!(
        query_pairs(&seen[1].line),
        vec![("id".to_string(), "a".to_string()), ("id".to_string(), "b c".to_string())]
    );
    // The generated server reads each back as it was sent.
    for (request, sent) in seen.iter().zip([one, list]) {
        let target = request.line.split_whitespace().nth(1).unwrap().strip_prefix("/v1").unwrap();
        let (path, query) = target.split_once('?').unwrap();
        let matched = handle("GET", path, Some(query), &[("authorization", "Bearer t")], b"").unwrap();
        assert_eq!(matched.input, Input::LabelsFind { params: sent });
    }
}

#[test]
fn the_generated_server_reads_every_kind_of_body() {
    const AUTH: (&str, &str) = ("authorization", "Bearer t");
    let input = |method: &str, path: &str, content_type: &str, body: &[u8]| {
        handle(method, path, None, &[AUTH, ("content-type", content_type)], body)
            .map(|matched| matched.input)
    };
    assert_eq!(
        input("PUT", "/uploads/a", "application/octet-stream", &[1, 2]).unwrap(),
        Input::UploadsPut { name: "a".into(), body: vec![1, 2] }
    );
    assert_eq!(
        input("PUT", "/notes", "text/plain; charset=utf-8", b"hi").unwrap(),
        Input::NotesPut { body: "hi".into() }
    );
    // `Accept` may name the documented text response instead of JSON.
    let text_only = [AUTH, ("content-type", "text/plain"), ("accept", "text/plain")];
    assert!(handle("PUT", "/notes", None, &text_only, b"hi").is_ok());
    let csv_only = [AUTH, ("content-type", "text/plain"), ("accept", "text/csv")];
    assert!(handle("PUT", "/notes", None, &csv_only, b"hi").is_err());
    assert_eq!(
        input("POST", "/login", "application/x-www-form-urlencoded", b"user=ana&tries=3").unwrap(),
        Input::Login { body: LoginBody { user: "ana".into(), remember: None, tries: Some(3) } }
    );
    assert_eq!(
        input("POST", "/attachments", "multipart/form-data; boundary=b", b"--b--").unwrap(),
        Input::AttachmentsAdd {
            body: RawPayload { content_type: "multipart/form-data; boundary=b".into(), bytes: b"--b--".to_vec() }
        }
    );
    let refused = |method: &str, path: &str, content_type: &str, body: &[u8]| {
        match input(method, path, content_type, body) {
            Err(Rejection::Invalid { violations, .. }) => violations
                .into_iter()
                .map(|v| (v.location, v.keyword))
                .collect::<Vec<_>>(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    assert_eq!(
        refused("POST", "/login", "application/x-www-form-urlencoded", b"tries=0&other=1"),
        vec![
            ("/body".to_string(), "required"),
            ("/body/other".to_string(), "additionalProperties"),
            ("/body/tries".to_string(), "minimum"),
        ]
    );
    assert_eq!(
        refused("PUT", "/notes", "text/plain", &[0xff]),
        vec![("/body".to_string(), "encoding")]
    );
    assert_eq!(
        refused("PUT", "/uploads/a", "text/plain", b"x"),
        vec![("/headers/content-type".to_string(), "contentType")]
    );
    // The other documented media type is named, and refused here.
    assert_eq!(
        refused("POST", "/imports", "text/csv", b"id"),
        vec![("/headers/content-type".to_string(), "contentType")]
    );
}

/// A client of the features spec with these credentials and no token.
fn client_with(base: &str, build: impl FnOnce(openapi_runtime::ClientBuilder) -> openapi_runtime::ClientBuilder) -> Client {
    let runtime = build(openapi_runtime::Client::builder().base_url(base)).build().unwrap();
    Client::new(runtime)
}

#[tokio::test]
async fn api_keys_and_basic_credentials_are_sent_where_the_scheme_says_and_never_shown() {
    use openapi_runtime::SecretToken;
    let (base, seen) = serve();
    let keyed = client_with(&base, |b| {
        b.api_key("apiKey", SecretToken::from("header-secret"))
            .api_key("queryKey", SecretToken::from("query-secret"))
            .api_key("session", SecretToken::from("cookie-secret"))
    });
    let basic = client_with(&base, |b| b.basic_auth("ops", SecretToken::from("pass-secret")));
    keyed.keys_list().await.unwrap(); // first alternative: the header key
    keyed.keys_rotate().await.unwrap(); // query key and cookie together
    basic.keys_list().await.unwrap(); // second alternative: basic
    basic.keys_public().await.unwrap(); // `security: []`: nothing sent
    // What the client cannot meet is refused before sending, in words.
    let missing = basic.keys_rotate().await.unwrap_err();
    assert_eq!(
        missing.to_string(),
        "keys_rotate: not sent: the client holds no credentials for any security alternative \
         of the operation: API key `queryKey` (the query parameter `api_key`) and API key \
         `session` (the cookie `session`)"
    );
    let digest = keyed.keys_purge().await.unwrap_err();
    assert!(digest.to_string().ends_with("`digest`, which this runtime cannot send"), "{digest}");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "{seen:#?}");
    assert_eq!(seen[0].line, "GET /v1/keys HTTP/1.1");
    assert_eq!(header(&seen[0], "x-api-key"), Some("header-secret"));
    assert_eq!(header(&seen[0], "authorization"), None);
    assert_eq!(seen[1].line, "POST /v1/keys?api_key=query-secret HTTP/1.1");
    assert_eq!(header(&seen[1], "cookie"), Some("session=cookie-secret"));
    assert_eq!(header(&seen[1], "x-api-key"), None);
    // base64("ops:pass-secret")
    assert_eq!(header(&seen[2], "authorization"), Some("Basic b3BzOnBhc3Mtc2VjcmV0"));
    assert_eq!(header(&seen[3], "authorization"), None);
    assert_eq!(header(&seen[3], "x-api-key"), None);

    // The server side of the same spec: a request meets one alternative.
    let judge = |route: &'static openapi_runtime::Route, query, headers: &[(&str, &str)]| {
        let request = openapi_runtime::validate::request::RawRequest {
            method: route.method.as_str(),
            path: "/keys",
            query,
            headers,
            body: b"",
        };
        let mut out = Vec::new();
        request.check_security(route.security, &mut out);
        out.iter().map(|v| v.location.clone()).collect::<Vec<_>>()
    };
    assert!(judge(&routes::KEYS_LIST, None, &[("X-API-Key", "k")]).is_empty());
    assert!(judge(&routes::KEYS_LIST, None, &[("authorization", "Basic b3BzOnBhc3Mtc2VjcmV0")]).is_empty());
    assert_eq!(judge(&routes::KEYS_LIST, None, &[]), ["/headers/x-api-key"]);
    assert_eq!(judge(&routes::KEYS_ROTATE, Some("api_key=k"), &[]), ["/cookies/session"]);
    assert!(judge(&routes::KEYS_ROTATE, Some("api_key=k"), &[("cookie", "session=s")]).is_empty());

    // Secrets stay out of Debug output, of clients and of errors.
    let shown = format!("{keyed:?}{basic:?}{missing:?}{digest:?}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[tokio::test]
async fn operations_sharing_an_operation_id_or_lacking_one_get_names_of_their_own() {
    let (base, seen) = serve();
    let client = client(&base);
    // The first in path order keeps the operationId; the other is told
    // apart by its path.
    client.reports_get_counts("2026-12-04").await.unwrap();
    client.reports_get_counts_period("D7").await.unwrap();
    client.get_reports_latest().await.unwrap();
    // A path item `$ref` to another path: the same operation at its own
    // path, named apart.
    client.keys_public_open().await.unwrap();
    assert_eq!(routes::REPORTS_GET_COUNTS.operation_id, "reports.getCounts");
    assert_eq!(routes::REPORTS_GET_COUNTS.template, "/reports/counts(date={date})");
    assert_eq!(routes::REPORTS_GET_COUNTS_PERIOD.operation_id, "reports.getCounts_period");
    assert_eq!(routes::GET_REPORTS_LATEST.operation_id, "get_reports_latest");
    // Each is checked by its own rules: only the first takes dates.
    let err = client.reports_get_counts("D7").await.unwrap_err();
    assert!(err.to_string().contains("/path/date"), "{err}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4);
    assert!(seen[0].line.starts_with("GET /v1/reports/counts(date=2026-12-04)"), "{}", seen[0].line);
    assert!(seen[1].line.starts_with("GET /v1/reports/counts(period='D7')"), "{}", seen[1].line);
    assert_eq!(seen[2].line, "GET /v1/reports/latest HTTP/1.1");
    assert_eq!(seen[3].line, "GET /v1/keys/open HTTP/1.1");
}

#[tokio::test]
async fn styles_spell_arrays_and_objects_as_the_spec_says_and_the_server_reads_them_back() {
    use features_client::params::ThingsSearchParams;
    use features_client::types::{Range, ThingsSearchAround, ThingsSearchQ, ThingsSearchTheme};
    let (base, seen) = serve();
    let client = client(&base);
    let range = |from, to| Range { from: Some(from), to: Some(to), ..Default::default() };
    let params = ThingsSearchParams {
        ids: Some(vec!["a".into(), "b".into()]),
        tags: Some(vec!["x y".into(), "z".into()]),
        filter: Some(range(1, 5)),
        window: Some(Range { unit: Some("day".into()), ..range(0, 7) }),
        around: Some(ThingsSearchAround { lat: Some(1.5), long: Some(-2.25) }),
        x_span: Some(range(2, 3)),
        theme: ThingsSearchTheme::Dark,
        q: Some(ThingsSearchQ {
            term: "a&b".into(),
            fuzzy: Some(true),
            additional_properties: Default::default(),
        }),
    };
    client.things_search(&params).await.unwrap();
    // A bound of a deepObject's property is checked before sending.
    let bad = ThingsSearchParams { filter: Some(range(-1, 5)), ..params.clone() };
    let err = client.things_search(&bad).await.unwrap_err();
    assert!(err.to_string().contains("/query/filter/from"), "{err}");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let pairs = query_pairs(&seen[0].line);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("lat", "1.5"),
            ("long", "-2.25"),
            ("filter[from]", "1"),
            ("filter[to]", "5"),
            ("ids", "a b"),
            ("q", r#"{"fuzzy":true,"term":"a&b"}"#),
            ("tags", "x y|z"),
            ("window", "from,0,to,7,unit,day"),
        ]
    );
    assert_eq!(header(&seen[0], "x-span"), Some("from=2,to=3"));
    assert_eq!(header(&seen[0], "cookie"), Some("theme=dark"));

    // The generated server reads the same request back into the same
    // parameters.
    let target = seen[0].line.split_whitespace().nth(1).unwrap();
    let (path, query) = target.split_once('?').unwrap();
    let headers: Vec<(&str, &str)> =
        seen[0].headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let path = path.strip_prefix("/v1").unwrap();
    let matched =
        features_client::server::handle("GET", path, Some(query), &headers, b"").expect("the server takes it");
    match matched.input {
        features_client::server::Input::ThingsSearch { params: read } => assert_eq!(read, params),
        other => panic!("another operation: {other:?}"),
    }
    // What breaks a style is refused with its place.
    let broken = query.replace("window=from%2C0", "window=from");
    let refused =
        format!("{:?}", features_client::server::handle("GET", path, Some(&broken), &headers, b"").unwrap_err());
    assert!(refused.contains("/query/window") && refused.contains("style"), "{refused}");
}

/// Operations with servers of their own: under a loopback base URL, a
/// relative server and an absolute one both keep their path under the
/// base URL, so this server sees them; under another base URL, the
/// relative one resolves against it and the absolute one is used as it is.
#[tokio::test]
async fn operations_with_their_own_servers_go_where_the_spec_says() {
    let (base, seen) = serve();
    let client = client(&base);
    client.archive_get("a b").await.unwrap();
    client.archive_put("doc").await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].line, "GET /v1/store/archive/a%20b HTTP/1.1");
    assert_eq!(seen[1].line, "PUT /v1/upload/archive/doc HTTP/1.1");
    assert_eq!(routes::ARCHIVE_GET.servers[0].url, "/store");
    assert_eq!(routes::ARCHIVE_PUT.servers[0].url, "https://eu.files.example.invalid/upload");
    // The generated server finds them at the same places.
    for (method, path, id) in [("GET", "/store/archive/x", "archive_get"), ("PUT", "/upload/archive/x", "archive_put")] {
        let found = routes::ALL
            .iter()
            .find(|r| r.method.as_str() == method && r.match_path(path).is_some())
            .map(|r| r.operation_id);
        assert_eq!(found, Some(id), "{method} {path}");
    }
    assert!(!routes::ALL.iter().any(|r| r.match_path("/archive/x").is_some()));

    // A real base URL: where each request would go (a dry run sends nothing).
    let dry = client_with("https://api.example.invalid/v1", |b| b.dry_run(true));
    let url = |err: openapi_runtime::Error| match err {
        openapi_runtime::Error::DryRun(request) => request.url,
        other => panic!("expected a dry run, got {other}"),
    };
    assert_eq!(url(dry.archive_get("x").await.unwrap_err()), "https://api.example.invalid/store/archive/x");
    assert_eq!(url(dry.archive_put("x").await.unwrap_err()), "https://eu.files.example.invalid/upload/archive/x");
    assert_eq!(url(dry.keys_public().await.unwrap_err()), "https://api.example.invalid/v1/keys/public");
}

/// An error in the spec's own shape (not OData's): the caller reads the
/// documented body as the documented type, with the request id from a
/// header other than Graph's.
#[tokio::test]
async fn a_failure_comes_back_as_the_error_body_the_spec_documents() {
    use features_client::types::Problem;
    let (base, _seen) = serve();
    let runtime = openapi_runtime::Client::builder()
        .base_url(&base)
        .token(openapi_runtime::SecretToken::from("secret-token".to_string()))
        .retry(openapi_runtime::RetryPolicy::none())
        .build()
        .unwrap();
    let err = Client::new(runtime).quotas_get().await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    let problem: Problem = err.error_body_as().expect("a documented body").expect("a Problem");
    assert_eq!(problem.title, "over quota");
    assert_eq!(problem.status, 429);
    assert_eq!(problem.detail.as_deref(), Some("try tomorrow"));
    assert_eq!(problem.retryable, Some(false));
    assert_eq!(err.error_body().unwrap()["detail"], "try tomorrow");
    assert_eq!(err.request_id(), Some("quota-7"));
    assert_eq!(err.graph_code(), None);
    let shown = err.to_string();
    assert!(shown.starts_with("quotas_get: 429 Too Many Requests: {\"title\":\"over quota\""), "{shown}");
    assert!(!shown.contains("OData"), "{shown}");
    assert!(shown.contains("request-id quota-7"), "{shown}");
}

/// `not`, a boolean `enum` and a nullable `enum` (issue 17): each refused
/// before sending when broken, with its place and keyword; `null` passes a
/// nullable `enum` that does not list it; the generated server judges the
/// same way.
#[tokio::test]
async fn not_and_boolean_and_nullable_enums_are_checked_before_sending() {
    use features_client::server::{Input, Rejection, handle};
    use features_client::types::{Account, AccountTier};
    let (base, seen) = serve();
    let client = client(&base);
    let account = |name: &str| Account {
        name: name.into(),
        active: Some(true),
        tier: Some(AccountTier::Paid),
        quota: Some(serde_json::json!(5)),
        additional_properties: Default::default(),
    };
    let refused = [
        (account("root"), "/body/name", "(not)"),
        (Account { active: Some(false), ..account("ann") }, "/body/active", "(enum)"),
        (Account { quota: Some(serde_json::json!("lots")), ..account("ann") }, "/body/quota", "(not)"),
    ];
    for (body, place, keyword) in refused {
        let text = client.accounts_add(&body).await.unwrap_err().to_string();
        assert!(text.contains(place) && text.contains(keyword), "{text}");
    }
    // What the Rust type cannot spell, sent as JSON through the runtime.
    let gold = serde_json::json!({"name": "ann", "tier": "gold"});
    let text = client
        .runtime()
        .call(&routes::ACCOUNTS_ADD, openapi_runtime::Args::new(&[]).body(&gold))
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("/body/tier") && text.contains("(enum)"), "{text}");
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");

    let stored = client.accounts_add(&account("ann")).await.unwrap();
    assert_eq!((stored.active, stored.tier), (Some(true), None));
    let null_tier = serde_json::json!({"name": "ann", "tier": null, "active": true});
    client
        .runtime()
        .call(&routes::ACCOUNTS_ADD, openapi_runtime::Args::new(&[]).body(&null_tier))
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(sent, serde_json::json!({"name": "ann", "active": true, "tier": "paid", "quota": 5}));

    // The generated server: the same rules on raw requests.
    let json = [("authorization", "Bearer t"), ("content-type", "application/json")];
    let read = |body: serde_json::Value| handle("POST", "/accounts", None, &json, body.to_string().as_bytes());
    match read(null_tier).unwrap().input {
        Input::AccountsAdd { body } => assert_eq!((body.name.as_str(), body.tier), ("ann", None)),
        other => panic!("another operation: {other:?}"),
    }
    for (body, place, keyword) in [
        (serde_json::json!({"name": "admin"}), "/body/name", "not"),
        (serde_json::json!({"name": "ann", "active": false}), "/body/active", "enum"),
        (serde_json::json!({"name": "ann", "tier": "gold"}), "/body/tier", "enum"),
    ] {
        match read(body) {
            Err(Rejection::Invalid { violations, .. }) => {
                let found: Vec<(&str, &str)> =
                    violations.iter().map(|v| (v.location.as_str(), v.keyword)).collect();
                assert_eq!(found, [(place, keyword)]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

/// Discriminators without a `mapping` (issue 17): OpenAPI's implicit
/// mapping, the value naming the component. `Shape` is a `oneOf` and so a
/// tagged enum; `Gadget` is a base that `Phone` inherits, so a gadget
/// tagged `Phone` is judged by `Phone`'s rules.
#[tokio::test]
async fn a_discriminator_without_mapping_names_its_components() {
    use features_client::server::{Rejection, handle};
    use features_client::types::{Circle, Gadget, Shape, Square};
    let (base, seen) = serve();
    let client = client(&base);
    let circle = |radius| Shape::Circle(Circle { shape_type: "Circle".into(), radius, additional_properties: Default::default() });
    let gadget = |tag: &str, digits: serde_json::Value| {
        let mut gadget = Gadget { gadget_type: tag.into(), label: None, additional_properties: Default::default() };
        gadget.additional_properties.insert("digits".into(), digits);
        gadget
    };
    let text = client.shapes_put(&circle(-1.0)).await.unwrap_err().to_string();
    assert!(text.contains("/body/radius") && text.contains("(minimum)"), "{text}");
    let text = client.gadgets_add(&gadget("Phone", serde_json::json!(16))).await.unwrap_err().to_string();
    assert!(text.contains("/body/digits") && text.contains("(maximum)"), "{text}");
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");

    // Read by the tag, written by the variant.
    let back = client.shapes_put(&circle(1.5)).await.unwrap();
    assert_eq!(back, Shape::Square(Square { shape_type: "Square".into(), side: 2.0, additional_properties: Default::default() }));
    assert!(serde_json::from_str::<Shape>(r#"{"shapeType":"Triangle","side":1}"#).is_err());
    client.gadgets_add(&gadget("Phone", serde_json::json!(15))).await.unwrap();
    // A tag that names no component: the base's rules, which allow it.
    client.gadgets_add(&gadget("Toaster", serde_json::json!("many"))).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(sent, serde_json::json!({"shapeType": "Circle", "radius": 1.5}));

    let json = [("authorization", "Bearer t"), ("content-type", "application/json")];
    let refused = |method, path, body: serde_json::Value| match handle(method, path, None, &json, body.to_string().as_bytes()) {
        Err(Rejection::Invalid { violations, .. }) => {
            violations.into_iter().map(|v| (v.location, v.keyword)).collect::<Vec<_>>()
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused("POST", "/gadgets", serde_json::json!({"gadgetType": "Phone", "digits": 20})),
        [("/body/digits".to_string(), "maximum")]
    );
    assert_eq!(
        refused("PUT", "/shapes", serde_json::json!({"shapeType": "Square", "side": -2})),
        [("/body/side".to_string(), "minimum")]
    );
}

/// Path parameters in their styles (issue 17): each item percent-encoded
/// on its own, so a delimiter inside an item survives; what breaks the
/// schema is refused before sending; the generated server reads the path
/// back into the same typed values, and refuses a wrong spelling.
#[tokio::test]
async fn path_parameters_follow_their_style_and_read_back() {
    use features_client::server::{Input, Rejection, handle};
    use features_client::types::Range;
    let (base, seen) = serve();
    let client = client(&base);
    let bbox = Range { from: Some(1), to: Some(5), unit: Some("m,s".into()) };
    let refused = [
        (client.tiles_get(&[] as &[&str], &bbox).await, "/path/ids", "(minItems)"),
        (client.tiles_get(&["a"], &Range { from: Some(-1), ..bbox.clone() }).await, "/path/bbox/from", "(minimum)"),
        (client.layers_get(&["base"], "21", &["x"]).await, "/path/zoom", "(maximum)"),
    ];
    for (result, place, keyword) in refused {
        let text = result.unwrap_err().to_string();
        assert!(text.contains(place) && text.contains(keyword), "{text}");
    }
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");

    client.tiles_get(&["a,b", "c d"], &bbox).await.unwrap();
    client.layers_get(&vec!["base".to_string(), "v1.2".into()], "7", &["x", "y;z"]).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].line, "GET /v1/tiles/a%2Cb,c%20d/from=1,to=5,unit=m%2Cs HTTP/1.1");
    assert_eq!(seen[1].line, "GET /v1/layers/.base.v1%2E2/;zoom=7/;tags=x;tags=y%3Bz HTTP/1.1");

    let auth = [("authorization", "Bearer t")];
    let path = |seen: &Seen| seen.line.split_whitespace().nth(1).unwrap().strip_prefix("/v1").unwrap().to_string();
    assert_eq!(
        handle("GET", &path(&seen[0]), None, &auth, b"").unwrap().input,
        Input::TilesGet { ids: vec!["a,b".into(), "c d".into()], bbox: bbox.clone() }
    );
    assert_eq!(
        handle("GET", &path(&seen[1]), None, &auth, b"").unwrap().input,
        Input::LayersGet { layer: vec!["base".into(), "v1.2".into()], zoom: "7".into(), tags: vec!["x".into(), "y;z".into()] }
    );
    let refused = |path: &str| match handle("GET", path, None, &auth, b"") {
        Err(Rejection::Invalid { violations, .. }) => {
            violations.into_iter().map(|v| (v.location, v.keyword)).collect::<Vec<_>>()
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(refused("/layers/base/;zoom=7/;tags=x"), [("/path/layer".to_string(), "style")]);
    assert_eq!(refused("/layers/.base/;zoom=30/;tags=x"), [("/path/zoom".to_string(), "maximum")]);
    assert_eq!(refused("/tiles/a/from=x"), [("/path/bbox/from".to_string(), "type")]);
}


/// The fluent path takes array and object path parameters typed, as the
/// flat method does (issue 17): the same checks refuse a value that breaks
/// the schema before sending, and the same style code spells it, so the
/// server sees exactly what the flat method sends. A place on the path is
/// `Copy` and can be reused; JSON text is taken only when asked for.
#[tokio::test]
async fn fluent_path_takes_array_and_object_parameters_typed() {
    use features_client::types::Range;
    use openapi_runtime::PathArg;
    let (base, seen) = serve();
    let client = client(&base);
    let bbox = Range { from: Some(1), to: Some(5), unit: Some("m,s".into()) };
    let no_ids: Vec<String> = Vec::new();
    let below = Range { from: Some(-1), ..bbox.clone() };
    let text = "a,b".to_string();
    let refused = [
        (client.tiles().by_ids(&no_ids).by_bbox(&bbox).get().await, "/path/ids", "(minItems)"),
        (client.tiles().by_ids(&["a"]).by_bbox(&below).get().await, "/path/bbox/from", "(minimum)"),
        // A string is a value like any other, not JSON text: not an array.
        (client.tiles().by_ids(&text).by_bbox(&bbox).get().await, "/path/ids", "(type)"),
        (client.layers().by_layer(&["base"]).by_zoom("21").by_tags(&["x"]).get().await, "/path/zoom", "(maximum)"),
    ];
    for (result, place, keyword) in refused {
        let text = result.unwrap_err().to_string();
        assert!(text.contains(place) && text.contains(keyword), "{text}");
    }
    assert_eq!(seen.lock().unwrap().len(), 0, "refused requests must not be sent");

    let ids: &[&str] = &["a,b", "c d"];
    let place = client.tiles().by_ids(&ids).by_bbox(&bbox);
    place.get().await.unwrap();
    place.get().await.unwrap();
    client.tiles_get(ids, &bbox).await.unwrap();
    let layer = vec!["base".to_string(), "v1.2".into()];
    client.layers().by_layer(&layer).by_zoom("7").by_tags(&["x", "y;z"]).get().await.unwrap();
    client.paths().tiles().by_ids(&PathArg::Text(r#"["q"]"#)).by_bbox(&bbox).get().await.unwrap();
    let lines: Vec<String> = seen.lock().unwrap().iter().map(|s| s.line.clone()).collect();
    let tiles = "GET /v1/tiles/a%2Cb,c%20d/from=1,to=5,unit=m%2Cs HTTP/1.1";
    assert_eq!(
        lines,
        [
            tiles,
            tiles,
            tiles,
            "GET /v1/layers/.base.v1%2E2/;zoom=7/;tags=x;tags=y%3Bz HTTP/1.1",
            "GET /v1/tiles/q/from=1,to=5,unit=m%2Cs HTTP/1.1",
        ]
    );
    assert!(format!("{place:?}").contains(r#"PathArg("[\"a,b\",\"c d\"]")"#), "{place:?}");

    // The dispatcher holds JSON text, which it hands the typed steps as
    // `PathArg::Text`: its flat and fluent calls send the same request.
    let operation = features_client::dispatch::OPERATIONS
        .iter()
        .find(|o| o.route.operation_id == "tiles_get")
        .unwrap();
    let args = openapi_runtime::dispatch::DispatchArgs::new()
        .path("ids", r#"["a,b","c d"]"#)
        .path("bbox", r#"{"from":1,"to":5,"unit":"m,s"}"#);
    (operation.flat)(client.runtime(), &args).await.unwrap();
    (operation.fluent)(client.runtime(), &args).await.unwrap();
    let lines: Vec<String> = seen.lock().unwrap().iter().skip(5).map(|s| s.line.clone()).collect();
    assert_eq!(lines, [tiles, tiles]);
}

/// A `oneOf` of two objects without a tag (issue 17): an enum whose
/// variant is the part the value is valid against, written as the variant
/// is; a value no part accepts (or, for a `oneOf`, both do) is a decode
/// error that names the type and the parts it was tried against.
#[tokio::test]
async fn a_choice_of_two_objects_is_an_enum_read_by_validation() {
    use features_client::types::{Letter, Package, Parcel};
    let (base, seen) = serve();
    let client = client(&base);
    let letter = |pages| Parcel::Letter(Letter { pages, additional_properties: Default::default() });
    let package = |weight| Parcel::Package(Package { weight, additional_properties: Default::default() });

    // Both variants go out as themselves and come back typed.
    assert_eq!(client.parcels_send("letter", &package(0.5)).await.unwrap(), letter(3));
    assert_eq!(client.parcels_send("package", &letter(2)).await.unwrap(), package(2.5));
    // Neither part accepts the answer, or both do.
    // A value that fits no part says, per part, the first rule it breaks.
    for (kind, why) in [
        ("neither", "valid against none of the parts of its `oneOf` (part 0: /pages: must be at least 1"),
        ("both", "valid against parts 0 and 1 of its `oneOf`"),
    ] {
        let text = client.parcels_send(kind, &letter(1)).await.unwrap_err().to_string();
        assert!(
            text.contains("could not decode") && text.contains("is not a value of `Parcel`") && text.contains(why),
            "{text}"
        );
    }
    // A request that breaks its variant, or that both parts accept, is
    // refused before it is sent.
    let text = client.parcels_send("letter", &letter(0)).await.unwrap_err().to_string();
    assert!(text.contains("/body") && text.contains("(oneOf)"), "{text}");
    let mut both = Letter { pages: 1, additional_properties: Default::default() };
    both.additional_properties.insert("weight".into(), serde_json::json!(1));
    let text = client.parcels_send("letter", &Parcel::Letter(both)).await.unwrap_err().to_string();
    assert!(text.contains("/body") && text.contains("(oneOf)"), "{text}");

    let seen = seen.lock().unwrap().clone();
    let bodies: Vec<serde_json::Value> = seen.iter().map(|s| serde_json::from_slice(&s.body).unwrap()).collect();
    assert_eq!(bodies[..2], [serde_json::json!({"weight": 0.5}), serde_json::json!({"pages": 2})]);
    assert_eq!(seen.len(), 4, "refused requests must not be sent");

    // The generated server reads the body into the same enum.
    let json = [("authorization", "Bearer t"), ("content-type", "application/json")];
    assert_eq!(
        handle("POST", "/parcels/x", None, &json, br#"{"weight":1}"#).unwrap().input,
        Input::ParcelsSend { kind: "x".into(), body: package(1.0) }
    );
    assert!(handle("POST", "/parcels/x", None, &json, br#"{"pages":0}"#).is_err());
}

/// The parts of a `multipart/form-data` body as a server reads them:
/// (name, file name, content type, bytes), in order.
type ReadPart = (String, Option<String>, Option<String>, Vec<u8>);

/// Splits a `multipart/form-data` body by the boundary its
/// `Content-Type` names (RFC 7578), reading each part's headers.
fn read_parts(seen: &Seen) -> Vec<ReadPart> {
    let content_type = header(seen, "content-type").unwrap();
    let boundary = content_type.split("boundary=").nth(1).unwrap().trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    // The body starts with the first delimiter, without its CRLF.
    let mut body = b"\r\n".to_vec();
    body.extend_from_slice(&seen.body);
    let mut sections = Vec::new();
    let mut rest = &body[..];
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        sections.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    assert!(rest.starts_with(b"--"), "the body ends with the closing delimiter");
    sections
        .into_iter()
        .skip(1)
        .map(|section| {
            let section = section.strip_prefix(b"\r\n").unwrap();
            let end = find(section, b"\r\n\r\n").unwrap();
            let head = std::str::from_utf8(&section[..end]).unwrap();
            let (mut name, mut file_name, mut part_type) = (String::new(), None, None);
            for line in head.split("\r\n") {
                let (key, value) = line.split_once(':').unwrap();
                match key.to_ascii_lowercase().as_str() {
                    "content-disposition" => {
                        for param in value.split(';').skip(1) {
                            let (k, v) = param.trim().split_once('=').unwrap();
                            let v = v.trim_matches('"').to_string();
                            match k {
                                "name" => name = v,
                                "filename" => file_name = Some(v),
                                other => panic!("unexpected parameter {other}"),
                            }
                        }
                    }
                    "content-type" => part_type = Some(value.trim().to_string()),
                    other => panic!("unexpected part header {other}"),
                }
            }
            (name, file_name, part_type, section[end + 4..].to_vec())
        })
        .collect()
}

/// The request the server saw at `index`.
fn seen_now(log: &Arc<Mutex<Vec<Seen>>>, index: usize) -> Seen {
    log.lock().unwrap()[index].clone()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn part(name: &str, file_name: Option<&str>, content_type: Option<&str>, bytes: &[u8]) -> ReadPart {
    (name.into(), file_name.map(Into::into), content_type.map(Into::into), bytes.to_vec())
}

#[tokio::test]
async fn a_multipart_form_is_built_from_the_schema_part_by_part() {
    use features_client::params::{AttachmentsAddForm, DocumentsUploadForm};
    use openapi_runtime::FilePart;
    let (base, seen) = serve();
    let client = client(&base);
    let dir = std::env::temp_dir().join(format!("features-form-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scan = dir.join("scan.png");
    let png = [0x89, b'P', b'N', b'G', 0, 1, 2, 255];
    std::fs::write(&scan, png).unwrap();
    let form = DocumentsUploadForm {
        title: "Q3 report".into(),
        file: FilePart::file(&scan).unwrap(),
        tags: vec!["a".into(), "b c".into()],
        pages: Some(3),
        extras: vec![
            FilePart::new(b"one".to_vec()),
            FilePart::new(&b"two"[..]).file_name("two.txt").content_type("text/plain"),
        ],
        meta: Some(openapi_runtime::serde_json::from_str(r#"{"author":"ann"}"#).unwrap()),
    };
    client.documents_upload(&form).await.unwrap();
    // A form whose parts are all optional may be empty.
    client.attachments_add(&AttachmentsAddForm::default()).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    let seen_log = seen;
    let seen = seen_log.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].line, "POST /v1/documents HTTP/1.1");
    assert!(header(&seen[0], "content-type").unwrap().starts_with("multipart/form-data; boundary="));
    assert_eq!(
        read_parts(&seen[0]),
        vec![
            // The file's own name; the first type the encoding names.
            part("file", Some("scan.png"), Some("image/png"), &png),
            part("title", None, None, b"Q3 report"),
            // Without a name or a type: the property's name, octet-stream.
            part("extras", Some("extras"), Some("application/octet-stream"), b"one"),
            part("extras", Some("two.txt"), Some("text/plain"), b"two"),
            part("meta", None, Some("application/json"), br#"{"author":"ann"}"#),
            part("pages", None, None, b"3"),
            part("tags", None, None, b"a"),
            part("tags", None, None, b"b c"),
        ]
    );
    assert_eq!(read_parts(&seen[1]), vec![]);
    // Generic arguments: a file is a string's bytes.
    let args = openapi_runtime::dispatch::DispatchArgs::new()
        .body(openapi_runtime::serde_json::json!({"title": "t", "file": "abc", "tags": ["x"], "extras": ["e"]}));
    assert_eq!(client.dispatch("documents_upload", &args).await.unwrap().status, 204);
    // The same through the typed form, by the flat method and the fluent path.
    let operation = features_client::dispatch::OPERATIONS
        .iter()
        .find(|op| op.route.operation_id == "documents_upload")
        .unwrap();
    (operation.flat)(client.runtime(), &args).await.unwrap();
    (operation.fluent)(client.runtime(), &args).await.unwrap();
    for index in 2..5 {
        assert_eq!(
            read_parts(&seen_now(&seen_log, index)),
            vec![
                part("file", Some("file"), Some("image/png"), b"abc"),
                part("title", None, None, b"t"),
                part("extras", Some("extras"), Some("application/octet-stream"), b"e"),
                part("tags", None, None, b"x"),
            ]
        );
    }
    // The generated server takes the form as it came.
    let headers: Vec<(&str, &str)> = seen[0].headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let matched = handle("POST", "/documents", None, &headers, &seen[0].body).unwrap();
    let Input::DocumentsUpload { body } = matched.input else { panic!("{:?}", matched.input) };
    assert_eq!(body.bytes, seen[0].body);
}

#[tokio::test]
async fn a_multipart_form_that_breaks_the_schema_is_not_sent() {
    use features_client::params::DocumentsUploadForm;
    use openapi_runtime::FilePart;
    let (base, seen) = serve();
    let client = client(&base);
    let form = DocumentsUploadForm {
        title: String::new(),
        file: FilePart::new(b"x".to_vec()),
        tags: vec!["far too long".into()],
        pages: Some(0),
        extras: Vec::new(),
        meta: None,
    };
    let message = client.documents_upload(&form).await.unwrap_err().to_string();
    for (place, keyword) in [("/body/title", "minLength"), ("/body/tags/0", "maxLength"), ("/body/pages", "minimum")] {
        assert!(message.contains(place) && message.contains(&format!("({keyword})")), "{message}");
    }
    // A required list with no item would send no part at all.
    let empty = DocumentsUploadForm { title: "t".into(), tags: Vec::new(), pages: None, ..form };
    let message = client.documents_upload(&empty).await.unwrap_err().to_string();
    assert!(message.contains("the part `tags` is required, and the list given is empty"), "{message}");
    assert_eq!(seen.lock().unwrap().len(), 0, "refused forms must not be sent");
    // The generated server judges a form as the client does.
    let body = b"--b\r\ncontent-disposition: form-data; name=\"pages\"\r\n\r\n0\r\n\
--b\r\ncontent-disposition: form-data; name=\"tags\"\r\n\r\nfar too long\r\n--b--\r\n";
    let headers = [("authorization", "Bearer t"), ("content-type", "multipart/form-data; boundary=b")];
    let Err(Rejection::Invalid { violations, .. }) = handle("POST", "/documents", None, &headers, body) else {
        panic!("the form lacks its title and file")
    };
    let found: Vec<(&str, &str)> = violations.iter().map(|v| (v.location.as_str(), v.keyword)).collect();
    assert_eq!(
        found,
        [("/body", "required"), ("/body", "required"), ("/body/pages", "minimum"), ("/body/tags/0", "maxLength")]
    );
}
