"""Article extraction benchmark: newsdesk's extractor beside its peers, on the same pages.

Usage::

    python bench/extraction.py                      # every installed extractor, all three sets
    python bench/extraction.py --only newsdesk --only trafilatura --limit 50
    python bench/extraction.py --data PATH --out bench/results/extraction.md

The data directory defaults to ``../shared/benchmarks/extraction`` beside the repository and
holds ``scrapinghub-dev/``, ``wcxb-dev-articles/`` and ``trafilatura-dev/`` (see that
directory's README). Each extractor gets the page as text (decoding is not timed) and its URL;
only the extractor call is timed. Peers that are not installed are skipped with a note
(``pip install -e .[bench]``).

newsdesk's classifier is trained on these pages, so the row "newsdesk" reads each page with a
model that never saw its site (``site_folds``: the held-out fifth with the shipped model, the
other four fifths each with the model of its cross-validation fold, trained by
``bench/train_extract.py`` and cached in ``bench/.cache/``; trained here when missing).
"newsdesk in-sample" reads every page with the shipped model and is reported as a footnote.

Metrics follow each set's own definition:

* scrapinghub: 4-token shingles of case-kept ``\\w+`` tokens; per-page precision/recall from the
  multiset overlap; P and R are means over pages, F1 = 2PR/(P+R); accuracy = identical token lists.
* wcxb: bag of lower-cased ``\\w+`` tokens; per-page P, R, F1; the set's score is the mean of
  per-page F1 (and of P and R). Exact match = identical token lists.
* trafilatura-dev (trafilatura's tests/evaluate.py): each 'with' snippet found in the text
  (whitespace normalised) is a true positive, else a false negative; each 'without' snippet
  found is a false positive; P, R and F1 over all snippets of the set. Exact = pages with every
  snippet right.

Metadata is scored where the set has it (wcxb): title equal after whitespace normalisation, date
on the same day, first author's name tokens equal to the reference's first name.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import hashlib
import json
import math
import re
import socket
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "extraction"
DEFAULT_OUT = REPO / "bench" / "results" / "extraction.md"
SETS = ("scrapinghub-dev", "wcxb-dev-articles", "trafilatura-dev")
# The share of each set's sites that the shipped model never trains on: the quality gate's pages.
HOLDOUT_SHARE = 0.2
FOLDS = 5  # fold 0 is the held-out part; the others serve cross-validation


# -- data ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    set: str
    id: str
    html: str
    url: str
    body: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    with_: tuple[str, ...] = ()  # trafilatura-dev: snippets that must appear
    without: tuple[str, ...] = ()  # ... and those that must not
    fold: int = -1  # the page's fold in the split by site (0: held out), once known

    @property
    def site(self) -> str:
        """The page's site: its host without "www." (the unit of every split)."""
        return site_of(self.url) or f"{self.set}/{self.id}"


def load_set(data: Path, name: str, limit: int | None = None) -> list[Page]:
    """Load one benchmark set's pages and references; an absent set gives an empty list."""
    root = data / name
    if not root.is_dir():
        return []
    pages: list[Page] = []
    if name == "scrapinghub-dev":
        truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
        for pid in sorted(truth):
            html = _read_gz(root / "html" / f"{pid}.html.gz")
            pages.append(Page(name, pid, html, truth[pid].get("url", ""), truth[pid].get("articleBody") or ""))
    elif name == "trafilatura-dev":
        truth = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
        for url in sorted(truth):
            item = truth[url]
            pid = item["file"].removesuffix(".html")
            html = _read_gz(root / "html" / f"{item['file']}.gz")
            pages.append(Page(name, pid, html, url, "",
                              with_=tuple(t for t in item.get("with") or () if t),
                              without=tuple(t for t in item.get("without") or () if t)))
    else:
        for path in sorted((root / "ground-truth").glob("*.json")):
            obj = json.loads(path.read_text(encoding="utf-8"))
            gt = obj.get("ground_truth") or {}
            pid = path.stem
            html = _read_gz(root / "html" / f"{pid}.html.gz")
            pages.append(Page(name, pid, html, obj.get("url", ""), gt.get("main_content") or "",
                              gt.get("title"), gt.get("publish_date"), gt.get("author")))
    return pages[:limit] if limit else pages


