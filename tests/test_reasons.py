"""Reasons as codes with parameters, worded in French or English (qualicall.scorer.reasons), and the
numbers, durations, shares and dates of the coach pages (qualicall.core.locale). Expected texts are
written by hand; the scored calls run the real scorer on the default rubrics."""

from __future__ import annotations

import json
import re
import string

import pytest

from conftest import make_interaction
from qualicall.api.web.i18n import MEASURE_LABELS, Translator
from qualicall.core import locale
from qualicall.scorer.reasons import TEMPLATES, TERMS, render

NNBSP = "\u202f"
SALUTATION = {"fr": "salutation", "en": "salutation"}


def test_a_reason_with_a_time_and_a_similarity_in_both_languages() -> None:
    params = {"what": {"fr": "proposition d'aide", "en": "offer of help"}, "similarity": 0.8134, "text": "je vous écoute", "at": {"turn": 3, "time": 16.3}}
    assert render("formula.same_meaning", params, "fr") == f"proposition d'aide (même sens, similarité 0,81) : « je vous écoute » au tour 3 (16,3{NNBSP}s)"
    assert render("formula.same_meaning", params, "en") == "offer of help (same meaning, similarity 0.81): « je vous écoute » in turn 3 (16.3 s)"


def test_an_untimed_turn_has_no_time() -> None:
    params = {"what": SALUTATION, "text": "Bonjour", "at": {"turn": 0, "time": None}}
    assert render("formula.found", params, "fr") == "salutation : « Bonjour » au tour 0"
    assert render("formula.found", params, "en") == "salutation: « Bonjour » in turn 0"


def test_shares_signed_scores_and_counts() -> None:
    long = {"long_share": 0.31, "max_words": 25, "longest": 42}
    assert render("readability.long_sentences", long, "fr") == (
        f"phrases longues : 31{NNBSP}% des mots de l'agent dans des phrases de plus de 25 mots (la plus longue : 42)"
    )
    assert render("readability.long_sentences", long, "en") == "long sentences: 31% of the agent's words in runs over 25 words (longest 42)"
    found = {"signal": "escalation_request", "text": "Je veux votre responsable.", "at": {"turn": 4, "time": 21.5},
             "closest": "passez-moi un responsable", "similarity": 0.7, "count": 2, "strongest": 0.0512}
    assert render("signal.found", found, "fr") == (
        f"demande d'escalade : « Je veux votre responsable. » (tour 4, 21,5{NNBSP}s) ressemble à « passez-moi un responsable » (0,70) ; "
        "2 phrases, meilleur score +0,05"
    )
    assert render("signal.found", found | {"count": 1}, "en").endswith("; 1 sentence, strongest score +0.05")
    absent = {"signal": "escalation_request", "text": "Merci.", "at": {"turn": 2, "time": None}, "score": -0.125}
    assert render("signal.absent", absent, "en") == "no customer sentence reads as an escalation request; the closest, « Merci. » (turn 2), scores -0.12"
    assert "ne ressemble à une demande d'escalade" in render("signal.absent", absent, "fr") and "-0,12" in render("signal.absent", absent, "fr")


def test_windows_and_nested_reasons() -> None:
    opening = {"what": {"fr": "proposition d'aide", "en": "offer of help"}, "window": {"name": "opening", "turns": 2, "seconds": 20.0}}
    assert render("formula.missing", opening, "fr") == "proposition d'aide : rien de tel dans l'accueil de l'agent (2 premiers tours ou 20 premières secondes)"
    assert render("formula.missing", opening, "en") == "no offer of help in the agent's opening (first 2 turns or first 20 s)"
    closing = {"window": {"name": "closing", "turns": 3, "seconds": None}}
    assert render("recap.missing", closing, "fr") == "aucun récapitulatif dans la conclusion de l'agent (3 derniers tours)"
    assert render("recap.missing", closing, "en") == "no recap in the agent's closing (last 3 turns)"
    after = {"what": "ownership", "window": {"name": "turns", "after_turn": 4}}
    assert render("bank.nothing", after, "en") == "no ownership: the agent's turns after turn 4 hold no sentence to judge"
    implied = {"cause": "churn_threat", "because": {"code": "signal.no_turn", "params": {}}}
    assert render("signal.implied", implied, "fr") == "réclamation exprimée dans une menace de départ : aucun tour du client à juger"
    assert render("signal.implied", implied, "en") == "a complaint made in a churn threat: no customer turn to judge"


def test_every_template_has_both_languages_with_the_same_parameters() -> None:
    fields = lambda template: sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name)  # noqa: E731
    for code, (fr, en) in TEMPLATES.items():
        assert fr and en and fr != en, code
        assert {n for n, _ in fields(fr)} == {n for n, _ in fields(en)}, code  # a channel may take its article in one language only
        for _, spec in fields(fr) + fields(en):
            assert spec in TERMS or spec in ("place", "span", "window", "quoted", "words", "text", "sentences", "reason") or spec[-1:] in "fg%", (code, spec)


