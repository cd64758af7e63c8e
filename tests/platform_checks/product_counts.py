"""Every count another module makes of the catalog's products, through the platform's API:
one product more is one more in billing's usage, billing's raw counts, the capacity
snapshot, and the store's onboarding. Run inside a copy of the reference platform."""

from __future__ import annotations


def test_a_new_product_counts_wherever_other_modules_count_products(client, check, seeded):
    store = seeded.spare_store_id
    admin = seeded.admin_headers()
    owner = seeded.store_headers(store)

    def counts() -> tuple[int, int, int, bool]:
        usage = check(client.get("/api/v1/store/billing/usage", headers=owner))
        used = next(item["used"] for item in usage["items"] if item["name"] == "max_products")
        raw = check(client.get(f"/api/v1/admin/billing/stores/{store}/usage", headers=admin))
        snapshot = check(client.post("/api/v1/admin/billing/capacity/snapshots",
                                     headers=admin))
        onboarding = check(client.get(f"/api/v1/admin/stores/{store}/onboarding",
                                      headers=admin))
        return used, raw["products"], snapshot["total_products"], \
            onboarding["steps"]["has_products"]

    used, raw, total, _ = counts()
    check(client.post("/api/v1/store/products", headers=owner,
                      json={"sku": f"COUNTED-{seeded.suffix}", "title": "Counted",
                            "price": "3.00"}), 201)
    assert counts() == (used + 1, raw + 1, total + 1, True)
