"""The files that start the product (docker-compose.yml, Dockerfile, Makefile, .ci/run, README.md) refer only to
things that exist, and give production everything its settings demand. No database needed."""

import ast
import base64
import importlib
import json
import re
import shlex
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.bin.celery import celery as celery_cli
from django.core.management import get_commands
from gunicorn.config import Config as GunicornConfig

from recruitee import devstack

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"roles", "migrate", "web", "worker", "beat"}
# Have defaults in the settings, yet a deployment without them is broken: tasks on a filesystem broker no other
# container sees, mail written to files, links in emails pointing at 127.0.0.1; and without token keys a system
# check (calendars.E001) stops every management command.
PRODUCTION_ALSO_NEEDS = {"REDIS_URL", "EMAIL_URL", "SITE_URL", "DEFAULT_FROM_EMAIL", "TOKEN_ENCRYPTION_KEYS"}
# What an operator puts in .env: the only variables docker-compose.yml does not default.
OPERATOR_SECRETS = {"SECRET_KEY": "k" * 64, "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"0" * 32).decode()}
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message} against `environ`."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match.group("name", "op", "arg")
        if environ.get(name):
            return environ[name]
        if op in (":-", "-"):
            return arg
        raise KeyError(f"{name} must come from the operator's environment: {arg or 'required'}")

    return INTERPOLATION.sub(substitute, value)


def app_environment(service: str, operator_env: dict[str, str]) -> dict[str, str]:
    environment = compose()["services"][service]["environment"]
    return {name: interpolate(str(value), operator_env) for name, value in environment.items()}


def required_variables(settings_file: Path) -> set[str]:
    """Variables read with env(...) or env.<cast>(...) without a default: the settings refuse to load without them."""
    required = set()
    for node in ast.walk(ast.parse(settings_file.read_text())):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        # A second positional argument is a default for env.str() and a cast for env.list(): count it as a default.
        if reads_env and len(node.args) == 1 and not any(keyword.arg == "default" for keyword in node.keywords):
            required.add(node.args[0].value)
    return required


def production_variables() -> set[str]:
    settings_dir = ROOT / "recruitee" / "settings"
    return required_variables(settings_dir / "base.py") | required_variables(settings_dir / "production.py")


def commands_of(service: dict) -> list[list[str]]:
    """Every command line a service runs: command, entrypoint and healthcheck."""
    found = []
    for key in ("entrypoint", "command"):
        if key in service:
            value = service[key]
            found.append(shlex.split(value) if isinstance(value, str) else [str(part) for part in value])
    if "healthcheck" in service:
        test = service["healthcheck"]["test"]
        if test[0] == "CMD-SHELL":
            found.append(shlex.split(test[1]))
        elif test[0] == "CMD":
            found.append(test[1:])
    return found


def assert_runs_something_that_exists(argv: list[str]) -> None:
    program, *args = argv
    if program == "gunicorn":
        GunicornConfig().parser().parse_args(args)  # every option exists in the locked gunicorn (exits if not)
        module_name, _, attribute = args[0].partition(":")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute or "application")), argv
    elif program == "celery":
        assert args[0] == "-A", argv
        app = find_app(args[1])
        assert isinstance(app, Celery) and app.main == "recruitee", argv
        assert args[2] in celery_cli.commands, argv
    elif program == "python" and args[0] == "manage.py":
        assert args[1] in get_commands(), f"no management command {args[1]!r}: {argv}"
    elif program == "python" and args[0] == "-c":
        compile(args[1], "<healthcheck>", "exec")
    else:
        pytest.fail(f"unknown program in {argv}: teach this test how to check it")


def test_it_builds_every_app_service_from_the_one_image():
    services = compose()["services"]
    built = {name for name, service in services.items() if "build" in service}
    assert built == APP_SERVICES
    assert len({(json.dumps(services[name]["build"]), services[name]["image"]) for name in built}) == 1
    assert services["web"]["build"] in (".", {"context": "."})


def test_it_runs_only_commands_that_exist_in_the_project():
    services = compose()["services"]
    for name in sorted(APP_SERVICES):
        for argv in commands_of(services[name]):
            assert_runs_something_that_exists(argv)
    assert services["worker"]["command"][3] == "worker"
    assert services["beat"]["command"][3] == "beat"
    assert services["migrate"]["command"][2] == "migrate"
    assert services["roles"]["command"][2] == "database_roles"


