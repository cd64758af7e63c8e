"""Adapters to the outside: source files read statically, the filesystem."""
