//! `schema.graphql` is what the server serves: a schema change shows in review.

#[test]
fn the_checked_in_schema_is_the_served_schema() {
    let served = api::schema::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == served,
        "schema.graphql differs from the served schema; refresh it with:\n\n    cargo run -- schema > schema.graphql\n"
    );
}
