//! The one rule for text, tried on every text input the schema has: each `String`
//! argument and each `String` field of an input object (filters included), found by
//! introspection, so an input added later is tried the day it lands. Control
//! characters are BAD_USER_INPUT naming the field, whether written in the document or
//! sent as a variable; tabs and line breaks pass only where a field holds several lines.
//! Then the same through to the database: nothing is stored, and no database error
//! leaks, on SQLite and PostgreSQL alike.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::common::TestApp;

/// The fields that hold several lines (README, "API conventions"), stated here on their
/// own so that a change to the server's list shows in this test.
const MULTILINE: &[&str] = &[
    "description",
    "mission",
    "customerJourney",
    "notes",
    "note",
    "comment",
    "body",
    "proposal",
    "context",
    "decision",
    "consequences",
];

/// Refused in every text.
const CONTROL: &[char] = &[
    '\0', '\u{1}', '\u{8}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
];
/// Refused in text of one line only.
const LINE_BREAKS: &[&str] = &["\t", "\n", "\r\n"];

const INTROSPECTION: &str = r#"{ __schema {
  queryType { name } mutationType { name } subscriptionType { name }
  types { kind name interfaces { name }
    fields { name type { ...T } args { name type { ...T } } }
    inputFields { name type { ...T } } } }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

/// A place a text goes: a field with an argument, and the path to the string inside it.
#[derive(Debug, Clone)]
struct Place {
    /// The object type that has the field.
    on: String,
    field: String,
    /// Whether the field's value has fields to select.
    composite: bool,
    /// The argument's type, as a variable would declare it (`CreateTeamInput!`).
    arg_type: String,
    /// The argument, then the input fields down to the string.
    path: Vec<String>,
}

impl Place {
    /// The field the error must name: the input field (dotted below the top of the
    /// input object), or the argument when it is itself a string.
    fn field_name(&self) -> String {
        match self.path.as_slice() {
            [arg] => arg.clone(),
            [_, inner @ ..] => inner.join("."),
            [] => unreachable!(),
        }
    }

    fn multiline(&self) -> bool {
        MULTILINE.contains(&self.path.last().unwrap().as_str())
    }

    /// The operation that selects the field with `arg` as its argument's value, at the
    /// root or through `node(id:)`.
    fn document(&self, root: &Roots, arg: &str, variable: Option<&str>) -> String {
        let selection = if self.composite {
            " { __typename }"
        } else {
            ""
        };
        let call = format!("{}({}: {arg}){selection}", self.field, self.path[0]);
        let vars = variable.map(|v| format!("({v})")).unwrap_or_default();
        if self.on == root.query {
            format!("query{vars} {{ {call} }}")
        } else if Some(&self.on) == root.mutation.as_ref() {
            format!("mutation{vars} {{ {call} }}")
        } else {
            format!(
                "query{vars} {{ node(id: \"x\") {{ ... on {} {{ {call} }} }} }}",
                self.on
            )
        }
    }

    /// The argument's value as a literal, with `text` at the string.
    fn literal(&self, text: &str) -> String {
        let mut value = graphql_string(text);
        for key in self.path[1..].iter().rev() {
            value = format!("{{ {key}: {value} }}");
        }
        value
    }

    /// The argument's value as JSON (for a variable), with `text` at the string.
    fn json(&self, text: &str) -> Value {
        let mut value = json!(text);
        for key in self.path[1..].iter().rev() {
            value = json!({ key.clone(): value });
        }
        value
    }
}

struct Roots {
    query: String,
    mutation: Option<String>,
}

/// A GraphQL string literal, every control character escaped.
fn graphql_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The named type under NON_NULL and LIST wrappers.
fn named(ty: &Value) -> &Value {
    if ty["ofType"].is_object() {
        named(&ty["ofType"])
    } else {
        ty
    }
}

