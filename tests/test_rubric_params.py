"""What the rubric YAML alone decides: params and regexes checked once at load (with their YAML line),
the item that closes the contact, hesitations and affirmations as settings, labels per language."""

from __future__ import annotations

import re

import pytest

from conftest import make_interaction
from qualicall.scorer.engine import Scorer
from qualicall.scorer.rubric import RubricError, load_rubric, rubric_path, validate_rubric_text

GOOD_PATTERN = '            - "(?<![a-z])rien d autre(?![a-z])"\n'
BROKEN_PATTERN = '            - "(?<![a-z])rien d (autre"\n'


def default_fr() -> str:
    return rubric_path("default-fr").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.fixture
def broken(tmp_path):
    text = default_fr().replace(GOOD_PATTERN, BROKEN_PATTERN)
    assert BROKEN_PATTERN in text
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_regex_is_a_rubric_problem_at_its_yaml_line(broken):
    text = broken.read_text(encoding="utf-8")
    rubric, problems = validate_rubric_text(text)
    assert rubric is None
    [problem] = problems
    assert problem.path == "criteria.closing.items.other_needs.params.patterns[1]"
    assert problem.line == line_of(text, "rien d (autre")
    assert "invalid regular expression" in problem.message and "missing )" in problem.message
    with pytest.raises(RubricError, match=r"patterns\[1\] \(line \d+\): invalid regular expression"):
        load_rubric(str(broken))


def test_what_a_reason_names_is_one_string_or_one_per_language():
    text = default_fr()
    good = 'what: {fr: "proposition d\'aide", en: "offer of help"}'
    assert good in text
    rubric, problems = validate_rubric_text(text.replace(good, "what: proposition d'aide"))
    assert rubric is not None and not problems  # one string serves both languages
    broken = text.replace(good, 'what: {fr: "proposition d\'aide", de: "Hilfsangebot"}')
    rubric, problems = validate_rubric_text(broken)
    assert rubric is None
    [problem] = problems
    assert problem.path == "criteria.greeting.items.offer_help.params.what" and problem.line == line_of(broken, "Hilfsangebot")
    assert problem.message == "expected one string, or one per language: {fr: …, en: …}"


def test_patterns_that_compile_alone_but_not_together_are_a_problem_too():
    text = default_fr().replace(GOOD_PATTERN, '            - "(?P<x>rien)"\n            - "(?P<x>autre)"\n')
    _, problems = validate_rubric_text(text)
    [problem] = problems
    assert problem.path == "criteria.closing.items.other_needs.params"
    lines = text.splitlines()
    params_line = next(n for n in range(line_of(text, "other_needs:"), len(lines)) if lines[n - 1].strip() == "params:")
    assert problem.line == params_line + 1  # where other_needs' params begin
    assert "redefinition of group name" in problem.message


def test_params_are_validated_and_compiled_at_load_never_while_scoring(monkeypatch):
    rubric, problems = validate_rubric_text(default_fr())
    assert not problems
    from qualicall.scorer import params
    from qualicall.scorer.registry import get_check

    def refuse(*args, **kwargs):
        raise AssertionError("validated or compiled while scoring")

    checks = {item.check for criterion in rubric.criteria.values() for item in criterion.items.values()}
    for name in checks:
        monkeypatch.setattr(get_check(name).params, "model_validate", refuse)
    monkeypatch.setattr(params, "compile_phrases", refuse)
    turns = [("agent", "Bonjour, Colis Express, que puis-je faire pour vous ?"), ("customer", "Mon colis n'est pas arrivé."),
             ("agent", "Je le fais repartir, il sera livré jeudi. Merci, au revoir.")]
    for index in range(2):
        result = Scorer(rubric).score(make_interaction(turns, id=f"t-{index}"))
        assert result.criteria["greeting"].items["offer_help"].status == "passed"


