"""archguard: architecture linter and removal test harness for modular Python monoliths."""

__version__ = "0.1.0"
