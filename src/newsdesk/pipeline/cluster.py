"""Stories: whether a new article reports the same event as articles already grouped.

Two outlets rarely share sentences, but they do share the event's names, places and figures
("Storm Halvard", "Greyhaven Mole", "$4.2 billion"). An article is therefore described by its
name-like terms (capitalised words and runs of them, numbers with their units) and, with less
weight, its other words; its title's terms count more. Weights are TF-IDF over the candidate
window the caller passes in, so a name every recent article mentions (the home city) counts for
little, and similarity is the cosine of those vectors. A new article joins the most similar story
when it is close enough and shares at least two distinct names with it: merging two different
events is worse than leaving one story split.

    found = features(title, text)                    # stored beside the article as found.to_json()
    story = assign(Item(found, published, outlet),
                   [Item(Features.from_json(stored), when, their_outlet, their_story), ...])

A candidate can only be chosen when it shares at least ``min_shared_names`` of the newcomer's
names (see ``might_join``), so a caller with an index of names may pass only the candidates that
do, together with a ``Corpus`` of term counts over the whole window: the weights, and so the
choice, are then the same as with every candidate passed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from .keywords import STOPWORDS

__all__ = ["ClusterOptions", "Corpus", "Features", "Item", "VERSION", "assign", "features", "might_join",
           "shared_names", "similarity"]

# Bumped whenever ``features`` changes what it finds, so stored features can be recomputed.
VERSION = 1

SCAN_CHARS = 6000  # the first paragraphs carry the event; later ones drift to background
MAX_NAMES = 60
MAX_WORDS = 60


@dataclass(frozen=True)
class ClusterOptions:
    """How close an article must be to join a story."""

    threshold: float = 0.2  # cosine similarity to the story's closest article
    min_shared_names: int = 2  # distinct names (a multi-word name counts once) shared with that article
    window: timedelta = timedelta(days=3)  # only articles published this close to each other
    name_weight: float = 3.0
    word_weight: float = 1.0
    title_weight: float = 2.0  # multiplies a term that is also in the title
    # The window is treated as at least this many articles, so that with few candidates a shared
    # term still counts as rare rather than as common to "all" of them.
    min_corpus: int = 50
    # An outlet's articles share its local names (its town, its columnists), which makes unrelated
    # pieces look alike; by default an article joins a story only through another outlet's article.
    same_source: bool = False


@dataclass(frozen=True)
class Features:
    """What ``assign`` compares: term counts of one article. Plain data, stored as JSON."""

    names: dict[str, int] = field(default_factory=dict)  # names, multi-word names, numbers with units
    words: dict[str, int] = field(default_factory=dict)  # other content words, lower case
    title: frozenset[str] = frozenset()  # the terms above that the title holds
    version: int = VERSION

    def to_json(self) -> dict:
        """A JSON-ready dict; ``Features.from_json`` reads it back."""
        return {"v": self.version, "names": self.names, "words": self.words, "title": sorted(self.title)}

    @classmethod
    def from_json(cls, data: Mapping | None) -> "Features":
        """Features from ``to_json``'s dict; empty features for None or an empty dict."""
        if not data:
            return cls(version=0)
        return cls(names=dict(data.get("names", {})), words=dict(data.get("words", {})),
                   title=frozenset(data.get("title", ())), version=int(data.get("v", 0)))

    @property
    def is_empty(self) -> bool:
        return not self.names and not self.words


@dataclass(frozen=True)
class Item:
    """One article as ``assign`` sees it."""

    features: Features
    published: datetime
    source: Hashable = None  # the outlet
    story: Hashable = None  # the story it belongs to; ignored for the new article


@dataclass(frozen=True)
class Corpus:
    """Document frequencies over the candidate window: ``size`` articles, and for each term the
    number of them holding it."""

    size: int
    counts: Mapping[str, int]

    @classmethod
    def of(cls, items: Iterable[Features]) -> "Corpus":
        """The corpus of these articles' features."""
        counts: Counter[str] = Counter()
        size = 0
        for item in items:
            size += 1
            counts.update(set(item.names) | set(item.words))
        return cls(size, counts)


# --- finding terms -------------------------------------------------------------------------------

