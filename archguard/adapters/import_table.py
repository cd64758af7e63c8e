"""The project's imports as an :class:`ImportTable`, read by grimp's scanner and kept
between runs, so that a run after an edit reads only the files that changed.

grimp's own cache still rebuilds its whole graph (and rewrites its cache) on every run; the
checks need only each module's direct imports with their lines. The first run scans every
file; the table is kept in one JSON file with each file's modification time and size, and
the next run rescans only the files whose recorded signature no longer vouches for them (see
:mod:`archguard.adapters.freshness`). A file added, deleted or renamed changes what other
files' imports resolve to (``from a import b`` names the module ``a.b`` only if it exists),
so it makes the whole table be scanned again. A table that cannot be read, was written by
another grimp or for another package, or is malformed is ignored and rebuilt: never
trusted, never an error.

Nothing is imported or executed: grimp reads the files.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archguard.adapters.files import manifest_modules, source_manifest
from archguard.adapters.freshness import is_fresh
from archguard.adapters.import_graph import build_around_broken_files, grimp_graph
from archguard.domain.imports import ImportTable
from archguard.errors import SourceSyntaxError

FORMAT = 1
FILE = "imports.json"
#: Modules scanned by one call of grimp's scanner: its results take about 6 KB a module
#: until they are read into the table, so a large package is scanned in parts.
BATCH = 2000

Imports = dict[str, dict[str, list[int]]]

#: Files whose imports were found the same as the table kept that are scanned again on every
#: run instead of the table being written again (a large package's table is megabytes):
#: an edit inside a function rewrites nothing.
UNSAVED_RESCANS = 20


@dataclass
class TableBuild:
    """The table, the files that could not be parsed (left out of it), and how many
    modules were scanned (the others were answered by the table kept from the last run)."""

    table: ImportTable
    unparsable: list[SourceSyntaxError] = field(default_factory=list)
    scanned: int = 0


def build_import_table(source_root: Path, root_package: str, cache_dir: Path | None = None,
                       files: dict[str, Path] | None = None,
                       signatures: dict[str, tuple[int, int]] | None = None) -> TableBuild:
    """The imports of every module of ``root_package`` in ``source_root``; with
    ``cache_dir``, kept in it between runs. ``files`` are the package's files by module,
    and ``signatures`` their modification times (ns) and sizes, read before any is scanned
    (:func:`~archguard.adapters.files.manifest_modules`), when the caller has them."""
    package_dir = source_root / Path(*root_package.split("."))
    if files is None or signatures is None:
        modules = manifest_modules(source_root, root_package, source_manifest(package_dir))
        files = {module: path for module, (path, _, _) in modules.items()}
        signatures = {module: (mtime, size) for module, (_, mtime, size) in modules.items()}
    cache_file = cache_dir / FILE if cache_dir is not None else None
    salt = _salt(root_package, package_dir)
    scanner = _Scanner(root_package, {module: size for module, (_, size) in signatures.items()})
    kept = _load(cache_file, salt) if cache_file is not None else None
    if kept is not None:
        modules, written_at_ns = kept
        changed = _changed(modules, signatures, written_at_ns)
        if changed is not None:
            if not changed:
                return TableBuild(ImportTable({m: modules[m][2] for m in modules}))
            from grimp.exceptions import GrimpException

            try:
                rescanned = scanner.scan(source_root, set(modules), changed)
            except (GrimpException, UnicodeError, OSError):
                rescanned = None  # the whole tree is scanned, and what fails is reported
            if rescanned is not None and not scanner.unreadable:
                imports = {m: modules[m][2] for m in modules}
                same = len(changed) <= UNSAVED_RESCANS and all(
                    rescanned[m] == imports[m] for m in changed)
                imports.update(rescanned)
                if not same:
                    _save(cache_file, salt, imports, signatures)
                return TableBuild(ImportTable(imports), scanned=len(changed))
            scanner.unreadable.clear()  # the whole tree is scanned, and what fails is reported
    imports, unparsable = build_around_broken_files(
        source_root, root_package, lambda root: scanner.scan(root, set(files), set(files)))
    unparsable += scanner.unreadable
    if cache_file is not None and not unparsable:
        _save(cache_file, salt, imports, signatures)
    return TableBuild(ImportTable(imports), unparsable, scanned=len(imports))


def _changed(modules: dict[str, list], signatures: dict[str, tuple[int, int]],
             written_at_ns: int) -> set[str] | None:
    """The modules to scan again; None when modules were added, deleted or renamed."""
    if modules.keys() != signatures.keys():
        return None
    return {module for module, signature in signatures.items()
            if not is_fresh(modules[module][:2], signature, written_at_ns)}


#: What grimp's scanner raises when it is not the one :func:`_scan` was written for: its
#: modules, entry point or value objects gone, renamed, or taking or giving other things. A
#: file that cannot be read or parsed raises something else, and is reported.
_SCANNER_CHANGED = (ImportError, AttributeError, TypeError)


class _Scanner:
    """The imports of a package's modules: from grimp's scanner while this grimp's scanner is
    the one :func:`_scan` calls, and from the first failure that shows otherwise on, from
    grimp's public graph (slower, as it reads the whole package, but a public API)."""

    def __init__(self, root_package: str, sizes: dict[str, int] | None = None) -> None:
        self.root_package = root_package
        self.internal = True
        #: Each module's file size, by which the files scanned apart are chosen.
        self.sizes = sizes or {}
        #: Files the scanner cannot read (deleted meanwhile, or crashing it), left out.
        self.unreadable: list[SourceSyntaxError] = []

    def scan(self, source_root: Path, modules: set[str], wanted: set[str]) -> Imports:
        """The imports of the ``wanted`` modules of a package whose modules are
        ``modules``, found in ``source_root``. Files from :data:`APART_FROM` bytes are
        scanned in a process of their own (see :func:`_scan_apart`)."""
        if self.internal:
            package_dir = source_root / Path(*self.root_package.split("."))
            apart = {m for m in wanted if self.sizes.get(m, 0) >= APART_FROM}
            found = len(self.unreadable)
            try:
                imports = _scan(package_dir, self.root_package, modules, wanted - apart,
                                self.unreadable)
                if apart:
                    imports.update(_scan_apart(package_dir, self.root_package, modules,
                                               sorted(apart), self.unreadable))
                return imports
            except _SCANNER_CHANGED:
                del self.unreadable[found:]
                self.internal = False
        graph = _from_graph(grimp_graph(source_root, self.root_package))
        return {module: graph.get(module, {}) for module in wanted}


