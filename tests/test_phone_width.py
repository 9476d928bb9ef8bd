"""Browser: on a 390 px phone no page is wider than the screen; only a table scrolls, in its own
box (refs #17). Real Chromium, sv-SE, against the production server over tests/data plus a
Markdown file with a wide table, a long unbroken word and a long URL."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser_support import serve

from axe_playwright_python.sync_playwright import Axe  # noqa: E402

from tests.conftest import build_data_dir  # noqa: E402

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).parent.parent / "demo"
# Valnämnden 2025-02-03: papers and minutes, so its meeting page ties points and § (refs #17)
TIED = ("002_kungsbacka-valnamnd-protokoll-2025-02-03.txt",
        "004_kungsbacka-valnamnd-handlingar-2025-02-03.txt", "MANIFEST.tsv")
PHONE = {"width": 390, "height": 844}
TOKEN = "telefonbredd-prov-0123456789"
LONG_WORD = ("Kommunfullmäktigesammanträdesprotokollsjusteringsordningsförändringsförslags"
             "remissvarsbehandlingsrutinbeskrivningen")
LONG_URL = ("https://www.kungsbacka.se/kommun-och-politik/politik-och-demokrati/sammantraden-"
            "och-protokoll/kommunstyrelsen/2025/handlingar-till-sammantradet-den-21-oktober-"
            "2025/bilaga-3-ekonomisk-uppfoljning-per-september-2025-med-prognos-for-helaret.pdf")
COLUMNS = ["Nr", "Ärende", "Beteckning", "Föredragande", "Förslag till beslut", "Kommentar",
           "Tidigare behandling", "Bilagor"]
WIDE_MD = f"""# Bilaga med bred tabell

Underlaget finns på {LONG_URL} och ordet {LONG_WORD} står i löptexten.

| {' | '.join(COLUMNS)} |
| {' | '.join('---' for _ in COLUMNS)} |
| 1 | Ekonomisk uppföljning per september 2025 | KS-2025-00970 | Ekonomichef Anna Andersson | Kommunstyrelsen godkänner uppföljningen och lägger den till handlingarna | Prognosen visar ett överskott | Arbetsutskottet 2025-10-07 § 211 | {LONG_URL} |
| 2 | {LONG_WORD} | KS-2025-00971 | Kanslichef Bo Bengtsson | Kommunstyrelsen beslutar enligt förslaget | – | – | – |

## Fortsättning

Ännu ett stycke med {LONG_WORD}{LONG_WORD} utan mellanrum.
"""
MINUTES = f"""Kommunstyrelsen
Protokoll 2025-11-04

§ 301 {LONG_WORD}

Dnr KS-2025-01001

Ärendet gäller {LONG_WORD}. Underlag: {LONG_URL}

Beslut
Kommunstyrelsen beslutar att {LONG_WORD} ska gälla.
"""

# Elements whose right edge passes the viewport and that no horizontal scroll box contains:
# what makes a page wider than the phone, named for the assertion message.
OFFENDERS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX;
    if (o === "auto" || o === "scroll" || o === "hidden") return a; } return null; };
  const name = el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !scrolls(el)) out.push(name(el) + " right=" + Math.round(r.right));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !scrolls(node.parentElement))
      out.push("text in " + name(node.parentElement) + " right=" + Math.round(r.right));
  }
  return out.slice(0, 8);
}"""
# Every table sits in a box that scrolls sideways (overflow-x auto), as wide as the page at most.
TABLES_JS = """() => [...document.querySelectorAll("main table")].map(t => {
  const box = t.closest(".table-scroll");
  return {inBox: !!box, overflow: box ? getComputedStyle(box).overflowX : null,
          boxRight: box ? box.getBoundingClientRect().right : null,
          wider: t.scrollWidth > (box ? box.clientWidth : 0)};
})"""


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("phone")
    source = root / "in"
    shutil.copytree(DATA, source)
    (source / "bred-bilaga.md").write_text(WIDE_MD, "utf-8")
    (source / "bred-bilaga.md.meta.json").write_text(
        '{"organisation": "Kungsbacka kommun", "body": "Kommunstyrelsen", '
        '"datum": "2025-10-21", "typ": "bilaga"}', "utf-8")
    (source / "ks-protokoll-2025-11-04.txt").write_text(MINUTES, "utf-8")
    (source / "valnamnd").mkdir()
    for name in TIED:
        shutil.copy(DEMO / name, source / "valnamnd" / name)
    data = root / "data"
    docs = build_data_dir(data, [source])
    with serve(data, env={"FLASK_ADMIN_TOKEN": TOKEN}) as base:
        yield base, docs


