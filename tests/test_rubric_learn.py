"""`qualicall rubric learn --from-reviews`: coaches' overrides in a real SQLite store become bank examples of a new rubric version."""

from __future__ import annotations

import difflib

import pytest
import yaml

from conftest import make_interaction

# A call whose agent checks understanding in words the bank takes for a check (a coach does not:
# « cohérent » asks about the plan, not the explanation), and asks about other needs in words it misses.
COACHED_CALL = [
    ("agent", "Bonjour, Transports Lumen, Maëlle à l'appareil, que puis-je faire pour vous ?"),
    ("customer", "Bonjour, mon colis devait arriver hier et je ne l'ai toujours pas reçu."),
    ("agent", "Je vois qu'il est bloqué au dépôt, il sera livré demain avant midi. Ça vous semble cohérent ?"),
    ("customer", "Oui."),
    ("agent", "Très bien."),
    ("customer", "D'accord, merci."),
    ("agent", "On a fait le tour, madame Girard ?"),
    ("customer", "Non, c'est bon."),
    ("agent", "Merci de votre appel, bonne journée madame, au revoir."),
]
# What the overrides teach, written by hand: the machine's evidence (the span it quotes, without its
# question mark) and the sentence the coach quotes as the workspace shows it, less the placeholder of the redacted name.
TAUGHT_NEGATIVE = "Ça vous semble cohérent"
TAUGHT_POSITIVE = "On a fait le tour, madame ?"


def versions() -> tuple[str, str]:
    """The default French rubric's version and the next one (its versions are whole numbers)."""
    from qualicall.scorer.rubric import load_rubric

    now = load_rubric("default-fr").version
    return now, str(int(now) + 1)


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'qualicall.db'}"


@pytest.fixture(scope="module")
def service(scorer):
    from qualicall.service.scoring import ScoringService

    service = ScoringService()
    service.scorer = scorer  # the session's scorer: the models load once
    return service


def store_reviews(url: str, service, reviews: dict[str, str], call=COACHED_CALL, interaction_id: str = "learn-1") -> None:
    """Score and store the call for real, then record a coach's verdicts on its items (item id → status)."""
    from qualicall.store.db import Store
    from qualicall.store.repository import ItemReview, Reviewer, add_reviews, get_interaction

    store = Store(url)
    try:
        with store.session() as session:
            service.score_and_store(session, make_interaction(call, id=interaction_id), api_key_id=None)
        with store.session() as session:
            row = get_interaction(session, interaction_id)
            items = [ItemReview(item_id, *(status if isinstance(status, tuple) else (status,))) for item_id, status in reviews.items()]
            add_reviews(session, row, items, Reviewer("coach-ana"), comment="vu en séance")
    finally:
        store.close()


def test_learn_writes_the_overridden_sentences_into_a_new_version_that_results_name(cli, service, store_url, tmp_path):
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.rubric import rubric_path, validate_rubric_text
    from qualicall.store.db import Store
    from qualicall.store.repository import get_interaction, latest_result

    # passed → failed on a bank verdict, failed → passed on a nearest miss, and an override of a phrase item (teaches nothing)
    v, next_v = versions()
    store_reviews(store_url, service, {"checks_understanding": "failed", "salutation": "failed",
                                       "other_needs": ("passed", "Elle demande bien : « On a fait le tour, madame [NAME] ? »")})
    out = tmp_path / "my-grid.yaml"
    done = cli("rubric", "learn", "--from-reviews", "--out", out, "--database-url", store_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"default-fr v{v} → v{next_v}: 2 example(s) from 3 override(s)",
        "bank checks_understanding: +0 positive, +1 negative",
        f"  - « {TAUGHT_NEGATIVE} »",
        "bank other_needs: +1 positive, +0 negative",
        f"  + « {TAUGHT_POSITIVE} »",
        f"written to {out}",
    ]

    # Everything else kept: the only lines that differ are the version and the two examples.
    before = rubric_path("default-fr").read_text(encoding="utf-8").splitlines()
    after = out.read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert sorted(changed) == sorted([f'-version: "{v}"', f'+version: "{next_v}"', f'+      - "{TAUGHT_NEGATIVE}"', f'+      - "{TAUGHT_POSITIVE}"'])
    learned, problems = validate_rubric_text(out.read_text(encoding="utf-8"))
    assert problems == [] and learned.version == next_v
    assert learned.banks["checks_understanding"].negative[-1] == TAUGHT_NEGATIVE
    assert learned.banks["other_needs"].positive[-1] == TAUGHT_POSITIVE
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["banks"]["checks_understanding"]["negative"][-1] == TAUGHT_NEGATIVE  # where a deployment's editor sees it

    # The learned version judges the coached call as the coach did, and its result says which version scored it.
    result = Scorer(str(out)).score(make_interaction(COACHED_CALL, id="learn-1"))
    assert (result.rubric.id, result.rubric.version) == ("default-fr", next_v)
    items = result.criteria["reformulation"].items["checks_understanding"], result.criteria["closing"].items["other_needs"]
    assert [item.status for item in items] == ["failed", "passed"]
    store = Store(store_url)
    try:
        with store.session() as session:
            from qualicall.store.repository import add_result

            add_result(session, get_interaction(session, "learn-1"), result)
        with store.session() as session:
            machine = [r for r in get_interaction(session, "learn-1").results if r.data.get("source") != "coach"][-1]
            assert (machine.rubric_id, machine.rubric_version) == ("default-fr", next_v)
            assert latest_result(session, get_interaction(session, "learn-1")).data["rubric"]["version"] == next_v
    finally:
        store.close()

    # Reviews made on one version teach nothing to the next: refused, one line.
    again = cli("rubric", "learn", "--from-reviews", "--out", tmp_path / "again.yaml", "--rubric", out, "--database-url", store_url)
    assert again.returncode == 2
    assert again.stderr == f"qualicall: error: rubric default-fr v{next_v} is not the one the reviews were made on: overrides on default-fr v{v} (3)\n"
    assert not (tmp_path / "again.yaml").exists()


