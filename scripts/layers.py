#!/usr/bin/env python3
"""Checks that tokenbridge-core's folders import only the folders below them.

    python3 scripts/layers.py [SRC_DIR]      # default: crates/tokenbridge-core/src

Core's modules are arranged in layers, one folder each, bottom to top (see
docs/architecture.md). A file may name, through `crate::` paths in its code, its own
folder and the folders below; naming a folder above is an error, reported with the file and
the line. A root path (`crate::Provider`) counts as the folder the item is re-exported from
in lib.rs. Comments, doc comments included, are not read: a doc link may point anywhere.
The folders' import graph must also have no circle (with the order checked, a circle
can only come from a folder missing from LAYERS, which is reported too).

Inside each folder, its files must import each other without a circle either: a file
importing a sibling that imports it back, directly or through other siblings, is reported
naming the files. A subfolder counts as one sibling; the folder's own `mod.rs`, which
declares and re-exports its children, is left out of that graph (a child may use an item
`mod.rs` defines, and `mod.rs` its children's). A path through a re-export (`crate::Provider`,
`crate::provider::ProviderBuilder`) counts as the file that defines the item, as far as the
`use` lines of lib.rs and each mod.rs tell. Test modules (`#[cfg(test)] mod ... { }`) are
not read. A circle that is known and kept is listed in FILE_CIRCLES_ALLOWED, with why.

Exit status: 0 when the layering holds, 1 with one line per violation otherwise.
Python 3.11, standard library only.
"""

import re
import sys
from pathlib import Path

# Bottom to top. A folder may import only itself and the folders before it.
LAYERS = ["error", "model", "transport", "protocol", "vendor", "provider", "config", "session"]

# Files at the root of src/ that belong to no layer: the crate root re-exports every layer.
ROOT_FILES = {"lib.rs"}

# Circles between the files of one folder that are known and kept: each entry is the set of
# the files (paths below src/) in the circle, with a comment saying why.
FILE_CIRCLES_ALLOWED: list[set[str]] = []

USE_BLOCK = re.compile(r"crate::\{")
CRATE_PATH = re.compile(r"\bcrate::([A-Za-z_][A-Za-z0-9_]*)")


