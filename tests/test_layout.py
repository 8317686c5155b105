"""The layout's rules: the import contracts of pyproject.toml (import-linter) and the size of modules."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400


def test_import_contracts_hold() -> None:
    """etl never imports webmap; read and render never import Flask; the read model never imports rendering; views
    never import intake; nothing outside intake (but the command line) imports its database models."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


@pytest.mark.parametrize("package", ["etl", "webmap"])
def test_no_module_is_over_400_lines(package: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / package).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (more than {MAX_LINES} lines): {long}"
