"""Train newsdesk's block classifier on the extraction benchmarks' dev sets.

Usage::

    python bench/train_extract.py              # cross-validate, then write the shipped model
    python bench/train_extract.py --cv-only    # report cross-validated scores, write nothing

Each page is cut into segments exactly as the extractor does at run time; a segment is labelled
as body when most of its word trigrams occur in the page's reference text. Two logistic
regressions learn word weights (a segment's first and last words; its ancestors' class
names), and gradient-boosted trees combine their scores with the fixed features. The trees are
trained on out-of-fold lexicon scores, as they will see them on unseen sites. Folds are split
by site, never by page, so the scores printed estimate how the model does on sites it has not
seen; only keys seen on at least MIN_SITES sites enter a lexicon. The final model is written to
``src/newsdesk/pipeline/extract/_weights.py`` and needs only numpy at run time.

Needs scikit-learn (training only): ``pip install scikit-learn``.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import extraction as bench  # noqa: E402  (bench/extraction.py: data loading and metrics)
from newsdesk.pipeline.errors import ExtractionError  # noqa: E402
from newsdesk.pipeline.extract import body as body_mod  # noqa: E402
from newsdesk.pipeline.extract import second  # noqa: E402
from newsdesk.pipeline.extract.classifier import BlockModel, from_sklearn  # noqa: E402
from newsdesk.pipeline.extract.core import analyse  # noqa: E402
from newsdesk.pipeline.extract.features import FEATURE_NAMES  # noqa: E402
from newsdesk.pipeline.extract.lexicon import name_keys, text_keys  # noqa: E402
from newsdesk.pipeline.extract.render import render_text, to_blocks  # noqa: E402

WEIGHTS = REPO / "src" / "newsdesk" / "pipeline" / "extract" / "_weights.py"
_TOKEN = re.compile(r"\w+")
# 200 trees of depth 7 score as well in cross-validation as 400 of depth 8, in half the time.
PARAMS = dict(max_iter=200, learning_rate=0.08, max_leaf_nodes=32, max_depth=7,
              min_samples_leaf=50, l2_regularization=1.0, random_state=0)
LEXICON_C = 0.1  # inverse regularisation of the lexicon regressions
MIN_SITES = 3
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55)


@dataclasses.dataclass
class Prepared:
    set: str
    id: str
    domain: str
    body: str
    segments: list  # Segment copies without their lxml element
    features: object  # PageFeatures
    X: np.ndarray  # fixed features
    labels: np.ndarray
    weights: np.ndarray
    text_keys: list
    name_keys: list
    html: str
    url: str


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


def prepare(page: bench.Page) -> Prepared | None:
    try:
        analysis = analyse(page.html, page.url)
    except ExtractionError:
        return None
    feats = analysis.features
    segments = [dataclasses.replace(s, element=None) for s in analysis.segments]
    labels = label_segments(segments, page.body)
    toks = np.array([len(_tokens(s.text)) for s in segments], dtype=float)
    ref_len = max(len(_tokens(page.body)), 50)
    # Each page weighs about the same, as in both sets' metrics; within a page, long
    # segments weigh more, as their words do in the scores.
    weights = (toks + 3.0) / ref_len
    weights[[s.kind == "figure" for s in segments]] = 0.0
    domain = urlsplit(page.url).netloc.lower().removeprefix("www.") or page.id
    return Prepared(page.set, page.id, domain, page.body, segments, feats, feats.stage1, labels,
                    weights, [text_keys(s.text) for s in segments],
                    [name_keys(s.path, feats.names) for s in segments], analysis.html, page.url)


class Lexicon:
    """A logistic regression over binary keys, exported as a key -> weight mapping."""

    def __init__(self, pages: list[Prepared], attr: str):
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        sites: dict[str, set] = {}
        for p in pages:
            for keys in getattr(p, attr):
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
    return HistGradientBoostingClassifier(**PARAMS).fit(X, y, sample_weight=w)


def page_text(page: Prepared, probs: np.ndarray, threshold: float, second: bool = False) -> str:
    """The body text the extractor would give with these scores (``second``: and the second
    opinion on pages it is unsure of)."""
    if second:
        kept, _ = body_mod.choose(page.segments, page.features, probs, threshold, page.html, page.url)
    else:
        kept = body_mod.select(page.segments, probs, threshold)
    return render_text(to_blocks(kept))


def evaluate(pages, probs_by_page, threshold, second: bool = False) -> dict[str, float]:
    out = {}
    for set_name in bench.SETS:
        pairs = [(p.body, page_text(p, probs_by_page[i], threshold, second))
                 for i, p in enumerate(pages) if p.set == set_name]
        if pairs:
            out[set_name] = bench.body_scores(set_name, pairs)["f1"]
    return out


def site_folds(pages: list[Prepared], folds: int) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    fold = np.zeros(len(pages), dtype=int)
    groups = [p.domain for p in pages]
    for k, (_, test) in enumerate(GroupKFold(n_splits=folds).split(pages, groups=groups)):
        fold[test] = k
    return fold


def with_lexicons(pages: list[Prepared], fold: np.ndarray) -> list[np.ndarray]:
    """Each page's full feature matrix, with lexicon scores from models not trained on it."""
    lex = [[None, None] for _ in pages]
    for k in sorted(set(fold)):
        train = [p for p, f in zip(pages, fold) if f != k]
        for j, attr in enumerate(("text_keys", "name_keys")):
            model = Lexicon(train, attr)
            for i, f in enumerate(fold):
                if f == k:
                    lex[i][j] = model.score(getattr(pages[i], attr))
    return [np.hstack([p.X, p.features.lexical_columns(*l)]) for p, l in zip(pages, lex)]


