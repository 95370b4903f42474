"""The HTML report, the report's terminal table and the scorecard of `qualicall score -f table` speak the reader's
language: no English left in the French ones, numbers with a decimal comma, periods and dates as French writes
them, items by their rubric labels; the English ones stay English. Real CLI (in process), a generated month
(examples/generate_month.py --planted-results: every section of the report filled), and GET /v1/reports on the
real server.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import subprocess
import sys
import uuid
from html.parser import HTMLParser

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from test_reports_cli import CHROMIUM
from test_api_reports import fixture_interactions

# What the English report, its table and the scorecard say, written by hand: none of it may appear in French.
# Whole words or phrases, matched case-sensitively at word boundaries ("present" is not « présent »).
ENGLISH_REPORT = [
    "Contact centre report", "Generated", "contacts · grouped by", "grouped by", "per week", "service level:", "answered within",
    "count as offered", "e-mails answered", "Cells:", "value, then numerator", "green: target met", "red: missed",
    "Summary", "Trends", "Per group", "Service and quality", "Complaints, signals and sentiment", "group", "abandoned", "target",
    "indicator", "criterion:", "mean:", "all", "Service level", "Abandon rate", "ASA", "AHT", "FCR", "CSAT avg", "top-2",
    "Transfer rate", "Quality avg", "E-mail ≤ 48 h", "Complaint rate", "Complaint FCR", "Written compl.", "Escalation rate",
    "Churn threat", "Repeat contact", "Sentiment at end", "Sentiment shift", "Turnaround", "Quality average over time",
    "over time", "Pass rate per grid item", "all contacts", "no data", "What moves", "What moves satisfaction",
    "For each grid item", "confidence interval", "clear effects", "largest first", "No clear effect", "other drivers",
    "not ranked", "fewer than", "answers on a side", "answers on each side", "raises it", "lowers it", "difference in",
    "CSAT points", "NPS points", "scale", "passed", "failed", "present", "with", "without", "Complaint", "Escalation request",
    "Greeting", "Closing", "Comprehensible language", "Complaint handling", "Checks understanding", "Restates the need",
    "Recap", "Thanks", "Farewell", "Courtesy", "Handle time", "Wait (s)", "Overall score", "Operational score", "week",
    "driver", "effect", "significant", "yes", "no", "by team", "per", "answers",
]
# And what the French report says, for the English one (and the scorecard's French words for the English scorecard).
FRENCH_REPORT = [
    "Rapport du centre de contacts", "Édité le", "regroupés par", "par semaine", "niveau de service", "décrochés", "présentés",
    "Cellules", "cible atteinte", "Synthèse", "Évolution", "Par groupe", "Service et qualité", "Réclamations, signaux",
    "groupe", "abandonnés", "cible", "indicateur", "critère", "moyenne", "ensemble", "Taux d'abandon", "Qualité moy.",
    "Ce qui fait bouger", "effets significatifs", "Sans effet significatif", "non classés", "le fait monter", "le fait baisser", "écart en", "conforme",
    "non conforme", "Réclamation", "Accueil", "Prise de congé", "Récapitulatif", "Vérification de la compréhension",
    "sem.", "Attente", "Durée de traitement", "Score global", "facteur", "oui", "non",
]
ENGLISH_SCORECARD = [
    "quality", "operational", "overall", "rubric", "weight", "why / evidence", "passed", "failed", "not applicable", "indicators:",
    "input", "measured", "turn", "Greeting", "Closing", "Company or service named", "Wait (s)", "Handle time", "Transfers",
    "First-contact resolution", "True", "voice",
]
FRENCH_SCORECARD = ["qualité", "opérationnel", "global", "grille", "poids", "motif", "conforme", "sans objet", "indicateurs", "fourni",
                    "tour", "Accueil", "Prise de congé", "Nom de l'entreprise", "Attente", "Durée de traitement", "appel"]
WEEK_KEY = re.compile(r"\b\d{4}-W\d{2}\b")
ENGLISH_NUMBER = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")  # 45.0, 0.84 (not a date, nor « 1.2.3 »)
FRENCH_NUMBER = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")
# An English number with its thousands grouped (1,500; 99,299): no French decimal, which has no such leading digit.
ENGLISH_GROUPED = re.compile(r"(?<![\d,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])")
RUBRICS = ROOT / "qualicall" / "rubrics"


HIDDEN = ("style", "script", "title", "metadata")  # a chart's metadata: matplotlib's version and the time it was drawn


class _VisibleText(HTMLParser):
    """The text a reader sees: the page's text and tooltips, and the charts' words, which matplotlib draws as
    glyph paths and names in a comment beside them (`<!-- Qualité moyenne dans le temps -->`)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in HIDDEN
        self.parts += [value for name, value in attrs if name == "title" and value]

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in HIDDEN

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.parts.append(data.strip())


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return "\n".join(part for part in parser.parts if part.strip())


