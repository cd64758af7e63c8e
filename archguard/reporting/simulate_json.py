"""A simulation as JSON (``archguard simulate --format json``), schema version 1.

The schema is documented in docs/simulate-json.md.
"""

from __future__ import annotations

from archguard.domain.simulation import Observation, Prediction, Scenario, SimulationResult

SCHEMA_VERSION = 1


def _prediction(prediction: Prediction) -> dict:
    return {
        "verdict": prediction.verdict,
        "import_crash": prediction.import_crash,
        "every_module_started": prediction.every_module_started,
        "crashes": [
            {"module": c.module, "file": c.file, "line": c.line, "target": c.target,
             "first": c.first, "root": c.root, "discovered_by": c.discovered_by,
             "chain": [link.render() for link in c.chain], "rendered": c.render_chain()}
            for c in prediction.crashes
        ],
        "runtime_failures": [
            {"file": f.file, "line": f.line, "function": f.function, "kind": f.kind,
             "target": f.target, "name": f.name, "statement": f.statement,
             "sites": [list(site) for site in f.sites],
             "chain": [link.render() for link in f.chain],
             "reached_from": list(f.reached_from)}
            for f in prediction.runtime_failures
        ],
        "safe": [{"file": s.file, "line": s.line, "kind": s.kind, "target": s.target,
                  "statement": s.statement} for s in prediction.safe],
        "unread": [{"file": u.file, "line": u.line, "target": u.target, "folder": u.folder}
                   for u in prediction.unread],
    }


def _observation(observation: Observation | None) -> dict | None:
    if observation is None:
        return None
    return {
        "ok": observation.ok,
        "import_crash": observation.import_crash,
        "first_error": observation.first_error,
        "seconds": round(observation.seconds, 3),
        "failures": [
            {"smoke": f.smoke, "file": f.file, "line": f.line, "function": f.function,
             "error": f.error, "name": f.name, "explained": f.explained}
            for f in observation.failures
        ],
        "commands": [
            {"name": c.name, "command": c.command, "exit_code": c.exit_code,
             "seconds": round(c.seconds, 3), "timed_out": c.timed_out, "error": c.error,
             "output_cut": c.output_cut}
            for c in observation.commands
        ],
        "isolation": observation.isolation,
        "original_changes": [{"path": c.path, "change": c.change}
                             for c in observation.original_changes],
    }


def scenario_to_json(scenario: Scenario) -> dict:
    prediction = scenario.prediction
    return {
        "removed": list(prediction.removed),
        "cascade": [name for name, _ in prediction.cascade],
        "cascade_reasons": dict(prediction.cascade),
        "predicted": _prediction(prediction),
        "observed": _observation(scenario.observation),
        "agreed": scenario.agreed,
    }


def simulation_to_json(result: SimulationResult) -> dict:
    judged = [s.agreed for s in result.scenarios if s.agreed is not None]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "archguard",
        "project": result.project_dir,
        "scenarios": [scenario_to_json(s) for s in result.scenarios],
        "summary": {
            "scenarios": len(result.scenarios),
            "agreed": sum(1 for a in judged if a),
            "disagreed": sum(1 for a in judged if not a),
            "agreement": result.agreement,
        },
    }