def _scan(package_dir: Path, root_package: str, modules: set[str],
          wanted: set[str], unreadable: list[SourceSyntaxError]) -> Imports:
    """grimp's scanner over the ``wanted`` modules of a package whose modules are
    ``modules`` (what ``from a import b`` resolves to depends on them). A file the scanner
    cannot read is added to ``unreadable`` and left out."""
    import grimp  # noqa: F401 - configures grimp's settings
    from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
    from grimp.application.scanning import scan_imports
    from grimp.domain.valueobjects import Module

    files = {name: ModuleFile(module=Module(name), mtime=0.0) for name in modules}
    found = {FoundPackage(name=root_package, directory=str(package_dir),
                          module_files=frozenset(files.values()))}
    imports: Imports = {}
    names: dict[str, str] = {}  # one string per module name, however many import it
    batch = sorted(wanted)
    def scan(part: list[str], packages: set[FoundPackage]) -> dict:
        with _panic_output_held(), scanner_stack():
            return scan_imports([files[name] for name in part], found_packages=packages,
                                include_external_packages=True,
                                exclude_type_checking_imports=False)

    for start in range(0, len(batch), BATCH):  # grimp's objects for one batch at a time
        part = batch[start:start + BATCH]
        try:
            scanned = scan(part, found)
        except BaseException as error:  # grimp's scanner panics on some climbing imports
            if not is_panic(error):
                raise
            scanned = _scan_around_panics(part, files, package_dir, root_package, scan,
                                          unreadable)
        while scanned:
            file, direct = scanned.popitem()
            targets: dict[str, list[int]] = {}
            for item in direct:
                name = item.imported.name
                targets.setdefault(names.setdefault(name, name), []).append(item.line_number)
            for lines in targets.values():
                lines.sort()
            imports[file.module.name] = targets
    return imports


def is_panic(error: BaseException) -> bool:
    """Whether ``error`` is a panic of native code (pyo3's PanicException derives from
    BaseException, not Exception, so that ``except Exception`` does not catch it)."""
    return type(error).__name__ == "PanicException"


#: The stack of grimp's scanning threads. Its parser and the release of its syntax tree
#: recurse once a level of nesting, about 52 bytes of stack a level: the 2 MB threads get
#: by default overflow on a 40,000-term sum (SIGSEGV), 256 MiB holds 5 million levels, which
#: take at least 10 MB of source (two characters a level: ``+1``, ``.a``, ``()``).
SCANNER_STACK = 256 << 20
#: Files from this size could nest deeply enough to overflow even that stack: they are
#: scanned in a process of their own, where a crash is a file left out, not a dead run.
APART_FROM = 4 << 20


