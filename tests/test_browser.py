"""End to end: a real `streamlit run` server, a real browser (Debian's headless Chromium)."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.conftest import ROOT
from tests.support import streamlit_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "screenshots"

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser test (scripts/test.sh installs it)")
    pytest.skip("chromium is not installed (scripts/test.sh installs it)", allow_module_level=True)


PASSWORD = "browser-test-password"


@pytest.fixture(scope="module")
def server(tiny_db_path, tmp_path_factory):
    from access import Store

    accounts = tmp_path_factory.mktemp("accounts") / "accounts.sqlite"
    Store(accounts).add("leader", PASSWORD, "leader", "430101000000", display_name="县扶贫办")
    with streamlit_server({"TUOPIN_DB": str(tiny_db_path), "TUOPIN_ACCOUNTS": str(accounts)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


def sign_in(page, username: str = "leader", password: str = PASSWORD) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_overview_in_a_real_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.goto(server)
    sign_in(page)
    metric = page.get_by_test_id("stMetric").filter(has_text="建档立卡（现有）")
    metric.wait_for(timeout=30_000)
    assert "4户10人" in metric.inner_text()
    assert "0.12%" in page.get_by_test_id("stMetric").filter(has_text="贫困发生率").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

    # switching the language relabels the chosen values too, not only the widgets' titles
    # (Streamlit's frontend kept showing "2019年第4季度末" under "As of": ui/state.py)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="English").click()
    page.get_by_test_id("stMetric").filter(has_text="Registered (current)").wait_for(timeout=30_000)
    expect = {"As of": "Q4 2019 end (2019-12-31)", "Township": "All townships", "Village exit rules": "Hunan"}
    deadline = time.monotonic() + 20
    while (shown := {label: sidebar.get_by_role("combobox", name=label, exact=True).input_value()
                     for label in expect}) != expect and time.monotonic() < deadline:
        time.sleep(0.3)
    assert shown == expect
    page.screenshot(path=str(SCREENSHOTS / "overview_en.png"), full_page=True)

    # /overview reaches the overview (it lives at /), not Streamlit's "Page not found" dialog
    page.goto(f"{server}/overview?lang=zh")
    tile = page.get_by_test_id("stMetric").filter(has_text="建档立卡（现有）")
    tile.or_(page.get_by_label("用户名")).first.wait_for(timeout=30_000)
    if not tile.count():
        sign_in(page)
    tile.wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("heading", name="总览", exact=True).count() == 1
    assert page.url.startswith(f"{server}/?")
    page.close()


def test_the_overview_prints_on_a4(server, browser):
    """ui/print.css: printed (an A4 page's width, print media), the overview shows no sidebar, toolbar or
    control, its tiles two a row, whole, and its charts across the page."""
    from tests.test_pdf import pages_text

    page = browser.new_page(viewport={"width": 794, "height": 1123}, locale="zh-CN",  # A4 at 96 dpi
                            accept_downloads=True)
    page.goto(server)
    sign_in(page)
    page.get_by_test_id("stMetric").filter(has_text="建档立卡（现有）").wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert page.get_by_test_id("stDownloadButton").first.is_visible()  # on screen, the controls are there
    # the PDF download, made by the server when clicked (outside the page's run)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载 PDF（打印用）").click()
    assert download.value.suggested_filename == "总览_2019-12-31.pdf"
    texts = pages_text(open(download.value.path(), "rb").read())
    assert "区域：小试县（430101000000）" in texts[0] and "数据包：tiny" in texts[0] and "4户10人" in texts[0]
    assert f"第1页/共{len(texts)}页" in texts[0]
    page.emulate_media(media="print")
    page.wait_for_timeout(1_000)  # the charts follow their container's new width
    hidden = ("stSidebar", "stHeader", "stToolbar", "stDownloadButton", "stPageLink", "stSelectbox")
    shown = {name: page.get_by_test_id(name).evaluate_all("els => els.filter(e => e.offsetParent !== null).length")
             for name in hidden}
    assert shown == dict.fromkeys(hidden, 0)
    main = page.get_by_test_id("stMainBlockContainer").bounding_box()
    tiles = [m.bounding_box() for m in page.get_by_test_id("stMetric").all()]
    assert len(tiles) >= 8  # 4 headline tiles, 4 red flags (tiny: no monitoring, no department records)
    rows: dict[int, int] = {}
    for box in tiles:
        rows[round(box["y"])] = rows.get(round(box["y"]), 0) + 1
        assert main["x"] - 1 <= box["x"] and box["x"] + box["width"] <= main["x"] + main["width"] + 1
    assert max(rows.values()) == 2  # two a row, not four squeezed
    clipped = page.get_by_test_id("stMetricValue").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
    assert clipped == []
    charts = [c.bounding_box() for c in page.get_by_test_id("stPlotlyChart").all()]
    assert charts and all(box["width"] >= 0.9 * main["width"] for box in charts)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview_print.png"), full_page=True)
    page.close()


# ---- the demo county: drill from the map into a village, then the report-back downloads --------

DEMO_AS_OF = "2020-12-31"


@pytest.fixture(scope="module")
def demo_server(demo_db_path, tmp_path_factory):
    from access import Store

    accounts = tmp_path_factory.mktemp("demo_accounts") / "accounts.sqlite"
    Store(accounts).add("leader", PASSWORD, "leader", "430000000000", display_name="县扶贫办")
    with streamlit_server({"TUOPIN_DB": str(demo_db_path), "TUOPIN_ACCOUNTS": str(accounts)}) as url:
        yield url


def wait_idle(page, quiet_s: float = 0.6, timeout_s: float = 90) -> None:
    """Until the app has finished its rerun: no running indicator, no stale element, for quiet_s."""
    page.wait_for_function(
        """([quiet]) => {
            const busy = document.querySelector('[data-testid="stStatusWidget"]')
                      || document.querySelector('[data-stale="true"]');
            const now = performance.now();
            if (busy || !window.__idleSince) { window.__idleSince = busy ? null : now; return false; }
            return now - window.__idleSince > quiet;
        }""",
        arg=[quiet_s * 1000], timeout=timeout_s * 1000, polling=100,
    )


def url_param(page, name: str) -> str | None:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(page.url).query).get(name, [None])[0]


def url_region(page) -> str | None:
    return url_param(page, "region")


def click_map_at(page, lon: float, lat: float) -> None:
    """Click the map where a longitude/latitude is drawn (plotly's map subplot projects it)."""
    x, y = page.evaluate(
        """([lon, lat]) => { const g = document.querySelector('.js-plotly-plot');
            const m = g._fullLayout.map._subplot.map; const p = m.project([lon, lat]);
            const r = m.getCanvas().getBoundingClientRect(); return [r.x + p.x, r.y + p.y]; }""",
        [lon, lat],
    )
    page.mouse.move(x, y)
    page.wait_for_timeout(500)
    page.mouse.click(x, y)


def test_drill_from_the_map_into_a_village_and_download_the_report(demo_server, browser, demo_db_path, tmp_path):
    import docx
    import openpyxl
    from playwright.sync_api import expect

    from queries import Database

    with Database(demo_db_path) as db:
        townships = db.query("boundaries", level="乡镇", region="439901000000")
        township = townships.iloc[3]
        villages = db.query("boundaries", level="村", region=township.region_code)
        village = villages.iloc[1]
        county = db.query("registry_summary", as_of=DEMO_AS_OF, region="439901000000").iloc[0]
        figures = db.query("registry_summary", as_of=DEMO_AS_OF, region=village.region_code).iloc[0]
        heads = set(db.connection.execute(
            "select head_name from households where village_code = ? and length(head_name) >= 2",
            [village.region_code]).fetchall())
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)

    # a deep link survives signing in
    page.goto(f"{demo_server}/village_exit?as_of={DEMO_AS_OF}&region={township.region_code}")
    sign_in(page)
    page.get_by_role("heading", name="出列核查", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    assert url_region(page) == township.region_code

    # the overview of the county, with the figures of the registry; the breadcrumb is clicked on the overview
    # once it is drawn (出列核查 shows the same breadcrumb: clicked there, it drew 出列核查 for the county)
    page.get_by_role("link", name="总览").click()
    page.get_by_role("heading", name="总览", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="演示县（演示数据） ›").click()
    tile = page.get_by_test_id("stMetric").filter(has_text="建档立卡（现有）")
    expect(tile).to_contain_text(f"{county.households_registered:,}户{county.people_registered:,}人", timeout=60_000)
    wait_idle(page)
    page.screenshot(path=str(SCREENSHOTS / "demo_overview.png"), full_page=True)

    # the map: click a township, then one of its villages; the region picker follows
    page.get_by_role("link", name="地图").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_idle(page)
    # every township's name drawn on the map (a MapLibre text layer, drawn with the browser's own font)
    page.wait_for_function(
        """(names) => { const g = document.querySelector('.js-plotly-plot');
            const m = g && g._fullLayout.map && g._fullLayout.map._subplot.map;
            if (!m) return false;
            const shown = new Set(m.queryRenderedFeatures().filter(f => f.layer.type === 'symbol')
                                   .map(f => f.properties.text || f.layer.layout['text-field']));
            return names.every(n => [...shown].some(s => String(s).includes(n))); }""",
        arg=list(townships.region_name), timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "demo_map.png"), full_page=True)
    click_map_at(page, township.centroid_lon, township.centroid_lat)
    page.wait_for_function(f"() => location.search.includes('region={township.region_code}')", timeout=60_000)
    wait_idle(page)
    assert township.region_name in page.get_by_test_id("stMain").inner_text()  # the breadcrumb
    assert page.get_by_test_id("stSidebar").get_by_text("村", exact=True).count() == 1  # the picker's 村 level
    click_map_at(page, village.centroid_lon, village.centroid_lat)
    page.wait_for_function(f"() => location.search.includes('region={village.region_code}')", timeout=60_000)
    wait_idle(page)
    assert url_param(page, "as_of") == DEMO_AS_OF  # the deep link's date, through every page and click

    # the village's profile, households masked
    page.get_by_role("link", name="出列核查").click()
    page.get_by_role("heading", name="出列核查", exact=True).wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)  # the village's households
    wait_idle(page)
    assert url_param(page, "as_of") == DEMO_AS_OF
    text = page.locator("body").inner_text()
    assert village.region_name in text
    assert not [name for (name,) in heads if name in text]  # no full name of the village's heads
    page.screenshot(path=str(SCREENSHOTS / "demo_village.png"), full_page=True)

    # the report-back for the village: the page's figures, the .docx and the .xlsx agree
    page.get_by_role("link", name="汇报材料").click()
    page.get_by_role("heading", name="汇报材料", exact=True).wait_for()
    page.get_by_role("button", name="下载 Word（.docx）").wait_for(timeout=60_000)
    wait_idle(page)
    households = f"{figures.households_registered:,}户{figures.people_registered:,}人"
    expect(page.get_by_test_id("stMain")).to_contain_text(households, timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "demo_report.png"), full_page=True)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载 Word（.docx）").click()
    docx_path = tmp_path / download.value.suggested_filename
    download.value.save_as(docx_path)
    assert docx_path.name == f"汇报材料_{village.region_name}_{DEMO_AS_OF}.docx"
    document = docx.Document(str(docx_path))
    paragraphs = [p.text for p in document.paragraphs]
    assert village.region_name in paragraphs[1] and DEMO_AS_OF in paragraphs[1]  # the filters, first line
    assert households in "\n".join(paragraphs)
    # the click is audited by a rerun of the page (ui/charts.export_button): the next button is clicked on
    # the page that rerun draws, as a user clicks it, not on the one it is replacing
    wait_idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载 Excel（.xlsx）").click()
    xlsx_path = tmp_path / download.value.suggested_filename
    download.value.save_as(xlsx_path)
    book = openpyxl.load_workbook(xlsx_path)
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None}
    assert any(village.region_name in c and DEMO_AS_OF in c for c in cells)
    assert {str(figures.households_registered), str(figures.people_registered)} <= cells
    assert outside == []  # nothing fetched from the internet
    page.close()


