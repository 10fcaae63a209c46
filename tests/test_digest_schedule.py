"""The schedule: the cron line read by a real cron parser and run by a real shell (with a stand-in
briefing, and with the real one), the units read by systemd-analyze, and installs driven through
stand-in crontab/systemctl programs."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from croniter import croniter
from typer.testing import CliRunner

from briefing.cli import app
from briefing.digest import record
from briefing.digest.schedule import (
    Job,
    Weekly,
    cron_line,
    enable_by_hand,
    find_executable,
    install_cron,
    install_systemd,
    job_for,
    on_calendar,
    parse_weekly,
    systemd_units,
    unit_names,
)
from briefing.errors import EXIT_BUSY, BriefingError, UsageError

from .conftest import CORPUS, PROJECT

runner = CliRunner()
WEDNESDAY_NOON = dt.datetime(2025, 1, 1, 12, 0)
CRON_PATH = "/usr/bin:/bin"  # all the PATH cron gives a job
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")

FAKE_BRIEFING = """#!/bin/sh
echo "cwd=$(pwd)"
for a in "$@"; do echo "arg=$a"; done
touch started
i=0
while [ -e hold ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def job(tmp_path: Path) -> Job:
    """A project and a briefing whose paths hold what shells and cron trip on."""
    workdir = tmp_path / "my proj's %h 100% $HOME"
    workdir.mkdir()
    fake = executable(tmp_path / "bin 50% $x" / "briefing", FAKE_BRIEFING)  # systemd runs no path with quotes
    return job_for(workdir, ("digest", "--note", "it's 100% $HOME; `x`"), executable=fake)


def as_cron_runs(line: str) -> str:
    """The command cron hands to sh: after the five time fields, ``\\%`` is ``%`` and a bare
    ``%`` ends the command."""
    command = line.split(" ", 5)[5]
    out, escaped = [], False
    for char in command:
        if escaped:
            out.append(char if char == "%" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            break
        else:
            out.append(char)
    return "".join(out)


def run_cron_command(line: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", as_cron_runs(line)],
        cwd="/",
        env={"PATH": CRON_PATH, "HOME": os.environ.get("HOME", "/")},
        capture_output=True,
        text=True,
        timeout=30,
        **kwargs,
    )


@pytest.mark.parametrize(
    "day, time, expected",
    [("mon", "07:00", Weekly(0, 7, 0)), ("Sunday", "23:59", Weekly(6, 23, 59)), ("FRI", "7:05", Weekly(4, 7, 5))],
)
def test_parse_weekly(day, time, expected):
    assert parse_weekly(day, time) == expected


@pytest.mark.parametrize(
    "day, time, bad", [("mo", "07:00", "mo"), ("funday", "07:00", "funday"), ("mon", "24:00", "24:00"),
                       ("mon", "07:60", "07:60"), ("mon", "7", "7"), ("mon", "7pm", "7pm")]
)
def test_parse_weekly_refuses_bad_input_in_one_line(day, time, bad):
    with pytest.raises(UsageError) as error:
        parse_weekly(day, time)
    assert repr(bad) in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    "weekly, expected",
    [(Weekly(0, 7, 0), dt.datetime(2025, 1, 6, 7, 0)), (Weekly(6, 23, 59), dt.datetime(2025, 1, 5, 23, 59)),
     (Weekly(2, 13, 30), dt.datetime(2025, 1, 1, 13, 30))],
)
def test_cron_parser_reads_the_schedule(job, weekly, expected):
    line = cron_line(weekly, job)
    fields = " ".join(line.split(" ")[:5])
    assert croniter.is_valid(fields)
    assert croniter(fields, WEDNESDAY_NOON).get_next(dt.datetime) == expected


def test_cron_command_runs_in_the_project_with_the_unattended_options(job):
    line = cron_line(parse_weekly("mon", "07:00"), job)
    result = run_cron_command(line)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"cwd={job.workdir}", "arg=digest", "arg=--note", "arg=it's 100% $HOME; `x`", "arg=--skip-if-busy",
        "arg=--log", f"arg={job.log}",
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder the real briefing can make a digest in."""
    folder = tmp_path / "project"
    shutil.copytree(CORPUS, folder / "corpus")
    shutil.copy(PROJECT / "topics.toml", folder / "topics.toml")
    return folder


def test_the_real_job_skips_a_run_while_another_digest_runs_and_logs_why(project):
    briefing = Path(sys.executable).parent / "briefing"
    job = job_for(project, ("digest", "--week", "2024-W10"), executable=briefing)
    line = cron_line(parse_weekly("mon", "07:00"), job)
    with record.held(project / "out" / "digests", 1):  # a digest started by hand, still running
        skipped = run_cron_command(line)
    assert skipped.returncode == EXIT_BUSY, skipped.stdout + skipped.stderr
    assert skipped.stdout == skipped.stderr == ""  # all of it is in the log
    done = run_cron_command(line)
    assert done.returncode == 0, done.stdout + done.stderr
    log = job.log.read_text(encoding="utf-8").splitlines()
    headers = [n for n, text in enumerate(log) if re.fullmatch(r"=== \d{4}-\d\d-\d\dT\S+ briefing digest .* \(process \d+\)", text)]
    assert len(headers) == 2 and "--week 2024-W10 --skip-if-busy --log" in log[0]
    first = log[headers[0] : headers[1]]
    assert any(text.startswith("Error: skipped this run: the digests folder out/digests is in use") for text in first)
    assert first[-1].endswith(f"ended with exit status {EXIT_BUSY}")
    assert log[-1].endswith("ended with exit status 0") and any("No articles in Week 10 of 2024" in t for t in log)


def test_cron_line_escapes_percent_and_names_its_project(job):
    line = cron_line(parse_weekly("mon", "07:00"), job)
    assert re.search(r"(?<!\\)%", line) is None
    assert line.endswith(f"# briefing digest in {shlex.quote(str(job.workdir))}".replace("%", "\\%"))


def test_cron_refuses_a_backslash_before_a_percent(tmp_path, job):
    odd = job_for(tmp_path / "a\\%b", executable=job.executable)
    with pytest.raises(UsageError, match="backslash"):
        cron_line(parse_weekly("mon", "07:00"), odd)


def test_job_refuses_line_breaks_and_relative_paths(job):
    with pytest.raises(UsageError, match="control characters"):
        job_for(job.workdir, ("digest", "a\nb"), executable=job.executable)
    with pytest.raises(UsageError, match="absolute"):
        Job(Path("briefing"), ("digest",), job.workdir, job.log)


def test_find_executable_prefers_the_running_briefing(job):
    assert find_executable(str(job.executable)) == job.executable
    beside = Path(sys.executable).parent / "briefing"
    if beside.is_file():
        assert find_executable("/usr/lib/python3/pytest") == beside


def verify(units: dict[str, str], folder: Path) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in units.items():
        (folder / name).write_text(text)
    runtime = folder.parent / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--user", *(str(folder / name) for name in units)],
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime), "SYSTEMD_LOG_LEVEL": "info"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_systemd_analyze
def test_systemd_analyze_accepts_the_units(tmp_path, job):
    # systemd checks that the command exists: a briefing whose path needs escaping proves the quoting
    odd_briefing = tmp_path / "tools %n 100% $USER" / "briefing"
    odd_briefing.parent.mkdir()
    shutil.copy2(job.executable, odd_briefing)
    secrets = tmp_path / "secrets.env"
    odd = Job(odd_briefing, job.arguments, job.workdir, job.log, secrets, ("ops@example.org",))
    units = systemd_units(parse_weekly("mon", "07:00"), odd)
    assert len(units) == 3  # the service, its timer, and the unit its failure starts
    result = verify(units, tmp_path / "units")
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr
    missing = Job(tmp_path / "tools" / "briefing", job.arguments, job.workdir, job.log)
    broken = verify(systemd_units(parse_weekly("mon", "07:00"), missing), tmp_path / "broken")
    assert broken.returncode != 0 and "not executable" in broken.stderr


def test_systemd_units_run_the_job_and_alert_on_failure(job, tmp_path):
    units = systemd_units(parse_weekly("mon", "07:00"), job)
    service, timer = (units[name] for name in unit_names(job))
    assert "Type=oneshot\n" in service
    assert f"WorkingDirectory={job.workdir}\n".replace("%", "%%") in service
    assert "StandardOutput" not in service  # the journal keeps the output
    assert f'ExecStart="{str(job.executable).replace("%", "%%")}" digest --note "it\'s 100%% $$HOME; `x`" --skip-if-busy\n' in service
    assert f"SuccessExitStatus={EXIT_BUSY}\n" in service and "OnFailure" not in service
    assert "OnCalendar=Mon *-*-* 07:00:00\nPersistent=true\n" in timer
    assert "WantedBy=timers.target\n" in timer
    alerting = Job(job.executable, job.arguments, job.workdir, job.log, tmp_path / "secrets.env", ("ops@example.org",))
    units = systemd_units(parse_weekly("mon", "07:00"), alerting)
    service, failed = units[unit_names(job)[0]], units[unit_names(job)[0].replace(".service", "-failed.service")]
    assert f"OnFailure={unit_names(job)[0].replace('.service', '-failed.service')}\n" in service
    credential = f"LoadCredential=briefing-secrets:{tmp_path}/secrets.env\n"
    assert credential in service and credential in failed
    assert f"digest alert --unit {unit_names(job)[0]} --to ops@example.org\n" in failed


@needs_systemd_analyze
@pytest.mark.parametrize("day, time", [("mon", "07:00"), ("sun", "23:59"), ("wed", "13:30")])
def test_systemd_calendar_agrees_with_cron(job, day, time):
    weekly = parse_weekly(day, time)
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "calendar", f"--base-time={WEDNESDAY_NOON:%Y-%m-%d %H:%M:%S} UTC", on_calendar(weekly)],
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert f"Normalized form: {on_calendar(weekly)}" in result.stdout
    elapse = re.search(r"Next elapse: \w+ (\S+ \S+) UTC", result.stdout)
    fields = " ".join(cron_line(weekly, job).split(" ")[:5])
    assert dt.datetime.fromisoformat(elapse[1]) == croniter(fields, WEDNESDAY_NOON).get_next(dt.datetime)


FAKE_CRONTAB = """#!/bin/sh
here=$(dirname "$0")
echo "$*" >> "$here/calls"
case "$1" in
  -l) [ -f "$here/crontab.txt" ] || { echo "no crontab for $(id -un)" >&2; exit 1; }; cat "$here/crontab.txt" ;;
  -) cat > "$here/crontab.txt" ;;
