//! The limits of a request's shape (DESIGN §3), measured on the parsed document before
//! anything runs: how deep its fields nest, how many fields it resolves (its
//! complexity, fragments expanded), how many aliases it uses, how deeply its selection
//! sets nest and how many directives a field carries. Each over its limit is
//! QUERY_TOO_COMPLEX, with the limit's name, its maximum and the measured value in
//! `extensions`. The text of every argument goes through [`super::text_input`].
//!
//! Over HTTP the handler applies both to the document it parses itself
//! ([`super::documents`]), so the HTTP schema runs without an extension: any extension,
//! even one that hooks only parsing, puts every resolved field on async-graphql's slow
//! path (a registry lookup and a boxed future per field). The WebSocket schema keeps
//! the [`Limits`] extension, which applies the same checks.
//!
//! async-graphql's own depth and complexity limits are not set: these are measured
//! here, the same way (a field counts 1, `__typename` nothing), so that the error is
//! Northstar's, with its code, instead of an English message to be recognised.

use std::sync::Arc;

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
    ServerError, ServerResult, ValidationResult, Variables,
};

use super::text_input;
use crate::error::ApiError;

/// Deepest nesting of fields accepted (`{ a { b } }` is 2).
pub const MAX_DEPTH: usize = 12;
/// Most fields one query may resolve, counted once per place they appear with
/// fragments expanded (`__typename` is free).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Most aliases in one query.
pub const MAX_ALIASES: usize = 30;
/// Deepest nesting of selection sets (fields, fragments and inline fragments alike):
/// bounds fragments that spread each other.
pub const MAX_NESTING: usize = 32;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 20;

/// The limits extension (WebSocket).
pub struct Limits;

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension)
    }
}

struct LimitsExtension;

fn too_complex(limit: &'static str, max: usize, actual: usize) -> ApiError {
    ApiError::QueryTooComplex { limit, max, actual }
}

/// What is measured while walking the document.
#[derive(Default)]
struct Shape {
    complexity: usize,
    depth: usize,
}

