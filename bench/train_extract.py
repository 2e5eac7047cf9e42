"""Train newsdesk's block classifier on the extraction benchmarks' dev sets.

Usage::

    python bench/train_extract.py              # cross-validate, then write the shipped model
    python bench/train_extract.py --cv-only    # report cross-validated scores, write nothing

Sites, never pages, are the unit of every split (``extraction.site_folds``): a fixed fifth of
each set's sites (fold 0) is never trained on. The shipped model learns from the other four
folds, and the quality gate scores it on fold 0, pages it has never seen. The four folds also
cross-validate: each is scored by a model trained on the other three. Those out-of-fold scores
choose the threshold and train the second opinion's chooser (``second.py``: which of the
classifier's body, trafilatura's and the pruned one wins), so that it learns how the
classifier errs on sites it never saw. The four fold models, each with a chooser trained
without its fold, are kept in ``bench/.cache/`` for ``bench/extraction.py``, which
scores every dev page with a model that never saw its site.

Each page is cut into segments exactly as the extractor does at run time. On pages with a
reference text (scrapinghub, wcxb) a segment is labelled as body when most of its word
trigrams occur in the reference. trafilatura-dev gives weak labels: a segment holding one of a
page's 'with' snippets is body, one made mostly of a 'without' snippet is not, and the others
are not trained on. Two logistic regressions learn word weights (a segment's first and last
words; its ancestors' class names), and gradient-boosted trees combine their scores with the
fixed features. The trees are trained on out-of-fold lexicon scores, as they will see them on
unseen sites; only keys seen on at least MIN_SITES sites enter a lexicon. The final model is
written to ``src/newsdesk/pipeline/extraction/_weights.py`` and needs only numpy at run time.

Needs scikit-learn (training only): ``pip install scikit-learn``.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import MappingProxyType

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import extraction as bench  # noqa: E402  (bench/extraction.py: data loading and metrics)
from newsdesk.pipeline.errors import ExtractionError  # noqa: E402
from newsdesk.pipeline.extraction import body as body_mod  # noqa: E402
from newsdesk.pipeline.extraction.body import score  # noqa: E402
from newsdesk.pipeline.extraction import second  # noqa: E402
from newsdesk.pipeline.extraction.classifier import BlockModel, from_sklearn  # noqa: E402
from newsdesk.pipeline.extraction.core import analyse  # noqa: E402
from newsdesk.pipeline.extraction.features import FEATURE_NAMES  # noqa: E402
from newsdesk.pipeline.extraction.lexicon import name_keys, text_keys  # noqa: E402
from newsdesk.pipeline.extraction.render import render_text, to_blocks  # noqa: E402

WEIGHTS = REPO / "src" / "newsdesk" / "pipeline" / "extraction" / "_weights.py"
_TOKEN = re.compile(r"\w+")
# 100 trees of depth 7 at a learning rate of 0.15 score as well in cross-validation (split by
# site) as 200 at 0.08 or 400 of depth 8, in half the time.
PARAMS = dict(max_iter=100, learning_rate=0.15, max_leaf_nodes=32, max_depth=7,
              min_samples_leaf=50, l2_regularization=1.0, random_state=0)
LEXICON_C = 0.1  # inverse regularisation of the lexicon regressions
MIN_SITES = 3
# Across these the cross-validated scores differ by less than their noise; a higher bar drops
# short quotes and list items between a story's paragraphs.
THRESHOLDS = (0.35, 0.4, 0.45, 0.5)
# The second opinion's chooser: small regressors of the gain in page F1.
SECOND_PARAMS = dict(max_iter=100, learning_rate=0.05, max_depth=3, min_samples_leaf=30,
                     l2_regularization=1.0, random_state=0)
WEAK_WEIGHT = 0.5  # a trafilatura-dev page (snippet labels) against a page with a reference
WEAK_NEGATIVE_SHARE = 0.25  # a 'without' snippet labels a segment it makes up this share of
CACHE = HERE / ".cache"


@dataclasses.dataclass
class Prepared:
    page: bench.Page
    fold: int
    segments: list  # Segment copies without their lxml element
    features: object  # PageFeatures
    X: np.ndarray  # fixed features
    labels: np.ndarray
    weights: np.ndarray
    text_keys: list
    name_keys: list
    html: str
    article_body: str

    @property
    def set(self) -> str:
        return self.page.set

    @property
    def domain(self) -> str:
        return self.page.site

    @property
    def url(self) -> str:
        return self.page.url


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def label_segments(segments, reference: str) -> np.ndarray:
    """1 for segments whose text is (mostly) in the reference, else 0.

    Reference trigrams are used up in page order, so a second copy of a paragraph (hidden
    duplicates, structured-data echoes) is labelled 0, as the metrics count it twice.
    """
    ref = _tokens(reference)
    grams3 = Counter(zip(ref, ref[1:], ref[2:]))
    grams2 = set(zip(ref, ref[1:]))
    grams1 = set(ref)
    n = len(segments)
    frac = np.zeros(n)
    length = np.zeros(n, dtype=int)
    for i, seg in enumerate(segments):
        toks = _tokens(seg.text)
        length[i] = len(toks)
        if seg.kind == "figure" or not toks:
            continue
        if len(toks) >= 3:
            grams = list(zip(toks, toks[1:], toks[2:]))
            hits = sum(1 for g in grams if grams3[g] > 0)
            frac[i] = hits / len(grams)
            if frac[i] >= 0.5:
                for g in grams:
                    if grams3[g] > 0:
                        grams3[g] -= 1
        elif len(toks) == 2:
            frac[i] = float(tuple(toks) in grams2)
        else:
            frac[i] = float(toks[0] in grams1)
    labels = np.zeros(n, dtype=int)
    long_ = length >= 5
    labels[long_] = frac[long_] >= 0.5
    # A short segment ("Conclusion", "1.") counts only next to body text: alone its words
    # occur in the reference by chance.
    for i in np.flatnonzero(~long_ & (frac >= 1.0)):
        lo, hi = max(0, i - 2), min(n, i + 3)
        if any(labels[j] and long_[j] for j in range(lo, hi) if j != i):
            labels[i] = 1
    return labels


def snippet_labels(segments, with_, without) -> tuple[np.ndarray, np.ndarray]:
    """Weak labels from snippets: (labels, known). A segment holding a 'with' snippet is body;
    one whose text is mostly a 'without' snippet is not; the others are unknown."""
    n = len(segments)
    labels = np.zeros(n, dtype=int)
    known = np.zeros(n, dtype=bool)
    texts = [" ".join(s.text.split()) for s in segments]
    for snippet in with_:
        snippet = " ".join(snippet.split())
        for i, text in enumerate(texts):
            if segments[i].kind != "figure" and snippet in text:
                labels[i], known[i] = 1, True
    for snippet in without:
        snippet = " ".join(snippet.split())
        for i, text in enumerate(texts):
            if (segments[i].kind != "figure" and snippet in text and not labels[i]
                    and len(snippet) >= WEAK_NEGATIVE_SHARE * len(text)):
                known[i] = True
    return labels, known


def prepare(args) -> Prepared | None:
    page, fold = args
    try:
        analysis = analyse(page.html, page.url)
    except ExtractionError:
        return None
    feats = analysis.features
    segments = [dataclasses.replace(s, element=None) for s in analysis.segments]
    toks = np.array([len(_tokens(s.text)) for s in segments], dtype=float)
    if page.set == "trafilatura-dev":
        labels, known = snippet_labels(segments, page.with_, page.without)
        # Each page weighs about WEAK_WEIGHT of a page with a reference, spread over the
        # segments its snippets label.
        weights = np.where(known, toks + 3.0, 0.0)
        weights *= WEAK_WEIGHT / max(weights.sum(), 1.0)
    else:
        labels = label_segments(segments, page.body)
        ref_len = max(len(_tokens(page.body)), 50)
        # Each page weighs about the same, as in both sets' metrics; within a page, long
        # segments weigh more, as their words do in the scores.
        weights = (toks + 3.0) / ref_len
    weights[[s.kind == "figure" for s in segments]] = 0.0
    return Prepared(page, fold, segments, feats, feats.stage1, labels, weights,
                    [text_keys(s.text) for s in segments],
                    [name_keys(s.path, feats.names) for s in segments], analysis.html,
                    analysis.metadata.article_body)


class Lexicon:
    """A logistic regression over binary keys, exported as a key -> weight mapping."""

    def __init__(self, pages: list[Prepared], attr: str):
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        sites: dict[str, set] = {}
        for p in pages:
            for keys, w in zip(getattr(p, attr), p.weights):
                if w > 0:
                    for k in keys:
                        sites.setdefault(k, set()).add(p.domain)
        vocab = sorted(k for k, v in sites.items() if len(v) >= MIN_SITES)
        index = {k: i for i, k in enumerate(vocab)}
        rows, cols = [], []
        r = 0
        for p in pages:
            for keys in getattr(p, attr):
                for c in {index[k] for k in keys if k in index}:
                    rows.append(r)
                    cols.append(c)
                r += 1
        X = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(r, len(vocab)))
        y = np.concatenate([p.labels for p in pages])
        w = np.concatenate([p.weights for p in pages])
        model = LogisticRegression(C=LEXICON_C, max_iter=500).fit(X, y, sample_weight=w * len(w) / w.sum())
        self.weights = {k: float(c) for k, c in zip(vocab, model.coef_[0]) if abs(c) > 1e-3}
        self.bias = float(model.intercept_[0])

    def score(self, keys_list) -> np.ndarray:
        get = self.weights.get
        return np.array([self.bias + sum(get(k, 0.0) for k in keys) for keys in keys_list])


def _fit(X, y, w):
    from sklearn.ensemble import HistGradientBoostingClassifier
    keep = w > 0
    return HistGradientBoostingClassifier(**PARAMS).fit(X[keep], y[keep], sample_weight=w[keep])


def flags_text(page: Prepared, flags) -> str:
    """The body text of the text segments flagged."""
    return render_text(to_blocks(body_mod.with_figures(page.segments, list(flags), False)))


def page_text(page: Prepared, probs: np.ndarray, threshold: float) -> str:
    """The classifier's body text with these scores, before any second opinion."""
    return render_text(to_blocks(body_mod.select(page.segments, probs, threshold, False)))


