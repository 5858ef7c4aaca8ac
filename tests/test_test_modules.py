"""The tests' own layout: a test module takes what it shares with others from conftest.py or a fixtures module
(fixtures_*.py), never from another test module, so that each test file can change or go without breaking one
that happens to borrow from it."""
from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: an import of a test module, in the code or in a script a test runs (AppTest.from_string)
FROM_A_TEST_MODULE = re.compile(r"^\s*(?:from\s+(?:tests\.)?test_\w*\s+import\b|import\s+(?:tests\.)?test_\w*)", re.M)


def test_no_test_module_imports_from_another():
    found = {path.name: FROM_A_TEST_MODULE.findall(path.read_text(encoding="utf-8"))
             for path in sorted(TESTS.rglob("*.py"))}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_check_finds_such_an_import():
    text = 'from test_pages import run_app\nscript = """\nfrom tests.test_folium_map import grid\n"""\n'
    assert [m.split()[1] for m in FROM_A_TEST_MODULE.findall(text)] == ["test_pages", "tests.test_folium_map"]
    assert not FROM_A_TEST_MODULE.findall("from fixtures_app import open_page\nimport testing\n")
