"""Search in transcripts, saved filters and exports, from the queue page, in French and English.

A real `qualicall serve` on loopback (a SQLite file, and PostgreSQL for the search), real headless Chromium
(Debian's). The contacts are written here; what each search must find is written by hand from their text."""

from __future__ import annotations

import csv
import io
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from api_server import Server

from conftest import ROOT

COACH, PASSWORD = "lea.bernard", "recherche-2026"
OTHER_COACH, OTHER_PASSWORD = "hugo.petit", "recherche-2027"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "web"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)"),
    pytest.mark.slow,  # servers of their own and a browser
]


def contact(identifier: str, agent: str, started_at: str, turns: list[tuple[str, str]], language: str = "fr") -> dict:
    timed = [{"speaker": s, "text": text, "start": i * 6.0, "end": i * 6.0 + 5.5} for i, (s, text) in enumerate(turns)]
    return {"id": identifier, "channel": "voice", "language": language, "agent_id": agent, "team": "service-client",
            "queue": "particuliers", "started_at": started_at, "turns": timed}


CONTACTS = [
    contact("reclamation-facture", "A-101", "2026-11-18T09:00:00+01:00", [
        ("agent", "Électricité du Nord, bonjour, Sophie à votre écoute, que puis-je faire pour vous ?"),
        ("customer", "Bonjour, je veux déposer une réclamation : ma facture de novembre est fausse."),
        ("agent", "Si je comprends bien, le montant de votre facture de novembre ne correspond pas à votre consommation ?"),
        ("customer", "Oui, exactement."),
        ("agent", "Je corrige la facture aujourd'hui. Avez-vous d'autres questions ? Merci de votre appel, au revoir."),
    ]),
    contact("reclamation-colis", "A-102", "2026-11-19T14:30:00+01:00", [
        ("agent", "Livraisons Express, bonjour, Karim à votre écoute."),
        ("customer", "RÉCLAMATION ! Mon colis est arrivé abîmé."),
        ("agent", "Je suis désolé. Je lance un remboursement du colis, vous le recevrez sous cinq jours."),
        ("customer", "D'accord, merci."),
        ("agent", "Merci de votre appel, bonne journée."),
    ]),
    contact("demenagement", "A-102", "2026-11-20T11:15:00+01:00", [
        ("agent", "Électricité du Nord, bonjour, Sophie à votre écoute."),
        ("customer", "Bonjour, je déménage le mois prochain et je voudrais transférer mon contrat."),
        ("agent", "Bien sûr, je note votre nouvelle adresse et la date du déménagement."),
        ("agent", "Avez-vous d'autres questions ? Merci de votre appel, au revoir."),
    ]),
    contact("refund-request", "A-201", "2026-11-21T16:00:00+00:00", [
        ("agent", "Northern Power, good afternoon, this is Emma, how can I help you?"),
        ("customer", "Hello, I was charged twice this month and I want a refund."),
        ("agent", "I'm sorry about that. I have issued the refund, you will see it within five days."),
        ("agent", "Is there anything else I can help you with? Thank you for calling, goodbye."),
    ], language="en"),
]


def serve(folder, database_url: str | None = None) -> tuple[Server, dict]:
    server = Server(folder, database_url=database_url)
    server.make_keys()
    server.make_user(COACH, PASSWORD)
    server.make_user(OTHER_COACH, OTHER_PASSWORD)
    server.start()
    results = {}
    with server.client("crm") as crm:
        for interaction in CONTACTS:
            response = crm.post("/v1/interactions", json=interaction)
            assert response.status_code == 201, response.text
            results[interaction["id"]] = response.json()
    return server, results


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The SQLite server: the exports' and saved filters' tests, and the search on SQLite (none of them changes what
    another reads: a review reorders the queue, saved filters are their coach's, the language is the browser's)."""
    server, results = serve(tmp_path_factory.mktemp("web-search-sqlite"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"server": server, "results": results}
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request, tmp_path_factory):
    if request.param == "sqlite":
        yield {**request.getfixturevalue("workspace"), "name": "sqlite"}
        return
    server, results = serve(tmp_path_factory.mktemp("web-search-postgres"), request.getfixturevalue("postgres").database("web_search"))
    yield {"server": server, "results": results, "name": "postgres"}
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module; each page has a context of its own (its own cookies)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def browser_page(browser, server: Server, user: str, password: str, locale: str = "fr-FR"):
    """A signed-in page in a new context of `browser` (closed with `page.context.close()`)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale, base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/queue")
    return page


