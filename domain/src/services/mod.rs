//! Domain services: plain async functions over a connection, one module per resource.

pub mod accounts;
pub mod actor;
pub mod admin;
pub mod bootstrap;
pub mod invitations;
pub mod invite_codes;
pub mod lifecycle;
pub mod org_members;
pub mod org_registration;
pub mod organisations;
pub mod passwords;
pub mod profile;
pub mod sessions;
pub mod settings;
