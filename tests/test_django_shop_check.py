"""archguard on ``fixtures/django_shop``: contracts that only string references break.

lint-imports keeps every one of them (tests/test_django_shop_fixture.py); archguard reports
each breaking reference with the call that makes it, its line and its function."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from archguard.application.check import run_check
from archguard.config import load_config

from .conftest import FIXTURES

SHOP = FIXTURES / "django_shop"
GOLDEN = yaml.safe_load((SHOP / "expected_references.yaml").read_text(encoding="utf-8"))


def _call_text(entry: dict) -> str:
    """The call as written: the loaders' second argument is the name, when the first does
    not end with it (``get_class('basket.utils', 'BasketStore')``)."""
    reference = entry["reference"]
    if reference.startswith("settings."):
        return f"{entry['call']}({reference.split(' -> ')[0]})"
    if not reference.endswith(entry["name"]):
        return f"{entry['call']}({reference!r}, {entry['name']!r})"
    return f"{entry['call']}({reference!r})"


def test_every_breaking_reference_is_reported_and_nothing_else():
    result = run_check(SHOP, load_config(SHOP / "archguard.yaml"), use_cache=False)
    reported = sorted((v.contract, v.file, v.line, v.kind, v.target_module, v.reference,
                       v.used_in[0].symbol, v.names) for v in result.violations)
    expected = sorted((contract, e["file"], e["line"], "string", e["target"], _call_text(e),
                       e["function"], (e["name"],))
                      for e in GOLDEN["references"] for contract in e["breaks"])
    assert reported == expected
    assert len(expected) == 8
    assert {v.imported for v in result.violations} <= {
        e["target_module"] for e in GOLDEN["references"]}
    assert result.findings == () and result.errors == ()
    # Every listed reference was resolved and judged, the allowed ones included.
    assert result.references_checked >= len(GOLDEN["references"])


def test_no_import_statement_breaks_a_contract():
    result = run_check(SHOP, load_config(SHOP / "archguard.yaml"), use_cache=False)
    assert [v for v in result.violations if v.reference is None] == []


def test_cli_fails_and_names_each_call():
    run = subprocess.run(
        [sys.executable, "-m", "archguard", "check", str(SHOP), "--no-cache", "--format", "json"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert {c["id"]: c["kept"] for c in data["contracts"]} == {
        "core-not-optional": False, "catalogue-independent": False,
        "optional-apps-independent": True}
    references = {(v["file"], v["line"], v["reference"]) for v in data["violations"]}
    assert ("shop/apps/checkout/services.py", 17,
            "import_string(settings.CHECKOUT_PAYMENT_GATEWAY)") in references
    assert ("shop/apps/customer/views.py", 26, "get_model('wishlists', 'WishList')") \
        in references
    assert not (SHOP / ".archguard_cache").exists()
