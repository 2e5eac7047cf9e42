"""newsdesk's settings: one declared table of environment variables.

Django's settings module reads every value through this table, and the README's configuration
section is checked against it by a test, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must be 0 or more, not {number}")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"must be 1 or more, not {number}")
    return number


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # as it would be written in the environment; "" means unset
    help: str
    parse: Callable[[str], object] = str

    def read(self, environ: dict[str, str] | None = None) -> object:
        raw = (os.environ if environ is None else environ).get(self.name, self.default)
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}") from None


SETTINGS: tuple[Setting, ...] = (
    Setting("NEWSDESK_DATA_DIR", "./newsdesk-data",
            "Directory for the SQLite database (stored pages live in it), the generated secret key, the page "
            "cache's tag clock, the pictures (`media/`) and the `theme/` override folder."),
    Setting("NEWSDESK_DATABASE_URL", "",
            "Database URL. Unset: SQLite file `newsdesk.sqlite3` in the data directory (WAL). "
            "For PostgreSQL: `postgresql://user:password@host:5432/name`."),
    Setting("NEWSDESK_SECRET_KEY", "",
            "Django secret key. Unset: generated once into `secret_key` in the data directory."),
    Setting("NEWSDESK_DEBUG", "false", "Django debug mode. Never on a public site.", _bool),
    Setting("NEWSDESK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]",
            "Comma-separated host names the site answers to.", _list),
    Setting("NEWSDESK_FETCH_CONCURRENCY", "8",
            "Pages fetched at once across all sources (never more than 2 per host).", int),
    Setting("NEWSDESK_USER_AGENT", "",
            "User-Agent sent to outlets. Unset: `newsdesk/<version> (+https://github.com/newsdesk/newsdesk)`."),
    Setting("NEWSDESK_MAX_BODY_BYTES", "10485760",
            "Largest response body accepted; larger downloads are cut off and reported.", int),
    Setting("NEWSDESK_POLL_INTERVAL", "30",
            "Default minutes between polls of a source (each source can override it).", int),
    Setting("NEWSDESK_SITE_NAME", "newsdesk", "Site name shown in the header, feeds and titles."),
    Setting("NEWSDESK_SITE_LOGO", "",
            "URL or static path of the logo shown beside the site name. Unset: the built-in logo."),
    Setting("NEWSDESK_SITE_TAGLINE", "The news, from the outlets you follow", "Tagline under the site name."),
    Setting("NEWSDESK_TRUSTED_PROXY", "",
            "Address of the reverse proxy in front of `newsdesk run` (or `*` for any). Set: the "
            "reader's address, scheme and host are taken from its X-Forwarded-For/-Proto/-Host "
            "headers (comment rate limits count readers, not the proxy). Unset: those headers are dropped."),
    Setting("NEWSDESK_TRUSTED_PROXY_COUNT", "1",
            "Proxies in front of newsdesk that append to X-Forwarded-For (with `NEWSDESK_TRUSTED_PROXY`).", int),
    Setting("NEWSDESK_PAGE_CACHE_MB", "128",
            "Megabytes of rendered pages (kept compressed, about 10 kB each) each server process keeps "
            "in memory (a page goes as soon as what it shows changes).", _positive),
    Setting("NEWSDESK_PROXY_CACHE_SECONDS", "5",
            "Seconds a proxy cache in front (nginx, see `deploy/nginx/newsdesk.conf`) may serve a public "
            "page before asking newsdesk again (sent as X-Accel-Expires; the question is answered with "
            "304 Not Modified while the page is unchanged).", _non_negative),
    Setting("NEWSDESK_ENTITIES", "true",
            "Find the people, organisations and places each new article names (English text), and put the "
            "places on the map. `newsdesk enrich` runs it again over stored articles.", _bool),
    Setting("NEWSDESK_IMAGES", "true",
            "Copy each new article's pictures (lead and body) into the data directory as WebP and JPEG renditions "
            "that the site serves itself. A picture that cannot be stored is shown from the outlet's address and "
            "the reason is listed in the admin. `newsdesk images` fetches those of stored articles.", _bool),
    Setting("NEWSDESK_IMAGE_MAX_BYTES", "10485760",
            "Largest picture downloaded; a larger one is cut off and shown from the outlet's address.", _positive),
    Setting("NEWSDESK_IMAGE_MAX_PIXELS", "40000000",
            "Most pixels a picture may declare (width times height), checked before it is decoded.", _positive),
    Setting("NEWSDESK_IMAGES_PER_ARTICLE", "20",
            "Pictures stored per article, the lead picture first; further ones are shown from the outlet's address.",
            _positive),
    Setting("NEWSDESK_KEEP_ARTICLES_DAYS", "0",
            "Days an article is kept after its publication date; older ones are deleted by `newsdesk prune` "
            "and hourly by `newsdesk run`, and feed entries older than that are not fetched. 0: forever.",
            _non_negative),
    Setting("NEWSDESK_KEEP_RAW_PAGES_DAYS", "90",
            "Days the page as fetched is stored with its article (for re-extraction and learning an outlet's "
            "template); the article itself stays. 0: forever.", _non_negative),
    Setting("NEWSDESK_KEEP_DISCUSSED", "true",
            "Keep articles with an approved reader comment whatever their age.", _bool),
    Setting("NEWSDESK_KEEP_EDITED", "true",
            "Keep articles an editor worked on (edited in the admin, or a story or copy group chosen for it) "
            "whatever their age.", _bool),
    Setting("NEWSDESK_LOGIN_ATTEMPTS", "5",
            "Failed admin logins allowed from one address, and for one account, before further tries "
            "are refused for `NEWSDESK_LOGIN_LOCKOUT_MINUTES`. 0: no limit.", _non_negative),
    Setting("NEWSDESK_LOGIN_LOCKOUT_MINUTES", "15",
            "Minutes an address or account stays locked out after too many failed logins "
            "(each further failure restarts the wait).", _positive),
    Setting("NEWSDESK_HSTS_SECONDS", "31536000",
            "Strict-Transport-Security max-age sent on requests that arrived over https (directly or "
            "through `NEWSDESK_TRUSTED_PROXY`); cookies on those responses are marked Secure. 0: no HSTS.",
            _non_negative),
    Setting("NEWSDESK_COMMENT_MODERATION", "hold-all",
            "Reader comments: `hold-all` (every comment waits for approval), `hold-first` "
            "(first-time commenters wait) or `publish`.", _choice("hold-all", "hold-first", "publish")),
    Setting("NEWSDESK_BROKER_URL", "",
            "Broker of a distributed deployment: `redis://host:6379/0` or `amqp://user:password@host:5672//`. "
            "Unset: `newsdesk run` polls sources itself, in threads. Set: `newsdesk worker` processes ingest, "
            "`newsdesk scheduler` queues the sources that are due, and `newsdesk run` only serves "
            "(use PostgreSQL then; see \"Running at scale\").", str),
    Setting("NEWSDESK_QUEUE", "newsdesk",
            "Prefix of the broker's queue names (`<prefix>.fetch`, `<prefix>.derive`), so that several "
            "deployments can share one broker."),
    Setting("NEWSDESK_REDELIVER_SECONDS", "600",
            "On Redis: seconds after which a task taken by a worker that vanished (killed, machine lost) is "
            "given to another worker. Longer than any task runs (a poll, a page, its stages). RabbitMQ gives "
            "it again as soon as the worker's connection drops.", _positive),
    Setting("NEWSDESK_TASK_ATTEMPTS", "4",
            "Tries of a task that failed on a fetch or database error, with growing pauses in between, "
            "before it is recorded for an editor in the admin (Workers > Task failures).", _positive),
    Setting("NEWSDESK_COPY_WINDOW_DAYS", "7",
            "Days apart within which articles of one text (an agency's story on several sites) are found "
            "as copies and shown once. 0: no copy detection, every copy is listed.", _non_negative),
)


def read_all(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Read every declared setting; raises ValueError naming the variable that is wrong."""
    return {setting.name: setting.read(environ) for setting in SETTINGS}