def test_it_runs_gunicorn_as_an_unprivileged_user_in_the_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "collectstatic" in dockerfile and "requirements.lock" in dockerfile
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)[-1])
    assert cmd[0] == "gunicorn"
    assert_runs_something_that_exists(cmd)


def test_it_waits_for_migrations_before_starting_app_processes():
    services = compose()["services"]
    for name in APP_SERVICES - {"roles", "migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["roles"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["restart"] == services["roles"]["restart"] == "no"
    for name in ("web", "worker", "db", "redis", "mailcatcher"):
        assert "healthcheck" in services[name], name


def test_it_gives_the_app_every_variable_the_production_settings_require():
    required = production_variables()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"} <= required  # the scan itself works
    for name in sorted(APP_SERVICES):
        environment = compose()["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "recruitee.settings.production"
        assert required | PRODUCTION_ALSO_NEEDS <= set(environment), name


@pytest.mark.parametrize("secret", sorted(OPERATOR_SECRETS))
def test_it_refuses_to_start_the_stack_without_the_operators_secrets(secret):
    with pytest.raises(KeyError, match=secret):
        app_environment("web", {name: value for name, value in OPERATOR_SECRETS.items() if name != secret})


def run_with_compose_environment(*argv: str) -> str:
    environment = {**app_environment("web", OPERATOR_SECRETS), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_it_loads_the_production_settings_with_exactly_the_compose_environment():
    output = run_with_compose_environment(
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND, s.DEBUG)",
    )
    assert output.split() == [
        "recruitee.db.postgresql", "redis://redis:6379/0", "django.core.mail.backends.smtp.EmailBackend", "False",
    ]


def test_it_runs_the_app_as_its_own_role_and_migrations_as_the_owner():
    """The tenant wall (row-level security) holds only for a role that owns no table: the app processes log in as
    recruitee_app, migrations as recruitee_owner, and only the roles service knows the superuser."""
    env = dict(OPERATOR_SECRETS)
    for name in APP_SERVICES:
        environment = app_environment(name, env)
        assert environment["DATABASE_URL"].startswith("postgres://recruitee_app:"), name
        assert ("DATABASE_OWNER_URL" in environment) == (name in {"roles", "migrate"}), name
        assert ("DATABASE_ADMIN_URL" in environment) == (name == "roles"), name
    assert app_environment("migrate", env)["DATABASE_OWNER_URL"].startswith("postgres://recruitee_owner:")


def test_it_passes_the_system_checks_with_the_compose_environment():
    # Errors only: compose serves plain HTTP on localhost, so the HTTPS warnings of --deploy are expected there.
    run_with_compose_environment("manage.py", "check", "--deploy", "--fail-level", "ERROR")


def test_it_gives_the_deploy_check_in_ci_every_variable_production_requires():
    ci = (ROOT / ".ci" / "run").read_text()
    check = ci[: ci.index("manage.py check --deploy --fail-level WARNING")]
    check = check[check.rindex("DJANGO_SETTINGS_MODULE=recruitee.settings.production"):]
    assigned = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", check))
    assert production_variables() | PRODUCTION_ALSO_NEEDS <= assigned


def test_it_starts_the_readme_with_make_run_and_make_test():
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.strip()]
    if lines[0].startswith("# "):
        lines = lines[1:]
    assert lines[0].startswith("```")
    assert lines[1:4] == ["make run", "make test", "```"]


def test_it_has_the_make_targets_the_readme_names():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    assert {"run", "test", "lint", "smoke", "clean"} <= targets
    readme = (ROOT / "README.md").read_text()
    for target in ("run", "test", "lint", "smoke", "clean"):
        assert f"make {target}" in readme, target


def test_it_runs_make_test_then_make_smoke_in_ci():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert "set -euo pipefail" in commands
    tests = next(i for i, line in enumerate(commands) if re.search(r"\bmake test$", line))
    smoke = next(i for i, line in enumerate(commands) if re.search(r"\bmake smoke$", line))
    assert tests < smoke


def test_it_checks_the_import_layering_in_make_lint_and_ci():
    makefile = (ROOT / "Makefile").read_text()
    lint_recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    assert "lint-imports" in lint_recipe and "ruff check" in lint_recipe
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    lint = next(i for i, line in enumerate(commands) if re.search(r"\bmake lint$", line))
    tests = next(i for i, line in enumerate(commands) if re.search(r"\bmake test$", line))
    assert lint < tests


def test_it_starts_a_web_server_and_a_worker_with_beat_for_make_run():
    sandbox = devstack.Sandbox()
    processes = {
        spec.name: spec.argv for spec in devstack.stack_processes(devstack.Address("127.0.0.1", 8123), sandbox)
    }
    assert {"web", "worker", "sandbox"} <= set(processes)
    assert processes["sandbox"][1:3] == ("-m", "calendars.sandbox")
    assert (ROOT / "calendars" / "sandbox" / "__main__.py").is_file()
    assert processes["web"][1:] == ("manage.py", "runserver", "--noreload", "127.0.0.1:8123")
    assert processes["worker"][1:7] == ("-m", "celery", "-A", "recruitee", "worker", "-B")
    assert str(ROOT / "var" / "celerybeat-schedule") in processes["worker"]
    for argv in (processes["web"], processes["worker"]):
        assert_runs_something_that_exists(["python", *argv[1:]] if argv[1] == "manage.py" else ["celery", *argv[3:]])


def test_it_lets_the_environment_win_over_the_make_run_defaults(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "recruitee.settings.custom")
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("GOOGLE_API_ENDPOINT", "http://elsewhere.test/calendar/v3/")
    environment = devstack.stack_environment(devstack.Address("127.0.0.1", 8123), devstack.Sandbox())
    assert environment["DJANGO_SETTINGS_MODULE"] == "recruitee.settings.custom"
    assert environment["SITE_URL"] == "http://127.0.0.1:8123"
    assert environment["GOOGLE_API_ENDPOINT"] == "http://elsewhere.test/calendar/v3/"
    assert environment["MICROSOFT_AUTHORITY"] == "https://127.0.0.1:8011/common"  # the sandbox default
    monkeypatch.setenv("SITE_URL", "https://recruit.example.com")
    assert devstack.stack_environment(devstack.Address("::1", 80), None)["SITE_URL"] == "https://recruit.example.com"


def test_it_uses_the_real_providers_when_the_environment_configures_them():
    assert devstack.Sandbox.from_environment({}) == devstack.Sandbox()
    assert devstack.Sandbox.from_environment({"GOOGLE_CLIENT_ID": "real.apps.googleusercontent.com"}) is None
    assert devstack.Sandbox.from_environment({"CALENDAR_SANDBOX": "0"}) is None


def test_it_points_make_run_at_the_sandbox_exactly_as_the_sandbox_itself_says():
    from calendars.sandbox.server import start_sandbox

    with start_sandbox() as server:
        sandbox = devstack.Sandbox(
            google_port=int(server.google_url.rsplit(":", 1)[1]),
            microsoft_port=int(server.microsoft_url.rsplit(":", 1)[1]),
            microsoft_http_port=int(server.microsoft_http_url.rsplit(":", 1)[1]),
            ca_bundle=devstack.Path(server.ca_bundle),
        )
        assert sandbox.app_environment() == server.env()


def image_files() -> list[Path]:
    """The files `COPY . .` puts into the image: everything tracked by git that .dockerignore does not exclude
    (its patterns here are plain paths and globs, which is all it uses)."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()

    def ignored(path: str) -> bool:
        parts = path.split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        return any(fnmatch(prefix, pattern.removeprefix("**/")) or fnmatch(parts[-1], pattern.removeprefix("**/"))
                   for pattern in patterns for prefix in prefixes)

    return [ROOT / path for path in tracked if not ignored(path) and (ROOT / path).is_file()]


def test_it_leaves_the_sandbox_and_test_helpers_out_of_the_image():
    files = {path.relative_to(ROOT).as_posix() for path in image_files()}
    assert "manage.py" in files and "recruitee/settings/production.py" in files
    assert not [name for name in files if name.startswith(("calendars/sandbox/", "tests/", "bench/", ".ci/"))]
    assert "recruitee/devstack.py" not in files
    # Nothing left in the image imports what was left out, or a test tool.
    left_out = ("calendars.sandbox", "recruitee.devstack", "tests", "pytest", "playwright", "aiosmtpd")
    for path in (ROOT / name for name in files if name.endswith(".py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            bad = [name for name in names if any(name == out or name.startswith(out + ".") for out in left_out)]
            assert not bad, f"{path} imports {bad}"