esac
"""


@pytest.fixture
def crontab(tmp_path: Path) -> Path:
    return executable(tmp_path / "cron" / "crontab", FAKE_CRONTAB)


def test_install_cron_replaces_its_own_line_and_keeps_the_rest(job, crontab):
    store = crontab.parent / "crontab.txt"
    others = ["MAILTO=me@example.org", "5 4 * * * /bin/true  # someone else's 100\\% job"]
    store.write_text("\n".join(others) + "\n")
    install_cron(parse_weekly("mon", "07:00"), job, crontab=str(crontab))
    line = install_cron(parse_weekly("tue", "08:30"), job, crontab=str(crontab))
    assert store.read_text() == "\n".join([*others, line]) + "\n"
    assert line.startswith("30 8 * * 2 ")


def test_install_cron_starts_a_crontab_and_adds_beside_another_project(tmp_path, job, crontab):
    first = install_cron(parse_weekly("mon", "07:00"), job, crontab=str(crontab))
    other = job_for(tmp_path / "other", executable=job.executable)
    second = install_cron(parse_weekly("mon", "07:00"), other, crontab=str(crontab))
    assert (crontab.parent / "crontab.txt").read_text() == f"{first}\n{second}\n"


def test_install_cron_leaves_an_unreadable_crontab_alone(job, tmp_path):
    failing = executable(tmp_path / "cron" / "crontab", '#!/bin/sh\necho "$*" >> "$(dirname "$0")/calls"\n'
                        'echo "crontab: cannot open spool dir" >&2\nexit 1\n')
    with pytest.raises(BriefingError, match="left alone: crontab: cannot open spool dir"):
        install_cron(parse_weekly("mon", "07:00"), job, crontab=str(failing))
    assert (failing.parent / "calls").read_text() == "-l\n"


def test_install_cron_without_crontab_says_what_to_do(job, tmp_path):
    with pytest.raises(BriefingError, match=r"crontab -e") as error:
        install_cron(parse_weekly("mon", "07:00"), job, crontab=str(tmp_path / "none" / "crontab"))
    assert "\n" not in str(error.value)


FAKE_SYSTEMCTL = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
"""


