//! sea-orm entities: one module per table, data only. Behaviour lives in `services`.

pub mod access_request;
pub mod access_request_item;
pub mod account_token;
pub mod api_key;
pub mod api_product;
pub mod app;
pub mod cart_item;
pub mod catalog;
pub mod catalog_org;
pub mod catalog_product;
pub mod catalog_team;
pub mod email_template;
pub mod invitation;
pub mod invite_code;
pub mod organisation;
pub mod outbox_message;
pub mod plan;
pub mod product_api;
pub mod session;
pub mod setting;
pub mod team;
pub mod team_membership;
pub mod usage_hour;
pub mod user;
pub mod user_status_change;
