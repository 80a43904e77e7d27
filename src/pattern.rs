//! Regular expressions written in the source, compiled once on first use.
//!
//! A constant pattern that does not compile is a defect of this program, not of its input:
//! building one panics instead of quietly matching nothing (which would disable a check
//! without a word). [`patterns!`] declares a module's patterns as `static`s and, for the
//! tests, a `constant_patterns_compile` test that forces every one of them, so a bad pattern
//! fails `cargo test` before it can reach a user. Patterns built from input (rule files,
//! configuration) never come here: their errors are reported, see `rules::load`.

/// A regex type a constant pattern compiles to.
pub(crate) trait Compile: Sized {
    /// Compiles `src`, panicking if it does not: `src` is a constant of this program, and the
    /// `constant_patterns_compile` test of the module declaring it compiles it.
    fn compile(src: &str) -> Self;
}

/// Patterns over UTF-8 text.
pub(crate) type Text = regex::Regex;
/// Patterns over bytes.
pub(crate) type Bytes = regex::bytes::Regex;

// The one place a constant pattern may panic (see the module comment).
#[allow(clippy::panic)]
impl Compile for Text {
    fn compile(src: &str) -> Self {
        regex::Regex::new(src)
            .unwrap_or_else(|e| panic!("constant pattern `{src}` does not compile: {e}"))
    }
}

#[allow(clippy::panic)]
impl Compile for Bytes {
    fn compile(src: &str) -> Self {
        regex::bytes::Regex::new(src)
            .unwrap_or_else(|e| panic!("constant pattern `{src}` does not compile: {e}"))
    }
}

/// Declares constant patterns, each `NAME: Text = "..."` or `NAME: Bytes = "..."`, as
/// `static`s compiled on first use, and a test (`constant_patterns_compile`) that compiles
/// them all. One invocation per module (the test's name is fixed).
macro_rules! patterns {
    ($($(#[$doc:meta])* $name:ident: $kind:ident = $src:expr;)+) => {
        $(
            $(#[$doc])*
            static $name: std::sync::LazyLock<$crate::pattern::$kind> =
                std::sync::LazyLock::new(|| {
                    <$crate::pattern::$kind as $crate::pattern::Compile>::compile($src)
                });
        )+

        #[cfg(test)]
        #[test]
        fn constant_patterns_compile() {
            $(std::sync::LazyLock::force(&$name);)+
        }
    };
}
pub(crate) use patterns;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "does not compile")]
    fn a_bad_constant_pattern_fails_loudly() {
        let _ = <Text as Compile>::compile("(unclosed");
    }
}