def listed(page) -> set[str]:
    return set(page.locator("table.queue tbody tr td:first-child a").all_inner_texts())


def search(page, words: str) -> set[str]:
    page.fill("#f-search", words)
    page.click(".filters button[type=submit]")
    page.wait_for_load_state()
    return listed(page)


def test_search_folds_accents_and_case_in_both_languages(browser, backend) -> None:
    page = browser_page(browser, backend["server"], COACH, PASSWORD)
    try:
        page.goto("/queue")
        assert listed(page) == {c["id"] for c in CONTACTS}
        # « réclamation » and « RÉCLAMATION » are in two calls: found with or without the accents, in any case.
        assert search(page, "reclamation") == {"reclamation-facture", "reclamation-colis"}
        assert search(page, "réclamation") == {"reclamation-facture", "reclamation-colis"}
        assert search(page, "RECLAMATION") == {"reclamation-facture", "reclamation-colis"}
        assert page.input_value("#f-search") == "RECLAMATION"
        # Every word, each as a word or its start.
        assert search(page, "réclam facture") == {"reclamation-facture"}
        assert search(page, "demenagement") == {"demenagement"}
        assert search(page, "déménage contrat") == {"demenagement"}
        assert search(page, "colis abime") == {"reclamation-colis"}
        assert search(page, "Electricite") == {"reclamation-facture", "demenagement"}
        assert search(page, "refund") == {"refund-request"}
        assert search(page, "charged twice") == {"refund-request"}
        assert search(page, "facture refund") == set()
        assert page.locator("main").inner_text().count("Aucun appel ne correspond.") == 1
        # With the queue's other filters.
        page.select_option("#f-agent", "A-102")
        assert search(page, "reclamation") == {"reclamation-colis"}
        query = parse_qs(urlsplit(page.url).query)
        assert query["q"] == ["reclamation"] and query["agent"] == ["A-102"]
        page.goto("/queue?q=%C3%89lectricit%C3%A9&from=2026-11-20")
        assert listed(page) == {"demenagement"}
        # Punctuation alone searches nothing: every call.
        page.goto("/queue?q=%21%3F")
        assert listed(page) == {c["id"] for c in CONTACTS}
        # A filter whose value is none is left out, and the page says so (it showed every call, as if filtered).
        page.goto("/queue?from=9999-12-31&min_score=abc")
        assert listed(page) == {c["id"] for c in CONTACTS}
        assert "« 9999-12-31 »" in page.inner_text("#page-error") and "« abc »" in page.inner_text("#page-error")
        page.goto("/queue?min_score=101,5")  # a French decimal comma is a number
        assert listed(page) == set() and page.locator("#page-error").count() == 0
        # In English, the same search.
        page.goto("/language/en?next=/queue")
        assert page.locator("label[for=f-search]").inner_text() == "Search the transcripts"
        assert search(page, "Réclamation colis") == {"reclamation-colis"}
        assert search(page, "nowhere") == set() and "No call matches." in page.locator("main").inner_text()
        if backend["name"] == "sqlite":
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.goto("/language/fr?next=/queue%3Fq%3Dreclamation")
            page.screenshot(path=str(ARTIFACTS / "queue-search-fr.png"))
    finally:
        page.context.close()


def test_a_search_of_control_characters_or_too_long_is_refused(backend) -> None:
    import httpx

    from api_server import sign_in

    with httpx.Client(base_url=backend["server"].url) as http:
        assert sign_in(http, username=COACH, password=PASSWORD).status_code == 303
        assert http.get("/queue", params={"q": "x" * 201}).status_code == 422
        assert http.get("/queue", params={"q": "a\x00b"}).status_code == 422
        assert http.get("/queue", params={"q": "colis"}).status_code == 200