def found(phrases: list[str], text: str) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<![\wÀ-ÿ]){re.escape(p)}(?![\wÀ-ÿ])", text)]


def rubric_label(key: str, language: str) -> str:
    """An item's label in the rubric YAML itself, read here with yaml (not with the code under test)."""
    criterion, item = key.split(".")
    grid = yaml.safe_load((RUBRICS / "default-fr.yaml").read_text(encoding="utf-8"))
    return grid["criteria"][criterion]["items"][item]["label"][language]


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """A generated month of 1 500 handled contacts (1 338 French, 162 English), with surveys, signals, sentiment
    and written complaints."""
    path = tmp_path_factory.mktemp("month") / "planted.jsonl"
    done = subprocess.run([sys.executable, str(EXAMPLES / "generate_month.py"), "--planted-results", str(path), "--seed", "5",
                           "--planted-contacts", "1500"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def reports(cli, month, tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    pages = {}
    for name, args in {"fr": ["--lang", "fr"], "en": ["--lang", "en"], "default": [], "rubric-en": ["--rubric", "default-en"]}.items():
        out = folder / f"{name}.html"
        done = cli("report", str(month), "--by", "team", "--period", "week", "-f", "html", "-o", str(out), *args)
        assert done.returncode == 0, done.stderr
        pages[name] = out.read_text(encoding="utf-8")
    return pages


def test_the_french_report_has_no_english(reports):
    page = reports["fr"]
    text = visible_text(page)
    assert page.count("<svg") == 5 and "<html lang=fr>" in page  # every chart drawn: the scan read them too
    assert not found(ENGLISH_REPORT, text), found(ENGLISH_REPORT, text)
    assert not WEEK_KEY.findall(text), WEEK_KEY.findall(text)
    assert not ENGLISH_NUMBER.findall(text), ENGLISH_NUMBER.findall(text)[:20]
    # A French minus sign (« −0,19 »), not a hyphen, as the README says.
    assert not re.findall(r"(?<![\w-])-\d+,\d", text) and re.findall(r"−\d+,\d", text), re.findall(r"(?<![\w-])-\d+,\d", text)[:5]
    # what it says instead: French headings, periods, dates, numbers and the rubric's French labels
    assert {"Synthèse", "Évolution", "Ce qui fait la satisfaction", "Par groupe", "Service et qualité", "Réclamations, signaux et sentiment"} <= set(
        re.findall(r"<h[23]>([^<]+)</h[23]>", page))
    assert re.search(r"Édité le \d{2}/\d{2}/\d{4} \d{2}:\d{2} UTC · 1\u202f500 contacts · regroupés par équipe, par semaine", text)
    assert {"sem. 45 (2026)", "sem. 48 (2026)"} <= set(re.findall(r"sem\. \d+ \(\d{4}\)", text))
    assert len(FRENCH_NUMBER.findall(text)) > 500
    assert re.search(r"\d\u202f%", text)  # « 85 % » with French's narrow no-break space, in the pass-rate bars
    sentence = html.unescape(re.search(r"<b>CSAT</b>, effets significatifs, du plus fort au plus faible : ([^<]*)\. Sans effet significatif", page).group(1))
    assert sentence.startswith("Réclamation −1,") and rubric_label("reformulation.checks_understanding", "fr") + " +0," in sentence
    for key in ("greeting.organization", "closing.recap", "complaint_handling.next_step"):
        assert rubric_label(key, "fr") in text
    # The per-group rows in the grid's order (they were by id: « Prise de congé » first, a manager's review).
    per_group = text[text.index("Par groupe"):]
    grid = yaml.safe_load((RUBRICS / "default-fr.yaml").read_text(encoding="utf-8"))["criteria"]
    rows = [per_group.index("critère : " + grid[criterion]["label"]["fr"]) for criterion in ("greeting", "reformulation", "closing")]
    assert rows == sorted(rows), rows


def test_the_english_report_stays_english(reports):
    page = reports["en"]
    text = visible_text(page)
    assert "<html lang=en>" in page and not found(FRENCH_REPORT, text), found(FRENCH_REPORT, text)
    assert not FRENCH_NUMBER.findall(ENGLISH_GROUPED.sub("", text)), FRENCH_NUMBER.findall(ENGLISH_GROUPED.sub("", text))[:20]
    assert re.search(r"Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC · 1,500 contacts · grouped by team, per week", text)
    assert "<h2>Summary</h2>" in page and "<h3>Service and quality</h3>" in page and "2026-W45" in text
    assert len(ENGLISH_NUMBER.findall(text)) > 500
    assert rubric_label("reformulation.checks_understanding", "en") in text


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (./install.sh --dev installs it)")
def test_the_french_report_fits_a_laptop_screen(reports, tmp_path):
    """At 1 280 px the customer section's table ran past the page, its last column cut off."""
    from playwright.sync_api import sync_playwright

    (tmp_path / "fr.html").write_text(reports["fr"], encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((tmp_path / "fr.html").as_uri())
            page_width = page.evaluate("document.documentElement.scrollWidth")
            # Each table scrolls inside its own box when wider than the page.
            boxes = page.evaluate("[...document.querySelectorAll('table')].map(t => t.parentElement.getBoundingClientRect().right)")
        finally:
            browser.close()
    assert page_width <= 1280 and boxes and max(boxes) <= 1280


def test_the_default_language(reports):
    """Without --lang: the --rubric's language, else the one most results are in (here French)."""
    assert "<html lang=fr>" in reports["default"] and "<h2>Synthèse</h2>" in reports["default"]
    assert "<html lang=en>" in reports["rubric-en"] and "<h2>Summary</h2>" in reports["rubric-en"]


def test_csv_and_json_keep_their_keys(cli, month):
    """The language-neutral contract: the same keys and figures whatever --lang says (it is not theirs)."""
    for fmt in ("json", "csv"):
        plain = cli("report", str(month), "--by", "team", "-f", fmt)
        assert plain.returncode == 0 and cli("report", str(month), "--by", "team", "-f", fmt, "--lang", "fr").stdout == plain.stdout
    assert '"labels": {' in plain.stdout if fmt == "json" else plain.stdout.startswith("team,contacts,handled,abandoned,service_level,")


def test_the_report_table_in_french(cli, month):
    done = cli("report", str(month), "--by", "team", "--period", "week", "--drivers", "--lang", "fr")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert not found(ENGLISH_REPORT, text), found(ENGLISH_REPORT, text)
    assert not ENGLISH_NUMBER.findall(text) and not WEEK_KEY.findall(text)
    assert "Service et qualité par équipe, par semaine" in text and "Ce qui fait bouger le CSAT" in text
    assert rubric_label("reformulation.checks_understanding", "fr") in text and len(FRENCH_NUMBER.findall(text)) > 200


@pytest.fixture(scope="module")
def scorecards(cli):
    out = {}
    for name, args in {"fr": [str(EXAMPLES / "call-fr.json")], "fr-in-en": [str(EXAMPLES / "call-fr.json"), "--lang", "en"],
                       "en": [str(EXAMPLES / "interactions.jsonl")]}.items():
        done = cli("score", *args, "-f", "table")
        assert done.returncode == 0, done.stderr
        out[name] = done.stdout
    return out


def test_the_scorecard_speaks_the_results_language(scorecards):
    from test_web_language import fragments  # the fixed words of each language's reason templates

    french = re.sub(r"«[^«»]*»", "«»", scorecards["fr"])  # what the speakers said is in the call's language
    assert not found(ENGLISH_SCORECARD, french), found(ENGLISH_SCORECARD, french)
    assert not [f for f in fragments("en") if f in french] and len([f for f in fragments("fr") if f in french]) >= 5
    assert not ENGLISH_NUMBER.findall(french) and len(FRENCH_NUMBER.findall(french)) > 10
    for key in ("greeting.salutation", "greeting.organization", "reformulation.checks_understanding", "closing.recap"):
        assert rubric_label(key, "fr") in french
    assert "✔ conforme" in french and "« bonjour » — tour 0 (" in scorecards["fr"]
    assert re.search(r"qualité \d+,\d +opérationnel \d+,\d +global \d+,\d", french)


def test_the_scorecard_in_english_on_request_and_for_english_calls(scorecards):
    from test_web_language import fragments

    english = re.sub(r"«[^«»]*»", "«»", scorecards["fr-in-en"])
    assert not found(FRENCH_SCORECARD, english), found(FRENCH_SCORECARD, english)
    assert not [f for f in fragments("fr") if f in english] and "✔ passed" in english and "Company or service named" in english
    assert re.search(r"quality \d+\.\d +operational \d+\.\d +overall \d+\.\d", english)
    # a JSONL of French and English calls: each scorecard in its call's language
    cards = {card.split()[0]: card for card in scorecards["en"].split("\n\n") if card.strip()}
    assert "rubric default-en" in cards["example-en-001"] and "Greeting" in cards["example-en-001"]
    assert "grille default-fr" in cards["exemple-chat-001"] and "Accueil" in cards["exemple-chat-001"]


def test_the_api_serves_the_html_report_in_the_asked_language(sqlite_api):
    team = f"langue-{uuid.uuid4().hex[:8]}"
    with sqlite_api.client("crm") as crm:
        for record in fixture_interactions(team):
            assert crm.post("/v1/interactions", json=record).status_code == 201
        query = {"team": team, "by": "agent", "period": "week", "format": "html"}
        french = crm.get("/v1/reports", params=query | {"lang": "fr"}, headers={"Accept-Language": "en-GB,en;q=0.9"})
        english = crm.get("/v1/reports", params=query, headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
        browser_fr = crm.get("/v1/reports", params=query, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        unknown = crm.get("/v1/reports", params=query | {"lang": "de"})
        plain = crm.get("/v1/reports", params={"team": team})
    assert french.status_code == 200 and french.headers["content-type"].startswith("text/html")
    text = visible_text(french.text)
    assert not found(ENGLISH_REPORT, text), found(ENGLISH_REPORT, text)
    assert "Synthèse" in text and "sem. 45 (2026)" in text and FRENCH_NUMBER.search(text) and not ENGLISH_NUMBER.findall(text)
    assert "10 contacts · regroupés par agent, par semaine" in text
    assert "<html lang=en>" in english.text and "Summary" in english.text and "2026-W45" in english.text
    assert "<html lang=fr>" in browser_fr.text
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "lang"]
    assert plain.headers["content-type"] == "application/json" and plain.json()["total"]["contacts"] == 10
    # The page's own styles (its CSS, its charts' SVG) are admitted by their hashes, and nothing else inline: under
    # the service's `style-src 'self'` a browser drew the report without a border or a coloured cell.
    styles = re.findall(r"<style[^>]*>(.*?)</style>", french.text, re.DOTALL)
    style_src = next(d for d in french.headers["content-security-policy"].split("; ") if d.startswith("style-src "))
    assert len(styles) >= 2 and "unsafe-inline" not in style_src
    for css in styles:
        assert f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" in style_src.split()



def test_one_is_singular_in_the_report_s_sentences():
    """« 1 contacts », « Sans effet significatif : 1 autres facteurs. », "1 other drivers" (a review)."""
    from qualicall.reports.words import ReportWords

    french, english = ReportWords("fr"), ReportWords("en")
    assert "Sans effet significatif : 1 autre facteur." in french("drivers_sentence", survey="CSAT", named="x", others=1)
    assert "Sans effet significatif : 2 autres facteurs." in french("drivers_sentence", survey="CSAT", named="x", others=2)
    assert "No clear effect: 1 other driver." in english("drivers_sentence", survey="CSAT", named="x", others=1)
    meta = dict(when="w", grouped="g", period="p", service_level=20, short_abandon=5, email=48)
    assert "· 1 contact ·" in french("meta", contacts=1, **meta) and "· 1 contact ·" in english("meta", contacts=1, **meta)
    assert "· 3 contacts ·" in english("meta", contacts=3, **meta)
