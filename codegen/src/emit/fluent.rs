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

use std::collections::BTreeMap;

use super::Ctx;
use super::chunk::{Container, Items};
use super::client::{arguments, return_type};
use crate::emit::ident;
use crate::model::{Operation, ParamLocation, PathStep};
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
                            PathStep::Templated { text, params } if text.is_empty() => {
                                (params.len(), "Item".to_string())
                            }
                            PathStep::Templated { text, params } => {
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
        let mut marker_names = Namespace::with_reserved(&["Path", "PhantomData", "Error"]);
        let markers = tree
            .nodes
            .iter()
            .map(|n| ident(marker_names.claim(&n.name_words)))
            .collect();
        let mut steps = Vec::new();
        let mut terminals = Vec::new();
        for node in &tree.nodes {
            // Operations first, then steps: the order the names were
            // always claimed in, so that no method changes its name.
            let mut taken = Namespace::default();
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
                            PathStep::Templated { text, params } if text.is_empty() => format!(
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
/// `&Client`), with `path[i]` for its path parameters, up to the method
/// that runs it (the caller adds its arguments):
/// `client.a().by_id(path[0]).b().post`.
pub(crate) fn chains(
    ctx: &Ctx<'_>,
    client: &TokenStream,
    path: &TokenStream,
) -> BTreeMap<String, TokenStream> {
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
                PathStep::Templated { params, .. } => params
                    .iter()
                    .map(|_| {
                        let i = Literal::usize_unsuffixed(given);
                        given += 1;
                        quote!(#path[#i])
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
            .map(|op| terminal(ctx, op, &naming.terminals[i][&op.id]))
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
                PathStep::Templated { params, .. } => {
                    let mut args = Namespace::with_reserved(&["self"]);
                    let arg_names: Vec<Ident> = params
                        .iter()
                        .map(|p| ident(args.claim(&names::snake(p))))
                        .collect();
                    let doc = format!(" `/{}`", piece_text(piece));
                    let arg_list = arg_names.iter();
                    quote! {
                        #[doc = #doc]
                        pub fn #method(self, #(#arg_list: &'a str),*) -> #child_path {
                            self.with(&[#(#arg_names),*])
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

    let mut body = out.nested(Container::Module);
    body.push(quote! {
            #[allow(unused_imports)]
            use super::{params, types};
            use ::std::marker::PhantomData;
            #[allow(unused_imports)]
            use #rt::Error;

            /// A place on the fluent path: the client and the `N` path
            /// parameters gathered so far. `Node` (one of this module's
            /// marker types) says where, and so which steps come next.
            pub struct Path<'a, Node, const N: usize> {
                client: &'a super::Client,
                params: [&'a str; N],
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
        PathStep::Templated { text, params } if text.is_empty() => {
            format!("{{{}}}", params.join("}{"))
        }
        PathStep::Templated { text, params } => format!("{text}({})", params.join(", ")),
    }
}

/// The method on a node that runs an operation ending there.
fn terminal(ctx: &Ctx<'_>, op: &Operation, method: &Ident) -> TokenStream {
    let flat = ident(&op.rust_name);
    let (decls, names) = arguments(ctx, op, &quote!());
    let path_count = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .count();
    let own_decls = &decls[path_count..];
    let own_names = &names[path_count..];
    let path_args = (0..path_count).map(|i| {
        let i = Literal::usize_unsuffixed(i);
        quote!(self.params[#i])
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