# ---- every page readable on a projector, a laptop, a desktop and a phone (ui/screen.css) ----------
# The demo county's figures ("14,667户47,220人") at 1024×768, 1366×768, 1920×1080 and 390 px: no tile label,
# value or delta cut off or ellipsised, a Chinese value on one line (no "人" alone on the next), no HTML
# table header cut, and a grid scrolling sideways headed by its hint (ui/tables.wide_hint). One load per
# page and size; a screenshot of each in tests/screenshots/layout_<page>_<width>.png.

SCREENS = [(1024, 768), (1366, 768), (1920, 1080), (390, 844)]

LAYOUT_PROBLEMS_JS = """([valueLines, phone]) => {
    // every text of the page's tiles and HTML table headers, and every grid, checked as drawn
    const problems = [];
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const lines = (el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return new Set([...range.getClientRects()].filter(r => r.width > 0.5).map(r => Math.round(r.bottom))).size;
    };
    const cut = (el) => el.scrollWidth > el.clientWidth + 1
        || (getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth);
    const check = (el, what, most) => {
        if (!visible(el)) return;
        const text = el.innerText.trim();
        for (const part of [el, ...el.querySelectorAll('*')]) {
            if (cut(part)) { problems.push(`${what} cut: ${text}`); return; }
        }
        const n = lines(el);
        if (n > most) problems.push(`${what} on ${n} lines (at most ${most}): ${text}`);
    };
    const main = document.querySelector('[data-testid="stMain"]');
    for (const tile of main.querySelectorAll('[data-testid="stMetric"]')) {
        const label = tile.querySelector('[data-testid="stMetricLabel"]');
        const value = tile.querySelector('[data-testid="stMetricValue"]');
        const delta = tile.querySelector('[data-testid="stMetricDelta"]');
        if (label) check(label, 'tile label', 3);
        if (value) check(value, 'tile value', valueLines);
        if (delta) check(delta, 'tile delta', 4);
        if (tile.scrollWidth > tile.clientWidth + 1) problems.push(`tile wider than its box: ${tile.innerText}`);
    }
    for (const th of main.querySelectorAll('th')) {
        if (!th.closest('[data-testid="stDataFrame"]')) check(th, 'table header', 3);
    }
    // a grid scrolling sideways says so above it (ui/tables.wide_hint)
    for (const frame of main.querySelectorAll('[data-testid="stDataFrame"]')) {
        const scroller = frame.querySelector('.dvn-scroller');
        if (!visible(frame) || !scroller || scroller.scrollWidth <= scroller.clientWidth + 4) continue;  // a grid sized to its columns can be 2 px over
        const box = frame.closest('[class*="st-key-wide"]');
        const hint = box && box.querySelector('[data-testid="stCaptionContainer"]');
        if (!hint || !visible(hint)) {
            const header = [...frame.querySelectorAll('th')].map(th => th.innerText).slice(0, 3).join(' | ');
            problems.push(`grid cut on the right with no hint (${scroller.scrollWidth} > ${scroller.clientWidth}): ${header}`);
        }
    }
    // on a phone, no chart toolbar (plotly's, shown on a tap; Streamlit's) lies over the chart's legend
    for (const chart of phone ? main.querySelectorAll('.stPlotlyChart') : []) {
        const legend = chart.querySelector('.legend');
        if (!legend || !visible(legend)) continue;
        const l = legend.getBoundingClientRect();
        const box = chart.closest('[data-testid="stElementContainer"]') || chart;
        for (const bar of box.querySelectorAll('.modebar, [data-testid="stElementToolbar"]')) {
            const r = bar.getBoundingClientRect();
            if (visible(bar) && r.width > 0 && r.left < l.right && r.right > l.left && r.top < l.bottom && r.bottom > l.top) {
                problems.push(`chart toolbar over the legend: ${legend.textContent}`);
            }
        }
    }
    return problems;
}"""