CHAT_CLOSED = [("system", "Bienvenue sur le chat."), ("customer", "bonjour"), ("agent", "Bonjour, Nadia de Vitalia, que puis-je faire pour vous ?"),
               ("customer", "mon badge ne marche plus"), ("agent", "Je vous en envoie un nouveau, vous le recevrez sous trois jours."),
               ("customer", "merci"), ("agent", "Je vous en prie, bonne soirée !"), ("system", "Le client a quitté la conversation.")]
CALL_CUT = [("agent", "Bonjour, Colis Express, que puis-je faire pour vous ?"), ("customer", "Mon colis n'est pas arrivé."),
            ("agent", "Je regarde, un instant."), ("customer", "allô ? vous m'entendez ?")]


def renamed(text: str) -> str:
    """The default grid with its closing criterion and leave-taking item under other names."""
    text = text.replace("\n  closing:\n    label:", "\n  fin:\n    label:").replace("      farewell:\n", "      conge:\n")
    assert "\n  fin:\n" in text and "      conge:\n" in text
    return text


def statuses(rubric_text: str, tmp_path, turns, channel: str, criterion: str) -> list[str]:
    path = tmp_path / f"grid-{abs(hash(rubric_text))}.yaml"
    path.write_text(rubric_text, encoding="utf-8")
    result = Scorer(str(path)).score(make_interaction(turns, channel=channel))
    return [item.status for item in result.criteria[criterion].items.values()]


def test_renaming_the_closing_items_keeps_how_interrupted_contacts_are_judged(tmp_path):
    default = default_fr()
    # The agent took leave before the customer left: the closing is judged, under any names.
    judged = statuses(default, tmp_path, CHAT_CLOSED, "chat", "closing")
    assert "not_applicable" not in judged
    assert statuses(renamed(default), tmp_path, CHAT_CLOSED, "chat", "fin") == judged
    # Cut off before any leave-taking: the closing is not applicable, under any names.
    assert set(statuses(renamed(default), tmp_path, CALL_CUT, "voice", "fin")) == {"not_applicable"}
    # What counts is the flag: without it, the customer leaving makes the closing not applicable.
    unflagged = renamed(default).replace("        closes_contact: true\n", "")
    assert set(statuses(unflagged, tmp_path, CHAT_CLOSED, "chat", "fin")) == {"not_applicable"}


def test_only_a_formula_item_closes_the_contact():
    text = default_fr().replace("        check: recap\n", "        check: recap\n        closes_contact: true\n")
    _, problems = validate_rubric_text(text)
    [problem] = problems
    assert problem.path == "criteria.closing.items.recap" and "only a formula item closes the contact" in problem.message


def test_hesitations_and_affirmations_are_the_rubrics(tmp_path):
    offer = [("agent", "bonjour colis express que puis euh je faire pour vous"), ("customer", "mon colis n'est pas arrivé")]
    check = offer + [("agent", "je le fais repartir aujourd'hui et il sera livré jeudi"), ("customer", "d'accord"),
                     ("agent", "oui c'est bien ça")]

    def item(text: str, turns, key: str) -> str:
        path = tmp_path / f"grid-{abs(hash(text))}.yaml"
        path.write_text(text, encoding="utf-8")
        criterion, item_id = key.split(".")
        return Scorer(str(path)).score(make_interaction(turns)).criteria[criterion].items[item_id].status

    default = default_fr()
    assert item(default, offer, "greeting.offer_help") == "passed"  # « euh » is dropped before matching
    kept = re.sub(r"hesitations: \[.*\]", "hesitations: [hum]", default)
    assert item(kept, offer, "greeting.offer_help") == "failed"
    # Unpunctuated « oui c'est bien ça » answers: not a check of understanding, unless « oui » is no affirmation
    # (and a confirmation needs no words of its own before it).
    any_length = default.replace("confirmation_min_words: 5", "confirmation_min_words: 0")
    assert item(any_length, check, "reformulation.checks_understanding") == "failed"
    no_oui = re.sub(r"affirmations: \[oui, ", "affirmations: [", any_length)
    assert item(no_oui, check, "reformulation.checks_understanding") == "passed"


