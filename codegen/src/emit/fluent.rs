//! The fluent path: builders that mirror the URL, as Microsoft's SDKs do:
//! `client.device_management().windows_autopilot_deployment_profiles()
//! .by_windows_autopilot_deployment_profile_id(id).assign().post(&body)`.
//!
//! The operations' paths, split into steps by lowering
//! ([`crate::model::Operation::steps`]), form a tree. Every node is the one generic
//! `paths::Path<'a, Node, N>`, a `Copy` value holding the client and the
//! `N` path parameters gathered so far, told apart by an uninhabited
//! marker type per node; each marker's `impl` block lists the steps from
//! there, and a node where an operation ends has one method per HTTP
//! method, which calls the flat client method.
//!
//! A step takes a scalar parameter as text and an array or object typed,
//! as the flat method does (lowering decides which, see
//! [`crate::model::StepValue`]); the path holds either as the runtime's
//! `PathArg` and hands the flat method its text, so that the value is
//! checked and spelt in its style by the same runtime code.

use std::collections::BTreeMap;

use super::Ctx;
use super::chunk::{Container, Items};
use super::client::{arguments, return_type};
use crate::emit::ident;
use crate::model::{Operation, ParamLocation, PathStep, StepValue};
use crate::names::{self, Namespace};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

#[derive(Default)]
struct Node<'a> {
    children: BTreeMap<PathStep, usize>,
    operations: Vec<&'a Operation>,
    /// Path parameters gathered from the root to here.
    depth_params: usize,
    /// Words naming the node's struct.
    name_words: String,
    /// The path from the root to here, for docs.
    path: String,
}

struct Tree<'a> {
    nodes: Vec<Node<'a>>,
}

impl<'a> Tree<'a> {
    fn build(operations: &'a [Operation]) -> Self {
        let mut tree = Tree {
            nodes: vec![Node {
                name_words: "Root".into(),
                ..Node::default()
            }],
        };
        for op in operations {
            let mut at = 0;
            for piece in &op.steps {
                let next = match tree.nodes[at].children.get(piece) {
                    Some(&next) => next,
                    None => {
                        let parent = &tree.nodes[at];
                        let (added, words) = match piece {
                            PathStep::Literal(text) => (0, names::pascal(unqualified(text))),
                            PathStep::Templated { text, params, .. } if text.is_empty() => {
                                (params.len(), "Item".to_string())
                            }
                            PathStep::Templated { text, params, .. } => {
                                (params.len(), names::pascal(text))
                            }
                        };
                        let base = if at == 0 {
                            String::new()
                        } else {
                            parent.name_words.clone()
                        };
                        let node = Node {
                            depth_params: parent.depth_params + added,
                            name_words: format!("{base}{words}"),
                            path: format!("{}/{}", parent.path, piece_text(piece)),
                            ..Node::default()
                        };
                        tree.nodes.push(node);
                        let id = tree.nodes.len() - 1;
                        tree.nodes[at].children.insert(piece.clone(), id);
                        id
                    }
                };
                at = next;
            }
            tree.nodes[at].operations.push(op);
        }
        tree.drop_shared_prefix();
        tree
    }

    /// Whether a step takes a typed value (see [`StepValue`]).
    fn typed(&self) -> bool {
        self.nodes.iter().flat_map(|n| n.children.keys()).any(|piece| {
            matches!(piece, PathStep::Templated { values, .. } if values.contains(&StepValue::Typed))
        })
    }

    /// When every path starts with the same literal (`/deviceManagement`
    /// in Microsoft's modules), the names below it leave that word out:
    /// it tells no node apart, and it would lengthen every marker.
    fn drop_shared_prefix(&mut self) {
        let [only] = self.nodes[0].children.values().copied().collect::<Vec<_>>()[..] else {
            return;
        };
        let prefix = self.nodes[only].name_words.clone();
        for (i, node) in self.nodes.iter_mut().enumerate() {
            if i != only
                && let Some(rest) = node.name_words.strip_prefix(&prefix)
                && !rest.is_empty()
            {
                node.name_words = rest.to_string();
            }
        }
    }
}

/// The Rust names of the fluent path, decided once so that the builders
/// and the dispatcher's fluent calls (see [`chain`]) agree.
struct Naming {
    /// Each node's marker type.
    markers: Vec<Ident>,
    /// Per node, the method stepping to each child.
    steps: Vec<BTreeMap<PathStep, Ident>>,
    /// Per node, the method running each operation that ends there, by
    /// operationId.
    terminals: Vec<BTreeMap<String, Ident>>,
    /// The `Client` method starting at each child of the root that needs
    /// no parameter, by the child's node.
    roots: BTreeMap<usize, Ident>,
    /// The `Client` method giving the root itself.
    root: Ident,
    /// The `Client` method calling any operation by id (see
    /// [`super::dispatch`]).
    dispatch: Ident,
}