def evaluate(pages, texts) -> dict[str, float]:
    """Each set's score of these body texts (one per page)."""
    out = {}
    for set_name in bench.SETS:
        pairs = [(p.page, t) for p, t in zip(pages, texts) if p.set == set_name]
        if pairs:
            out[set_name] = bench.body_scores(set_name, pairs)["f1"]
    return out


@dataclasses.dataclass
class SecondCase:
    """One page's second opinion, as the chooser learns from it."""

    signals: second.PageSignals
    opinion: second.Opinion | None
    texts: dict  # body name -> text
    f1: dict  # body name -> page F1
    prose: list


def second_case(page: Prepared, probs: np.ndarray, threshold: float) -> SecondCase:
    kept = body_mod.select(page.segments, probs, threshold, False)
    signals, op = body_mod.offer(page.segments, page.features, probs, kept,
                                 second.other_text(page.html, page.url), page.article_body)
    texts = {"kept": render_text(to_blocks(kept))}
    if op is not None:
        for name in second.BODIES[1:]:
            keep = list(op.bodies[name])
            body_mod._drop_repeats(page.segments, keep)
            texts[name] = flags_text(page, keep)
    f1 = {name: bench.page_f1(page.page, t) for name, t in texts.items()}
    return SecondCase(signals, op, texts, f1, body_mod.prose_flags(page.segments))


