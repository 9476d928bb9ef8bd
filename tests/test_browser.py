"""Browser: real Chromium against the production server (waitress), looking at what a person sees."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser_support import (FOCUS_STYLE_JS, ROOT, contrast,
                                   serve, wait_until)


from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from archive import Archive  # noqa: E402
from index import rebuild_index  # noqa: E402
from ingest import ingest_paths  # noqa: E402

ITEM = "/m/kungsbacka/val/2026-08-31/p27"
MEETING = "/m/kungsbacka/val/2026-08-31"
SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
HOSTILE = ('<script>window.__pwned=1</script>', '"><img src=x onerror="window.__pwned=2">')


@pytest.fixture(scope="session")
def server(built_dir):
    with serve(built_dir) as base:
        yield base


@pytest.fixture
def open_page(browser, server):
    """open_page(path, **context_options) → a page in a fresh context; records console errors."""
    contexts = []

    def _open(path=None, base=server, **options):
        context = browser.new_context(**{"viewport": VIEWPORT, "locale": "sv-SE",
                                         "base_url": base, **options})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        if path is not None:
            page.goto(path)
        return page

    yield _open
    for context in contexts:
        context.close()


def count_of(page) -> int:
    return int(re.search(r"(\d+) träff", page.locator("#antal").inner_text()).group(1))


def mark_document(page) -> None:
    """Tag the loaded document, so a later check can tell an htmx swap from a full reload."""
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


# --- search -------------------------------------------------------------------------------
def test_active_search_as_you_type(open_page):
    """Typing in the box (no Enter) shows results in place and puts /sok?q=… in the address bar."""
    page = open_page("/")
    mark_document(page)
    page.locator("#q").press_sequentially("valnämnden", delay=20)
    expect(page).to_have_url(re.compile(r"/sok\?q=valn%C3%A4mnden$"))
    expect(page.locator("#antal")).to_contain_text("träffar för ”valnämnden”")
    assert count_of(page) > 1
    expect(page.locator(".hit h2 a", has_text="Sammanträdesdagar 2027")).to_be_visible()
    expect(page).to_have_title(re.compile("^valnämnden – sökning i Paragraf"))
    assert same_document(page), "the results should arrive by htmx, not a page load"
    assert page.locator("#q").evaluate("el => el === document.activeElement"), \
        "typing must keep focus in the search box"
    assert not page.errors


def test_result_count_is_announced(open_page):
    """A live region that exists before the search announces the number of hits after it."""
    page = open_page("/")
    before = page.locator("[aria-live], [role=status], [role=alert]").element_handles()
    page.locator("#q").press_sequentially("valnämnden", delay=20)
    expect(page.locator("#antal")).to_contain_text("träffar")

    def announced():
        texts = [h.evaluate("el => el.isConnected ? el.textContent : ''") for h in before]
        return [t for t in texts if re.search(r"\d+ träffar för ”valnämnden”", t)]
    assert wait_until(announced), "no live region present before the search says the count"


def test_facet_narrows_results_and_updates_url(open_page):
    """Choosing the 'Typ: Kallelse' facet narrows the count and puts kind=kallelse in the URL."""
    page = open_page("/sok?q=beslut")
    mark_document(page)
    total = count_of(page)
    facet = page.locator("section.facet", has=page.get_by_role("heading", name="Typ"))
    facet.get_by_role("link", name=re.compile("^Kallelse")).click()
    expect(page).to_have_url(re.compile(r"/sok\?q=beslut&kind=kallelse$"))
    expect(page.locator("#antal")).not_to_have_text(re.compile(rf"^\s*{total} träffar"))
    assert 0 < count_of(page) < total
    chosen = page.locator("section.facet", has=page.get_by_role("heading", name="Typ"))
    expect(chosen.locator("a[aria-current=true]")).to_contain_text("Kallelse")
    assert same_document(page)


def test_facet_by_keyboard_keeps_focus_in_results(open_page):
    """Choosing a facet with Enter leaves focus on the new results, not lost to the page body."""
    page = open_page("/sok?q=beslut")
    page.locator("section.facet a", has_text="Kallelse").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("kind=kallelse"))
    expect(page.locator("#resultat :focus"), "focus was lost to the page body").to_have_count(1)
    expect(page.locator("#antal")).to_contain_text("för ”beslut”")


def test_back_button_restores_previous_search(open_page):
    """Back after a facet restores the previous URL, result count and search box text."""
    page = open_page("/")
    page.locator("#q").press_sequentially("beslut", delay=20)
    expect(page).to_have_url(re.compile(r"/sok\?q=beslut$"))
    expect(page.locator("#antal")).to_contain_text("för ”beslut”")
    total = count_of(page)
    page.locator("section.facet a", has_text="Kallelse").click()
    expect(page).to_have_url(re.compile("kind=kallelse"))
    expect(page.locator("#antal")).not_to_have_text(re.compile(rf"^\s*{total} "))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/sok\?q=beslut$"))
    expect(page.locator("#antal")).to_have_text(re.compile(rf"^\s*{total} träffar för ”beslut”"))
    expect(page.locator("#q")).to_have_value("beslut")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Sök i protokoll"))
    expect(page.locator("#q")).to_have_value("")


def test_back_button_works_when_the_history_cache_misses(open_page):
    """Back still shows a whole page (header, box, results) when htmx's history cache is empty."""
    page = open_page("/sok?q=beslut")
    total = count_of(page)
    page.locator("section.facet a", has_text="Kallelse").click()
    expect(page).to_have_url(re.compile("kind=kallelse"))
    page.evaluate("localStorage.clear()")   # private windows, full storage, > historyCacheSize
    page.go_back()
    expect(page).to_have_url(re.compile(r"/sok\?q=beslut$"))
    expect(page.locator("#antal")).to_have_text(re.compile(rf"^\s*{total} träffar"))
    expect(page.locator("header.site form[role=search] #q")).to_have_value("beslut")
    expect(page.locator("footer.site")).to_be_visible()


