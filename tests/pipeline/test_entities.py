"""The entities stage on committed texts, with the real spaCy model (loaded once per module)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsdesk.pipeline.entities import Entity, EntityError, EntityOptions, clean_span, find_entities, load_model

FIXTURES = Path(__file__).parent / "fixtures" / "geoparse"


@pytest.fixture(scope="module")
def nlp():
    return load_model()


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_names_with_spans_and_kinds(nlp):
    text = _read("rockets.txt")
    entities = find_entities(text, nlp)
    for entity in entities:
        assert text[entity.start:entity.end] == entity.text
    places = [e.text for e in entities if e.kind == "place"]
    assert places == ["Iraq", "Zummar", "US", "Rumaylan", "Syria"]  # "Iraq's" cleaned to "Iraq"


def test_people_and_organisations(nlp):
    entities = find_entities(_read("paris_texas.txt"), nlp)
    kinds = {e.text: e.kind for e in entities}
    assert kinds["Jane Holloway"] == "person"
    assert all(e.kind in ("person", "organisation", "place") for e in entities)
    assert all(isinstance(e, Entity) and e.label for e in entities)


def test_text_without_names(nlp):
    assert find_entities(_read("no_places.txt"), nlp) == ()
    assert find_entities("", nlp) == ()


def test_groups_option(nlp):
    text = "Russian troops and Iraqi officials met Democrats in the capital."
    with_groups = {e.text for e in find_entities(text, nlp)}
    without = {e.text for e in find_entities(text, nlp, EntityOptions(groups=False))}
    assert "Russian" in with_groups and "Russian" not in without


def test_huge_text_is_bounded(nlp):
    filler = "The committee talked about budgets for a long time. " * 4000   # about 210,000 characters
    text = "Officials in Canada spoke first. " + filler + "Then Brazil answered."
    started = time.perf_counter()
    entities = find_entities(text, nlp, EntityOptions(max_chars=20_000))
    assert time.perf_counter() - started < 10
    names = {e.text for e in entities}
    assert "Canada" in names and "Brazil" not in names
    assert all(e.end <= 20_000 for e in entities)


@pytest.mark.parametrize(("raw", "clean"), [
    ("the United States", "United States"),
    ("Iraq's", "Iraq"),
    ("“Gaza”,", "Gaza"),
    ("U.S.", "U.S."),
    ("Ill.", "Ill."),
    ("Ohio.", "Ohio"),
    ("Calif.", "Calif"),
    ("Main Street\nNext", "Main Street"),
])
def test_clean_span(raw, clean):
    text = "x " + raw + " y"
    span = clean_span(text, 2, 2 + len(raw))
    assert span is not None and text[span[0]:span[1]] == clean


def test_clean_span_of_punctuation_is_none():
    assert clean_span("a ,;' b", 1, 5) is None


def test_errors(nlp):
    with pytest.raises(EntityError):
        find_entities(b"bytes", nlp)  # type: ignore[arg-type]
    with pytest.raises(EntityError):
        load_model("no_such_model_xyz")
