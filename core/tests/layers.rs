//! The layers of `core/src` point one way: no import cycle between its top-level modules
//! (a folder counts as one module) nor between its files. Imports are read from the
//! source as text: `use` trees and paths starting with `crate::`, `super::` or `self::`,
//! and `use child::…` of a module's own `mod child;`. Test modules are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file as a module path (`["pipeline", "problem"]`; `[]` is `lib.rs`).
type Module = Vec<String>;

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its module path.
fn modules(root: &Path, dir: &Path, found: &mut BTreeMap<Module, PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            modules(root, &path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(root).expect("under the root");
        let mut module: Module = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module
            .last()
            .is_some_and(|last| last == "mod" || last == "lib")
        {
            module.pop();
        }
        found.insert(module, path);
    }
}

/// The text without comments and without what follows the first `#[cfg(test)]`.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(open) = tree.find('{') else {
        return vec![
            tree.split(" as ")
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
        ];
    };
    let prefix = tree[..open].trim();
    let inner = tree[open + 1..]
        .strip_suffix('}')
        .unwrap_or(&tree[open + 1..]);
    let (mut parts, mut depth, mut current) = (Vec::new(), 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts
        .iter()
        .filter(|part| !part.trim().is_empty())
        .flat_map(|part| expand(part))
        .map(|tail| format!("{prefix}{tail}"))
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths `code` names: its `use` trees, and every `crate::`, `super::`, `self::` path.
fn paths_in(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + 4..];
        if before.is_some_and(is_ident) {
            continue;
        }
        if let Some(end) = rest.find(';') {
            paths.extend(expand(&rest[..end]));
        }
    }
    for start in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().next_back();
            let path: String = rest[at..]
                .chars()
                .take_while(|c| is_ident(*c) || *c == ':')
                .collect();
            rest = &rest[at + start.len()..];
            let path = path.trim_end_matches(':');
            if !before.is_some_and(is_ident) && path.contains("::") {
                paths.push(path.to_owned());
            }
        }
    }
    paths
}

/// The modules `file` declares with `mod name;`.
fn children(code: &str) -> BTreeSet<String> {
    code.lines()
        .map(str::trim)
        .filter_map(|line| {
            let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
            let line = line.strip_prefix("pub ").unwrap_or(line);
            line.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_owned)
        })
        .collect()
}

/// The file `path` (as written in `here`) lands in: the deepest existing module.
fn resolve(
    path: &str,
    here: &Module,
    own_children: &BTreeSet<String>,
    files: &BTreeMap<Module, PathBuf>,
) -> Option<Module> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Module = match segments.first().copied() {
        Some("crate") => {
            segments.remove(0);
            Vec::new()
        }
        Some("self") => {
            segments.remove(0);
            here.clone()
        }
        Some("super") => {
            let mut base = here.clone();
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
            base
        }
        Some(first) if own_children.contains(first) => here.clone(),
        _ => return None,
    };
    let mut deepest = None;
    for segment in segments {
        base.push(segment.to_owned());
        if files.contains_key(&base) {
            deepest = Some(base.clone());
        } else {
            break;
        }
    }
    deepest
}

/// The strongly connected components of more than one node (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, node: &'a str) {
        let n = walk.index.len();
        walk.index.insert(node, n);
        walk.low.insert(node, n);
        walk.stack.push(node);
        for next in walk.edges.get(node).into_iter().flatten() {
            if !walk.index.contains_key(next.as_str()) {
                visit(walk, next);
                let low = walk.low[next.as_str()].min(walk.low[node]);
                walk.low.insert(node, low);
            } else if walk.stack.contains(&next.as_str()) {
                let low = walk.index[next.as_str()].min(walk.low[node]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let mut component = Vec::new();
            while let Some(top) = walk.stack.pop() {
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                walk.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

/// The import graph of `core/src`: between files, and between top-level modules.
fn graphs() -> (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let root = source_root();
    let mut files = BTreeMap::new();
    modules(&root, &root, &mut files);
    let name = |module: &Module| match module.is_empty() {
        true => "lib".to_owned(),
        false => module.join("::"),
    };
    let (mut between_files, mut between_modules) = (BTreeMap::new(), BTreeMap::new());
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
        let code = code_of(&text);
        let own_children = children(&code);
        let from = name(module);
        between_files
            .entry(from.clone())
            .or_insert_with(BTreeSet::new);
        for import in paths_in(&code) {
            let Some(target) = resolve(&import, module, &own_children, &files) else {
                continue;
            };
            if target != *module {
                between_files
                    .entry(from.clone())
                    .or_insert_with(BTreeSet::new)
                    .insert(name(&target));
            }
            if let (Some(a), Some(b)) = (module.first(), target.first())
                && a != b
            {
                between_modules
                    .entry(a.clone())
                    .or_insert_with(BTreeSet::new)
                    .insert(b.clone());
            }
        }
    }
    (between_files, between_modules)
}

#[test]
fn no_import_cycle_between_the_top_level_modules_of_core() {
    let (_, between_modules) = graphs();
    assert!(
        between_modules.len() >= 10,
        "the modules were not read: {between_modules:?}"
    );
    let found = cycles(&between_modules);
    assert!(found.is_empty(), "import cycles between modules: {found:?}");
}

#[test]
fn no_import_cycle_between_the_files_of_core() {
    let (between_files, _) = graphs();
    let found = cycles(&between_files);
    assert!(found.is_empty(), "import cycles between files: {found:?}");
}

#[test]
fn the_reader_finds_the_cycles_it_is_meant_to_find() {
    let code = code_of(
        "use crate::{a::{B, c}, d as e};\nfn f() { super::g::h(); crate::i::J::k(); }\n\
         // use crate::commented;\n#[cfg(test)]\nmod tests { use crate::tested; }",
    );
    assert_eq!(
        paths_in(&code),
        [
            "crate::a::B",
            "crate::a::c",
            "crate::d",
            "crate::i::J::k",
            "super::g::h"
        ]
    );
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(cycles(&edges), [["a", "b", "c"]]);
}
