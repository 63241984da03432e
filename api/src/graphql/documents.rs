//! Parsed documents, kept by their text: clients send the same few queries over and
//! over, and parsing (a PEG parser) cost more than the rest of a small request. A
//! document is cached only after it passed the limits of [`super::limits`]; the cache is
//! bounded in entries and in the size of what it keeps.

use std::{num::NonZeroUsize, sync::Mutex};

use async_graphql::{parser::types::ExecutableDocument, Request, Variables};
use lru::LruCache;

use super::{limits, text_input};
use crate::error::ApiError;

/// Distinct documents kept.
const CAPACITY: usize = 512;
/// Longer documents are parsed every time, so the cache stays small whatever is sent.
const MAX_CACHED_LEN: usize = 16 * 1024;

/// The cache of parsed, checked documents.
pub struct DocumentCache(Mutex<LruCache<String, ExecutableDocument>>);

impl Default for DocumentCache {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(
            NonZeroUsize::new(CAPACITY).expect("capacity is not zero"),
        )))
    }
}

impl DocumentCache {
    /// Gives the request its parsed document (which the schema then uses instead of
    /// parsing) and checks it before it runs: the limits of its shape once per document
    /// (only documents within them are cached), the text of its arguments with this
    /// request's variables every time ([`limits::check_document`], [`text_input::check`]). A document that does
    /// not parse is left for the schema to report.
    pub fn prepare(&self, request: &mut Request) -> Result<(), ApiError> {
        let variables = std::mem::take(&mut request.variables);
        let checked = self.parse_and_check(request, &variables);
        request.variables = variables;
        checked
    }

    fn parse_and_check(
        &self,
        request: &mut Request,
        variables: &Variables,
    ) -> Result<(), ApiError> {
        if let Some(doc) = self.get(&request.query) {
            request.set_parsed_query(doc);
        } else {
            let query = (request.query.len() <= MAX_CACHED_LEN).then(|| request.query.clone());
            let Ok(doc) = request.parsed_query() else {
                return Ok(());
            };
            limits::check_document(doc)?;
            if let Some(query) = query {
                let doc = doc.clone();
                self.lock().put(query, doc);
            }
        }
        match request.parsed_query() {
            Ok(doc) => text_input::check(doc, variables),
            Err(_) => Ok(()),
        }
    }

    fn get(&self, query: &str) -> Option<ExecutableDocument> {
        self.lock().get(query).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
        // The cache holds no invariant a panicking holder could break.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_document_comes_from_the_cache_and_an_over_limit_one_is_refused_each_time() {
        let cache = DocumentCache::default();
        let mut first = Request::new("{ __typename }");
        cache.prepare(&mut first).unwrap();
        assert_eq!(cache.lock().len(), 1);
        let mut again = Request::new("{ __typename }");
        cache.prepare(&mut again).unwrap();
        assert_eq!(cache.lock().len(), 1);
        assert_eq!(
            again.parsed_query().unwrap().operations.iter().count(),
            1,
            "the cached document is the request's"
        );

        let aliases: String = (0..=super::limits::MAX_ALIASES)
            .map(|i| format!("a{i}: __typename "))
            .collect();
        let query = format!("{{ {aliases} }}");
        for _ in 0..2 {
            let err = cache.prepare(&mut Request::new(query.clone())).unwrap_err();
            assert_eq!(err.code(), "QUERY_TOO_COMPLEX");
            assert!(err.message().contains("aliases"), "{}", err.message());
        }
        assert_eq!(cache.lock().len(), 1, "a refused document is not cached");

        let mut broken = Request::new("{ __typename");
        cache.prepare(&mut broken).unwrap();
        assert_eq!(
            cache.lock().len(),
            1,
            "an unparsable document is not cached"
        );
    }
}