def test_no_english_template_quotes_french_words() -> None:
    """(The English reason for a missing restatement quoted « si je comprends bien… ».)"""
    french = {"je", "vous", "comprends", "bien", "les", "des", "une", "est", "pour", "avec"}
    for code, (_, en) in TEMPLATES.items():
        literal = " ".join(text for text, _, _, _ in string.Formatter().parse(en))
        assert not french & set(re.findall(r"[a-zà-ÿ]+", literal.lower())), (code, en)


def test_numbers_dates_and_weeks_in_both_languages() -> None:
    assert locale.number(94.1, 1, "fr") == "94,1" and locale.number(94.1, 0, "en") == "94"
    assert locale.number(3.25, 2, "fr") == "3,25" and locale.number(3.25, 2, "en") == "3.25" and locale.number(None, 1, "fr") == "—"
    assert locale.seconds(1.32, "fr") == f"1,32{NNBSP}s" and locale.seconds(1.32, "en") == "1.32 s"
    assert locale.moment("2026-11-20T09:05:00+01:00", "fr") == "20/11/2026 09:05"
    assert locale.moment("2026-11-20T09:05:00Z", "en") == "2026-11-20 09:05"
    assert locale.moment(None, "fr") == ""
    assert locale.period("2026-W45", "fr") == "sem. 45 (2026)" and locale.period("2026-W45", "en") == "week 45 (2026)"
    assert locale.period("2026-W05", "fr") == "sem. 5 (2026)"
    assert locale.period("2026-02", "fr") == "févr. 2026" and locale.period("2026-02", "en") == "Feb 2026"
    assert locale.period("2026-11-20", "fr") == "20/11/2026" and locale.period("2026-11-20", "en") == "2026-11-20"
    assert locale.period("not-a-period", "fr") == "not-a-period"
    assert locale.period("2026-W45", "fr", short=True) == "sem. 45" and locale.period("2026-11-20", "fr", short=True) == "20/11"
    assert Translator("fr").decimal("0.5") == "0,5" and Translator("en").decimal("0.5") == "0.5"


def test_the_pages_translator_renders_codes_and_keeps_the_text_of_results_without_one() -> None:
    item = {"reason": "salutation: « Bonjour » in turn 0 (1.32 s)", "reason_code": "formula.found",
            "reason_params": {"what": SALUTATION, "text": "Bonjour", "at": {"turn": 0, "time": 1.32}}}
    # Times to the tenth of a second, as the transcript has them (« 31,63 s » beside « 32,6 s »: an agent's review).
    assert Translator("fr").reason(item) == f"salutation : « Bonjour » au tour 0 (1,3{NNBSP}s)"
    assert Translator("en").reason(item) == "salutation: « Bonjour » in turn 0 (1.3 s)"
    assert Translator("fr").reason({"reason": "a third-party check's words"}) == "a third-party check's words"
    # A code from a later version, or parameters this version's template does not have: the stored words.
    assert Translator("fr").reason({"reason": "kept", "reason_code": "formula.unknown_code"}) == "kept"
    assert Translator("fr").reason({"reason": "kept", "reason_code": "formula.found", "reason_params": {}}) == "kept"
    fr, en = Translator("fr"), Translator("en")
    assert fr.measure("flesch", 94.1) == "lisibilité de Flesch 94,1" and en.measure("flesch", 94.1) == "Flesch reading ease 94.1"
    assert fr.measure("long_share", 0.25) == f"part en phrases longues 25{NNBSP}%" and en.measure("long_share", 0.25) == "share in long sentences 25%"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_scored_call_carries_codes_and_its_rubrics_words(scorer, language) -> None:
    turns = {
        "fr": [("agent", "Bonjour, service client Hélios, Karim à votre écoute, que puis-je faire pour vous ?"),
               ("customer", "Bonjour, je voudrais changer l'adresse de ma facture."),
               ("agent", "C'est noté, la nouvelle adresse apparaîtra sur la prochaine facture. Bonne journée, au revoir.")],
        "en": [("agent", "Good morning, Clearline Broadband, Priya speaking, how can I help?"),
               ("customer", "Hello, I'd like to change the address on my bill."),
               ("agent", "Done, the new address will be on your next bill. Have a nice day, goodbye.")],
    }[language]
    result = scorer.score(make_interaction(turns, language=language)).to_json()
    json.dumps(result)  # parameters are plain JSON values
    for signal in result["signals"].values():
        assert signal["reason_code"] and signal["reason"] == render(signal["reason_code"], signal["reason_params"], language)
    items = [item for criterion in result["criteria"].values() for item in criterion["items"].values()]
    assert all(item["reason_code"] for item in items), "every built-in check gives a code"
    # Every measure shown under a reason has its name in both languages (« longest sentence words » showed on French pages).
    assert {name for item in items for name in item["measures"]} <= set(MEASURE_LABELS)
    for item in items:
        # `reason` is the rubric's language; the code renders in the other one too.
        assert item["reason"] == render(item["reason_code"], item["reason_params"], language)
        assert render(item["reason_code"], item["reason_params"], "en" if language == "fr" else "fr") != item["reason"]
    salutation = result["criteria"]["greeting"]["items"]["salutation"]
    assert salutation["reason_code"] == "formula.found"
    assert salutation["reason_params"]["at"] == {"turn": 0, "time": 0.0}
    expected = {"fr": "salutation : « Bonjour » au tour 0 (0\u202fs)", "en": "salutation: « Good morning » in turn 0 (0 s)"}[language]
    assert salutation["reason"] == expected


