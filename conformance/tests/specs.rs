//! One set of snapshots per file in `spec/` (picked up by `insta::glob!`,
//! so a new spec needs no code change): the route table as the oracle reads
//! it, and the code the generator writes for it, so every generator change
//! is reviewed as a diff.

use std::path::Path;

use conformance::oracle::{Oracle, SpecDoc};

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn route_table_per_spec() {
    insta::glob!("../../spec", "*.yaml", |path| {
        let oracle = Oracle::load(path).unwrap_or_else(|e| panic!("{e}"));
        insta::with_settings!({snapshot_suffix => file_name(path)}, {
            insta::assert_yaml_snapshot!("route_table", oracle.operations());
        });
    });
}

#[test]
fn generated_code_per_spec() {
    insta::glob!("../../spec", "*.yaml", |path| {
        // Named by its place in the repository, so the header comment is
        // the same in every clone.
        let name = format!("spec/{}", file_name(path));
        let text = std::fs::read_to_string(path).unwrap();
        let code = codegen::generate_str(
            &name,
            &text,
            // As `generated/build.rs` generates it: with the dispatcher.
            &codegen::EmitOptions {
                dispatcher: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::with_settings!({snapshot_suffix => file_name(path)}, {
            insta::assert_snapshot!("generated_code", code);
        });
    });
}

/// Every example a spec gives for a request body validates against that
/// body's schema (the seed page's `{"deviceIds":["Device Ids value"]}` for
/// ours).
#[test]
fn request_body_examples_validate() {
    insta::glob!("../../spec", "*.yaml", |path| {
        let oracle = Oracle::load(path).unwrap();
        let mut seen = 0;
        for op in oracle.operations() {
            for media in op.request_body.iter().flat_map(|b| &b.content) {
                if let (Some(example), Some(schema)) = (&media.example, &media.schema) {
                    seen += 1;
                    let problems = oracle.validate(schema, example);
                    assert!(problems.is_empty(), "{}: {problems:?}", op.operation_id);
                }
            }
        }
        let doc = SpecDoc::load(path).unwrap();
        assert!(
            seen > 0 || doc.request_bodies().is_empty(),
            "{}: request bodies without examples",
            path.display()
        );
    });
}