def decided_text(page: Prepared, case: SecondCase, chooser) -> str:
    """The body the chooser and the guards pick on this page."""
    if case.opinion is None:
        return case.texts["kept"]
    name = second.choose_body(case.opinion, case.signals, chooser, case.prose)
    if name == "text":
        return render_text(to_blocks(body_mod.text_segments(case.opinion.text)))
    if name not in case.texts:  # the guards' strict body
        keep = list(case.opinion.bodies[name])
        body_mod._drop_repeats(page.segments, keep)
        case.texts[name] = flags_text(page, keep)
    return case.texts[name]


def _regressor(X, y):
    from sklearn.ensemble import HistGradientBoostingRegressor
    return from_sklearn(HistGradientBoostingRegressor(**SECOND_PARAMS).fit(X, y))


def train_chooser(cases: list[SecondCase]) -> dict:
    """Models of how much better than the classifier's body each alternative is."""
    rows = [(c.opinion.row, c.f1) for c in cases if c.opinion is not None]
    if len(rows) < 20:
        return {}
    X = np.array([r for r, _ in rows])
    return {name: _regressor(X, np.array([f[name] - f["kept"] for _, f in rows]))
            for name in second.BODIES[1:]}


def train_second(pages: list[Prepared], cases: list[SecondCase], fold: np.ndarray):
    """Out-of-fold decisions of the chooser, and each fold's chooser (trained on the others)."""
    decided = [""] * len(pages)
    choosers = {}
    for k in sorted(set(fold)):
        choosers[k] = train_chooser([c for c, f in zip(cases, fold) if f != k])
        for i in np.flatnonzero(fold == k):
            decided[i] = decided_text(pages[i], cases[i], choosers[k])
    return decided, choosers


