"""Rubrics: the default grids, validation with YAML paths, deployment copies, the check registry."""

from __future__ import annotations

import re

import pytest

from qualicall.scorer.registry import all_checks, register_check
from qualicall.scorer.rubric import RubricError, load_rubric, rubric_path, validate_rubric_text

GRID = {
    "greeting": {"salutation", "organization", "agent_name", "offer_help"},
    "comprehensible_language": {"readability", "no_jargon", "positive_wording", "courtesy"},
    "reformulation": {"restates_need", "checks_understanding"},
    "closing": {"recap", "other_needs", "thanks", "farewell"},
    "complaint_handling": {"acknowledges", "takes_ownership", "next_step"},
}


@pytest.mark.parametrize("rubric_id, language", [("default-fr", "fr"), ("default-en", "en")])
def test_default_rubrics_encode_the_17_items_with_the_spec_weights(rubric_id, language):
    rubric = load_rubric(rubric_id)
    assert rubric.language == language and rubric.version
    assert {c: set(spec.items) for c, spec in rubric.criteria.items()} == GRID
    assert {c: spec.weight for c, spec in rubric.criteria.items()} == {
        "greeting": 20, "comprehensible_language": 30, "reformulation": 25, "closing": 25, "complaint_handling": 20
    }
    # Conditional: judged only after a complaint (complaints-and-satisfaction.md).
    assert {c: spec.applies_if for c, spec in rubric.criteria.items() if spec.applies_if} == {"complaint_handling": "complaint"}
    assert (rubric.combination.quality, rubric.combination.operational) == (70, 30)
    assert rubric.windows.opening.agent_turns == 2 and rubric.windows.opening.seconds == 20
    assert rubric.windows.closing.agent_turns == 3 and rubric.windows.closing.seconds == 30


def test_validation_reports_every_problem_with_its_path_and_line():
    text = rubric_path("default-en").read_text()
    text = text.replace("check: agent_name", "check: agent_nam", 1).replace("min_overlap: 0.34", "min_overlap: 1.34", 1)
    text = text.replace("first_person: [i, i'm, my, me]", "first_person: [i]\n          first_persons: [me]", 1)
    rubric, problems = validate_rubric_text(text)
    assert rubric is None
    found = {p.path: p for p in problems}
    assert "unknown check 'agent_nam'" in found["criteria.greeting.items.agent_name.check"].message
    assert "criteria.reformulation.items.restates_need.params.min_overlap" in found
    assert found["criteria.reformulation.items.restates_need.params.min_overlap"].line is not None
    assert all(p.line for p in problems)


def test_a_rubric_written_for_v23_still_loads_with_the_window_lists_v24_reads_no_more():
    from conftest import make_interaction
    from qualicall.scorer.engine import Scorer

    text = rubric_path("default-fr").read_text()
    text = text.replace("  acknowledging: [", "  leaving: [laissez tomber]\n  acknowledging: [", 1)
    rubric, problems = validate_rubric_text(text)
    assert problems == [] and rubric is not None
    # Without `acknowledging` (a v23 copy), a customer's remark ending the contact leaves the closing judged, as in v23.
    without = re.sub(r"  acknowledging: \[.*?\]\n", "", text, count=1, flags=re.S)
    old, problems = validate_rubric_text(without)
    assert problems == [] and old is not None and old.windows.acknowledging == []
    turns = [("agent", "Bonjour, agence Horizon, Léa à votre écoute."), ("customer", "Bonjour, mon bail arrive à échéance."),
             ("agent", "Le renouvellement se fait par courrier, vous le recevrez lundi."), ("customer", "Je passerai quand même à l'agence demain.")]
    interaction = make_interaction(turns, "fr", id="remark")
    assert Scorer(rubric).score(interaction).criteria["closing"].items["farewell"].status == "not_applicable"
    assert Scorer(old).score(interaction).criteria["closing"].items["farewell"].status == "failed"


def test_invalid_yaml_and_unknown_rubric_are_one_line_errors(tmp_path):
    _, problems = validate_rubric_text("id: [unclosed")
    assert problems and "invalid YAML" in problems[0].message
    with pytest.raises(RubricError, match="unknown rubric 'nope'"):
        load_rubric("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\nlanguage: de\ncriteria: {}\n")
    with pytest.raises(RubricError, match="invalid rubric"):
        load_rubric(str(bad))


def test_a_deployment_copy_changes_words_without_code(scorer, tmp_path):
    from conftest import make_interaction
    from qualicall.scorer.engine import Scorer

    text = rubric_path("default-fr").read_text().replace("id: default-fr", "id: acme-fr")
    # a deployment in French Polynesia adds the Tahitian greeting
    text = text.replace("phrases: [bonjour, bonsoir,", "phrases: [ia ora na, bonjour, bonsoir,")
    custom = tmp_path / "acme.yaml"
    custom.write_text(text)
    turns = [("agent", "Ia ora na, que puis-je faire pour vous ?"), ("customer", "Bonjour.")]
    default = scorer.score(make_interaction(turns))
    acme = Scorer(str(custom)).score(make_interaction(turns))
    assert default.rubric.id == "default-fr" and default.criteria["greeting"].items["salutation"].status == "failed"
    assert acme.criteria["greeting"].items["salutation"].status == "passed" and acme.rubric.id == "acme-fr"


