"""Settings: defaults < briefing.toml < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import Settings, load_settings
from briefing.errors import UsageError


def test_defaults_without_a_config_file(tmp_path):
    assert load_settings(config=tmp_path / "briefing.toml") == Settings()


def test_config_file_then_flags(tmp_path):
    config = tmp_path / "briefing.toml"
    config.write_text('[corpus]\ndir = "articles"\nindex = "x.sqlite"\nmax_file_bytes = 1000\n', encoding="utf-8")
    assert load_settings(config=config) == Settings(Path("articles"), Path("x.sqlite"), 1000)
    assert load_settings(corpus=Path("other"), config=config).corpus == Path("other")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[corpus\n", "not valid TOML"),
        ("corpus = 3\n", "must be tables"),
        ("[corpus]\nmax_file_bytes = 'big'\n", "whole number"),
        ("[corpus]\nmax_file_bytes = 0\n", "must be positive"),
        ("[corpus]\nmax_file_bytes = true\n", "max_file_bytes must be a whole number of bytes"),  # not a 1-byte cap
        ("[corpus]\nlock_wait = true\n", "lock_wait must be a positive number of seconds"),
        ("[feeds]\ntimeout = false\n", "feeds.timeout must be a positive number of seconds"),
        ('[mail]\nhost = "h"\nsender = "s@example.org"\nport = true\n', "mail.port must be a port number"),
        ('[mail]\nhost = "h"\nsender = "s@example.org"\ntimeout = true\n', "mail.timeout must be a positive number"),
        ("[brief]\nstale_after_days = true\n", "stale_after_days must be a whole number"),
        ("[brief]\nstale_after_days = -1\n", "stale_after_days must be a whole number"),
    ],
)
def test_bad_config_is_a_usage_error(tmp_path, content, message):
    config = tmp_path / "briefing.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_settings(config=config)
