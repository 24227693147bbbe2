//! A reviewable summary of each generated client (its operations and
//! types), snapshotted with insta `glob!` so that any change in what the
//! generator makes of Microsoft's modules, or of our own specs, shows up
//! in review. The summary is read back from the generated Rust code with
//! `syn`, so it is what users get, not what the generator meant.

use std::path::Path;

use quote::ToTokens;

/// Shortens the fully qualified paths generated code uses.
fn short(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut text = text.replace(" :: ", "::").replace(":: ", "::");
    for (long, brief) in [
        ("::std::option::", ""),
        ("::std::vec::", ""),
        ("::std::string::", ""),
        ("::std::boxed::", ""),
        ("::std::collections::", ""),
        ("::std::result::", ""),
        ("::openapi_runtime::serde_json::", "json::"),
        ("::openapi_runtime::", "rt::"),
    ] {
        text = text.replace(long, brief);
    }
    text.replace(" < ", "<")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace("&'a ", "&")
        .replace(",>", ">")
}

fn summarise(spec: &Path) -> String {
    let code = codegen::generate_file(spec, &Default::default()).unwrap();
    let file = syn::parse_file(&code).unwrap();
    let mut types = Vec::new();
    let mut methods = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => {
                for item in &m.content.as_ref().unwrap().1 {
                    match item {
                        syn::Item::Struct(s) if matches!(s.fields, syn::Fields::Unnamed(_)) => {
                            let fields: Vec<String> =
                                s.fields.iter().map(|f| short(&f.ty)).collect();
                            types.push(format!("struct {}({})", s.ident, fields.join(", ")));
                        }
                        syn::Item::Struct(s) => {
                            let fields: Vec<String> = s
                                .fields
                                .iter()
                                .map(|f| format!("{}: {}", f.ident.as_ref().unwrap(), short(&f.ty)))
                                .collect();
                            types.push(format!("struct {} {{ {} }}", s.ident, fields.join(", ")));
                        }
                        syn::Item::Enum(e) => {
                            let variants: Vec<String> =
                                e.variants.iter().map(|v| v.ident.to_string()).collect();
                            types.push(format!("enum {} {{ {} }}", e.ident, variants.join(", ")));
                        }
                        syn::Item::Type(t) => {
                            types.push(format!("type {} = {}", t.ident, short(&t.ty)));
                        }
                        _ => {}
                    }
                }
            }
            syn::Item::Impl(i) if short(&i.self_ty) == "Client" => {
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item
                        && f.sig.asyncness.is_some()
                    {
                        let args: Vec<String> = f
                            .sig
                            .inputs
                            .iter()
                            .skip(1)
                            .map(|a| short(a).replace(" : ", ": "))
                            .collect();
                        let ret = match &f.sig.output {
                            syn::ReturnType::Type(_, ty) => short(ty),
                            syn::ReturnType::Default => "()".into(),
                        };
                        methods.push(format!("{}({}) -> {ret}", f.sig.ident, args.join(", ")));
                    }
                }
            }
            _ => {}
        }
    }
    format!(
        "{} operations:\n{}\n\n{} types:\n{}\n",
        methods.len(),
        methods.join("\n"),
        types.len(),
        types.join("\n")
    )
}

#[test_support::needs_shared]
#[test]
fn microsofts_modules() {
    let dir = test_support::shared!("graph-openapi");
    // The two modules the generator takes today; `DeviceManagement.yml`
    // (891 operations) waits for issue 17's formats and joins then.
    insta::glob!(dir, "DeviceManagement.{Actions,Enrollment}.yml", |path| {
        insta::assert_snapshot!(summarise(path));
    });
}

#[test]
fn our_specs() {
    insta::glob!(
        "../..",
        "{spec/*.yaml,codegen/tests/specs/*.yaml}",
        |path| {
            insta::assert_snapshot!(summarise(path));
        }
    );
}
