"""Extraction quality floor on pages the shipped model never trained on.

A fixed fifth of each benchmark dev set's sites (fold 0 of ``bench/extraction.py``'s split by
site) is kept out of training by ``bench/train_extract.py``. This gate extracts those pages with
the shipped model, so a model that learns its training pages by heart cannot pass it; body F1
on each set must not fall below the floors pinned in quality_floors.json (raise them when the
extractor improves, never lower them to pass).

The benchmark pages live beside the repository (../shared/benchmarks/extraction, or the path in
NEWSDESK_EXTRACTION_BENCH); the test is skipped when they are absent.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOORS = Path(__file__).with_name("quality_floors.json")
DATA = Path(os.environ.get("NEWSDESK_EXTRACTION_BENCH",
                           REPO.parent / "shared" / "benchmarks" / "extraction"))

pytestmark = pytest.mark.gate


def _bench():
    # bench/extraction.py owns the data loading and both sets' metrics; reuse them as they are.
    spec = importlib.util.spec_from_file_location("newsdesk_bench_extraction",
                                                  REPO / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while they are being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _extract_text(args: tuple[str, str]) -> str:
    from newsdesk.pipeline.errors import ExtractionError
    from newsdesk.pipeline.extraction import extract

    html, url = args
    try:
        return extract(html, url).text
    except ExtractionError:
        return ""


@pytest.fixture(scope="module")
def split():
    """The dev pages and their sites' folds (0: held out of training)."""
    if not DATA.is_dir():
        pytest.skip(f"extraction benchmark not found at {DATA} (set NEWSDESK_EXTRACTION_BENCH)")
    bench = _bench()
    everything = [p for s in bench.SETS for p in bench.load_set(DATA, s)]
    if not everything:
        pytest.skip(f"no benchmark sets under {DATA}")
    return bench, everything, bench.site_folds(everything)


def test_the_gate_pages_are_the_ones_the_model_never_trained_on(split):
    """The training script records which sites it held out; the split here must be the same,
    or the gate would score pages the shipped model learned from."""
    from newsdesk.pipeline.extraction import _weights

    _, _, folds = split
    held = sorted(site for site, fold in folds.items() if fold == 0)
    digest = hashlib.sha1("\n".join(held).encode("utf-8")).hexdigest()
    assert digest == _weights.HELD_OUT_SITES_SHA1


@pytest.fixture(scope="module")
def results(split) -> dict[str, dict[str, float]]:
    bench, everything, folds = split
    out = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        for set_name in bench.SETS:
            pages = [p for p in everything if p.set == set_name and folds[p.site] == 0]
            if not pages:
                continue
            texts = list(pool.map(_extract_text, [(p.html, p.url) for p in pages], chunksize=8))
            out[set_name] = bench.body_scores(set_name, zip(pages, texts))
    return out


@pytest.mark.parametrize("set_name", ["scrapinghub-dev", "wcxb-dev-articles", "trafilatura-dev"])
def test_body_f1_at_or_above_floor(results, set_name):
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    if set_name not in results:
        pytest.skip(f"{set_name} not present")
    floor = floors[set_name]["f1"]
    got = results[set_name]["f1"]
    assert got >= floor, f"{set_name}: body F1 {got:.4f} fell below the floor {floor:.4f}"
