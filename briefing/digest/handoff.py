"""Hand-off of a finished digest: copied whole into a shared folder, or mailed as one message.

Readers of a shared folder must never open a half-copied digest, so the copy is made in a
hidden folder beside its place and renamed in. Mail goes out all or nothing: ``sendmail``
delivers to whichever recipients the server accepts, so the envelope is driven step by
step and abandoned before DATA when any recipient is refused.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path

from ..compose import plural
from ..config import MailSettings
from ..errors import BriefingError, FileError, UsageError
from ..files import fsync_folder, new_folder
from ..models import Digest

_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")


def check_shared(shared: Path) -> None:
    """Refuse a shared folder that cannot take a digest, before the digest is made."""
    if not shared.is_dir():
        raise BriefingError(f"{shared}: shared folder does not exist")
    if not os.access(shared, os.W_OK | os.X_OK):
        raise BriefingError(f"{shared}: cannot write to the shared folder")


def check_mail(to: Sequence[str], settings: MailSettings, environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The recipients' bare addresses, and the sender and password checked, before the digest is made."""
    recipients = tuple(_address(a) for a in (to or settings.to))
    if not recipients:
        raise UsageError("no one to mail: give --mail-to or set mail.to in briefing.toml")
    _address(settings.sender)
    if settings.username:
        _password(settings, environ)
    return recipients


def subject(digest: Digest) -> str:
    """Briefing digest 23–29 Nov 2026: Kazakhstan — what a reader scanning an inbox needs."""
    return f"Briefing digest {digest.window.dates}" + (f": {digest.subject}" if digest.subject else "")


def text(digest: Digest) -> str:
    """The body of the mail that carries the PDFs: what is in them, in the tool's plain words."""
    lines = [f"{digest.window.label}: {plural(len(digest.placed), 'article')}."]
    lines += [f"- {b.title}: {plural(b.points, 'point')} ({b.file})" for b in digest.briefs]
    if digest.nothing_new:
        lines.append("Nothing new: " + ", ".join(t.title for t in digest.nothing_new) + ".")
    lines.append(f"Start with {digest.index_pdf}: it links to each brief when the files are saved together.")
    return "\n".join(lines) + "\n"


def deliver(digest: Path, shared: Path) -> Path:
    """Copy ``digest`` to ``shared/<its name>``, replacing an older copy only once the new one is complete."""
    if not digest.is_dir():
        raise BriefingError(f"{digest}: no digest folder to deliver")
    check_shared(shared)
    if shared.resolve().is_relative_to(digest.resolve()):
        raise BriefingError(f"{shared}: shared folder is inside the digest {digest}")
    target = shared / digest.name
    if target.exists() and not target.is_dir():
        raise BriefingError(f"{target}: exists and is not a digest folder; move it away")
    try:
        with new_folder(target) as temp:
            _copy_synced(digest, temp)
    except OSError as exc:
        raise BriefingError(f"cannot deliver {digest.name} to {shared}: {_os_reason(exc)}") from exc
    return target


