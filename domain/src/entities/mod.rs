//! sea-orm entities: one module per table, data only. Behaviour lives in `services`.

pub mod organisation;
pub mod session;
pub mod setting;
pub mod team;
pub mod team_membership;
pub mod user;
