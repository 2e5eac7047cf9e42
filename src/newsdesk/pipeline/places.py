"""Places: the place names of a text, each resolved to a gazetteer entry with coordinates.

``Gazetteer.load()`` reads the gazetteer shipped as package data (``data/gazetteer.tsv.gz``,
built from GeoNames by ``tools/build_gazetteer.py``); the caller loads it once per process and
passes it in. ``resolve`` picks an entry for each place name; ``geoparse`` runs the entities
stage and ``resolve`` together.
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from newsdesk.pipeline.entities import Entity, EntityOptions, find_entities
from newsdesk.pipeline.errors import PipelineError, unexpected_errors

FORMAT = "newsdesk-gazetteer 1"
SHIPPED = "data/gazetteer.tsv.gz"
KINDS = ("continent", "country", "region", "county", "city")


class PlaceError(PipelineError):
    """The text or its entities could not be read for places."""


class GazetteerError(PlaceError):
    """The gazetteer file is missing or not in the format this version reads."""


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One place of the gazetteer.

    ``geonameid`` is GeoNames's id; regions and counties that the sources give no GeoNames id
    carry a negative one. ``country`` is ISO 3166 alpha-2 ("" for continents), ``admin1`` the
    GeoNames first-level admin code, ``kind`` one of ``KINDS``.
    """

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    kind: str


_ABBREVIATED_WORDS = {"st": "saint", "st.": "saint", "ste.": "sainte", "ft.": "fort", "mt.": "mount"}


def normalize(name: str) -> str:
    """The lookup key of a name: case, accents, dashes, "the" and "St."/"Saint" folded."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").replace("-", " ")
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(_ABBREVIATED_WORDS.get(word, word) for word in words)


class Gazetteer:
    """Place names to entries, in memory. Read-only once loaded; safe to share between threads."""

    def __init__(self, rows: list[str], names: dict[str, int | list[int]], demonyms: dict[str, int]):
        self._rows = rows          # one tab-separated line per entry, parsed on demand
        self._names = names        # normalised name -> row number(s), most populous first
        self._demonyms = demonyms  # normalised demonym -> row number
        self._by_id = {int(row.split("\t", 1)[0]): number for number, row in enumerate(rows)}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Gazetteer:
        """The gazetteer at ``path``, or the one shipped with newsdesk. Raises GazetteerError."""
        source = resources.files("newsdesk.pipeline").joinpath(SHIPPED) if path is None else Path(path)
        try:
            # Streamed line by line: holding the whole decompressed text would double the peak memory.
            with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="\n") as lines:
                if lines.readline().rstrip("\n") != FORMAT:
                    raise GazetteerError(f"not a gazetteer file (expected {FORMAT!r} on its first line)")
                return cls._index(line.rstrip("\n") for line in lines if line != "\n")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise GazetteerError(f"cannot read the gazetteer: {exc}") from None

    @classmethod
    def _index(cls, lines: Iterator[str]) -> Gazetteer:
        rows: list[str] = []
        names: dict[str, int | list[int]] = {}
        demonyms: dict[str, int] = {}
        for number, line in enumerate(lines):
            fields = line.split("\t")
            if len(fields) != 10:
                raise GazetteerError(f"gazetteer line {number + 2} has {len(fields)} fields, not 10")
            rows.append("\t".join(fields[:8]))
            for key in fields[8].split("|"):
                _add(names, key, number)
            if fields[9]:
                for key in fields[9].split("|"):
                    demonyms.setdefault(key, number)
        return cls(rows, names, demonyms)

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, name: str) -> list[GazetteerEntry]:
        """Entries whose name or alternate name is ``name`` (normalised), most populous first."""
        found = self._names.get(normalize(name))
        if found is None:
            return []
        return [self._entry(n) for n in ((found,) if isinstance(found, int) else found)]

    def demonym(self, word: str) -> GazetteerEntry | None:
        """The country or continent a demonym ("Iraqi", "Europeans") names, or None."""
        number = self._demonyms.get(normalize(word))
        return None if number is None else self._entry(number)

    def get(self, geonameid: int) -> GazetteerEntry | None:
        """The entry with this id, or None."""
        number = self._by_id.get(geonameid)
        return None if number is None else self._entry(number)

    def _entry(self, number: int) -> GazetteerEntry:
        gid, name, lat, lon, country, admin1, population, kind = self._rows[number].split("\t")
        return GazetteerEntry(int(gid), name, float(lat), float(lon), country, admin1, int(population), kind)


def _add(index: dict[str, int | list[int]], key: str, number: int) -> None:
    present = index.get(key)
    if present is None:
        index[key] = number
    elif isinstance(present, int):
        index[key] = [present, number]
    else:
        present.append(number)


# ---------------------------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A place name at ``text[start:end]`` and the entry it names, or None when unresolved."""

    start: int
    end: int
    text: str
    entry: GazetteerEntry | None


