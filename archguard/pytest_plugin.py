"""archguard's pytest plugin (entry point ``pytest11``).

- ``pytest --archguard``: the configuration file is collected, and each of its contracts is
  a test item (``archguard.yaml::core-not-optional``), so broken contracts appear in the
  test report with their violations, and node ids, ``-k`` and ``-m archguard`` select them;
- the ``archguard_project`` fixture: the checked project, for asserting on contracts,
  violations, the import graph and removal predictions.

``--archguard-project DIR`` (default: pytest's rootdir) and ``--archguard-config FILE``
(default: archguard.yaml or pyproject.toml there) say what is checked. Without
``--archguard`` the plugin adds no test and imports nothing heavy.
"""

from __future__ import annotations

import glob
import os
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
        """The project's :class:`~archguard.domain.config.ArchitectureConfig`."""
        from archguard.config import find_config, load_config

        return load_config(find_config(self.project_dir, self.config_file),
                           project_dir=self.project_dir)

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
        """The violations of one contract, or of all of them."""
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


_PROJECT = pytest.StashKey[ArchguardProject]()
_CONFIG_FILE = pytest.StashKey[Path]()


def _absolute(path: str | Path) -> Path:
    # As pytest makes its collection paths absolute: symbolic links are kept, so that the
    # configuration file compares equal to the path pytest collects it by.
    return Path(os.path.abspath(path))


def _project_dir(option_value: str | None, config: pytest.Config) -> Path:
    return _absolute(option_value) if option_value else config.rootpath


def _explicit_config(option_value: str | None) -> Path | None:
    return _absolute(option_value) if option_value else None


def _project(config: pytest.Config) -> ArchguardProject:
    project = config.stash.get(_PROJECT, None)
    if project is None:
        project = ArchguardProject(
            _project_dir(config.getoption("archguard_project"), config),
            _explicit_config(config.getoption("archguard_config")))
        config.stash[_PROJECT] = project
    return project


def _locate_config(project_dir: Path, explicit: Path | None) -> Path:
    """The configuration file ``--archguard`` collects; a usage error when there is none."""
    from archguard.config import find_config
    from archguard.errors import ArchguardError

    try:
        return _absolute(find_config(project_dir, explicit))
    except ArchguardError as exc:
        raise pytest.UsageError(f"--archguard: {exc}") from None


def _default_paths(config: pytest.Config, pyargs: bool) -> list[str]:
    """What pytest collects when it is given no path: ``testpaths`` when run from the
    rootdir, else the current directory.

    Adding the configuration file to the arguments makes them explicit, so the paths pytest
    would have chosen itself are added with it.
    """
    invocation_dir = config.invocation_params.dir
    paths: list[str] = []
    if invocation_dir == config.rootpath:
        testpaths = config.getini("testpaths")
        if pyargs:
            paths = list(testpaths)
        else:
            for pattern in testpaths:
                paths.extend(sorted(glob.iglob(pattern, recursive=True)))
    return paths or [str(invocation_dir)]


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser,
                                  args: list[str]) -> None:
    """With ``--archguard``, make sure the configuration file is among the paths collected
    when no path is given, or when the project's folder is, so that its contracts are
    collected even where no folder pytest walks holds it.

    An explicit path or node id elsewhere collects what it names and no contract; where a
    path given already holds the configuration file, pytest drops the duplicate.
    """
    options = parser.parse_known_args(args)
    if not options.archguard:
        return
    project_dir = _project_dir(options.archguard_project, early_config)
    config_file = _locate_config(project_dir, _explicit_config(options.archguard_config))
    early_config.stash[_CONFIG_FILE] = config_file
    given = options.file_or_dir
    if not given:
        added = [*_default_paths(early_config, options.pyargs), str(config_file)]
    elif any(_argument_path(arg, early_config) == project_dir for arg in given):
        added = [str(config_file)]
    else:
        return
    # In front, where no option can take them for its value.
    args[:0] = added


def _argument_path(argument: str, config: pytest.Config) -> Path:
    return _absolute(config.invocation_params.dir / argument.split("::", 1)[0])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "archguard: an archguard contract checked as a test")
    if config.getoption("archguard") and _CONFIG_FILE not in config.stash:
        # Registered too late for pytest_load_initial_conftests (from a conftest's
        # pytest_plugins): the file is still collected where a path given reaches it.
        config.stash[_CONFIG_FILE] = _locate_config(
            _project_dir(config.getoption("archguard_project"), config),
            _explicit_config(config.getoption("archguard_config")))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ContractFile | None:
    config = parent.config
    if config.getoption("archguard") and file_path == config.stash.get(_CONFIG_FILE, None):
        return ContractFile.from_parent(parent, path=file_path)
    return None


@pytest.fixture(scope="session")
def archguard_project(pytestconfig: pytest.Config) -> ArchguardProject:
    """The project archguard checks, with its contracts, violations and graph."""
    return _project(pytestconfig)


class ContractBroken(Exception):
    """A contract's violations, as the report shows them."""


def _render_archguard_error(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    from archguard.errors import ArchguardError

    if isinstance(excinfo.value, ArchguardError):
        return f"archguard: {excinfo.value}"
    return None


class ContractFile(pytest.File):
    """The configuration file, whose contracts are its test items."""

    def collect(self):
        project = _project(self.config)
        for spec in project.config.contracts:
            yield ContractItem.from_parent(self, name=spec.id, contract_id=spec.id,
                                           line=spec.line)

    def repr_failure(self, excinfo, style=None):
        return _render_archguard_error(excinfo) or super().repr_failure(excinfo)


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
                         f"({violation.target_category}): "
                         f"{violation.reference or violation.statement} "
                         f"[{violation.kind}]; used in {used}")
        count = len(outcome.new_violations) + len(outcome.problems)
        lines.append(f"{count} violation{'s' if count != 1 else ''}")
        raise ContractBroken("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ContractBroken):
            return str(excinfo.value)
        return _render_archguard_error(excinfo) or super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, (self.line - 1) if self.line else None, \
            f"archguard contract {self.contract_id}"