/// A type reference as SDL writes it.
fn sdl(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", sdl(&ty["ofType"])),
        Some("LIST") => format!("[{}]", sdl(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap().to_owned(),
    }
}

/// Every string reachable in an input of type `ty`, as paths below `path`.
fn strings_in(types: &[Value], ty: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let ty = named(ty);
    match (ty["kind"].as_str(), ty["name"].as_str()) {
        (Some("SCALAR"), Some("String")) => out.push(path.clone()),
        (Some("INPUT_OBJECT"), Some(name)) => {
            if path.len() > 6 {
                return;
            }
            let def = types.iter().find(|t| t["name"] == name).unwrap();
            for f in def["inputFields"].as_array().unwrap() {
                path.push(f["name"].as_str().unwrap().to_owned());
                strings_in(types, &f["type"], path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Every place a text goes, and the object types with text arguments that this test
/// cannot reach (neither a root nor a `Node`).
async fn places(app: &TestApp) -> (Roots, Vec<Place>, BTreeSet<String>) {
    let res = app.gql(None, INTROSPECTION, json!({})).await;
    let schema = &res.data()["__schema"];
    let roots = Roots {
        query: schema["queryType"]["name"].as_str().unwrap().to_owned(),
        mutation: schema["mutationType"]["name"].as_str().map(str::to_owned),
    };
    let types = schema["types"].as_array().unwrap();
    let mut found = Vec::new();
    let mut unreachable = BTreeSet::new();
    for t in types.iter().filter(|t| t["kind"] == "OBJECT") {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__") {
            continue;
        }
        let is_node = t["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "Node");
        let reachable = name == roots.query || Some(name) == roots.mutation.as_deref() || is_node;
        for f in t["fields"].as_array().into_iter().flatten() {
            for a in f["args"].as_array().unwrap() {
                let mut paths = Vec::new();
                let mut path = vec![a["name"].as_str().unwrap().to_owned()];
                strings_in(types, &a["type"], &mut path, &mut paths);
                if paths.is_empty() {
                    continue;
                }
                if !reachable {
                    unreachable.insert(format!("{name}.{}", f["name"].as_str().unwrap()));
                    continue;
                }
                let kind = named(&f["type"])["kind"].as_str().unwrap();
                for path in paths {
                    found.push(Place {
                        on: name.to_owned(),
                        field: f["name"].as_str().unwrap().to_owned(),
                        composite: matches!(kind, "OBJECT" | "INTERFACE" | "UNION"),
                        arg_type: sdl(&a["type"]),
                        path,
                    });
                }
            }
        }
    }
    (roots, found, unreachable)
}

/// What the server said of one request: `Some(field)` when it refused a text.
fn refused_field(res: &crate::common::Gql) -> Option<String> {
    (res.error_code() == Some("BAD_USER_INPUT"))
        .then(|| res.error_field().map(str::to_owned))
        .flatten()
}

async fn every_text_input_refuses_control_characters_and_names_its_field(app: TestApp) {
    let (roots, places, unreachable) = places(&app).await;
    assert!(
        unreachable.is_empty(),
        "text arguments this test cannot reach (extend it): {unreachable:?}"
    );
    // The schema has text inputs everywhere: guard the discovery itself.
    for expected in [
        "createTeam name",
        "teams nameContains",
        "registerOrganization email",
        "login password",
        "kpis after",
        "architectureReviewAgenda month",
        "upsertless externalRef.id",
    ] {
        let (field, name) = expected.split_once(' ').unwrap();
        if field == "upsertless" {
            assert!(
                places.iter().any(|p| p.field_name() == name),
                "no place named {name}"
            );
            continue;
        }
        assert!(
            places
                .iter()
                .any(|p| p.field == field && p.field_name() == name),
            "{expected} was not found among {} places",
            places.len()
        );
    }
    assert!(places.len() > 100, "only {} places", places.len());
    assert!(
        places.iter().any(|p| p.on == "Team"),
        "nested fields are tried"
    );

    let mut wrong = Vec::new();
    for place in &places {
        let want = place.field_name();
        let mut cases: Vec<(String, bool)> =
            CONTROL.iter().map(|c| (format!("a{c}b"), true)).collect();
        cases.extend(
            LINE_BREAKS
                .iter()
                .map(|b| (format!("a{b}b"), !place.multiline())),
        );
        for (text, refused) in cases {
            let doc = place.document(&roots, &place.literal(&text), None);
            let res = app.gql(None, &doc, json!({})).await;
            let got = refused_field(&res);
            let ok = if refused {
                got.as_deref() == Some(want.as_str())
            } else {
                got.as_deref() != Some(want.as_str())
            };
            if !ok {
                wrong.push(format!("{doc} -> {}", res.body));
            }
        }
        // A variable: the whole argument, and a string inside a written object.
        let doc = place.document(&roots, "$v", Some(&format!("$v: {}", place.arg_type)));
        let res = app
            .gql(None, &doc, json!({ "v": place.json("a\u{0}b") }))
            .await;
        if refused_field(&res).as_deref() != Some(want.as_str()) {
            wrong.push(format!("{doc} with a variable -> {}", res.body));
        }
        if place.path.len() > 1 {
            let inner = place.literal("\u{1}").replace("\"\\u0001\"", "$s");
            let doc = place.document(&roots, &inner, Some("$s: String"));
            let res = app.gql(None, &doc, json!({ "s": "a\u{0}b" })).await;
            if refused_field(&res).as_deref() != Some(want.as_str()) {
                wrong.push(format!("{doc} with $s -> {}", res.body));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} places answered wrongly:\n{}",
        wrong.len(),
        places.len(),
        wrong.join("\n")
    );
}

async fn hostile_text_reaches_neither_database_and_multiline_text_is_kept_exactly(app: TestApp) {
    // Signing up with a NUL in the email: refused, and nobody was created.
    let res = app
        .gql(
            None,
            "mutation($e: String!) { registerOrganization(input: { organizationName: \"Evil\", email: $e, password: \"correct horse battery\", displayName: \"E\", discipline: ENGINEERING }) { accessToken } }",
            json!({ "e": "eve\u{0}@evil.example" }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{}", res.body);
    assert_eq!(res.error_field(), Some("email"));
    let res = app
        .gql(
            None,
            "mutation { login(input: { email: \"eve@evil.example\", password: \"correct horse battery\" }) { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{}", res.body);

    let admin = app.register_org("Acme").await;
    let create =
        "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name description } } }";
    for (input, field) in [
        (json!({ "name": "Pay\u{0}ments" }), "name"),
        (json!({ "name": "Pay\tments" }), "name"),
        (
            json!({ "name": "Payments", "description": "\u{1b}[31mred" }),
            "description",
        ),
    ] {
        let res = app.gql_as(&admin, create, json!({ "i": input })).await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{input}: {}",
            res.body
        );
        assert_eq!(res.error_field(), Some(field), "{input}");
    }
    let teams = app
        .gql_as(&admin, "{ teams { totalCount } }", json!({}))
        .await;
    assert_eq!(teams.data()["teams"]["totalCount"], 0, "nothing was stored");

    // A search with a NUL is the client's error, not the database's.
    for filter in [
        "teams(filter: { nameContains: $s }) { totalCount }",
        "squads(filter: { nameContains: $s }) { totalCount }",
        "kpis(filter: { text: $s }) { totalCount }",
        "initiatives(filter: { text: $s }) { totalCount }",
        "decisionRecords(filter: { search: $s }) { totalCount }",
    ] {
        let res = app
            .gql_as(
                &admin,
                &format!("query($s: String) {{ {filter} }}"),
                json!({ "s": "x\u{0}" }),
            )
            .await;
        assert_eq!(
            res.error_code(),
            Some("BAD_USER_INPUT"),
            "{filter}: {}",
            res.body
        );
    }

    // Several lines, tabs and Windows line breaks are kept exactly.
    let description = "First line\n\tindented\r\nthird — ünïcode ✓";
    let res = app
        .gql_as(
            &admin,
            create,
            json!({ "i": { "name": "Payments", "description": description } }),
        )
        .await;
    assert_eq!(res.data()["createTeam"]["team"]["description"], description);
    let res = app
        .gql_as(&admin, "{ teams { nodes { description } } }", json!({}))
        .await;
    assert_eq!(res.data()["teams"]["nodes"][0]["description"], description);
}

crate::db_tests!(
    every_text_input_refuses_control_characters_and_names_its_field,
    hostile_text_reaches_neither_database_and_multiline_text_is_kept_exactly,
);
