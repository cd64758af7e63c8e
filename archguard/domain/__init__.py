"""Pure data: the declared architecture, modules, import kinds and findings. No I/O here."""
