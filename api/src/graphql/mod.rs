//! The GraphQL kit every area builds on: the resolver context, the loader kit, Relay
//! conventions (global ids, connections), shared enums and scalars, and the request
//! limits. It imports no area; the schema (`crate::schema`) assembles the areas.

pub mod connection;
pub mod context;
pub mod documents;
pub mod enums;
pub mod external_ref;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod scalars;
pub mod text_input;
pub mod upserts;
