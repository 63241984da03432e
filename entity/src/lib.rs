//! sea-orm entities: one module per table, no logic (DESIGN §4).

pub mod architecture_review;
pub mod decision_record;
pub mod decision_record_counter;
pub mod enums;
pub mod invite;
pub mod login_throttle;
pub mod organization;
pub mod refresh_token;
pub mod review_comment;
pub mod review_reviewer;
pub mod squad;
pub mod squad_membership;
pub mod team;
pub mod team_membership;
pub mod user;