def test_the_jargon_checks_word_lists_are_the_rubrics(scorer, tmp_path):
    """`number_articles` (v24, in Python before): a deployment that reads « une d p » as « one d p » says so in its copy."""
    from conftest import make_interaction
    from qualicall.scorer.engine import Scorer

    text = rubric_path("default-fr").read_text()
    assert "          number_articles: [un, une]\n" in text
    custom = tmp_path / "acme.yaml"
    custom.write_text(text.replace("          number_articles: [un, une]\n", "          number_articles: []\n", 1))
    turns = [("agent", "il vous faudra une d p pour la véranda"), ("customer", "d'accord")]
    default = scorer.score(make_interaction(turns)).criteria["comprehensible_language"].items["no_jargon"]
    acme = Scorer(str(custom)).score(make_interaction(turns)).criteria["comprehensible_language"].items["no_jargon"]
    assert default.status == "failed" and acme.status == "passed", (default.reason, acme.reason)


def test_registering_a_check_is_one_function_and_a_yaml_entry(tmp_path):
    from pydantic import BaseModel

    from conftest import make_interaction
    from qualicall.scorer.engine import Scorer

    class Params(BaseModel):
        word: str

    @register_check("test_says_word", Params)
    def says_word(ctx, params):
        """Passes when the agent says the word."""
        said = any(params.word in t.norm.words() for t in ctx.scope())
        return ctx.passed("said", []) if said else ctx.failed("not said")

    assert "test_says_word" in all_checks()
    text = rubric_path("default-en").read_text()
    text = text.replace("      offer_help:\n", "      says_acme:\n        check: test_says_word\n        params: {word: acme}\n      offer_help:\n", 1)
    custom = tmp_path / "custom.yaml"
    custom.write_text(text)
    result = Scorer(str(custom)).score(make_interaction([("agent", "Hello, Acme here."), ("customer", "Hi.")], language="en"))
    assert result.criteria["greeting"].items["says_acme"].status == "passed"


def test_bank_problems_and_references_to_absent_banks_are_reported_by_yaml_line():
    text = rubric_path("default-en").read_text()
    # A duplicated example, a contradiction, an item naming no bank, a condition on a signal with no bank.
    text = text.replace("      - I want to make a complaint.\n", "      - I want to make a complaint.\n      - i want to make a complaint\n", 1)
    text = text.replace("      - I'd like to change my address.\n", "      - I'd like to change my address.\n      - This is unacceptable.\n", 1)
    text = text.replace("          bank: next_step\n", "          bank: next_steps\n", 1)
    text = text.replace("  escalation_request:\n    speaker: customer", "  escalation_requests:\n    speaker: customer", 1)
    text = text.replace("applies_if: complaint", "applies_if: escalation_request", 1)
    rubric, problems = validate_rubric_text(text)
    assert rubric is None
    lines = text.splitlines()
    found = {(p.path, p.message): p.line for p in problems}
    duplicate = found[("banks.complaint", "duplicate positive example « i want to make a complaint »")]
    assert lines[duplicate - 1].strip() == "- i want to make a complaint"
    contradiction = found[("banks.complaint", "« This is unacceptable. » is both a positive and a negative example")]
    assert lines[contradiction - 1].strip() == "- This is unacceptable."
    step = found[("criteria.complaint_handling.items.next_step.params.bank", "no bank 'next_steps' in this rubric's banks")]
    assert "next_steps" in lines[step - 1]
    condition = found[("criteria.complaint_handling.applies_if", "no bank 'escalation_request' in this rubric's banks: the signal cannot be recognised")]
    assert "applies_if" in lines[condition - 1]


def test_a_check_naming_a_missing_bank_is_reported_with_its_line(tmp_path):
    """no_jargon's `meaning_bank` names a rubric bank: a typo is a located problem, not a crash at scoring."""
    from qualicall.scorer.rubric import rubric_path, validate_rubric_text

    text = rubric_path("default-fr").read_text(encoding="utf-8")
    text = text.replace("meaning_bank: asks_meaning", "meaning_bank: asks_meening")
    rubric, problems = validate_rubric_text(text)
    assert rubric is None
    found = {(p.path, p.message) for p in problems}
    assert ("criteria.comprehensible_language.items.no_jargon.params.meaning_bank", "no bank 'asks_meening' in this rubric's banks") in found, found
    assert all(p.line for p in problems if p.path.endswith("_bank"))


@pytest.mark.parametrize("named", ["restates_needs", "checks_understanding"])
def test_tag_after_must_name_an_item_of_the_criterion_scored_before(named):
    """`tag_after` reads the verdict of an item scored before: a typo, or the item itself, is a located problem."""
    text = rubric_path("default-en").read_text(encoding="utf-8").replace("tag_after: restates_need", f"tag_after: {named}", 1)
    rubric, problems = validate_rubric_text(text)
    assert rubric is None
    found = {(p.path, p.message): p.line for p in problems}
    line = found[("criteria.reformulation.items.checks_understanding.params.tag_after", f"no item {named!r} before 'checks_understanding' in criterion 'reformulation'")]
    assert f"tag_after: {named}" in text.splitlines()[line - 1]


def test_said_mid_call_is_for_closing_items_only():
    """`said_mid_call` says an item's formulas alone do not show the closing began: an item outside the closing is an error."""
    text = rubric_path("default-en").read_text(encoding="utf-8").replace("      offer_help:\n", "      offer_help:\n        said_mid_call: true\n", 1)
    rubric, problems = validate_rubric_text(text)
    assert rubric is None
    assert any("said_mid_call: only an item of the closing window" in p.message for p in problems), problems
