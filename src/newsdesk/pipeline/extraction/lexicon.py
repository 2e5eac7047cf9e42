"""Learned word weights: what a segment's opening words and its ancestors' class names say.

Two linear models feed the block classifier one score each. Their keys are built here, by the
same functions at training and at run time: the first and last words of a segment ("read",
"more", "follow", "newsletter", ...) and the class/id words of its enclosing block elements,
bucketed by how far up they are ("a0:entry", "a1:content", "a3:sidebar").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_NAME = re.compile(r"[a-z]{2,}")
HEAD_WORDS = 5
TAIL_WORDS = 2
ANCESTOR_LEVELS = 8
SHORT_CHARS = 100


def text_words(text: str) -> tuple[list[str], list[str], list[str]]:
    """The words behind a segment's text keys: its first words, its last words, and every
    word of a short segment (boilerplate lines are short)."""
    head = _TOKEN.findall(text[:120].lower())
    if len(text) <= SHORT_CHARS:
        return head[:HEAD_WORDS], head[-TAIL_WORDS:], list(set(head))
    return head[:HEAD_WORDS], _TOKEN.findall(text[-60:].lower())[-TAIL_WORDS:], []


def text_keys(text: str) -> list[str]:
    """Keys of a segment's text: its ``text_words``, marked by where they stand."""
    first, last, short = text_words(text)
    return [f"f:{w}" for w in first] + [f"l:{w}" for w in last] + [f"w:{w}" for w in short]


def name_words(name: str) -> list[str]:
    """The distinct words of one element's class and id."""
    return sorted(set(_NAME.findall(name)))


def name_keys(path: Sequence[int], names: Sequence[str]) -> list[str]:
    """Keys of a segment's ancestry: class/id words of its enclosing elements, by level."""
    keys: list[str] = []
    for level, node in enumerate(reversed(path[-ANCESTOR_LEVELS:])):
        bucket = min(level, 3)
        keys.extend(f"a{bucket}:{w}" for w in name_words(names[node]))
    return keys


def text_tables(weights: Mapping[str, float]) -> tuple[dict, dict, dict]:
    """The text lexicon split by key kind: first words ("f:"), last words ("l:") and the words
    of a short segment ("w:"), each a word -> weight table."""
    tables: dict[str, dict[str, float]] = {"f": {}, "l": {}, "w": {}}
    for key, value in weights.items():
        kind, _, word = key.partition(":")
        if kind in tables:
            tables[kind][word] = value
    return tables["f"], tables["l"], tables["w"]


def score_text(texts: Sequence[str], tables: tuple[Mapping, Mapping, Mapping],
               bias: float) -> np.ndarray:
    """Linear score of each text's keys: the sum over ``text_keys``, looked up by word in the
    lexicon's ``text_tables`` rather than by building each key."""
    gets = [table.get for table in tables]
    out = np.empty(len(texts), dtype=np.float64)
    for i, text in enumerate(texts):
        total = bias
        for get, words in zip(gets, text_words(text)):
            for w in words:  # plain loops: this runs for every segment of every page
                total += get(w, 0.0)
        out[i] = total
    return out


def score_names(paths: Sequence[Sequence[int]], names: Sequence[str],
                weights: Mapping[str, float], bias: float) -> np.ndarray:
    """Linear score of each segment's ancestry keys (element sums computed once per page)."""
    get = weights.get
    per_node: dict[tuple[int, int], float] = {}
    per_path: dict[tuple[int, ...], float] = {}
    out = np.empty(len(paths), dtype=np.float64)
    for i, path in enumerate(paths):
        tail = tuple(path[-ANCESTOR_LEVELS:])
        total = per_path.get(tail)
        if total is None:
            total = bias
            for level, node in enumerate(reversed(tail)):
                bucket = min(level, 3)
                key = (node, bucket)
                value = per_node.get(key)
                if value is None:
                    words = name_words(names[node]) if names[node].strip() else ()
                    value = per_node[key] = sum(get(f"a{bucket}:{w}", 0.0) for w in words)
                total += value
            per_path[tail] = total
        out[i] = total
    return out
