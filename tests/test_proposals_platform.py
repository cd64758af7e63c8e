"""Proposals on the reference platform's before/ tree: the seed's four recommendations for
the four dependency groups it names, each validated, and the catalog-move conflict reported
with its alternative."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.application.check import run_check
from archguard.application.project import Project
from archguard.application.propose import propose
from archguard.config import load_config

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "fixtures" / "commerce_platform" / "before"
CONFIG = ROOT / "rules" / "commerce_platform.yaml"


@pytest.fixture(scope="module")
def proposals():
    config = load_config(CONFIG)
    result = run_check(BEFORE, config, use_cache=False)
    return result, propose(Project(BEFORE, config, use_cache=False), result)


def _by_group(proposals, group):
    found = [p for p in proposals.proposals if p.group == group]
    assert found, [p.group for p in proposals.proposals]
    return found[0]


def test_admin_stores_to_analytics_uses_the_metrics_provider_via_stats_aggregator(proposals):
    _, found = proposals
    proposal = _by_group(found, "tenancy/routes/api/admin_stores.py → analytics")
    assert proposal.recipe == "use-provider"
    assert proposal.valid
    assert "MetricsProvider pattern via stats_aggregator" in proposal.summary
    assert any("stats_aggregator.py" in step for step in proposal.steps)


def test_store_service_move_to_catalog_conflicts_and_marketplace_requiring_catalog_holds(
        proposals):
    _, found = proposals
    proposal = _by_group(found, "tenancy/services/store_service.py → catalog, marketplace")
    assert proposal.recipe == "move-function"
    assert "to catalog" in proposal.summary
    assert not proposal.valid
    conflict = proposal.conflicts[0]
    assert conflict.contract == "optional-declared-dependencies"
    assert conflict.edge.source == "catalog" and conflict.edge.target == "marketplace"
    chosen = proposal.chosen()
    assert chosen is not proposal and chosen.valid
    assert "to marketplace, which then requires catalog" in chosen.summary
    assert [(r.module, r.required) for r in chosen.changes.requires] == [("marketplace",
                                                                          "catalog")]
    moved = chosen.plan["moved"]
    assert "StoreService.add_product_to_catalog" in moved
    assert "StoreService.get_products" in moved
    # The route calling get_products() moves too instead of importing marketplace.
    assert any("list_store_products()" in step for step in chosen.steps)


def test_tenancy_models_to_marketplace_defines_the_relationships_on_the_marketplace_side(
        proposals):
    result, found = proposals
    proposal = _by_group(found, "tenancy/* → marketplace")
    assert proposal.recipe == "relationship-other-side" and proposal.valid
    removed = {v.file: v.line for v in result.violations if v.fingerprint in proposal.violations}
    assert removed == {"app/modules/tenancy/models/__init__.py": 22,
                       "app/modules/tenancy/models/store.py": 51,
                       "app/modules/tenancy/models/user.py": 48}
    assert any("backref('marketplace_import_jobs')" in step for step in proposal.steps)


def test_every_proposal_removes_only_violations_of_the_check(proposals):
    result, found = proposals
    fingerprints = {v.fingerprint for v in result.violations}
    for proposal in found.proposals:
        assert set(proposal.chosen().violations) <= fingerprints


def test_billing_product_counts_extract_a_product_count_provider(proposals):
    _, found = proposals
    proposal = _by_group(found, "billing/* → catalog")
    assert proposal.recipe == "extract-protocol"
    assert proposal.valid
    assert proposal.plan["protocol"] == "ProductCountProviderProtocol"
    assert proposal.plan["method"] == "get_product_count"
    assert proposal.plan["filters"] == ["store_id"]
    assert proposal.plan["protocol_file"] == "app/modules/contracts/catalog.py"
    assert proposal.plan["implementation"] == \
        "app/modules/catalog/services/product_count_provider.py"
    assert len(proposal.violations) == 3
    assert any("subscription_service.py:376" in step for step in proposal.steps)
    # The same provider answers tenancy's onboarding count, once the catalog methods moved.
    onboarding = _by_group(found, "tenancy/services/store_service.py → catalog")
    assert onboarding.plan["protocol"] == "ProductCountProviderProtocol"


def test_every_violation_of_before_has_a_proposal_that_holds(proposals):
    result, found = proposals
    for violation in result.violations:
        proposal = found.for_violation(violation.fingerprint)
        assert proposal is not None, (violation.file, violation.line)
        assert proposal.chosen().valid, (violation.file, violation.line)
