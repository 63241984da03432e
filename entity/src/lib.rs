//! sea-orm entities: one module per table, no logic (DESIGN §4).

pub mod alignment_participant;
pub mod alignment_signoff;
pub mod architecture_review;
pub mod decision_record;
pub mod decision_record_counter;
pub mod dependency;
pub mod enums;
pub mod initiative;
pub mod invite;
pub mod kpi;
pub mod kpi_measurement;
pub mod kpi_owner;
pub mod login_throttle;
pub mod organization;
pub mod outcome;
pub mod outcome_initiative;
pub mod refresh_token;
pub mod review_comment;
pub mod review_reviewer;
pub mod roadmap_alignment;
pub mod roadmap_item;
pub mod squad;
pub mod squad_membership;
pub mod team;
pub mod team_membership;
pub mod user;
