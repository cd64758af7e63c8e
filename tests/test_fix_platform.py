"""`archguard fix` on a temporary copy of the reference platform's before/ tree: the dry run
shows a diff and writes nothing, `--write --unsafe` removes the violations whose rewrites
are mechanical, a second run has nothing left to do, and the platform's own smoke suite
still passes. The shipped fixture is never written."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .conftest import BEFORE, REPO, RULES
from .platform_support import IGNORED, run_python, tree_digest

pytestmark = pytest.mark.platform


def _archguard(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archguard", *args, str(project), "--config",
                           str(RULES)], capture_output=True, text=True, cwd=REPO, timeout=300,
                          check=False, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "250"})


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    import shutil

    shipped = tree_digest(BEFORE)
    project = tmp_path_factory.mktemp("fix") / "before"
    shutil.copytree(BEFORE, project, ignore=IGNORED)
    copied = tree_digest(project)
    dry = _archguard(project, "fix", "--unsafe")
    after_dry = tree_digest(project)
    written = _archguard(project, "fix", "--unsafe", "--write")
    again = _archguard(project, "fix", "--unsafe")
    check = _archguard(project, "check", "--no-cache", "--format", "json")
    yield {"project": project, "dry": dry, "written": written, "again": again,
           "check": check, "copied": copied, "after_dry": after_dry}
    assert tree_digest(BEFORE) == shipped


def test_the_dry_run_prints_a_diff_and_writes_nothing(fixed):
    dry = fixed["dry"]
    assert dry.returncode == 1, dry.stderr
    assert fixed["after_dry"] == fixed["copied"]
    assert "+++ b/app/modules/marketplace/models/marketplace_import_job.py" in dry.stdout
    assert '+    store = relationship("Store", backref=backref("marketplace_import_jobs"))' \
        in dry.stdout
    assert "-from app.modules.marketplace.models.marketplace_import_job import " \
           "MarketplaceImportJob" in dry.stdout
    assert "+        except ImportError:  # orders is optional: disabled or not installed\n" \
           "+            return ([], 0)" in dry.stdout


def test_write_removes_the_mechanical_violations_and_says_how_many(fixed):
    import json

    written = fixed["written"]
    assert written.returncode == 0, written.stderr
    counts = re.search(r"violations: (\d+) → (\d+)", written.stderr)
    assert counts, written.stderr
    before, after = int(counts.group(1)), int(counts.group(2))
    assert before == 27
    remaining = json.loads(fixed["check"].stdout)["violations"]
    assert len({v["fingerprint"] for v in remaining}) == after
    assert after <= 20
    # What is left needs a person: a provider and aggregator to write, or routes to mount.
    left = {v["file"].removeprefix("app/modules/") for v in remaining}
    assert not any(f.startswith(("cms/models/", "tenancy/models/")) for f in left)
    assert "customers/services/customer_service.py" not in left
    for reason in ("needs a person", "must be mounted"):
        assert reason in written.stderr


def test_a_second_run_has_nothing_to_rewrite(fixed):
    again = fixed["again"]
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert "0 files would change" in again.stderr


def test_the_platform_smoke_suite_still_passes_after_the_fix(fixed):
    done = run_python(fixed["project"], "-m", "pytest", "-q", "-p", "no:cacheprovider",
                      "tests", timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\b15 passed\b", done.stdout)


# -- with a provider lookup in the kernel, extract-protocol is written too -----------------

AFTER = BEFORE.parent / "after"
COUNTS_TEST = REPO / "tests" / "platform_checks" / "product_counts.py"


def adopt_provider_kernel(project) -> None:
    """The kernel pieces after/ adds for providers, and nothing else: its lookup
    (app/modules/providers.py) and a ``providers`` mapping on ModuleDefinition."""
    import shutil

    shutil.copy(AFTER / "app" / "modules" / "providers.py", project / "app" / "modules")
    base = project / "app" / "modules" / "base.py"
    text = base.read_text(encoding="utf-8")
    for old, new in (("from dataclasses import", "from collections.abc import Callable\n"
                                                 "from dataclasses import"),
                     ("    storefront_router: APIRouter | None = None\n",
                      "    storefront_router: APIRouter | None = None\n"
                      "    providers: dict[type, Callable[[], object]] = "
                      "field(default_factory=dict)\n")):
        assert old in text
        text = text.replace(old, new, 1)
    base.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def fixed_with_lookup(tmp_path_factory):
    import shutil

    project = tmp_path_factory.mktemp("fix-lookup") / "before"
    shutil.copytree(BEFORE, project, ignore=IGNORED)
    adopt_provider_kernel(project)
    shutil.copy(COUNTS_TEST, project / "tests" / "test_product_counts.py")
    counted = run_python(project, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                         "tests/test_product_counts.py", timeout=300)
    written = _archguard(project, "fix", "--unsafe", "--write")
    again = _archguard(project, "fix", "--unsafe")
    check = _archguard(project, "check", "--no-cache", "--format", "json")
    return {"project": project, "counted": counted, "written": written, "again": again,
            "check": check}


def test_with_a_provider_lookup_the_product_counts_go_through_a_new_protocol(
        fixed_with_lookup):
    import json

    assert fixed_with_lookup["counted"].returncode == 0, fixed_with_lookup["counted"].stdout
    written = fixed_with_lookup["written"]
    assert written.returncode == 0, written.stderr
    assert "fixed (extract-protocol, review): billing/* → catalog" in written.stderr
    assert "violations: 27 → 17" in written.stderr, written.stderr
    # store_service still reads Product in the functions move-function would have moved.
    assert "Product is still read outside count queries" in written.stderr
    left = {v["file"].removeprefix("app/modules/")
            for v in json.loads(fixed_with_lookup["check"].stdout)["violations"]}
    assert not any(f.startswith("billing/") for f in left), left
    project = fixed_with_lookup["project"]
    assert "class ProductCountProviderProtocol(Protocol):" in \
        (project / "app/modules/contracts/catalog.py").read_text()
    assert "ProductCountProviderProtocol: _get_product_count_provider" in \
        (project / "app/modules/catalog/definition.py").read_text()
    again = fixed_with_lookup["again"]
    assert again.returncode == 0 and again.stdout == "", again.stdout


def test_with_a_provider_lookup_the_counts_and_the_smoke_suite_still_hold(fixed_with_lookup):
    done = run_python(fixed_with_lookup["project"], "-m", "pytest", "-q", "-p",
                      "no:cacheprovider", "tests", timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # The 15 smoke tests, and one more product counted by billing's usage, billing's raw
    # counts, the capacity snapshot and the store's onboarding, now through the provider.
    assert re.search(r"\b16 passed\b", done.stdout), done.stdout[-2000:]
