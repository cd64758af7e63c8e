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

#: The seed's core → optional imports (SEED-FACTS.md, "Core → optional imports the seed
#: found"): importing file under app/modules/, its lines, and the optional module imported.
#: The rows the seed marks core → core since 2026-02-03 (billing as target) are left out.
CORE_TO_OPTIONAL = [
    ("tenancy/models/__init__.py", (22,), "marketplace"),
    ("tenancy/services/admin_service.py", (36, 40), "marketplace"),
    ("tenancy/services/store_service.py", (18,), "catalog"),
    ("tenancy/services/store_service.py", (19,), "marketplace"),
    ("tenancy/services/store_service.py", (26,), "marketplace"),
    ("tenancy/services/store_service.py", (27,), "catalog"),
    ("tenancy/services/store_service.py", (30,), "catalog"),
    ("tenancy/routes/api/admin_stores.py", (20, 23), "analytics"),
    ("tenancy/routes/api/admin_stores.py", (348, 399), "marketplace"),
    ("tenancy/routes/api/admin_platform_users.py", (18,), "analytics"),
    ("core/routes/api/admin_dashboard.py", (14, 16), "analytics"),
    ("core/routes/api/store_dashboard.py", (17, 20), "analytics"),
    ("cms/models/__init__.py", (14,), "catalog"),
    ("cms/models/media.py", (9,), "catalog"),
    ("cms/services/media_service.py", (31,), "catalog"),
    ("customers/services/customer_service.py", (332, 368), "orders"),
    ("billing/services/subscription_service.py", (48,), "catalog"),
    ("billing/services/admin_subscription_service.py", (30,), "catalog"),
    ("billing/services/capacity_forecast_service.py", (19,), "catalog"),
]

#: Core → optional module pairs, from the rows above.
CORE_OPTIONAL_PAIRS = sorted({(f.split("/")[0], target) for f, _, target in CORE_TO_OPTIONAL})

#: Optional modules whose removal crashes the app at start-up (Part 4: module-level imports
#: in tenancy/models, core/routes/api/admin_dashboard.py and cms/models).
CRASH_WITHOUT = ("analytics", "catalog", "marketplace")

#: The seed's "What already works" aspects (Part 1).
WORKS = ("Module auto-discovery", "Route auto-registration", "Middleware stack",
         "Static file mounting", "Module enablement", "Fixed conventions")