@pytest.fixture(scope="module")
def phone(browser, phone_server):
    """A phone-sized page (390 px, touch, sv-SE) in a context of its own."""
    base, _ = phone_server
    context = browser.new_context(viewport=PHONE, locale="sv-SE", base_url=base,
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


def paths(docs) -> dict[str, str]:
    notice = docs["003_kungsbacka-ks-kallelse-2025-10-21.txt"].id
    wide = docs["bred-bilaga.md"].id
    minutes = docs["026_kungsbacka-valnamnd-protokoll-2026-08-31.txt"].id
    long_item = docs["ks-protokoll-2025-11-04.txt"]
    return {
        "home": "/",
        "search with results": "/sok?q=valn%C3%A4mnden",
        "search hitting a long word": "/sok?q=" + quote(LONG_WORD[:40] + "*"),
        "organisation": "/m/kungsbacka",
        "body": "/m/kungsbacka/val",
        "meeting": "/m/kungsbacka/val/2026-08-31",
        "meeting with a notice": "/m/kungsbacka/ks/2025-10-21",
        "meeting with points tied to §": "/m/kungsbacka/val/2025-02-03",
        "item tied to its agenda point": "/m/kungsbacka/val/2025-02-03/p2",
        "item": "/m/kungsbacka/val/2026-08-31/p27?q=valsamordnare",
        "item with a long word and URL": f"/d/{long_item.id}/p301",
        "document with agenda tables": f"/d/{notice}",
        "document with a wide table, long word and URL": f"/d/{wide}",
        "page view": f"/d/{minutes}/sida/4",
        "admin login": "/admin/logga-in",
        "404": "/finns/inte",
    }


def test_no_page_is_wider_than_a_phone(phone, phone_server):
    """At 390 px every page type fits the screen; only tables scroll, inside their own box."""
    _, docs = phone_server
    problems = []
    for name, path in paths(docs).items():
        response = phone.goto(path)
        assert response.status == (404 if name == "404" else 200), (name, path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} ({path}): {width} px wide; {phone.evaluate(OFFENDERS_JS)}")
        for table in phone.evaluate(TABLES_JS):
            if not (table["inBox"] and table["overflow"] == "auto"
                    and table["boxRight"] <= PHONE["width"]):
                problems.append(f"{name}: a table outside a scroll box: {table}")
    assert not problems, "\n".join(problems)


def test_the_wide_table_scrolls_in_its_box_and_really_is_wide(phone, phone_server):
    """The test's table is wider than the phone (so the check above means something) and its
    box scrolls sideways while the page does not."""
    _, docs = phone_server
    phone.goto(f"/d/{docs['bred-bilaga.md'].id}")
    tables = phone.evaluate(TABLES_JS)
    assert tables and all(t["wider"] for t in tables)
    box = phone.locator(".table-scroll").first
    box.evaluate("el => el.scrollLeft = 200")
    assert box.evaluate("el => el.scrollLeft") > 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the long word and URL are on the page, broken over lines, not cut off
    text = phone.locator("main").inner_text()
    assert LONG_WORD in text.replace("\n", "") and LONG_URL in text.replace("\n", "")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["document with a wide table, long word and URL",
                                  "item with a long word and URL", "meeting with a notice",
                                  "meeting with points tied to §", "item tied to its agenda point",
                                  "search hitting a long word",
                                  "search with results", "page view"])
def test_axe_finds_no_violations_at_both_widths(phone, phone_server, name, width):
    """axe-core reports no violations on the pages refs #17 changed, at 390 and 1280 px."""
    _, docs = phone_server
    phone.set_viewport_size({"width": width, "height": PHONE["height"]})
    try:
        phone.goto(paths(docs)[name])
        if name == "meeting with points tied to §":
            assert phone.locator("p.tie a").count() == 14     # points 2–8 and § 1–7
        results = Axe().run(phone)
    finally:
        phone.set_viewport_size(PHONE)
    assert results.violations_count == 0, results.generate_report()
