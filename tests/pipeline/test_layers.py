"""The layers stay apart: the pipeline knows nothing of Django, ingest or the site, and only
``newsdesk.ingest`` joins pipeline results to the models."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import newsdesk
import newsdesk.pipeline

SRC = Path(newsdesk.__file__).resolve().parent
# Pipeline modules that produce results (pages, feeds, articles, stories, places): outside the
# pipeline itself only ingest, and the commands that need no database, may use them.
STAGES = ("archive", "cluster", "copies", "entities", "extraction", "feeds", "fetch", "images", "model", "places")
NO_DATABASE = {"newsdesk.extract_cli", "newsdesk.geoparse_cli"}


def test_pipeline_imports_nothing_of_django_ingest_or_site():
    names = sorted(m.name for m in pkgutil.walk_packages(newsdesk.pipeline.__path__, "newsdesk.pipeline."))
    script = ("import importlib, sys\n"
              f"for name in {names!r}:\n    importlib.import_module(name)\n"
              "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith(('django.', 'celery', "
              "'newsdesk.ingest', 'newsdesk.site')))\n"
              "print('\\n'.join(bad))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(names) > 20
    assert done.stdout.strip() == "", f"the pipeline pulled in: {done.stdout}"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_only_ingest_joins_pipeline_results_to_the_models():
    offenders = []
    for path in SRC.rglob("*.py"):
        module = "newsdesk." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        if module.startswith(("newsdesk.pipeline", "newsdesk.ingest", "newsdesk.demo")) or module in NO_DATABASE:
            continue
        used = sorted(name for name in _imports(path)
                      if any(name == f"newsdesk.pipeline.{stage}" or name.startswith(f"newsdesk.pipeline.{stage}.")
                             for stage in STAGES)
                      and not name.startswith("newsdesk.pipeline.extraction.render"))
        if used:
            offenders.append(f"{module}: {', '.join(used)}")
    assert not offenders, "pipeline stages used outside ingest:\n" + "\n".join(offenders)