@dataclass(frozen=True)
class PlaceOptions:
    """How names are found and resolved.

    ``outlet_country``: ISO alpha-2 country of the outlet, a prior for ambiguous names.
    ``demonyms``: "Iraqi", "Russians" count as mentions of their country (LGL and TR-News
    annotate them; GeoVirus does not). ``gazetteer_names``: also match capitalised words that
    the recogniser did not label (or labelled as people or organisations) against the gazetteer.
    ``min_city_population``: below this, such a name is a place only when the article's other
    places support it. ``max_candidates``: entries weighed per name, most populous first.
    """

    outlet_country: str = ""
    demonyms: bool = True
    gazetteer_names: bool = True
    min_city_population: int = 20_000
    max_candidates: int = 40


@dataclass(frozen=True)
class Geoparse:
    """A text's places and its entities; an entity resolved as a place has kind "place"."""

    places: tuple[Place, ...]
    entities: tuple[Entity, ...]


# Labels whose names are places whatever the gazetteer says; others need a gazetteer match.
PLACE_LABELS = frozenset({"GPE", "LOC"})
GAZETTEER_LABEL = "GAZ"   # the label of a place found by matching the gazetteer alone
MAX_NGRAM = 4
_WORD = re.compile(r"[^\W\d_](?:[\w'’.]*[\w.])?")
_CONNECTORS = frozenset({"of", "de", "del", "la", "le", "du", "da", "upon", "on", "am", "and", "el", "al"})
_GENERIC_AFFIXES = re.compile(
    r"^(?:(?:north|south|east|west|central|northern|southern|eastern|western|northeast|northwest|"
    r"southeast|southwest|northeastern|northwestern|southeastern|southwestern|greater|downtown|"
    r"metro|upstate|rural)\s+)|(?:\s+(?:province|district|state|county|city|region|area|"
    r"governorate|prefecture|department|municipality|township|village|town))$", re.IGNORECASE)
# Capitalised words that name places somewhere but in news are mostly something else.
COMMON_WORDS = frozenset("""
a an and the of in on at to for from by with as or but not no yes it its he she they we you i
mr mrs ms dr sen rep gov president governor mayor police sheriff university college school church
north south east west central northern southern eastern western centre center capital coast city
county state states region district province national international new old great little long
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday today christmas easter god lord
home union victoria justice independence liberty hope faith unity friendship concord commerce
port lake mount river bay valley street road avenue park parks wharf middle orchard harbour harbor
bridge hill falls island beach point forest field square market station airport school hall plaza
garden gardens heights springs ridge grove creek village quarter estate midfield
""".split())
# The last word of a street's, a school's or a building's name: the name is not a place's.
_FACILITY_WORD = re.compile(r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Drive|Boulevard|Blvd\.?|Lane|Highway|"
                            r"Way|Court|Place|Parkway|Terrace|School|Academy|Hospital|Station|Airport|Stadium|"
                            r"Hall|Centre|Center|Church|Cathedral|Bridge|Wharf|Pier|Estate)")
_WORLD = ("continent", "country")
# A place name followed by one of these names a disease or a strain ("West Nile virus").
_NAMED_AFTER = re.compile(r"[\s-]+(?:virus|viruses|ebolavirus|fever|flu|disease|strain)\b", re.IGNORECASE)
# A name followed by one of these is a street's ("Dublin Road"), not the place's.
_STREET = re.compile(r"\s+(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Drive|Dr\.|Boulevard|Blvd\.|Lane|Highway|"
                     r"Pike|Way|Court|Place|Parkway|Circle|Trail|Terrace)\b")