@contextlib.contextmanager
def scanner_stack() -> Iterator[None]:
    """While grimp's scanner starts its threads: ``RUST_MIN_STACK`` at
    :data:`SCANNER_STACK` (Rust reads it when it starts its first thread; a value the user
    set is kept). The environment is as it was afterwards, for the commands archguard runs."""
    import os

    if "RUST_MIN_STACK" in os.environ:
        yield
        return
    os.environ["RUST_MIN_STACK"] = str(SCANNER_STACK)
    try:
        yield
    finally:
        os.environ.pop("RUST_MIN_STACK", None)


def _scan_apart(package_dir: Path, root_package: str, modules: set[str], wanted: list[str],
                unreadable: list[SourceSyntaxError], stack: int = SCANNER_STACK) -> Imports:
    """:func:`_scan` of the ``wanted`` modules in a new Python process, whose scanner
    threads have ``stack`` bytes of stack. When the process dies (a native crash: a signal),
    each half is scanned apart again, until the file that crashes it is found: it is added
    to ``unreadable`` and the others are read. A new process, not a fork: grimp's thread
    pool, once started, does not survive a fork."""
    import os
    import pickle
    import signal
    import subprocess
    import sys

    import archguard

    request = pickle.dumps((str(package_dir), root_package, sorted(modules), wanted))
    own = str(Path(archguard.__file__).resolve().parent.parent)
    path = [own, *(p for p in sys.path if p and Path(p).is_absolute() and p != os.getcwd())]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path),
                   "RUST_MIN_STACK": str(stack)}
    process = subprocess.run(
        [sys.executable, "-P", "-c",
         "from archguard.adapters.import_table import scan_requested; scan_requested()"],
        input=request, capture_output=True, env=environment, cwd=package_dir.parent)
    if process.returncode == 0:
        imports, errors = pickle.loads(process.stdout)
        unreadable += errors
        return imports
    if process.returncode > 0:  # an error of Python's, raised here as it was there
        kind, arguments = pickle.loads(process.stdout) if process.stdout else (None, ())
        if kind == "syntax":
            from grimp.exceptions import SourceSyntaxError as GrimpSyntaxError

            raise GrimpSyntaxError(*arguments)
        if kind == "unicode":
            raise UnicodeError(*arguments)
        raise OSError(f"scanning {', '.join(wanted)} apart failed: "
                      f"{process.stderr.decode('utf-8', errors='replace').strip()}")
    if len(wanted) > 1:
        half = len(wanted) // 2
        return {**_scan_apart(package_dir, root_package, modules, wanted[:half], unreadable,
                              stack),
                **_scan_apart(package_dir, root_package, modules, wanted[half:], unreadable,
                              stack)}
    try:
        name = signal.Signals(-process.returncode).name
    except ValueError:
        name = f"signal {-process.returncode}"
    from archguard.adapters.source_walk import longest_line

    file = _module_path(package_dir, wanted[0])
    unreadable.append(SourceSyntaxError(
        file, longest_line(file),
        f"grimp's scanner crashed reading it ({name}): nested too deeply, most likely"))
    return {}


def scan_requested() -> None:
    """The other side of :func:`_scan_apart`: the request from the standard input, the
    imports and unreadable files to the standard output, pickled."""
    import pickle
    import sys

    from grimp.exceptions import SourceSyntaxError as GrimpSyntaxError

    directory, root_package, modules, wanted = pickle.loads(sys.stdin.buffer.read())
    unreadable: list[SourceSyntaxError] = []
    try:
        imports = _scan(Path(directory), root_package, set(modules), set(wanted), unreadable)
    except GrimpSyntaxError as error:
        sys.stdout.buffer.write(pickle.dumps(("syntax", (error.filename, error.lineno,
                                                         error.text))))
        sys.exit(1)
    except UnicodeError as error:
        sys.stdout.buffer.write(pickle.dumps(("unicode", (str(error),))))
        sys.exit(1)
    sys.stdout.buffer.write(pickle.dumps((imports, unreadable)))


def _module_path(package_dir: Path, module: str) -> Path:
    """The file of a module of the package in ``package_dir``."""
    path = package_dir.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@contextlib.contextmanager
def _panic_output_held() -> Iterator[None]:
    """What the scanner writes to the standard error while it runs is held back, and shown
    unless the scanner panicked: a panic's message and backtrace are grimp's, not the
    user's business (the file is scanned again without the imports that caused it)."""
    import os
    import sys
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        panicked = False
        try:
            yield
        except BaseException as error:
            panicked = is_panic(error)
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if not panicked:
                held.seek(0)
                output = held.read()
                if output:
                    try:
                        sys.stderr.buffer.write(output)
                    except (AttributeError, ValueError):
                        sys.stderr.write(output.decode("utf-8", errors="replace"))
                    sys.stderr.flush()


