"""The local stack behind `make run`: migrate, seed the demo, then run the web server and a Celery worker together.

    python -m recruitee.devstack        (HOST and PORT pick the address; default http://127.0.0.1:8000/)

One supervisor owns every process it starts, the way foreman and honcho do. Each child runs in a process group of
its own, so a terminal's Ctrl-C (or a SIGTERM) reaches only the supervisor, which then stops the children: SIGTERM
to each, a grace period, then SIGKILL to each whole group (a Celery worker has pool and beat processes under it).
Nothing it started outlives it. If any child dies on its own, the rest are stopped too: a half-running stack only
confuses. More processes (the calendar sandbox, say) are one more ProcessSpec in stack_processes().

Why not a Procfile run by honcho (the usual way): `make run` promises more than starting processes, and honcho
keeps none of it. It checks that the web and sandbox ports are free and says what to do when one is taken; it
migrates and seeds the demo first and prints the demo logins and the sandbox's accounts once the site answers; it
points the app at the sandbox it started (the environment is computed, not fixed in a file); and it needs nothing
but the runtime lock (honcho would be one more dependency). Stopping everything on Ctrl-C is the one promise
honcho shares.

The environment always wins over the defaults set here. Without DATABASE_URL the settings use SQLite in var/,
without REDIS_URL the Celery filesystem transport in var/celery/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from recruitee.recruiting.demo_people import PEOPLE, PROVIDER_LABELS, sandbox_accounts

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# A Celery warm shutdown finishes the tasks in hand; over the filesystem transport it takes some 8 s even when
# idle (runserver stops at once). After the grace period whatever is left of a process group is killed.
STOP_GRACE_SECONDS = 12
WEB_READY_TIMEOUT_SECONDS = 120
READY_PATH = "accounts/login/"


@dataclass(frozen=True)
class ProcessSpec:
    """One long-running process of the stack."""

    name: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)  # on top of the stack's shared environment


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def core_processes(address: Address) -> list[ProcessSpec]:
    python = sys.executable
    bind = f"[{address.host}]:{address.port}" if ":" in address.host else f"{address.host}:{address.port}"
    ipv6 = ("--ipv6",) if ":" in address.host else ()
    return [
        # --noreload: the autoreloader forks a child that would escape this supervisor's bookkeeping.
        ProcessSpec("web", (python, "manage.py", "runserver", "--noreload", *ipv6, bind)),
        # -B embeds beat (worker_heartbeat_task every 30 s); one worker is enough on a laptop.
        ProcessSpec("worker", (
            python, "-m", "celery", "-A", "recruitee", "worker", "-B", "--loglevel", "INFO",
            "--schedule", str(VAR_DIR / "celerybeat-schedule"),
        )),
    ]


@dataclass(frozen=True)
class Sandbox:
    """Where the sandbox calendar providers (calendars/sandbox/) listen when `make run` starts them."""

    host: str = "127.0.0.1"
    google_port: int = 8010
    microsoft_port: int = 8011  # https: msal refuses plain http for the token endpoint
    microsoft_http_port: int = 8012  # the consent page a browser opens, without a certificate warning
    ca_bundle: Path = VAR_DIR / "sandbox-ca.pem"

    @classmethod
    def from_environment(cls, env: dict[str, str]) -> Sandbox | None:
        """None when the environment configures real providers (or CALENDAR_SANDBOX=0)."""
        if env.get("CALENDAR_SANDBOX", "1") == "0" or env.get("GOOGLE_CLIENT_ID") or env.get("MICROSOFT_CLIENT_ID"):
            return None
        return cls(
            google_port=int(env.get("SANDBOX_GOOGLE_PORT", "8010")),
            microsoft_port=int(env.get("SANDBOX_MICROSOFT_PORT", "8011")),
            microsoft_http_port=int(env.get("SANDBOX_MICROSOFT_HTTP_PORT", "8012")),
        )

    @property
    def ports(self) -> list[int]:
        return [self.google_port, self.microsoft_port, self.microsoft_http_port]

    def app_environment(self) -> dict[str, str]:
        """The provider settings that point the app at this sandbox (the same values the sandbox prints)."""
        google = f"http://{self.host}:{self.google_port}"
        microsoft = f"https://{self.host}:{self.microsoft_port}"
        return {
            "GOOGLE_CLIENT_ID": "sandbox-client.apps.googleusercontent.com",
            "GOOGLE_CLIENT_SECRET": "sandbox-google-secret",
            "GOOGLE_AUTH_URI": f"{google}/o/oauth2/v2/auth",
            "GOOGLE_TOKEN_URI": f"{google}/token",
            "GOOGLE_REVOKE_URI": f"{google}/revoke",
            "GOOGLE_API_ENDPOINT": f"{google}/calendar/v3/",
            "MICROSOFT_CLIENT_ID": "5a1db0c5-c11e-4a7e-8000-00000000c11e",
            "MICROSOFT_CLIENT_SECRET": "sandbox-microsoft-secret",
            "MICROSOFT_AUTHORITY": f"{microsoft}/common",
            "MICROSOFT_GRAPH_URL": f"{microsoft}/v1.0",
            "PROVIDER_CA_BUNDLE": str(self.ca_bundle),
            "OAUTHLIB_INSECURE_TRANSPORT": "1",  # the Google stand-in is plain http on loopback
        }

    def process(self) -> ProcessSpec:
        # The demo members' accounts carry the members' own names (the sandbox knows nothing of the demo).
        accounts = [arg for account in sandbox_accounts() for arg in ("--account", *account)]
        return ProcessSpec("sandbox", (
            sys.executable, "-m", "calendars.sandbox", "--host", self.host,
            "--google-port", str(self.google_port), "--microsoft-port", str(self.microsoft_port),
            "--microsoft-http-port", str(self.microsoft_http_port), "--ca-bundle", str(self.ca_bundle),
            *accounts,
        ))


def stack_processes(address: Address, sandbox: Sandbox | None) -> list[ProcessSpec]:
    return [*([sandbox.process()] if sandbox else []), *core_processes(address)]


def stack_environment(address: Address, sandbox: Sandbox | None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "recruitee.settings.local")
    # Links in emails (invitations) must point at the address this stack really serves.
    env.setdefault("SITE_URL", address.url.rstrip("/"))
    env.setdefault("PYTHONUNBUFFERED", "1")  # children write into pipes; show their lines as they come
    if sandbox:
        for name, value in sandbox.app_environment().items():
            env.setdefault(name, value)
    return env


def prepare_var_dir(env: dict[str, str]) -> None:
    VAR_DIR.mkdir(exist_ok=True)  # SQLite creates its file but not the folder
    if not env.get("REDIS_URL"):
        # The filesystem transport needs its folders before the web publishes or the worker consumes.
        # Same default as settings.base.CELERY_FILESYSTEM_DIR.
        celery_dir = Path(env.get("CELERY_FILESYSTEM_DIR") or VAR_DIR / "celery")
        for name in ("queue", "processed"):
            (celery_dir / name).mkdir(parents=True, exist_ok=True)


class StopRequested(Exception):
    pass


class Supervisor:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.running: list[tuple[ProcessSpec, subprocess.Popen[str]]] = []
        self.stop_signals = 0
        self._pumps: list[threading.Thread] = []
        self._output = threading.Lock()
        self._width = 6

    # Signal handlers only count; the main loop polls, so no lock is ever taken inside a handler.
    def handle_signal(self, signum: int, frame: object) -> None:
        self.stop_signals += 1

    def check_stop(self) -> None:
        if self.stop_signals:
            raise StopRequested

    def say(self, text: str, name: str = "stack") -> None:
        with self._output:
            for line in text.splitlines() or [""]:
                sys.stdout.write(f"{name:<{self._width}} | {line}\n")
            sys.stdout.flush()

    def run_step(self, argv: tuple[str, ...], capture: bool = False) -> str:
        """Run a set-up command to completion (still stoppable); return its output if captured."""
        self.check_stop()
        proc = subprocess.Popen(  # noqa: S603 (our own commands, no shell)
            argv, cwd=BASE_DIR, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None, text=True,
        )
        while True:
            try:
                output, _ = proc.communicate(timeout=0.2)  # reads as it waits: a full pipe never blocks the child
                break
            except subprocess.TimeoutExpired:
                if self.stop_signals:
                    proc.terminate()
                    try:
                        proc.wait(STOP_GRACE_SECONDS)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                    raise StopRequested from None
        if output:
            sys.stdout.write(output)
            sys.stdout.flush()
        if proc.returncode != 0:
            raise SystemExit(f"`{' '.join(argv[1:])}` failed with exit code {proc.returncode}; see above")
        return output or ""

    def start(self, spec: ProcessSpec) -> None:
        self.check_stop()
        self._width = max(self._width, len(spec.name))
        proc = subprocess.Popen(  # noqa: S603 (our own commands, no shell)
            spec.argv, cwd=BASE_DIR, env={**self.env, **spec.env}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
            process_group=0,  # its own group: Ctrl-C reaches only us, and we can signal all its descendants
        )
        self.running.append((spec, proc))
        pump = threading.Thread(target=self._pump, args=(spec.name, proc.stdout), daemon=True)
        pump.start()
        self._pumps.append(pump)
        command = " ".join("python" if arg == sys.executable else arg for arg in spec.argv)
        self.say(f"started {spec.name} (pid {proc.pid}): {command}")

    def _pump(self, name: str, stream: TextIO) -> None:
        for line in stream:
            self.say(line.rstrip("\n"), name)

    def exited(self) -> tuple[ProcessSpec, int] | None:
        for spec, proc in self.running:
            if proc.poll() is not None:
                return spec, proc.returncode
        return None

    def stop_all(self) -> None:
        alive = [(spec, proc) for spec, proc in self.running if proc.poll() is None]
        signals_before = self.stop_signals
        if alive:
            again = " again" if signals_before else ""
            self.say(f"stopping {', '.join(spec.name for spec, _ in alive)} (Ctrl-C{again} kills them at once)")
        started = time.monotonic()
        for _spec, proc in reversed(alive):
            # The leader only: a Celery worker shuts its pool and beat down itself when asked (warm shutdown).
            proc.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        # A further Ctrl-C while waiting means "now": skip the rest of the grace period.
        while time.monotonic() < deadline and self.stop_signals == signals_before:
            if all(proc.poll() is not None for _, proc in self.running):
                break
            time.sleep(0.1)
        for spec, proc in self.running:
            if proc.poll() is None:
                self.say(f"killing {spec.name}, which has not stopped after {time.monotonic() - started:.1f} s")
            # Also after a clean exit: nothing of the group (pool processes, beat) may stay behind.
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        for pump in self._pumps:
            pump.join(timeout=2)
        if self.running:
            self.say(f"stopped in {time.monotonic() - started:.1f} s")
        self.running.clear()


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)
    except ProcessLookupError:
        pass  # the whole group is gone already


def port_is_free(address: Address) -> bool:
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # runserver binds with SO_REUSEADDR too, so a socket of a previous run in TIME_WAIT does not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address.host, address.port))
        except OSError:
            return False
    return True


def web_answers(url: str) -> bool:
    # No proxy: a proxy from the environment has no business with a server on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:  # noqa: S310 (our own http:// address)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def sandbox_banner(sandbox: Sandbox | None) -> str:
    if sandbox is None:
        return "Calendar providers: as configured in the environment.\n\n"
    return (
        "Calendar sandbox (stands in for Google and Microsoft; connect from Calendar > Your calendar connections):\n"
        f"  Google     http://{sandbox.host}:{sandbox.google_port}/_sandbox/  (accounts, invite outbox, edit events)\n"
        f"  Microsoft  http://{sandbox.host}:{sandbox.microsoft_http_port}/_sandbox/\n"
        f"  Sandbox accounts of the demo team:\n{_demo_sandbox_accounts()}"
        "  and more: dana.schmidt@sandbox-google.test, li.wei@sandbox-google.test (Google),\n"
        "            sam.oconnor@sandbox-outlook.test (Outlook, a personal account)\n\n"
    )


def _demo_sandbox_accounts() -> str:
    return "".join(
        f"    {person.email:<24} {person.name:<16} "
        f"({' and '.join(PROVIDER_LABELS[provider] for provider in person.calendars)})\n"
        for person in PEOPLE if person.calendars
    )


def demo_logins(seed_output: str) -> str:
    """The lines of seed_demo's output from "Demo logins" on, so the banner repeats what the seed wrote."""
    lines = seed_output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Demo logins"):
            return "\n".join(lines[index:])
    return seed_output.strip()


