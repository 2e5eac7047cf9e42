"""Full-text search over published articles: SQLite FTS5 or PostgreSQL full-text, same results shape.

Readers' queries are reduced to plain words before they reach either engine (see ``query_terms``),
so no query syntax, quote or NUL typed in the search box can make the engine fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsdesk.pipeline.keywords import STOPWORDS, words

from . import searchindex

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_TERM_CHARS = 40
# Highlight markers from the private-use area: they survive HTML escaping and become <mark>.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 28
# Relevance ranks the most recently stored this many matches, and counts stop there ("1,000+
# articles"): ranking every match of a common word was most of what a search cost, and no
# reader pages through more than this.
MAX_RESULTS = 1000


@dataclass(frozen=True)
class Hit:
    article_id: int
    snippet: str  # plain text with MARK_START/MARK_END around matched words


@dataclass(frozen=True)
class Results:
    terms: tuple[str, ...]
    total: int  # at most MAX_RESULTS
    hits: tuple[Hit, ...]
    any_term: bool = False  # True when no article had every word and these match some of them
    more: bool = False  # True when more than ``total`` articles match


def query_terms(query: str) -> list[str]:
    """The words of a reader's query, lower-cased, de-duplicated and capped in number and length."""
    found = words((query or "")[:MAX_QUERY_CHARS])
    return list(dict.fromkeys(w[:MAX_TERM_CHARS] for w in found))[:MAX_TERMS]


def highlight(snippet: str) -> SafeString:
    """A snippet as HTML: the text escaped, the matched words in <mark>."""
    escaped = escape(snippet)
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def search(terms: list[str], offset: int, limit: int) -> Results:
    """Published articles matching every term (else any term), best first, with snippets.

    Returns at most ``limit`` hits from ``offset`` among the best MAX_RESULTS; none past them.
    """
    if not terms:
        return Results((), 0, ())
    backend = _backend()
    matched, any_term = terms, False
    found = backend.count(matched, any_term=False, cap=MAX_RESULTS + 1)
    if found == 0 and len(terms) > 1:
        # Any of the words: a stop word would match nearly every article and rank none of them.
        matched, any_term = [t for t in terms if t not in STOPWORDS] or terms, True
        found = backend.count(matched, any_term=True, cap=MAX_RESULTS + 1)
    total = min(found, MAX_RESULTS)
    limit = min(limit, total - offset)
    hits = backend.page(matched, any_term, offset, limit) if limit > 0 else []
    return Results(tuple(terms), total, tuple(hits), any_term, found > MAX_RESULTS)


def similar(terms: list[str], exclude_id: int, since: datetime, limit: int) -> list[int]:
    """Ids of published articles since ``since`` that best match any of ``terms``, best first."""
    if not terms:
        return []
    return _backend().similar(terms, exclude_id, connection.ops.adapt_datetimefield_value(since), limit)


def _backend():
    if connection.vendor == "postgresql":
        return _Postgres()
    if connection.vendor == "sqlite":
        return _SQLite()
    raise NotImplementedError(f"full-text search is not available on {connection.vendor}")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _SQLite:
    """FTS5 queries that touch the articles table as little as possible.

    Article rows are large (text, HTML, the stored page) and the columns a filter needs sit behind
    them, so reading them for every match is what makes a query slow. Unpublished articles are
    few and indexed: they are excluded by id, and so are copies (the article shown for them is
    found instead). Dates are checked only for the best matches.
    """

    table = searchindex.FTS_TABLE
    # bm25 weights per column (title, text): a word in the title counts more.
    rank = f"bm25({searchindex.FTS_TABLE}, 4.0, 1.0)"
    # Copies are found through the article shown for them; both kinds of rows are indexed.
    # "= 0" rather than NOT: SQLite looks up an index with the one, scans it with the other.
    hidden = ("rowid NOT IN (SELECT id FROM articles_article WHERE is_published = 0"
              " UNION ALL SELECT id FROM articles_article WHERE is_copy)")
    # How many of the best matches are checked for recency when looking for similar articles.
    similar_pool = 200

    @staticmethod
    def match(terms: list[str], any_term: bool) -> str:
        # Each word becomes a quoted FTS5 string: a word such as AND, NEAR or OR is then just a word.
        return (" OR " if any_term else " ").join(f'"{term}"' for term in terms)

    def count(self, terms: list[str], any_term: bool, cap: int) -> int:
        rows = _fetch(f"SELECT count(*) FROM (SELECT 1 FROM {self.table} WHERE {self.table} MATCH %s"
                      f" AND {self.hidden} LIMIT %s)", [self.match(terms, any_term), cap])
        return rows[0][0]

    def page(self, terms: list[str], any_term: bool, offset: int, limit: int) -> list[Hit]:
        match = self.match(terms, any_term)
        # FTS5 reads its index by rowid, last stored first, and stops after MAX_RESULTS matches.
        ids = [row[0] for row in _fetch(
            f"""SELECT rowid FROM (
                    SELECT rowid, {self.rank} AS score FROM {self.table}
                    WHERE {self.table} MATCH %s AND {self.hidden} ORDER BY rowid DESC LIMIT {MAX_RESULTS})
                ORDER BY score, rowid DESC LIMIT %s OFFSET %s""",
            [match, limit, offset])]
        if not ids:
            return []
        # Snippets for the page's rows only, in a query that ranks nothing.
        snippets = dict(_fetch(
            f"""SELECT rowid, snippet({self.table}, 1, %s, %s, '…', {SNIPPET_WORDS}) FROM {self.table}
                WHERE {self.table} MATCH %s AND rowid IN ({", ".join(["%s"] * len(ids))})""",
            [MARK_START, MARK_END, match, *ids]))
        return [Hit(pk, snippets.get(pk) or "") for pk in ids]

    def similar(self, terms: list[str], exclude_id: int, since, limit: int) -> list[int]:
        rows = _fetch(
            f"""SELECT best.rowid FROM (
                    SELECT rowid, {self.rank} AS score FROM {self.table}
                    WHERE {self.table} MATCH %s AND {self.hidden} AND rowid <> %s
                    ORDER BY score LIMIT {self.similar_pool}) best
                JOIN articles_article a ON a.id = best.rowid
                WHERE coalesce(a.published_at, a.fetched_at) >= %s
                ORDER BY best.score LIMIT %s""",
            [self.match(terms, True), exclude_id, since, limit])
        return [row[0] for row in rows]


