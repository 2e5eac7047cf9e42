"""``newsdesk geoparse`` end to end: files, standard input and JSON Lines."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from newsdesk import geoparse_cli

FIXTURES = Path(__file__).parent / "fixtures" / "geoparse"


def test_file_input(capsys):
    assert geoparse_cli.main([str(FIXTURES / "paris_texas.txt"), str(FIXTURES / "no_places.txt")]) == 0
    first, second = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    paris = next(p for p in first["places"] if p["text"] == "Paris")
    assert paris["country"] == "US" and paris["name"] == "Paris"
    assert {"start", "end", "text", "name", "lat", "lon", "country", "geonameid"} == set(paris)
    assert {"start", "end", "text", "kind"} == set(first["entities"][0])
    assert second == {"places": [], "entities": []}


def test_jsonl_batch_and_unresolved_places(capsys, monkeypatch):
    lines = [json.dumps({"id": "a", "text": (FIXTURES / "rockets.txt").read_text(encoding="utf-8")}),
             "", json.dumps({"id": 7, "text": "Nothing here."})]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert geoparse_cli.main(["--jsonl"]) == 0
    first, second = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert first["id"] == "a" and second["id"] == 7
    assert "Zummar" not in {p["text"] for p in first["places"]}           # unresolved: not on the map
    assert {"text": "Zummar", "kind": "place"}.items() <= next(
        e for e in first["entities"] if e["text"] == "Zummar").items()      # but still a place name
    assert {p["country"] for p in first["places"]} == {"IQ", "US", "SY"}


def test_bad_jsonl_line_keeps_earlier_output(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"id": 1, "text": "Paris is busy."}\nnot json\n{"id": 3}\n'))
    assert geoparse_cli.main(["--jsonl"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out.splitlines()[0])["id"] == 1
    assert len(captured.out.splitlines()) == 1
    assert "line 2" in captured.err


def test_missing_file(capsys, tmp_path):
    assert geoparse_cli.main([str(tmp_path / "missing.txt")]) == 1
    assert "cannot read" in capsys.readouterr().err
