"""What finding string references adds to a check.

    python benchmarks/strings.py PROJECT_DIR --config CONFIG [--runs 9]

Times, in one run and alternating so that the machine's noise falls on both alike:
- ``archguard check`` as a subprocess, with ``strings.enabled`` false and true, without
  caches (cold) and with them (warm: a second run on the unchanged tree);
- the string finder alone, in process: cold (every file read, prefiltered, the matching ones
  parsed) and warm (answered from the per-file cache).
Prints the medians, and the files the finder parsed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from archguard.adapters.files import package_files
    from archguard.adapters.import_graph import build_import_graph
    from archguard.application.inventory import build_inventory
    from archguard.application.strings import StringFinder
    from archguard.config import load_config

    config = load_config(args.config)
    with tempfile.TemporaryDirectory(prefix="archguard-bench-") as temporary:
        work = Path(temporary)
        project = work / "project"
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns(".archguard_cache"))
        text = args.config.read_text(encoding="utf-8")
        with_strings = work / "with.yaml"
        without = work / "without.yaml"
        with_strings.write_text(text, encoding="utf-8")
        without.write_text(_disable_strings(text), encoding="utf-8")

        check = [sys.executable, "-m", "archguard", "check", str(project), "--format", "json"]
        times: dict[str, list[float]] = {k: [] for k in (
            "cold, strings off", "cold, strings on", "warm, strings off", "warm, strings on")}
        for _ in range(args.runs):
            for label, file in (("strings off", without), ("strings on", with_strings)):
                shutil.rmtree(project / ".archguard_cache", ignore_errors=True)
                times[f"cold, {label}"].append(_timed([*check, "--config", str(file),
                                                       "--no-cache"]))
                _timed([*check, "--config", str(file)])  # fills the caches
                times[f"warm, {label}"].append(_timed([*check, "--config", str(file)]))

        source_root = project / config.source_root
        graph = build_import_graph(source_root, config.root_package).graph
        files = {m: path for m, path in package_files(source_root, config.root_package).items()
                 if m in graph.modules}
        inventory = build_inventory(project, config)
        finder_cold, finder_warm = [], []
        cache_dir = work / "cache"
        parsed = 0
        for _ in range(args.runs):
            shutil.rmtree(cache_dir, ignore_errors=True)
            start = time.perf_counter()
            finder = StringFinder(config, inventory, files, project, None)
            list(finder.references())
            finder_cold.append(time.perf_counter() - start)
            parsed = finder.files_parsed
            StringFinder(config, inventory, files, project, cache_dir)
            start = time.perf_counter()
            list(StringFinder(config, inventory, files, project, cache_dir).references())
            finder_warm.append(time.perf_counter() - start)

    print(f"{args.project}: {len(files)} files, {parsed} parsed by the string finder; "
          f"medians of {args.runs} runs")
    for label, values in times.items():
        print(f"  check, {label:<18} {statistics.median(values):.3f} s")
    for label, values in (("cold", finder_cold), ("warm", finder_warm)):
        print(f"  string finder alone, {label:<5} {statistics.median(values):.3f} s")
    for state in ("cold", "warm"):
        added = (statistics.median(times[f"{state}, strings on"])
                 - statistics.median(times[f"{state}, strings off"]))
        print(f"  added to a {state} check: {added:+.3f} s")


def _disable_strings(text: str) -> str:
    """The same configuration with ``strings.enabled: false``."""
    import yaml

    document = yaml.safe_load(text)
    document.setdefault("strings", {})["enabled"] = False
    return yaml.safe_dump(document, sort_keys=False)


if __name__ == "__main__":
    main()
