"""Shared fixtures: paths to the shipped reference platform and a builder for small projects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
PLATFORM = FIXTURES / "commerce_platform"
BEFORE = PLATFORM / "before"
AFTER = PLATFORM / "after"
RULES = REPO / "rules" / "commerce_platform.yaml"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: source}`` below ``root`` (dedented) and return ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path: Path):
    """Build a project from a dict of files; returns its root."""

    def build(files: dict[str, str]) -> Path:
        return write_tree(tmp_path / "project", files)

    return build
