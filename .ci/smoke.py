#!/usr/bin/env python3
"""`make smoke`: a newcomer's first minutes, checked end to end on what is committed.

In a fresh clone of HEAD, with none of the project's variables set (so SQLite and the filesystem broker), run
`make run` on a free port; log in as the demo recruiter and open the candidate list; log in as the demo admin and
ping the worker through the web, which proves that a task queued by the web reached a real worker; then press
Ctrl-C (SIGINT to make's process group, as a terminal does) and check that everything `make run` started is gone.

Standard library only: it runs with plain python3.11, before any virtualenv exists.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The first `make run` of a clone creates .venv and installs requirements.lock.
STARTUP_TIMEOUT = int(os.environ.get("SMOKE_STARTUP_TIMEOUT", "600"))
PING_TIMEOUT = 60
STOP_TIMEOUT = 45  # make run's own grace period for its children is shorter
DEMO_PASSWORD = "demo-pass-123"
# A newcomer has none of these set; the defaults alone must give a working stack.
PROJECT_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SITE_URL",
    "CSRF_TRUSTED_ORIGINS", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "ACCOUNT_EMAIL_VERIFICATION", "LOG_LEVEL",
    "CELERY_FILESYSTEM_DIR", "HOST", "PORT", "TOKEN_ENCRYPTION_KEYS", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET",
    "GOOGLE_AUTH_URI", "GOOGLE_TOKEN_URI", "GOOGLE_REVOKE_URI", "GOOGLE_API_ENDPOINT", "MICROSOFT_CLIENT_ID",
    "MICROSOFT_CLIENT_SECRET", "MICROSOFT_AUTHORITY", "MICROSOFT_GRAPH_URL", "PROVIDER_CA_BUNDLE",
    "CALENDAR_SANDBOX", "SANDBOX_GOOGLE_PORT", "SANDBOX_MICROSOFT_PORT", "SANDBOX_MICROSOFT_HTTP_PORT",
    # and no trace of an outer make or an activated virtualenv
    "VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def run(*argv: str, cwd: Path = REPO) -> str:
    done = subprocess.run(argv, cwd=cwd, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Browser:
    """A cookie-keeping client that posts forms the way a browser does (CSRF token from the form, Referer)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        # No proxy: whatever proxy the environment names has no business with a server on this machine.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, form: dict[str, str] | None = None, referer: str = "") -> tuple[int, str, str]:
        """Return status, final URL (after redirects) and body."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base_url + path, data=data)  # noqa: S310 (http://127.0.0.1 only)
        if referer:
            request.add_header("Referer", referer)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.url, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            return 0, "", str(error)  # nothing answers (yet)

    def get(self, path: str, expect: int = 200) -> tuple[str, str]:
        status, url, body = self.request(path)
        if status != expect:
            raise SmokeFailure(f"GET {path} answered {status}, expected {expect}")
        return url, body

    def submit(self, page: str, action: str, fields: dict[str, str]) -> tuple[str, str]:
        """Open `page`, take the CSRF token from its form and post `fields` to `action`."""
        _, body = self.get(page)
        token = CSRF_FIELD.search(body)
        if not token:
            raise SmokeFailure(f"no CSRF token in the form on {page}")
        status, url, body = self.request(
            action, {"csrfmiddlewaretoken": token.group(1), **fields}, referer=self.base_url + page
        )
        if status != 200:
            raise SmokeFailure(f"POST {action} ended with {status} at {url}")
        return url, body

    def log_in(self, email: str) -> None:
        url, _ = self.submit("/accounts/login/", "/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        if urllib.parse.urlsplit(url).path.startswith("/accounts/login"):
            raise SmokeFailure(f"logging in as {email} with the demo password did not work")
        say(f"logged in as {email}, landed on {urllib.parse.urlsplit(url).path}")


def wait_for(condition: Callable[[], bool], timeout: float, what: str, make: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    next_note = time.monotonic() + 30
    while not condition():
        if make.poll() is not None:
            raise SmokeFailure(f"`make run` exited with {make.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        if time.monotonic() > next_note:
            say(f"still waiting for {what}")
            next_note += 30
        time.sleep(1)


def processes_of(clone: Path) -> list[tuple[int, str]]:
    """Processes whose command line or working directory is inside the clone: what `make run` started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue  # gone meanwhile, or a kernel thread
        if str(clone) in cmdline or cwd == str(clone) or cwd.startswith(f"{clone}/"):
            found.append((int(entry.name), cmdline or "?"))
    return found


def printed_banner(log_path: Path, base_url: str) -> bool:
    """Did make run's own supervisor (lines "stack  | ...") print the URL, then the demo logins?"""
    own = [line for line in log_path.read_text(errors="replace").splitlines() if line.startswith("stack ")]
    at_url = next((i for i, line in enumerate(own) if base_url in line), None)
    return at_url is not None and any("recruiter@acme.test" in line for line in own[at_url:])


def tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def smoke(workdir: Path, started_processes: list[subprocess.Popen[bytes]]) -> None:
    clone = workdir / "recruitee"
    log_path = workdir / "make-run.log"
    head = run("git", "rev-parse", "HEAD")
    if run("git", "status", "--porcelain", "--untracked-files=no"):
        say("note: the work tree has uncommitted changes; this checks the last commit only")
    say(f"cloning {head[:12]} into {clone}")
    run("git", "clone", "--quiet", "--no-checkout", str(REPO), str(clone))
    run("git", "checkout", "--quiet", "--detach", head, cwd=clone)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if name not in PROJECT_VARIABLES}
    env.update(HOST="127.0.0.1", PORT=str(port))
    # The calendar sandbox's usual ports may be taken by a developer's own `make run`: use free ones.
    env.update(SANDBOX_GOOGLE_PORT=str(free_port()), SANDBOX_MICROSOFT_PORT=str(free_port()),
               SANDBOX_MICROSOFT_HTTP_PORT=str(free_port()))
    say(f"starting `make run` on port {port} (the first run creates .venv; output in {log_path})")
    started = time.monotonic()
    with log_path.open("wb") as log:
        # make from PATH, as a newcomer types it; a process group of its own, like a shell's foreground job.
        make = subprocess.Popen(  # noqa: S603
            ["make", "run"],  # noqa: S607
            cwd=clone, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    started_processes.append(make)
    probe = Browser(base_url)
    wait_for(lambda: probe.request("/accounts/login/")[0] == 200, STARTUP_TIMEOUT, "/accounts/login/", make)
    say(f"/accounts/login/ answers 200 after {time.monotonic() - started:.0f} s")
    wait_for(lambda: printed_banner(log_path, base_url), 20, "the URL and the demo logins in the output", make)
    say("make run printed the URL and the demo logins")
    if "System check identified some issues" in log_path.read_text(errors="replace"):
        raise SmokeFailure("make run printed warnings of Django's system checks (see its output)")
    say("make run printed no warnings of Django's system checks")

    recruiter = Browser(base_url)
    recruiter.log_in("recruiter@acme.test")
    _, body = recruiter.get("/acme/candidates/")
    if "Candidates" not in body:
        raise SmokeFailure("/acme/candidates/ does not say 'Candidates'")
    say("the recruiter sees the candidate list")

    admin = Browser(base_url)
    admin.log_in("admin@acme.test")
    ping_url, _ = admin.submit("/acme/settings/system/", "/acme/settings/system/pings/", {})
    ping_path = urllib.parse.urlsplit(ping_url).path
    if not re.fullmatch(r"/acme/settings/system/pings/\d+/", ping_path):
        raise SmokeFailure(f"pinging the worker led to {ping_path}, not to a ping page")
    say(f"pinged the worker through the web: {ping_path}")
    answer: list[str] = []

    def answered() -> bool:
        _, body = admin.get(ping_path)
        found = re.search(r"answered by [^<]*", body)
        answer[:] = [found.group(0)] if found else []
        return bool(found)

    wait_for(answered, PING_TIMEOUT, "the worker to answer the ping", make)
    say(f"the worker {answer[0].strip()}")

    say("pressing Ctrl-C (SIGINT to make run's process group)")
    os.killpg(make.pid, signal.SIGINT)
    try:
        make.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SmokeFailure(f"`make run` still runs {STOP_TIMEOUT} s after SIGINT") from None
    say(f"make run exited (status {make.returncode})")
    time.sleep(0.5)  # let the kernel finish reaping what was killed last
    leftovers = processes_of(clone)
    if leftovers:
        raise SmokeFailure("processes left behind:\n" + "\n".join(f"  {pid} {cmd}" for pid, cmd in leftovers))
    if port_answers(port):
        raise SmokeFailure(f"port {port} still answers after make run exited")
    say(f"nothing left running; port {port} is free")


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="recruitee-smoke-"))
    log_path = workdir / "make-run.log"
    started = time.monotonic()
    started_processes: list[subprocess.Popen[bytes]] = []
    passed = False
    failure = "see the traceback above"
    try:
        smoke(workdir, started_processes)
        passed = True
    except SmokeFailure as error:
        failure = str(error)
    except subprocess.CalledProcessError as error:
        failure = f"{' '.join(error.cmd)}: {error.stderr.strip()}"
    finally:
        # Also on an unexpected error or Ctrl-C, which then propagate with their traceback.
        if not passed and log_path.exists():
            print(f"---- last lines of `make run` ({log_path}) ----\n{tail(log_path)}\n----", flush=True)
        for make in started_processes:
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
        for pid, _ in processes_of(workdir / "recruitee"):  # after a failure: whatever make run left behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(workdir, ignore_errors=True)
    if not passed:
        say(f"FAILED: {failure}")
        return 1
    say(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