def _read_gz(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Older pages in legacy encodings: the declared or detected charset, as newsdesk's
        # fetcher decodes them, for every extractor alike.
        sys.path.insert(0, str(REPO / "src"))
        from newsdesk.pipeline.charset import decode
        return decode(raw)[0]


def site_of(url: str) -> str:
    host = urlsplit(url or "").netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host.removeprefix("www.")


def _unit(site: str) -> float:
    return int.from_bytes(hashlib.sha1(site.encode("utf-8")).digest()[:8], "big") / 2 ** 64


def site_folds(pages: Iterable[Page]) -> dict[str, int]:
    """Each site's fold: 0 for the held-out part, 1..FOLDS-1 for cross-validation.

    Sites are ordered by a hash of their name, so the split does not depend on the order or
    number of pages. The held-out part is the first sites in that order, as many as it takes
    to hold at least HOLDOUT_SHARE of every set's sites; the rest are dealt round-robin.
    """
    by_set: dict[str, set[str]] = {}
    for page in pages:
        by_set.setdefault(page.set, set()).add(page.site)
    cut = 0.0
    for sites in by_set.values():
        ranked = sorted(_unit(s) for s in sites)
        cut = max(cut, ranked[max(0, math.ceil(HOLDOUT_SHARE * len(ranked)) - 1)])
    folds: dict[str, int] = {}
    rest = 0
    for site in sorted(set().union(*by_set.values()), key=_unit) if by_set else ():
        if _unit(site) <= cut:
            folds[site] = 0
        else:
            folds[site] = 1 + rest % (FOLDS - 1)
            rest += 1
    return folds


# -- metrics ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def _shingles(toks: list[str], n: int = 4) -> Counter:
    if not toks:
        return Counter()
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)))


def scrapinghub_page(ref: str, pred: str) -> tuple[float, float, float, bool]:
    """(tp, fp, fn) as shares of tp+fp+fn, and whether the token lists are identical."""
    rt, pt = tokens(ref), tokens(pred)
    rs, ps = _shingles(rt), _shingles(pt)
    tp = sum((rs & ps).values())
    fp = sum(ps.values()) - tp
    fn = sum(rs.values()) - tp
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return tp, fp, fn, rt == pt


def scrapinghub_scores(pages: Iterable[tuple[float, float, float, bool]]) -> dict[str, float]:
    """The set's precision, recall, F1 (of the two means) and accuracy."""
    pages = list(pages)

    def prec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def rec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    ps = [prec(tp, fp, fn) for tp, fp, fn, _ in pages if tp + fp > 0]
    rs = [rec(tp, fp, fn) for tp, fp, fn, _ in pages if tp + fn > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = statistics.mean(1.0 if same else 0.0 for *_, same in pages) if pages else 0.0
    return {"precision": p, "recall": r, "f1": f1, "exact": acc}


def wcxb_page(ref: str, pred: str) -> tuple[float, float, float, bool]:
    """Per-page (precision, recall, F1, identical) on bags of lower-cased word tokens."""
    rt, pt = tokens((ref or "").lower()), tokens((pred or "").lower())
    if not rt:
        score = 1.0 if not pt else 0.0
        return score, score, score, not pt
    if not pt:
        return 0.0, 0.0, 0.0, False
    overlap = sum((Counter(rt) & Counter(pt)).values())
    p, r = overlap / len(pt), overlap / len(rt)
    f1 = 2 * p * r / (p + r) if overlap else 0.0
    return p, r, f1, rt == pt


def wcxb_scores(pages: Iterable[tuple[float, float, float, bool]]) -> dict[str, float]:
    """The set's scores: means of per-page precision, recall and F1; exact-match rate."""
    pages = list(pages)
    if not pages:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "exact": 0.0}
    return {"precision": statistics.mean(p[0] for p in pages),
            "recall": statistics.mean(p[1] for p in pages),
            "f1": statistics.mean(p[2] for p in pages),
            "exact": statistics.mean(1.0 if p[3] else 0.0 for p in pages)}


def _squash(text: str) -> str:
    return " ".join(text.split())


def snippet_page(with_: Iterable[str], without: Iterable[str], pred: str) -> tuple[int, int, int, int]:
    """(tp, fn, fp, tn) of one page: 'with' snippets found / missed, 'without' found / absent,
    in the prediction with whitespace normalised (trafilatura's tests/evaluate.py)."""
    text = _squash(pred or "")
    found = [_squash(s) in text for s in with_]
    leaked = [_squash(s) in text for s in without]
    return sum(found), len(found) - sum(found), sum(leaked), len(leaked) - sum(leaked)


