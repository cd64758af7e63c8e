"""Use cases: what the commands do, composed from the domain and the adapters."""
