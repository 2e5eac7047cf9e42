"""The example systemd units under deploy/systemd name commands that exist and start."""

from __future__ import annotations

import configparser
import shlex
import socket
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "deploy" / "systemd"
INSTALLED = "/opt/newsdesk/.venv/bin/newsdesk"

pytestmark = pytest.mark.distributed


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def command(name: str) -> list[str]:
    argv = shlex.split(unit(name)["Service"]["ExecStart"])
    assert argv[0] == INSTALLED, f"{name} runs {argv[0]}"
    return argv[1:]


def settings_file() -> dict[str, str]:
    lines = (UNITS / "newsdesk.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_units_read_the_settings_file_and_name_their_commands():
    names = sorted(path.name for path in UNITS.glob("*.service"))
    assert names == ["newsdesk-scheduler.service", "newsdesk-web.service", "newsdesk-worker@.service"]
    for name in names:
        assert unit(name)["Service"]["EnvironmentFile"] == "/etc/newsdesk/newsdesk.env"
    documented = set(settings_file())
    assert {"NEWSDESK_DATABASE_URL", "NEWSDESK_BROKER_URL", "NEWSDESK_DATA_DIR"} <= documented
    from newsdesk.site.config import SETTINGS

    assert documented <= {setting.name for setting in SETTINGS}
    assert [command(n)[0] for n in names] == ["scheduler", "run", "worker"]


def test_every_unit_starts(deployment_factory, database, redis_broker):
    site = deployment_factory(database, redis_broker)
    site.newsdesk("migrate", "--verbosity=0")
    port = free_port()
    web = command("newsdesk-web.service")
    web[web.index("--port") + 1] = str(port)
    started = [site.start(*web, name="web"), site.start(*command("newsdesk-worker@.service"), name="worker"),
               site.start(*command("newsdesk-scheduler.service"), name="scheduler")]
    deadline = time.monotonic() + 60
    answered = None
    while time.monotonic() < deadline and answered is None:
        try:
            answered = httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code
        except httpx.HTTPError:
            time.sleep(0.5)
    assert answered == 200, site.logs()
    site.wait_for(lambda: "ready." in site.logs(), 60, "the worker to be ready")
    assert all(process.poll() is None for process in started), site.logs()
    logs = site.logs()
    assert "ingest by `newsdesk worker`" in logs and "newsdesk scheduler: queueing due sources" in logs
