#!/usr/bin/env python3
"""Tests of scripts/layers.py on small fixture crates: it passes a crate whose folders import
only downwards, and fails, naming the file and line, on an upward import, a root path that
resolves to a folder above, a file outside any folder, and a circle.

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

    def test_the_real_crate_holds(self):
        src = Path(__file__).resolve().parent.parent / "crates/tokenbridge-core/src"
        self.assertEqual(layers.check(src), [])


if __name__ == "__main__":
    unittest.main()