def _copy_synced(source: Path, temp: Path) -> None:
    """Copy contents, not modes: files in a shared folder get the mode new files get, whatever the source had.
    Everything is on disk before the rename, so a crash cannot publish empty files."""
    for folder, dirs, files in os.walk(source, onerror=_fail, followlinks=True):
        dirs.sort()
        here = temp / Path(folder).relative_to(source)
        for name in dirs:
            (here / name).mkdir()
        for name in sorted(files):
            with open(Path(folder) / name, "rb") as src, open(here / name, "xb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())
        fsync_folder(here)


def _fail(exc: OSError) -> None:
    """os.walk skips folders it cannot list; a digest delivered without them would look complete."""
    raise exc


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def mail(
    files: Sequence[Path],
    to: Sequence[str],
    settings: MailSettings,
    subject: str,
    text: str,
    environ: Mapping[str, str] = os.environ,
) -> tuple[str, ...]:
    """Send ``files`` as attachments of one message to every recipient, or to none of them; returns
    the recipients. The password is read from ``environ`` (the process's, or a secrets file's)."""
    recipients = check_mail(to, settings, environ)
    sender = _address(settings.sender)
    password = _password(settings, environ) if settings.username else None
    message = _message(files, sender, recipients, settings.sender, subject, text)
    server = f"{settings.host}:{settings.port}"
    try:
        smtp = _connect(settings)
        try:
            if settings.username:
                smtp.login(settings.username, password)
            _send(smtp, server, sender, recipients, message)
        finally:
            _close(smtp)
    except smtplib.SMTPAuthenticationError as exc:
        raise BriefingError(f"SMTP server {server} refused login as {settings.username}: {_reply(exc)}") from exc
    except smtplib.SMTPDataError as exc:
        raise BriefingError(f"SMTP server {server} refused the message: {_reply(exc)}; nothing was sent") from exc
    except smtplib.SMTPResponseException as exc:
        raise BriefingError(f"SMTP server {server} answered {_reply(exc)}") from exc
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib reports a reply that never came as a disconnect
            raise BriefingError(f"SMTP server {server} did not answer within {settings.timeout:g} s") from exc
        raise BriefingError(f"SMTP server {server} closed the connection: {exc or 'no reason given'}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise BriefingError(f"SMTP server {server}: {exc} (see [mail] in briefing.toml)") from exc
    except smtplib.SMTPException as exc:
        raise BriefingError(f"SMTP server {server}: {exc}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise BriefingError(f"SMTP server {server}: TLS certificate not trusted ({exc.verify_message})") from exc
    except ssl.SSLError as exc:
        raise BriefingError(f"SMTP server {server}: TLS failed ({exc.reason or exc})") from exc
    except TimeoutError as exc:
        raise BriefingError(f"SMTP server {server} did not answer within {settings.timeout:g} s") from exc
    except OSError as exc:
        raise BriefingError(f"cannot reach SMTP server {server}: {exc.strerror or exc}") from exc
    return recipients


def _address(text: str) -> str:
    """The bare address of ``text`` ("Name <a@b.org>" or "a@b.org"); typos are caught before connecting."""
    _, address = parseaddr(text)
    # parseaddr mends what it cannot read ("a@exa mple.org" becomes "a@example.org"): insist on the text as given.
    given = text.strip()
    verbatim = given == address or given.endswith(f"<{address}>")
    if len(getaddresses([text])) != 1 or not verbatim or not _ADDRESS.match(address):
        raise UsageError(f"not an e-mail address: {text!r}")
    return address


def _password(settings: MailSettings, environ: Mapping[str, str]) -> str:
    password = environ.get(settings.password_env)
    if not password:
        raise UsageError(
            f"mail.username is set but environment variable {settings.password_env} is not: "
            "put the SMTP password there, or in a secrets file (--secrets)"
        )
    return password


def _message(
    files: Sequence[Path], sender: str, recipients: Sequence[str], from_header: str, subject: str, text: str
) -> EmailMessage:
    message = EmailMessage(policy=SMTP)  # CRLF line ends: smtplib sends bytes as they are
    message["From"] = formataddr(parseaddr(from_header))
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    # Quoted-printable keeps a non-ASCII body 7-bit, which every server takes.
    message.set_content(text, cte="quoted-printable")
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FileError(path, f"cannot attach ({exc.strerror or exc})") from exc
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return message


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=ssl.create_default_context()
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.security == "starttls":
        try:
            smtp.ehlo()
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _send(smtp: smtplib.SMTP, server: str, sender: str, recipients: Sequence[str], message: EmailMessage) -> None:
    """MAIL, RCPT for everyone, and DATA only when every recipient was accepted."""
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise BriefingError(f"SMTP server {server} refused sender {sender}: {_text(code, reply)}; nothing was sent")
    refused = []
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused.append(f"{recipient}: {_text(code, reply)}")
    if refused:
        _quietly(smtp.rset)
        label = "recipient" if len(refused) == 1 else "recipients"
        raise BriefingError(f"SMTP server {server} refused {label} {'; '.join(refused)}; nothing was sent")
    code, reply = smtp.data(message.as_bytes())  # raises only when DATA itself is refused
    if code != 250:
        raise BriefingError(f"SMTP server {server} refused the message: {_text(code, reply)}; nothing was sent")


def _close(smtp: smtplib.SMTP) -> None:
    """Say QUIT if the server still listens; by now the outcome is known either way."""
    _quietly(smtp.quit)
    smtp.close()


def _quietly(command: Callable[[], object]) -> None:
    try:
        command()
    except (smtplib.SMTPException, OSError):
        pass  # courtesy commands: a failure changes nothing about what was or was not sent


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _text(exc.smtp_code, exc.smtp_error)


def _text(code: int, reply: bytes | str) -> str:
    """A server reply on one line: multi-line replies are joined."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"
