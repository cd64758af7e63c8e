"""The static answer to "would the app still run without these modules?" on a small project:
the verdict, the crash chain as printed, code paths that fail later, and safe references."""

from __future__ import annotations

import pytest

from archguard.application.simulate import RemovalModel
from archguard.config import load_config
from archguard.domain.simulation import (
    Observation,
    Prediction,
    Scenario,
    SimulationResult,
)

PROJECT = {
    "archguard.yaml": """
        version: 1
        project: {root_package: app, modules_package: app.modules}
        categories: {core: {}, optional: {}}
        modules:
          shop: {category: core}
          extras: {category: optional}
          gifts: {category: optional}
          games: {category: optional}
          media: {category: optional, requires: [gifts]}
        definitions: {enabled: false}
        runtime:
          entry_points: [app.main]
          discovered: [app.modules.*.models]
        """,
    "app/__init__.py": "",
    "app/main.py": "import app.modules.shop\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "from . import api\n",
    "app/modules/shop/api.py": "import os\nfrom app.modules.gifts import wrap\n",
    "app/modules/shop/service.py": """
        def price():
            from app.modules.extras import tax
            return tax
        try:
            import app.modules.games
        except ImportError:
            pass
        """,
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/tax.py": "",
    "app/modules/gifts/__init__.py": "",
    "app/modules/gifts/wrap.py": "def wrap():\n    pass\n",
    "app/modules/games/__init__.py": "",
    "app/modules/media/__init__.py": "",
    "app/modules/media/models.py": "import app.modules.games\n",
}


@pytest.fixture
def model(make_project):
    project = make_project(PROJECT)
    return RemovalModel(project, load_config(project / "archguard.yaml"), use_cache=False)


def test_a_lazy_import_of_a_removed_module_breaks_at_runtime_only(model):
    prediction = model.predict(["extras"])
    assert prediction.verdict == "breaks at runtime" and not prediction.import_crash
    (failure,) = prediction.runtime_failures
    assert (failure.file, failure.line, failure.function, failure.kind, failure.target) == (
        "app/modules/shop/service.py", 2, "price", "lazy", "app.modules.extras.tax")


def test_a_module_level_import_on_start_ups_path_crashes_with_its_chain(model):
    prediction = model.predict(["gifts"])
    assert prediction.verdict == "crashes at import" and prediction.import_crash
    (crash,) = prediction.crashes
    assert crash.first and (crash.file, crash.line) == ("app/modules/shop/api.py", 2)
    assert crash.sites == (("app/modules/shop/api.py", 2),)
    assert crash.render_chain() == (
        "app.main (app/main.py:1) → app.modules.shop (app/modules/shop/__init__.py:1) → "
        "app.modules.shop.api (app/modules/shop/api.py:2) → app.modules.gifts")
    assert crash.render_chain(" -> ").count(" -> ") == 3
    # media requires gifts: it is not loaded, so its models are not discovered.
    assert prediction.cascade == (("media", "requires 'gifts', which is removed"),)


def test_an_entry_point_importing_a_removed_module_is_the_whole_chain(make_project):
    project = make_project({**PROJECT, "app/main.py": "import app.modules.shop\n"
                                                      "import app.modules.extras.tax\n"})
    model = RemovalModel(project, load_config(project / "archguard.yaml"), use_cache=False)
    (crash,) = model.predict(["extras"]).crashes
    assert crash.chain == () and crash.root == "app.main"
    assert crash.render_chain() == "app.main (app/main.py:2) → app.modules.extras"


def test_a_crash_in_a_discovered_module_names_the_pattern(model):
    prediction = model.predict(["games"])
    (crash,) = prediction.crashes
    assert crash.discovered_by == "app.modules.*.models"
    assert crash.render_chain() == (
        "app.main → (discovers app.modules.*.models) → "
        "app.modules.media.models (app/modules/media/models.py:1) → app.modules.games")
    (safe,) = prediction.safe
    assert (safe.file, safe.line, safe.kind, safe.target) == (
        "app/modules/shop/service.py", 5, "guarded", "app.modules.games")


def test_removing_a_module_nothing_uses_runs(model):
    prediction = model.predict(["media"])
    assert prediction.verdict == "runs"
    assert prediction.crashes == () and prediction.runtime_failures == ()


def test_a_crash_outweighs_runtime_failures(model):
    prediction = model.predict(["extras", "games"])
    assert prediction.runtime_failures and prediction.crashes
    assert prediction.verdict == "crashes at import"


def test_agreement_is_the_share_of_judged_scenarios_that_held():
    observed = Observation(ok=True, import_crash=False, first_error=None, seconds=0.1)
    scenarios = (
        Scenario(Prediction(("a",)), observed, agreed=True),
        Scenario(Prediction(("b",)), observed, agreed=False),
        Scenario(Prediction(("c",)), observed, agreed=True),
        Scenario(Prediction(("d",)), observed, agreed=True),
        Scenario(Prediction(("e",))),
    )
    result = SimulationResult("p", scenarios)
    assert result.ran and result.agreement == 0.75
    assert [s.removed for s in scenarios][:2] == [("a",), ("b",)]
    static = SimulationResult("p", (Scenario(Prediction(("a",))),))
    assert not static.ran and static.agreement is None
