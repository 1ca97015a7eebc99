"""The layout's own checks: pytest collects every package's docstring examples.

The import rule itself (layers, no cycles, the public API) is checked by import-linter in
``make lint`` (the contracts in pyproject.toml).
"""

from __future__ import annotations

import doctest
import importlib
import tomllib

from ui_support import ROOT

# Modules whose docstrings hold worked examples; each must keep some (a module that lost them
# all, or a folder pytest stopped collecting, would otherwise check less without failing).
WITH_EXAMPLES = (
    "pooling_ui.base.i18n", "pooling_ui.base.urlstate", "pooling_ui.base.linkstate",
    "pooling_ui.base.caching", "pooling_ui.base.profile", "pooling_ui.data.images",
    "pooling_ui.data.presets", "pooling_ui.figures.grids", "pooling_ui.figures.pictures",
    "pooling_ui.panels.common", "pooling_ui.panels.inputs", "pooling_ui.panels.params",
    "pooling_ui.panels.display", "pooling_ui.figures.sliding", "pooling_ui.tools.compare",
    "pooling_core.lessons.textcnn",
)


def test_pytest_collects_the_examples_of_both_packages():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    ini = options["ini_options"]
    assert {"tests", "pooling_core", "pooling_ui"} <= set(ini["testpaths"])
    assert "--doctest-modules" in ini["addopts"]


def test_the_modules_with_examples_still_have_them():
    finder = doctest.DocTestFinder()
    for name in WITH_EXAMPLES:
        module = importlib.import_module(name)
        examples = sum(len(test.examples) for test in finder.find(module))
        assert examples > 0, name


def test_private_names_stay_inside_their_package():
    # a private name (leading underscore) may be shared by the modules of one folder, never
    # imported from another: what another package needs is public API
    import ast

    paths = [*(ROOT / "pooling_core").rglob("*.py"), *(ROOT / "pooling_ui").rglob("*.py")]
    assert {"pooling_core/explain.py", "pooling_core/lessons/frameworks.py",
            "pooling_ui/tools/output.py"} <= {p.relative_to(ROOT).as_posix() for p in paths}
    crossing = []
    for path in paths:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                parts = package.split(".")
                source = ".".join(parts[:len(parts) - node.level + 1] + [node.module or ""])
            else:
                source = node.module or ""
            if source.rsplit(".", 1)[0] == package:
                continue
            crossing += [f"{path.relative_to(ROOT)}: {source}.{alias.name}"
                         for alias in node.names if alias.name.startswith("_")]
    assert not crossing, crossing