def test_unparsable_query_is_explained_while_typing(open_page):
    """A half-typed phrase shows the Swedish explanation in place; closing it shows results."""
    page = open_page("/")
    page.locator("#q").press_sequentially('"sammanträdesdagar 2027', delay=20)
    expect(page.get_by_role("alert")).to_contain_text("citattecken")
    expect(page).to_have_title(re.compile("sammanträdesdagar 2027 – sökning i Paragraf"))
    page.locator("#q").press_sequentially('"', delay=20)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator(".hit h2 a", has_text="Sammanträdesdagar 2027")).to_be_visible()
    assert [e for e in page.errors if "status of 400" not in e] == []


def test_search_without_javascript(open_page):
    """With JavaScript off, submitting the form loads a results page."""
    page = open_page("/", java_script_enabled=False)
    page.locator("#q").fill("valnämnden")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/sok\?q=valn%C3%A4mnden$"))
    expect(page.locator("#antal")).to_contain_text("träffar för ”valnämnden”")
    assert page.locator(".hit").count() > 1
    page.locator("section.facet a", has_text="Protokoll").click()
    expect(page).to_have_url(re.compile("kind=protokoll"))


def test_search_box_on_other_pages_submits_without_errors(open_page):
    """On an item page, typing in the box raises no script errors and Enter runs the search."""
    page = open_page(ITEM)
    page.locator("#q").press_sequentially("valsedlar", delay=20)
    page.wait_for_timeout(600)   # longer than the active search's 350 ms delay
    assert not page.errors
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/sok\?q=valsedlar$"))
    expect(page.locator("#antal")).to_contain_text("för ”valsedlar”")


# --- item pages ---------------------------------------------------------------------------
def test_item_permalink_shows_title_paragraph_and_decision(open_page):
    """A permalink opens the item: § and title in the heading, and the decision."""
    page = open_page(ITEM)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("§ 27")
    expect(heading).to_contain_text("Sammanträdesdagar 2027 för valnämnden")
    decision = page.locator("section.decision")
    expect(decision.get_by_role("heading", name="Beslut")).to_be_visible()
    expect(decision.locator("p")).to_contain_text("Valnämnden beslutar")
    assert not page.errors


def test_item_from_search_marks_words_and_scrolls_to_first(open_page):
    """Arriving with ?q=, the words are marked and the first mark is scrolled into view."""
    page = open_page(ITEM + "?q=valsamordnare", viewport={"width": 1000, "height": 500})
    first = page.locator("mark#traff-1")
    expect(first).to_have_text(re.compile("valsamordnare", re.IGNORECASE))
    expect(page.locator(".marks")).to_contain_text("1 markerat ord")   # refs #17: singular
    expect(first).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0, "the mark was already on screen; test proves nothing"


def test_item_from_search_stays_at_heading_when_mark_is_visible(open_page):
    """When the first mark is on screen anyway, the page does not scroll the heading away."""
    page = open_page(ITEM + "?q=valnämnden")
    expect(page.locator("mark#traff-1")).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0