def snippet_scores(pages: Iterable[tuple[int, int, int, int]]) -> dict[str, float]:
    """Precision, recall and F1 over all snippets of the set; 'exact' is the share of pages
    with every snippet right."""
    pages = list(pages)
    tp = sum(p[0] for p in pages)
    fn = sum(p[1] for p in pages)
    fp = sum(p[2] for p in pages)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    exact = statistics.mean(1.0 if not (q[1] or q[2]) else 0.0 for q in pages) if pages else 0.0
    return {"precision": p, "recall": r, "f1": f1, "exact": exact}


def page_score(page: Page, pred: str) -> tuple:
    """One page's raw score under its set's metric."""
    if page.set == "scrapinghub-dev":
        return scrapinghub_page(page.body, pred)
    if page.set == "trafilatura-dev":
        return snippet_page(page.with_, page.without, pred)
    return wcxb_page(page.body, pred)


SET_METRIC = {"scrapinghub-dev": scrapinghub_scores, "wcxb-dev-articles": wcxb_scores,
              "trafilatura-dev": snippet_scores}


def body_scores(set_name: str, pages_preds: Iterable[tuple[Page, str]]) -> dict[str, float]:
    """Score (page, predicted text) pairs of one set with that set's own metric."""
    return SET_METRIC[set_name](page_score(p, t) for p, t in pages_preds)


def page_f1(page: Page, pred: str) -> float:
    """A per-page F1 under the set's metric, for finding the pages that fail."""
    if page.set == "trafilatura-dev":
        tp, fn, fp, _ = snippet_page(page.with_, page.without, pred)
        return 2 * tp / (2 * tp + fn + fp) if tp + fn + fp else 1.0
    if page.set == "scrapinghub-dev":
        tp, fp, fn, _ = scrapinghub_page(page.body, pred)
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return wcxb_page(page.body, pred)[2]


def _ws(s: str | None) -> str:
    return " ".join((s or "").split())


def title_ok(ref: str, pred: str | None) -> bool:
    return _ws(ref) == _ws(pred)


def _as_day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", str(value))
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    try:
        from dateutil import parser as dateparser
        return dateparser.parse(str(value)).date()
    except Exception:  # noqa: BLE001 - an unparsable peer date is just a miss
        return None


def date_ok(ref: str, pred) -> bool:
    return _as_day(ref) is not None and _as_day(ref) == _as_day(pred)


_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\|)\s*", re.I)


