"""The pages of the dashboard, in navigation order, with the permission each needs."""

from __future__ import annotations

# page name, icon, default page, the permission it needs (None = every signed-in account)
PAGES = {
    "section_progress": [
        ("overview", ":material/dashboard:", True, None),
        ("map", ":material/map:", False, None),
        ("dynamics", ":material/swap_vert:", False, None),
        ("monitoring", ":material/monitor_heart:", False, None),
        ("department_warnings", ":material/notification_important:", False, None),
        ("funds", ":material/payments:", False, None),
    ],
    "section_checks": [
        ("village_exit", ":material/holiday_village:", False, None),
        ("household_checks", ":material/home:", False, None),
        ("report", ":material/description:", False, None),
        ("archive", ":material/inventory_2:", False, None),
    ],
    "section_data": [
        ("data_import", ":material/upload_file:", False, "import"),
        ("data_quality", ":material/fact_check:", False, None),
        ("admin", ":material/admin_panel_settings:", False, "manage"),
    ],
}

PAGE_NAMES = [name for pages in PAGES.values() for name, *_ in pages]