def test_every_page_reads_cleanly_on_projector_laptop_desktop_and_phone(demo_server, browser):
    from ui.i18n import translate
    from ui.navigation import PAGES

    names = [name for pages in PAGES.values() for name, _icon, _default, permission in pages if permission is None]
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    found = {}
    for name in names:  # each page opened from the navigation; the sizes by resizing the window, as a user would
        page.set_viewport_size({"width": SCREENS[0][0], "height": SCREENS[0][1]})
        heading = page.get_by_role("heading", name=translate("zh", "page_" + name), exact=True)
        if name == names[0]:  # the one page load: the default page, at the root
            page.goto(f"{demo_server}/?as_of={DEMO_AS_OF}")
            heading.or_(page.get_by_label("用户名")).first.wait_for(timeout=60_000)
            if not heading.count():
                sign_in(page)
            heading.wait_for(timeout=60_000)
            wait_idle(page)
        else:
            page.set_viewport_size({"width": 1400, "height": 900})  # the navigation shows in the sidebar
            open_in_app(page, translate("zh", "page_" + name))
        assert page.get_by_test_id("stException").count() == 0, name
        assert page.get_by_test_id("stException").count() == 0, name
        if name == "village_exit":  # a multiselect's own "Select all" reads in Chinese (dashboard.py)
            page.get_by_test_id("stMultiSelect").first.click()
            select_all = page.locator('[role="option"][data-key="__select_all__"] > div')
            select_all.wait_for(timeout=10_000)
            assert select_all.evaluate("(d) => getComputedStyle(d, '::after').content") == '"全选"'
            assert select_all.evaluate("(d) => getComputedStyle(d).fontSize") == "0px"  # "Select all" not shown
            page.keyboard.press("Escape")
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(400)  # grids and charts follow the window's size
            problems = page.evaluate(LAYOUT_PROBLEMS_JS, [1, width < 640])
            page.screenshot(path=str(SCREENSHOTS / f"layout_{name}_{width}.png"))
            if problems:
                found[f"{name} at {width}×{height}"] = problems
    page.close()
    assert found == {}
    assert len(names) >= 10  # every page an account without special permissions opens


