"""The admin door on a real `newsdesk run` behind a trusted proxy: login attempts throttled per
address and per account, Secure cookies and HSTS over https, CSRF origins from the allowed hosts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from contextlib import contextmanager

import httpx

from newsdesk.site import config
from tests.site.test_run import free_port, wait_for

PASSWORD = "pw-editor-1234"


@contextmanager
def running_site(tmp_path, **extra_env: str):
    """`newsdesk run` on SQLite in its own data directory, behind 127.0.0.1 as the trusted proxy,
    with the editors `editor` and `second`."""
    port = free_port()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings", "NEWSDESK_TRUSTED_PROXY": "127.0.0.1",
           "NEWSDESK_ALLOWED_HOSTS": "news.example.org,127.0.0.1", **extra_env}
    subprocess.run([sys.executable, "-m", "newsdesk", "shell", "-c",
                    "from django.core.management import call_command; call_command('migrate', verbosity=0); "
                    "from django.contrib.auth.models import User; "
                    f"[User.objects.create_superuser(n, n + '@example.org', {PASSWORD!r}) for n in ('editor', 'second')]"],
                   env=env, check=True, capture_output=True, timeout=120)
    process = subprocess.Popen([sys.executable, "-m", "newsdesk", "run", "--no-poll", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/robots.txt")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def log_in(base: str, username: str, password: str, address: str) -> int:
    """Status of posting the admin login form as a reader at ``address`` (through the proxy)."""
    headers = {"X-Forwarded-For": address}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        form = client.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = client.post("/admin/login/", data={"csrfmiddlewaretoken": token, "username": username,
                                                      "password": password, "next": "/admin/"})
        return response.status_code


def test_failed_logins_lock_out_the_address_then_the_account(tmp_path):
    with running_site(tmp_path, NEWSDESK_LOGIN_ATTEMPTS="3") as base:
        assert log_in(base, "editor", PASSWORD, "203.0.113.1") == 302  # the right password works

        # Per address: three wrong passwords, for any accounts, from one address; the third one
        # gets the lockout page.
        for name in ("nobody", "ghost"):
            assert log_in(base, name, "wrong", "203.0.113.5") == 200  # the form again, with an error
        assert log_in(base, "second", "wrong", "203.0.113.5") == 429
        assert log_in(base, "second", PASSWORD, "203.0.113.5") == 429  # even the right password now
        assert log_in(base, "second", PASSWORD, "203.0.113.6") == 302  # another address is not locked

        # Per account: three wrong passwords for one account, each from a different address.
        for n in range(2):
            assert log_in(base, "editor", "wrong", f"198.51.100.{n}") == 200
        assert log_in(base, "editor", "wrong", "198.51.100.2") == 429
        assert log_in(base, "editor", PASSWORD, "198.51.100.77") == 429
        assert log_in(base, "second", PASSWORD, "198.51.100.78") == 302  # other accounts still log in


def test_the_lockout_page_says_why(tmp_path):
    with running_site(tmp_path, NEWSDESK_LOGIN_ATTEMPTS="2") as base:
        assert log_in(base, "editor", "wrong", "203.0.113.9") == 200
        with httpx.Client(base_url=base, headers={"X-Forwarded-For": "203.0.113.9"}) as client:
            form = client.get("/admin/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            page = client.post("/admin/login/", data={"csrfmiddlewaretoken": token, "username": "editor",
                                                      "password": "wrong again"})
        assert page.status_code == 429 and "Too many failed login attempts" in page.text
        assert "after 2 failed attempts" in page.text


def test_https_through_the_proxy_gets_hsts_and_secure_cookies_plain_http_does_not(tmp_path):
    with running_site(tmp_path) as base:
        secure = httpx.get(f"{base}/admin/login/", headers={"X-Forwarded-Proto": "https",
                                                            "X-Forwarded-Host": "news.example.org"})
        plain = httpx.get(f"{base}/admin/login/")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = secure.headers["Set-Cookie"]
    assert cookie.startswith("csrftoken=") and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" not in plain.headers
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_a_form_posted_from_the_sites_https_name_passes_csrf_when_the_proxy_drops_the_scheme(tmp_path):
    # A proxy that terminates TLS but does not forward X-Forwarded-Proto: the browser's Origin is
    # https://news.example.org while newsdesk sees http. The allowed host makes it trusted.
    with running_site(tmp_path) as base:
        with httpx.Client(base_url=base, headers={"X-Forwarded-Host": "news.example.org"}) as client:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/admin/login/").text).group(1)
            ours = client.post("/admin/login/", headers={"Origin": "https://news.example.org"},
                               data={"csrfmiddlewaretoken": token, "username": "editor", "password": PASSWORD})
            theirs = client.post("/admin/login/", headers={"Origin": "https://evil.example.com"},
                                 data={"csrfmiddlewaretoken": token, "username": "editor", "password": PASSWORD})
    assert ours.status_code == 302
    assert theirs.status_code == 403


def test_trusted_origins_come_from_the_allowed_hosts():
    assert config.trusted_origins(["news.example.org", ".example.net", "*", "127.0.0.1"]) == [
        "https://news.example.org", "http://news.example.org", "https://*.example.net", "http://*.example.net",
        "https://127.0.0.1", "http://127.0.0.1"]
