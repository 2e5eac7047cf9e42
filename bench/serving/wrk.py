"""wrk runs for ``bench/serve.py``: one bounded run against 127.0.0.1, parsed."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK = shutil.which("wrk") or "/usr/bin/wrk"
ROTATE = Path(__file__).with_name("rotate.lua")
GZIP = {"Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class Load:
    """How wrk loads the server: its threads, connections and seconds per run."""

    threads: int = 2
    connections: int = 32
    seconds: float = 10


@dataclass(frozen=True)
class Result:
    rps: float
    p50: float  # ms
    p99: float  # ms
    non_2xx: int  # wrk counts 3xx as success too
    requests: int
    socket_errors: int


def version() -> str:
    output = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout
    match = re.search(r"wrk (\S+)", output)
    return match.group(1) if match else "?"


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run(url: str, load: Load, headers: dict[str, str], paths: Path | None = None, once: bool = False) -> Result:
    """Drive ``url`` for ``load.seconds``; with ``paths``, rotate through that file's paths (each
    asked once per pass; with ``once`` a single pass, timed by the script itself)."""
    seconds = max(1, round(load.seconds))
    command = [WRK, f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if paths:
        command += ["-s", str(ROTATE), url, "--", str(paths), str(load.threads)] + (["once"] if once else [])
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    timed = re.search(r"rotation: requests=(\d+) seconds=([\d.]+)", output)
    if once and timed and float(timed.group(2)) > 0:
        # Every thread finished its share before the end of -d: the pass's own wall time counts.
        rps = int(timed.group(1)) / float(timed.group(2))
    return Result(rps=rps, p50=to_ms(latency["50"]) if latency else 0.0, p99=to_ms(latency["99"]) if latency else 0.0,
                  non_2xx=int(non_2xx.group(1)) if non_2xx else 0, requests=requests,
                  socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0)
