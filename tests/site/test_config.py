"""The settings table is the single source of the README's configuration section."""

from pathlib import Path

import pytest

from newsdesk.site import config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_configuration_table_matches_the_settings():
    assert config.markdown_table() in README.read_text(), (
        "README's configuration table is out of date; paste the output of "
        "`python -c 'from newsdesk.site.config import markdown_table; print(markdown_table())'`")


def test_every_setting_is_read_and_bad_values_name_the_variable():
    values = config.read_all({})
    assert values["NEWSDESK_DEBUG"] is False
    assert values["NEWSDESK_FETCH_CONCURRENCY"] == 8
    assert values["NEWSDESK_ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    with pytest.raises(ValueError, match="NEWSDESK_DEBUG"):
        config.read_all({"NEWSDESK_DEBUG": "maybe"})
    with pytest.raises(ValueError, match="NEWSDESK_COMMENT_MODERATION"):
        config.read_all({"NEWSDESK_COMMENT_MODERATION": "whatever"})


def test_secret_key_is_generated_once_with_private_permissions(tmp_path):
    first = config.secret_key_from(tmp_path)
    assert len(first) >= 50
    assert config.secret_key_from(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_processes_started_together_on_a_new_data_directory_share_one_secret_key(tmp_path):
    # A worker and a scheduler started at once on a new data directory: each must get the key,
    # the same one, and none may fail because another created the file first.
    import subprocess
    import sys
    import time

    data = tmp_path / "data"
    script = ("import sys, time; from pathlib import Path; from newsdesk.site import config\n"
              "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
              "print(config.secret_key_from(Path(sys.argv[1])))")
    start = f"{time.time() + 1.5:.3f}"  # all of them start at the same moment
    runs = [subprocess.Popen([sys.executable, "-c", script, str(data), start], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [run.communicate(timeout=60) + (run.returncode,) for run in runs]
    assert all(code == 0 for _, _, code in results), [err for _, err, code in results if code]
    keys = {out.strip() for out, _, _ in results}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert sorted(p.name for p in data.iterdir()) == ["secret_key"], "a draft of the key was left behind"
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
