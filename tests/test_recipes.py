"""Each rewrite recipe on a small project of its own (tests/recipe_projects.py): the
proposal a user is shown for a violation, what it changes in the module graph and whether
it holds against the contracts, and the rejections that say why a recipe does not apply;
and the catalogue's documentation."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from archguard.application.check import run_check
from archguard.application.project import Project
from archguard.application.propose import propose
from archguard.domain.proposals import Edge, Proposal, ProposalSet, Rejection, Safety
from archguard.domain.rules import RecipeDoc
from archguard.domain.violations import CheckResult, Violation
from archguard.rewrites import RECIPES

from .recipe_projects import build


@dataclass(frozen=True)
class Outcome:
    """A project's check and the proposals for its violations."""

    root: Path
    result: CheckResult
    found: ProposalSet

    def violation(self, file: str, line: int | None = None) -> Violation:
        """The one violation of ``app/modules/<file>`` (at ``line``, if given)."""
        found = [v for v in self.result.violations if v.file == f"app/modules/{file}"
                 and (line is None or v.line == line)]
        assert len(found) == 1, [(v.file, v.line) for v in self.result.violations]
        return found[0]

    def proposal(self, violation: Violation) -> Proposal:
        """The proposal shown for ``violation``."""
        proposal = self.found.for_violation(violation.fingerprint)
        assert proposal is not None, [(p.recipe, p.group) for p in self.found.proposals]
        return proposal

    def proposals(self, recipe: str, violation: Violation) -> list[Proposal]:
        """Every proposal of ``recipe`` naming ``violation``, alternatives included."""
        return [p for p in self.found.proposals for q in (p, *p.alternatives)
                if q.recipe == recipe and violation.fingerprint in q.violations]

    def rejections(self, recipe: str, violation: Violation) -> list[Rejection]:
        return [r for r in self.found.rejections
                if r.recipe == recipe and violation.fingerprint in r.violations]

    def source(self, file: str) -> str:
        return (self.root / "app" / "modules" / file).read_text(encoding="utf-8")

    def line_of(self, file: str, text: str) -> int:
        """The line of ``app/modules/<file>`` holding ``text``."""
        lines = [n for n, line in enumerate(self.source(file).splitlines(), 1) if text in line]
        assert len(lines) == 1, (file, text, lines)
        return lines[0]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """``outcome(name)``: the project ``name`` built, checked and proposed for, once."""
    cache: dict[str, Outcome] = {}

    def run(name: str) -> Outcome:
        if name not in cache:
            root, config = build(tmp_path_factory.mktemp("recipes"), name)
            result = run_check(root, config, use_cache=False)
            cache[name] = Outcome(root, result,
                                  propose(Project(root, config, use_cache=False), result))
        return cache[name]

    return run


# -- type-checking-only --------------------------------------------------------------------

def test_an_import_used_only_in_annotations_is_moved_under_type_checking(outcome):
    run = outcome("type-checking-only")
    violation = run.violation("shop/describe.py")
    assert violation.contract == "core-not-optional" and violation.target_module == "gifts"
    proposal = run.proposal(violation)
    assert proposal.recipe == "type-checking-only"
    assert proposal.safety == Safety.SAFE and proposal.fixable
    assert proposal.valid and proposal.chosen() is proposal
    assert proposal.changes.removes == (violation.fingerprint,)
    assert proposal.changes.adds == () and proposal.changes.requires == ()
    assert proposal.files == (violation.file,)
    assert proposal.steps[0] == (f"move `{violation.statement}` (line {violation.line}) "
                                 "under `if TYPE_CHECKING:`")
    # No postponed annotations in the file: the annotations naming Gift are quoted.
    unquoted = run.line_of("shop/describe.py", "gift: Gift)")
    (quote,) = [step for step in proposal.steps if step.startswith("quote the annotations")]
    assert str(unquoted) in re.findall(r"\d+", quote)


def test_with_postponed_annotations_nothing_needs_quoting(outcome):
    run = outcome("type-checking-only")
    proposal = run.proposal(run.violation("shop/describe_later.py"))
    assert proposal.recipe == "type-checking-only" and proposal.valid
    assert len(proposal.steps) == 1 and "TYPE_CHECKING" in proposal.steps[0]