def test_copy_link_button_copies_permalink(open_page, server):
    """'Kopiera länk' puts the item's permanent link on the clipboard and says so."""
    page = open_page(ITEM, permissions=["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Kopiera länk").click()
    expect(page.locator(".copied")).to_have_text("Länken är kopierad.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == server + ITEM == page.locator("#permalank").input_value()


def test_permalink_is_plain_text_without_javascript(open_page, server):
    """With JavaScript off, the link is shown in a readonly box and the copy button is hidden."""
    page = open_page(ITEM, java_script_enabled=False)
    box = page.get_by_label("Permanent länk")
    expect(box).to_be_visible()
    expect(box).to_have_value(server + ITEM)
    expect(box).not_to_be_editable()
    expect(page.get_by_role("button", name="Kopiera länk")).to_be_hidden()


# --- keyboard and focus -------------------------------------------------------------------
def test_skip_link_is_first_and_moves_focus_to_main(open_page):
    """The first Tab reaches a visible 'Hoppa till innehållet', and Enter moves focus to main."""
    page = open_page("/sok?q=valnämnden")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Hoppa till innehållet")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#innehall")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')"), \
        "the next Tab after the skip link should stay inside main"


def test_focus_is_visible_on_every_control(open_page):
    """Each control reached by Tab has an outline of >= 2 px with >= 3:1 contrast to its surround."""
    page = open_page("/sok?q=valnämnden")
    seen = []
    for _ in range(24):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE_JS)
        if focus["inUserAgentPart"]:
            continue   # a date field's calendar button: Chromium draws that ring itself
        seen.append(focus["tag"])
        where = f"{focus['tag']} {focus['text']!r}"
        assert focus["visible"], f"{where} has focus but is not on screen"
        assert focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2, where
        for background in focus["backgrounds"]:
            ratio = contrast(focus["outlineColor"], background)
            assert ratio >= 3, f"{where}: outline {focus['outlineColor']} on {background} " \
                               f"has contrast {ratio:.2f}:1"
    assert {"a", "input", "button", "select"} <= set(seen), seen


# --- accessibility (axe-core) -------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/", "/sok?q=valn%C3%A4mnden", "/sok?q=zzzxyq", ITEM + "?q=valsamordnare", MEETING,
    "document", "/finns/inte", "/m/kungsbacka", "/m/kungsbacka/ks",
])
def test_axe_finds_no_violations(open_page, path):
    """axe-core reports no accessibility violations on the page."""
    page = open_page(MEETING if path == "document" else path)
    if path == "document":
        page.locator("ul.docs a[href^='/d/']").first.click()
        expect(page).to_have_url(re.compile(r"/d/[0-9a-f]+$"))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_axe_finds_no_violations_after_htmx_updates(open_page):
    """The page stays free of axe violations after htmx swaps in results (typing, then a facet)."""
    page = open_page("/")
    page.locator("#q").press_sequentially("beslut", delay=20)
    expect(page.locator("#antal")).to_contain_text("för ”beslut”")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.locator("section.facet a", has_text="Kallelse").click()
    expect(page).to_have_url(re.compile("kind=kallelse"))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_pages_load_without_console_errors(open_page):
    """Pages load with no console errors: no CSP violations, failed requests or script errors."""
    page = open_page()
    for path in ("/", "/sok?q=valn%C3%A4mnden", ITEM + "?q=valnämnden", MEETING, "/finns/inte"):
        page.goto(path)
        page.errors[:] = [e for e in page.errors if not (path == "/finns/inte" and "404" in e)]
        assert page.errors == [], path


