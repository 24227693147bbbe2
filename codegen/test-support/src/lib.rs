//! Test-only support for the tests that read the team's shared inputs
//! (Microsoft's Graph modules in `graph-openapi/`, the seed page in
//! `seed/`): the directory `shared/` beside the repository, or wherever
//! `AUTOPILOT_SHARED_DIR` points.
//!
//! A clone outside this team's machines has no such directory. Its tests
//! must not pass silently there, and CI must not run without them:
//!
//! * [`macro@needs_shared`] on a test marks it `#[ignore]` when the
//!   directory was absent at build time, with the directory in the reason,
//!   so `cargo test` lists it as `ignored, <why>` instead of `ok`. Beside
//!   it goes a guard test, `<test>::needs_shared_under_ci`, that fails
//!   when `CI` is set (as `.ci/run` sets it), naming the directory.
//! * [`shared!`] gives a path inside the directory and panics, naming
//!   it, when it is not there.
//!
//! ```ignore
//! #[test_support::needs_shared]
//! #[test]
//! fn microsofts_modules() {
//!     let dir = test_support::shared!("graph-openapi");
//!     // ...
//! }
//! ```
//!
//! A proc-macro crate because `#[ignore]` must be decided at compile time
//! and a `macro_rules!` body is out of rustfmt's reach; it has no
//! dependencies, so it costs next to nothing to build. The build script
//! makes the decision (`cfg(shared_absent)`).

use proc_macro::{Delimiter, TokenStream, TokenTree};

/// The variable that points the tests at another copy of the shared inputs.
const OVERRIDE: &str = "AUTOPILOT_SHARED_DIR";

/// The default directory: `shared/` beside the repository.
const DEFAULT_DIR: &str = env!("TEST_SUPPORT_DEFAULT_SHARED_DIR");

/// Rust source for an expression: the shared directory as the tests see it
/// when they run.
fn root_expr() -> String {
    format!(
        "::std::env::var_os({OVERRIDE:?}).map(::std::path::PathBuf::from)\
         .unwrap_or_else(|| ::std::path::PathBuf::from({DEFAULT_DIR:?}))"
    )
}

/// Marks a test that needs the shared inputs.
///
/// When they were present at build time the test is left as it is (and
/// [`shared!`] inside it finds them). When they were absent, the test gets
/// `#[ignore = "<the directory> is absent ..."]`, and a guard test
/// `<test>::needs_shared_under_ci` is added that fails under `CI`, or when
/// the directory has appeared since the build (the ignore is then stale).
///
/// Put it above `#[test]` / `#[tokio::test]`: the test attribute reads
/// `#[ignore]` when it expands, so it must expand after this one.
#[proc_macro_attribute]
pub fn needs_shared(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return compile_error("#[needs_shared] takes no arguments");
    }
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let Some(name) = fn_name(&tokens) else {
        return compile_error("#[needs_shared] goes on a test function");
    };
    if !has_test_attribute(&tokens) {
        return compile_error(
            "put #[needs_shared] above #[test] (or #[tokio::test]): \
             below it, the test is registered before it can be marked ignored",
        );
    }
    if cfg!(not(shared_absent)) {
        return tokens.into_iter().collect();
    }
    gated(tokens, &name)
}

/// The item marked ignored, and its guard test.
fn gated(tokens: Vec<TokenTree>, name: &str) -> TokenStream {
    let absent = option_env!("TEST_SUPPORT_ABSENT_SHARED_DIR").unwrap_or(DEFAULT_DIR);
    let reason = format!(
        "{absent} is absent, so skipped (the team's shared inputs; {OVERRIDE} names \
         another place); under CI this fails"
    );
    // After the item's own attributes, so that `#[tokio::test]` passes it
    // on to the `#[test]` it writes.
    let mut at = 0;
    while at + 1 < tokens.len()
        && matches!(&tokens[at], TokenTree::Punct(p) if p.as_char() == '#')
        && matches!(&tokens[at + 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
    {
        at += 2;
    }
    let ignore: TokenStream = format!("#[ignore = {reason:?}]").parse().unwrap();
    let mut out: TokenStream = tokens[..at].iter().cloned().collect();
    out.extend(ignore);
    out.extend(tokens[at..].iter().cloned());
    let root = root_expr();
    let guard = format!(
        r#"
        /// Fails when CI runs without the shared inputs that `{name}` needs.
        mod {name} {{
            #[test]
            fn needs_shared_under_ci() {{
                let dir = {root};
                if dir.is_dir() {{
                    ::std::panic!(
                        "{{}} exists, but it was absent when this test binary was built, \
                         so `{name}` is marked ignored: rebuild the tests \
                         (touch codegen/test-support/build.rs)",
                        dir.display()
                    );
                }}
                let ci = ::std::env::var("CI").unwrap_or_default();
                if !ci.is_empty() && ci != "false" && ci != "0" {{
                    ::std::panic!(
                        "CI={{ci}}: {{}} is absent, so `{name}` cannot run: it needs the \
                         team's shared inputs there (or {OVERRIDE} pointing at them)",
                        dir.display()
                    );
                }}
            }}
        }}
        "#
    );
    out.extend(guard.parse::<TokenStream>().unwrap());
    out
}

/// Whether one of the item's attributes is `#[test]`, `#[tokio::test]`
/// or another `...::test`, with or without arguments.
fn has_test_attribute(tokens: &[TokenTree]) -> bool {
    tokens.windows(2).any(|pair| match pair {
        [TokenTree::Punct(hash), TokenTree::Group(group)]
            if hash.as_char() == '#' && group.delimiter() == Delimiter::Bracket =>
        {
            let last = group
                .stream()
                .into_iter()
                .take_while(|t| matches!(t, TokenTree::Ident(_) | TokenTree::Punct(_)))
                .filter_map(|t| match t {
                    TokenTree::Ident(i) => Some(i.to_string()),
                    _ => None,
                })
                .last();
            last.as_deref() == Some("test")
        }
        _ => false,
    })
}

/// The name after the top-level `fn` keyword.
fn fn_name(tokens: &[TokenTree]) -> Option<String> {
    let at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "fn"))?;
    match tokens.get(at + 1)? {
        TokenTree::Ident(name) => Some(name.to_string()),
        _ => None,
    }
}

/// `shared!("graph-openapi")`: the path of that entry of the shared inputs
/// (`$AUTOPILOT_SHARED_DIR/graph-openapi`, else `../shared/graph-openapi`
/// beside the repository), as a `PathBuf`. Panics, naming the path, when it
/// does not exist: a test that reaches it needs it.
#[proc_macro]
pub fn shared(input: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let entry = match tokens.as_slice() {
        [TokenTree::Literal(lit)] if lit.to_string().starts_with('"') => lit.to_string(),
        _ => return compile_error("shared!(\"entry\") takes one string literal"),
    };
    let root = root_expr();
    format!(
        r#"{{
            let path = ({root}).join({entry});
            if !path.exists() {{
                ::std::panic!(
                    "{{}} is absent: this test needs the team's shared inputs there \
                     (or {OVERRIDE} pointing at them)",
                    path.display()
                );
            }}
            path
        }}"#
    )
    .parse()
    .unwrap()
}

fn compile_error(message: &str) -> TokenStream {
    format!("::core::compile_error!({message:?});")
        .parse()
        .unwrap()
}