def test_learn_refuses_in_one_line_when_there_is_nothing_to_learn(cli, service, store_url, tmp_path):
    from qualicall.scorer.rubric import load_rubric

    v, _ = versions()
    out = tmp_path / "my-grid.yaml"
    empty = cli("rubric", "learn", "--from-reviews", "--out", out, "--database-url", store_url)
    assert (empty.returncode, empty.stderr) == (2, "qualicall: error: nothing to learn: no coach verdict in the store differs from the machine's\n")

    # A coach confirming the machine, and overriding only items judged by their phrases: no sentence for a bank.
    store_reviews(store_url, service, {"farewell": "passed", "salutation": "failed", "recap": "passed"})
    phrases = cli("rubric", "learn", "--from-reviews", "--out", out, "--database-url", store_url)
    assert (phrases.returncode, phrases.stderr) == (
        2, f"qualicall: error: nothing to learn: none of the 2 override(s) on default-fr v{v} points at a sentence a bank does not hold\n")

    other = cli("rubric", "learn", "--from-reviews", "--out", out, "--rubric", "default-en", "--database-url", store_url)
    assert (other.returncode, other.stderr) == (
        2, f"qualicall: error: rubric default-en v{load_rubric('default-en').version} is not the one the reviews were made on: overrides on default-fr v{v} (2)\n")

    no_source = cli("rubric", "learn", "--out", out, "--database-url", store_url)
    assert (no_source.returncode, no_source.stderr) == (2, "qualicall: error: say where to learn from: --from-reviews\n")
    assert not out.exists()


def test_a_passed_item_teaches_only_the_sentence_its_comment_quotes(cli, service, store_url, tmp_path):
    """A calibration lead's review: the nearest miss was learned as a positive, a guess more often wrong than right
    (« Vitacolis, bonjour, à l'appareil. » as an offer of help), moving verdicts of calls nobody reviewed."""
    store_reviews(store_url, service, {"other_needs": ("passed", "c'est une question sur les autres besoins")})
    refused = cli("rubric", "learn", "--from-reviews", "--out", tmp_path / "g.yaml", "--database-url", store_url)
    assert refused.returncode == 2 and "nothing to learn" in refused.stderr
    # a quote the call does not hold teaches nothing either
    store_reviews(store_url, service, {"other_needs": ("passed", "elle dit « avez-vous d'autres questions »")}, interaction_id="learn-2")
    refused = cli("rubric", "learn", "--from-reviews", "--out", tmp_path / "g.yaml", "--database-url", store_url)
    assert refused.returncode == 2 and "nothing to learn" in refused.stderr
    store_reviews(store_url, service, {"other_needs": ("passed", "« on a fait le tour »")}, interaction_id="learn-3")
    done = cli("rubric", "learn", "--from-reviews", "--out", tmp_path / "g.yaml", "--database-url", store_url)
    assert done.returncode == 0, done.stderr
    assert "  + « on a fait le tour »" in done.stdout.splitlines()
    left = [line for line in done.stdout.splitlines() if line.startswith("left out: closing.other_needs passed on learn-")]
    assert len(left) == 2 and all("quote the sentence that passes it" in line for line in left), done.stdout


