"""The layers of issue 21, beyond the import-linter contracts in pyproject.toml (which .ci/run checks with
`lint-imports`): no import cycle between the modules of geo/ or benchmarks/, imports inside functions counted; a reason
written beside every import inside a function of the app or the library; and no module of the project loaded by name
at run time, where no import check can see it."""
from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: the packages whose modules must not import each other round a cycle
ACYCLIC = ("geo", "benchmarks", "ui")
#: where an import inside a function must say why it is there (the app and the library)
REASONED = ("geo", "ui", "pages", "app.py", "app_routes.py")
#: the comment that says why: ``# imported here: start-up time`` or another short reason
REASON = re.compile(r"#\s*imported here:\s*\S")
#: the project's own top-level names, which must be imported by a statement that the import checks can read
PROJECT = ("geo", "ui", "pages", "app", "app_routes", "benchmarks")
LOADERS = {"import_module", "__import__"}


@dataclass(frozen=True)
class Cycle:
    """Modules that import one another round a cycle (a strongly connected part of the graph), one such round, and
    every import between them with its lines."""

    modules: tuple[str, ...]
    example: tuple[str, ...]
    imports: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n    ".join([", ".join(self.modules), "e.g. " + " -> ".join(self.example), *self.imports])


@dataclass(frozen=True)
class FunctionImport:
    """An import statement inside a function: where it is and what it says."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def cycles(graph: grimp.ImportGraph) -> list[Cycle]:
    """Every group of modules of `graph` that import one another round a cycle, each with one round as an example."""
    found: list[Cycle] = []
    seen: set[str] = set()
    for module in sorted(graph.modules):
        if module in seen:
            continue
        around = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if not around:
            continue
        group = tuple(sorted(around | {module}))
        seen.update(group)
        following = min(m for m in graph.find_modules_directly_imported_by(module) if m in around or m == module)
        back = graph.find_shortest_chain(importer=following, imported=module) if following != module else (module,)
        found.append(Cycle(group, (module, *back), tuple(imports_between(graph, group))))
    return found


def imports_between(graph: grimp.ImportGraph, modules: tuple[str, ...]) -> Iterator[str]:
    """Each direct import among `modules`, as ``importer -> imported (l.N, ...)``."""
    for importer in modules:
        for imported in sorted(set(graph.find_modules_directly_imported_by(importer)) & set(modules)):
            lines = sorted({d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)})
            yield f"{importer} -> {imported} (l.{', '.join(map(str, lines))})"


def function_imports(source: str, path: str = "<source>") -> Iterator[FunctionImport]:
    """Each import statement inside a function (at any depth) of `source`, once, in line order."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found: dict[int, FunctionImport] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found[node.lineno] = FunctionImport(path, node.lineno, lines[node.lineno - 1].strip())
    for line in sorted(found):
        yield found[line]


def unreasoned_imports(source: str, path: str = "<source>") -> list[FunctionImport]:
    """The imports inside functions of `source` without a ``# imported here: <why>`` comment on one of their lines."""
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    spans = {n.lineno: n.end_lineno or n.lineno for n in ast.walk(ast.parse(source)) if isinstance(n, ast.stmt)}
    return [
        found for found in function_imports(source, path)
        if not any(REASON.match(comments.get(line, "")) for line in range(found.line, spans[found.line] + 1))
    ]


def name_loads(source: str, path: str = "<source>") -> list[FunctionImport]:
    """Calls of importlib.import_module or __import__ in `source` that may load a module of the project by name."""
    found = []
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in LOADERS or not node.args:
            continue
        first = node.args[0]
        literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if literal is None and isinstance(first, ast.JoinedStr) and first.values:
            head = first.values[0]
            literal = head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else None
        if literal is None or literal.split(".")[0] in PROJECT:
            found.append(FunctionImport(path, node.lineno, lines[node.lineno - 1].strip()))
    return found


def python_files(*names: str) -> list[Path]:
    """The .py files of each name under the repository root that exists: a file, or every file below a folder."""
    files: list[Path] = []
    for name in names:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
    return files


def read(path: Path) -> tuple[str, str]:
    return path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()


# the checks on the tree


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*ACYCLIC, cache_dir=None)


