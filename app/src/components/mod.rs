//! Reusable pieces of the UI, named after what the user sees.

pub mod avatar;
pub mod field;
pub mod nav;
pub mod states;
pub mod toast;