_KIND_BONUS = {"continent": 3.0, "country": 3.0, "region": 1.5, "county": 1.5, "city": 0.0}
_UNKNOWN_POPULATION_PRIOR = 4.0   # log10 people, for regions and counties without a figure


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    text: str
    label: str                      # spaCy's label, or GAZETTEER_LABEL
    candidates: tuple[GazetteerEntry, ...]
    demonym: bool = False


@unexpected_errors(PlaceError, "the text")
def resolve(text: str, entities: Sequence[Entity], gazetteer: Gazetteer,
            options: PlaceOptions | None = None) -> tuple[Place, ...]:
    """The places named in ``text``, in order of position, each resolved or left unresolved.

    ``entities`` are ``find_entities``' names; names of any kind that match the gazetteer can
    be places. Raises PlaceError.
    """
    options = options or PlaceOptions()
    mentions = _mentions(text, entities, gazetteer, options)
    chosen = _choose(text, mentions, gazetteer, options)
    places = [Place(m.start, m.end, m.text, entry) for m, entry, keep in chosen if keep]
    return tuple(sorted(places, key=lambda p: p.start))


def geoparse(text: str, nlp, gazetteer: Gazetteer, options: PlaceOptions | None = None,
             entity_options: EntityOptions | None = None) -> Geoparse:
    """Entities and places of ``text`` together. Raises EntityError or PlaceError."""
    entities = find_entities(text, nlp, entity_options)
    places = resolve(text, entities, gazetteer, options)
    return Geoparse(places, _with_places(entities, places))


def _with_places(entities: tuple[Entity, ...], places: tuple[Place, ...]) -> tuple[Entity, ...]:
    """Entities made kind "place" where they were resolved as one, plus the places the
    gazetteer alone found (a place inside an organisation's name keeps the organisation)."""
    by_start = {p.start: p for p in places}
    out = []
    for entity in entities:
        place = by_start.get(entity.start)
        # The places stage may have taken back an abbreviation's full stop ("Calif.").
        if place is not None and place.end in (entity.end, entity.end + 1):
            entity = Entity(place.start, place.end, place.text, "place", entity.label)
        out.append(entity)
    spans = {(e.start, e.end) for e in out}
    out += [Entity(p.start, p.end, p.text, "place", GAZETTEER_LABEL) for p in places
            if (p.start, p.end) not in spans]
    return tuple(sorted(out, key=lambda e: (e.start, -e.end)))


# ---------------------------------------------------------------------------------------------
# Finding the names
# ---------------------------------------------------------------------------------------------

def _mentions(text: str, entities: Sequence[Entity], gazetteer: Gazetteer,
              options: PlaceOptions) -> list[_Mention]:
    """Candidate place names: the recogniser's names that can be places, then capitalised words
    elsewhere (and inside organisations' names) that the gazetteer knows."""
    mentions: list[_Mention] = []
    blocked: list[tuple[int, int]] = []
    rejected: set[tuple[int, int]] = set()   # whole names judged not places: parts may still be
    for entity in entities:
        mention = _entity_mention(text, entity, gazetteer, options)
        if mention is not None and not mention.candidates and " " in mention.text:
            # "Lamar County Sheriff's Office" labelled a place: the place is the part that is one
            inner = _gazetteer_mentions(text, [], set(), gazetteer, options, within=(mention.start, mention.end))
            if inner:
                mentions += [_Mention(m.start, m.end, m.text, entity.label, m.candidates, m.demonym) for m in inner]
                blocked.append((mention.start, mention.end))
                continue
        if mention is not None:
            mentions.append(mention)
            blocked.append((mention.start, mention.end))
        elif entity.label in ("PERSON", "NORP"):
            blocked.append((entity.start, entity.end))  # "George Washington" holds no place
        else:
            rejected.add((entity.start, entity.end))
    if options.gazetteer_names:
        mentions += _gazetteer_mentions(text, blocked, rejected, gazetteer, options)
    return mentions


