"""archguard's pytest plugin (entry point ``pytest11``).

- ``pytest --archguard``: each contract of the configuration is a test item, so broken
  contracts appear in the test report with their violations;
- the ``archguard_project`` fixture: the checked project, for asserting on contracts,
  violations, the import graph and removal predictions.

``--archguard-project DIR`` (default: pytest's rootdir) and ``--archguard-config FILE``
(default: archguard.yaml or pyproject.toml there) say what is checked. Without
``--archguard`` the plugin adds no test and imports nothing heavy.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("archguard", "architecture contracts (archguard)")
    group.addoption("--archguard", action="store_true", default=False,
                    help="Check every archguard contract as a test item.")
    group.addoption("--archguard-project", default=None, metavar="DIR",
                    help="Project checked by --archguard and the archguard_project fixture "
                         "(default: the rootdir).")
    group.addoption("--archguard-config", default=None, metavar="FILE",
                    help="archguard configuration (default: archguard.yaml or "
                         "[tool.archguard] in the project).")


class ArchguardProject:
    """A project and its configuration, checked once and kept for the session."""

    def __init__(self, project_dir: Path, config_file: Path | None = None) -> None:
        self.project_dir = project_dir.resolve()
        self.config_file = config_file

    @cached_property
    def config(self):
        from archguard.config import find_config, load_config

        return load_config(find_config(self.project_dir, self.config_file))

    @cached_property
    def result(self):
        """The :class:`~archguard.domain.violations.CheckResult` of every contract."""
        from archguard.application.check import run_check

        return run_check(self.project_dir, self.config)

    def contract(self, contract_id: str):
        """One contract's outcome: ``.kept``, ``.violations``, ``.problems``."""
        for outcome in self.result.contracts:
            if outcome.id == contract_id:
                return outcome
        known = ", ".join(c.id for c in self.result.contracts)
        raise KeyError(f"no contract '{contract_id}' (contracts: {known})")

    def violations(self, contract_id: str | None = None) -> list:
        return [v for v in self.result.violations
                if contract_id is None or v.contract == contract_id]

    @cached_property
    def graph(self):
        """The project's import graph (grimp's ``ImportGraph``)."""
        from archguard.adapters.import_graph import build_import_graph

        source_root = (self.project_dir / self.config.source_root).resolve()
        return build_import_graph(source_root, self.config.root_package).graph

    def predict_without(self, *modules: str):
        """The static prediction for removing ``modules``."""
        from archguard.testing import predict_without

        return predict_without(self.project_dir, modules, config=self.config.source)

    def run_without(self, modules, command: str | None = None, *, timeout: float = 120.0):
        """Run ``command`` (default: import the entry points) on a copy without
        ``modules``."""
        from archguard.testing import run_without

        return run_without(self.project_dir, modules, command, config=self.config.source,
                           timeout=timeout)


def _project(config: pytest.Config) -> ArchguardProject:
    project = getattr(config, "_archguard_project", None)
    if project is None:
        directory = config.getoption("archguard_project") or config.rootpath
        config_file = config.getoption("archguard_config")
        project = ArchguardProject(Path(directory),
                                   Path(config_file).resolve() if config_file else None)
        config._archguard_project = project
    return project


@pytest.fixture(scope="session")
def archguard_project(pytestconfig: pytest.Config) -> ArchguardProject:
    """The project archguard checks, with its contracts, violations and graph."""
    return _project(pytestconfig)


class ContractBroken(Exception):
    """A contract's violations, as the report shows them."""


class ContractItem(pytest.Item):
    """One contract of the configuration, as a test."""

    def __init__(self, *, contract_id: str, line: int | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.contract_id = contract_id
        self.line = line
        self.add_marker("archguard")

    def runtest(self) -> None:
        project = _project(self.config)
        outcome = project.contract(self.contract_id)
        if outcome.kept:
            return
        lines = [f"{outcome.id}: {outcome.name}"]
        for problem in outcome.problems:
            lines.append(f"  {problem.location}: {problem.message}")
        for violation in outcome.new_violations:
            used = "; ".join(use.render() for use in violation.used_in) or "-"
            lines.append(f"  {violation.file}:{violation.line}: {violation.source_module} "
                         f"({violation.source_category}) → {violation.target_module} "
                         f"({violation.target_category}): {violation.reference or violation.statement} "
                         f"[{violation.kind}]; used in {used}")
        count = len(outcome.new_violations) + len(outcome.problems)
        lines.append(f"{count} violation{'s' if count != 1 else ''}")
        raise ContractBroken("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ContractBroken):
            return str(excinfo.value)
        from archguard.errors import ArchguardError

        if isinstance(excinfo.value, ArchguardError):
            return f"archguard: {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, (self.line - 1) if self.line else None, \
            f"archguard contract {self.contract_id}"


class ContractCollector(pytest.Collector):
    """The configuration's contracts, collected once per session."""

    def collect(self):
        project = _project(self.config)
        for spec in project.config.contracts:
            yield ContractItem.from_parent(self, name=spec.id, contract_id=spec.id,
                                           line=spec.line)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "archguard: an archguard contract checked as a test")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    if not config.getoption("archguard"):
        return
    project = _project(config)
    source = Path(project.config.source)
    try:
        nodeid = source.resolve().relative_to(config.rootpath).as_posix()
    except ValueError:
        nodeid = source.name
    collector = ContractCollector.from_parent(session, name=source.name, path=source,
                                              nodeid=nodeid)
    items.extend(collector.collect())