# ---- hostile text and grid downloads (tests/hostile.py) ----------------------------------------
# Names carrying markdown links and images, raw HTML, javascript: links and bare URLs are shown as
# text (no link, no image, nothing fetched); no grid offers its toolbar's CSV download: not to a viewer
# (who may not export at all), not to an administrator looking at unmasked names and ID numbers.

HOSTILE_COUNTY, HOSTILE_JIA, HOSTILE_YICUN = "430101000000", "430101100000", "430101100001"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from access import Store
    from etl.load import load_package
    from tests.hostile import make_hostile_package

    folder = tmp_path_factory.mktemp("hostile_browser")
    load_package(make_hostile_package(folder / "package"), folder / "hostile.duckdb")
    accounts = folder / "accounts.sqlite"
    Store(accounts).add("viewer", PASSWORD, "viewer", HOSTILE_COUNTY)
    Store(accounts).add("admin", PASSWORD, "admin", HOSTILE_COUNTY)
    with streamlit_server({"TUOPIN_DB": str(folder / "hostile.duckdb"), "TUOPIN_ACCOUNTS": str(accounts)}) as url:
        yield url


def guarded_page(browser, server: str):
    """A page that refuses (and records) every request leaving the server, and records downloads."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page.outside, page.downloads = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith((server, "data:", "blob:")):
            request_route.continue_()
        else:
            page.outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("download", lambda d: page.downloads.append(d.suggested_filename))
    return page


LIVE_LINKS_JS = """() => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            if (['href', 'xlink:href', 'src', 'srcset', 'action', 'formaction', 'poster'].includes(name)
                && /evil\\.example|^\\s*javascript:/i.test(attr.value)) {
                found.push(el.tagName + ' ' + name + '=' + attr.value);
            }
        }
        if (el.tagName === 'SCRIPT' && /alert\\(/.test(el.textContent)) found.push('script ' + el.textContent);
    }
    return found;
}"""


def grid_toolbar_buttons(page, grid) -> list[str]:
    """The labels of a grid's toolbar buttons (the toolbar shows while the pointer is over the grid)."""
    grid.scroll_into_view_if_needed()
    grid.hover()
    toolbar = grid.get_by_test_id("stElementToolbar")
    toolbar.wait_for(timeout=10_000)
    toolbar.get_by_role("button").first.wait_for(timeout=10_000)
    return [b.get_attribute("aria-label") or b.inner_text() for b in toolbar.get_by_role("button").all()]