def _entity_mention(text: str, entity: Entity, gazetteer: Gazetteer, options: PlaceOptions) -> _Mention | None:
    if _NAMED_AFTER.match(text, entity.end):
        return None
    if entity.text[:1].islower():
        return None  # "in midfield": a place's name is written with a capital
    last_word = entity.text.split()[-1] if entity.text.split() else ""
    if " " in entity.text and _FACILITY_WORD.fullmatch(last_word):
        return None  # "River Road", "Cedar Ridge Middle School"
    if entity.label == "NORP":
        country = gazetteer.demonym(entity.text) if options.demonyms else None
        if country is not None:
            return _Mention(entity.start, entity.end, entity.text, entity.label, (country,), demonym=True)
        return None
    start, end, candidates = _lookup_span(text, entity.start, entity.end, gazetteer, options)
    if not candidates and entity.label in PLACE_LABELS:
        candidates = _lookup_generic(entity.text, gazetteer, options)
    if candidates or entity.label in PLACE_LABELS:
        return _Mention(start, end, text[start:end], entity.label, tuple(candidates))
    return None


def _lookup_span(text: str, start: int, end: int, gazetteer: Gazetteer,
                 options: PlaceOptions) -> tuple[int, int, list[GazetteerEntry]]:
    """Entries for ``text[start:end]``, taking a following full stop when that makes a known
    abbreviation ("Ill." at the end of a sentence)."""
    name = text[start:end]
    if text[end:end + 1] == "." and not name.endswith("."):
        with_stop = gazetteer.lookup(name + ".")
        if with_stop:
            return start, end + 1, with_stop[: options.max_candidates]
    found = gazetteer.lookup(name)
    if not found and name.endswith("."):
        found = gazetteer.lookup(name[:-1])
    return start, end, found[: options.max_candidates]


def _lookup_generic(name: str, gazetteer: Gazetteer, options: PlaceOptions) -> list[GazetteerEntry]:
    """Entries for a name with its generic words removed ("Sichuan province", "northern Iraq")."""
    bare = _GENERIC_AFFIXES.sub("", name).strip()
    if bare == name or not bare:
        return []
    # "Northern Iraq" is Iraq, but "Eastern Wharf" is not a hamlet called Wharf.
    return [entry for entry in gazetteer.lookup(bare)[: options.max_candidates]
            if entry.kind != "city" or entry.population >= options.min_city_population]


def _gazetteer_mentions(text: str, blocked: list[tuple[int, int]], rejected: set[tuple[int, int]],
                        gazetteer: Gazetteer, options: PlaceOptions,
                        within: tuple[int, int] | None = None) -> list[_Mention]:
    """Capitalised n-grams outside the blocked spans (and inside ``within``, when given) that
    name a gazetteer entry, longest first."""
    lowered = {m.group().lower() for m in _WORD.finditer(text) if m.group()[0].islower()}
    found = []
    for run in _capitalised_runs(text):
        if within is not None:
            run = [word for word in run if within[0] <= word[0] and word[1] <= within[1]]
        if len(run) > 1 and _FACILITY_WORD.fullmatch(text[run[-1][0]:run[-1][1]].rstrip(".")):
            continue  # "Orchard Hill Road", "Mill Street": a street's name holds no place
        index = 0
        while index < len(run):
            match = None
            for size in range(min(MAX_NGRAM, len(run) - index), 0, -1):
                start, end = run[index][0], run[index + size - 1][1]
                if (_overlaps(start, end, blocked) or (start, end) in rejected or _STREET.match(text, end)
                        or _NAMED_AFTER.match(text, end)):
                    continue
                match = _ngram_mention(text, start, end, size, lowered, gazetteer, options)
                if match is not None:
                    break
            if match is None:
                index += 1
                continue
            found.append(match)
            index += size
    return found