@pytest.mark.parametrize(("file", "use", "evaluator"), [
    ("shop/routes.py", "def show_gift(gift: Gift)", "FastAPI reads the signature of the route "
                                                    "show_gift()"),
    ("shop/schemas.py", "gift: Gift", "pydantic evaluates the field annotations of GiftOut"),
    ("shop/models.py", "gift: Mapped[Gift]", "SQLAlchemy evaluates the Mapped[...] annotations "
                                             "of Wrapping"),
    ("shop/boxes.py", "gift: Gift", "the dataclass Box reads its field annotations"),
], ids=["fastapi-route", "pydantic-field", "sqlalchemy-mapped", "dataclass-field"])
def test_an_annotation_something_evaluates_is_rejected_with_what_evaluates_it(
        outcome, file, use, evaluator):
    run = outcome("type-checking-only")
    violation = run.violation(file)
    assert run.proposals("type-checking-only", violation) == []
    (rejection,) = run.rejections("type-checking-only", violation)
    assert rejection.violations == (violation.fingerprint,)
    assert rejection.reason.startswith(f"Gift (line {run.line_of(file, use)}): ")
    assert evaluator in rejection.reason


def test_a_name_also_used_at_run_time_is_not_for_type_checking_only(outcome):
    run = outcome("type-checking-only")
    violation = run.violation("shop/make.py")
    assert run.proposals("type-checking-only", violation) == []
    assert run.rejections("type-checking-only", violation) == []


# -- relationship-other-side ---------------------------------------------------------------

def test_a_core_relationship_to_an_optional_model_is_declared_on_the_optional_side(outcome):
    run = outcome("relationship-other-side")
    violation = run.violation("stores/models.py")
    assert violation.target_module == "reviews"
    proposal = run.proposal(violation)
    assert proposal.recipe == "relationship-other-side"
    assert proposal.safety == Safety.REVIEW
    assert proposal.changes.removes == (violation.fingerprint,)
    core_line = run.line_of("stores/models.py", "relationship(")
    other_line = run.line_of("reviews/models.py", "relationship(")
    assert f"remove Store.reviews (stores/models.py:{core_line})" in proposal.steps
    assert (f"on Review.store (reviews/models.py:{other_line}): "
            "backref=backref('reviews') in place of back_populates") in proposal.steps
    assert proposal.files == ("app/modules/reviews/models.py", "app/modules/stores/models.py")
    # The optional model comes to depend on the core one, which every contract allows.
    assert [(e.source, e.target) for e in proposal.changes.adds] == [("reviews", "stores")]
    assert proposal.changes.requires == ()
    assert proposal.valid and proposal.conflicts == ()


def test_a_typed_core_relationship_gets_the_same_proposal(outcome):
    """``reviews: Mapped[list["Review"]] = relationship(back_populates="store")`` names the
    optional class through its annotation (SQLAlchemy 2.0's declarative form)."""
    run = outcome("relationship-other-side-typed")
    violation = run.violation("stores/models.py")
    assert violation.target_module == "reviews"
    proposal = run.proposal(violation)
    assert proposal.recipe == "relationship-other-side"
    assert proposal.changes.removes == (violation.fingerprint,)
    assert any(step.startswith("remove Store.reviews") for step in proposal.steps)
    assert any("backref=backref('reviews')" in step for step in proposal.steps)
    assert [(e.source, e.target) for e in proposal.changes.adds] == [("reviews", "stores")]
    assert proposal.valid


# -- use-provider --------------------------------------------------------------------------

def test_a_core_route_using_an_optional_service_goes_through_the_provider_aggregator(outcome):
    run = outcome("use-provider")
    violation = run.violation("tenancy/routes.py")
    assert violation.target_module == "analytics"
    proposal = run.proposal(violation)
    assert proposal.recipe == "use-provider"
    assert proposal.safety == Safety.MANUAL and not proposal.fixable
    assert proposal.changes.removes == (violation.fingerprint,)
    assert proposal.plan["protocol"] == "MetricsProviderProtocol"
    assert proposal.plan["protocol_file"] == "app/modules/contracts/metrics.py"
    assert proposal.plan["aggregator"] == "app.modules.dashboard.stats_aggregator"
    assert "MetricsProvider pattern via stats_aggregator" in proposal.summary
    assert ("call app.modules.dashboard.stats_aggregator in place of stats_service"
            in proposal.steps)
    assert any(step.startswith("implement MetricsProviderProtocol in analytics")
               for step in proposal.steps)
    edges = {(e.source, e.target) for e in proposal.changes.adds}
    assert edges == {("tenancy", "contracts"), ("analytics", "contracts"),
                     ("tenancy", "dashboard")}
    assert proposal.valid