# Capitalised for reasons other than naming the event.
NOT_NAMES = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december today yesterday tomorrow mr mrs ms dr sir dame prof professor st
i it he she we they you this that these those there here the a an but and or if when while as at in on
""".split())
CONNECTORS = frozenset({"of", "de", "del", "della", "du", "da", "van", "von", "der", "den", "la", "le", "al", "bin"})
# Words that name nothing on their own when part of a longer name: "Quay Street", "Port Aldwick".
NAME_PARTS = frozenset("""
street road lane avenue square row quay wharf port harbour harbor bay sea ocean river lake mount island islands
north south east west northern southern eastern western upper lower old new great little royal national
central general united states kingdom republic university college school institute hospital centre center
city county council district park bridge hall house station airport club company group department ministry
minister president chief foreign prime secretary state
""".split())
UNITS = MappingProxyType({"percent": "%", "cent": "%", "pc": "%", "kilometre": "km", "kilometer": "km",
                          "metre": "m", "meter": "m", "mile": "mi", "bn": "billion"})

_SENTENCE_END = re.compile(r"[.!?:;]['\"’”)\]]*\s+|\n+|\s[—–]\s")
_TOKEN = re.compile(r"(?P<number>\d[\d,]*(?:\.\d+)?)|(?P<symbol>%|°[CF])|(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)")
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")


def features(title: str, text: str) -> Features:
    """The terms of an article with this ``title`` and plain ``text``; never raises."""
    body = (text or "")[:SCAN_CHARS]
    names: Counter[str] = Counter()
    words: Counter[str] = Counter()
    capitalised_inside, lowercase = _usage(body)
    for sentence in _sentences(body):
        _collect(sentence, capitalised_inside, lowercase, names, words)
    # Headlines capitalise freely (Title Case, or the first word), so a title's words are names
    # only when the body writes them as names.
    known = set(names)
    title_names: Counter[str] = Counter()
    title_words: Counter[str] = Counter()
    for sentence in _sentences(title or ""):
        _collect(sentence, known, frozenset(), title_names, title_words)
    for term, count in list(title_names.items()):
        if term in known or _is_number(term):
            continue
        # An unknown run's words were counted one by one as well; unknown words are plain words.
        del title_names[term]
        if " " not in term and _useful(term):
            title_words[_stem(term)] += count
    heading = f" {' '.join(_clean(m.group(0)).lower() for m in _TOKEN.finditer(title or ''))} "
    title_names.update({name: 1 for name in known if " " in name and f" {name} " in heading})
    for term, count in list(title_words.items()):
        if term in known:
            title_names[term] += count
            del title_words[term]
    names.update(title_names)
    words.update(title_words)
    kept_names = dict(names.most_common(MAX_NAMES))
    kept_words = dict(words.most_common(MAX_WORDS))
    in_title = {t for t in title_names if t in kept_names} | {t for t in title_words if t in kept_words}
    return Features(names=kept_names, words=kept_words, title=frozenset(in_title))


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def _usage(text: str) -> tuple[set[str], set[str]]:
    """Lower-cased words written capitalised other than at a sentence's start, and words written in
    lower case, anywhere in ``text``."""
    capitalised, lowercase = set(), set()
    for sentence in _sentences(text):
        found = [_clean(m.group("word")) for m in _TOKEN.finditer(sentence) if m.group("word")]
        capitalised.update(w.lower() for w in found[1:] if w[0].isupper())
        lowercase.update(w for w in found if w[0].islower())
    return capitalised, lowercase


def _clean(token: str) -> str:
    """A word without a possessive ending: "Lumetra's" -> "Lumetra"."""
    return re.sub(r"['’]s$", "", token)


def _collect(sentence: str, capitalised_inside: set[str], lowercase: set[str] | frozenset[str],
             names: Counter, words: Counter) -> None:
    """Count the names and words of one sentence into ``names`` and ``words``."""
    tokens = list(_TOKEN.finditer(sentence))
    run: list[str] = []

    def close_run() -> None:
        while run and run[-1].lower() in CONNECTORS:
            run.pop()
        parts = [p.lower() for p in run]
        run.clear()
        if len(parts) == 1 and parts[0] in lowercase:
            # "Council" at a sentence's start, "council" elsewhere: a plain word.
            words[_stem(parts[0])] += 1
        elif len(parts) == 1:
            names[parts[0]] += 1
        elif parts:
            names[" ".join(parts)] += 1
            names.update(p for p in parts if p not in CONNECTORS and p not in NAME_PARTS and p not in lowercase)

    position = 0
    while position < len(tokens):
        match = tokens[position]
        if match.group("number"):
            close_run()
            term, used = _number(sentence, tokens, position)
            if term:
                names[term] += 1
            position += 1 + used
            continue
        position += 1
        if not match.group("word"):
            continue
        token = _clean(match.group("word"))
        lower = token.lower()
        is_name = (token[0].isupper() and len(token) > 1 and lower not in NOT_NAMES and lower not in STOPWORDS
                   and (position > 1 or lower in capitalised_inside or _capitalised_at(tokens, position)))
        if is_name:
            run.append(token)
        elif run and lower in CONNECTORS:
            run.append(token)
        else:
            close_run()
            if _useful(lower):
                words[_stem(lower)] += 1
    close_run()


def _capitalised_at(tokens: list[re.Match], position: int) -> bool:
    """Whether the token at ``position`` is a capitalised word, as "Halvard" after a sentence's
    first word in "Storm Halvard reached the coast"."""
    word = tokens[position].group("word") if position < len(tokens) else None
    return bool(word) and word[0].isupper() and word.lower() not in STOPWORDS and word.lower() not in NOT_NAMES


def _number(sentence: str, tokens: list[re.Match], position: int) -> tuple[str, int]:
    """The term for the number at ``tokens[position]`` ("2,400 metres" -> "2400 m") and how many
    tokens after it the term used; "" when the number says too little alone (a year, "12")."""
    digits = tokens[position].group("number")
    value = digits.replace(",", "")
    unit, used = "", 0
    following = tokens[position + 1] if position + 1 < len(tokens) else None
    if following is not None and sentence[tokens[position].end():following.start()] in ("", " ", "-", "\u00a0"):
        word = following.group("word") or ""
        if following.group("symbol"):
            unit, used = following.group("symbol"), 1
        elif word.lower() == "per" and position + 2 < len(tokens) and tokens[position + 2].group(0) == "cent":
            unit, used = "%", 2
        elif word and (word.lower() in UNITS or (word[0].islower() and _useful(word))):
            unit, used = UNITS.get(_stem(word.lower()), _stem(word.lower())), 1
    if _YEAR.fullmatch(digits) and unit not in UNITS.values():
        return "", 0  # a year; the word after it is read on its own
    if unit:
        return f"{value} {unit}", used
    return (value, 0) if len(value.replace(".", "")) >= 3 else ("", 0)


def _is_number(term: str) -> bool:
    return term[:1].isdigit()


def _useful(word: str) -> bool:
    return len(word) > 2 and word not in STOPWORDS and word not in NOT_NAMES and not word.isdigit()


def _stem(word: str) -> str:
    """A light plural fold, so "trucks" meets "truck"."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# --- comparing ----------------------------------------------------------------------------------

