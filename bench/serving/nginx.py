"""nginx for ``bench/serve.py``, run as the current user from a temporary directory: the static
ceiling (one page as a file), and the front described by ``deploy/nginx/newsdesk.conf``."""

from __future__ import annotations

import getpass
import gzip
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from serving.process import wait_for_http

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "newsdesk.conf"

# The main file around a server block; the temp paths are set because the compiled-in ones are
# writable only by root.
MAIN = """\
{user}worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""

STATIC_SITE = """\
server {{
    listen 127.0.0.1:{port};
    root {tmp}/www;
    gzip_static on;
}}
"""


def version() -> str:
    """nginx's version, e.g. "1.22.1"."""
    output = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr
    match = re.search(r"nginx/(\S+)", output)
    return match.group(1) if match else output.strip()


def static_site(tmp: Path, port: int, page: bytes, name: str) -> str:
    """A server block that serves ``page`` as /``name``, with a gzipped copy for gzip_static."""
    www = tmp / "www"
    www.mkdir(parents=True, exist_ok=True)
    (www / name).write_bytes(page)
    (www / f"{name}.gz").write_bytes(gzip.compress(page, 6))
    return STATIC_SITE.format(port=port, tmp=tmp)


def front_site(tmp: Path, port: int, upstream_port: int, data_dir: Path) -> str:
    """deploy/nginx/newsdesk.conf with the bench's ports and directories in place of its examples."""
    text = DEPLOY_CONF.read_text()
    replacements = [("listen 80;", f"listen 127.0.0.1:{port};"),
                    ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
                    ("/var/cache/nginx/newsdesk", str(tmp / "cache")),
                    ("/var/lib/newsdesk/", f"{data_dir}/")]
    for example, value in replacements:
        # A documented file that no longer says this would silently measure something else.
        if example not in text:
            raise RuntimeError(f"{DEPLOY_CONF.name} no longer contains {example!r}")
        text = text.replace(example, value)
    return text


def start(tmp: Path, site: str, port: int, log) -> subprocess.Popen:
    """Start nginx with ``site`` in a main file of its own; returns the master process, once it answers."""
    tmp.mkdir(parents=True, exist_ok=True)
    types = f"include {MIME_TYPES};" if MIME_TYPES.exists() else "types { text/html html; text/css css; }"
    (tmp / "site.conf").write_text(site)
    # Started by root, nginx's workers would switch to nobody, who cannot read the bench's directories.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(MAIN.format(tmp=tmp, types=types, user=user))
    # -e: the error log before the configuration is read, which would otherwise be a root-only path.
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process, timeout=10, any_status=True)
    except RuntimeError:
        stop(process)
        raise RuntimeError(f"nginx did not start: {(tmp / 'error.log').read_text()[-800:]}") from None
    return process


def stop(process: subprocess.Popen) -> None:
    """Stop nginx: SIGQUIT lets it finish what it is sending."""
    if process.poll() is None:
        process.send_signal(3)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    time.sleep(0.1)
