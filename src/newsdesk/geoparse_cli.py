"""`newsdesk geoparse`: print the places and entities of plain text files or standard input.

Geoparsing needs no database, so ``newsdesk geoparse`` runs this without setting Django up.
The language model and the gazetteer are loaded once, however many inputs there are.

Output is one JSON object per input: ``places`` lists the resolved places (name, point, country,
GeoNames id); a place name the gazetteer cannot resolve is left out of ``places`` and stays in
``entities`` with kind "place". With ``--jsonl``, standard input is JSON Lines of
``{"id", "text"}`` and each line's result carries its ``id``: the batch form for benchmarks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from newsdesk.pipeline.entities import load_model
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.places import Gazetteer, Geoparse, PlaceOptions, geoparse

HELP = ("Find the places (resolved to coordinates) and the people and organisations named in plain "
        "text files or - (standard input), one JSON object per input. With --jsonl, read JSON Lines "
        '{"id": ..., "text": ...} from standard input and write one line per input line. '
        "Needs no database or data directory.")


class GeoparseFailed(Exception):
    """An input that could not be read or parsed; the message says which."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="FILE|-", help="Text files; - or nothing for standard input.")
    parser.add_argument("--jsonl", action="store_true", help='Read JSON Lines {"id", "text"} from standard input.')
    parser.add_argument("--country", default="", metavar="CC",
                        help="The outlet's country (ISO 3166 alpha-2), a prior for ambiguous names.")
    parser.add_argument("--no-demonyms", action="store_true",
                        help='Do not count demonyms ("Iraqi") as mentions of their country.')


def run(inputs: list[str], out: TextIO, *, jsonl: bool = False, options: PlaceOptions | None = None,
        stdin: TextIO | None = None) -> None:
    """Geoparse every input and print it to ``out``. Raises GeoparseFailed."""
    stdin = stdin or sys.stdin
    if jsonl and inputs and inputs != ["-"]:
        raise GeoparseFailed("--jsonl reads standard input only")
    texts = [] if jsonl else [_read(item, stdin) for item in (inputs or ["-"])]
    nlp, gazetteer = _load()
    if jsonl:
        _run_lines(stdin, out, nlp, gazetteer, options)
        return
    for name, text in texts:
        out.write(_dumps(_parse(name, text, nlp, gazetteer, options)) + "\n")


def _run_lines(stdin: TextIO, out: TextIO, nlp, gazetteer, options) -> None:
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GeoparseFailed(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise GeoparseFailed(f'line {number}: expected an object with a "text" string')
        result = _parse(f"line {number}", item["text"], nlp, gazetteer, options)
        out.write(_dumps({"id": item.get("id"), **result}) + "\n")
        out.flush()  # earlier lines' results stay written if a later line fails


def main(argv: list[str]) -> int:
    """``newsdesk geoparse ARGS``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="newsdesk geoparse", description=HELP)
    add_arguments(parser)
    args = parser.parse_args(argv)
    options = PlaceOptions(outlet_country=args.country.upper(), demonyms=not args.no_demonyms)
    try:
        run(args.inputs, sys.stdout, jsonl=args.jsonl, options=options)
    except GeoparseFailed as exc:
        print(f"CommandError: {exc}", file=sys.stderr)  # as the Django commands report theirs
        return 1
    return 0


def _load():
    try:
        return load_model(), Gazetteer.load()
    except PipelineError as exc:
        raise GeoparseFailed(str(exc)) from None


def _read(item: str, stdin: TextIO) -> tuple[str, str]:
    if item == "-":
        return "-", stdin.read()
    try:
        return item, Path(item).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise GeoparseFailed(f"cannot read {item}: {exc.strerror}") from None


def _parse(name: str, text: str, nlp, gazetteer, options) -> dict:
    try:
        return geoparse_dict(geoparse(text, nlp, gazetteer, options))
    except PipelineError as exc:
        raise GeoparseFailed(f"{name}: {exc}") from None


def geoparse_dict(result: Geoparse) -> dict:
    """A geoparse as JSON-ready data: resolved places only; every name among the entities."""
    places = [{"start": p.start, "end": p.end, "text": p.text, "name": p.entry.name, "lat": p.entry.lat,
               "lon": p.entry.lon, "country": p.entry.country, "geonameid": p.entry.geonameid}
              for p in result.places if p.entry is not None]
    entities = [{"start": e.start, "end": e.end, "text": e.text, "kind": e.kind} for e in result.entities]
    return {"places": places, "entities": entities}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