def test_a_viewers_grids_offer_no_download(hostile_server, browser):
    page = guarded_page(browser, hostile_server)
    page.goto(f"{hostile_server}/village_exit?region={HOSTILE_YICUN}")
    sign_in(page, "viewer")
    page.get_by_role("heading", name="出列核查", exact=True).wait_for(timeout=60_000)
    page.get_by_test_id("stDataFrame").last.wait_for(timeout=60_000)
    wait_idle(page)
    grids = page.get_by_test_id("stDataFrame").all()
    assert len(grids) >= 2  # the criteria, projects and households of 一村
    for grid in grids:
        labels = grid_toolbar_buttons(page, grid)
        assert any("Search" in label or "Fullscreen" in label for label in labels), labels  # the toolbar is there
        assert not any("Download" in label or "下载" in label for label in labels), labels
    # the keyboard cannot copy a grid out either, and no download happened on the way
    households = grids[-1]
    households.click(position={"x": 60, "y": 50})
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+c")
    page.wait_for_timeout(500)
    assert page.downloads == []
    # the audited export refuses the viewer: no download button anywhere, the reason instead
    assert page.get_by_test_id("stDownloadButton").count() == 0
    assert page.get_by_text("当前账号无导出权限。").count() >= 1
    assert page.outside == []
    page.close()


