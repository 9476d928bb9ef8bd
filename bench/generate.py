"""Generate a realistic synthetic archive of any size (and optionally synthetic PDFs).

    python bench/generate.py --items 100000 --out bench/out/archive-100000-s1 [--seed 1]
    python bench/generate.py --pdf 40 --pdf-out bench/out/pdf-40 [--seed 1]

Shaped like ../shared/corpus, which is read at generation time: the vocabulary comes from
it, ranked by corpus frequency and extended by --tail compounds of its words (Swedish's long
tail), and words are drawn Zipf-distributed over that ranking (s = 1.1, the tail s = 1.6), so
distinct words grow like real text's: ~8k in 38k words (the corpus has 5.7k), ~36k in 400k,
~260k in 15M (100,000 items). Item lengths are resampled from
the corpus's protokoll and kallelse items, scaled to --words-per-item on average. Each
organisation has bodies ("Valnämnden", "Nämnden för Miljö & Hälsoskydd", …) meeting
about ten times a year between 2015 and 2026; every meeting has minutes (protokoll: a cover
page, contents, 5–25 items "§ n" numbered through the year, with Dnr like VN-2025-00031 and
decisions "Valnämnden beslutar att …"), most have a notice (kallelse, "punkt n" items) and
some a staff memo (tjänsteskrivelse, pages only). Documents are written through
Archive.store_document, with the document's text as the stored original. Deterministic
for a seed (apart from ingest timestamps).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from common import dir_size_mb, machine, print_table  # noqa: E402

import archive  # noqa: E402

CORPUS = Path("/work/shared/corpus")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
ORGANISATIONS = ["Kungsbacka kommun", "Botkyrka kommun", "Högsby kommun", "Öckerö kommun",
                 "Sigtuna kommun", "Robertsfors kommun", "Höörs kommun", "Vallentuna kommun",
                 "Åstorps kommun", "Askersunds kommun", "Överkalix kommun", "Kramfors kommun",
                 "Bollebygds kommun", "Region Halland", "Region Jämtland Härjedalen",
                 # more organisations only for archives beyond ~580,000 items (each
                 # organisation-body pair holds at most 110 meetings in 2015–2026)
                 "Alingsås kommun", "Borås stad", "Eda kommun", "Falköpings kommun",
                 "Gnosjö kommun", "Hjo kommun", "Kalix kommun", "Lekebergs kommun",
                 "Mora kommun", "Nora kommun", "Orsa kommun", "Piteå kommun", "Sala kommun",
                 "Tierps kommun", "Vimmerby kommun", "Region Gävleborg"]
BODIES = [("Kommunstyrelsen", "ks", "KS"), ("Kommunfullmäktige", "kf", "KF"),
          ("Valnämnden", "val", "VN"), ("Byggnadsnämnden", "bn", "BN"),
          ("Nämnden för Miljö & Hälsoskydd", "mh", "MH"), ("Nämnden för Vård & Omsorg", "vo", "VO"),
          ("Nämnden för Individ & Familjeomsorg", "if", "IF"),
          ("Nämnden för Kultur & Fritid", "kft", "KFT"), ("Nämnden för Teknik", "te", "TE"),
          ("Nämnden för Förskola & Grundskola", "fg", "FG"), ("Nämnden för Service", "se", "SE"),
          ("Nämnden för Gymnasium & Arbetsmarknad", "ga", "GA"), ("Kommunrevisionen", "rev", "REV"),
          ("Kommunstyrelsens arbetsutskott", "ks-au", "KS")]
FIRST = ("Anna Jan Christian Kerstin Hanna Peter Karin Emil Per Stefan Sofie Birgitta Helena Bert "
         "Linnéa Sofia Zhale Lars Maria Erik Eva Johan Lena Anders Ingrid Mikael Fatima Ali").split()
LAST = ("Byvik Johansson Andersson Ohlsson Schölander Wesley Wiberg Dunér Erdelius Stenberg "
        "Jägnert Sandell Gustafsson Nyborg Öjerskog Hallgren Princis Jonsson Rashid Lindqvist "
        "Berg Nilsson Karlsson Svensson Persson Ekström Holm Škorić").split()
PARTIES = "S M SD C L KD V MP KB".split()
PLACES = "Särö Kullavik Fjärås Onsala Åsa Frillesås Tölö Anneberg Gottskär Vallda Hålland Släp".split()
OPENING = ["Val av justerare", "Godkännande av dagordningen"]
CLOSING = ["Anmälan av delegeringsbeslut", "Redovisning av inkomna skrivelser",
           "Information från förvaltningen"]
TEMPLATES = ["{W} {y}", "Yttrande över remiss om {w}", "Motion om {w} och {w}",
             "Detaljplan för {w} inom {P} {n}:{m}", "Uppföljning av {w} {y}", "Begäran om {w}",
             "Information om {w}", "Svar på medborgarförslag om {w}", "Revidering av {w}",
             "Ansökan om {w} för {P}", "Delårsrapport {y}", "Årsredovisning {y}",
             "Internkontrollplan {y}", "Budget {y}, plan {y1}–{y2}"]
PAGE_CHARS = 2600


class Corpus:
    """What is drawn from ../shared/corpus: ranked vocabulary, item titles and lengths."""

    def __init__(self, folder: Path, rng: np.random.Generator, tail: int):
        from ingest import parse_document
        counts: Counter = Counter()
        self.titles, self.lengths = [], {"protokoll": [], "kallelse": []}
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text("utf-8")
            # markup, hashes and transaction ids are not vocabulary
            clean = re.sub(r"<[^>]*>|\b[0-9A-Fa-f]{12,}\b|\\[a-z]+", " ", text)
            counts.update(w.lower() for w in WORD.findall(clean))
            doc = parse_document(text.encode(), path.name, path.name)
            for item in doc.items:
                self.titles.append(item.title)
                if doc.kind in self.lengths:
                    self.lengths[doc.kind].append(len(WORD.findall(item.text)))
        ranked = [w for w, _ in counts.most_common()]
        parts = [w for w in ranked if 4 <= len(w) <= 11 and "-" not in w]
        links = rng.choice(["", "s", "e"], size=tail, p=[0.6, 0.3, 0.1])
        a, b = rng.integers(0, len(parts), size=(2, tail))
        compounds = list(dict.fromkeys(parts[i] + s + parts[j] for i, j, s in zip(a, b, links)))
        self.words = ranked + [w for w in compounds if w not in counts]
        # Zipf–Mandelbrot (s = 1.1) over the corpus's ranking, then a steeper tail (s = 1.6)
        # of compounds: distinct words then grow with the text like real text's (Heaps' law)
        ranks = np.arange(1, len(self.words) + 1, dtype=float)
        head = len(ranked)
        weights = 1.0 / (ranks + 2.7) ** 1.1
        weights[head:] = weights[head - 1] * (ranks[head:] / head) ** -1.6
        self.cdf = np.cumsum(weights) / weights.sum()
        self.array = np.array(self.words, dtype=object)
        self.topical = [w for w in ranked[150:8000] if len(w) >= 7]

    def text(self, rng, n: int) -> str:
        """n words in sentences of 6–18 words and paragraphs of 3–5 sentences."""
        words = self.array[np.searchsorted(self.cdf, rng.random(n))].tolist()
        out, i = [], 0
        for k, length in enumerate(rng.integers(6, 19, size=n // 6 + 2).tolist()):
            if i >= n:
                break
            sentence = " ".join(words[i:i + length])
            i += length
            out.append(sentence[0].upper() + sentence[1:] + (".\n\n" if k % 4 == 3 else ". "))
        return "".join(out).strip()

    def length(self, rng, kind: str, mean: float) -> int:
        sample = self.lengths[kind] or [100]
        scale = mean / (sum(sample) / len(sample))
        return max(8, int(sample[rng.integers(len(sample))] * scale * rng.uniform(0.7, 1.3)))


def person(rng) -> str:
    return f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}"


def make_title(corpus: Corpus, rng, year: int) -> str:
    if rng.random() < 0.35:
        return re.sub(r"\b20[12]\d\b", str(year), corpus.titles[rng.integers(len(corpus.titles))])
    w = lambda: corpus.topical[rng.integers(len(corpus.topical))]  # noqa: E731
    return TEMPLATES[rng.integers(len(TEMPLATES))].format(
        W=w().capitalize(), w=w(), P=PLACES[rng.integers(len(PLACES))], n=rng.integers(1, 60),
        m=rng.integers(1, 30), y=year, y1=year + 1, y2=year + 2).replace("{w}", w())


def decision(corpus, rng, body: str, title: str, date: str) -> str:
    if title == "Val av justerare":
        return f"{body} utser {person(rng)} att justera protokollet."
    if title.startswith(("Information", "Redovisning", "Anmälan")):
        return f"{body} noterar informationen till protokollet."
    choice = rng.integers(5)
    if choice == 0:
        return f"{body} godkänner {title[0].lower() + title[1:]}, daterad {date}."
    if choice == 1:
        return f"{body} antar {title[0].lower() + title[1:]}."
    if choice == 2:
        return f"{body} återremitterar ärendet till förvaltningen."
    return f"{body} beslutar att {corpus.text(rng, int(rng.integers(6, 16))).rstrip('.').lower()}."


def paginate(blocks: list[tuple[int | None, str]], first_page: int = 1
             ) -> tuple[list[str], dict[int, tuple[int, int]]]:
    """Lay blocks of text onto pages of ~PAGE_CHARS; returns page bodies and item → (start, end)."""
    pages, spans, current, size = [], {}, [], 0
    for key, block in blocks:
        for line in block.split("\n"):
            if size + len(line) > PAGE_CHARS and current:
                pages.append("\n".join(current))
                current, size = [], 0
            current.append(line)
            size += len(line) + 1
            if key is not None:
                start = spans.get(key, (first_page + len(pages),))[0]
                spans[key] = (start, first_page + len(pages))
    pages.append("\n".join(current))
    return pages, spans


def with_headers(header: str, bodies: list[str]) -> list[archive.Page]:
    return [archive.Page(n, header.format(n=n, total=len(bodies)) + "\n" + body)
            for n, body in enumerate(bodies, 1)]


def make_meeting(corpus: Corpus, rng, org: str, body: tuple, date: str, first: int, chair: str,
                 words_per_item: float, want_kallelse: bool, want_memo: bool):
    """The documents of one meeting: protokoll, maybe a kallelse and a tjänsteskrivelse."""
    name, slug, prefix = body
    org_slug = archive.slugify(org.split()[0] if "kommun" in org else org)
    year = int(date[:4])
    count = int(rng.integers(5, 26))
    titles = OPENING[:1] + [make_title(corpus, rng, year) for _ in range(count - 3)] + \
        [CLOSING[int(rng.integers(3))], CLOSING[int(rng.integers(3))]]
    dnrs = [[f"{prefix}-{year - int(rng.random() < 0.3)}-{int(rng.integers(1, 1500)):05d}"]
            if t != "Val av justerare" else [] for t in titles]
    decisions = [decision(corpus, rng, name, t, date) for t in titles]
    common = dict(organisation=org, organisation_slug=org_slug, body=name, body_slug=slug,
                  date=date, media_type="text/plain")
    docs = []
    # protokoll
    items, blocks = [], []
    for k, (title, dnr, dec) in enumerate(zip(titles, dnrs, decisions)):
        n = corpus.length(rng, "protokoll", words_per_item * 1.15)
        text = (f"Beslut\n{dec}\n\nSammanfattning av ärendet\n{corpus.text(rng, n)}\n\n"
                f"Beslutsunderlag\nFörvaltningens tjänsteskrivelse, {date}\n\nBeslutsgång\n"
                f"Ordförande {chair} prövar förslaget och finner att {name} bifaller det.")
        label = f"§ {first + k}"
        items.append(archive.Item(label=label, title=title, text=text, decision=dec, dnr=dnr))
        blocks.append((k, f"{label}    {'Dnr ' + dnr[0] if dnr else ''}\n{title}\n\n{text}\n"))
    cover = "\n".join([f"Plats och tid för sammanträde {PLACES[rng.integers(len(PLACES))]}"
                       f"rummet, Klockan 17:00-18:{rng.integers(10, 59)}", "Beslutande Ledamöter",
                       f"{chair}, Ordförande"]
                      + [f"{person(rng)} ({PARTIES[rng.integers(len(PARTIES))]})" for _ in range(8)]
                      + [f"Sekreterare {person(rng)}  Paragrafer §§ {first}-{first + count - 1}",
                         f"Protokolljusterare {person(rng)} och {person(rng)}"])
    header = f"{org.upper()}    SAMMANTRÄDESPROTOKOLL    {{n}} ({{total}})\n{name}\nDatum\n{date}\n"
    rest, spans = paginate(blocks, 3)
    for k, item in enumerate(items):
        item.page_start, item.page_end = spans[k]
    contents = "Innehåll\n\n" + "\n".join(f"{it.label} {'Dnr ' + it.dnr[0] if it.dnr else ''}"
                                          f"\n{it.title} ......... {it.page_start}"
                                          for it in items)
    docs.append(archive.ParsedDocument(
        source=f"{org_slug}/{slug}/{date}/protokoll.txt", filename=f"{name} protokoll {date}.txt",
        kind="protokoll", title=f"{name} protokoll {date}", items=items,
        pages=with_headers(header, [cover, contents] + rest), **common))
    if want_kallelse:
        items, blocks = [], []
        for k, (title, dnr, dec) in enumerate(zip(titles, dnrs, decisions)):
            shown = [d.split("-", 1)[1] for d in dnr] if prefix in ("KS", "KF") else dnr
            text = (f"Förslag till beslut\n{dec}\n\n"
                    f"{corpus.text(rng, corpus.length(rng, 'kallelse', words_per_item * 0.5))}")
            presenter = person(rng)
            items.append(archive.Item(label=f"punkt {k + 1}", title=title, text=text, decision=dec,
                                      dnr=shown, presenter=presenter))
            blocks.append((k, f"{k + 1}. {title}  {' '.join(shown)}\nFöredragande: {presenter}\n{text}\n"))
        header = f"{org.upper()}    KALLELSE    {{n}} ({{total}})\n{name}\n{date}\n"
        pages, spans = paginate(blocks)
        for k, item in enumerate(items):
            item.page_start, item.page_end = spans[k]
        docs.append(archive.ParsedDocument(
            source=f"{org_slug}/{slug}/{date}/kallelse.txt", filename=f"{name} kallelse {date}.txt",
            kind="kallelse", title=f"Kallelse {name} {date}", items=items,
            pages=with_headers(header, pages), **common))
    if want_memo:
        k = int(rng.integers(1, len(titles)))
        body_text = (f"TJÄNSTESKRIVELSE\nDatum {date}\nDiarienummer {dnrs[k][0] if dnrs[k] else ''}\n"
                     f"{titles[k]}\n\nFörslag till beslut i {name}\n{decisions[k]}\n\n"
                     f"Beskrivning av ärendet\n{corpus.text(rng, int(rng.integers(300, 800)))}")
        pages, _ = paginate([(None, body_text)])
        docs.append(archive.ParsedDocument(
            source=f"{org_slug}/{slug}/{date}/tjansteskrivelse-{k}.txt",
            filename=f"Tjänsteskrivelse {titles[k][:40]}.txt", kind="tjänsteskrivelse",
            title=f"Tjänsteskrivelse – {titles[k]}",
            pages=with_headers(f"{org}\n{{n}} ({{total}})\n", pages), **common))
    return docs


def plan_meetings(rng, items: int) -> list[tuple[str, tuple, str]]:
    """(organisation, body, date) of enough meetings, spread evenly over 2015–2026."""
    meetings = max(1, round(items / 25))                   # ~15 § + ~10 punkt per meeting
    per_body = min(110, meetings)
    pairs = [(o, b) for o in ORGANISATIONS for b in BODIES][:-(-meetings // per_body)]
    start, days = np.datetime64("2015-01-08"), 12 * 365
    out = []
    for org, body in pairs:
        offsets = np.linspace(0, days, per_body, endpoint=False) + rng.integers(0, 20, per_body)
        dates = sorted({str(start + int(d)) for d in offsets if str(start + int(d)) < "2027"})
        out += [(org, body, d) for d in dates]
    out.sort(key=lambda m: (m[2], m[0], m[1][0]))
    return out


def generate(out: Path, items: int, seed: int, words_per_item: float, tail: int) -> dict:
    rng = np.random.default_rng(seed)
    corpus = Corpus(CORPUS, rng, tail)
    started, cpu = time.perf_counter(), time.process_time()
    store_s = 0.0
    counts = Counter()
    numbers: dict = {}
    chairs: dict = {}
    with archive.Archive(out) as store:
        # ids are hashes, so every insert lands on a random B-tree page: with SQLite's 2 MB
        # default cache a 1M-item archive took ~70 min to write, most of it re-reading pages;
        # and a generated archive is made again if lost, so store_document's fsync of each
        # original is skipped here
        store.db.execute("PRAGMA cache_size=-8000000")
        os.fsync = lambda fd: None
        for org, body, date in plan_meetings(rng, items):
            if counts["items"] >= items:
                break
            key = (org, body[0], date[:4])
            chair = chairs.setdefault((org, body[0]), f"{person(rng)} ({PARTIES[rng.integers(3)]})")
            docs = make_meeting(corpus, rng, org, body, date, numbers.get(key, 1), chair,
                                words_per_item, rng.random() < 0.7, rng.random() < 0.25)
            numbers[key] = numbers.get(key, 1) + len(docs[0].items)
            counts["meetings"] += 1
            for doc in docs:
                data = "\f".join(p.text for p in doc.pages).encode()
                t0 = time.perf_counter()
                store.store_document(doc, data)
                store_s += time.perf_counter() - t0
                counts["documents"] += 1
                counts["items"] += len(doc.items)
                counts["pages"] += len(doc.pages)
                counts["words"] += sum(len(i.text.split()) for i in doc.items)
    seconds = time.perf_counter() - started
    summary = {"items": counts["items"], "documents": counts["documents"],
               "meetings": counts["meetings"], "pages": counts["pages"],
               "words_per_item": round(counts["words"] / max(1, counts["items"]), 1),
               "vocabulary": len(corpus.words), "seconds": round(seconds, 1),
               "cpu_seconds": round(time.process_time() - cpu, 1),
               "store_document_seconds": round(store_s, 1), "seed": seed,
               "db_mb": round(sum(dir_size_mb(p) if p.is_dir() else p.stat().st_size / 2**20
                                  for p in out.glob("archive.sqlite3*")), 1),
               "files_mb": round(dir_size_mb(out / "files"), 1)}
    (out / "generated.json").write_text(json.dumps(summary, indent=1))
    return summary


def write_pdfs(folder: Path, count: int, seed: int) -> dict:
    """`count` real PDFs of synthetic protocols (one PDF page per archive page)."""
    from fpdf import FPDF
    rng = np.random.default_rng(seed)
    corpus = Corpus(CORPUS, rng, 20_000)
    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    for n, (org, body, date) in enumerate(plan_meetings(rng, count * 25)[:count]):
        doc = make_meeting(corpus, rng, org, body, date, 1, person(rng), 150, False, False)[0]
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_font("Helvetica", size=8)
        for page in doc.pages:
            pdf.add_page()
            text = page.text.replace("–", "-").encode("latin-1", "replace").decode("latin-1")
            pdf.multi_cell(0, 3.6, text, align="L")
        name = f"{n:03d}_{doc.organisation_slug}-{doc.body_slug}-protokoll-{date}.pdf"
        pdf.output(str(folder / name))
        (folder / (name + ".meta.json")).write_text(json.dumps(
            {"typ": "protokoll", "datum": date, "organisation": org, "body": doc.body},
            ensure_ascii=False))
        pages += len(doc.pages)
    return {"pdfs": count, "pages": pages, "folder": str(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, help="about this many items (§ and punkt)")
    parser.add_argument("--out", type=Path, help="data directory to create (must be new)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--words-per-item", type=float, default=150)
    parser.add_argument("--tail", type=int, default=600_000,
                        help="compound words added to the vocabulary's Zipf tail")
    parser.add_argument("--pdf", type=int, default=0, help="also write this many PDFs")
    parser.add_argument("--pdf-out", type=Path, help="folder for the PDFs")
    args = parser.parse_args()
    if args.items:
        if not args.out or (args.out / "archive.sqlite3").exists():
            parser.error("--out must name a new data directory")
        s = generate(args.out, args.items, args.seed, args.words_per_item, args.tail)
        print_table(["documents", "meetings", "items", "pages", "words/item", "seconds", "CPU s",
                     "of which store_document", "DB MB", "originals MB"],
                    [[s["documents"], s["meetings"], s["items"], s["pages"], s["words_per_item"],
                      s["seconds"], s["cpu_seconds"], s["store_document_seconds"], s["db_mb"],
                      s["files_mb"]]], title=f"Generated {args.out} — {machine()}")
    if args.pdf:
        if not args.pdf_out:
            parser.error("--pdf needs --pdf-out")
        s = write_pdfs(args.pdf_out, args.pdf, args.seed)
        print_table(["PDFs", "pages", "folder"], [[s["pdfs"], s["pages"], s["folder"]]])
    if not args.items and not args.pdf:
        parser.error("give --items N --out DIR and/or --pdf K --pdf-out DIR")


if __name__ == "__main__":
    main()