def strip_comments(text):
    """The code of a Rust file with comments and string literals blanked, lines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == '"' or (c == "r" and re.match(r'r#*"', text[i:i + 10] or "") and
                          (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            m = re.match(r'r(#*)"', text[i:])
            if m:
                end = '"' + m.group(1)
                j = text.find(end, i + len(m.group(0)))
                j = n if j == -1 else j + len(end)
            else:
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                j = min(j + 1, n)
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4] or ""):
            # A char literal (a lifetime has no closing quote right after one character).
            m = re.match(r"'(\\[^']*|[^\\'])'", text[i:])
            j = i + len(m.group(0))
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def root_reexports(lib_rs):
    """Maps each name re-exported at the crate root to the folder it comes from."""
    code = strip_comments(lib_rs.read_text())
    names = {}
    for m in re.finditer(r"pub\s+use\s+([a-z_][a-z0-9_]*)::([^;]*);", code):
        folder, rest = m.group(1), m.group(2)
        if folder not in LAYERS:
            continue
        for ident in re.findall(r"\b(?:as\s+)?([A-Za-z_][A-Za-z0-9_]*)\b", rest):
            names.setdefault(ident, folder)
    # `x as y`: the new name is what callers write.
    for m in re.finditer(r"pub\s+use\s+([a-z_][a-z0-9_]*)::[^;]*?\b\w+\s+as\s+(\w+)", code):
        if m.group(1) in LAYERS:
            names[m.group(2)] = m.group(1)
    return names


def first_segments(code, start):
    """The first segment of every path in the `crate::{...}` group opening at `start`."""
    depth, i, seg_start = 0, start, start
    segments = []
    expect = True
    while i < len(code):
        c = code[i]
        if c == "{":
            depth += 1
            if depth == 1:
                expect = True
        elif c == "}":
            depth -= 1
            if depth == 0:
                break
        elif c == "," and depth == 1:
            expect = True
        elif expect and depth == 1 and (c.isalpha() or c == "_"):
            m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", code[i:])
            segments.append((m.group(0), i))
            i += len(m.group(0))
            expect = False
            continue
        i += 1
    return segments


def layer_of(path, src):
    rel = path.relative_to(src)
    if len(rel.parts) == 1:
        return None if rel.name in ROOT_FILES else rel.stem
    return rel.parts[0]


def check(src):
    src = Path(src)
    names = root_reexports(src / "lib.rs")
    rank = {name: i for i, name in enumerate(LAYERS)}
    errors = []
    edges = {}
    for path in sorted(src.rglob("*.rs")):
        layer = layer_of(path, src)
        if layer is None:
            continue
        shown = path
        if layer not in rank:
            errors.append(f"{shown}:1: `{layer}` is not a layer; put the file in one of: "
                          + ", ".join(LAYERS))
            continue
        code = strip_comments(path.read_text())
        found = []
        for m in CRATE_PATH.finditer(code):
            found.append((m.group(1), m.start()))
        for m in USE_BLOCK.finditer(code):
            found.extend(first_segments(code, m.end() - 1))
        for segment, offset in found:
            if segment in rank:
                target = segment
            elif segment in names:
                target = names[segment]
            else:
                continue
            edges.setdefault(layer, set()).add(target)
            if rank[target] > rank[layer]:
                line = code.count("\n", 0, offset) + 1
                errors.append(
                    f"{shown}:{line}: `{layer}` imports `crate::{segment}` from `{target}`, "
                    f"a layer above it (order, bottom to top: {' -> '.join(LAYERS)})"
                )
    cycle = find_cycle(edges)
    if cycle:
        errors.append("import circle between folders: " + " -> ".join(cycle))
    errors.extend(file_circles(src))
    return errors


IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PATH_START = re.compile(r"(?<![A-Za-z0-9_:])(crate|super|self)\s*::")
TEST_MODULE = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{")


def without_test_modules(code):
    """The code with the bodies of inline `#[cfg(test)] mod name { ... }` blanked."""
    out = code
    for m in reversed(list(TEST_MODULE.finditer(code))):
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        out = out[:m.start()] + "".join(c if c == "\n" else " " for c in out[m.start():j]) + out[j:]
    return out


def parse_tree(code, i):
    """The paths of the use tree starting at `code[i]` (`a::b`, `a::{b, c::d as e}`, `a::*`),
    each as (segments, alias or None); and the index just past the tree."""
    n = len(code)

    def skip(j):
        while j < n and code[j].isspace():
            j += 1
        return j

    def tree(j, prefix):
        j = skip(j)
        if j < n and code[j] == "{":
            paths = []
            j += 1
            while True:
                j = skip(j)
                if j >= n or code[j] == "}":
                    return paths, j + 1
                sub, j = tree(j, prefix)
                paths.extend(sub)
                j = skip(j)
                if j < n and code[j] == ",":
                    j += 1
        if j < n and code[j] == "*":
            return [(prefix + ["*"], None)], j + 1
        m = IDENT.match(code, j)
        if not m:
            return [], j
        segs = prefix + [m.group(0)]
        j = skip(m.end())
        if code.startswith("::", j):
            return tree(j + 2, segs)
        alias = re.match(r"as\s+([A-Za-z_][A-Za-z0-9_]*)", code[j:])
        if alias:
            return [(segs, alias.group(1))], j + alias.end()
        return [(segs, None)], j

    return tree(i, [])


def module_of(path, src):
    """The module path of a file, as a tuple of names: `provider/mod.rs` is ("provider",)."""
    parts = path.relative_to(src).with_suffix("").parts
    return tuple(parts[:-1]) if parts[-1] in ("mod", "lib") else tuple(parts)


def file_circles(src):
    """Circles between the files (and subfolders) of each folder of `src`."""
    src = Path(src)
    files = {module_of(p, src): p for p in sorted(src.rglob("*.rs"))}
    code = {m: without_test_modules(strip_comments(p.read_text())) for m, p in files.items()}

    def absolute(module, segs):
        """A path as written in `module`'s file, from the crate root; None if external."""
        segs = list(segs)
        if segs[0] == "crate":
            return segs[1:]
        base = list(module)
        if segs[0] == "self":
            segs = segs[1:]
        elif segs[0] == "super":
            while segs and segs[0] == "super":
                base, segs = base[:-1], segs[1:]
        elif tuple(base + [segs[0]]) not in files:
            return None
        return base + segs

    # Names each module binds with `use`, mapped to the full path they come from.
    bound = {}
    for module, text in code.items():
        names = bound.setdefault(module, {})
        for m in re.finditer(r"\buse\s+", text):
            for segs, alias in parse_tree(text, m.end())[0]:
                full = absolute(module, segs)
                if full and segs[-1] not in ("*", "self"):
                    names[alias or segs[-1]] = full

    def resolve(segs, depth=0):
        """The deepest module (a file) a path from the crate root lands in."""
        cur = ()
        for k, seg in enumerate(segs):
            if cur + (seg,) in files:
                cur += (seg,)
                continue
            target = bound.get(cur, {}).get(seg)
            if target and depth < 8 and list(target) != list(cur) + [seg]:
                return resolve(list(target) + list(segs[k + 1:]), depth + 1)
            break
        return cur

    edges = {}
    for module, text in code.items():
        for m in PATH_START.finditer(text):
            if re.search(r"\bin\s*$", text[max(0, m.start() - 6):m.start()]):
                continue  # `pub(in crate::x)` names a scope, not an import
            for segs, _ in parse_tree(text, m.start())[0]:
                full = absolute(module, segs)
                if full is None:
                    continue
                target = resolve([s for s in full if s not in ("*", "self")])
                edges.setdefault(module, set()).add(target)

    errors = []
    folders = sorted({m[:k] for m in files for k in range(1, len(m))}
                     & {m for m, p in files.items() if p.name == "mod.rs"})
    allowed = [frozenset(entry) for entry in FILE_CIRCLES_ALLOWED]
    for folder in folders:
        k = len(folder)

        def node(module):
            if len(module) > k and module[:k] == folder:
                return module[k]
            return None

        graph = {}
        for source, targets in edges.items():
            a = node(source)
            if a is None:
                continue
            for target in targets:
                b = node(target)
                if b is not None and b != a:
                    graph.setdefault(a, set()).add(b)
        for component in strongly_connected(graph):
            if len(component) < 2:
                continue
            names = [member_name(files, folder + (n,)) for n in component]
            if frozenset(names) in allowed:
                continue
            sub = {a: {b for b in graph.get(a, ()) if b in component} for a in component}
            shown = [str(src / member_name(files, folder + (n,))) for n in find_cycle(sub)]
            errors.append(f"import circle between files in {'/'.join(folder)}/: "
                          + " -> ".join(shown))
    return errors


def member_name(files, module):
    """How a folder's member is named in reports: `transport/http.rs`, or `protocol/auth/`."""
    path = "/".join(module)
    return path + ".rs" if files[module].name != "mod.rs" else path + "/"


def strongly_connected(graph):
    """The strongly connected components of a graph (node -> set of nodes), each sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(sorted(component))

    nodes = set(graph) | {w for ws in graph.values() for w in ws}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def find_cycle(edges):
    """A circle in the folder graph (self-imports aside), or None."""
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, stack)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def main(argv):
    src = argv[1] if len(argv) > 1 else "crates/tokenbridge-core/src"
    errors = check(src)
    for e in errors:
        print(e)
    if errors:
        print(f"\n{len(errors)} layering violation(s) in {src}", file=sys.stderr)
        return 1
    print(f"layers hold in {src}: {' -> '.join(LAYERS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
