"""Settings: defaults < briefing.toml < flags, checked against the schema the dataclasses make."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from briefing.config import SETTINGS_FILE, MailSettings, Settings, load_settings, schema
from briefing.errors import UsageError

from .conftest import PROJECT


def test_defaults_without_a_config_file():
    assert load_settings() == Settings()


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(UsageError, match="no settings file at .*missing.toml"):
        load_settings(config=tmp_path / "missing.toml")


def test_config_file_then_flags(tmp_path):
    config = tmp_path / "briefing.toml"
    config.write_text('[corpus]\ndir = "articles"\nindex = "x.sqlite"\nmax_file_bytes = 1000\n', encoding="utf-8")
    assert load_settings(config=config) == Settings(Path("articles"), Path("x.sqlite"), 1000)
    assert load_settings(corpus=Path("other"), config=config).corpus == Path("other")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[corpus\n", "not valid TOML"),
        ("corpus = 3\n", "briefing.toml: corpus must be a table: [corpus]"),
        ("[corpus]\nmax_file_bytes = 'big'\n", "whole number"),
        ("[corpus]\nmax_file_bytes = 0\n", "must be positive"),
        ("[corpus]\nmax_file_bytes = true\n", "max_file_bytes must be a whole number of bytes"),  # not a 1-byte cap
        ("[corpus]\nlock_wait = true\n", "lock_wait must be a positive number of seconds"),
        ("[feeds]\ntimeout = false\n", "feeds.timeout must be a positive number of seconds"),
        ('[mail]\nhost = "h"\nsender = "s@example.org"\nport = true\n', "mail.port must be a port number"),
        ('[mail]\nhost = "h"\nsender = "s@example.org"\ntimeout = true\n', "mail.timeout must be a positive number"),
        ("[brief]\nstale_after_days = true\n", "stale_after_days must be a whole number"),
        ("[brief]\nstale_after_days = -1\n", "stale_after_days must be a whole number"),
        ('[brief]\nsubjet = "Kazakhstan"\n', "unknown key 'brief.subjet' (did you mean 'subject'?)"),
        ('[digests]\nout = "x"\n', "unknown table [digests] (did you mean [digest]?)"),
        ('[corpus]\nsubject = "x"\n', "unknown key 'corpus.subject' (did you mean 'brief.subject'?)"),
        ('subject = "x"\n', "unknown key 'subject' (did you mean 'brief.subject'?)"),
        ('[mail]\nhost = "h"\nsender = "s"\nprot = 25\n', "unknown key 'mail.prot' (did you mean 'port'?)"),
        ('[mail]\nhost = "h"\nsender = "s"\nzzz = 1\n', "unknown key 'mail.zzz' (known: host, sender, port, to, username, password_env, security, timeout)"),
        ('[mail]\nsender = "s"\n', "mail.host must be given"),
        ('[mail]\nhost = "h"\nsender = "s"\nsecurity = "tls"\n', "mail.security must be one of starttls, ssl, none"),
        ('[brief]\nsubject = 3\n', "brief.subject must be text in quotes"),
        ("[brief]\nout = true\n", "brief.out must be a path in quotes"),
        ('[feeds]\nurls = "https://example.org/feed"\n', "feeds.urls must be a list of texts in quotes"),
        ('[digest]\ndeliver = ""\n', "digest.deliver must be a path in quotes"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path, content, message):
    """Unknown keys and tables, and values of the wrong kind: one line, the key named, the nearest suggested."""
    config = tmp_path / "briefing.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_settings(config=config)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_every_setting_is_one_key_of_the_schema():
    """The schema is the dataclasses': each Settings field is one key, or ([mail]) one table."""
    named = []
    for spec in schema().values():
        named += [spec[0]] if isinstance(spec, tuple) else [field for field, _ in spec.values()]
    assert sorted(named) == sorted(f.name for f in fields(Settings))
    assert schema()["corpus"]["dir"][0] == "corpus" and schema()["mail"] == ("mail", MailSettings)


def test_the_shipped_briefing_toml_shows_only_known_keys_and_their_defaults(tmp_path):
    """Every commented-out example in the shipped file is a valid setting when uncommented, and
    the values it shows for the built-in defaults are the defaults."""
    shipped = (PROJECT / "briefing.toml").read_text(encoding="utf-8")
    assert load_settings(config=PROJECT / "briefing.toml") == Settings(subject="Kazakhstan")
    uncommented = re.sub(r"(?m)^# ?(\[\w+\]|\w+ = )", r"\1", shipped)
    config = tmp_path / "all.toml"
    config.write_text(uncommented, encoding="utf-8")
    everything = load_settings(config=config)
    defaults = Settings()
    for name in ("corpus", "index", "max_file_bytes", "lock_wait", "out", "stale_after_days", "feed_timeout", "digests"):
        assert getattr(everything, name) == getattr(defaults, name), name
    assert everything.mail is not None and everything.feeds and everything.deliver


def test_the_run_settings_file_is_used_when_none_is_passed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefing.toml").write_text('[brief]\nsubject = "Here"\n', encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text('[brief]\nsubject = "There"\n', encoding="utf-8")
    token = SETTINGS_FILE.set(other)
    try:
        assert load_settings().subject == "There"
    finally:
        SETTINGS_FILE.reset(token)
    assert load_settings().subject == "Here"