impl Naming {
    fn decide(ctx: &Ctx<'_>, tree: &Tree<'_>) -> Naming {
        let typed = tree.typed();
        let mut marker_names = Namespace::with_reserved(if typed {
            &["Path", "PathArg", "PhantomData", "Error"]
        } else {
            &["Path", "PhantomData", "Error"]
        });
        let markers = tree
            .nodes
            .iter()
            .map(|n| ident(marker_names.claim(&n.name_words)))
            .collect();
        let mut steps = Vec::new();
        let mut terminals = Vec::new();
        for node in &tree.nodes {
            // Operations first, then steps: the order the names were
            // always claimed in, so that no method changes its name. The
            // methods every `Path` has are taken.
            let mut taken = Namespace::with_reserved(if typed {
                &["new", "to", "with", "arg"]
            } else {
                &["new", "to", "with"]
            });
            terminals.push(
                node.operations
                    .iter()
                    .map(|op| (op.id.clone(), ident(taken.claim(op.method.spec_name()))))
                    .collect(),
            );
            steps.push(
                node.children
                    .keys()
                    .map(|piece| {
                        let name = match piece {
                            PathStep::Literal(text) => names::snake(unqualified(text)),
                            PathStep::Templated { text, params, .. } if text.is_empty() => format!(
                                "by_{}",
                                names::snake(&params.join("_")).trim_start_matches("r#")
                            ),
                            PathStep::Templated { text, .. } => names::snake(text),
                        };
                        (piece.clone(), ident(taken.claim(&name)))
                    })
                    .collect(),
            );
        }
        let mut client_names = Namespace::with_reserved(&["new", "runtime"]);
        for op in &ctx.api.operations {
            client_names.claim(&op.rust_name);
        }
        let mut roots = BTreeMap::new();
        for (piece, &child) in &tree.nodes[0].children {
            let name = match piece {
                PathStep::Literal(text) => client_names.claim(&names::snake(text)),
                _ => client_names.claim("path"),
            };
            if tree.nodes[child].depth_params == 0 {
                roots.insert(child, ident(name));
            }
        }
        let root = ident(client_names.claim("paths"));
        // Claimed last, so that it renames nothing that was there before.
        let dispatch = ident(client_names.claim("dispatch"));
        Naming {
            markers,
            steps,
            terminals,
            roots,
            root,
            dispatch,
        }
    }
}

