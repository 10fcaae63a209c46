"""Run the digest every week: a crontab line or a systemd user timer, printed or installed.

A scheduler starts the job without the user's shell: no PATH, no project folder, no
terminal, none of the user's variables. So every path is absolute, the job changes into the
project folder first (briefing.toml and corpus/ are relative to it), and what it needs is on
its command line: ``--skip-if-busy`` (the program's own lock keeps a slow run, or one started
by hand, from overlapping the next: a run that finds one going exits 75 and says so),
``--secrets`` (the SMTP password), and under cron ``--log`` (a header per run, rotated) and
``--alert-to`` (cron's own mail never fires: the output went to the log). Under systemd the
journal keeps the output, ``LoadCredential=`` brings the secrets and ``OnFailure=`` starts a
unit that mails the alert. Cron and systemd each have their own quoting rules (cron turns
``%`` into a newline; systemd expands ``%`` specifiers and ``$`` variables), so each text is
escaped for the program that reads it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import EXIT_BUSY, BriefingError, UsageError
from ..files import slug, write_atomically
from .unattended import CREDENTIAL

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TIMEOUT = 30.0


@dataclass(frozen=True)
class Weekly:
    day: int  # 0 = Monday … 6 = Sunday
    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{DAYS[self.day].capitalize()} {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class Job:
    """What the scheduler runs: ``cd workdir && executable *arguments`` and the options of an unattended run."""

    executable: Path
    arguments: tuple[str, ...]  # "digest" and its options, as the user gave them, after --config FILE if one was named
    workdir: Path
    log: Path  # cron's log; systemd keeps the output in its journal
    secrets: Path | None = None  # a 0600 file of NAME=value lines: the SMTP password
    alert_to: tuple[str, ...] = ()  # who is mailed when a run fails

    def __post_init__(self) -> None:
        for name in ("executable", "workdir", "log", "secrets"):
            path = getattr(self, name)
            if path is not None and not path.is_absolute():
                raise UsageError(f"the scheduled job needs an absolute {name} path, not {str(path)!r}")
            if path is not None:
                _check_text(str(path))
        for argument in (*self.arguments, *self.alert_to):
            _check_text(argument)

    def command(self, cron: bool) -> list[str]:
        """The digest command line: under cron it logs and alerts itself; under systemd the journal
        and the OnFailure= unit do."""
        words = [str(self.executable), *self.arguments, "--skip-if-busy"]
        if cron:
            words += ["--log", str(self.log)]
            words += [w for address in self.alert_to for w in ("--alert-to", address)]
            if self.secrets is not None:
                words += ["--secrets", str(self.secrets)]
        return words


def parse_weekly(day: str, time: str) -> Weekly:
    """``mon 07:00`` → Weekly; days as three letters or in full, any case; 24-hour time."""
    key = day.strip().lower()
    if key in DAYS:
        number = DAYS.index(key)
    elif key in FULL_DAYS:
        number = FULL_DAYS.index(key)
    else:
        raise UsageError(f"--weekly needs a day as mon, tue, wed, thu, fri, sat or sun, not {day!r}")
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", time.strip())
    if match is None:
        raise UsageError(f"--weekly needs a 24-hour time as HH:MM, like 07:00, not {time!r}")
    return Weekly(number, int(match[1]), int(match[2]))


def find_executable(argv0: str | None = None) -> Path:
    """The ``briefing`` to schedule: the one running now, else the one installed beside this
    Python (the same environment, even when its bin/ is not on PATH), else the one on PATH.
    Symlinks are kept, not resolved: ~/.local/bin/briefing outlives a reinstall behind it."""
    candidates = [argv0 if argv0 is not None else sys.argv[0], str(Path(sys.executable).parent / "briefing")]
    for candidate in candidates:
        path = Path(os.path.abspath(candidate))
        if path.name == "briefing" and path.is_file() and os.access(path, os.X_OK):
            return path
    found = shutil.which("briefing")
    if found is None:
        raise BriefingError("cannot find the `briefing` command to schedule: install the project (pip install .)")
    return Path(os.path.abspath(found))


def job_for(
    workdir: Path,
    arguments: Sequence[str] = ("digest",),
    out: Path = Path("out"),
    executable: Path | None = None,
    secrets: Path | None = None,
    alert_to: Sequence[str] = (),
) -> Job:
    """The job for a project folder; cron's log goes in its out/ folder."""
    folder = Path(os.path.abspath(workdir))
    return Job(
        executable=Path(os.path.abspath(executable)) if executable else find_executable(),
        arguments=tuple(arguments),
        workdir=folder,
        log=Path(os.path.abspath(folder / out / "digest.log")),
        secrets=Path(os.path.abspath(secrets)) if secrets else None,
        alert_to=tuple(alert_to),
    )


def cron_line(weekly: Weekly, job: Job) -> str:
    """One crontab line; it ends with a comment naming the project, so installing again
    replaces it instead of adding a second one."""
    command = " ".join(["cd", shlex.quote(str(job.workdir)), "&&", *map(shlex.quote, job.command(cron=True))])
    return f"{weekly.minute} {weekly.hour} * * {(weekly.day + 1) % 7} {_cron_escape(command)} {_cron_marker(job)}"


