//! GraphQL of the integrations area: API tokens and the audit log. The change feed is
//! served by the schema module (`schema::changes`), since a change names any node.

mod audit;
mod tokens;

pub use audit::*;
pub use tokens::*;
