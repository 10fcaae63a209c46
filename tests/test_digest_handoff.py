"""Hand-off against real folders and a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import errno
import os
import shutil
import socket
import ssl
import stat
import subprocess
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
import weasyprint
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from briefing.config import MailSettings
from briefing.digest.handoff import deliver, mail
from briefing.errors import BriefingError, FileError, UsageError

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
not_as_root = pytest.mark.skipif(AS_ROOT, reason="root reads and writes past file modes")


# --- deliver ---------------------------------------------------------------------------------


def make_digest(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


FIRST = {"index.pdf": b"%PDF-1.7 index one", "index.json": b'{"v": 1}', "trade.pdf": b"%PDF-1.7 trade one"}
SECOND = {"index.pdf": b"%PDF-1.7 index two", "index.json": b'{"v": 2}', "energy.pdf": b"%PDF-1.7 energy two"}


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def test_deliver_copies_every_file_with_readable_modes(tmp_path: Path, shared: Path) -> None:
    digest = make_digest(tmp_path / "digests" / "2025-W16", FIRST)
    (digest / "index.pdf").chmod(0o600)  # private at the source, readable where it is shared
    mask = os.umask(0o022)
    try:
        target = deliver(digest, shared)
    finally:
        os.umask(mask)
    assert target == shared / "2025-W16"
    assert contents(target) == FIRST
    assert os.listdir(shared) == ["2025-W16"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in target.iterdir()} == {0o644}


def test_redeliver_replaces_the_old_copy_whole(tmp_path: Path, shared: Path) -> None:
    digest = make_digest(tmp_path / "digests" / "2025-W16", FIRST)
    deliver(digest, shared)
    shutil.rmtree(digest)
    make_digest(digest, SECOND)
    target = deliver(digest, shared)
    assert contents(target) == SECOND  # trade.pdf, gone from the digest, is gone from the share too
    assert os.listdir(shared) == ["2025-W16"]


def test_readers_see_the_old_copy_until_the_new_one_is_complete(tmp_path: Path, shared: Path) -> None:
    """A FIFO as the last source file holds the copy half-way, for as long as the test likes."""
    old = deliver(make_digest(tmp_path / "old" / "2025-W16", FIRST), shared)
    digest = make_digest(tmp_path / "new" / "2025-W16", SECOND)
    os.mkfifo(digest / "zz-last.pdf")
    outcome: list[object] = []
    copier = threading.Thread(target=lambda: outcome.append(_attempt(deliver, digest, shared)))
    copier.start()
    writer = _open_fifo_writer(digest / "zz-last.pdf", copier)
    try:
        temps = [name for name in os.listdir(shared) if name != "2025-W16"]
        assert len(temps) == 1 and temps[0].startswith(".")  # the copy in progress is hidden
        assert contents(old) == FIRST  # and the published copy untouched
        assert set(SECOND) <= set(os.listdir(shared / temps[0]))  # the files before the FIFO are copied
        os.write(writer, b"%PDF-1.7 last")
    finally:
        os.close(writer)
        copier.join(10)
    assert outcome == [shared / "2025-W16"]
    assert contents(shared / "2025-W16") == {**SECOND, "zz-last.pdf": b"%PDF-1.7 last"}
    assert os.listdir(shared) == ["2025-W16"]


def _attempt(function, *args):
    try:
        return function(*args)
    except Exception as exc:  # reported to the test thread, which asserts on it
        return exc


def _open_fifo_writer(fifo: Path, copier: threading.Thread) -> int:
    """Open the FIFO for writing once the copier has opened it for reading (it blocks there)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and copier.is_alive():
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            time.sleep(0.01)
    raise AssertionError("deliver never started reading the last file")


def test_failed_copy_keeps_the_old_copy_and_leaves_no_temp_folder(tmp_path: Path, shared: Path) -> None:
    deliver(make_digest(tmp_path / "old" / "2025-W16", FIRST), shared)
    digest = make_digest(tmp_path / "new" / "2025-W16", SECOND)
    (digest / "missing.pdf").symlink_to(tmp_path / "nowhere.pdf")  # fails even for root
    with pytest.raises(BriefingError) as raised:
        deliver(digest, shared)
    assert str(raised.value) == (
        f"cannot deliver 2025-W16 to {shared}: {digest / 'missing.pdf'}: No such file or directory"
    )
    assert os.listdir(shared) == ["2025-W16"]
    assert contents(shared / "2025-W16") == FIRST


@not_as_root
def test_unreadable_source_file_keeps_the_old_copy(tmp_path: Path, shared: Path) -> None:
    deliver(make_digest(tmp_path / "old" / "2025-W16", FIRST), shared)
    digest = make_digest(tmp_path / "new" / "2025-W16", SECOND)
    (digest / "index.pdf").chmod(0)
    with pytest.raises(BriefingError, match="index.pdf: Permission denied"):
        deliver(digest, shared)
    assert os.listdir(shared) == ["2025-W16"]
    assert contents(shared / "2025-W16") == FIRST