def cross_validate(pages: list[Prepared], full: list[np.ndarray], fold: np.ndarray):
    """Out-of-fold probabilities per page."""
    probs = [None] * len(pages)
    for k in sorted(set(fold)):
        train = [i for i, f in enumerate(fold) if f != k]
        model = from_sklearn(_fit(np.vstack([full[i] for i in train]),
                                  np.concatenate([pages[i].labels for i in train]),
                                  np.concatenate([pages[i].weights for i in train])))
        for i, f in enumerate(fold):
            if f == k:
                probs[i] = model.predict(full[i])
    return probs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=bench.DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cv-only", action="store_true")
    args = parser.parse_args(argv)

    raw = [p for s in bench.SETS for p in bench.load_set(args.data, s)]
    start = time.time()
    with ProcessPoolExecutor(args.jobs) as pool:
        pages = [p for p in pool.map(prepare, raw, chunksize=8) if p is not None]
    print(f"prepared {len(pages)} pages in {time.time() - start:.0f}s; "
          f"{sum(len(p.labels) for p in pages)} segments, "
          f"{sum(int(p.labels.sum()) for p in pages)} body", file=sys.stderr)

    # The second opinion reads each unsure page once, whatever the threshold being tried.
    second.other_text = functools.lru_cache(maxsize=None)(second.other_text)
    fold = site_folds(pages, args.folds)
    full = with_lexicons(pages, fold)
    probs = cross_validate(pages, full, fold)
    print("cross-validated body F1 (folds split by site), alone / with the second opinion:",
          file=sys.stderr)
    best = (-1.0, 0.5, {})
    for t in THRESHOLDS:
        alone = evaluate(pages, probs, t)
        scores = evaluate(pages, probs, t, second=True)
        best = max(best, (sum(scores.values()) / len(scores), t, scores), key=lambda b: b[:2])
        print(f"  threshold {t:.2f}  " + "  ".join(f"{k}: {alone[k]:.4f} / {v:.4f}"
                                                  for k, v in scores.items()), file=sys.stderr)
    threshold, cv_scores = best[1], best[2]
    unsure = {}
    for set_name in bench.SETS:
        flags = [second.unsure(p.features, probs[i]) for i, p in enumerate(pages) if p.set == set_name]
        unsure[set_name] = sum(flags) / max(len(flags), 1)
    print(f"chosen threshold {threshold}: "
          + "  ".join(f"{k}: {v:.4f}" for k, v in cv_scores.items()), file=sys.stderr)
    if args.cv_only:
        return 0

    text_lex = Lexicon(pages, "text_keys")
    name_lex = Lexicon(pages, "name_keys")
    X = np.vstack(full)
    trees = _fit(X, np.concatenate([p.labels for p in pages]),
                 np.concatenate([p.weights for p in pages]))
    sample = X[:: max(1, len(X) // 5000)]
    gap = np.abs(from_sklearn(trees).predict(sample) - trees.predict_proba(sample)[:, 1]).max()
    if gap > 1e-6:
        raise SystemExit(f"numpy evaluation differs from scikit-learn by {gap}")
    model = BlockModel(from_sklearn(trees), threshold, FEATURE_NAMES, text_lex.weights,
                       text_lex.bias, name_lex.weights, name_lex.bias)
    text = model.dumps()
    lines = [text[i:i + 100] for i in range(0, len(text), 100)]
    cv = ", ".join(f'"{k}": {v:.4f}' for k, v in cv_scores.items())
    share = ", ".join(f'"{k}": {v:.3f}' for k, v in unsure.items())
    WEIGHTS.write_text(
        '"""The block classifier\'s weights: generated by bench/train_extract.py, do not edit."""\n\n'
        "# Body F1 of the extractor with this model (second opinion included) in cross-validation\n"
        "# with folds split by site: what to expect on sites the model has not seen (its scores on\n"
        "# the pages it learned from are higher).\n"
        f"CROSS_VALIDATED_F1 = {{{cv}}}\n"
        "# Share of those unseen pages the classifier is unsure of, where trafilatura also reads them.\n"
        f"CROSS_VALIDATED_UNSURE = {{{share}}}\n\n"
        "MODEL = (\n" + "".join(f'    "{line}"\n' for line in lines) + ")\n", encoding="utf-8")
    print(f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