def _ngram_mention(text: str, start: int, end: int, size: int, lowered: set[str],
                   gazetteer: Gazetteer, options: PlaceOptions) -> _Mention | None:
    name = text[start:end].rstrip(".")
    end = start + len(name)
    if name.startswith(("The ", "A ", "An ")):
        return None  # tried again without the article, one word on
    if size == 1 and (name.lower() in COMMON_WORDS or name.lower() in lowered or len(name) < 3):
        return None
    if name.endswith(("'s", "’s")):
        name, end = name[:-2], end - 2
    if options.demonyms:
        country = gazetteer.demonym(name)
        if country is not None:
            return _Mention(start, end, name, GAZETTEER_LABEL, (country,), demonym=True)
    start, end, candidates = _lookup_span(text, start, end, gazetteer, options)
    if not candidates:
        return None
    return _Mention(start, end, text[start:end], GAZETTEER_LABEL, tuple(candidates))


def _capitalised_runs(text: str) -> list[list[tuple[int, int]]]:
    """Runs of capitalised words, joined by single spaces or hyphens (and "of", "de", ...)."""
    runs, run, pending = [], [], []
    last_end = -1
    for match in _WORD.finditer(text):
        word, start = match.group(), match.start()
        gap = text[last_end:start] if last_end >= 0 else None
        joined = gap in (" ", "-") and bool(run)
        if word[0].isupper() and (joined or (pending and gap == " ")):
            run += pending
            pending = []
            run.append((start, match.end()))
        elif word in _CONNECTORS and run and gap == " " and not pending:
            pending = [(start, match.end())]
        else:
            if run:
                runs.append(run)
            run, pending = ([(start, match.end())] if word[0].isupper() else []), []
        if run and run[-1][1] == match.end() and word.endswith(".") and not _is_abbreviation(word):
            runs.append(run)  # a full stop ends the sentence, and the run
            run = []
        last_end = match.end()
    if run:
        runs.append(run)
    return runs


def _is_abbreviation(word: str) -> bool:
    return word.count(".") > 1 or len(word) <= 6


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


# ---------------------------------------------------------------------------------------------
# Choosing the entries
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Context:
    """What the article's other places say: their countries, first-level regions and points."""

    countries: dict[str, float]
    regions: frozenset[tuple[str, str]]
    points: tuple[tuple[str, float, float], ...]   # (normalised name, lat, lon) of towns and counties


def _choose(text: str, mentions: list[_Mention], gazetteer: Gazetteer,
            options: PlaceOptions) -> list[tuple[_Mention, GazetteerEntry | None, bool]]:
    """Two passes: each name's likeliest entry on its own (population, kind, containment), then
    again beside the first pass's choices for the article's other names."""
    containers = [_container(text, m, gazetteer) for m in mentions]
    empty = _Context({}, frozenset(), ())
    first = [_best(m, c, empty, options) for m, c in zip(mentions, containers)]
    context = _context(mentions, first)
    out = []
    for mention, container in zip(mentions, containers):
        own = normalize(mention.text)
        scored = _best(mention, container, _context(mentions, first, own), options, scored=True)
        entry, score = scored if scored else (None, 0.0)
        out.append((mention, entry, _keep(mention, entry, score, container, context, options)))
    return out


def _context(mentions: list[_Mention], chosen: list, own: str | None = None) -> _Context:
    """The context of the chosen entries of all names but those spelled ``own``."""
    countries: dict[str, float] = {}
    regions, points, seen = set(), [], set()
    for mention, entry in zip(mentions, chosen):
        key = normalize(mention.text)
        if entry is None or key == own or key in seen:
            continue
        seen.add(key)
        weight = 1.0 if entry.kind in _WORLD or mention.label in PLACE_LABELS else 0.5
        if entry.country:
            countries[entry.country] = countries.get(entry.country, 0.0) + weight
        if entry.kind != "country" and entry.admin1:
            regions.add((entry.country, entry.admin1))
        if entry.kind in ("city", "county"):
            points.append((key, entry.lat, entry.lon))
    return _Context(countries, frozenset(regions), tuple(points))


def _best(mention: _Mention, container: GazetteerEntry | None, context: _Context,
          options: PlaceOptions, scored: bool = False):
    """The highest-scoring candidate (with its score when ``scored``), or None."""
    best, best_score = None, -math.inf
    for entry in mention.candidates:
        value = _score(mention, entry, container, context, options)
        if value > best_score:
            best, best_score = entry, value
    if best is not None and best.kind == "region":
        best = _city_of_region(best, mention.candidates)
    if scored:
        return (best, best_score) if best is not None else None
    return best