def test_install_systemd_writes_the_units_and_starts_the_timer(job, tmp_path):
    systemctl = executable(tmp_path / "sd" / "systemctl", FAKE_SYSTEMCTL)
    weekly = parse_weekly("mon", "07:00")
    written = install_systemd(weekly, job, unit_dir=tmp_path / "units", systemctl=str(systemctl))
    assert written == tuple(tmp_path / "units" / name for name in unit_names(job))
    assert {p.name: p.read_text() for p in written} == systemd_units(weekly, job)
    assert (systemctl.parent / "calls").read_text() == f"--user daemon-reload\n--user enable --now {unit_names(job)[1]}\n"


def test_install_systemd_without_a_user_manager_says_what_to_do(job, tmp_path):
    systemctl = executable(
        tmp_path / "sd" / "systemctl", "#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n"
    )
    with pytest.raises(BriefingError) as error:
        install_systemd(parse_weekly("mon", "07:00"), job, unit_dir=tmp_path / "units", systemctl=str(systemctl))
    message = str(error.value)
    assert "Failed to connect to bus" in message and message.endswith(enable_by_hand(job)) and "\n" not in message
    assert (tmp_path / "units" / unit_names(job)[0]).is_file()


def test_install_systemd_without_systemctl_writes_nothing(job, tmp_path):
    with pytest.raises(BriefingError, match="cron"):
        install_systemd(parse_weekly("mon", "07:00"), job, unit_dir=tmp_path / "units", systemctl=str(tmp_path / "no"))
    assert not (tmp_path / "units").exists()