def _first_name_tokens(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    value = re.sub(r"^\s*by\s+", "", str(value or ""), flags=re.I)
    first = next((p for p in _NAME_SPLIT.split(value) if p.strip()), "")
    return tokens(first.lower())


def author_ok(ref: str, pred) -> bool:
    return bool(_first_name_tokens(ref)) and _first_name_tokens(ref) == _first_name_tokens(pred)


# -- extractors ------------------------------------------------------------------------------
@dataclass
class Output:
    text: str = ""
    title: str | None = None
    date: object = None
    authors: object = None


Extractor = Callable[[str, str], Output]


# The benchmark directory of this run: the split by site and the fold models come from it.
_DATA = DEFAULT_DATA


def fold_models(data: Path) -> dict:
    """The block models of the cross-validation folds 1..4 (each trained without its fold's
    sites), trained by bench/train_extract.py on these data and this code; trained now when
    missing (needs scikit-learn)."""
    sys.path.insert(0, str(REPO / "bench"))
    import train_extract

    models = train_extract.fold_models(data)
    if models is None:
        print("training the fold models (bench/train_extract.py --cv-only) ...", file=sys.stderr)
        train_extract.main(["--cv-only", "--data", str(data)])
        models = train_extract.fold_models(data)
    return models or {}


def _newsdesk(fast: bool = False, unseen: bool = True) -> Extractor:
    """newsdesk's extractor. ``unseen``: each dev page is read by a model that never saw its
    site (fold 0, the held-out fifth, by the shipped model; folds 1..4 by their fold's model);
    pages of other sites by the shipped model. Otherwise the shipped model reads every page."""
    sys.path.insert(0, str(REPO / "src"))
    from newsdesk.pipeline.errors import ExtractionError
    from newsdesk.pipeline.extraction import ExtractOptions, extract

    options = {None: ExtractOptions(fast=fast)}
    site_fold: dict[str, int] = {}
    if unseen:
        site_fold = site_folds(p for s in SETS for p in load_set(_DATA, s))
        for fold, model in fold_models(_DATA).items():
            options[fold] = ExtractOptions(fast=fast, model=model)
        missing = set(site_fold.values()) - set(options) - {0}
        if missing:
            raise RuntimeError(f"no model for folds {sorted(missing)}")

    def run(html: str, url: str) -> Output:
        fold = site_fold.get(site_of(url))
        try:
            art = extract(html, url, options.get(fold, options[None]))
        except ExtractionError:
            return Output()
        return Output(art.text, art.title, art.date, art.authors)
    return run


def _trafilatura(fast: bool = False) -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> Output:
        # bare_extraction's text is the article without the comments that extract() appends.
        doc = trafilatura.bare_extraction(html, url=url, fast=fast)
        return Output((doc.text if doc is not None else "") or "")
    return run


def _trafilatura_metadata(html: str, url: str) -> Output:
    """trafilatura's own metadata for the same page, untimed: its timed call extracts none."""
    import trafilatura

    md = trafilatura.extract_metadata(html, default_url=url)
    if md is None:
        return Output()
    return Output("", md.title, md.date, md.author.split(";") if md.author else None)


def _readability() -> Extractor:
    import html_text
    from readability import Document

    def run(html: str, url: str) -> Output:
        doc = Document(html, url=url)
        return Output(html_text.extract_text(doc.summary(html_partial=True)), doc.short_title())
    return run


def _resiliparse() -> Extractor:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    def run(html: str, url: str) -> Output:
        return Output(extract_plain_text(HTMLTree.parse(html), main_content=True))
    return run


def _justext() -> Extractor:
    import justext

    stoplist = justext.get_stoplist("English")

    def run(html: str, url: str) -> Output:
        paragraphs = justext.justext(html, stoplist)
        return Output("\n\n".join(p.text for p in paragraphs if not p.is_boilerplate))
    return run


def _goose() -> Extractor:
    from goose3 import Goose

    goose = Goose({"enable_image_fetching": False, "http_timeout": 0.1})

    def run(html: str, url: str) -> Output:
        art = goose.extract(raw_html=html)
        return Output(art.cleaned_text or "", art.title, art.publish_date, art.authors)
    return run


def _boilerpy() -> Extractor:
    from boilerpy3 import extractors

    extractor = extractors.ArticleExtractor(raise_on_failure=False)

    def run(html: str, url: str) -> Output:
        return Output(extractor.get_content(html) or "")
    return run


def _newspaper() -> Extractor:
    import newspaper

    def run(html: str, url: str) -> Output:
        art = newspaper.Article(url or "https://example.invalid/", fetch_images=False)
        art.download(input_html=html)
        art.parse()
        return Output(art.text or "", art.title, art.publish_date, art.authors)
    return run


EXTRACTORS: dict[str, tuple[Callable[[], Extractor], str]] = {
    "newsdesk": (_newsdesk, "newsdesk.pipeline.extraction.extract (body and metadata), each page "
                 "read by a model that never saw its site: the held-out fifth by the shipped "
                 "model, the other dev pages by the model of their cross-validation fold"),
    "newsdesk fast": (lambda: _newsdesk(fast=True), "ExtractOptions(fast=True), models as above"),
    "newsdesk in-sample": (lambda: _newsdesk(unseen=False), "the shipped model on every page, "
                           "including the four fifths it was trained on"),
    "trafilatura": (_trafilatura, "trafilatura.bare_extraction(), default settings: body "
                    "without comments, no metadata"),
    "trafilatura fast": (lambda: _trafilatura(fast=True), "bare_extraction(fast=True)"),
    "readability": (_readability, "readability-lxml summary + html-text"),
    "resiliparse": (_resiliparse, "extract_plain_text(main_content=True)"),
    "justext": (_justext, "English stop list"),
    "goose3": (_goose, "image fetching off"),
    "boilerpy3": (_boilerpy, "ArticleExtractor"),
    "newspaper4k": (_newspaper, "fetch_images=False, input_html"),
}


# -- running ---------------------------------------------------------------------------------
@dataclass
class Run:
    name: str
    note: str
    outputs: dict[tuple[str, str], Output] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)  # per set, ms
    errors: int = 0