def test_every_reason_on_a_labelled_set_has_a_code_worded_in_the_rubrics_language(scorer) -> None:
    """A check added without a code (a plain string) would show its words untranslated on the pages."""
    from conftest import ROOT
    from qualicall.core.interaction import read_interactions

    seen = set()
    for interaction in read_interactions(ROOT / "tests" / "data" / "core_blind" / "interactions.jsonl"):
        result = scorer.score(interaction).to_json()
        language = "fr" if result["rubric"]["id"].endswith("-fr") else "en"
        holders = [item for criterion in result["criteria"].values() for item in criterion["items"].values()]
        for holder in holders + list(result["signals"].values()):
            assert holder["reason_code"], holder["reason"]
            assert holder["reason"] == render(holder["reason_code"], holder["reason_params"], language)
            seen.add(holder["reason_code"])
    assert len(seen) >= 25, sorted(seen)


def test_counts_take_the_singular_as_each_language_does() -> None:
    """(« 1 appels », "1 calls" on the queue and team pages; « regroupés par rien » atop an ungrouped report.)"""
    from qualicall.reports.words import ReportWords

    fr, en = Translator("fr"), Translator("en")
    assert [fr("shown", n=n) for n in (0, 1, 2)] == ["0 appel", "1 appel", "2 appels"]
    assert [en("shown", n=n) for n in (0, 1, 2)] == ["0 calls", "1 call", "2 calls"]
    assert en("session_calls_n", n=1) == "1 call" and fr("session_mode_queue", n=1) == "L'appel des filtres de la file (1)"
    closing = {"window": {"name": "closing", "turns": 1, "seconds": 1}}
    assert render("agent_name.missing", closing, "fr").endswith("(1 dernier tour ou 1 dernière seconde)")  # « 1 derniers tours »
    assert render("agent_name.missing", closing, "en").endswith("(last 1 turn or last 1 s)")
    assert ReportWords("fr").grouped([]) == "sans regroupement" and ReportWords("en").grouped(["team", "agent"]) == "grouped by team, agent"


def test_what_the_server_recorded_is_written_in_the_deployments_time_zone():
    """Found by an agent's-eye review: reviews and disputes are stored in UTC and read an hour early in Paris in winter,
    beside calls written in their own clock."""
    assert locale.event("2026-12-06T10:24:00+00:00", "fr", "Europe/Paris") == "06/12/2026 11:24"
    assert locale.event("2026-07-06T10:24:00+00:00", "fr", "Europe/Paris") == "06/07/2026 12:24"  # summer time
    assert locale.event("2026-12-06T10:24:00+00:00", "en", "America/Montreal") == "2026-12-06 05:24"
    assert locale.event("2026-12-06T10:24:00", "en", "UTC") == "2026-12-06 10:24"  # naive: stored UTC
    assert locale.event(None, "fr", "Europe/Paris") == ""


def test_a_jargon_question_places_its_word_once_between_parentheses() -> None:
    """An agent's review read « « RIO » (tour 4 (31,63 s)) »: the word's place is now said as the question's is."""
    params = {"text": "RIO", "at": {"turn": 4, "time": 31.63}, "question": "Mon quoi ?", "asked_at": {"turn": 5, "time": 32.6}}
    assert render("jargon.elided_asked", params, "fr") == (
        f"le client demande ce qu'est « RIO » (tour 4, 31,6{NNBSP}s) en le remplaçant par « quoi » : « Mon quoi ? » (tour 5, 32,6{NNBSP}s)")
    assert render("jargon.echo_asked", params, "en") == "the customer repeats « RIO » (turn 4, 31.6 s) to ask what it is: « Mon quoi ? » (turn 5, 32.6 s)"
    meaning = render("jargon.meaning_asked", params | {"closest": "c'est quoi", "similarity": 0.8123}, "fr")
    assert meaning == f"le client demande ce que veut dire « RIO » (tour 4, 31,6{NNBSP}s) : « Mon quoi ? » (tour 5, 32,6{NNBSP}s) ressemble à « c'est quoi » (0,81)"
