"""The coach pages label criteria and items with the rubric's own words, in the coach's language:
the API in process (FastAPI's test client) on a real SQLite file, scoring with a deployment's rubric."""

from __future__ import annotations

import html
import re

import pytest
import yaml

from conftest import EXAMPLES
from qualicall.scorer.rubric import rubric_path

OFFER_HELP = {"fr": "Proposition de service Acme", "en": "Acme offer of service"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from fastapi.testclient import TestClient

    from qualicall.api.app import create_app
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.security import Sealer
    from qualicall.store.repository import create_api_key

    folder = tmp_path_factory.mktemp("labels")
    text = rubric_path("default-fr").read_text(encoding="utf-8").replace("id: default-fr", "id: acme-fr")
    text = text.replace("label: {fr: Proposition d'aide, en: Offer of help}", f"label: {{fr: {OFFER_HELP['fr']}, en: {OFFER_HELP['en']}}}")
    rubric = folder / "acme.yaml"
    rubric.write_text(text, encoding="utf-8")
    settings = Settings(data_dir=folder, database_url=None, rubric=str(rubric), redact=False, warm_up=False)
    store = Store(settings.url)
    with store.session() as session:
        keys = {role: create_api_key(session, f"labels-{role}", role, Sealer.from_file(settings.sealing_key))[1] for role in ("crm", "coach")}
    store.close()
    with TestClient(create_app(settings, run_jobs=False), base_url="https://testserver") as client:
        call = yaml.safe_load((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))
        answer = client.post("/v1/interactions", json=call, headers={"Authorization": f"Bearer {keys['crm']}"})
        assert answer.status_code == 201, answer.text
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        signed = client.post("/login", data={"api_key": keys["coach"], "next": "/queue", "csrf": token}, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        yield {"client": client, "id": call["id"], "rubric": yaml.safe_load(text)}


def page(workspace, path: str, language: str) -> str:
    client = workspace["client"]
    client.cookies.set("qualicall_lang", language)
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return html.unescape(answer.text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_call_page_shows_the_rubrics_labels(workspace, language):
    shown = page(workspace, f"/calls/{workspace['id']}", language)
    criteria = workspace["rubric"]["criteria"]
    assert OFFER_HELP[language] in shown
    for criterion in criteria.values():
        assert criterion["label"][language] in shown
        for item in criterion["items"].values():
            assert item["label"][language] in shown
    assert "Offre d'aide" not in shown and "Offer of help" not in shown  # neither the old interface table nor the default grid


def test_the_queue_filter_lists_items_in_the_grids_order_with_its_labels(workspace):
    shown = page(workspace, "/queue", "fr")
    options = re.findall(r'<option value="([a-z_]+\.[a-z_]+)"[^>]*>([^<]+)</option>', shown)
    assert options, "the failed-item filter offers the scored items"
    criteria = workspace["rubric"]["criteria"]
    grid = [f"{c}.{i}" for c, criterion in criteria.items() for i in criterion["items"]]
    assert [key for key, _ in options] == [key for key in grid if key in dict(options)]
    for key, label in options:
        criterion_id, item_id = key.split(".")
        assert label == criteria[criterion_id]["items"][item_id]["label"]["fr"]


def test_no_string_of_the_pages_is_written_twice():
    """A key given twice in the strings' table keeps its last text, silently: the printout's « Commentaire du coach »
    read « Commentaire » (a calibration lead's review)."""
    import ast
    from collections import Counter

    from conftest import ROOT

    tree = ast.parse((ROOT / "qualicall" / "api" / "web" / "i18n.py").read_text(encoding="utf-8"))
    tables = [node for node in ast.walk(tree) if isinstance(node, ast.Dict) and len(node.keys) > 50]
    assert tables, "the strings' table was not found"
    for table in tables:
        counts = Counter(key.value for key in table.keys if isinstance(key, ast.Constant))
        assert [key for key, n in counts.items() if n > 1] == []