def test_a_server_started_with_grid_downloads_on_still_offers_none(tmp_path_factory, browser):
    """A deployment whose config turns the toolbar download back on (here by Streamlit's environment
    variable, which overrides .streamlit/config.toml): ui/tables.grid switches it off before a grid."""
    from access import Store
    from etl.load import load_package
    from tests.hostile import make_hostile_package

    folder = tmp_path_factory.mktemp("hostile_export_on")
    load_package(make_hostile_package(folder / "package"), folder / "hostile.duckdb")
    Store(folder / "accounts.sqlite").add("viewer", PASSWORD, "viewer", HOSTILE_COUNTY)
    with streamlit_server({"TUOPIN_DB": str(folder / "hostile.duckdb"),
                           "TUOPIN_ACCOUNTS": str(folder / "accounts.sqlite"),
                           "STREAMLIT_CLIENT_DISABLE_DATA_EXPORT": "false"}) as url:
        page = guarded_page(browser, url)
        page.goto(f"{url}/village_exit?region={HOSTILE_YICUN}")
        sign_in(page, "viewer")
        page.get_by_test_id("stDataFrame").last.wait_for(timeout=60_000)
        wait_idle(page)
        labels = grid_toolbar_buttons(page, page.get_by_test_id("stDataFrame").last)
        assert any("Search" in label for label in labels), labels
        assert not any("Download" in label for label in labels), labels
        page.close()


def test_an_administrators_unmasked_households_have_no_toolbar_download(hostile_server, browser):
    from tests.hostile import FORMULA

    page = guarded_page(browser, hostile_server)
    page.goto(f"{hostile_server}/village_exit?region={HOSTILE_YICUN}")
    sign_in(page, "admin")
    page.get_by_role("heading", name="出列核查", exact=True).wait_for(timeout=60_000)
    page.get_by_text("显示户主姓名和证件号").click()
    wait_idle(page)
    households = page.get_by_test_id("stDataFrame").last
    labels = grid_toolbar_buttons(page, households)
    assert not any("Download" in label or "下载" in label for label in labels), labels
    # the audited download under it stays masked, its formula neutralised
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").last.get_by_role("button").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert FORMULA not in text.replace("'" + FORMULA, "")  # only the neutralised form, if any
    assert "430101196505050011" not in text
    assert page.evaluate(LIVE_LINKS_JS) == []
    assert page.outside == []
    page.close()


