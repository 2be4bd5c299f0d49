"""The apps' layering (pyproject.toml's import-linter contracts, run by `make lint`).

The real tree keeps every contract, and an upward import added on purpose to a copy of the tree
breaks the layers contract, naming it: the guard CI relies on does guard.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _root_packages() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text())
    return config["tool"]["importlinter"]["root_packages"]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 - our own venv's script, fixed arguments
        [str(LINT_IMPORTS), "--config", str(PYPROJECT), "--no-cache"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_tree_keeps_every_contract():
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    for package in _root_packages():
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    services = tmp_path / "cases" / "services.py"
    services.write_text(services.read_text() + "\nimport reporting  # upward, on purpose\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    assert "The apps import only downwards BROKEN" in result.stdout
    assert "Nothing imports reporting BROKEN" in result.stdout
    assert "cases.services -> reporting" in result.stdout
