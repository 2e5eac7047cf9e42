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

from newsdesk.pipeline.keywords import words

from . import searchindex

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_TERM_CHARS = 40
# Highlight markers from the private-use area: they survive HTML escaping and become <mark>.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 28


@dataclass(frozen=True)
class Hit:
    article_id: int
    snippet: str  # plain text with MARK_START/MARK_END around matched words


@dataclass(frozen=True)
class Results:
    terms: tuple[str, ...]
    total: int
    hits: tuple[Hit, ...]
    any_term: bool = False  # True when no article had every word and these match some of them


def query_terms(query: str) -> list[str]:
    """The words of a reader's query, lower-cased, de-duplicated and capped in number and length."""
    found = words((query or "")[:MAX_QUERY_CHARS])
    return list(dict.fromkeys(w[:MAX_TERM_CHARS] for w in found))[:MAX_TERMS]


def highlight(snippet: str) -> SafeString:
    """A snippet as HTML: the text escaped, the matched words in <mark>."""
    escaped = escape(snippet)
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def search(terms: list[str], offset: int, limit: int) -> Results:
    """Published articles matching every term (else any term), best first, with snippets."""
    if not terms:
        return Results((), 0, ())
    backend = _backend()
    total = backend.count(terms, any_term=False)
    any_term = False
    if total == 0 and len(terms) > 1:
        total, any_term = backend.count(terms, any_term=True), True
    hits = backend.page(terms, any_term, offset, limit) if total else []
    return Results(tuple(terms), total, tuple(hits), any_term)


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
    hidden = ("rowid NOT IN (SELECT id FROM articles_article WHERE NOT is_published"
              " UNION ALL SELECT id FROM articles_article WHERE is_copy)")
    # How many of the best matches are checked for recency when looking for similar articles.
    similar_pool = 200

    @staticmethod
    def match(terms: list[str], any_term: bool) -> str:
        # Each word becomes a quoted FTS5 string: a word such as AND, NEAR or OR is then just a word.
        return (" OR " if any_term else " ").join(f'"{term}"' for term in terms)

    def count(self, terms: list[str], any_term: bool) -> int:
        rows = _fetch(f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s AND {self.hidden}",
                      [self.match(terms, any_term)])
        return rows[0][0]

    def page(self, terms: list[str], any_term: bool, offset: int, limit: int) -> list[Hit]:
        match = self.match(terms, any_term)
        # Snippets are made in the outer query, for the page's rows only.
        rows = _fetch(
            f"""SELECT rowid, snippet({self.table}, 1, %s, %s, '…', {SNIPPET_WORDS}) FROM {self.table}
                WHERE {self.table} MATCH %s AND rowid IN (
                    SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s AND {self.hidden}
                    ORDER BY {self.rank}, rowid DESC LIMIT %s OFFSET %s)
                ORDER BY {self.rank}, rowid DESC""",
            [MARK_START, MARK_END, match, match, limit, offset])
        return [Hit(pk, snippet or "") for pk, snippet in rows]

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
    config = searchindex.PG_CONFIG

    def query(self, terms: list[str], any_term: bool) -> str:
        # Quoted lexemes for to_tsquery; the words hold only letters and digits, never a quote.
        return (" | " if any_term else " & ").join(f"'{term}'" for term in terms)

    def count(self, terms: list[str], any_term: bool) -> int:
        rows = _fetch(f"""SELECT count(*) FROM articles_article a
                          WHERE a.is_published AND NOT a.is_copy AND a.search_vector @@ to_tsquery('{self.config}', %s)""",
                      [self.query(terms, any_term)])
        return rows[0][0]

    def page(self, terms: list[str], any_term: bool, offset: int, limit: int) -> list[Hit]:
        options = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={SNIPPET_WORDS}, MinWords=12, '
                   f'MaxFragments=2, FragmentDelimiter=" … "')
        # Ranking runs over the matches; the costly headline only over the page's rows.
        rows = _fetch(
            f"""SELECT ranked.id, ts_headline('{self.config}', left(a.text, 20000), ranked.q, %s)
                FROM (SELECT a.id, ts_rank_cd(a.search_vector, q) AS score, q
                      FROM articles_article a, to_tsquery('{self.config}', %s) q
                      WHERE a.is_published AND NOT a.is_copy AND a.search_vector @@ q
                      ORDER BY score DESC, a.id DESC LIMIT %s OFFSET %s) ranked
                JOIN articles_article a ON a.id = ranked.id
                ORDER BY ranked.score DESC, ranked.id DESC""",
            [options, self.query(terms, any_term), limit, offset])
        return [Hit(pk, snippet or "") for pk, snippet in rows]

    def similar(self, terms: list[str], exclude_id: int, since, limit: int) -> list[int]:
        rows = _fetch(
            f"""SELECT a.id FROM articles_article a, to_tsquery('{self.config}', %s) q
                WHERE a.search_vector @@ q AND a.is_published AND NOT a.is_copy AND a.id <> %s
                  AND coalesce(a.published_at, a.fetched_at) >= %s
                ORDER BY ts_rank(a.search_vector, q) DESC, a.id DESC LIMIT %s""",
            [self.query(terms, True), exclude_id, since, limit])
        return [row[0] for row in rows]
