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
    return errors


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
