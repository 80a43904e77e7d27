//! The account checks live in [`crate::checks`] (one file per check); these re-exports keep
//! the date helpers' older paths for callers not moved yet.

pub use crate::checks::{day_of, days_between, last_activity};
pub use crate::registry::parse_date;