def _forbid_network() -> None:
    """Make any connection attempt fail: peers must work on the given HTML alone."""
    def refuse(*args, **kwargs):
        raise OSError("network disabled during the extraction benchmark")
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def _quiet_logs() -> None:
    import logging
    logging.disable(logging.CRITICAL)


def run_extractor(name: str, pages: list[Page]) -> Run:
    """Run one extractor over pages in this process, timing each call."""
    _forbid_network()
    _quiet_logs()
    factory, note = EXTRACTORS[name]
    fn = factory()
    run = Run(name, note)
    if pages:
        try:  # warm up lazy imports and models so the first page is not charged for them
            fn(pages[0].html, pages[0].url)
        except Exception:  # noqa: BLE001
            pass
    gc.collect()
    for page in pages:
        start = time.perf_counter()
        try:
            out = fn(page.html, page.url)
        except Exception:  # noqa: BLE001 - a peer failing on a page scores it as empty
            out = Output()
            run.errors += 1
        elapsed = (time.perf_counter() - start) * 1000
        run.times.setdefault(page.set, []).append(elapsed)
        run.outputs[(page.set, page.id)] = out
    return run


def _run_chunk(args: tuple[str, list[Page]]) -> Run:
    return run_extractor(*args)


def run_parallel(name: str, pages: list[Page], jobs: int) -> Run:
    """Split pages over worker processes (quality runs; timings then share the cores)."""
    if jobs <= 1:
        return run_extractor(name, pages)
    chunks = [pages[i::jobs] for i in range(jobs)]
    merged = Run(name, EXTRACTORS[name][1])
    with ProcessPoolExecutor(jobs) as pool:
        for part in pool.map(_run_chunk, [(name, c) for c in chunks]):
            merged.outputs.update(part.outputs)
            merged.errors += part.errors
            for s, t in part.times.items():
                merged.times.setdefault(s, []).extend(t)
    return merged


def available(name: str) -> str | None:
    """None when the extractor can run, else the reason it is skipped."""
    try:
        EXTRACTORS[name][0]()
    except ImportError as exc:
        return f"not installed ({exc.name or exc})"
    except Exception as exc:  # noqa: BLE001
        return f"failed to start: {exc}"
    return None


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def score_run(run: Run, pages: list[Page], metadata: Run | None = None) -> dict[str, dict]:
    """Per set: body scores, metadata accuracy where the set has it, and speed."""
    result: dict[str, dict] = {}
    by_set: dict[str, list[Page]] = {}
    for page in pages:
        by_set.setdefault(page.set, []).append(page)
    for set_name, set_pages in by_set.items():
        outs = [run.outputs[(p.set, p.id)] for p in set_pages]
        row = body_scores(set_name, ((p, o.text) for p, o in zip(set_pages, outs)))
        meta_outs = outs
        if metadata is not None:
            meta_outs = [metadata.outputs[(p.set, p.id)] for p in set_pages]
        for key, ok, ref_attr, out_attr in (("title", title_ok, "title", "title"),
                                            ("date", date_ok, "date", "date"),
                                            ("author", author_ok, "author", "authors")):
            scored = [(getattr(p, ref_attr), getattr(o, out_attr))
                      for p, o in zip(set_pages, meta_outs) if getattr(p, ref_attr)]
            if scored and any(getattr(o, out_attr) is not None for o in meta_outs):
                row[key] = statistics.mean(1.0 if ok(r, v) else 0.0 for r, v in scored)
        times = run.times.get(set_name, [])
        row["median_ms"] = statistics.median(times) if times else 0.0
        row["p95_ms"] = _pct(times, 0.95)
        row["pages_per_s"] = len(times) / (sum(times) / 1000) if times and sum(times) else 0.0
        result[set_name] = row
    return result


def _recorded() -> dict:
    """What bench/train_extract.py recorded with the shipped model."""
    sys.path.insert(0, str(REPO / "src"))
    try:
        from newsdesk.pipeline.extraction import _weights
    except ImportError:
        return {}
    return {k: getattr(_weights, k) for k in ("CROSS_VALIDATED_F1", "HELD_OUT_F1",
                                               "SECOND_OPINION_SHARE") if hasattr(_weights, k)}


