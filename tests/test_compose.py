"""docker-compose.yml and the Dockerfile, checked without Docker.

No Docker engine runs on the CI machines, so these tests read the files and prove that
every service command points at something that exists in the project: the WSGI callable,
the Celery app, management commands, scripts, and settings that read each variable set.
"""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery.app.utils import find_app
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES_DEV = {"migrate", "web", "worker", "beat"}
APP_SERVICES_PROD = {"migrate-prod", "web-prod", "worker-prod", "beat-prod"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def _commands(service: dict) -> list[list[str]]:
    """Each shell-level command a service runs (``sh -c "a && b"`` becomes [a, b])."""
    command = service.get("command")
    if command is None:
        return []
    if isinstance(command, str):
        command = shlex.split(command)
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;", command[2]) if part.strip()]
    return [command]


def _check_command(argv: list[str]) -> None:
    program = argv[0]
    if program == "gunicorn":
        target = argv[1]
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute or "application")), target
        if "-c" in argv:
            assert (ROOT / argv[argv.index("-c") + 1]).is_file()
    elif program == "celery":
        app = find_app(argv[argv.index("-A") + 1])
        assert app.main == "pactwatch"
        assert argv[argv.index("-A") + 2] in {"worker", "beat"}
    elif program == "python":
        if argv[1] == "manage.py":
            assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
        else:
            assert (ROOT / argv[1]).is_file(), argv[1]
    elif program in {"redis-server", "redis-cli", "pg_isready"}:
        pass  # provided by the official images
    else:
        raise AssertionError(f"unexpected program {program!r} in {argv}")


def test_it_defines_the_whole_stack_and_a_production_profile(compose):
    services = compose["services"]
    assert {"postgres", "redis", "mailpit"} | APP_SERVICES_DEV | APP_SERVICES_PROD <= set(services)
    for name in APP_SERVICES_PROD:
        assert services[name]["profiles"] == ["production"]
    for name in APP_SERVICES_DEV | {"postgres", "redis", "mailpit"}:
        assert "profiles" not in services[name], name


def test_it_gives_postgres_a_volume_and_health_checks(compose):
    services = compose["services"]
    postgres = services["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert postgres["volumes"][0].split(":")[0] in compose["volumes"]
    for name in ("postgres", "redis", "web", "web-prod", "worker-prod"):
        assert services[name]["healthcheck"]["test"], name


def test_it_points_every_command_at_something_that_exists(compose):
    seen = 0
    for service in compose["services"].values():
        for argv in _commands(service):
            _check_command(argv)
            seen += 1
        check = service.get("healthcheck", {}).get("test", [])
        if check[:2] == ["CMD", "python"]:
            _check_command(check[1:])
            seen += 1
    assert seen >= 10


def test_it_runs_web_under_gunicorn_with_separate_worker_and_beat(compose):
    services = compose["services"]
    for web in ("web", "web-prod"):
        assert services[web]["command"][0] == "gunicorn"
    assert services["worker-prod"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat-prod"]["command"][:4] == ["celery", "-A", "config.beat", "beat"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in (ROOT / "config" / "settings.py").read_text()
    gunicorn_conf = (ROOT / "gunicorn.conf.py").read_text()
    assert "WEB_CONCURRENCY" in gunicorn_conf


def test_it_sets_only_variables_the_code_reads(compose):
    readers = "".join(
        (ROOT / path).read_text()
        for path in ("config/settings.py", "gunicorn.conf.py", "scripts/healthcheck.py")
    )
    for name in APP_SERVICES_DEV | APP_SERVICES_PROD:
        for variable in compose["services"][name]["environment"]:
            assert f'"{variable}"' in readers or f"'{variable}'" in readers, f"{variable} is read by nothing"


def test_it_requires_production_secrets_instead_of_defaulting_them(compose):
    env = compose["services"]["web-prod"]["environment"]
    assert env["DEBUG"] == "0"
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "TRUSTED_PROXIES"):
        assert ":?" in env[variable], f"{variable} must be required in production"
    assert "*" not in env["FORWARDED_ALLOW_IPS"], "gunicorn must not trust forwarded headers from anyone"


def test_it_registers_every_task_the_beat_schedule_names(settings):
    app = find_app("config")
    app.loader.import_default_modules()
    missing = {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in app.tasks
    }
    assert not missing, f"beat would send tasks no worker knows: {sorted(missing)}"


def test_it_builds_an_image_from_files_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and not line.startswith("COPY . "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    cmd = re.search(r"^CMD \[(.*)\]", dockerfile, re.M).group(1)
    argv = [part.strip().strip('"') for part in cmd.split(",")]
    _check_command(argv)