@pytest.mark.parametrize("rubric_id", ["default-fr", "default-en"])
def test_labels_per_language_in_the_default_rubrics(rubric_id):
    import yaml

    data = yaml.safe_load(rubric_path(rubric_id).read_text(encoding="utf-8"))
    rubric = load_rubric(rubric_id)
    for criterion_id, criterion in data["criteria"].items():
        for key, spec in [(criterion_id, criterion), *((f"{criterion_id}.{i}", item) for i, item in criterion["items"].items())]:
            assert set(spec["label"]) == {"fr", "en"}, key
            assert rubric.label(key, "fr") == spec["label"]["fr"] and rubric.label(key, "en") == spec["label"]["en"]
    assert load_rubric("default-fr").label("greeting.offer_help", "fr") == "Proposition d'aide"


def test_an_echo_question_without_its_word_group_is_a_rubric_problem():
    """no_jargon's `echo_questions` are compiled one by one and read their group `word`: one without it is refused at load."""
    text = default_fr()
    good = "(?P<word>[a-z]+) quoi(?: (?:pardon"
    assert good in text
    rubric, problems = validate_rubric_text(text.replace(good, "(?P<mot>[a-z]+) quoi(?: (?:pardon", 1))
    assert rubric is None
    [problem] = problems
    assert problem.path.endswith("no_jargon.params") and "names no group (?P<word>" in problem.message


@pytest.mark.parametrize(
    "rubric_id, old, new, message",
    [
        ("default-en", '"I\'m", "I\'ve", "you\'re"', '"I\'m", "I\'ve", "youre"', "is not two words joined by an apostrophe"),
        ("default-en", "\n    cues:\n", '\n    cues:\n      - "(?:again)?"\n', "matches empty text"),
        ("default-en", "spellings: {u: you,", "spellings: {see u: see you,", "is not one word read as some words"),
        ("default-en", "spellings: {u: you,", "spellings: {U: yeah, u: you,", "is given twice"),
        ("default-en", "spellings: {u: you,", "spellings: {um: you know, u: you,", "is a hesitation or a contraction"),
        ("default-en", "spellings: {u: you,", "spellings: {youre: you are, u: you,", "is a hesitation or a contraction"),
        # agent_name's `person_slots` must be among its `lower_case_slots` (themselves among its patterns).
        ("default-fr", 'person_slots: ["{name} à l\'appareil", "{name} au bout du fil", "{name} qui parle", "{name} qui vous parle"]', 'person_slots: ["{name} à l\'appareil", "{name} ici"]',
         "person_slots: '{name} ici' is not one of the lower_case_slots"),
    ],
)
def test_word_lists_and_slots_a_rubric_cannot_hold_are_refused_at_load(rubric_id, old, new, message):
    text = rubric_path(rubric_id).read_text(encoding="utf-8")
    assert old in text
    rubric, problems = validate_rubric_text(text.replace(old, new, 1))
    assert rubric is None and any(message in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("field", "line"),
    [("lone_margin", "    lone_margin: 0.04"), ("negative_cue_shift", "    negative_cue_shift: 0.06"), ("clearings", "    clearings: ['\\brien a redire\\b']"),
     ("elsewhere", "    elsewhere: ['\\bcontre lui\\b']")],
)
def test_a_signals_reading_set_on_another_bank_is_a_problem_at_its_yaml_line(field, line):
    """`disclaimers`, `clearings`, `elsewhere`, `lone_margin` and `negative_cue_shift` are read for the customer signals' banks only: on
    offer_help they would change nothing."""
    text = default_fr()
    opening = "  offer_help:\n    speaker: agent\n"
    assert opening in text
    text = text.replace(opening, opening + line + "\n", 1)
    rubric, problems = validate_rubric_text(text)
    [problem] = [p for p in problems if p.path == f"banks.offer_help.{field}"]
    assert "only a customer signal's bank" in problem.message
    assert problem.line == line_of(text, line)