def failures(run: Run, pages: list[Page], other: Run | None) -> dict[str, tuple[int, int]]:
    """Per set with reference texts: pages that lose over half of the article where ``other``
    keeps at least 80 % of it, and pages whose text is three times the article or more."""
    out: dict[str, tuple[int, int]] = {}
    for set_name in ("scrapinghub-dev", "wcxb-dev-articles"):
        lost = dwarfed = 0
        for page in (p for p in pages if p.set == set_name):
            ref = Counter(t.lower() for t in tokens(page.body))
            if not ref:
                continue
            total = sum(ref.values())

            def recall(text: str) -> float:
                return sum((ref & Counter(t.lower() for t in tokens(text))).values()) / total
            text = run.outputs[(page.set, page.id)].text
            if other is not None and recall(text) < 0.5 \
                    and recall(other.outputs[(page.set, page.id)].text) >= 0.8:
                lost += 1
            if len(tokens(text)) >= 3 * total:
                dwarfed += 1
        if any(p.set == set_name for p in pages):
            out[set_name] = (lost, dwarfed)
    return out


def _table(results: dict[str, dict], set_name: str) -> list[str]:
    lines = ["| extractor | F1 | precision | recall | exact | title | date | author "
             "| median ms | p95 ms | pages/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    rows = sorted(((name, r[set_name]) for name, r in results.items()
                   if set_name in r and name != "newsdesk in-sample"),
                  key=lambda item: -item[1]["f1"])
    for name, row in rows:
        meta = [f"{row[k]:.3f}" if k in row else "–" for k in ("title", "date", "author")]
        label = "newsdesk (sites it never saw)" if name == "newsdesk" else name
        lines.append(
            f"| {label} | **{row['f1']:.3f}** | {row['precision']:.3f} | {row['recall']:.3f} "
            f"| {row['exact']:.3f} | {' | '.join(meta)} | {row['median_ms']:.1f} "
            f"| {row['p95_ms']:.1f} | {row['pages_per_s']:.0f} |")
    return lines