def _weights(item: Features, idf: Mapping[str, float], options: ClusterOptions) -> dict[str, float]:
    vector = {}
    for terms, kind in ((item.names, options.name_weight), (item.words, options.word_weight)):
        for term, count in terms.items():
            weight = kind * (1 + math.log(count)) * idf.get(term, 0.0)
            if term in item.title:
                weight *= options.title_weight
            if weight > 0:
                vector[term] = weight
    return vector


def _idf(corpus: Corpus, options: ClusterOptions) -> dict[str, float]:
    size = max(corpus.size, options.min_corpus)
    return {term: max(0.0, math.log((size + 1) / (df + 0.5))) for term, df in corpus.counts.items()}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values())))


def shared_names(a: Features, b: Features) -> int:
    """Distinct names both mention; a multi-word name counts once, with the words inside it.

    Never more than ``len(set(a.names) & set(b.names))``."""
    shared = set(a.names) & set(b.names)
    phrases = {t for t in shared if " " in t and not _is_number(t)}
    inside = {part for phrase in phrases for part in phrase.split()}
    longest = {p for p in phrases if not any(p != q and f" {p} " in f" {q} " for q in phrases)}
    return len(longest) + len(shared - phrases - inside)


def similarity(a: Features, b: Features, context: Sequence[Features] = (),
               options: ClusterOptions | None = None) -> float:
    """Cosine similarity of two articles, with term weights taken over ``a``, ``b`` and ``context``."""
    options = options or ClusterOptions()
    idf = _idf(Corpus.of([a, b, *context]), options)
    return _cosine(_weights(a, idf, options), _weights(b, idf, options))


def might_join(new: Item, item: Item, options: ClusterOptions | None = None) -> bool:
    """Whether ``assign`` could put ``new`` in ``item``'s story, before comparing their weights:
    ``item`` has a story and features, is in the window, is of another outlet (unless
    ``options.same_source``) and shares ``options.min_shared_names`` names with ``new``."""
    options = options or ClusterOptions()
    if item.story is None or item.features.is_empty or abs(item.published - new.published) > options.window:
        return False
    if not options.same_source and new.source is not None and item.source == new.source:
        return False
    return shared_names(new.features, item.features) >= options.min_shared_names


def assign(new: Item, candidates: Sequence[Item], options: ClusterOptions | None = None,
           corpus: Corpus | None = None) -> Hashable | None:
    """The story ``new`` belongs to, or None when it starts a story of its own.

    ``candidates`` are recent articles with their stories, ``new`` not among them; those published
    more than ``options.window`` from ``new`` are ignored, and so, unless ``options.same_source``,
    are those of ``new``'s own outlet. The story of the most similar candidate wins when that
    similarity reaches ``options.threshold`` and the two share ``options.min_shared_names`` names;
    among equals, the earliest in ``candidates``.

    Term weights come from ``new`` and the candidates in the window, or, when given, from
    ``corpus``: the counts over ``new`` and every article of the window, of which ``candidates``
    may then be only those that ``might_join``.
    """
    options = options or ClusterOptions()
    if new.features.is_empty:
        return None
    if corpus is None:
        window = [item.features for item in candidates
                  if not item.features.is_empty and abs(item.published - new.published) <= options.window]
        corpus = Corpus.of([new.features, *window])
    idf = _idf(corpus, options)
    mine = _weights(new.features, idf, options)
    best, best_score = None, 0.0
    for item in candidates:
        if not might_join(new, item, options):
            continue  # cheaper than the cosine, and rules out most candidates
        score = _cosine(mine, _weights(item.features, idf, options))
        if score >= options.threshold and score > best_score:
            best, best_score = item.story, score
    return best
