"""An incremental run answers exactly what a cold run answers.

Every cache (the kept result, the import table, the classified statements, the uses, the
strings) is used by the run after each edit of a sequence that adds, deletes, renames and
edits files, in a chain and where names are used; after each, the report of that run must
equal the report of a run with no cache at all, violation by violation, with its chain and
the functions using what was imported.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bad_input.support import CONFIG, archguard, project

#: A chain through uncategorised code is followed (``indirect: any``), so an edit of the
#: helper in the middle changes what is reported.
CHAINED = CONFIG.replace(
    "source: [core], forbidden: [optional]}",
    "source: [core], forbidden: [optional], indirect: any}")

FILES = {
    "archguard.yaml": CHAINED,
    "app/helpers.py": "from app.modules.extras import gift\n\n\ndef wrap():\n"
                      "    return gift.price()\n",
    "app/modules/shop/service.py": "import app.helpers\nimport app.modules.extras.gift\n\n\n"
                                   "def price():\n    return app.modules.extras.gift.price()\n",
    "app/modules/shop/cart.py": "from app.modules.extras.gift import price\n\n\n"
                                "def total():\n    return price()\n",
}


def _report(root: Path, *args: str) -> dict:
    done = archguard("check", "--format", "json", *args, cwd=root)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    return {key: report[key] for key in ("violations", "findings", "errors", "files_left_out")}


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _add(root: Path) -> None:
    _write(root, "app/modules/shop/late.py",
           "def late():\n    from app.modules.extras.gift import price\n    return price()\n")


def _delete(root: Path) -> None:
    (root / "app/modules/shop/cart.py").unlink()


def _rename(root: Path) -> None:
    (root / "app/modules/shop/late.py").rename(root / "app/modules/shop/later.py")


def _cut_the_chain(root: Path) -> None:
    _write(root, "app/helpers.py", "def wrap():\n    return 1\n")


def _mend_the_chain(root: Path) -> None:
    _write(root, "app/helpers.py", FILES["app/helpers.py"])


def _move_the_use(root: Path) -> None:
    _write(root, "app/modules/shop/service.py",
           "import app.helpers\nimport app.modules.extras.gift\n\n\nclass Till:\n"
           "    def ring(self):\n        return app.modules.extras.gift.price()\n")


def _same_size_edit(root: Path) -> None:
    path = root / "app/modules/shop/later.py"
    text = path.read_text()
    path.write_text(text.replace("late()", "lame()"))


def _configuration(root: Path) -> None:
    _write(root, "archguard.yaml", CHAINED.replace("indirect: any", "indirect: none"))


EDITS: list[Callable[[Path], None]] = [_add, _delete, _rename, _cut_the_chain,
                                       _mend_the_chain, _move_the_use, _same_size_edit,
                                       _configuration]


@pytest.mark.parametrize("pause", [0.0, 2.5], ids=["within-the-racy-window", "after-it"])
def test_each_edit_of_a_sequence_is_answered_as_a_cold_run_answers_it(tmp_path, pause):
    root = project(tmp_path, **{path.replace("/", "__"): text for path, text in FILES.items()})
    assert _report(root) == _report(root, "--no-cache")
    for edit in EDITS:
        if pause:
            time.sleep(pause)  # edits the two-second rule does not catch by itself
        edit(root)
        warm = _report(root)
        cold = _report(root, "--no-cache")
        assert warm == cold, edit.__name__
        assert _report(root) == cold, edit.__name__  # and once more, from what it kept


def test_the_sequence_changes_what_is_reported(tmp_path):
    """The edits are not idle: each of these changes the cold report."""
    root = project(tmp_path, **{path.replace("/", "__"): text for path, text in FILES.items()})
    seen = [_report(root, "--no-cache")]
    for edit in EDITS:
        edit(root)
        seen.append(_report(root, "--no-cache"))
    changed = [edit.__name__ for edit, before, after in zip(EDITS, seen[:-1], seen[1:], strict=True)
               if before != after]
    assert changed == [edit.__name__ for edit in EDITS], changed
    assert os.path.exists(root / ".archguard_cache") is False
