"""The pipeline's public API: ``from newsdesk.pipeline import extract`` is the extract function."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import newsdesk.pipeline
from newsdesk.pipeline import Article, ExtractOptions, extract

PAGE = ("<html><head><title>Sea wall vote</title></head><body><article><h1>Sea wall vote</h1>"
        "<p>The harbour board voted on Tuesday to rebuild the old sea wall, after two winters of "
        "flooding that reached the market square twice and closed the ferry for a week.</p>"
        "<p>Work starts in April and is to be finished before the autumn storms, the board said, "
        "and the ferry will run from the north quay while it lasts.</p></article></body></html>")


def test_extract_is_the_function_and_returns_an_article():
    assert inspect.isfunction(extract)
    assert extract is importlib.import_module("newsdesk.pipeline.extraction.core").extract
    article = extract(PAGE, url="https://example.test/sea-wall", options=ExtractOptions(fast=True))
    assert isinstance(article, Article)
    assert article.title == "Sea wall vote" and article.text.startswith("The harbour board voted")


def test_exported_names_exist():
    for name in newsdesk.pipeline.__all__:
        assert getattr(newsdesk.pipeline, name) is not None


def test_extract_stays_the_function_after_its_submodules_are_imported():
    # A fresh interpreter, so that every submodule is imported here for the first time, the
    # extractor's own core before the pipeline package is even named.
    modules = [m.name for m in pkgutil.iter_modules(importlib.import_module("newsdesk.pipeline.extraction").__path__)]
    assert "core" in modules and "attribution" in modules
    script = "\n".join([
        "import importlib, inspect",
        "from newsdesk.pipeline.extraction.core import analyse",
        "from newsdesk.pipeline import extract",
        "assert inspect.isfunction(extract), extract",
        *(f"importlib.import_module('newsdesk.pipeline.extraction.{name}')" for name in modules),
        "from newsdesk.pipeline.extraction import core, template",
        "import newsdesk.pipeline.extraction.render as render",
        "assert render.render_text",
        "import newsdesk.pipeline",
        "from newsdesk.pipeline import extract as again",
        "assert again is extract and newsdesk.pipeline.extract is extract, again",
        "print(type(extract(" + repr(PAGE) + ")).__name__)",
    ])
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Article"