def open_signed_in(page, url: str, heading: str) -> None:
    """Go to an address; sign in when the session asks for it; wait until the page's heading shows."""
    page.goto(url)
    wanted = page.get_by_role("heading", name=heading, exact=True)
    wanted.or_(page.get_by_label("用户名")).first.wait_for(timeout=60_000)
    if not wanted.count():
        sign_in(page, "admin")
    wanted.wait_for(timeout=60_000)
    wait_idle(page)


def open_in_app(page, heading: str) -> None:
    """Open a page from the sidebar's navigation, in the same session (no page load, no new sign-in, the
    view's region and date kept); wait until its heading shows."""
    page.get_by_test_id("stSidebarNavLink").filter(has=page.get_by_text(heading, exact=True)).click()
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    wait_idle(page)


def test_hostile_names_and_link_values_stay_text_in_the_browser(hostile_server, browser):
    from tests.hostile import NAMES
    from ui.i18n import translate
    from ui.navigation import PAGE_NAMES

    page = guarded_page(browser, hostile_server)
    hostile = "**x** [链接登录](http://evil.example/login) ![t](http://evil.example/t.png)"
    page.goto(f"{hostile_server}/?rules={hostile}&region={hostile}&lang=<b>x</b>")
    sign_in(page, "admin")
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    shown = main.inner_text().replace("\u2060", "")  # the word joiners that stop autolinks (ui/plain.md)
    assert "链接登录" not in shown  # the link parameter is refused, not repeated
    assert page.evaluate(LIVE_LINKS_JS) == []
    # the names, as text: breadcrumb and the red-flag caption of the overview
    assert NAMES[HOSTILE_COUNTY] in shown
    # the region picker's options are plain text too
    # the sidebar's selectboxes: language, as-of date, comparison, then the first region picker
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(3).click()
    page.get_by_role("option").first.wait_for()
    assert NAMES[HOSTILE_JIA] in " ".join(page.get_by_role("option").all_inner_texts())
    assert page.evaluate(LIVE_LINKS_JS) == []
    page.keyboard.press("Escape")

    # every page at the county, opened from the navigation as a user does (one session); the map and the
    # village pages further down, each from its address
    open_signed_in(page, f"{hostile_server}/?region={HOSTILE_COUNTY}", translate("zh", "page_overview"))
    for name in PAGE_NAMES:
        if name != "overview":
            open_in_app(page, translate("zh", "page_" + name))
            assert url_region(page) in (None, HOSTILE_COUNTY), name  # still the county
            assert page.get_by_test_id("stException").count() == 0, name
            assert page.evaluate(LIVE_LINKS_JS) == [], name
    views = [("map", HOSTILE_JIA), ("map", HOSTILE_YICUN), ("village_exit", HOSTILE_JIA),
             ("village_exit", HOSTILE_YICUN), ("household_checks", HOSTILE_YICUN), ("report", HOSTILE_YICUN)]
    for name, region in views:
        open_signed_in(page, f"{hostile_server}/{name}?region={region}", translate("zh", "page_" + name))
        assert page.get_by_test_id("stException").count() == 0, (name, region)
        assert page.evaluate(LIVE_LINKS_JS) == [], (name, region)

    # the map's hover: the township's name, tag and all, as text
    open_signed_in(page, f"{hostile_server}/map?region={HOSTILE_COUNTY}", "地图")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    x, y = page.evaluate(
        """() => { const g = document.querySelector('.js-plotly-plot');
            const m = g._fullLayout.map._subplot.map; const p = m.project([112.925, 28.225]);
            const r = m.getCanvas().getBoundingClientRect(); return [r.x + p.x, r.y + p.y]; }""")
    page.mouse.move(x, y)
    hover = page.locator(".hoverlayer")
    expect_text = NAMES[HOSTILE_JIA]
    page.wait_for_function("(t) => document.querySelector('.hoverlayer') && "
                           "document.querySelector('.hoverlayer').textContent.includes(t)",
                           arg=expect_text[:8], timeout=20_000)
    assert expect_text in hover.first.text_content()
    assert page.evaluate(LIVE_LINKS_JS) == []
    assert page.outside == []
    page.close()