class _Postgres:
    """Matches found by the GIN index of shown articles, ranked on the small ``search_head``.

    The whole text's tsvector is never read: see ``searchindex``.
    """

    config = searchindex.PG_CONFIG
    # The partial index's predicate: a query has to say it for the index to serve it.
    shown = "a.is_published AND NOT a.is_copy"
    # A headline is made from the lead when a word is there (ranking puts those first), else from
    # the text; parsing the whole text is what a headline costs.
    source = (f"CASE WHEN ts_filter(a.search_head, '{{b}}') @@ to_tsquery('{config}', %s)"
              f" THEN left(a.text, {searchindex.PG_HEAD_CHARS}) ELSE left(a.text, 20000) END")
    options = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={SNIPPET_WORDS}, MinWords=12, '
               f'MaxFragments=2, FragmentDelimiter=" … "')

    def query(self, terms: list[str], any_term: bool) -> str:
        # Quoted lexemes for to_tsquery; the words hold only letters and digits, never a quote.
        return (" | " if any_term else " & ").join(f"'{term}'" for term in terms)

    def count(self, terms: list[str], any_term: bool, cap: int) -> int:
        rows = _fetch(f"""SELECT count(*) FROM (SELECT 1 FROM articles_article a
                          WHERE {self.shown} AND a.search_vector @@ to_tsquery('{self.config}', %s) LIMIT %s) m""",
                      [self.query(terms, any_term), cap])
        return rows[0][0]

    def page(self, terms: list[str], any_term: bool, offset: int, limit: int) -> list[Hit]:
        # "a.id + 0": the matches the GIN index found are sorted, rather than the primary key
        # walked backwards testing every article's whole vector until enough match.
        rows = _fetch(
            f"""SELECT best.id, ts_headline('{self.config}', {self.source}, to_tsquery('{self.config}', %s), %s)
                FROM (SELECT newest.id, newest.score FROM (
                          SELECT a.id, ts_rank(a.search_head, q) AS score
                          FROM articles_article a, to_tsquery('{self.config}', %s) q
                          WHERE {self.shown} AND a.search_vector @@ q ORDER BY a.id + 0 DESC LIMIT {MAX_RESULTS}) newest
                      ORDER BY newest.score DESC, newest.id DESC LIMIT %s OFFSET %s) best
                JOIN articles_article a ON a.id = best.id
                ORDER BY best.score DESC, best.id DESC""",
            [self.query(terms, True), self.query(terms, any_term), self.options, self.query(terms, any_term),
             limit, offset])
        return [Hit(pk, snippet or "") for pk, snippet in rows]

    def similar(self, terms: list[str], exclude_id: int, since, limit: int) -> list[int]:
        rows = _fetch(
            f"""SELECT a.id FROM articles_article a, to_tsquery('{self.config}', %s) q
                WHERE a.search_vector @@ q AND {self.shown} AND a.id <> %s
                  AND coalesce(a.published_at, a.fetched_at) >= %s
                ORDER BY ts_rank(a.search_head, q) DESC, a.id DESC LIMIT %s""",
            [self.query(terms, True), exclude_id, since, limit])
        return [row[0] for row in rows]
