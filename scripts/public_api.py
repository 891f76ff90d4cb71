#!/usr/bin/env python3
"""Lists a crate's public API from its rustdoc JSON: one `<kind> <path>` line per public item,
sorted. Items are listed where a user reaches them (re-exports included), with the fields and
variants of types, the items of traits, the methods of inherent impls and the traits each type
implements (blanket and auto-trait impls left out). Items marked `#[doc(hidden)]` (public for
the workspace's tests and benches only) are not listed: rustdoc leaves them out of its JSON.

Usage: public_api.py target/doc/<crate>.json
"""

import json
import sys


def main(path):
    doc = json.load(open(path))
    index = doc["index"]
    paths = doc.get("paths", {})
    root = index[str(doc["root"])]
    lines = set()
    seen = set()

    def item(id_):
        return index.get(str(id_))

    def kind_of(it):
        return next(iter(it["inner"]))

    def type_name(ty):
        # A trait path as written in an impl, e.g. `Clone` or `From<Error>`.
        name = ty.get("path") or ty.get("name") or "?"
        return name

    def members(it, path):
        kind = kind_of(it)
        inner = it["inner"][kind]
        if kind == "struct":
            shape = inner["kind"]
            if isinstance(shape, dict) and "plain" in shape:
                for f in shape["plain"]["fields"]:
                    field = item(f)
                    if field and field["visibility"] == "public":
                        lines.add(f"field {path}::{field['name']}")
            elif isinstance(shape, dict) and "tuple" in shape:
                for n, f in enumerate(shape["tuple"]):
                    if f is not None:
                        lines.add(f"field {path}::{n}")
        elif kind == "enum":
            for v in inner["variants"]:
                variant = item(v)
                if variant:
                    lines.add(f"variant {path}::{variant['name']}")
                    shape = variant["inner"]["variant"]["kind"]
                    if isinstance(shape, dict) and "struct" in shape:
                        for f in shape["struct"]["fields"]:
                            field = item(f)
                            if field:
                                lines.add(f"field {path}::{variant['name']}::{field['name']}")
        elif kind == "trait":
            for m in inner["items"]:
                member = item(m)
                if member:
                    lines.add(f"trait_{kind_of(member)} {path}::{member['name']}")
        if kind in ("struct", "enum", "union"):
            for i in inner.get("impls", []):
                imp = item(i)
                if not imp:
                    continue
                body = imp["inner"]["impl"]
                if body.get("is_synthetic") or body.get("blanket_impl") is not None:
                    continue
                if body.get("trait") is None:
                    for m in body["items"]:
                        member = item(m)
                        if member and member["visibility"] == "public":
                            lines.add(f"{kind_of(member)} {path}::{member['name']}")
                else:
                    negative = "!" if body.get("is_negative") else ""
                    lines.add(f"impl {path}: {negative}{type_name(body['trait'])}")

    def walk(module, prefix):
        for id_ in module["inner"]["module"]["items"]:
            it = item(id_)
            if it is None or it["visibility"] != "public":
                continue
            kind = kind_of(it)
            if kind == "use":
                use = it["inner"]["use"]
                if use["is_glob"]:
                    lines.add(f"use {prefix}::* = {use['source']}::*")
                    continue
                target = item(use["id"]) if use["id"] is not None else None
                if target is None:
                    # An item of another crate that rustdoc did not inline (a whole crate or
                    # module re-exported): listed with what it points at; that crate's own
                    # snapshot lists its contents.
                    known = paths.get(str(use["id"]), {})
                    kind_name = known.get("kind", "item")
                    lines.add(f"{kind_name} {prefix}::{use['name']} = {use['source']}")
                    continue
                it, name = target, use["name"]
            else:
                name = it["name"]
            kind = kind_of(it)
            path = f"{prefix}::{name}"
            if (it["id"], path) in seen:
                continue
            seen.add((it["id"], path))
            if kind == "impl":
                continue
            lines.add(f"{kind} {path}")
            if kind == "module":
                walk(it, path)
            else:
                members(it, path)

    walk(root, root["name"])
    sys.stdout.write("".join(line + "\n" for line in sorted(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
