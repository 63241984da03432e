//! Every text a request carries goes through one rule ([`text::check_characters`])
//! before anything runs: each string in each argument of each field and directive of
//! the document, whether written in the document or passed as a variable, in inputs
//! and filters alike. Whatever an area adds later is covered without a line of its own.
//!
//! The error names the field as the API does elsewhere: the input field's name (dotted
//! below the top of an input object: `externalRef.id`), or the argument's name when the
//! argument is itself a string (`after`, `month`). Whether a text may span lines is
//! decided by that name ([`MULTILINE_FIELDS`]).

use async_graphql::{
    parser::types::{Directive, ExecutableDocument, Field, Selection, SelectionSet},
    Name, Positioned, Value as ConstValue, Variables,
};
use async_graphql_value::Value;

use crate::{
    domain::text::{self, Lines},
    error::ApiError,
};

/// The input fields that hold text of several lines: descriptions, notes, comments and
/// Markdown documents. Every other text is one line.
pub const MULTILINE_FIELDS: &[&str] = &[
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

/// Checks every string argument of `doc`, with `variables`, against the rule.
pub fn check(doc: &ExecutableDocument, variables: &Variables) -> Result<(), ApiError> {
    let walk = Walk { doc, variables };
    for (_, operation) in doc.operations.iter() {
        walk.directives(&operation.node.directives)?;
        walk.selection_set(&operation.node.selection_set.node)?;
    }
    for fragment in doc.fragments.values() {
        walk.directives(&fragment.node.directives)?;
        walk.selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
}

impl<'a> Walk<'a> {
    fn selection_set(&self, set: &'a SelectionSet) -> Result<(), ApiError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => self.field(&field.node)?,
                Selection::InlineFragment(inline) => {
                    self.directives(&inline.node.directives)?;
                    self.selection_set(&inline.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
            }
        }
        Ok(())
    }

    fn field(&self, field: &'a Field) -> Result<(), ApiError> {
        self.arguments(&field.arguments)?;
        self.directives(&field.directives)?;
        self.selection_set(&field.selection_set.node)
    }

    fn directives(&self, directives: &'a [Positioned<Directive>]) -> Result<(), ApiError> {
        directives
            .iter()
            .try_for_each(|d| self.arguments(&d.node.arguments))
    }

    fn arguments(&self, args: &'a [(Positioned<Name>, Positioned<Value>)]) -> Result<(), ApiError> {
        for (name, value) in args {
            let mut path = vec![name.node.as_str()];
            self.value(&value.node, &mut path)?;
        }
        Ok(())
    }

    fn value(&self, value: &'a Value, path: &mut Vec<&'a str>) -> Result<(), ApiError> {
        match value {
            Value::String(s) => checked(s, path),
            Value::List(items) => items.iter().try_for_each(|v| self.value(v, path)),
            Value::Object(fields) => fields.iter().try_for_each(|(k, v)| {
                path.push(k.as_str());
                let r = self.value(v, path);
                path.pop();
                r
            }),
            Value::Variable(name) => match self.variable(name) {
                Some(v) => const_value(v, path),
                None => Ok(()),
            },
            Value::Null
            | Value::Number(_)
            | Value::Boolean(_)
            | Value::Binary(_)
            | Value::Enum(_) => Ok(()),
        }
    }

    /// A variable's value: the request's, else its default in the document.
    fn variable(&self, name: &Name) -> Option<&'a ConstValue> {
        self.variables.get(name).or_else(|| {
            self.doc.operations.iter().find_map(|(_, op)| {
                op.node
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *name)
                    .and_then(|d| d.node.default_value.as_ref())
                    .map(|v| &v.node)
            })
        })
    }
}

fn const_value<'v>(value: &'v ConstValue, path: &mut Vec<&'v str>) -> Result<(), ApiError> {
    match value {
        ConstValue::String(s) => checked(s, path),
        ConstValue::List(items) => items.iter().try_for_each(|v| const_value(v, path)),
        ConstValue::Object(fields) => fields.iter().try_for_each(|(k, v)| {
            path.push(k.as_str());
            let r = const_value(v, path);
            path.pop();
            r
        }),
        ConstValue::Null
        | ConstValue::Number(_)
        | ConstValue::Boolean(_)
        | ConstValue::Binary(_)
        | ConstValue::Enum(_) => Ok(()),
    }
}

/// Checks one string found at `path` (the argument's name, then the input fields
/// down to it).
fn checked(value: &str, path: &[&str]) -> Result<(), ApiError> {
    let field = match path {
        [argument] => (*argument).to_owned(),
        [_, inner @ ..] => inner.join("."),
        [] => String::new(),
    };
    let leaf = path.last().copied().unwrap_or_default();
    let lines = if MULTILINE_FIELDS.contains(&leaf) {
        Lines::Many
    } else {
        Lines::One
    };
    text::check_characters(value, &field, lines)
}

#[cfg(test)]
mod tests {
    use async_graphql::{parser::parse_query, Variables};

    use super::*;

    fn field_refused(query: &str, variables: serde_json::Value) -> Option<String> {
        let doc = parse_query(query).expect("parses");
        match check(&doc, &Variables::from_json(variables)) {
            Ok(()) => None,
            Err(ApiError::BadUserInput { field, .. }) => Some(field.into_owned()),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_control_character_anywhere_in_an_argument_names_its_field() {
        let none = serde_json::json!({});
        assert_eq!(
            field_refused(
                r#"mutation { createTeam(input: { name: "a\u0000b" }) { team { id } } }"#,
                none.clone()
            ),
            Some("name".into())
        );
        assert_eq!(
            field_refused(
                r#"{ teams(filter: { nameContains: "\u001b" }) { totalCount } }"#,
                none.clone()
            ),
            Some("nameContains".into())
        );
        assert_eq!(
            field_refused(r#"{ kpis(after: "\u0007") { totalCount } }"#, none.clone()),
            Some("after".into())
        );
        assert_eq!(
            field_refused(
                r#"mutation($i: UpsertInput!) { upsert(input: $i) { id } }"#,
                serde_json::json!({ "i": { "externalRef": { "source": "jira", "id": "A\u{0}" } } })
            ),
            Some("externalRef.id".into())
        );
        assert_eq!(
            field_refused(
                r#"query($q: String = "x\u0000") { node(id: "n") { ... on Team { squads(filter: { nameContains: $q }) { totalCount } } } }"#,
                none.clone()
            ),
            Some("nameContains".into())
        );
        assert_eq!(
            field_refused(r#"{ a(ids: ["ok", "bad\u0001"]) }"#, none.clone()),
            Some("ids".into())
        );
    }

    #[test]
    fn line_breaks_pass_where_a_field_holds_several_lines_only() {
        let vars = |v: &str| serde_json::json!({ "v": v });
        let doc = r#"mutation($v: String) { createTeam(input: { name: "n", description: $v }) { team { id } } }"#;
        assert_eq!(field_refused(doc, vars("one\ntwo\tthree\r\nfour")), None);
        assert_eq!(
            field_refused(doc, vars("one\u{0}")),
            Some("description".into())
        );
        let doc = r#"mutation($v: String) { createTeam(input: { name: $v }) { team { id } } }"#;
        assert_eq!(field_refused(doc, vars("one\ntwo")), Some("name".into()));
    }
}
