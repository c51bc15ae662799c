//! Domain services: plain async functions over a connection, one module per resource.

pub mod access;
pub mod accounts;
pub mod actor;
pub mod admin;
pub mod apps;
pub mod audit;
pub mod bootstrap;
pub mod cart;
pub mod catalogs;
pub mod developer_delete;
pub mod developers;
pub mod exports;
pub mod invitations;
pub mod invite_codes;
pub mod keys;
pub mod lifecycle;
pub mod org_members;
pub mod org_registration;
pub mod organisations;
pub mod passwords;
pub mod products;
pub mod profile;
pub mod search_index;
pub mod sessions;
pub mod settings;
pub mod usage;
