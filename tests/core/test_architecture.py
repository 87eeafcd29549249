"""The import contracts of docs/architecture.md hold, and they do fail on a forbidden import.

Each check runs import-linter (as `make lint` does) on a copy of the source tree, so a
test can add the import a contract forbids without touching the real code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """import-linter with the project's contracts on the `loket` package found in `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of src/ holding only the Python modules (all import-linter reads)."""
    shutil.copytree(
        ROOT / "src" / "loket",
        tmp_path / "loket",
        ignore=shutil.ignore_patterns(
            "__pycache__", "static", "templates", "locale", "*.yaml", "*.json", "*.egg-info"
        ),
    )
    return tmp_path


def add_import(tree: Path, module: str, statement: str) -> None:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{statement}  # added by the test\n")


def test_the_source_tree_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_base_importing_an_app_above_it_fails(tree: Path) -> None:
    add_import(tree, "loket.core.formats", "from loket.cases import models")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "loket.core.formats -> loket.cases.models" in result.stdout


def test_a_domain_app_importing_an_edge_app_fails(tree: Path) -> None:
    add_import(tree, "loket.cases.selectors", "from loket.workspace import presenters")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "loket.cases.selectors -> loket.workspace.presenters" in result.stdout


def test_a_cycle_between_two_apps_fails(tree: Path) -> None:
    # ledger sits below cases: one import back up closes a cycle (cases -> ledger -> cases)
    add_import(tree, "loket.ledger.canonical", "import loket.cases.numbers")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "No import cycle between apps BROKEN" in result.stdout


def test_an_edge_app_reaching_into_the_engine_fails(tree: Path) -> None:
    add_import(tree, "loket.portal.presenters", "from loket.cases import flow")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "loket.portal is not allowed to import loket.cases.flow" in result.stdout
