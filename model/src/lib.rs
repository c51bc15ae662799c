//! Portico's wire contract: what the browser and the host say to each other.
//!
//! Everything here compiles to WASM. It holds the typed ids, the data transfer objects
//! returned by server functions, the input newtypes whose `parse` functions are the
//! validation rules (run in the browser for instant feedback and again on the host, which
//! is the authority), and [`AppError`], the one error type that crosses the wire.

pub mod api_tokens;
pub mod catalog;
pub mod developers;
pub mod dto;
pub mod email;
pub mod error;
pub mod exports;
pub mod ids;
pub mod input;
pub mod time;
pub mod usage;

pub use api_tokens::*;
pub use catalog::*;
pub use developers::*;
pub use dto::*;
pub use error::AppError;
pub use exports::*;
pub use ids::*;
pub use input::*;
pub use usage::*;
