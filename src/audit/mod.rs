//! The audit job: the registry's accounts judged by the account checks ([`crate::checks`])
//! against the activity their audit logs show ([`crate::auditlog`]), with suppression applied.

pub mod run;