@not_as_root
def test_read_only_shared_folder(tmp_path: Path, shared: Path) -> None:
    digest = make_digest(tmp_path / "2025-W16", FIRST)
    shared.chmod(0o555)
    try:
        with pytest.raises(BriefingError, match="cannot write to the shared folder"):
            deliver(digest, shared)
    finally:
        shared.chmod(0o755)
    assert os.listdir(shared) == []


def test_missing_shared_folder(tmp_path: Path) -> None:
    digest = make_digest(tmp_path / "2025-W16", FIRST)
    with pytest.raises(BriefingError) as raised:
        deliver(digest, tmp_path / "not-mounted")
    assert str(raised.value) == f"{tmp_path / 'not-mounted'}: shared folder does not exist"


def test_shared_folder_inside_the_digest_is_refused(tmp_path: Path) -> None:
    digest = make_digest(tmp_path / "2025-W16", FIRST)
    (digest / "share").mkdir()
    with pytest.raises(BriefingError, match="inside the digest"):
        deliver(digest, digest / "share")
    assert os.listdir(digest / "share") == []


# --- mail ------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it is sent, and refuses what it is told to."""

    def __init__(self, refuse: tuple[str, ...] = (), refuse_data: bool = False) -> None:
        self.refuse, self.refuse_data = refuse, refuse_data  # refuse may name the sender too
        self.messages: list[tuple[str, list[str], EmailMessage, bool]] = []
        self.resets = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address in self.refuse:
            return "553 5.7.1 sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        self.resets += 1
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return "554 5.7.1 message rejected as spam"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message, bool(session.authenticated)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start an SMTP server on 127.0.0.1; every one started is stopped after the test."""
    started: list[Controller] = []

    def start(handler: Inbox, **kwargs) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return controller.port

    yield start
    for controller in started:
        controller.stop()


def settings(port: int, **changes) -> MailSettings:
    plain = {"host": "127.0.0.1", "sender": "Briefing <briefs@example.org>", "security": "none", "timeout": 5.0}
    return MailSettings(**{**plain, "port": port, **changes})


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("digest")
    paths = []
    for name, text in (("index.pdf", "Digest 2025-W16"), ("trade.pdf", "Trade – Kazakhstan")):
        path = folder / name
        path.write_bytes(weasyprint.HTML(string=f"<h1>{text}</h1>").write_pdf())
        paths.append(path)
    return paths


def test_mail_sends_one_message_with_every_pdf(smtp_server, pdfs: list[Path]) -> None:
    inbox = Inbox()
    port = smtp_server(inbox)
    text = "Week 16, 14–20 Apr 2025: 2 articles.\n"
    mail(pdfs, ["ana@example.org", "Ben <ben@example.net>"], settings(port), "Digest 2025-W16: Kazakhstan", text)
    assert len(inbox.messages) == 1
    sender, recipients, message, _ = inbox.messages[0]
    assert sender == "briefs@example.org"
    assert recipients == ["ana@example.org", "ben@example.net"]
    assert message["Subject"] == "Digest 2025-W16: Kazakhstan"
    assert message["From"] == "Briefing <briefs@example.org>"
    assert message.get_body(("plain",)).get_content().splitlines() == text.splitlines()
    attached = {part.get_filename(): part for part in message.iter_attachments()}
    assert list(attached) == ["index.pdf", "trade.pdf"]
    for path in pdfs:
        assert attached[path.name].get_content_type() == "application/pdf"
        assert attached[path.name].get_content() == path.read_bytes()
        assert path.read_bytes().startswith(b"%PDF-")


def test_mail_defaults_to_the_configured_recipients(smtp_server, pdfs: list[Path]) -> None:
    inbox = Inbox()
    port = smtp_server(inbox)
    mail(pdfs[:1], [], settings(port, to=("desk@example.org",)), "Digest", "x\n")
    assert [m[1] for m in inbox.messages] == [["desk@example.org"]]


def test_no_recipients_is_a_usage_error(pdfs: list[Path]) -> None:
    with pytest.raises(UsageError, match="no one to mail"):
        mail(pdfs, [], settings(free_port()), "Digest", "x\n")


@pytest.mark.parametrize("bad", ["not-an-address", "ana@example.org, ben@example.org", "ana@exa mple.org", ""])
def test_bad_address_is_refused_before_connecting(pdfs: list[Path], bad: str) -> None:
    """The port is closed: reaching it would give a connection error instead."""
    with pytest.raises(UsageError) as raised:
        mail(pdfs, ["ana@example.org", bad], settings(free_port()), "Digest", "x\n")
    assert str(raised.value) == f"not an e-mail address: {bad!r}"


def test_refused_recipient_means_nothing_is_sent(smtp_server, pdfs: list[Path]) -> None:
    inbox = Inbox(refuse=("gone@example.org",))
    port = smtp_server(inbox)
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org", "gone@example.org"], settings(port), "Digest", "x\n")
    assert str(raised.value) == (
        f"SMTP server 127.0.0.1:{port} refused recipient gone@example.org: "
        "550 5.1.1 <gone@example.org>: no such mailbox; nothing was sent"
    )
    assert inbox.messages == []  # not even to the recipient the server accepted
    assert inbox.resets == 1


def test_refused_message_is_reported(smtp_server, pdfs: list[Path]) -> None:
    port = smtp_server(Inbox(refuse_data=True))
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org"], settings(port), "Digest", "x\n")
    assert str(raised.value) == (
        f"SMTP server 127.0.0.1:{port} refused the message: 554 5.7.1 message rejected as spam; nothing was sent"
    )


def test_refused_sender(smtp_server, pdfs: list[Path]) -> None:
    inbox = Inbox(refuse=("briefs@example.org",))
    port = smtp_server(inbox)
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org"], settings(port), "Digest", "x\n")
    assert str(raised.value) == (
        f"SMTP server 127.0.0.1:{port} refused sender briefs@example.org: "
        "553 5.7.1 sender not allowed; nothing was sent"
    )
    assert inbox.messages == []


def test_server_that_never_answers(pdfs: list[Path]) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the backlog, but no greeting ever comes
        port = silent.getsockname()[1]
        with pytest.raises(BriefingError) as raised:
            mail(pdfs, ["ana@example.org"], settings(port, timeout=0.3), "Digest", "x\n")
    assert str(raised.value) == f"SMTP server 127.0.0.1:{port} did not answer within 0.3 s"


def test_server_down(pdfs: list[Path]) -> None:
    port = free_port()
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org"], settings(port), "Digest", "x\n")
    assert str(raised.value) == f"cannot reach SMTP server 127.0.0.1:{port}: Connection refused"


def test_missing_attachment_is_reported_before_connecting(tmp_path: Path, pdfs: list[Path]) -> None:
    with pytest.raises(FileError, match="missing.pdf: cannot attach"):
        mail([*pdfs, tmp_path / "missing.pdf"], ["ana@example.org"], settings(free_port()), "Digest", "x\n")


def test_starttls_against_a_server_without_it(smtp_server, pdfs: list[Path]) -> None:
    port = smtp_server(Inbox())
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org"], settings(port, security="starttls"), "Digest", "x\n")
    assert str(raised.value) == (
        f"SMTP server 127.0.0.1:{port}: STARTTLS extension not supported by server. (see [mail] in briefing.toml)"
    )


LOGIN = {"username": "briefs", "password_env": "BRIEFING_TEST_SMTP"}


def check_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"briefs", b"s3cret")
    return AuthResult(success=ok, handled=False)


def test_login_with_the_password_from_the_environment(smtp_server, pdfs, monkeypatch) -> None:
    inbox = Inbox()
    port = smtp_server(inbox, authenticator=check_password, auth_require_tls=False)
    monkeypatch.setenv("BRIEFING_TEST_SMTP", "s3cret")
    mail(pdfs, ["ana@example.org"], settings(port, **LOGIN), "D", "x\n")
    assert [m[3] for m in inbox.messages] == [True]


def test_wrong_password(smtp_server, pdfs, monkeypatch) -> None:
    inbox = Inbox()
    port = smtp_server(inbox, authenticator=check_password, auth_require_tls=False)
    monkeypatch.setenv("BRIEFING_TEST_SMTP", "guess")
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org"], settings(port, **LOGIN), "D", "x\n")
    assert str(raised.value).startswith(f"SMTP server 127.0.0.1:{port} refused login as briefs: 535 ")
    assert inbox.messages == []


def test_unset_password_variable(pdfs, monkeypatch) -> None:
    monkeypatch.delenv("BRIEFING_TEST_SMTP", raising=False)
    with pytest.raises(UsageError) as raised:
        mail(pdfs, ["ana@example.org"], settings(free_port(), **LOGIN), "D", "x\n")
    assert str(raised.value) == (
        "mail.username is set but environment variable BRIEFING_TEST_SMTP is not: put the SMTP password there, "
        "or in a secrets file (--secrets)"
    )


# --- TLS, with a certificate made for the test ---------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_and_login_with_a_trusted_certificate(smtp_server, pdfs, certificate, monkeypatch) -> None:
    inbox = Inbox()
    port = smtp_server(inbox, tls_context=server_context(certificate), authenticator=check_password)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # what ssl.create_default_context trusts
    monkeypatch.setenv("BRIEFING_TEST_SMTP", "s3cret")
    mail(pdfs, ["ana@example.org"], settings(port, security="starttls", **LOGIN), "D", "x\n")
    assert [m[3] for m in inbox.messages] == [True]  # auth_require_tls: login only worked over TLS


def test_ssl_server_with_an_untrusted_certificate(smtp_server, pdfs, certificate) -> None:
    inbox = Inbox()
    port = smtp_server(inbox, ssl_context=server_context(certificate))
    with pytest.raises(BriefingError) as raised:
        mail(pdfs, ["ana@example.org"], settings(port, security="ssl"), "D", "x\n")
    assert str(raised.value) == f"SMTP server 127.0.0.1:{port}: TLS certificate not trusted (self-signed certificate)"
    assert inbox.messages == []