def systemd_units(weekly: Weekly, job: Job) -> dict[str, str]:
    """A oneshot service, the weekly timer that starts it and, with alert addresses, the unit its
    failure starts. Persistent=true runs a missed week as soon as the machine is back on; a run
    skipped because another digest was going (exit 75) is no failure."""
    executable, *arguments = job.command(cron=False)
    if any(c in executable for c in "\"'\\"):
        raise UsageError(f"systemd refuses an executable path with quotes or backslashes: {executable}")
    service_name, timer_name = unit_names(job)
    failed_name = service_name.replace(".service", "-failed.service")
    folder = _specifiers(str(job.workdir))
    credential = f"LoadCredential={CREDENTIAL}:{_specifiers(str(job.secrets))}\n" if job.secrets else ""
    service = (
        "[Unit]\n"
        f"Description=briefing digest of {folder}\n"
        + (f"OnFailure={failed_name}\n" if job.alert_to else "")
        + "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={folder}\n"
        f"ExecStart={_systemd_line(executable, arguments)}\n"
        f"SuccessExitStatus={EXIT_BUSY}\n"
        f"{credential}"
    )
    timer = (
        "[Unit]\n"
        f"Description=briefing digest every {weekly}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={on_calendar(weekly)}\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    units = {service_name: service, timer_name: timer}
    if job.alert_to:
        alert = ["digest", "alert", "--unit", service_name, *(w for a in job.alert_to for w in ("--to", a))]
        units[failed_name] = (
            "[Unit]\n"
            f"Description=mail that the briefing digest of {folder} failed\n"
            "\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"WorkingDirectory={folder}\n"
            f"ExecStart={_systemd_line(executable, alert)}\n"
            f"{credential}"
        )
    return units


def unit_names(job: Job) -> tuple[str, str]:
    """The service and timer of this project folder: named after it, so that two projects'
    schedules live side by side, as their crontab lines do."""
    tag = f"{slug(job.workdir.name, limit=30) or 'project'}-{hashlib.sha256(str(job.workdir).encode()).hexdigest()[:8]}"
    return f"briefing-digest-{tag}.service", f"briefing-digest-{tag}.timer"


def enable_by_hand(job: Job) -> str:
    return f"systemctl --user daemon-reload && systemctl --user enable --now {unit_names(job)[1]}"


def on_calendar(weekly: Weekly) -> str:
    return f"{DAYS[weekly.day].capitalize()} *-*-* {weekly.hour:02d}:{weekly.minute:02d}:00"


def install_cron(weekly: Weekly, job: Job, crontab: str = "crontab") -> str:
    """Put the line in the user's crontab, replacing this project's earlier line and keeping
    every other. The crontab is read first and written once, whole, or not at all."""
    program = shutil.which(crontab)
    if program is None:
        raise BriefingError(
            f"no `{crontab}` command on this machine: install cron and run again, "
            "paste the printed line into `crontab -e` where cron runs, or use --systemd"
        )
    line = cron_line(weekly, job)
    listed = _run([program, "-l"])
    if listed.returncode == 0:
        current = listed.stdout
    elif "no crontab" in listed.stderr.lower():
        current = ""
    else:
        raise BriefingError(f"`crontab -l` failed, so the crontab was left alone: {_reason(listed)}")
    marker = _cron_marker(job)
    kept = [old for old in current.splitlines() if not old.endswith(marker)]
    written = _run([program, "-"], stdin="".join(f"{old}\n" for old in [*kept, line]))
    if written.returncode != 0:
        raise BriefingError(f"`crontab -` refused the new crontab, so it is unchanged: {_reason(written)}")
    return line


def install_systemd(
    weekly: Weekly, job: Job, unit_dir: Path | None = None, systemctl: str = "systemctl"
) -> tuple[Path, ...]:
    """Write the units to the user's unit folder and start the timer; returns the files."""
    program = shutil.which(systemctl)
    if program is None:
        raise BriefingError(f"no `{systemctl}` command on this machine: schedule with cron instead (drop --systemd)")
    folder = unit_dir or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"
    units = systemd_units(weekly, job)
    for name, text in units.items():
        write_atomically(folder / name, text)
    for arguments in (["--user", "daemon-reload"], ["--user", "enable", "--now", unit_names(job)[1]]):
        result = _run([program, *arguments])
        if result.returncode != 0:
            raise BriefingError(
                f"wrote the units to {folder} but `systemctl {' '.join(arguments)}` failed ({_reason(result)}): "
                f"in a login session of this user run: {enable_by_hand(job)}"
            )
    return tuple(folder / name for name in units)


def _check_text(text: str) -> None:
    """Neither a crontab nor a unit file can hold a line break in a value."""
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise UsageError(f"cannot schedule a path or argument with control characters: {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(f"cannot schedule a path or argument that is not UTF-8: {text!r}") from exc


def _cron_escape(command: str) -> str:
    r"""Cron ends the command at a bare ``%`` and turns ``\%`` into ``%``; a backslash just
    before a ``%`` in a path would swallow that escape, so it is refused."""
    if "\\%" in command:
        raise UsageError("cron cannot run a command with a backslash just before a % in a path")
    return command.replace("%", "\\%")


def _cron_marker(job: Job) -> str:
    return _cron_escape(f"# briefing digest in {shlex.quote(str(job.workdir))}")


def _specifiers(text: str) -> str:
    return text.replace("%", "%%")


def _systemd_word(word: str, first: bool = False) -> str:
    """One word of a systemd command line, read back as exactly ``word``. ``%`` is a
    specifier everywhere; ``$`` expands in arguments but not in the executable's path."""
    escaped = _specifiers(word) if first else _specifiers(word).replace("$", "$$")
    if re.fullmatch(r"[\w@%+=:,./-]+", escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _systemd_line(executable: str, arguments: Sequence[str]) -> str:
    return " ".join([_systemd_word(executable, first=True), *map(_systemd_word, arguments)])


def _run(command: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run with C messages ("no crontab for …" is what we look for) and bytes kept as they
    are, so a crontab in any encoding is written back unchanged."""
    try:
        return subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env={**os.environ, "LC_ALL": "C"},
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BriefingError(f"`{' '.join(command)}` could not run: {exc}") from exc


def _reason(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    return lines[0] if lines else f"exit status {result.returncode}"