def with_lexicons(pages: list[Prepared]) -> list[np.ndarray]:
    """Each page's full feature matrix, with lexicon scores from models not trained on its
    fold (the held-out fold's from lexicons of all four others)."""
    lex = [[None, None] for _ in pages]
    for k in sorted({p.fold for p in pages}):
        train = [p for p in pages if p.fold not in (k, 0)]
        for j, attr in enumerate(("text_keys", "name_keys")):
            model = Lexicon(train, attr)
            for i, p in enumerate(pages):
                if p.fold == k:
                    lex[i][j] = model.score(getattr(p, attr))
    return [np.hstack([p.X, p.features.lexical_columns(*l)]) for p, l in zip(pages, lex)]


def train_model(pages: list[Prepared], full: list[np.ndarray], idx: list[int],
                threshold: float = 0.5) -> BlockModel:
    """A model trained on the pages ``idx``: lexicons on their keys, trees on ``full``."""
    train = [pages[i] for i in idx]
    text_lex = Lexicon(train, "text_keys")
    name_lex = Lexicon(train, "name_keys")
    trees = _fit(np.vstack([full[i] for i in idx]), np.concatenate([p.labels for p in train]),
                 np.concatenate([p.weights for p in train]))
    return BlockModel(from_sklearn(trees), threshold, FEATURE_NAMES, text_lex.weights,
                      text_lex.bias, name_lex.weights, name_lex.bias), trees


def cross_validate(pages: list[Prepared], full: list[np.ndarray]):
    """Out-of-fold probabilities for the pages of folds 1..4, and each fold's model."""
    probs = [None] * len(pages)
    models = {}
    for k in sorted({p.fold for p in pages} - {0}):
        train = [i for i, p in enumerate(pages) if p.fold not in (k, 0)]
        model, _ = train_model(pages, full, train)
        models[k] = model
        for i, p in enumerate(pages):
            if p.fold == k:
                # The fold's own lexicon scores, as the model sees them at run time.
                probs[i] = score(p.features, model)
    return probs, models


