//! sea-orm entities: one module per table, data only. Behaviour lives in `services`.

pub mod account_token;
pub mod email_template;
pub mod invitation;
pub mod invite_code;
pub mod organisation;
pub mod outbox_message;
pub mod session;
pub mod setting;
pub mod team;
pub mod team_membership;
pub mod user;
pub mod user_status_change;