impl Shape {
    /// Walks one selection set at field depth `depth` and nesting `nesting`, with
    /// fragments expanded. Stops at the first limit passed, so a document whose
    /// fragments multiply each other costs no more to refuse than the limit itself.
    fn walk(
        &mut self,
        doc: &ExecutableDocument,
        set: &SelectionSet,
        depth: usize,
        nesting: usize,
    ) -> Result<(), ApiError> {
        if nesting > MAX_NESTING {
            return Err(too_complex("nesting", MAX_NESTING, nesting));
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.directives.len() > MAX_DIRECTIVES {
                        return Err(too_complex(
                            "number of directives on a field",
                            MAX_DIRECTIVES,
                            field.directives.len(),
                        ));
                    }
                    if field.name.node == "__typename" {
                        continue;
                    }
                    self.complexity += 1;
                    if self.complexity > MAX_COMPLEXITY {
                        return Err(too_complex("complexity", MAX_COMPLEXITY, self.complexity));
                    }
                    self.depth = self.depth.max(depth + 1);
                    if !field.selection_set.node.items.is_empty() {
                        self.walk(doc, &field.selection_set.node, depth + 1, nesting + 1)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        self.walk(doc, &fragment.node.selection_set.node, depth, nesting + 1)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.walk(doc, &inline.node.selection_set.node, depth, nesting + 1)?;
                }
            }
        }
        Ok(())
    }
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count_aliases(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

fn aliases(doc: &ExecutableDocument) -> usize {
    let ops: usize = doc
        .operations
        .iter()
        .map(|(_, op)| count_aliases(&op.node.selection_set.node))
        .sum();
    let frags: usize = doc
        .fragments
        .values()
        .map(|f| count_aliases(&f.node.selection_set.node))
        .sum();
    ops + frags
}

/// The limits a parsed document must meet before it is validated and run. Every
/// operation of the document counts, as in async-graphql's own measure.
pub fn check_document(doc: &ExecutableDocument) -> Result<(), ApiError> {
    let aliases = aliases(doc);
    if aliases > MAX_ALIASES {
        return Err(too_complex("number of aliases", MAX_ALIASES, aliases));
    }
    let mut shape = Shape::default();
    for (_, operation) in doc.operations.iter() {
        shape.walk(doc, &operation.node.selection_set.node, 0, 0)?;
    }
    if shape.depth > MAX_DEPTH {
        return Err(too_complex("depth", MAX_DEPTH, shape.depth));
    }
    Ok(())
}

/// Everything checked on a parsed document and its variables before it runs: the
/// limits, then the text of every argument.
pub fn check_request(doc: &ExecutableDocument, variables: &Variables) -> Result<(), ApiError> {
    check_document(doc)?;
    text_input::check(doc, variables)
}

#[async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next
            .run(ctx, query, variables)
            .await
            .map_err(ApiError::code_request_error)?;
        check_request(&doc, variables).map_err(|e| e.into_server_error(Vec::new()))?;
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(ApiError::code_request_error)
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn refused(query: &str) -> Option<(&'static str, usize)> {
        match check_document(&parse_query(query).expect("parses")) {
            Ok(()) => None,
            Err(ApiError::QueryTooComplex { limit, actual, .. }) => Some((limit, actual)),
            Err(e) => panic!("{query}: {e:?}"),
        }
    }

    fn nested(depth: usize) -> String {
        let mut q = "x".to_owned();
        for _ in 1..depth {
            q = format!("a {{ {q} }}");
        }
        format!("{{ {q} }}")
    }

    #[test]
    fn depth_counts_fields_not_typename_and_follows_fragments() {
        assert_eq!(refused(&nested(MAX_DEPTH)), None);
        assert_eq!(
            refused(&nested(MAX_DEPTH + 1)),
            Some(("depth", MAX_DEPTH + 1))
        );
        let inner = nested(MAX_DEPTH - 1);
        let inner = &inner[2..inner.len() - 2];
        let via_fragment = format!("{{ a {{ ...F }} }} fragment F on T {{ {inner} }}");
        assert_eq!(refused(&via_fragment), None);
        let deeper = format!("{{ a {{ b {{ ...F }} }} }} fragment F on T {{ {inner} }}");
        assert_eq!(refused(&deeper), Some(("depth", MAX_DEPTH + 1)));
        assert_eq!(refused("{ a { __typename } }"), None);
    }

    #[test]
    fn complexity_counts_every_field_once_per_place_with_fragments_expanded() {
        // Each fragment spreads the next twice: 2^15 fields, refused at the limit.
        let mut doc = String::from("{ ...F0 }");
        for i in 0..14 {
            let n = i + 1;
            doc.push_str(&format!(
                " fragment F{i} on T {{ a: x {{ ...F{n} }} b: x {{ ...F{n} }} }}"
            ));
        }
        doc.push_str(" fragment F14 on T { leaf }");
        assert_eq!(refused(&doc), Some(("complexity", MAX_COMPLEXITY + 1)));
        let fields: String = (0..MAX_COMPLEXITY).map(|i| format!("f{i} ")).collect();
        assert_eq!(refused(&format!("{{ {fields} }}")), None);
        assert_eq!(
            refused(&format!("{{ {fields} one_more }}")),
            Some(("complexity", MAX_COMPLEXITY + 1))
        );
    }

    #[test]
    fn fragments_that_spread_each_other_stop_at_the_nesting_limit() {
        assert_eq!(
            refused("{ ...A } fragment A on T { ...B } fragment B on T { ...A }"),
            Some(("nesting", MAX_NESTING + 1))
        );
    }

    #[test]
    fn aliases_and_directives_are_bounded() {
        let aliases: String = (0..=MAX_ALIASES)
            .map(|i| format!("a{i}: __typename "))
            .collect();
        assert_eq!(
            refused(&format!("{{ {aliases} }}")),
            Some(("number of aliases", MAX_ALIASES + 1))
        );
        let directives = "@include(if: true) ".repeat(MAX_DIRECTIVES + 1);
        assert_eq!(
            refused(&format!("{{ x {directives} }}")),
            Some(("number of directives on a field", MAX_DIRECTIVES + 1))
        );
    }
}
