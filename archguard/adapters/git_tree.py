"""What archguard asks of git: a tree of another commit, read without touching the work
tree (``git archive`` of the ref, unpacked into a folder of the caller's), and where a
project is in its repository."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

from archguard.errors import UsageError


def _git(repository: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repository), *args], capture_output=True,
                              check=False, timeout=300)
    except FileNotFoundError as error:
        raise UsageError("git is not installed: --compare and --since take a directory, "
                         "or a git ref with git installed") from error


def export_tree(project_dir: Path, ref: str, destination: Path) -> Path:
    """Unpack ``ref``'s files of the repository holding ``project_dir`` into
    ``destination``, and return where ``project_dir`` is in it."""
    top = _git(project_dir, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"{ref!r} is neither a directory nor a git ref: {project_dir} is "
                         "not in a git repository")
    commit = _git(project_dir, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise UsageError(f"{ref!r} is neither a directory nor a git ref of the repository "
                         f"at {top.stdout.decode().strip()}")
    prefix = _git(project_dir, "rev-parse", "--show-prefix").stdout.decode().strip()
    archive = destination / "tree.tar"
    made = _git(project_dir, "archive", "--format=tar", f"--output={archive}",
                commit.stdout.decode().strip())
    if made.returncode != 0:
        raise UsageError(f"git archive {ref} failed: {made.stderr.decode().strip()}")
    tree = destination / "tree"
    with tarfile.open(archive) as handle:
        handle.extractall(tree, filter="data")
    archive.unlink()
    return tree / prefix if prefix else tree


def repository_prefix(project_dir: Path) -> str:
    """Where ``project_dir`` is below the top of the git repository holding it; '' at the
    top, outside any repository, or without git."""
    try:
        done = subprocess.run(["git", "-C", str(project_dir), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    if done.returncode != 0 or not done.stdout.strip():
        return ""
    top = Path(done.stdout.strip()).resolve()
    project = project_dir.resolve()
    if project == top or not project.is_relative_to(top):
        return ""
    return project.relative_to(top).as_posix()
