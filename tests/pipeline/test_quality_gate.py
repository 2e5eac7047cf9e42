"""Extraction quality floor: body F1 on both benchmark dev sets must not fall below pinned floors.

The benchmark pages live beside the repository (../shared/benchmarks/extraction, or the path in
NEWSDESK_EXTRACTION_BENCH); the test is skipped when they are absent. Floors are pinned in
quality_floors.json: raise them when the extractor improves, never lower them to pass.
"""

from __future__ import annotations

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
    from newsdesk.pipeline.extract import extract

    html, url = args
    try:
        return extract(html, url).text
    except ExtractionError:
        return ""


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, float]]:
    if not DATA.is_dir():
        pytest.skip(f"extraction benchmark not found at {DATA} (set NEWSDESK_EXTRACTION_BENCH)")
    bench = _bench()
    out = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        for set_name in bench.SETS:
            pages = bench.load_set(DATA, set_name)
            if not pages:
                continue
            texts = list(pool.map(_extract_text, [(p.html, p.url) for p in pages], chunksize=16))
            out[set_name] = bench.body_scores(set_name, ((p.body, t) for p, t in zip(pages, texts)))
    if not out:
        pytest.skip(f"no benchmark sets under {DATA}")
    return out


@pytest.mark.parametrize("set_name", ["scrapinghub-dev", "wcxb-dev-articles"])
def test_body_f1_at_or_above_floor(results, set_name):
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    if set_name not in results:
        pytest.skip(f"{set_name} not present")
    floor = floors[set_name]["f1"]
    got = results[set_name]["f1"]
    assert got >= floor, f"{set_name}: body F1 {got:.4f} fell below the floor {floor:.4f}"
