"""Reading archguard's configuration: its schema, and the loader that validates against it."""

from archguard.config.loader import find_config, load_config

__all__ = ["find_config", "load_config"]
