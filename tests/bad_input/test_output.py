"""Names that hold control characters: a file named ``evil\\nline.py`` once split its report
line in two, ``x\\x1b[31mred.py`` coloured the terminal, a ``|`` ended a Markdown cell and
an escape made the JUnit report unreadable XML. The reports people read show each such
character escaped (``\\n``, ``\\x1b``); JSON and GitHub annotations keep the name, in their
own escaping."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from .support import CONFIG, archguard, assert_refused, project

VIOLATION = "import app.modules.extras.gift\n"
NEWLINE, ESCAPE = "evil\nline.py", "x\x1b[31mred.py"
SHOWN = {NEWLINE: "evil\\nline.py", ESCAPE: "x\\x1b[31mred.py"}


def with_file(tmp_path, name: str, text: str = VIOLATION, **changes: str):
    """The small project, with a file of ``name`` in the core module shop."""
    root = project(tmp_path, **changes)
    (root / "app/modules/shop" / name).write_text(text)
    return root


def report(root, *args: str) -> str:
    """What ``check`` writes with ARGS, read from the file it writes it to."""
    done = archguard("check", "--no-cache", *args, "--output", "report.txt", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    return (root / "report.txt").read_text()


@pytest.mark.parametrize("name", [NEWLINE, ESCAPE])
def test_the_terminal_report_shows_a_file_name_escaped(tmp_path, name):
    root = with_file(tmp_path, name)
    done = archguard("check", "--no-cache", cwd=root)
    output = assert_refused(done, 1, f"\napp/modules/shop/{SHOWN[name]}:1\n")
    assert "\x1b" not in output and name not in output


@pytest.mark.parametrize("name", [NEWLINE, ESCAPE])
def test_the_markdown_report_shows_a_file_name_escaped(tmp_path, name):
    text = report(with_file(tmp_path, name), "--format", "markdown")
    assert f"File: `app/modules/shop/{SHOWN[name]}`\n" in text
    assert "\x1b" not in text and name not in text


def test_a_name_in_a_table_cell_is_escaped_in_both_reports(tmp_path):
    """A module named in a string reaches the Import column: its ``|`` and its escape."""
    root = project(tmp_path, **{"app/modules/shop/service.py": (
        "import importlib\n\n\ndef load():\n"
        "    importlib.import_module('app.modules.extras.a|b')\n"
        "    importlib.import_module('app.modules.extras.c\\x1b[31md')\n")})
    for name in ("a|b.py", "c\x1b[31md.py"):
        (root / "app/modules/extras" / name).write_text("X = 1\n")
    markdown = report(root, "--format", "markdown")
    rows = [line for line in markdown.splitlines() if line.startswith(("| 5 |", "| 6 |"))]
    assert len(rows) == 2 and all(row.count(" | ") == 3 for row in rows), markdown
    assert "→ app.modules.extras.a\\|b |" in rows[0]
    assert "→ app.modules.extras.c\\x1b[31md |" in rows[1]
    terminal = report(root)
    assert "→ app.modules.extras.c\\x1b[31md" in terminal and "\x1b" not in terminal


def test_the_junit_report_of_a_name_with_an_escape_is_xml(tmp_path):
    text = report(with_file(tmp_path, ESCAPE), "--format", "junit")
    failure = ElementTree.fromstring(text).find("testcase/failure")
    assert failure is not None and f"app/modules/shop/{SHOWN[ESCAPE]}:1" in failure.text


@pytest.mark.parametrize("name", [NEWLINE, ESCAPE])
def test_json_and_github_keep_the_name_as_it_is(tmp_path, name):
    root = with_file(tmp_path, name)
    (violation,) = json.loads(report(root, "--format", "json"))["violations"]
    assert violation["file"] == f"app/modules/shop/{name}"
    github = report(root, "--format", "github")
    assert f"file=app/modules/shop/{name.replace(chr(10), '%0A')}," in github


def test_a_folder_without_init_is_named_escaped(tmp_path):
    root = project(tmp_path, **{"app/modules/shop/odd\rdir/helper.py": "x = 1\n"})
    done = archguard("check", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "app/modules/shop/odd\\rdir/ holds 1 Python file" in done.stdout


def test_the_modules_table_shows_a_module_name_escaped(tmp_path):
    root = project(tmp_path)
    folder = root / "app/modules/bad\x1b[31mname"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    done = archguard("modules", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bad\\x1b[31mname" in done.stdout and "\x1b" not in done.stdout


@pytest.mark.parametrize("output_format", ["rich", "markdown"])
def test_a_simulated_crash_names_its_file_escaped(tmp_path, output_format):
    """Without a runtime section every module is taken as started, the oddly named one too:
    its crash names it."""
    config = CONFIG[:CONFIG.index("runtime:")] + CONFIG[CONFIG.index("contracts:"):]
    root = with_file(tmp_path, NEWLINE, **{"archguard.yaml": config})
    done = archguard("simulate", "--without", "extras", "--no-cache", "--format",
                     output_format, "--output", "report.txt", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    text = (root / "report.txt").read_text()
    assert f"app/modules/shop/{SHOWN[NEWLINE]}:1" in text and NEWLINE not in text


def test_the_audit_report_shows_a_file_name_escaped(tmp_path):
    root = with_file(tmp_path, NEWLINE)
    done = archguard("audit", "--no-cache", "--format", "markdown", "--output", "audit.md",
                     cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (root / "audit.md").read_text()
    assert f"File: `app/modules/shop/{SHOWN[NEWLINE]}`" in text and NEWLINE not in text


def test_a_crash_chain_breaks_its_lines_between_links_only(tmp_path):
    root = project(tmp_path, **{"app__main.py": "import app.modules.extras.gift\n"})
    done = archguard("simulate", "--without", "extras", "--no-cache", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "│ app.main (app/main.py:1)" in done.stdout
    assert "→ app.modules.extras" in done.stdout
    assert "\\n" not in done.stdout


def test_an_error_naming_a_path_with_an_escape_prints_it_escaped(tmp_path):
    root = project(tmp_path)
    done = archguard("check", "--config", "bad\x1b[31mname/x.yaml", cwd=root)
    output = assert_refused(done, 2, "bad\\x1b[31mname/x.yaml")
    assert "\x1b" not in output