def markdown(results: dict[str, dict[str, dict]], held: dict[str, dict[str, dict]],
             fails: dict[str, dict], notes: list[str], runs: dict[str, Run], jobs: int,
             pages: list[Page]) -> str:
    """The results as Markdown: out-of-sample tables first, in-sample figures as a footnote."""
    recorded = _recorded()
    counts = Counter(p.set for p in pages)
    lines = ["# Article extraction benchmark", "",
             "Generated by `bench/extraction.py`, all extractors in one run on the same pages. "
             "newsdesk's block classifier is trained on these dev sets, so every figure for it "
             "below is **out of sample**: each page is read by a model that never saw a page "
             "of its site. A fixed fifth of each set's sites (fold 0) is never used to train the "
             "shipped model, which reads those pages; the other four fifths are split by site "
             "into four folds, each read by a model trained on the three others "
             "(`bench/train_extract.py`). Peers were not tuned on these pages. Body scores use "
             "each set's own metric (see the script's docstring); title/date/author accuracy is "
             "over pages whose reference has the field. Times are the extractor call alone, one "
             "page at a time" + (f", {jobs} worker processes" if jobs > 1 else ", one process")
             + ", second opinion included.", ""]
    set_names = [s for s in SETS if any(s in r for r in results.values())]
    if "newsdesk" in results and "trafilatura" in results:
        lines += ["## Summary: sites newsdesk never saw", "",
                  "| set | pages | newsdesk F1 | trafilatura F1 | difference | newsdesk median ms "
                  "| trafilatura median ms | newsdesk p95 ms | trafilatura p95 ms |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for set_name in set_names:
            a, b = results["newsdesk"].get(set_name), results["trafilatura"].get(set_name)
            if a and b:
                lines.append(f"| {set_name} | {counts[set_name]} | **{a['f1']:.3f}** | {b['f1']:.3f} "
                             f"| {a['f1'] - b['f1']:+.3f} | {a['median_ms']:.1f} | {b['median_ms']:.1f} "
                             f"| {a['p95_ms']:.1f} | {b['p95_ms']:.1f} |")
        lines.append("")
    for set_name in set_names:
        lines += [f"## {set_name} ({counts[set_name]} pages)", ""] + _table(results, set_name) + [""]
    if held:
        lines += ["## The held-out fifth (the quality gate's pages)", "",
                  "Pages of fold 0's sites, which the shipped model never trained on; "
                  "`tests/pipeline/test_quality_gate.py` scores the shipped model on them.", "",
                  "| set | pages | " + " | ".join(held) + " |",
                  "|---|---|" + "---|" * len(held)]
        for set_name in set_names:
            n = sum(1 for p in pages if p.set == set_name and p.fold == 0)
            cells = [f"{held[name][set_name]['f1']:.3f}" if set_name in held[name] else "–"
                     for name in held]
            lines.append(f"| {set_name} | {n} | " + " | ".join(cells) + " |")
        lines.append("")
    if fails:
        lines += ["## Failures", "",
                  "Pages that lose over half of the article (bag-of-words recall under 0.5) where "
                  "trafilatura keeps at least 80 % of it, and pages whose text is three times the "
                  "article's length or more (a comment thread, a list of other stories).", "",
                  "| set | extractor | loses over half | three times the article |",
                  "|---|---|---|---|"]
        for name, per_set in fails.items():
            for set_name, (lost, dwarfed) in per_set.items():
                lines.append(f"| {set_name} | {name} | {lost} | {dwarfed} |")
        lines.append("")
    if "newsdesk in-sample" in results:
        cells = ", ".join(f"{s} {r['f1']:.3f}" for s, r in results["newsdesk in-sample"].items())
        lines += [f"In-sample, for comparison only: the shipped model reading every dev page, "
                  f"four fifths of which it was trained on, scores {cells}. Those figures say "
                  f"how well it learned its training pages, not how it does on a new site."]
        if recorded.get("SECOND_OPINION_SHARE") is not None:
            lines[-1] += (f" On sites it never saw, about {recorded['SECOND_OPINION_SHARE']:.0%} "
                          "of pages get a second opinion (trafilatura reads them too).")
        lines.append("")
    lines += ["## Extractors", ""]
    for name, run in runs.items():
        extra = f" ({run.errors} pages raised)" if run.errors else ""
        lines.append(f"- **{name}**: {run.note}{extra}")
    lines += ["- trafilatura's title/date/author come from `trafilatura.extract_metadata()` on the "
              "same page (untimed), since its timed call extracts the body only."]
    for note in notes:
        lines.append(f"- {note}")
    import platform
    lines += ["", f"Python {platform.python_version()}, {platform.machine()}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown table to write")
    parser.add_argument("--only", action="append", choices=sorted(EXTRACTORS),
                        help="run only these extractors (repeatable)")
    parser.add_argument("--set", action="append", choices=SETS, dest="sets")
    parser.add_argument("--limit", type=int, help="pages per set")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes per extractor")
    parser.add_argument("--dump", type=Path, help="write each extractor's texts as JSON here")
    args = parser.parse_args(argv)

    global _DATA
    _DATA = args.data
    pages = [p for s in (args.sets or SETS) for p in load_set(args.data, s, args.limit)]
    if not pages:
        print(f"no benchmark pages under {args.data}", file=sys.stderr)
        return 2
    notes: list[str] = []
    results: dict[str, dict] = {}
    runs: dict[str, Run] = {}
    metadata = None
    for name in args.only or list(EXTRACTORS):
        reason = available(name)
        if reason:
            notes.append(f"{name} skipped: {reason}")
            print(f"{name}: skipped, {reason}", file=sys.stderr)
            continue
        run = run_parallel(name, pages, args.jobs)
        runs[name] = run
        if name == "trafilatura":
            metadata = Run("trafilatura metadata", "")
            _forbid_network()
            for page in pages:
                metadata.outputs[(page.set, page.id)] = _trafilatura_metadata(page.html, page.url)
        results[name] = score_run(run, pages, metadata if name == "trafilatura" else None)
        summary = ", ".join(f"{s}: F1 {r['f1']:.3f} median {r['median_ms']:.1f} ms"
                            for s, r in results[name].items())
        print(f"{name}: {summary}", file=sys.stderr)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"{name.replace(' ', '_')}.json").write_text(json.dumps(
                {f"{k[0]}/{k[1]}": o.text for k, o in run.outputs.items()}, ensure_ascii=False))
    folds = site_folds(p for s in SETS for p in load_set(args.data, s))
    pages = [dataclasses.replace(p, fold=folds.get(p.site, -1)) for p in pages]
    held_pages = [p for p in pages if p.fold == 0]
    held = {name: score_run(run, held_pages) for name, run in runs.items()
            if name in ("newsdesk", "trafilatura", "readability")}
    fails = {name: failures(runs[name], pages, runs.get("trafilatura"))
             for name in ("newsdesk", "trafilatura", "readability") if name in runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(results, held, fails, notes, runs, args.jobs, pages),
                        encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
