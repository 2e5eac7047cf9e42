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
