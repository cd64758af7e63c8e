"""Drives the reference platform through its HTTP API, in its own interpreter.

Run as ``python platform_driver.py SCENARIO`` with the platform's project root as working
directory; prints one JSON line with what it observed. Used by the platform tests, which run
it in a subprocess on a temporary copy of the platform.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

sys.path.insert(0, os.getcwd())

ADMIN = {"X-User-Id": "1", "X-Platform-Id": "1", "X-Role": "platform_admin"}


def store_headers(store_id: int) -> dict[str, str]:
    return {"X-User-Id": "2", "X-Platform-Id": "1", "X-Role": "store_owner",
            "X-Store-Id": str(store_id)}


def ok(response, expected: int = 200) -> dict:
    if response.status_code != expected:
        raise AssertionError(f"{response.request.method} {response.request.url} -> "
                             f"{response.status_code}: {response.text}")
    return response.json()


def seed(client) -> dict:
    """A platform with one merchant, two stores (one active), a store owner and customers."""
    platform = ok(client.post("/api/v1/admin/platforms", headers=ADMIN,
                              json={"code": "lu", "name": "Luxembourg"}), 201)
    merchant = ok(client.post("/api/v1/admin/merchants", headers=ADMIN,
                              json={"platform_id": platform["id"], "name": "Bakery Schmit",
                                    "contact_email": "owner@schmit.lu"}), 201)
    stores = [
        ok(client.post("/api/v1/admin/stores", headers=ADMIN,
                       json={"merchant_id": merchant["id"], "code": code, "name": name}), 201)
        for code, name in (("schmit", "Schmit Online"), ("schmit-outlet", "Schmit Outlet"))
    ]
    owner = ok(client.post("/api/v1/admin/users", headers=ADMIN,
                           json={"platform_id": platform["id"], "email": "anne@schmit.lu",
                                 "full_name": "Anne Schmit", "role": "store_owner"}), 201)
    store_id = stores[0]["id"]
    customers = [
        ok(client.post("/api/v1/store/customers", headers=store_headers(store_id),
                       json={"email": f"c{i}@example.lu", "first_name": f"C{i}",
                             "last_name": "Weber"}), 201)
        for i in range(3)
    ]
    return {"platform": platform, "merchant": merchant, "stores": stores, "owner": owner,
            "customers": customers, "store_id": store_id}


def scenario_dashboards(client) -> dict:
    data = seed(client)
    admin = client.get("/api/v1/admin/dashboard/stats", headers=ADMIN)
    store = client.get("/api/v1/store/dashboard/stats", headers=store_headers(data["store_id"]))
    modules = ok(client.get("/api/v1/admin/modules", headers=ADMIN))
    return {
        "admin": {"status": admin.status_code, "body": admin.json()},
        "store": {"status": store.status_code, "body": store.json()},
        "modules": sorted(m["code"] for m in modules["modules"]),
        "skipped": modules["skipped"],
        "seeded": {"stores": len(data["stores"]), "customers": len(data["customers"])},
    }


def scenario_customer_orders(client) -> dict:
    data = seed(client)
    customer_id = data["customers"][0]["id"]
    outcome = {}
    for path in (f"/api/v1/store/customers/{customer_id}/orders",
                 f"/api/v1/store/customers/{customer_id}/stats"):
        try:
            response = client.get(path, headers=store_headers(data["store_id"]))
        except Exception as exc:  # the server's exception, re-raised by the test client
            outcome[path] = {"status": None, "error_type": type(exc).__name__,
                             "error": str(exc)}
        else:
            outcome[path] = {"status": response.status_code, "body": response.json()}
    return outcome


def scenario_routes(client) -> dict:
    """Registered API paths by module tag, and one file fetched from each static mount."""
    from app.main import app
    from app.modules.registry import MODULES_DIR

    tags: dict[str, set[str]] = {}
    for path, operations in app.openapi()["paths"].items():
        for operation in operations.values():
            for tag in operation.get("tags", []):
                tags.setdefault(tag, set()).add(path)
    static = {}
    for route in app.routes:
        mount = getattr(route, "path", "")
        if mount.startswith("/static/modules/"):
            code = mount.rsplit("/", 1)[-1]
            folder = MODULES_DIR / code.replace("-", "_") / "static"
            sample = sorted(p for p in folder.rglob("*") if p.is_file())[0]
            url = f"{mount}/{sample.relative_to(folder).as_posix()}"
            response = client.get(url)
            static[code] = {"url": url, "status": response.status_code,
                            "same_bytes": response.content == sample.read_bytes()}
    return {"tags": {k: sorted(v) for k, v in tags.items()}, "static": static}


SCENARIOS = {
    "dashboards": scenario_dashboards,
    "customer-orders": scenario_customer_orders,
    "routes": scenario_routes,
}


def main() -> None:
    from app.main import app
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        result = SCENARIOS[sys.argv[1]](client)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
