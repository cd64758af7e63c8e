"""Reading archguard's configuration: its schema, and the loader that validates against it."""

from archguard.config.loader import config_from_text, find_config, load_config

__all__ = ["config_from_text", "find_config", "load_config"]
