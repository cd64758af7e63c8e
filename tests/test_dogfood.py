"""archguard's own layering, declared in archguard.yaml, is checked by archguard."""

from __future__ import annotations

import shutil
import subprocess
import sys

from archguard.application.check import run_check
from archguard.config import load_config

from .conftest import REPO


def test_archguard_keeps_its_own_layers():
    result = subprocess.run([sys.executable, "-m", "archguard", "check", str(REPO),
                             "--no-cache"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violations" in result.stdout


def test_a_layer_breach_in_a_copy_is_caught(tmp_path):
    shutil.copytree(REPO / "archguard", tmp_path / "archguard",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "archguard.yaml", tmp_path / "archguard.yaml")
    domain = tmp_path / "archguard" / "domain" / "layout.py"
    domain.write_text(domain.read_text() + "\n\ndef _render():\n"
                      "    from archguard.reporting.check_text import render_check\n"
                      "    return render_check\n")
    result = run_check(tmp_path, load_config(tmp_path / "archguard.yaml"), use_cache=False)
    # domain is pure, and the bottom layer: the import breaks both.
    assert sorted(v.contract for v in result.violations) == ["domain-is-pure", "layers"]
    for violation in result.violations:
        assert violation.file == "archguard/domain/layout.py"
        assert violation.kind == "lazy"
        assert [u.symbol for u in violation.used_in] == ["_render"]


def test_every_module_of_the_package_belongs_to_a_layer_or_the_kernel():
    """The dogfood check covers the whole package: no file is outside what it judges."""
    from archguard.application.project import Project
    from archguard.domain.layout import OwnerKind

    project = Project(REPO, load_config(REPO / "archguard.yaml"), use_cache=False)
    outside = [m for m in project.files
               if m != "archguard"
               and project.layout.owner_of(m).kind not in (OwnerKind.MODULE, OwnerKind.KERNEL)]
    assert outside == []
    assert len(project.files) >= 70
