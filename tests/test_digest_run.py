"""Digest runs end to end through the CLI: list, resend, empty digests, secrets, failure alerts, the
log, and the record taken over from an earlier briefing. Real index, real PDFs, a real SMTP server
on 127.0.0.1 (aiosmtpd); every run in its own folder with its own briefing.toml."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.digest import record

from . import test_digest_handoff
from .conftest import DIPLOMAT_TIMES, POLITICO
from .test_digest_handoff import Inbox, check_password
from .test_digest_make import pdf_text

runner = CliRunner()
smtp_server = test_digest_handoff.smtp_server  # the fixture: an SMTP server on 127.0.0.1
ONE_TOPIC = '[trade]\ntitle = "Trade"\nkeywords = ["trade", "exports"]\n'


@pytest.fixture
def folder(corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the seed corpus and one topic, as the working folder."""
    (tmp_path / "topics.toml").write_text(ONE_TOPIC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings(folder: Path, port: int, **mail: str) -> None:
    extra = "".join(f'{k} = "{v}"\n' for k, v in mail.items())
    (folder / "briefing.toml").write_text(
        f'[brief]\nsubject = "Kazakhstan"\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsender = "briefs@example.org"\n'
        f'security = "none"\ntimeout = 5\n{extra}',
        encoding="utf-8",
    )


def digest(*args: str):
    return runner.invoke(app, ["digest", *args])


def test_a_refused_mail_is_listed_as_a_failure_and_resend_mails_it_dated(folder, smtp_server):
    inbox = Inbox(refuse=("gone@example.org",))
    settings(folder, smtp_server(inbox))
    failed = digest("--week", "2025-W16", "--mail-to", "gone@example.org")
    assert failed.exit_code == 1 and "refused recipient gone@example.org" in failed.output
    again = digest("--week", "2025-W16", "--mail-to", "gone@example.org")
    assert again.exit_code == 1
    made = sorted(p.name for p in (folder / "out" / "digests").iterdir())
    assert made == [".2025-W16.made.json", ".lock", "2025-W16", "record.json"]
    resent = digest("resend", "2025-W16", "--mail-to", "ana@example.org")
    assert resent.exit_code == 0, resent.output
    assert "Mailed 2 PDFs to ana@example.org" in resent.output
    (_, recipients, message, _), = inbox.messages
    assert recipients == ["ana@example.org"] and message["Subject"] == "Briefing digest 14–20 Apr 2025: Kazakhstan"
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["2025-04-14_2025-04-20-index.pdf", "2025-04-14_2025-04-20-trade.pdf"]
    listed = digest("list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == "2025-W16  Week 16 of 2025, 14–20 Apr 2025" and "2 articles, 1 briefs" in lines[1]
    assert sum("FAILED" in line and "to mail: SMTP server" in line for line in lines) == 2
    assert any(line.strip().startswith("mailed ") and line.endswith("to ana@example.org") for line in lines)
    data = json.loads(digest("list", "--json").output)
    assert [(d["window"], len(d["failures"]), [m["to"] for m in d["mailed"]]) for d in data] == [
        ("2025-W16", 2, [["ana@example.org"]])
    ]


def test_resend_of_an_unknown_window_and_with_nowhere_to_send_are_one_line_errors(folder):
    missing = digest("resend", "2025-W99", "--mail-to", "ana@example.org")
    assert missing.exit_code == 2 and "Error: --mail-to needs a [mail] table" in missing.output
    nowhere = digest("resend", "2025-W16")
    assert nowhere.exit_code == 2 and nowhere.output.startswith("Error: nowhere to resend to")
    (folder / "out" / "digests").mkdir(parents=True)
    shared = folder / "shared"
    shared.mkdir()
    unknown = digest("resend", "../etc", "--deliver", str(shared))
    assert unknown.exit_code == 2 and "Error: no digest '../etc' in out/digests" in unknown.output


def test_an_empty_digest_is_made_but_mailed_only_when_asked(folder, smtp_server):
    inbox = Inbox()
    settings(folder, smtp_server(inbox))
    quiet = digest("--week", "2024-W10", "--mail-to", "ana@example.org")
    assert quiet.exit_code == 0, quiet.output
    assert "Not mailed: no articles in Week 10 of 2024, 4–10 Mar 2024 (--mail-empty mails an empty digest too)." in quiet.output
    assert inbox.messages == []
    asked = digest("--week", "2024-W10", "--mail-to", "ana@example.org", "--mail-empty")
    assert asked.exit_code == 0 and "Mailed 1 PDF to ana@example.org" in asked.output
    (_, _, message, _), = inbox.messages
    assert [p.get_filename() for p in message.iter_attachments()] == ["2024-03-04_2024-03-10-index.pdf"]


def test_the_smtp_password_comes_from_a_private_secrets_file_and_one_others_can_read_is_refused(folder, smtp_server):
    inbox = Inbox()
    port = smtp_server(inbox, authenticator=check_password, auth_require_tls=False)
    settings(folder, port, username="briefs", password_env="BRIEFING_TEST_SECRET")
    secrets = folder / "secrets.env"
    secrets.write_text("# for the weekly digest\nexport BRIEFING_TEST_SECRET='s3cret'\n", encoding="utf-8")
    secrets.chmod(0o644)
    args = ["--week", "2025-W16", "--mail-to", "ana@example.org", "--secrets", str(secrets)]
    shared = digest(*args)
    assert shared.exit_code == 2 and shared.output == (
        f"Error: {secrets}: the secrets file can be read by others (mode 0644): chmod 600 {secrets}\n"
    )
    assert not (folder / "out" / "digests").exists()  # refused before anything was made
    secrets.chmod(0o600)
    result = digest(*args)
    assert result.exit_code == 0, result.output
    assert [authenticated for *_, authenticated in inbox.messages] == [True]
    assert "BRIEFING_TEST_SECRET" not in os.environ


def test_a_failed_run_with_alert_to_mails_the_log_and_exits_non_zero(folder, smtp_server):
    inbox = Inbox(refuse=("gone@example.org",))
    settings(folder, smtp_server(inbox))
    log = folder / "out" / "digest.log"
    result = digest("--week", "2025-W16", "--mail-to", "gone@example.org", "--alert-to", "ops@example.org", "--log", str(log))
    assert result.exit_code == 1 and result.output == ""  # all of it went to the log
    (_, recipients, message, _), = inbox.messages
    assert recipients == ["ops@example.org"] and message["Subject"].startswith("briefing digest failed: ")
    body = message.get_body(("plain",)).get_content()
    assert "exit status 1" in body and "Error: SMTP server" in body and "refused recipient gone@example.org" in body
    text = log.read_text(encoding="utf-8")
    assert text.startswith("=== ") and "Mailed the failure alert to ops@example.org" in text
    assert text.rstrip().endswith("ended with exit status 1")


def test_the_log_is_rotated_before_it_grows_past_its_limit(folder):
    log = folder / "out" / "digest.log"
    log.parent.mkdir()
    log.write_text("x" * (1024 * 1024 + 1), encoding="utf-8")
    (folder / "out" / "digest.log.1").write_text("older\n", encoding="utf-8")
    result = digest("--week", "2024-W10", "--log", str(log))
    assert result.exit_code == 0
    assert (folder / "out" / "digest.log.2").read_text(encoding="utf-8") == "older\n"
    assert len((folder / "out" / "digest.log.1").read_text(encoding="utf-8")) == 1024 * 1024 + 1
    assert log.read_text(encoding="utf-8").startswith("=== ")


def test_the_record_of_an_earlier_briefing_beside_the_index_is_taken_over(folder):
    old = folder / "out" / "index.sqlite.digested.json"
    old.parent.mkdir()
    old.write_text(json.dumps({"digested": {POLITICO: "added-2025-04-01"}, "last": "added-2025-04-01"}), encoding="utf-8")
    result = digest("--since-last", "--as-of", "2025-04-21")
    assert result.exit_code == 0, result.output
    assert "took it from the record of an earlier briefing" in result.output
    data = json.loads((folder / "out" / "digests" / "added-2025-04-21" / "index.json").read_text(encoding="utf-8"))
    assert POLITICO not in {a["id"] for a in data["articles"]} and DIPLOMAT_TIMES in {a["id"] for a in data["articles"]}
    assert not old.exists() and (folder / "out" / "index.sqlite.digested.json.migrated").is_file()
    (folder / "out" / "index.sqlite").unlink()  # the index is a cache: deleting it loses nothing
    kept = record.load(folder / "out" / "digests")
    assert kept.digested[POLITICO] == "added-2025-04-01" and kept.last == "added-2025-04-21"
    assert "Added since digest added-2025-04-01" in pdf_text(folder / "out" / "digests" / "added-2025-04-21" / "added-2025-04-21-index.pdf")


def test_digest_check_and_a_bad_option_are_answered_without_making_anything(folder):
    assert digest("--check").output == "The digest options and settings are fine.\n"
    bogus = digest("--bogus")
    assert bogus.exit_code == 2 and "No such option: --bogus" in bogus.output
    assert not (folder / "out").exists()


def test_digest_alert_mails_that_a_systemd_unit_failed(folder, smtp_server):
    inbox = Inbox()
    settings(folder, smtp_server(inbox))
    result = digest("alert", "--to", "ops@example.org", "--unit", "briefing-digest-x.service")
    assert result.exit_code == 0 and result.output == "Mailed the alert to ops@example.org\n"
    (_, recipients, message, _), = inbox.messages
    assert recipients == ["ops@example.org"] and message["Subject"] == f"briefing digest failed: briefing-digest-x.service in {folder}"
    assert "The scheduled digest briefing-digest-x.service" in message.get_body(("plain",)).get_content()
