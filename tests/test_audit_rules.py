""""What works", checked from the code on small projects of their own: each rule holds on a
project that keeps it, and fails, with the file and line, on one that does not."""

from __future__ import annotations

import pytest

from archguard.application.audit_rules import what_works
from archguard.application.check import run_check
from archguard.application.project import Project
from archguard.config import load_config
from archguard.domain.audit import Status

from .conftest import write_tree
from .recipe_projects import CONFIG, KERNEL, module

STRUCTURE = """
  - {id: structure, type: structure, required_files: [__init__.py, definition.py]}
"""

GOOD = {
    **KERNEL,
    "app/core/static.py": '''
        """Static folders are scanned, not listed."""
        from pathlib import Path

        STATIC = "static"


        def mount_static(app, modules_dir: Path) -> None:
            for folder in sorted(modules_dir.glob("*/static")):
                app.mount(f"/static/{folder.parent.name}", folder)
    ''',
    "app/middleware/__init__.py": "",
    "app/middleware/auth.py": '''
        from app.core.database import Base


        def authenticate(request):
            return Base
    ''',
    "app/core/models.py": '''
        class PlatformModule:
            code: str
            is_enabled: bool = True
    ''',
    **module("shop", core=True, files={"services/__init__.py": "", "services/cart.py": '''
        class CartService:
            def total(self, db, cart_id: int) -> int:
                return 0
    '''}),
    **module("gifts", core=False, files={"routes/__init__.py": "",
                                         "routes/api.py": "router = object()\n"}),
}


def audit_rules(tmp_path, files, config=CONFIG + STRUCTURE):
    kernel = config.replace("kernel: [app.main, app.core, app.modules.base]",
                            "kernel: [app.main, app.core, app.middleware, app.modules.base]")
    root = write_tree(tmp_path / "project", {"archguard.yaml": kernel, **files})
    project = Project(root, load_config(root / "archguard.yaml"), use_cache=False)
    result = run_check(root, project.config, project=project)
    return {rule.aspect: rule for rule in what_works(project, result)}


def test_a_project_that_keeps_every_convention_passes_each_rule(tmp_path):
    rules = audit_rules(tmp_path, GOOD)
    assert {aspect: rule.status for aspect, rule in rules.items()} == {
        "Module auto-discovery": Status.OK, "Route auto-registration": Status.OK,
        "Middleware stack": Status.OK, "Static file mounting": Status.OK,
        "Module enablement": Status.OK, "Fixed conventions": Status.OK}
    assert rules["Module enablement"].evidence[0].location == "app/core/models.py:1"
    assert "PlatformModule.is_enabled" in rules["Module enablement"].details


@pytest.mark.parametrize(("aspect", "files", "where", "says"), [
    ("Route auto-registration",
     {"app/main.py": "from app.modules.gifts.routes.api import router\n"},
     "app/main.py:1", "imports app.modules.gifts.routes.api"),
    ("Module auto-discovery",
     {"app/main.py": "import os\n\nimport app.modules.gifts.definition\n"},
     "app/main.py:3", "the kernel imports app.modules.gifts.definition by name"),
    ("Middleware stack",
     {"app/middleware/auth.py": "import os\nfrom app.modules.shop.services.cart import x\n"},
     "app/middleware/auth.py:2", "imports app.modules.shop.services.cart"),
    ("Static file mounting",
     {"app/main.py": 'def mount(app):\n    app.mount("/s", "app/modules/gifts/static")\n'},
     "app/main.py:2", "names 'app/modules/gifts/static'"),
    ("Fixed conventions",
     {"app/modules/shop/services/cart.py": "class CartService:\n"
                                           "    def __init__(self, db):\n"
                                           "        self.db = db\n"},
     "app/modules/shop/services/cart.py:2", "CartService.__init__ takes db"),
])
def test_a_broken_convention_is_named_with_its_file_and_line(tmp_path, aspect, files, where,
                                                             says):
    rules = audit_rules(tmp_path, {**GOOD, **files})
    rule = rules[aspect]
    assert rule.status == Status.BROKEN, rule
    assert any(e.location == where and e.text == says for e in rule.evidence), rule.evidence
    others = [r for a, r in rules.items() if a != aspect and r.status != Status.OK]
    assert others == [], others


def test_a_module_without_its_definition_and_a_project_without_an_enablement_flag(tmp_path):
    files = {k: v for k, v in GOOD.items() if k not in ("app/modules/gifts/definition.py",
                                                        "app/core/models.py")}
    rules = audit_rules(tmp_path, files)
    discovery = rules["Module auto-discovery"]
    assert discovery.status == Status.BROKEN
    assert [e.text for e in discovery.evidence] == ["gifts has no definition.py"]
    assert rules["Module enablement"].status == Status.BROKEN
    # The structure contract's own problem is shown among the conventions too.
    conventions = rules["Fixed conventions"]
    assert conventions.status == Status.BROKEN
    assert any("definition.py" in e.text for e in conventions.evidence)


def test_nothing_to_judge_is_said_as_such(tmp_path):
    files = {k: v for k, v in GOOD.items() if not k.startswith("app/middleware")}
    files["app/core/static.py"] = '"""Nothing to serve."""\n'
    rules = audit_rules(tmp_path, files)
    assert rules["Middleware stack"].status == Status.ABSENT
    assert rules["Middleware stack"].details == "no middleware in the kernel"
    assert rules["Static file mounting"].status == Status.ABSENT
