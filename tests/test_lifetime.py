"""Models, lexicons and rubrics are made where the cyclic collector does not run, then moved out of its view."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from qualicall.models.lifetime import long_lived
from qualicall.scorer.rubric import load_rubric


@pytest.fixture
def collections():
    """The generation of each collection that starts while the test runs."""
    started: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    yield started
    gc.callbacks.remove(record)


def test_no_collection_while_long_lived_objects_are_made_and_then_none_walks_them(collections):
    frozen = gc.get_freeze_count()
    collections.clear()  # (pytest's own work before the block)
    with long_lived():
        kept = [[n] for n in range(100_000)]  # 100,000 containers: a collection every 700 at the default threshold
    assert collections == [] and gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)
    garbage = [[n] for n in range(10_000)]
    assert collections and garbage  # outside the block the collector runs again


def test_a_block_inside_another_or_with_the_collector_off_leaves_its_setting_alone():
    with long_lived():
        with long_lived():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with long_lived():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_rubric_loads_without_a_collection(collections, tmp_path):
    text = next(Path(__file__).resolve().parent.parent.joinpath("qualicall").rglob("default-en.yaml")).read_text(encoding="utf-8")
    path = tmp_path / "grid.yaml"
    path.write_text(text + "\n# a copy of its own: loaded, not taken from the cache of loaded rubrics\n", encoding="utf-8")
    collections.clear()
    rubric = load_rubric(str(path))
    assert rubric.language == "en" and collections == []