/// Per operationId, the fluent path to the operation from `client` (a
/// `&Client`), with `path[i]` (text) for its path parameters, up to the
/// method that runs it (the caller adds its arguments):
/// `client.a().by_id(path[0]).b().post`. A step that takes a typed value
/// is given the text as `&PathArg::Text(path[i])`, JSON text as it is.
pub(crate) fn chains(
    ctx: &Ctx<'_>,
    client: &TokenStream,
    path: &TokenStream,
) -> BTreeMap<String, TokenStream> {
    let rt = &ctx.rt();
    let tree = Tree::build(&ctx.api.operations);
    let naming = Naming::decide(ctx, &tree);
    let mut out = BTreeMap::new();
    for op in &ctx.api.operations {
        let mut at = 0;
        let mut given = 0usize;
        let mut call: Option<TokenStream> = None;
        for piece in &op.steps {
            let child = tree.nodes[at].children[piece];
            let args: Vec<TokenStream> = match piece {
                PathStep::Literal(_) => Vec::new(),
                PathStep::Templated { values, .. } => values
                    .iter()
                    .map(|value| {
                        let i = Literal::usize_unsuffixed(given);
                        given += 1;
                        match value {
                            StepValue::Text => quote!(#path[#i]),
                            StepValue::Typed => quote!(&#rt::PathArg::Text(#path[#i])),
                        }
                    })
                    .collect(),
            };
            let step = &naming.steps[at][piece];
            call = Some(match call {
                Some(before) => quote!(#before.#step(#(#args),*)),
                None => match naming.roots.get(&child) {
                    Some(start) => quote!(#client.#start()),
                    None => {
                        let root = &naming.root;
                        quote!(#client.#root().#step(#(#args),*))
                    }
                },
            });
            at = child;
        }
        let call = call.unwrap_or_else(|| {
            let root = &naming.root;
            quote!(#client.#root())
        });
        let terminal = &naming.terminals[at][&op.id];
        out.insert(op.id.clone(), quote!(#call.#terminal));
    }
    out
}

/// The name of the `Client` method that calls any operation by id:
/// `dispatch`, unless an operation or a fluent root took it.
pub(crate) fn dispatch_method(ctx: &Ctx<'_>) -> Ident {
    let tree = Tree::build(&ctx.api.operations);
    Naming::decide(ctx, &tree).dispatch
}

/// Emits the `paths` module and the root accessors on `Client`.
pub(crate) fn emit(ctx: &Ctx<'_>, out: &mut Items) {
    let rt = &ctx.rt();
    let tree = Tree::build(&ctx.api.operations);
    let naming = Naming::decide(ctx, &tree);
    let typed = tree.typed();
    let names = &naming.markers;
    let path_of = |i: usize| {
        let name = &names[i];
        let n = Literal::usize_unsuffixed(tree.nodes[i].depth_params);
        quote!(Path<'a, #name, #n>)
    };

    let nodes = tree.nodes.iter().enumerate().map(|(i, node)| {
        let name = &names[i];
        let this = path_of(i);
        let terminals: Vec<TokenStream> = node
            .operations
            .iter()
            .map(|op| terminal(ctx, op, &naming.terminals[i][&op.id], typed))
            .collect();
        let accessors = node.children.iter().map(|(piece, &child)| {
            let child_path = path_of(child);
            let method = &naming.steps[i][piece];
            match piece {
                PathStep::Literal(text) => {
                    let doc = format!(" `/{text}`");
                    quote! {
                        #[doc = #doc]
                        pub fn #method(self) -> #child_path {
                            self.to()
                        }
                    }
                }
                PathStep::Templated { params, values, .. } => {
                    let mut args = Namespace::with_reserved(&["self"]);
                    let arg_names: Vec<Ident> = params
                        .iter()
                        .map(|p| ident(args.claim(&names::snake(p))))
                        .collect();
                    let mut doc = vec![format!(" `/{}`", piece_text(piece))];
                    let mut decls = Vec::new();
                    let mut held = Vec::new();
                    let typed = values.contains(&StepValue::Typed);
                    for (name, value) in arg_names.iter().zip(values) {
                        match value {
                            // Texts alone go as they are (see `Path::with`).
                            StepValue::Text if !typed => {
                                decls.push(quote!(#name: &'a str));
                                held.push(quote!(#name));
                            }
                            StepValue::Text => {
                                decls.push(quote!(#name: &'a str));
                                held.push(quote!(PathArg::Text(#name)));
                            }
                            StepValue::Typed => {
                                decls.push(quote!(#name: &'a (impl #rt::PathValue + Sync)));
                                held.push(quote!(PathArg::Value(#name)));
                            }
                        }
                    }
                    if typed {
                        doc.push(String::new());
                        doc.push(
                            " An array or object is taken typed, as the flat method takes it \
                             (a `Vec`, an array, `&slice`, a generated type), and checked and \
                             spelt in its style when the call is made."
                                .to_string(),
                        );
                    }
                    quote! {
                        #(#[doc = #doc])*
                        pub fn #method(self, #(#decls),*) -> #child_path {
                            self.with(&[#(#held),*])
                        }
                    }
                }
            }
        });
        let path = if node.path.is_empty() {
            "/"
        } else {
            &node.path
        };
        let doc = format!(" The place `{path}` on the fluent path.");
        quote! {
            #[doc = #doc]
            pub enum #name {}

            impl<'a> #this {
                #(#accessors)*
                #(#terminals)*
            }
        }
    });

    // Root accessors go on `Client`, beside the flat methods.
    let root = &tree.nodes[0];
    let mut roots: Vec<TokenStream> = root
        .children
        .iter()
        .filter_map(|(piece, &child)| {
            let method = naming.roots.get(&child)?;
            let child_name = &names[child];
            let doc = format!(" Starts the fluent path `/{}`.", piece_text(piece));
            Some(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> paths::Path<'_, paths::#child_name, 0> {
                    paths::Path::new(self)
                }
            })
        })
        .collect();
    let root_name = &names[0];
    let root_method = &naming.root;
    roots.push(quote! {
        /// The root of the fluent path.
        pub fn #root_method(&self) -> paths::Path<'_, paths::#root_name, 0> {
            paths::Path::new(self)
        }
    });

    // A spec whose steps all take text (Microsoft's modules, most specs)
    // holds the parameters as `&str`, as it always did; only one with a
    // typed step holds `PathArg`s, at the cost of a few more tokens.
    let (held, imports, with, arg) = if tree.typed() {
        (
            quote!(PathArg<'a>),
            quote!(use #rt::PathArg;),
            quote! {
                /// The next place, with `more` parameters after these
                /// (`M` is `N` plus their number): texts, or `PathArg`s.
                #[allow(dead_code)]
                fn with<Next, const M: usize, A>(self, more: &[A]) -> Path<'a, Next, M>
                where
                    A: Into<PathArg<'a>> + Copy,
                {
                    let mut params = [PathArg::Text(""); M];
                    let more = more.iter().map(|&a| a.into());
                    for (slot, value) in params.iter_mut().zip(self.params.into_iter().chain(more)) {
                        *slot = value;
                    }
                    Path { client: self.client, params, node: PhantomData }
                }
            },
            quote! {
                /// The text of the `i`th path parameter, which the flat
                /// method reads it from (see `PathArg::text`).
                #[allow(dead_code)]
                fn arg(&self, i: usize) -> ::std::borrow::Cow<'a, str> {
                    self.params[i].text()
                }
            },
        )
    } else {
        (
            quote!(&'a str),
            quote!(),
            quote! {
                /// The next place, with `more` parameters after these
                /// (`M` is `N` plus their number).
                #[allow(dead_code)]
                fn with<Next, const M: usize>(self, more: &[&'a str]) -> Path<'a, Next, M> {
                    let mut params = [""; M];
                    for (slot, value) in params.iter_mut().zip(self.params.iter().chain(more)) {
                        *slot = value;
                    }
                    Path { client: self.client, params, node: PhantomData }
                }
            },
            quote!(),
        )
    };
    let mut body = out.nested(Container::Module);
    body.push(quote! {
            #[allow(unused_imports)]
            use super::{params, types};
            use ::std::marker::PhantomData;
            #[allow(unused_imports)]
            use #rt::Error;
            #imports

            /// A place on the fluent path: the client and the `N` path
            /// parameters gathered so far. `Node` (one of this module's
            /// marker types) says where, and so which steps come next.
            pub struct Path<'a, Node, const N: usize> {
                client: &'a super::Client,
                params: [#held; N],
                node: PhantomData<fn() -> Node>,
            }

            impl<Node, const N: usize> Clone for Path<'_, Node, N> {
                fn clone(&self) -> Self {
                    *self
                }
            }

            impl<Node, const N: usize> Copy for Path<'_, Node, N> {}

            impl<Node, const N: usize> ::std::fmt::Debug for Path<'_, Node, N> {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct("Path")
                        .field("node", &::std::any::type_name::<Node>())
                        .field("params", &self.params)
                        .finish()
                }
            }

            impl<'a, Node> Path<'a, Node, 0> {
                /// The start of a path, with no parameter yet.
                pub(super) fn new(client: &'a super::Client) -> Self {
                    Path { client, params: [], node: PhantomData }
                }
            }

            impl<'a, Node, const N: usize> Path<'a, Node, N> {
                /// The next place, with the same parameters.
                #[allow(dead_code)]
                fn to<Next>(self) -> Path<'a, Next, N> {
                    Path { client: self.client, params: self.params, node: PhantomData }
                }

                #with
                #arg
            }

    });
    body.extend(nodes);
    out.close(
        quote! {
            /// Fluent builders that mirror the URL of each operation.
            pub mod paths
        },
        body,
    );
    out.push(quote! {
        impl Client {
            #(#roots)*
        }
    });
}

/// The name a literal segment gives its step: a namespace-qualified name
/// (`microsoft.graph.assign`, as OData spells actions and functions) is
/// named by its last part, as Microsoft's SDKs do (`.assign()`); anything
/// else (`v1.0`, `$count`) as it is. Two steps that end up alike are told
/// apart by the namespace that names them.
fn unqualified(text: &str) -> &str {
    let parts: Vec<&str> = text.split('.').collect();
    let qualified = parts.len() >= 3
        && parts.iter().all(|p| {
            p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if qualified {
        parts[parts.len() - 1]
    } else {
        text
    }
}

fn piece_text(piece: &PathStep) -> String {
    match piece {
        PathStep::Literal(text) => text.clone(),
        PathStep::Templated { text, params, .. } if text.is_empty() => {
            format!("{{{}}}", params.join("}{"))
        }
        PathStep::Templated { text, params, .. } => format!("{text}({})", params.join(", ")),
    }
}

/// The method on a node that runs an operation ending there.
/// `typed` says whether the path holds `PathArg`s rather than texts.
fn terminal(ctx: &Ctx<'_>, op: &Operation, method: &Ident, typed: bool) -> TokenStream {
    let flat = ident(&op.rust_name);
    let (decls, names) = arguments(ctx, op, &quote!());
    let path_count = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .count();
    let own_decls = &decls[path_count..];
    let own_names = &names[path_count..];
    // The flat method reads every path parameter from text (JSON text for
    // an array or object): `&str`, a choice's text newtype and any
    // `PathValue` all take a `&str`.
    let path_args = (0..path_count).map(|i| {
        let i = Literal::usize_unsuffixed(i);
        if typed {
            quote!(&*self.arg(#i))
        } else {
            quote!(self.params[#i])
        }
    });
    let ret = return_type(ctx, op, &quote!(Error));
    let doc = format!(
        " Runs `{}` (`{} {}`); same as [`super::Client::{}`].",
        op.id,
        op.method.spec_name().to_uppercase(),
        op.path,
        op.rust_name.trim_start_matches("r#")
    );
    // A deprecated operation stays deprecated on this path too, and calling
    // the flat method from here must not warn in the generated crate.
    let deprecated = if op.deprecated {
        quote!(#[deprecated] #[allow(deprecated)])
    } else {
        quote!()
    };
    quote! {
        #[doc = #doc]
        #deprecated
        pub async fn #method(self, #(#own_decls),*) -> #ret {
            self.client.#flat(#(#path_args,)* #(#own_names),*).await
        }
    }
}

#[cfg(test)]
mod tests {
    /// The model and the generated code of a spec with `paths`.
    fn code_of(paths: &str) -> (crate::model::Api, String) {
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}components:\n  schemas:\n    Keys: {{type: array, items: {{type: string}}}}\n"
        );
        let api = crate::model_from_str("fluent.yaml", &spec).unwrap();
        let code = crate::emit::render(&api, &crate::EmitOptions::default()).unwrap();
        // One space for any run of whitespace: what is asked for below
        // does not depend on how the printer breaks lines.
        (api, code.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// A path item with one `get` that takes the path parameter `param`.
    fn op(path: &str, id: &str, param: &str, schema: &str) -> String {
        format!(
            "  {path}:\n    get:\n      operationId: {id}\n      parameters:\n        - {{name: {param}, in: path, required: true, schema: {schema}}}\n      responses:\n        '204': {{description: ok}}\n"
        )
    }

    #[test]
    fn a_step_is_typed_where_its_operations_agree_and_text_with_a_warning_where_not() {
        let list = "{type: array, items: {type: string}}";
        let keys = "{$ref: '#/components/schemas/Keys'}";
        let paths = [
            op("/shelves/{key}", "shelves_get", "key", list),
            op(
                "/shelves/{key}/books",
                "books_list",
                "key",
                "{type: string}",
            ),
            op("/racks/{key}", "racks_get", "key", keys),
            op(
                "/racks/{key}/books",
                "rack_books",
                "key",
                "{type: array, items: {type: integer}}",
            ),
        ]
        .concat();
        let (api, code) = code_of(&paths);
        assert!(
            code.contains("pub fn by_key(self, key: &'a str) -> Path<'a, ShelvesItem, 1>"),
            "{code}"
        );
        assert!(
            code.contains(
                "key: &'a (impl ::openapi_runtime::PathValue + Sync), ) -> Path<'a, RacksItem, 1>"
            ),
            "{code}"
        );
        // The disagreement is told once, at the typed operation's parameter.
        let told: Vec<_> = api
            .warnings
            .iter()
            .filter(|w| w.message.contains("fluent paths share the step"))
            .collect();
        assert_eq!(told.len(), 1, "{:#?}", api.warnings);
        assert_eq!(told[0].pointer, "#/paths/~1shelves~1{key}/get/parameters/0");
        assert!(
            told[0]
                .message
                .contains("`shelves_get` but not in operation `books_list`")
        );
        // The flat methods, and the terminals, read every value as text.
        assert!(
            code.contains("self.client.shelves_get(&*self.arg(0)).await"),
            "{code}"
        );
    }

    #[test]
    fn paths_with_only_text_steps_hold_texts_and_steps_never_take_a_path_method_name() {
        // `to` and `with` would clash with the methods every `Path` has.
        let paths = [
            op("/x/to/{to}", "to_get", "to", "{type: string}"),
            op("/x/with/{with}", "with_get", "with", "{type: string}"),
        ]
        .concat();
        let (_, code) = code_of(&paths);
        assert!(code.contains("params: [&'a str; N],"), "{code}");
        assert!(!code.contains("PathArg"), "{code}");
        assert!(code.contains("pub fn to2(self)"), "{code}");
        assert!(code.contains("pub fn with2(self)"), "{code}");
    }
}