# --- content is never code ----------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A server of its own over an archive holding one text file full of markup."""
    root = tmp_path_factory.mktemp("hostile")
    source = root / "skadeprov.txt"
    source.write_text(
        "Kommunstyrelsen\nProtokoll 2024-05-02\n\n"
        f"§ 12 Skadeprov {HOSTILE[0]}\n\n"
        f"Texten innehåller {HOSTILE[0]} och {HOSTILE[1]} som vanlig text.\n\n"
        "Beslut\nKommunstyrelsen beslutar att skadeprovet ska visas som text.\n",
        encoding="utf-8")
    data = root / "data"
    with Archive(data) as store:
        report = ingest_paths(store, [source])
        assert not report.failed, report.failed
        rebuild_index(store, data)
    with serve(data) as base:
        yield base


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_scripts_in_content_never_run(open_page, hostile_server, bypass_csp):
    """Markup in a document is shown as text and never runs, even with the CSP switched off."""
    page = open_page("/", base=hostile_server, bypass_csp=bypass_csp)
    page.locator("#q").press_sequentially("pwned", delay=20)
    expect(page.locator("#antal")).to_contain_text("för ”pwned”")
    snippet = page.locator(".hit .snippet").first
    expect(snippet).to_contain_text(HOSTILE[0])
    expect(snippet).to_contain_text(HOSTILE[1])
    assert_inert(page)
    page.locator(".hit h2 a").first.click()
    expect(page).to_have_url(re.compile(r"/d/[0-9a-f]+/p12\?q=pwned$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(HOSTILE[0])
    expect(page.locator(".fulltext")).to_contain_text(HOSTILE[1])
    assert_inert(page)
    page.locator(".facts a[href*='/sida/']").click()   # the whole document, highlighted
    page.goto(page.url.split("#")[0] + "?q=pwned")
    expect(page.locator(".fulltext mark").first).to_have_text("pwned")
    expect(page.locator(".fulltext").first).to_contain_text(HOSTILE[1])
    assert_inert(page)
    assert page.errors == []   # a refused inline script or a broken <img> would log here
    page.goto("/sok?q=" + quote(HOSTILE[1] + " " + HOSTILE[0]))   # echoed back (a 400: odd quote)
    expect(page.locator("#q")).to_have_value(HOSTILE[1] + " " + HOSTILE[0])
    assert_inert(page)


def assert_inert(page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0
    assert page.locator("script:not([src])").count() == 0


# --- screenshots for the README -----------------------------------------------------------
def test_screenshots_for_readme(open_page):
    """Saves docs/screenshots/search.png and item.png (an item reached from a search)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page("/sok?q=valn%C3%A4mnden")
    expect(page.locator("aside.facets")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "search.png")
    page.locator(".hit h2 a", has_text="Sammanträdesdagar 2027").click()
    expect(page).to_have_url(re.compile(r"/m/kungsbacka/val/2026-08-31/p27\?q="))
    expect(page.locator("mark").first).to_be_in_viewport()
    page.screenshot(path=SCREENSHOTS / "item.png")
    for name in ("search.png", "item.png"):
        data = (SCREENSHOTS / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == VIEWPORT["width"]


def test_typing_makes_one_history_entry(open_page):
    """Pauses while typing replace one history entry: Back returns to where typing began."""
    page = open_page("/")
    box = page.locator("#q")
    for part in ("bud", "get", " 2026"):
        box.press_sequentially(part, delay=20)
        page.wait_for_timeout(600)            # a pause long enough for an answer each time
    expect(page).to_have_url(re.compile(r"q=budget(\+|%20)2026"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))


def test_new_query_keeps_the_active_filters(open_page):
    """Typing a new query keeps the facet filters; each shows as a removable chip."""
    page = open_page("/sok?q=beslut")
    page.locator("section.facet a", has_text="Kallelse").click()
    expect(page).to_have_url(re.compile("kind=kallelse"))
    expect(page.locator(".chips a", has_text="Typ: Kallelse")).to_be_visible()
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially("budget", delay=20)
    expect(page).to_have_url(re.compile(r"q=budget.*kind=kallelse|kind=kallelse.*q=budget"))
    page.locator(".chips a", has_text="Rensa alla").click()
    expect(page).not_to_have_url(re.compile("kind="))


def test_changing_the_sort_applies_at_once(open_page):
    """Choosing 'Nyast först' reorders the hits without pressing 'Uppdatera'."""
    page = open_page("/sok?q=beslut")
    page.locator("#sort").select_option("nyast")
    expect(page).to_have_url(re.compile("sort=nyast"))


def test_facets_fold_behind_filtrera_on_a_phone(open_page):
    """At 390 px the facets sit above the hits behind a closed 'Filtrera' disclosure."""
    page = open_page("/sok?q=beslut", viewport={"width": 390, "height": 800})
    toggle = page.locator("details.filter-toggle")
    expect(toggle).not_to_have_attribute("open", "")
    summary = toggle.locator("summary")
    expect(summary).to_be_visible()
    assert summary.bounding_box()["y"] < page.locator("ol.hits, .hits ol").first.bounding_box()["y"]
    summary.click()
    expect(toggle.locator("section.facet").first).to_be_visible()