def _scan_around_panics(part: list[str], files: dict, package_dir: Path, root_package: str,
                        scan, unreadable: list[SourceSyntaxError]
                        ) -> dict:  # type: ignore[no-untyped-def]
    """The batch scanned file by file; a file the scanner panics on (a relative import that
    climbs several levels above the top-level package) is scanned again from a copy in
    which those imports are blank lines, and each is kept as an import of
    :attr:`ImportTable.BEYOND_TOP` at its line. A file that cannot be read (deleted since
    the run began) or that the scanner panics on all the same is added to ``unreadable``."""
    import tempfile

    from grimp.application.ports.modulefinder import FoundPackage
    from grimp.domain.valueobjects import DirectImport, Module

    found = {FoundPackage(name=root_package, directory=str(package_dir),
                          module_files=frozenset(files.values()))}
    scanned: dict = {}
    for name in part:
        try:
            scanned.update(scan([name], found))
            continue
        except BaseException as error:
            if not is_panic(error):
                raise
        path = _module_path(package_dir, name)
        try:
            text, climbing = _without_climbing_imports(path, name, path.name == "__init__.py")
        except OSError as error:
            unreadable.append(SourceSyntaxError(path, None, "cannot be read: "
                                                f"{error.strerror or error}"))
            continue
        except (SyntaxError, ValueError, SourceSyntaxError):
            unreadable.append(SourceSyntaxError(path, None, "grimp's scanner fails on it"))
            continue
        with tempfile.TemporaryDirectory(prefix="archguard-climbing-") as folder:
            copy = Path(folder) / path.relative_to(package_dir)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(text, encoding="utf-8")
            try:
                result = scan([name], {FoundPackage(name=root_package, directory=folder,
                                                    module_files=frozenset(files.values()))})
            except BaseException as error:
                if not is_panic(error):
                    raise
                unreadable.append(SourceSyntaxError(path, None, "grimp's scanner fails on it"))
                continue
        for file, direct in result.items():
            scanned[file] = set(direct) | {
                DirectImport(importer=Module(name), imported=Module(ImportTable.BEYOND_TOP),
                             line_number=line, line_contents="") for line in climbing}
    return scanned


def _without_climbing_imports(path: Path, module: str, is_package: bool
                              ) -> tuple[str, list[int]]:
    """The file's text with each relative import that climbs above the top-level package
    blanked (line numbers kept), and the lines of those imports."""
    import ast

    from archguard.adapters.source_walk import without_recursion_limit

    text = path.read_text(encoding="utf-8")
    depth = len(module.split(".")) - (0 if is_package else 1)
    lines = text.splitlines(keepends=True)
    spans = without_recursion_limit(
        lambda: [(node.lineno, node.end_lineno or node.lineno) for node in ast.walk(ast.parse(text))
                 if isinstance(node, ast.ImportFrom) and node.level > depth], path)
    for first, last in spans:
        for index in range(first - 1, last):
            lines[index] = "\n"
    return "".join(lines), sorted(first for first, _ in spans)


def _from_graph(graph) -> Imports:
    """Every project module's imports in grimp's public graph, as :func:`_scan` gives them."""
    project = [m for m in graph.modules if not graph.is_module_squashed(m)]
    return {importer: {imported: sorted(d["line_number"] for d in graph.get_import_details(
                importer=importer, imported=imported))
                       for imported in graph.find_modules_directly_imported_by(importer)}
            for importer in project}


def _salt(root_package: str, package_dir: Path) -> str:
    import grimp

    return f"{FORMAT}|grimp {grimp.__version__}|{root_package}|{package_dir.resolve()}"


def _load(path: Path, salt: str) -> tuple[dict[str, list], int] | None:
    try:
        document = json.loads(path.read_bytes())
        if document.get("salt") != salt:
            return None
        written_at_ns = document["written_at_ns"]
        modules = document["modules"]
        if not isinstance(written_at_ns, int) or not isinstance(modules, dict):
            return None
        for entry in modules.values():
            if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], dict)
                    and all(isinstance(lines, list) for lines in entry[2].values())):
                return None
        return modules, written_at_ns
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def _save(path: Path | None, salt: str, imports: Imports,
          signatures: dict[str, tuple[int, int]]) -> None:
    from archguard.adapters.cache_folder import make_cache_folder
    from archguard.adapters.files import atomic_write
    from archguard.errors import ArchguardError

    if path is None:
        return
    modules = {module: [*signatures.get(module, (0, -1)), targets]
               for module, targets in imports.items()}
    document = {"salt": salt, "written_at_ns": time.time_ns(), "modules": modules}
    try:
        make_cache_folder(path.parent)
        atomic_write(path, json.dumps(document, separators=(",", ":")))
    except (OSError, ArchguardError):
        return  # a read-only checkout: the next run scans again