def test_without_an_aggregator_the_proposal_says_where_to_add_one(outcome):
    run = outcome("use-provider-no-aggregator")
    proposal = run.proposal(run.violation("tenancy/routes.py"))
    assert proposal.recipe == "use-provider"
    assert proposal.plan["protocol"] == "MetricsProviderProtocol"
    aggregator = str(proposal.plan["aggregator"])
    assert aggregator.startswith("app/modules/") and aggregator.endswith("/stats_aggregator.py")
    # In a core module: not the optional analytics, not the pure contracts; tenancy is the
    # only other core module of this project.
    assert aggregator.split("/")[2] == "tenancy"
    assert any(step.startswith("no core code asks MetricsProviderProtocol yet: add "
                               + aggregator) for step in proposal.steps)
    assert proposal.valid


# -- move-function -------------------------------------------------------------------------

def test_a_method_reading_an_optional_modules_names_moves_into_that_module(outcome):
    run = outcome("move-function")
    violation = run.violation("tenancy/store_service.py")
    proposal = run.proposal(violation)
    assert proposal.recipe == "move-function"
    assert proposal.safety == Safety.REVIEW
    assert proposal.changes.removes == (violation.fingerprint,)
    assert proposal.summary == "move get_products() to catalog"
    # Only the method about catalog's products moves; get_store() reads tenancy's Store.
    assert proposal.plan["moved"] == ["StoreService.get_products"]
    assert str(proposal.plan["destination"]).startswith("app/modules/catalog/")
    assert Edge("catalog", "tenancy", "the moved code uses tenancy") in proposal.changes.adds
    assert proposal.changes.requires == ()
    assert proposal.valid and proposal.alternatives == ()


def test_a_move_making_an_undeclared_optional_dependency_conflicts_and_offers_requires(
        outcome):
    run = outcome("move-function-conflict")
    catalog = run.violation("tenancy/store_service.py", 1)
    marketplace = run.violation("tenancy/store_service.py", 2)
    assert (catalog.target_module, marketplace.target_module) == ("catalog", "marketplace")
    proposal = run.proposal(catalog)
    assert proposal is run.proposal(marketplace)
    assert proposal.recipe == "move-function"
    assert proposal.summary == "move publish_products() to catalog"
    assert set(proposal.violations) == {catalog.fingerprint, marketplace.fingerprint}
    assert not proposal.valid
    (conflict,) = proposal.conflicts
    assert conflict.contract == "optional-declared-dependencies"
    assert (conflict.edge.source, conflict.edge.target) == ("catalog", "marketplace")
    assert "optional-declared-dependencies" in conflict.render()
    assert "requires" in conflict.reason
    chosen = proposal.chosen()
    assert chosen is not proposal and chosen in proposal.alternatives
    assert chosen.valid and chosen.conflicts == ()
    assert set(chosen.changes.removes) == {catalog.fingerprint, marketplace.fingerprint}
    (requirement,) = chosen.changes.requires
    assert {requirement.module, requirement.required} == {"catalog", "marketplace"}
    assert chosen.summary == (f"move publish_products() to {requirement.module}, which then "
                              f"requires {requirement.required}")
    assert (f"declare in {requirement.module}/definition.py requires: "
            f"[{requirement.required}]") in chosen.steps


# -- guard-optional ------------------------------------------------------------------------

