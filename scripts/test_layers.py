#!/usr/bin/env python3
"""Tests of scripts/layers.py on small fixture crates: it passes a crate whose folders import
only downwards, and fails, naming the file and line, on an upward import, a root path that
resolves to a folder above, a file outside any folder, and a circle between folders or
between the files of one folder.

    python3 scripts/test_layers.py
"""

import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import layers  # noqa: E402

LIB = """\
mod error;
mod model;
mod provider;
pub use error::Error;
pub use model::token::TokenSet;
pub use provider::Provider;
"""


def crate(files):
    """A fixture `src/` with `files` (path -> text) and the lib.rs above; returns its path."""
    root = Path(tempfile.mkdtemp()) / "src"
    for path, text in {"lib.rs": LIB, **files}.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


class LayersTest(unittest.TestCase):
    def test_downward_imports_pass(self):
        src = crate({
            "error/mod.rs": "pub struct Error;\n",
            "model/token.rs": "use crate::error::Error;\npub struct TokenSet(Error);\n",
            "provider/mod.rs": "use crate::{model::token::TokenSet, Error};\n"
                               "pub struct Provider(TokenSet);\n",
        })
        self.assertEqual(layers.check(src), [])

    def test_an_upward_import_fails_with_file_and_line(self):
        src = crate({
            "error/mod.rs": "// crate::provider in a comment is fine\n"
                            "use crate::provider::Provider;\npub struct Error;\n",
            "provider/mod.rs": "pub struct Provider;\n",
        })
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn(f"{src / 'error/mod.rs'}:2: `error` imports `crate::provider`", errors[0])

    def test_a_root_path_counts_as_the_folder_it_comes_from(self):
        src = crate({
            "model/token.rs": "fn f(_: &crate::Provider) {}\n",
            "provider/mod.rs": "pub struct Provider;\n",
        })
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("token.rs:1: `model` imports `crate::Provider` from `provider`", errors[0])

    def test_a_grouped_use_is_read_per_path(self):
        src = crate({
            "model/token.rs": "use crate::{\n    error::Error,\n    provider::Provider,\n};\n",
        })
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("token.rs:3: `model` imports `crate::provider`", errors[0])

    def test_strings_and_doc_comments_are_not_imports(self):
        src = crate({
            "error/mod.rs": "/// See [`Provider`](crate::Provider).\n"
                            "const S: &str = \"crate::provider\";\n",
        })
        self.assertEqual(layers.check(src), [])

    def test_a_file_outside_the_layers_fails(self):
        src = crate({"identity.rs": "pub struct Identity;\n"})
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("`identity` is not a layer", errors[0])

    def test_a_circle_is_found(self):
        self.assertEqual(
            layers.find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"]
        )
        self.assertIsNone(layers.find_cycle({"a": {"a", "b"}, "b": set()}))

    def test_a_circle_of_two_files_in_a_folder_names_both(self):
        src = crate({
            "model/mod.rs": "mod grant;\nmod token;\npub use token::TokenSet;\n",
            "model/grant.rs": "use crate::model::token::TokenSet;\npub struct Grant;\n",
            "model/token.rs": "pub struct TokenSet(super::grant::Grant);\n",
        })
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("import circle between files in model/: ", errors[0])
        self.assertIn(f"{src / 'model/grant.rs'} -> {src / 'model/token.rs'} -> "
                      f"{src / 'model/grant.rs'}", errors[0])

    def test_a_circle_through_a_reexport_and_a_third_file_is_found(self):
        src = crate({
            "model/mod.rs": "mod a;\nmod b;\nmod c;\npub use c::C;\n",
            "model/a.rs": "pub struct A(crate::model::b::B);\n",
            "model/b.rs": "use crate::model::C;\npub struct B(C);\n",
            "model/c.rs": "use super::{a::A};\npub struct C(A);\n",
        })
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        for name in ("a.rs", "b.rs", "c.rs"):
            self.assertIn(str(src / "model" / name), errors[0])

    def test_a_chain_of_files_without_a_circle_passes(self):
        src = crate({
            "model/mod.rs": "mod a;\nmod b;\nmod c;\npub use c::C;\npub(crate) struct Shared;\n",
            "model/a.rs": "use super::Shared;\npub struct A(crate::model::b::B, Shared);\n",
            "model/b.rs": "use crate::model::C;\npub struct B(C);\n",
            "model/c.rs": "pub struct C(super::Shared);\n"
                          "#[cfg(test)]\nmod tests {\n    use crate::model::a::A;\n}\n",
        })
        self.assertEqual(layers.check(src), [])

    def test_a_subfolder_counts_as_one_member(self):
        src = crate({
            "model/mod.rs": "mod auth;\nmod token;\n",
            "model/auth/mod.rs": "mod jwt;\n",
            "model/auth/jwt.rs": "use crate::model::token::TokenSet;\npub struct Jwt;\n",
            "model/token.rs": "pub struct TokenSet(crate::model::auth::jwt::Jwt);\n",
        })
        errors = layers.check(src)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn(f"{src / 'model/auth/'} -> {src / 'model/token.rs'}", errors[0])

    def test_an_allowed_circle_passes(self):
        src = crate({
            "model/mod.rs": "mod grant;\nmod token;\n",
            "model/grant.rs": "use crate::model::token::TokenSet;\npub struct Grant;\n",
            "model/token.rs": "pub struct TokenSet(super::grant::Grant);\n",
        })
        kept = layers.FILE_CIRCLES_ALLOWED
        layers.FILE_CIRCLES_ALLOWED = [{"model/grant.rs", "model/token.rs"}]
        try:
            self.assertEqual(layers.check(src), [])
        finally:
            layers.FILE_CIRCLES_ALLOWED = kept

    def test_the_real_crate_holds(self):
        src = Path(__file__).resolve().parent.parent / "crates/tokenbridge-core/src"
        self.assertEqual(layers.check(src), [])


if __name__ == "__main__":
    unittest.main()