def fold_cache_key(data: Path) -> str:
    """What the fold models depend on: the feature and training code and the data's files."""
    digest = hashlib.sha1()
    for path in sorted((REPO / "src" / "newsdesk" / "pipeline" / "extraction").glob("*.py")):
        if path.name != "_weights.py":
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update((HERE / "extraction.py").read_bytes())
    for set_name in bench.SETS:
        root = data / set_name
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                digest.update(f"{path.relative_to(data)}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def fold_models(data: Path) -> dict[int, BlockModel] | None:
    """The cross-validation models written by the last training run on these data and this
    code, or None when there are none."""
    path = CACHE / f"folds-{fold_cache_key(data)}.json"
    if not path.is_file():
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    return {int(k): BlockModel.loads(v) for k, v in stored.items()}


def final_text(page: Prepared, probs: np.ndarray, model: BlockModel) -> str:
    """The body text the extractor gives with this model, second opinion included."""
    kept, _ = body_mod.choose(page.segments, page.features, probs, model.threshold, page.html,
                              page.url, include_images=False, model=model,
                              article_body=page.article_body)
    return render_text(to_blocks(kept))


def _line(scores: dict) -> str:
    return "  ".join(f"{k}: {v:.4f}" for k, v in scores.items())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=bench.DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cv-only", action="store_true", help="report, write no shipped model")
    parser.add_argument("--report", type=Path, help="write each page's out-of-sample F1 here (JSON)")
    args = parser.parse_args(argv)

    raw = [p for s in bench.SETS for p in bench.load_set(args.data, s)]
    folds = bench.site_folds(raw)
    start = time.time()
    with ProcessPoolExecutor(args.jobs) as pool:
        pages = [p for p in pool.map(prepare, [(r, folds[r.site]) for r in raw], chunksize=8)
                 if p is not None]
    held_idx = [i for i, p in enumerate(pages) if p.fold == 0]
    inner_idx = [i for i, p in enumerate(pages) if p.fold != 0]
    print(f"prepared {len(pages)} pages in {time.time() - start:.0f}s; "
          f"{sum(len(p.labels) for p in pages)} segments, "
          f"{sum(int(p.labels.sum()) for p in pages)} body; held out (never trained on): "
          f"{len(held_idx)} pages of {len({pages[i].domain for i in held_idx})} sites",
          file=sys.stderr)

    # trafilatura reads each page once, whatever is being tried.
    second.other_text = functools.lru_cache(maxsize=None)(second.other_text)
    full = with_lexicons(pages)
    probs, models = cross_validate(pages, full)
    inner = [pages[i] for i in inner_idx]
    inner_probs = [probs[i] for i in inner_idx]
    print("cross-validated body F1 on folds 1-4 (split by site), the classifier alone:",
          file=sys.stderr)
    best = None
    for t in THRESHOLDS:
        scores = evaluate(inner, [page_text(p, pr, t) for p, pr in zip(inner, inner_probs)])
        mean = sum(scores.values()) / len(scores)
        print(f"  threshold {t:.2f}  {_line(scores)}", file=sys.stderr)
        if best is None or mean > best[0]:
            best = (mean, t, scores)
    threshold, alone = best[1], best[2]

    start = time.time()
    # The chooser learns from every page, as if each were asked: more cases than the unsure
    # pages alone, and it sees the unsure share among its inputs.
    cases = [second_case(p, pr, threshold) for p, pr in zip(inner, inner_probs)]
    fold = np.array([p.fold for p in inner])
    decided, choosers = train_second(inner, cases, fold)
    asked = np.array([second.unsure(p.features, pr) for p, pr in zip(inner, inner_probs)])
    always = evaluate(inner, decided)
    cv_scores = evaluate(inner, [d if a else c.texts["kept"]
                                 for d, a, c in zip(decided, asked, cases)])
    ask_share = float(asked.mean())
    print(f"threshold {threshold}: alone {_line(alone)}\n"
          f"  with the chooser on every page: {_line(always)}\n"
          f"  with the chooser where the classifier is unsure ({ask_share:.0%} of pages): "
          f"{_line(cv_scores)}  ({time.time() - start:.0f}s)", file=sys.stderr)
    for k, model in models.items():
        models[k] = dataclasses.replace(model, threshold=threshold,
                                        chooser=MappingProxyType(choosers[k]))
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / f"folds-{fold_cache_key(args.data)}.json").write_text(
        json.dumps({k: m.dumps() for k, m in models.items()}), encoding="utf-8")

    shipped, trees = train_model(pages, full, inner_idx, threshold)
    shipped = dataclasses.replace(shipped, chooser=MappingProxyType(train_chooser(cases)))
    held = [pages[i] for i in held_idx]
    held_scores = evaluate(held, [final_text(p, score(p.features, shipped), shipped)
                                  for p in held])
    print(f"held-out part (fold 0, never trained on): {_line(held_scores)}", file=sys.stderr)
    if args.report:
        report = {}
        for i, p in enumerate(pages):
            model = shipped if p.fold == 0 else models[p.fold]
            text = final_text(p, probs[i] if p.fold else score(p.features, shipped), model)
            report[f"{p.set}/{p.page.id}"] = {"fold": p.fold, "site": p.domain,
                                              "f1": bench.page_f1(p.page, text)}
        args.report.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.cv_only:
        return 0

    sample = np.vstack(full)[::50]
    gap = np.abs(from_sklearn(trees).predict(sample) - trees.predict_proba(sample)[:, 1]).max()
    if gap > 1e-6:
        raise SystemExit(f"numpy evaluation differs from scikit-learn by {gap}")
    text = shipped.dumps()
    lines = [text[i:i + 100] for i in range(0, len(text), 100)]
    held_sites = sorted({p.domain for p in held})
    digest = hashlib.sha1("\n".join(held_sites).encode("utf-8")).hexdigest()
    WEIGHTS.write_text(
        '"""The block classifier\'s weights: generated by bench/train_extract.py, do not edit."""\n\n'
        "# Body F1 of the extractor with this configuration (second opinion included) on sites its\n"
        "# model never saw: cross-validated over folds 1-4 of the dev sets' sites, and on fold 0,\n"
        "# the held-out fifth that this model never trained on.\n"
        f"CROSS_VALIDATED_F1 = {{{_dict(cv_scores)}}}\n"
        f"HELD_OUT_F1 = {{{_dict(held_scores)}}}\n"
        "# Share of unseen pages that get a second opinion (trafilatura reads them too).\n"
        f"SECOND_OPINION_SHARE = {ask_share:.3f}\n"
        "# SHA-1 of the held-out sites' names, one per line, sorted: the quality gate checks that\n"
        "# the pages it scores are the ones this model never trained on.\n"
        f'HELD_OUT_SITES_SHA1 = "{digest}"\n\n'
        "MODEL = (\n" + "".join(f'    "{line}"\n' for line in lines) + ")\n", encoding="utf-8")
    print(f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


def _dict(scores: dict) -> str:
    return ", ".join(f'"{k}": {v:.4f}' for k, v in scores.items())


if __name__ == "__main__":
    sys.exit(main())
