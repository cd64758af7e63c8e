"""`archguard audit` as a command: the formats, --output, and --compare / --since against a
directory or a git ref read without touching the work tree; bad input is one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .audit_support import sections, tables
from .conftest import REPO, write_tree
from .recipe_projects import CONFIG, KERNEL, module

BROKEN = {
    "archguard.yaml": CONFIG + "runtime: {entry_points: [app.main]}\n",
    **KERNEL,
    "app/main.py": "import app.modules.shop.orders\n",
    **module("gifts", core=False, files={"models.py": "class Gift:\n    name = ''\n"}),
    **module("shop", core=True, files={"orders.py": '''
        from app.modules.gifts.models import Gift


        def wrap(order):
            return Gift()
    '''}),
}
FIXED = {**BROKEN, "app/modules/shop/orders.py": "def wrap(order):\n    return None\n"}


def audit(project, *args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", "audit", str(project), *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


def git(root, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True, env={**os.environ, "GIT_AUTHOR_NAME": "t",
                                           "GIT_AUTHOR_EMAIL": "t@example.org",
                                           "GIT_COMMITTER_NAME": "t",
                                           "GIT_COMMITTER_EMAIL": "t@example.org"})
    return done.stdout


def test_the_three_formats_say_the_same_answers(tmp_path):
    root = write_tree(tmp_path / "shop", BROKEN)
    markdown = audit(root, "--no-cache")
    assert markdown.returncode == 0, markdown.stderr
    assert "**No**: 1 imports break 1 of 2 contracts: shop depends on gifts" in markdown.stdout
    report = json.loads(audit(root, "--no-cache", "--format", "json").stdout)
    assert [a["yes"] for a in report["answers"]] == [False, False]
    assert report["answers"][1]["line"] == "the app would crash at start-up without gifts"
    assert [(v["file"], v["line"]) for v in report["violations"]] == \
        [("app/modules/shop/orders.py", 1)]
    edge = next(e for e in report["graph"]["edges"] if e["source"] == "shop")
    assert (edge["target"], edge["violations"], edge["imports"][0]["violating"]) == \
        ("gifts", 1, True)
    page = audit(root, "--no-cache", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") \
        and "https://" not in page


def test_output_is_written_whole_to_the_file_and_not_to_standard_output(tmp_path):
    root = write_tree(tmp_path / "shop", BROKEN)
    out = tmp_path / "report.md"
    done = audit(root, "--no-cache", "--output", str(out))
    assert done.returncode == 0 and done.stdout == ""
    assert f"audit written to {out}" in done.stderr
    assert out.read_text().startswith("# Modular architecture audit: ")
    assert [p.name for p in tmp_path.iterdir()] == sorted(["shop", "report.md"]) or \
        {p.name for p in tmp_path.iterdir()} == {"shop", "report.md"}


def test_compare_with_a_directory_and_since_with_a_git_ref(tmp_path):
    then = write_tree(tmp_path / "then", BROKEN)
    now = write_tree(tmp_path / "now", FIXED)
    compared = audit(then, "--no-cache", "--compare", str(now))
    assert compared.returncode == 0, compared.stderr
    pairs = tables(sections(compared.stdout)["Refactoring progress"])[1]
    assert pairs == [{"Module pair": "shop → gifts", f"{tmp_path.name}/then": "1",
                      f"{tmp_path.name}/now": "0", "Change": "gone"}]
    repo = write_tree(tmp_path / "repo", BROKEN)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "broken")
    write_tree(repo, FIXED)
    git(repo, "commit", "-qam", "fixed")
    (repo / "app/modules/shop/notes.py").write_text("# not committed\n")
    status = git(repo, "status", "--porcelain")
    since = audit(repo, "--no-cache", "--since", "HEAD~1")
    assert since.returncode == 0, since.stderr
    part = sections(since.stdout)["Refactoring progress"]
    assert f"From HEAD~1 to {tmp_path.name}/repo." in part
    assert tables(part)[1][0]["Change"] == "gone"
    assert git(repo, "status", "--porcelain") == status


@pytest.mark.parametrize(("args", "message"), [
    (["--compare", "x", "--since", "y"], "--compare and --since both name the other state"),
    (["--compare", "no-such-ref"], "'no-such-ref' is neither a directory nor a git ref"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    root = write_tree(tmp_path / "shop", BROKEN)
    done = audit(root, "--no-cache", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_an_unknown_ref_of_a_repository_is_named(tmp_path):
    repo = write_tree(tmp_path / "repo", BROKEN)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    done = audit(repo, "--no-cache", "--since", "v9")
    assert done.returncode == 2
    assert "'v9' is neither a directory nor a git ref of the repository at" in done.stderr


def test_without_entry_points_every_module_is_taken_as_started_and_the_answer_says_so(
        tmp_path):
    root = write_tree(tmp_path / "shop", {**BROKEN, "archguard.yaml": CONFIG})
    report = json.loads(audit(root, "--no-cache", "--format", "json").stdout)
    assert report["answers"][1]["line"] == (
        "the app would crash at start-up without gifts; every module was taken as imported "
        "at start-up: the configuration names no runtime.entry_points")


def test_run_proves_each_removal_and_says_how_often_the_prediction_held(tmp_path):
    root = write_tree(tmp_path / "shop", BROKEN)
    done = audit(root, "--no-cache", "--run")
    assert done.returncode == 0, done.stderr
    part = sections(done.stdout)["Runs without optional modules?"]
    assert "proven by running the app on a temporary copy of each" in part
    assert "Prediction and run agreed in 1 of 1 scenarios." in part
    row = tables(part)[0][0]
    assert row["Removed"] == "gifts" and row["Verdict"] == "❌ crashes at import"
    assert row["Observed"].startswith("crashes at import") and row["Agreed"] == "yes"
    assert "(run on temporary copies: 1 of 1 agreed)" in done.stdout
    assert (root / "app/modules/gifts/models.py").is_file()  # the project itself is intact
