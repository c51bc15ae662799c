//! Domain services: plain async functions over a connection, one module per resource.

pub mod accounts;
pub mod actor;
pub mod admin;
pub mod bootstrap;
pub mod sessions;
pub mod settings;
