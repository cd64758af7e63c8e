"""The ``before`` platform is what the seed describes: it runs whole, and removing an optional
module that core code imports breaks it. Every run is real: a subprocess on a temporary copy."""

from __future__ import annotations

import pytest

from . import seed_facts
from .conftest import BEFORE
from .platform_support import copy_state, drive, run_python, tree_digest

pytestmark = pytest.mark.platform


@pytest.fixture(scope="module", autouse=True)
def fixture_tree_is_never_modified():
    digest = tree_digest(BEFORE)
    yield
    assert tree_digest(BEFORE) == digest, "the before/ fixture tree was modified"


def test_imports_and_serves_both_dashboards_on_sqlite(tmp_path):
    project = copy_state(BEFORE, tmp_path / "before")
    result = drive(project, "dashboards")
    assert result["modules"] == sorted(
        name.replace("_", "-") for name in seed_facts.CATEGORIES
    )
    assert result["skipped"] == {}
    admin, store = result["admin"], result["store"]
    assert admin["status"] == 200 and store["status"] == 200
    # Figures come from the rows the driver created through the API.
    assert admin["body"]["total_stores"] == 2
    assert admin["body"]["total_merchants"] == 1
    assert admin["body"]["total_customers"] == 3
    assert store["body"]["total_customers"] == 3
    assert store["body"]["store_code"] == "schmit"
    assert (project / "platform.db").is_file()


@pytest.mark.parametrize(
    ("removed", "first_failure"),
    [
        # The first module-level import of each that runs when app.main loads its modules.
        ("analytics", "app/modules/core/routes/api/admin_dashboard.py"),
        ("marketplace", "app/modules/tenancy/models/__init__.py"),
        ("catalog", "app/modules/cms/models/media.py"),
    ],
)
def test_removing_an_optional_module_that_core_imports_crashes_at_import(
    tmp_path, removed, first_failure
):
    project = copy_state(BEFORE, tmp_path / "before", remove=(removed,))
    result = run_python(project, "-c", "import app.main")
    assert result.returncode != 0
    assert f"ModuleNotFoundError: No module named 'app.modules.{removed}'" in result.stderr
    assert first_failure in result.stderr.replace("\\", "/")


def test_removing_orders_leaves_it_importing_but_the_customer_order_path_fails(tmp_path):
    project = copy_state(BEFORE, tmp_path / "before", remove=("orders",))
    imported = run_python(project, "-c",
                          "import app.main; from app.modules.registry import SKIPPED; "
                          "print(SKIPPED)")
    assert imported.returncode == 0, imported.stderr
    # checkout requires orders, so the registry skips it as the platform would, and says why.
    assert imported.stdout.strip() == (
        "{'checkout': \"requires 'orders', which is not installed\"}"
    )

    outcome = drive(project, "customer-orders")
    for path, observed in outcome.items():
        assert observed["status"] is None, path
        assert observed["error_type"] == "ModuleNotFoundError"
        assert observed["error"] == "No module named 'app.modules.orders'"


def test_customer_order_path_works_when_orders_is_installed(tmp_path):
    project = copy_state(BEFORE, tmp_path / "before")
    outcome = drive(project, "customer-orders")
    for path, observed in outcome.items():
        assert observed["status"] == 200, (path, observed)


def test_routes_and_static_folders_follow_the_installed_modules(tmp_path):
    full = drive(copy_state(BEFORE, tmp_path / "full"), "routes")
    without = drive(copy_state(BEFORE, tmp_path / "without", remove=("loyalty", "dev_tools")),
                    "routes")
    assert any(p.startswith("/api/v1/admin/") for p in full["tags"]["loyalty"])
    assert any(p.startswith("/api/v1/store/") for p in full["tags"]["loyalty"])
    assert any(p.startswith("/api/v1/storefront/") for p in full["tags"]["loyalty"])
    assert "loyalty" not in without["tags"] and "dev-tools" not in without["tags"]
    assert set(full["tags"]) - set(without["tags"]) == {"loyalty", "dev-tools"}
    assert {"catalog", "dev-tools"} <= set(full["static"])
    for mount in full["static"].values():
        assert mount["status"] == 200 and mount["same_bytes"], mount
    assert "dev-tools" not in without["static"]
