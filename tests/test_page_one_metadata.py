"""Metadata stated on page 1 of documents that are not minutes (refs #15)."""
from __future__ import annotations

import pytest

from ingest.reader import parse_document

SHAPES = [
    # (file name, text, organisation, body, date, title)
    ("it-sakerhet.txt",
     "Karlshamns kommun\nFörfattningssamling\n\nIT-säkerhetspolicy\n\n"
     "Antagen: Kommunfullmäktige 2018-06-18 § 98\nGäller från: 2018-07-01\n\n"
     "Policyn gäller för alla anställda och förtroendevalda.",
     "Karlshamns kommun", "Kommunfullmäktige", "2018-06-18", "IT-säkerhetspolicy"),
    ("riktlinjer.txt",
     "KFS 2019:3\nRiktlinjer för representation\n"
     "Fastställd av kommunstyrelsen 2019-03-12, § 45\nVäxjö kommun\n\n"
     "Representation ska vara måttfull.",
     "Växjö kommun", "Kommunstyrelsen", "2019-03-12", "Riktlinjer för representation"),
    ("reglemente.txt",
     "Styrdokument\nLunds kommun\nReglemente för tekniska nämnden\n"
     "Beslutad av Kommunfullmäktige den 14 mars 2021\n\nNämnden ansvarar för gator och parker.",
     "Lunds kommun", "Kommunfullmäktige", "2021-03-14", "Reglemente för tekniska nämnden"),
    ("informationssakerhet.txt",
     "Region Gotland\nInformationssäkerhetspolicy\nVersion 2023-10-10\nDokumentansvarig: IT-chef\n\n"
     "All information ska skyddas efter sitt värde.",
     "Region Gotland", "", "2023-10-10", "Informationssäkerhetspolicy"),
    ("plan.txt",
     "Umeå kommuns författningssamling\n# Plan för krisberedskap\n"
     "Antaget av Nämnden för teknik och fritid 2022-05-02 § 12\n\nPlanen gäller 2022–2026.",
     "Umeå kommun", "Nämnden för teknik och fritid", "2022-05-02", "Plan för krisberedskap"),
]


@pytest.mark.parametrize("filename,text,organisation,body,date,title", SHAPES,
                         ids=[s[0] for s in SHAPES])
def test_page_one_metadata(filename, text, organisation, body, date, title):
    """Organisation, adopting body, adoption or version date and the real title from page 1."""
    doc = parse_document(text.encode(), filename, filename)
    assert (doc.organisation, doc.body, doc.date, doc.title) == (organisation, body, date, title)


def test_series_name_alone_never_becomes_the_title():
    """A page whose first line is "Författningssamling" takes the next real line as its title."""
    text = "Författningssamling\nTaxa för bygglov\nTaxan gäller från 2024."
    assert parse_document(text.encode(), "taxa.txt", "taxa.txt").title == "Taxa för bygglov"


def test_series_heading_is_passed_over_for_the_next_heading():
    """In Markdown, "# Författningssamling" is skipped for the document's own heading."""
    text = "# Författningssamling\n\n## Avfallsföreskrifter\n\nGäller hela kommunen."
    assert parse_document(text.encode(), "avfall.md", "avfall.md").title == "Avfallsföreskrifter"


def test_adoption_line_in_prose_is_not_metadata():
    """"antagen" in running text (not a line of its own) gives no body or date."""
    text = ("Promemoria om parkering\n\nPlanen som blev antagen av kommunfullmäktige 2018-06-18 "
            "gäller ännu.")
    doc = parse_document(text.encode(), "pm.txt", "pm.txt")
    assert (doc.body, doc.date, doc.title) == ("", "", "Promemoria om parkering")


def test_sidecar_body_wins_over_the_adopting_body():
    """A body named beside the file is kept; page 1's adoption line still gives the date."""
    text = "Kostpolicy\nAntagen av kommunfullmäktige § 117, 2011-06-16\n\nMaten ska vara god."
    doc = parse_document(text.encode(), "kost.txt", "kost.txt",
                         {"organisation": "Botkyrka kommun", "body": "Utbildningsförvaltningen"})
    assert (doc.body, doc.date, doc.title) == ("Utbildningsförvaltningen", "2011-06-16", "Kostpolicy")
