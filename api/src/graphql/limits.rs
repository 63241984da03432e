//! Request limits that async-graphql does not bound itself (aliases), and the
//! `extensions.code` of parse and validation errors (DESIGN §3: every error has one).
//!
//! Over HTTP the handler applies them to the document it parses itself
//! ([`check_document`], [`request_error_code`]), so the HTTP schema runs without an
//! extension: any extension, even one that hooks only parsing, puts every resolved field
//! on async-graphql's slow path (a registry lookup and a boxed future per field). The
//! WebSocket schema keeps the [`Limits`] extension, which applies the same two checks.

use std::sync::Arc;

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
    ErrorExtensionValues, ServerError, ServerResult, ValidationResult, Variables,
};

/// Deepest query accepted.
pub const MAX_DEPTH: usize = 12;
/// Highest complexity (roughly: fields resolved, with lists weighted by page size).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Most aliases in one query.
pub const MAX_ALIASES: usize = 30;

/// The limits extension.
pub struct Limits;

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension)
    }
}

struct LimitsExtension;

/// A request-level error with a code.
pub fn coded_error(message: impl Into<String>, code: &str) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    err.extensions = Some(ext);
    err
}

fn with_code(mut err: ServerError, code: &str) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    err
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

/// The limits a parsed document must meet before it is validated and run.
pub fn check_document(doc: &ExecutableDocument) -> Result<(), ServerError> {
    if aliases(doc) > MAX_ALIASES {
        return Err(coded_error(
            format!("a query may use at most {MAX_ALIASES} aliases"),
            "QUERY_TOO_COMPLEX",
        ));
    }
    Ok(())
}

/// The code of an error raised before execution (parsing, validation), which
/// async-graphql leaves without one.
pub fn request_error_code(message: &str) -> &'static str {
    if message.starts_with("Query is too complex")
        || message.starts_with("Query is nested too deep")
    {
        "QUERY_TOO_COMPLEX"
    } else {
        "BAD_USER_INPUT"
    }
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
            .map_err(|e| with_code(e, "BAD_USER_INPUT"))?;
        check_document(&doc)?;
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
                .map(|e| {
                    let code = request_error_code(&e.message);
                    with_code(e, code)
                })
                .collect()
        })
    }
}
