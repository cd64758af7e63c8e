"""The command line: one module per command, composed in :mod:`archguard.cli.main`."""
