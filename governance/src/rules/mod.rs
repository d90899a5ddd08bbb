//! The rule families. Each `check` takes the [`Repository`](crate::Repository)
//! (and the configuration of its family, for the opt-in ones) and returns
//! its findings; an [`Error`](crate::Error) only when input cannot be read.

pub mod amendment;
pub mod contract;
pub mod mcp;
pub mod ownership;
pub mod priority;
pub mod schema;
pub mod structure;
pub mod trace;