def test_an_override_already_in_the_bank_is_left_out_and_one_pointed_at_both_ways_too(scorer):
    from qualicall.scorer.learning import Override, lessons_from
    from qualicall.scorer.rubric import load_rubric

    rubric = load_rubric("default-fr")
    known = rubric.banks["other_needs"].positive[0]
    missed = {"status": "failed", "reason_code": "bank.missing", "reason_params": {"text": "Bon."}, "evidence": []}
    found = {"status": "passed", "reason_code": "bank.meaning", "reason_params": {"text": "Autre chose ?"}, "evidence": [{"text": "Vous avez noté ?"}]}
    call = f"Bonjour. {known} Vous avez noté ? Au revoir."
    lessons = lessons_from(rubric, [
        Override("closing.other_needs", "passed", missed, f"« {known} »", call),
        Override("closing.other_needs", "failed", found),
        Override("closing.other_needs", "passed", missed, "« vous avez noté ? »", call),
    ])
    assert lessons.banks == {}
    assert lessons.skipped == [
        f"bank other_needs: « {known} » left out: already a positive example",
        "bank other_needs: « vous avez noté ? » left out: overrides point at it both as a positive and as a negative",
    ]


def test_learned_examples_can_carry_a_comment_that_says_where_they_come_from():
    from qualicall.scorer.learning import BankLesson, Lessons, learned_rubric_text
    from qualicall.scorer.rubric import load_rubric, rubric_path, validate_rubric_text

    rubric = load_rubric("default-fr")
    text = learned_rubric_text(rubric_path("default-fr").read_text(encoding="utf-8"), rubric,
                               Lessons({"complaint": BankLesson(["Trois semaines sans chauffage, et personne ne rappelle."], ["Le colis est arrivé ce matin."])}),
                               note="appris du jeu étiqueté X")
    lines = text.splitlines()
    written = [i for i, line in enumerate(lines) if line.strip() == "# appris du jeu étiqueté X"]
    assert len(written) == 2  # one above the positives added, one above the negatives
    assert [lines[i + 1].strip() for i in written] == ['- "Trois semaines sans chauffage, et personne ne rappelle."', '- "Le colis est arrivé ce matin."']
    learned, problems = validate_rubric_text(text)
    assert problems == [] and learned is not None
    assert learned.banks["complaint"].positive[-1] == "Trois semaines sans chauffage, et personne ne rappelle."
    assert learned.banks["complaint"].negative[-1] == "Le colis est arrivé ce matin."