def test_saved_filters_round_trip_per_coach(browser, workspace) -> None:
    server = workspace["server"]
    page = browser_page(browser, server, COACH, PASSWORD)
    other = browser_page(browser, server, OTHER_COACH, OTHER_PASSWORD, locale="en-US")
    try:
        page.goto("/queue?q=r%C3%A9clamation&agent=A-102&reviewed=no")
        assert listed(page) == {"reclamation-colis"}
        # A name is needed: the page again, the message in place, the filters kept.
        page.click(".save-filter button[type=submit]")
        assert page.locator("#page-error").inner_text() == "Filtres non enregistrés : donnez-leur un nom."
        assert page.input_value("#f-search") == "réclamation" and listed(page) == {"reclamation-colis"}
        page.fill("#sf-name", "Réclamations de Karim")
        page.click(".save-filter button[type=submit]")
        assert page.locator("#queue-flash").inner_text() == "Filtres enregistrés sous « Réclamations de Karim »."
        page.goto("/queue")
        assert listed(page) == {c["id"] for c in CONTACTS}
        page.click("#saved-filters a:has-text('Réclamations de Karim')")
        page.wait_for_load_state()
        assert listed(page) == {"reclamation-colis"}
        assert page.input_value("#f-search") == "réclamation"
        assert page.input_value("#f-agent") == "A-102" and page.input_value("#f-reviewed") == "no"
        # The same name again takes the new filters.
        page.goto("/queue?q=refund")
        page.fill("#sf-name", "Réclamations de Karim")
        page.click(".save-filter button[type=submit]")
        page.goto("/queue")
        page.click("#saved-filters a:has-text('Réclamations de Karim')")
        assert listed(page) == {"refund-request"}
        assert page.locator("#saved-filters a").count() == 1

        # Another coach does not see them, and has their own (in English).
        other.goto("/queue")
        assert other.locator("#saved-filters").count() == 0
        other.goto("/queue?q=electricite")
        other.fill("#sf-name", "Power")
        other.click(".save-filter button[type=submit]")
        assert other.locator("#queue-flash").inner_text() == "Filters saved as “Power”."
        assert other.locator("#saved-filters a").all_inner_texts() == ["Power"]
        page.goto("/queue")
        assert page.locator("#saved-filters a").all_inner_texts() == ["Réclamations de Karim"]

        # Deleted by its owner.
        page.click("#saved-filters button[aria-label='Supprimer le filtre « Réclamations de Karim »']")
        page.wait_for_url("**/queue")
        assert page.locator("#saved-filters").count() == 0
        other.goto("/queue")
        assert other.locator("#saved-filters a").all_inner_texts() == ["Power"]
    finally:
        page.context.close()
        other.context.close()