def test_a_lazy_import_in_a_function_returning_a_list_is_guarded_with_an_empty_list(outcome):
    run = outcome("guard-optional")
    line = run.line_of("customers/history.py", "def order_lines(") + 1
    violation = run.violation("customers/history.py", line)
    assert violation.kind == "lazy" and violation.function == "order_lines"
    proposal = run.proposal(violation)
    assert proposal.recipe == "guard-optional"
    assert proposal.safety == Safety.REVIEW
    assert proposal.changes.removes == (violation.fingerprint,)
    (edit,) = proposal.plan["edits"]
    assert edit["fallback"] == "[]" and edit["line"] == line
    assert proposal.summary == "guard the import in order_lines() and return [] without orders"
    assert proposal.steps == (f"wrap `{violation.statement}` (line {line}) in try/except "
                              "ImportError, returning []",)
    assert proposal.valid


@pytest.mark.parametrize("function", ["latest_order", "order_customer"])
def test_a_function_whose_annotation_does_not_say_its_empty_answer_is_rejected(
        outcome, function):
    """latest_order() has no return annotation, order_customer() returns a Customer: nothing
    says what either answers when orders is missing."""
    run = outcome("guard-optional")
    line = run.line_of("customers/history.py", f"def {function}(") + 1
    violation = run.violation("customers/history.py", line)
    assert violation.kind == "lazy" and violation.function == function
    assert run.proposals("guard-optional", violation) == []
    (rejection,) = run.rejections("guard-optional", violation)
    assert rejection.reason == (f"{function}() (customers/history.py:{line}): its return "
                                "annotation does not say what an empty answer is")


# -- the catalogue -------------------------------------------------------------------------

def test_the_catalogue_holds_the_recipes_exercised_here_in_order():
    exercised = ["type-checking-only", "relationship-other-side", "use-provider",
                 "move-function", "guard-optional"]
    assert [r for r in RECIPES if r in exercised] == exercised


@pytest.mark.parametrize("recipe_id", list(RECIPES))
def test_every_recipe_is_documented_with_examples_that_are_python(recipe_id):
    recipe = RECIPES[recipe_id]
    assert recipe.id == recipe_id
    assert recipe.title.strip()
    assert isinstance(recipe.safety, Safety)
    assert isinstance(recipe.doc, RecipeDoc)
    for section in ("what", "when", "why", "before", "after", "risks"):
        text = getattr(recipe.doc, section)
        assert isinstance(text, str) and text.strip(), section
    for section in ("before", "after"):
        compile(getattr(recipe.doc, section), f"<{recipe_id} {section}>", "exec",
                flags=ast.PyCF_ONLY_AST)
    assert recipe.doc.before != recipe.doc.after


# -- extract-protocol ----------------------------------------------------------------------

def test_row_counts_of_an_optional_model_extract_a_count_provider_protocol(outcome):
    found = outcome("extract-protocol")
    billing = [p for p in found.found.proposals if p.group == "billing/* → catalog"]
    assert len(billing) == 1, [p.group for p in found.found.proposals]
    proposal = billing[0]
    assert proposal.recipe == "extract-protocol"
    assert proposal.valid
    assert proposal.safety == "manual"
    # Named from what is used, suffixed as the project's own protocols are.
    assert proposal.plan["protocol"] == "ProductCountProviderProtocol"
    assert proposal.plan["method"] == "get_product_count"
    assert proposal.plan["filters"] == ["store_id"]
    assert proposal.plan["protocol_file"] == "app/modules/contracts/catalog.py"
    assert proposal.plan["implementation"] == \
        "app/modules/catalog/services/product_count_provider.py"
    assert proposal.plan["definition"] == "app/modules/catalog/definition.py"
    assert len(proposal.violations) == 2
    steps = "\n".join(proposal.steps)
    assert "billing/usage.py:9" in steps and "billing/forecast.py:9" in steps
    # The kernel has no get_provider: the proposal says what is missing.
    assert "no provider lookup yet" in steps
    edges = {(e.source, e.target) for e in proposal.changes.adds}
    assert edges == {("billing", "contracts"), ("catalog", "contracts")}


def test_other_uses_are_named_from_the_words_the_using_functions_share(outcome):
    found = outcome("extract-protocol")
    media = next(p for p in found.found.proposals
                 if p.group == "reports/media.py → catalog")
    assert media.recipe == "extract-protocol"
    assert media.plan["protocol"] == "MediaUsageProviderProtocol"
    assert media.plan["method"] is None
    assert any("media_usage_count(...)" in step for step in media.steps)
