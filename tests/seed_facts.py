"""The seed's module table (SEED-FACTS.md, Part 3 as updated 2026-02-03), written down by hand.

Tests compare archguard and the shipped platform against these facts, never against
archguard's own output.
"""

CATEGORIES = {
    "contracts": "core", "core": "core", "cms": "core", "customers": "core",
    "tenancy": "core", "billing": "core", "payments": "core", "messaging": "core",
    "analytics": "optional", "cart": "optional", "catalog": "optional",
    "checkout": "optional", "inventory": "optional", "loyalty": "optional",
    "marketplace": "optional", "orders": "optional",
    "dev_tools": "internal", "monitoring": "internal",
}

REQUIRES = {
    "billing": {"payments"},
    "cart": {"inventory"},
    "catalog": {"inventory"},
    "checkout": {"cart", "orders", "customers"},
    "loyalty": {"customers"},
    "marketplace": {"inventory"},
}

CORE = sorted(m for m, c in CATEGORIES.items() if c == "core")
OPTIONAL = sorted(m for m, c in CATEGORIES.items() if c == "optional")
INTERNAL = sorted(m for m, c in CATEGORIES.items() if c == "internal")
