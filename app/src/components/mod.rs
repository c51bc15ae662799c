//! Reusable pieces of the UI, named after what the user sees.

pub mod admin_nav;
pub mod audit;
pub mod avatar;
pub mod cart_count;
pub mod export_progress;
pub mod field;
pub mod invitations;
pub mod key_usage;
pub mod nav;
pub mod secret_key;
pub mod states;
pub mod toast;
pub mod usage_chart;
