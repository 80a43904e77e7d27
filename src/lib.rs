//! wandb-sa-lint: a static policy linter for Weights & Biases service accounts.
//!
//! Bytes come in through [`source`], are judged by [`detect`] using [`rules`], and leave
//! through [`report`]; [`cli`] is the only module that prints.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod audit;
pub mod auditlog;
pub mod checks;
pub mod cli;
pub mod config;
pub mod detect;
pub mod examples;
pub mod finding;
pub mod formats;
pub mod fuzzing;
mod pattern;
pub mod registry;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod suppress;
pub mod wandb;
pub mod weaken;
pub mod yaml;