def test_no_import_cycle_between_modules_imports_inside_functions_counted(graph):
    found = cycles(graph)
    assert not found, "import cycles (move the code to the layer it belongs to):\n" + "\n".join(map(str, found))


def test_every_import_inside_a_function_says_why():
    found = [f for path in python_files(*REASONED) for f in unreasoned_imports(*read(path))]
    assert not found, (
        "imports inside functions without a reason (`# imported here: start-up time`); an import that only dodges a"
        " cycle goes to the top of the module once the code sits in its layer:\n" + "\n".join(map(str, found))
    )


def test_the_library_loads_no_module_of_the_project_by_name():
    found = [f for path in python_files("geo") for f in name_loads(*read(path))]
    assert not found, "modules loaded by name, unseen by lint-imports:\n" + "\n".join(map(str, found))


# the checkers themselves, on made-up code: a clean tree must not mean a blind check


def test_a_cycle_is_found_with_its_modules_and_one_round():
    made_up = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.e", "p.e")]:
        made_up.add_import(importer=importer, imported=imported)
    [cycle] = cycles(made_up)
    assert cycle.modules == ("p.a", "p.b", "p.c")
    assert cycle.example == ("p.a", "p.b", "p.c", "p.a")
    assert [i.split(" (")[0] for i in cycle.imports] == ["p.a -> p.b", "p.b -> p.c", "p.c -> p.a"]


def test_the_cycles_of_a_function_level_import_are_in_the_graph(tmp_path, monkeypatch):
    package = tmp_path / "made_up_layers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from made_up_layers import high  # imported here: start-up time\n")
    (package / "high.py").write_text("from made_up_layers import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    [cycle] = cycles(grimp.build_graph("made_up_layers", cache_dir=None))
    assert cycle.modules == ("made_up_layers.high", "made_up_layers.low")


def test_an_import_inside_a_function_needs_its_reason_on_one_of_its_lines():
    source = (
        "import os\n"
        "def f():\n"
        "    import json\n"
        "    import matplotlib  # imported here: start-up time\n"
        "    from a import b  # a cycle\n"
        "    def g():\n"
        "        from c import (  # imported here: heavy optional library\n"
        "            d,\n"
        "        )\n"
        "        from e import (\n"
        "            f,  # imported here: start-up time\n"
        "        )\n"
        "        from g import (\n"
        "            h,\n"
        "        )\n"
        "class C:\n"
        "    import sys\n"
        "    async def m(self):\n"
        "        import pandas\n"
    )
    assert [f.line for f in function_imports(source)] == [3, 4, 5, 7, 10, 13, 19]
    assert [f.text for f in unreasoned_imports(source)] == [
        "import json", "from a import b  # a cycle", "from g import (", "import pandas"]


def test_a_module_loaded_by_name_is_found_when_it_may_be_the_projects():
    source = (
        "import importlib\n"
        "importlib.import_module(f'benchmarks.{name}')\n"
        "importlib.import_module('geo.cli')\n"
        "__import__(name)\n"
        "importlib.import_module('fiona')\n"
    )
    assert [f.line for f in name_loads(source)] == [2, 3, 4]


def untyped_store_parameters(source: str, path: str = "<source>") -> list[str]:
    """`path:line name` of every function whose `store` parameter has no annotation."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if arg.arg in ("store", "_store") and arg.annotation is None:
                    found.append(f"{path}:{node.lineno} {node.name}")
    return found


def test_every_store_parameter_is_typed():
    found = [f for path in python_files(*REASONED, "benchmarks")
             for f in untyped_store_parameters(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert not found, "type these `store` parameters (store: Store):\n" + "\n".join(found)


def test_an_untyped_store_parameter_is_found():
    source = "def a(store, x): ...\ndef b(store: Store): ...\nclass C:\n    def m(self, *, store=None): ...\n"
    assert untyped_store_parameters(source) == ["<source>:1 a", "<source>:4 m"]


def test_the_layer_contracts_are_kept(monkeypatch, capsys):
    """`lint-imports` (the contracts of pyproject.toml) as part of the README's test command, not only in .ci/run."""
    from importlinter.cli import lint_imports  # imported here: only this test needs it

    monkeypatch.chdir(ROOT)
    kept = lint_imports(no_cache=True, no_logo=True) == 0
    assert kept, capsys.readouterr().out
