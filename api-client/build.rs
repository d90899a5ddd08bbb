//! Generates the client from the checked-in contract at build time, so the
//! client can never be stale relative to `specs/contracts/charter.json`.

use std::path::Path;

fn main() {
    // Read at run time, not baked in with env!: a build script compiled in
    // one checkout may be reused for another sharing the target directory.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let contract = Path::new(&manifest_dir).join("../specs/contracts/charter.json");
    println!("cargo:rerun-if-changed={}", contract.display());
    let text = std::fs::read_to_string(&contract)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", contract.display()));
    let mut spec: serde_json::Value =
        serde_json::from_str(&text).expect("the contract is valid OpenAPI JSON");
    plain_strings(&mut spec);
    let spec = serde_json::from_value(spec).expect("the contract is valid OpenAPI");

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote_inner())
        .with_hooks(progenitor::HooksMode::Expected);
    // The list's enums and the priority are the domain's own types, so the
    // web app can hand them to the domain's list order without converting.
    for (module, name) in [
        ("listing", "TaskStatusFilter"),
        ("listing", "TaskSort"),
        ("listing", "SortOrder"),
        ("organise", "TaskPriority"),
    ] {
        use progenitor::TypeImpl;
        let impls = [TypeImpl::Default, TypeImpl::Display, TypeImpl::FromStr];
        settings.with_replacement(name, format!("charter_domain::{module}::{name}"), impls.into_iter());
    }

    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).expect("progenitor accepts the contract");
    let file = syn::parse2(tokens).expect("generated code parses");
    let mut code = prettyplease::unparse(&file);
    // progenitor boxes paginated streams with `.boxed()`, which needs `Send`;
    // in the browser reqwest's futures are not `Send`, so box them locally.
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        code = code.replace(".boxed()", ".boxed_local()");
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("charter.rs");
    std::fs::write(out, code).expect("can write the generated client");
}

/// Drops the string constraints (lengths, patterns) the contract states for
/// request fields. progenitor would make each constrained field a newtype
/// checked with a regular-expression engine compiled into every client, the
/// web app's wasm included, and would have callers convert every string.
/// The server checks each rule, and the web app checks them before sending
/// with charter-domain, the code the contract's constraints are written
/// from.
fn plain_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => {
            if object.get("type").and_then(|t| t.as_str()) == Some("string") {
                for constraint in ["pattern", "minLength", "maxLength"] {
                    object.remove(constraint);
                }
            }
            object.values_mut().for_each(plain_strings);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(plain_strings),
        _ => {}
    }
}

/// The client's inner state: the session's tokens (see `src/auth.rs`).
fn quote_inner() -> proc_macro2::TokenStream {
    "crate::auth::Auth".parse().expect("a type path")
}