def test_csv_export_of_the_filtered_queue_and_printable_evaluation(browser, workspace) -> None:
    server, results = workspace["server"], workspace["results"]
    facture = results["reclamation-facture"]
    failed = [(cid, iid) for cid, c in facture["criteria"].items() for iid, item in c["items"].items() if item["status"] == "failed"]
    assert failed, "the test needs a failed item to override"
    criterion_id, item_id = failed[0]
    with server.client("coach") as coach:
        response = coach.post("/v1/interactions/reclamation-facture/reviews", json={
            "items": [{"item_id": item_id, "status": "passed", "comment": "Le besoin est bien reformulé au deuxième tour."}],
            "comment": "Bon appel : pensez à annoncer le délai de correction."})
        assert response.status_code in (200, 201), response.text
        record = coach.get("/v1/interactions/reclamation-facture").json()["result"]
        colis = coach.get("/v1/interactions/reclamation-colis").json()["result"]
    assert record["criteria"][criterion_id]["items"][item_id]["status"] == "passed"

    page = browser_page(browser, server, COACH, PASSWORD)
    try:
        page.goto("/queue?q=reclamation")
        href = page.get_attribute("#export-csv", "href")
        assert href == "/queue.csv?q=reclamation"
        answer = page.request.get(href)
        assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
        text = answer.body().decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
        assert rows[0] == ["Appel", "Date", "Agent", "Équipe", "File", "Score", "Items en échec", "Pourquoi le revoir", "Revu par"]
        by_id = {row[0]: row for row in rows[1:]}
        assert set(by_id) == {"reclamation-facture", "reclamation-colis"}
        assert by_id["reclamation-facture"][1:5] == ["18/11/2026 09:00", "A-101", "service-client", "particuliers"]
        assert by_id["reclamation-colis"][1:5] == ["19/11/2026 14:30", "A-102", "service-client", "particuliers"]
        # The verdicts of record: the score as the coach's override left it (read from the API), the overridden
        # item no longer among the failures, the coach's key named as reviewer.
        assert by_id["reclamation-facture"][5] == f"{record['overall_score']:.1f}".replace(".", ",")
        assert by_id["reclamation-colis"][5] == f"{colis['overall_score']:.1f}".replace(".", ",")
        label = page.locator(f"#f-item option[value='{criterion_id}.{item_id}']").inner_text()
        assert label not in by_id["reclamation-facture"][6].split(" | ")
        assert by_id["reclamation-facture"][8] == "test-coach" and by_id["reclamation-colis"][8] == ""
        # Reviewed calls come after the others, as in the queue.
        assert [row[0] for row in rows[1:]] == ["reclamation-colis", "reclamation-facture"]

        # The printable evaluation, in French.
        page.goto("/calls/reclamation-facture")
        page.click("#print-link")
        page.wait_for_url("**/calls/reclamation-facture/print")
        assert page.locator("h1").inner_text() == "Évaluation de l'appel reclamation-facture"
        assert page.locator("#reviewed-by").inner_text() == "Évaluation revue par test-coach"
        scores = page.locator("#print-scores").inner_text()
        assert f"Score global {record['overall_score']:.1f}".replace(".", ",") in scores
        items = sum(len(c["items"]) for c in record["criteria"].values())
        assert page.locator("table.print-items tbody tr").count() == items
        row = page.locator(f"tr[data-item='{criterion_id}.{item_id}']")
        assert row.locator(".verdict").inner_text() == "conforme"
        assert row.locator(".comment").inner_text() == "Le besoin est bien reformulé au deuxième tour."
        assert page.locator("#call-comments").inner_text().endswith("Bon appel : pensez à annoncer le délai de correction.")
        quotes = page.locator("td.evidence blockquote").all_inner_texts()
        # Each passage quoted as the transcript has it, where it was said (« 0:12 — « … » »).
        said = [turn["text"] for turn in CONTACTS[0]["turns"]]
        assert quotes and all(quote.split("« ", 1)[1].removesuffix(" »") in " ".join(said) for quote in quotes)
        text = page.locator("main").inner_text()
        assert "passed" not in text and "failed" not in text and "Overall score" not in text
        # Print CSS: no navigation, no button; the items all there.
        page.emulate_media(media="print")
        assert not page.locator("header.top").is_visible() and not page.locator("#print-button").is_visible()
        assert page.locator("table.print-items tbody tr").first.is_visible()
        page.pdf(path=str(ARTIFACTS / "evaluation-print-fr.pdf"))
        page.emulate_media(media="screen")
        page.screenshot(path=str(ARTIFACTS / "evaluation-print-fr.png"), full_page=True)

        # In English.
        page.goto("/language/en?next=/calls/reclamation-facture/print")
        assert page.locator("h1").inner_text() == "Evaluation of call reclamation-facture"
        assert page.locator("#reviewed-by").inner_text() == "Evaluation reviewed by test-coach"
        assert page.locator(f"tr[data-item='{criterion_id}.{item_id}'] .verdict").inner_text() == "passed"
        assert "Coach's comments" in page.locator("main").inner_text()
        english = list(csv.reader(io.StringIO(page.request.get("/queue.csv?q=colis").body().decode("utf-8")[1:])))
        assert english[0][:3] == ["Call", "Date", "Agent"] and len(english) == 2
        assert english[1][:2] == ["reclamation-colis", "2026-11-19 14:30"]
        assert english[1][5] == f"{colis['overall_score']:.1f}"
        page.goto("/calls/refund-request/print")
        assert page.locator("#reviewed-by").inner_text() == "Automatic evaluation, not yet reviewed by a coach"
    finally:
        page.context.close()