def test_two_projects_get_their_own_units(job, tmp_path):
    other = Job(job.executable, job.arguments, tmp_path / "other project", job.log)
    assert set(unit_names(job)).isdisjoint(unit_names(other))
    assert all(name.startswith("briefing-digest-") for name in unit_names(other))
    assert unit_names(other)[0].removesuffix(".service") == unit_names(other)[1].removesuffix(".timer")


def schedule(folder: Path, *args: str):
    """`briefing schedule` in a project folder of the seed corpus, printing only."""
    shutil.copytree(CORPUS, folder / "corpus", dirs_exist_ok=True)
    shutil.copy(PROJECT / "topics.toml", folder / "topics.toml")
    os.chdir(folder)
    return runner.invoke(app, ["schedule", "--weekly", "mon", "07:00", *args])


@pytest.fixture
def here(tmp_path: Path):
    before = Path.cwd()
    yield tmp_path
    os.chdir(before)


@pytest.mark.parametrize(
    "args, message",
    [
        ("--bogus", "Error: --digest-args: No such option: --bogus"),
        ("--week 2025-W99", "Error: --digest-args: --week must be an ISO week such as 2025-W16, not '2025-W99'"),
        ("--since-last --topics nowhere.toml", "Error: --digest-args: no topics file at nowhere.toml"),
        ("--mail-to not-an-address", "Error: --digest-args: --mail-to needs a [mail] table"),
    ],
)
def test_digest_args_are_checked_at_schedule_time_in_one_line(here, args, message):
    result = schedule(here, "--digest-args", args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(message) and len(result.output.splitlines()) == 1, result.output


def test_the_cron_job_gets_the_secrets_file_and_the_alert_address(here):
    secrets = here / "secrets.env"
    secrets.write_text("BRIEFING_SMTP_PASSWORD=s3cret\n", encoding="utf-8")
    secrets.chmod(0o640)
    (here / "briefing.toml").write_text('[mail]\nhost = "127.0.0.1"\nsender = "briefs@example.org"\n', encoding="utf-8")
    refused = schedule(here, "--secrets", str(secrets), "--alert-to", "ops@example.org")
    assert refused.exit_code == 2 and "the secrets file can be read by others (mode 0640)" in refused.output
    secrets.chmod(0o600)
    result = schedule(here, "--secrets", str(secrets), "--alert-to", "ops@example.org")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert f"--skip-if-busy --log {here}/out/digest.log --alert-to ops@example.org --secrets {secrets}" in line
    assert "s3cret" not in result.output
    units = schedule(here, "--systemd", "--secrets", str(secrets), "--alert-to", "ops@example.org")
    assert units.exit_code == 0 and f"LoadCredential=briefing-secrets:{secrets}" in units.stdout
    assert "OnFailure=" in units.stdout and "digest alert --unit" in units.stdout and "--log" not in units.stdout
    silent = schedule(here)
    assert "Note: no --alert-to, so a failed run is only seen in the log." in silent.stderr



def test_the_scheduled_run_reads_the_settings_file_this_one_named(here):
    plain = schedule(here)
    assert plain.exit_code == 0 and "--config" not in plain.stdout
    (here / "team.toml").write_text('[brief]\nsubject = "Team"\n', encoding="utf-8")
    result = runner.invoke(app, ["--config", "team.toml", "schedule", "--weekly", "mon", "07:00"])
    assert result.exit_code == 0, result.output
    assert f" --config {here / 'team.toml'} digest --fetch --since-last" in result.stdout
