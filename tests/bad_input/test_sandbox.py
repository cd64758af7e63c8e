"""``simulate --run`` never writes the original project: smoke commands that write it
through an absolute path, a ``../`` path or a symbolic link, that kill their parent or leave
a process behind in a session of its own, leave the original as it was and nothing running,
within their timeouts. Without isolation (``ARCHGUARD_ISOLATION=none``, what a machine
without user namespaces gets), a write is caught by the tree's digest and fails the run,
naming the file. The copy is made so that nothing in it leads back to the original, and
``--run`` reads and writes no cache."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import pytest

from .support import archguard, assert_refused, project, running, simulate_run, with_smoke

VIOLATIONS = 1
USAGE_ERROR = 2


def tree_state(root: Path) -> dict[str, tuple]:
    """Every entry below ``root``: a file's size, modification time and SHA-256, a link's
    target, a folder's modification time."""
    state: dict[str, tuple] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            status = path.lstat()
            if path.is_symlink():
                state[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                state[relative] = ("folder", status.st_mtime_ns)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[relative] = ("file", status.st_size, status.st_mtime_ns, digest)
    return state


def escapes(root: Path, tmp: Path) -> tuple[list[tuple[str, str, float]], list[str]]:
    """Smoke commands that try every way out of the copy (an absolute path, ``../``, a link,
    undoing the read-only mount, killing their parent, a session of their own), and the
    markers of the processes they leave behind. The copies are made in ``tmp`` (as
    ``TMPDIR``), four folders below ``tmp``'s parent, where the project is."""
    (root / "back").symlink_to(root)  # an absolute link to the original itself
    climb = "../../../../" + os.path.relpath(root, tmp.parent)
    markers = [f"86400.{uuid.uuid4().int % 10**9}" for _ in range(2)]
    return [
        ("absolute", f"sh -c 'echo escaped > {root}/app/main.py; echo new > {root}/new.txt'",
         10),
        ("climbs", f"sh -c 'echo escaped > {climb}/app/main.py'", 10),
        ("link", "sh -c 'echo escaped > back/app/main.py; echo new > back/linked.txt'", 10),
        ("unmounts", f"sh -c 'umount {root} || umount -l {root}; "
                     f"mount -o remount,rw {root}; echo escaped > {root}/app/main.py'", 10),
        ("parent", f"sh -c 'setsid sleep {markers[0]} & kill -9 $PPID; sleep infinity'", 2),
        ("session", f"sh -c 'setsid sleep {markers[1]} & sleep infinity'", 2),
    ], markers


def test_escapes_leave_the_original_untouched_and_nothing_running(tmp_path, monkeypatch):
    root = project(tmp_path / "repo")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    commands, markers = escapes(root, tmp)
    with_smoke(root, commands)
    before = tree_state(root)
    data, _, seconds, code = simulate_run(root)
    assert tree_state(root) == before
    assert [line for marker in markers for line in running(marker)] == []
    observed = data["scenarios"][0]["observed"]
    assert observed["isolation"].endswith("(user+mount+pid namespace, original read-only)"), \
        observed["isolation"]
    assert observed["original_changes"] == []
    ran = {c["name"]: c for c in observed["commands"]}
    for name, _, timeout in commands:
        assert ran[name]["seconds"] <= timeout + 2, ran[name]
    assert seconds <= sum(timeout + 2 for _, _, timeout in commands)
    assert ran["session"]["timed_out"] and ran["parent"]["timed_out"]
    # The writes into the original were refused; the one through the link went to the copy.
    assert ran["absolute"]["exit_code"] != 0 and ran["climbs"]["exit_code"] != 0
    assert ran["unmounts"]["exit_code"] != 0
    assert ran["link"]["exit_code"] == 0
    assert code == VIOLATIONS
    assert list(tmp.iterdir()) == []


def test_without_isolation_the_escapes_fail_the_run_and_are_named(tmp_path, monkeypatch):
    root = project(tmp_path / "repo")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("ARCHGUARD_ISOLATION", "none")
    commands, markers = escapes(root, tmp)
    with_smoke(root, commands)
    data, errors, seconds, code = simulate_run(root)
    assert code == VIOLATIONS
    assert [line for marker in markers for line in running(marker)] == []
    assert seconds <= sum(timeout + 2 for _, _, timeout in commands)
    scenario = data["scenarios"][0]
    observed = scenario["observed"]
    assert observed["isolation"] == "none: turned off by ARCHGUARD_ISOLATION=none"
    assert observed["original_changes"] == [
        {"path": "app/main.py", "change": "modified"},
        {"path": "new.txt", "change": "created"},
    ]
    assert observed["ok"] is False and scenario["agreed"] is False
    assert "the original project changed" in errors
    assert "app/main.py (modified), new.txt (created)" in errors
    assert not (root / "linked.txt").exists()  # the link led into the copy


def test_the_text_report_says_which_isolation_and_what_changed(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.setenv("ARCHGUARD_ISOLATION", "none")
    with_smoke(root, [("writes", f"sh -c 'echo x > {root}/written.txt'", 10)])
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    output = assert_refused(done, VIOLATIONS, "written.txt (created)")
    assert "isolation: none: turned off by ARCHGUARD_ISOLATION=none" in done.stdout
    assert "agreed: NO" in done.stdout
    monkeypatch.delenv("ARCHGUARD_ISOLATION")
    with_smoke(root, [("reads", "sh -c 'cat app/main.py'", 10)])
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    assert done.returncode == 0, output + done.stdout + done.stderr
    assert "isolation: unshare (user+mount+pid namespace, original read-only)" in done.stdout \
        or "isolation: bwrap (user+mount+pid namespace, original read-only)" in done.stdout, \
        done.stdout
    assert "agreed: yes" in done.stdout


def test_an_isolation_this_machine_does_not_have_is_a_usage_error(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.setenv("ARCHGUARD_ISOLATION", "chroot")
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    assert_refused(done, USAGE_ERROR, "ARCHGUARD_ISOLATION='chroot' is not one of")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("ARCHGUARD_ISOLATION", "bwrap")
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    assert_refused(done, USAGE_ERROR, "ARCHGUARD_ISOLATION=bwrap: bwrap is not on PATH")


def test_links_out_of_the_project_are_copied_as_what_they_point_to(tmp_path, monkeypatch):
    root = project(tmp_path / "repo")
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "notes.txt").write_text("kept\n")
    (outside / "folder" / "data.txt").write_text("kept\n")
    (root / "notes.txt").symlink_to(outside / "notes.txt")
    (root / "data").symlink_to(outside / "folder")
    monkeypatch.setenv("ARCHGUARD_ISOLATION", "none")  # the copy alone keeps them apart
    with_smoke(root, [("writes", "sh -c 'test ! -L notes.txt && test ! -L data && "
                                 "echo x > notes.txt && echo x > data/data.txt'", 10)])
    data, _, _, code = simulate_run(root)
    assert code == 0, data
    assert (outside / "notes.txt").read_text() == "kept\n"
    assert (outside / "folder" / "data.txt").read_text() == "kept\n"
    assert data["scenarios"][0]["observed"]["original_changes"] == []


def test_absolute_links_into_the_project_point_into_the_copy(tmp_path, monkeypatch):
    root = project(tmp_path)
    (root / "config").mkdir()
    (root / "config" / "settings.txt").write_text("original\n")
    (root / "app" / "settings.txt").symlink_to(root / "config" / "settings.txt")
    (root / "app" / "missing.txt").symlink_to(root / "config" / "not-yet.txt")
    monkeypatch.setenv("ARCHGUARD_ISOLATION", "none")
    with_smoke(root, [("writes", "sh -c 'echo copy > app/settings.txt && "
                                 "echo copy > app/missing.txt && cat config/not-yet.txt'", 10)])
    before = tree_state(root)
    data, _, _, code = simulate_run(root)
    assert code == 0, data
    assert tree_state(root) == before
    assert data["scenarios"][0]["agreed"] is True


def test_a_link_to_a_folder_that_holds_the_project_is_refused(tmp_path):
    root = project(tmp_path / "repo")
    (root / "app" / "up").symlink_to(tmp_path)
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    assert_refused(done, USAGE_ERROR, "app/up")
    assert "a folder that holds the project" in done.stderr


def test_run_writes_no_cache_and_the_prediction_alone_does(tmp_path):
    root = project(tmp_path)
    done = archguard("simulate", "-w", "extras", "--run", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (root / ".archguard_cache").exists()
    done = archguard("simulate", "-w", "extras", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / ".archguard_cache").is_dir()


@pytest.mark.parametrize("name", ["venv", "node_modules"])
def test_a_module_named_like_a_folder_left_out_is_copied(tmp_path, name):
    root = project(tmp_path, **{"app__main.py": "import app.modules.shop.service\n"
                                                f"import app.modules.{name}.tool\n"})
    module = root / "app" / "modules" / name
    module.mkdir()
    (module / "__init__.py").write_text("")
    (module / "tool.py").write_text("TOOL = 1\n")
    (root / name / "lib").mkdir(parents=True)  # not a package: still left out
    (root / name / "lib" / "site.py").write_text("")
    with_smoke(root, [("left-out", f"test ! -e {name}", 10)])
    (root / "archguard.yaml").write_text((root / "archguard.yaml").read_text().replace(
        "  extras: {category: optional}\n",
        f"  extras: {{category: optional}}\n  {name}: {{category: core}}\n"))
    data, _, _, code = simulate_run(root)
    observed = data["scenarios"][0]["observed"]
    assert observed["ok"] is True, observed
    assert code == 0


def test_without_a_module_whose_folder_is_a_link_removes_the_link(tmp_path):
    root = project(tmp_path, **{"app__main.py": "import app.modules.shop.service\n"
                                                "import app.modules.extras.gift\n"})
    (root / "shared").mkdir()
    (root / "app" / "modules" / "extras").rename(root / "shared" / "extras")
    (root / "app" / "modules" / "extras").symlink_to(Path("../../shared/extras"))
    data, _, _, code = simulate_run(root)
    scenario = data["scenarios"][0]
    assert scenario["observed"]["import_crash"] is True, scenario
    assert scenario["observed"]["failures"][0]["error"] == \
        "ModuleNotFoundError: No module named 'app.modules.extras'"
    assert code == VIOLATIONS
    assert (root / "app" / "modules" / "extras").is_symlink()


def test_copies_made_inside_the_project_are_not_copied_nor_taken_for_changes(tmp_path,
                                                                              monkeypatch):
    root = project(tmp_path)
    inside = root / "tmp"
    inside.mkdir()
    monkeypatch.setenv("TMPDIR", str(inside))
    with_smoke(root, [("writes", "sh -c 'test ! -e tmp/archguard-simulate-* && echo x > x'",
                       10)])
    data, _, _, code = simulate_run(root)
    observed = data["scenarios"][0]["observed"]
    assert observed["original_changes"] == [], observed
    assert code == 0, observed
    assert list(inside.iterdir()) == []


def test_run_without_reports_what_a_command_changed_in_the_original(tmp_path, monkeypatch):
    from archguard.testing import run_without

    monkeypatch.setenv("ARCHGUARD_ISOLATION", "none")
    root = project(tmp_path)
    target = root / "app" / "written.txt"
    result = run_without(root, ["extras"], f"python -c \"open('{target}', 'w').write('x')\"")
    assert result.exit_code == 0, result.output
    assert not result.ok
    assert ("app/written.txt", "created") in [(c.path, c.change)
                                              for c in result.original_changes]


def test_run_without_cannot_write_the_original_where_it_is_isolated(tmp_path):
    from archguard.testing import run_without

    root = project(tmp_path)
    target = root / "app" / "written.txt"
    result = run_without(root, ["extras"], f"python -c \"open('{target}', 'w').write('x')\"")
    assert result.exit_code != 0
    assert "Read-only file system" in result.output
    assert not target.exists()
    assert result.original_changes == ()