def main() -> int:
    address = Address(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000")))
    sandbox = Sandbox.from_environment(dict(os.environ))
    env = stack_environment(address, sandbox)
    supervisor = Supervisor(env)
    signal.signal(signal.SIGINT, supervisor.handle_signal)
    signal.signal(signal.SIGTERM, supervisor.handle_signal)

    if not port_is_free(address):
        supervisor.say(f"{address.host}:{address.port} is in use. Stop what runs there, or: PORT=8001 make run")
        return 1
    for port in sandbox.ports if sandbox else []:
        if not port_is_free(Address(sandbox.host, port)):
            supervisor.say(f"{sandbox.host}:{port} (calendar sandbox) is in use. Stop what runs there, or set "
                           "SANDBOX_GOOGLE_PORT / SANDBOX_MICROSOFT_PORT / SANDBOX_MICROSOFT_HTTP_PORT.")
            return 1
    prepare_var_dir(env)
    python = sys.executable
    try:
        supervisor.run_step((python, "manage.py", "migrate", "--noinput"))
        seed_output = supervisor.run_step((python, "manage.py", "seed_demo"), capture=True)
        for spec in stack_processes(address, sandbox):
            supervisor.start(spec)

        ready_by = time.monotonic() + WEB_READY_TIMEOUT_SECONDS
        while not web_answers(address.url + READY_PATH):
            supervisor.check_stop()
            if died := supervisor.exited():
                supervisor.say(f"{died[0].name} exited with code {died[1]} before the site answered")
                return 1
            if time.monotonic() > ready_by:
                supervisor.say(f"{address.url}{READY_PATH} did not answer within {WEB_READY_TIMEOUT_SECONDS} s")
                return 1
            time.sleep(0.3)
        supervisor.say(
            f"\nRecruitee is running at {address.url}\n\n{demo_logins(seed_output)}\n\n"
            f"{sandbox_banner(sandbox)}Press Ctrl-C to stop everything.\n"
        )

        while True:
            supervisor.check_stop()
            if died := supervisor.exited():
                supervisor.say(f"{died[0].name} exited with code {died[1]}; stopping the rest")
                return 1
            time.sleep(0.3)
    except StopRequested:
        return 0
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