def _city_of_region(region: GazetteerEntry, candidates: tuple[GazetteerEntry, ...]) -> GazetteerEntry:
    """The town a region is named after and centred on (Paris, Moscow), when it is a candidate:
    the point is the same, and readers mean the town."""
    key = normalize(region.name)
    for entry in candidates:
        if (entry.kind == "city" and entry.country == region.country and normalize(entry.name) == key
                and _distance_km(entry.lat, entry.lon, region.lat, region.lon) < 60):
            return entry
    return region


def _score(mention: _Mention, entry: GazetteerEntry, container: GazetteerEntry | None,
           context: _Context, options: PlaceOptions) -> float:
    population = math.log10(entry.population + 1) if entry.population else _UNKNOWN_POPULATION_PRIOR
    value = population + _KIND_BONUS.get(entry.kind, 0.0)
    if normalize(entry.name) == normalize(mention.text):
        value += 1.0  # its own name, not one of the alternate names a thousand hamlets share
    if container is not None and _contains(container, entry):
        value += 6.0
    if entry.country and entry.country in context.countries:
        value += 1.5 + 0.5 * math.log1p(context.countries[entry.country])
    if entry.kind in ("city", "county") and (entry.country, entry.admin1) in context.regions:
        value += 2.0
    if entry.kind in ("city", "county") and _near(entry, context.points):
        value += 1.0
    if options.outlet_country and entry.country == options.outlet_country.upper():
        value += 1.5
    return value


def _keep(mention: _Mention, entry: GazetteerEntry | None, score: float, container: GazetteerEntry | None,
          context: _Context, options: PlaceOptions) -> bool:
    """Whether a name is reported as a place: always for the recogniser's place names; for
    others, when the entry is a country or region, a large town, or one the article supports."""
    if mention.label in PLACE_LABELS or mention.demonym:
        return True
    if entry is None:
        return False
    if mention.text.isupper() and len(mention.text) <= 5:  # FDA, UN: only explicit codes (US, NSW)
        return entry.kind in ("country", "region") and normalize(entry.name) != normalize(mention.text)
    own_name = normalize(entry.name) == normalize(mention.text)
    if mention.label == "PERSON":  # surnames are towns somewhere: only countries and big cities
        return entry.kind in _WORLD or (own_name and entry.kind == "city" and entry.population >= 500_000)
    if entry.kind != "city":
        return own_name or entry.kind in _WORLD or mention.label != GAZETTEER_LABEL
    supported = (container is not None and _contains(container, entry)) or \
        (entry.country, entry.admin1) in context.regions
    threshold = options.min_city_population
    if " " not in mention.text.strip() and mention.label in (GAZETTEER_LABEL, "ORG"):
        # A single capitalised word the recogniser did not call a place is often a plain word
        # ("Street", "Hope"): a large town by its own name only.
        return own_name and entry.population >= threshold * 5
    return entry.population >= threshold or supported


def _container(text: str, mention: _Mention, gazetteer: Gazetteer) -> GazetteerEntry | None:
    """The region or country named right after ``mention`` ("Paris, Texas"; "Springfield, Ill.")."""
    match = _AFTER_COMMA.match(text, mention.end)
    if not match:
        return None
    for entry in gazetteer.lookup(match.group(1)) or gazetteer.lookup(match.group(1).rstrip(".")):
        if entry.kind in ("region", "country"):
            return entry
    return None


_AFTER_COMMA = re.compile(r",\s*((?:[A-Z][\w'’]*\.?)(?:[ -][A-Z][\w'’]*\.?){0,2})")


def _contains(container: GazetteerEntry, entry: GazetteerEntry) -> bool:
    if entry.geonameid == container.geonameid or entry.country != container.country:
        return False
    return container.kind == "country" or (entry.admin1 == container.admin1 and entry.kind != "region")


def _near(entry: GazetteerEntry, points: tuple[tuple[str, float, float], ...], km: float = 100.0) -> bool:
    for _, lat, lon in points:
        if abs(lat - entry.lat) < 1.5 and _distance_km(lat, lon, entry.lat, entry.lon) < km:
            return True
    return False


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))
