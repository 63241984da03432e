//! The domain: one folder per area, each with its service (rules, sea-orm) and its
//! GraphQL types, and the helpers the areas share (tenant tables, text, calendar, the
//! team-or-squad scope, what is derived from measurements).

pub mod calendar;
pub mod decisions;
pub mod external_ref;
pub mod identity;
pub mod integrations;
pub mod journal;
pub mod kind;
pub mod kpis;
pub mod measures;
pub mod planning;
pub mod reviews;
pub mod roadmap;
pub mod scope;
pub mod squads;
pub mod sync;
pub mod teams;
pub mod tenant;
pub mod text;