def learning_script():
    """benchmarks/banks/learn_from_labelled_sets.py, imported as a module (it is a script, not a package)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("learn_from_labelled_sets", Path(__file__).resolve().parent.parent / "benchmarks" / "banks" / "learn_from_labelled_sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_labelled_set_teaches_its_customer_sentences_to_a_signals_bank(tmp_path):
    """benchmarks/banks/learn_from_labelled_sets.py on a set written here: what it takes, and what it leaves."""
    import json

    module = learning_script()
    half = tmp_path / "a_set" / "dev"
    half.mkdir(parents=True)
    utterances = [
        {"id": "u1", "language": "fr", "text": "C'est la troisième panne ce mois-ci, j'en ai assez.", "complaint": True},
        {"id": "u2", "language": "fr", "text": "Je voudrais changer mon adresse de livraison pour la prochaine commande.", "complaint": False},
        {"id": "u3", "language": "fr", "text": "Franchement, c'est nul.", "complaint": True},  # fewer than eight words
        {"id": "u4", "language": "en", "text": "This is the worst service I have had.", "complaint": True},  # another language
        {"id": "u5", "language": "fr", "text": "Le colis est bien arrivé chez moi ce matin.", "complaint": True},  # labelled both ways below
    ]
    (half / "utterances.jsonl").write_text("".join(json.dumps(u, ensure_ascii=False) + "\n" for u in utterances), encoding="utf-8")
    calm = {"id": "c1", "language": "fr", "turns": [
        {"speaker": "agent", "text": "Bonjour, que puis-je faire pour vous ?"},
        # « Oui merci. » and « C'est bien noté, merci. » are too short to teach a contact without a complaint.
        {"speaker": "customer", "text": "Le colis est bien arrivé chez moi ce matin. Oui merci. Il manque juste la notice de montage dans le carton. "
                                        "C'est bien noté, merci."},
        {"speaker": "agent", "text": "C'est à quel nom, s'il vous plaît ?"},
        # A name (the redactor reads it as one after the question) and a number read out: never examples.
        {"speaker": "customer", "text": "Sandrine Guérin, pour la commande de mardi dernier. Mon numéro client est le deux six zéro trois quatre."},
    ]}
    upset = {"id": "c2", "language": "fr", "turns": [
        {"speaker": "agent", "text": "Bonjour, je vous écoute."},
        {"speaker": "customer", "text": "Bonjour, alors voilà. J'appelle pour ma facture."},
        {"speaker": "customer", "text": "Vous m'avez encore facturé deux fois, c'est inadmissible !"},
        {"speaker": "customer", "text": "Et je veux un geste commercial. Sinon je pars chez un autre."},
    ]}
    (half / "conversations.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in (calm, upset)), encoding="utf-8")
    labels = {"c1": {"signals": {"complaint": {"present": False, "turn": None}}}, "c2": {"signals": {"complaint": {"present": True, "turn": 2}}}}
    (half / "labels.json").write_text(json.dumps(labels), encoding="utf-8")

    positive, negative = module.labelled_sentences("complaint", "fr", tmp_path, (("a_set", ("dev",)),))

    assert positive == ["C'est la troisième panne ce mois-ci, j'en ai assez.", "Vous m'avez encore facturé deux fois, c'est inadmissible !"]
    assert negative == ["Je voudrais changer mon adresse de livraison pour la prochaine commande.", "Il manque juste la notice de montage dans le carton."]


def test_labelled_feelings_and_complaint_handling_teach_their_banks(tmp_path):
    """The same script: utterances labelled with a sentiment teach the feelings' banks; a conversation's labelled
    complaint-handling items teach the agent's sentences after the complaint."""
    import json

    module = learning_script()
    half = tmp_path / "a_set" / "dev"
    half.mkdir(parents=True)
    utterances = [
        {"id": "u1", "language": "fr", "text": "Merci infiniment, vous êtes formidable.", "sentiment": "positive"},
        {"id": "u2", "language": "fr", "text": "Je voudrais connaître le solde de mon compte.", "sentiment": "neutral"},
        {"id": "u3", "language": "fr", "text": "J'en ai vraiment assez de ces coupures.", "sentiment": "negative"},
    ]
    (half / "utterances.jsonl").write_text("".join(json.dumps(u, ensure_ascii=False) + "\n" for u in utterances), encoding="utf-8")
    call = {"id": "c1", "language": "fr", "turns": [
        {"speaker": "agent", "text": "Bonjour, je vous écoute."},
        {"speaker": "customer", "text": "Ça fait trois semaines que j'attends mon remboursement, c'est inadmissible."},
        {"speaker": "agent", "text": "Je suis vraiment désolée pour cette attente. Je regarde votre dossier tout de suite."},
        {"speaker": "customer", "text": "Merci."},
        {"speaker": "agent", "text": "Le service comptable s'en occupe bientôt. D'accord ?"},
    ]}
    (half / "conversations.jsonl").write_text(json.dumps(call, ensure_ascii=False) + "\n", encoding="utf-8")
    labels = {"c1": {"signals": {"complaint": {"present": True, "turn": 1}}, "complaint_handling": {
        "acknowledges": {"status": "passed", "turn": 2}, "next_step": {"status": "failed", "turn": 4}}}}
    (half / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    sets = (("a_set", ("dev",)),)

    assert module.feeling_sentences("sentiment_positive", "fr", tmp_path, sets) == (
        ["Merci infiniment, vous êtes formidable."], ["Je voudrais connaître le solde de mon compte.", "J'en ai vraiment assez de ces coupures."])
    assert module.feeling_sentences("sentiment_negative", "fr", tmp_path, sets)[0] == ["J'en ai vraiment assez de ces coupures."]
    # A passed item's turn of two sentences: the one `closest` picks (here the first); a failed item's agent sentences
    # of five words or more after the complaint are negatives (« D'accord ? » is too short).
    assert module.handling_sentences("acknowledges", "fr", lambda sentences: 0, tmp_path, sets) == (["Je suis vraiment désolée pour cette attente."], [])
    assert module.handling_sentences("next_step", "fr", lambda sentences: 0, tmp_path, sets) == (
        [], ["Je suis vraiment désolée pour cette attente.", "Je regarde votre dossier tout de suite.", "Le service comptable s'en occupe bientôt."])
