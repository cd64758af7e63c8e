"""Runs that once reported "kept" for what they had not judged: each now fails, or names
what it left out."""

from __future__ import annotations

import pytest

from .support import CONFIG, archguard, assert_refused, project

STRUCTURE = CONFIG + "  - {id: layout, type: structure}\n"


def test_a_baseline_keeps_the_structure_contracts_problems(tmp_path):
    root = project(tmp_path, **{"archguard.yaml": STRUCTURE})
    (root / "old.json").write_text('{"archguard_baseline": 1, "violations": []}\n')
    done = archguard("check", "--no-cache", "--baseline", "old.json", cwd=root)
    output = assert_refused(done, 1, "app/modules/shop")
    assert "shop has no definition.py" in output


VIOLATION = "import app.modules.extras.gift"


@pytest.mark.parametrize("text", [
    f'{VIOLATION}; X = """ # archguard: ignore[core-not-optional] not a comment\n"""\n',
    f"{VIOLATION}; X = '# archguard: ignore not a comment'\n",
    f'"""Docs.\n\n{VIOLATION}  # archguard: ignore in a docstring\n"""\n{VIOLATION}\n',
])
def test_an_ignore_inside_a_string_literal_is_not_honoured(tmp_path, text):
    root = project(tmp_path, **{"app__modules__shop__bad.py": text})
    done = archguard("check", "--no-cache", cwd=root)
    assert_refused(done, 1, "app/modules/shop/bad.py")


def test_an_ignore_in_a_real_comment_is_still_honoured(tmp_path):
    root = project(tmp_path, **{"app__modules__shop__bad.py":
                                f"{VIOLATION}  # archguard: ignore[core-not-optional] kept\n"})
    done = archguard("check", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
