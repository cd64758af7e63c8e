"""What `archguard fix --write` promises about the user's files: every changed file is
written or none is, nothing is written outside the project, and the rewrites of one
proposal that cannot be completed leave no trace."""

from __future__ import annotations

import os

import pytest

from archguard.adapters import files
from archguard.adapters.files import write_all
from archguard.application.fix import plan_fixes
from archguard.domain.proposals import Changes, Proposal, ProposalSet, Safety
from archguard.errors import ArchguardError
from archguard.rewrites import RECIPES
from archguard.rewrites.codemods import CodemodError


def test_every_file_is_written_and_new_folders_are_made(tmp_path):
    (tmp_path / "a.py").write_text("old\n")
    write_all(tmp_path, {"a.py": "new\n", "pkg/sub/b.py": "made\n"})
    assert (tmp_path / "a.py").read_text() == "new\n"
    assert (tmp_path / "pkg" / "sub" / "b.py").read_text() == "made\n"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []


def test_a_rewritten_file_keeps_its_permissions_and_a_new_one_gets_the_umasks(tmp_path):
    from archguard.adapters.files import atomic_write

    script = tmp_path / "run.py"
    script.write_text("old\n")
    script.chmod(0o755)
    umask = os.umask(0o022)
    try:
        write_all(tmp_path, {"run.py": "new\n", "made.py": "made\n"})
        atomic_write(tmp_path / "report.md", "# report\n")
    finally:
        os.umask(umask)
    assert script.stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "made.py").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == 0o644


def test_a_failing_rename_puts_back_the_files_already_replaced(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("a old\n")
    (tmp_path / "b.py").write_text("b old\n")
    real = os.replace
    calls = []

    def failing(source, destination):
        calls.append(destination)
        if len(calls) == 3:
            raise OSError("disk full")
        real(source, destination)

    monkeypatch.setattr(files.os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        write_all(tmp_path, {"a.py": "a new\n", "b.py": "b new\n", "c.py": "c new\n"})
    assert (tmp_path / "a.py").read_text() == "a old\n"
    assert (tmp_path / "b.py").read_text() == "b old\n"
    assert not (tmp_path / "c.py").exists()
    assert [p.name for p in tmp_path.iterdir()] and all(
        not p.name.startswith(".") for p in tmp_path.iterdir())


def test_a_path_outside_the_project_is_refused_before_anything_is_written(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.py").write_text("old\n")
    with pytest.raises(ArchguardError, match="outside"):
        write_all(project, {"a.py": "new\n", "../escape.py": "x\n"})
    assert (project / "a.py").read_text() == "old\n"
    assert not (tmp_path / "escape.py").exists()


class _Project:
    """The one thing plan_fixes reads of a project: its files' bytes."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources

    def source(self, relative: str) -> bytes | None:
        text = self.sources.get(relative)
        return None if text is None else text.encode()


def _proposal(recipe: str, safety: Safety, **plan) -> Proposal:
    return Proposal(recipe=recipe, group="x → y", summary="s", violations=("f",),
                    changes=Changes(removes=("f",)), safety=safety, plan=plan)


def test_a_proposal_whose_second_edit_fails_leaves_its_first_file_as_it_was(monkeypatch):
    recipe = RECIPES["guard-optional"]

    def apply(self, proposal, workspace):
        workspace.write("a.py", "changed\n")
        raise CodemodError("line 3: cannot")

    monkeypatch.setattr(recipe, "apply", apply)
    run = plan_fixes(_Project({"a.py": "original\n"}),
                     ProposalSet((_proposal("guard-optional", Safety.REVIEW),)), unsafe=True)
    assert run.texts == {}
    assert run.applied == []
    assert [s.reason for s in run.skipped] == ["line 3: cannot"]


def test_review_rewrites_need_unsafe_and_manual_ones_are_never_written():
    proposals = ProposalSet((_proposal("guard-optional", Safety.REVIEW),
                             _proposal("use-provider", Safety.MANUAL)))
    run = plan_fixes(_Project({}), proposals)
    assert [s.reason.split(":")[0] for s in run.skipped] == ["needs review",
                                                            "needs a person"]
    assert run.texts == {}