def secret_key_from(data_dir: Path) -> str:
    """Return the secret key stored in the data directory, creating it on first use.

    Several processes started together on a new data directory (a worker and a scheduler) get
    the same key: the key is written to a file of its own, then linked into place, which only
    one of them can do; the others read the key it linked. The key file is never seen half written.
    """
    from django.core.management.utils import get_random_secret_key

    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    # Created with owner-only permissions: the key signs sessions and CSRF tokens.
    fd, draft = tempfile.mkstemp(prefix=".secret_key-", dir=data_dir)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(draft, path)
        except FileExistsError:
            return path.read_text().strip()  # another process was first
    finally:
        os.unlink(draft)
    return key


def trusted_origins(allowed_hosts: list[str]) -> list[str]:
    """CSRF trusted origins for the site's own host names, over http and https: `.example.org`
    (a domain and its subdomains) gives `https://*.example.org`; `*` gives none."""
    origins = []
    for host in allowed_hosts:
        if host == "*" or not host:
            continue
        name = "*" + host if host.startswith(".") else host
        origins += [f"https://{name}", f"http://{name}"]
    return origins


def markdown_table() -> str:
    """The configuration table as Markdown, as it appears in the README."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(unset)"
        lines.append(f"| `{setting.name}` | {default} | {setting.help} |")
    return "\n".join(lines)
