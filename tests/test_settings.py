"""Settings come from the environment; a bad value must stop start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_url, parse_database_url

ROOT = Path(__file__).resolve().parents[1]


def load_settings(**env):
    """Import config.settings in a fresh interpreter with exactly this environment."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "CELERY"))
    }
    clean.pop("SECRET_KEY", None)
    clean.pop("DEBUG", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_requires_a_secret_key_when_debug_is_off():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_rejects_a_short_secret_key_in_production():
    result = load_settings(SECRET_KEY="short")
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_it_starts_with_debug_and_no_other_variable_on_sqlite():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_it_switches_to_postgres_through_database_url():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://u:p@db.internal:5433/pactwatch")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL must start with sqlite:// or postgres://"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL"),
        ("SITE_URL", "example.com", "SITE_URL must be a URL"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be an integer"),
        ("CONN_MAX_AGE", "-1", "CONN_MAX_AGE must be at least 0"),
        ("SCRAPER_READ_TIMEOUT", "soon", "SCRAPER_READ_TIMEOUT must be a number"),
        ("SCRAPER_READ_TIMEOUT", "100", "must stay under 150 s"),
        ("CELERY_VISIBILITY_TIMEOUT", "60", "CELERY_VISIBILITY_TIMEOUT (60) must be at least 600 seconds"),
        ("CELERY_VISIBILITY_TIMEOUT", "599", "must be at least 600 seconds"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal", "TRUSTED_PROXIES must list IP addresses or CIDR"),
    ],
)
def test_it_rejects_bad_values_with_a_clear_message(name, value, message):
    env = {"DEBUG": "1", name: value}
    if name == "DEBUG":
        env = {"DEBUG": value}
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_refuses_tls_and_ssl_together():
    result = load_settings(DEBUG="1", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "mutually exclusive" in result.stderr


def test_env_helpers_read_typed_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_FLOAT", "2.5")
    monkeypatch.setenv("X_LIST", "a.example, b.example ,,")
    monkeypatch.setenv("X_URL", "https://pactwatch.example/")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 0) == 12
    assert env_float("X_FLOAT", 0.0) == 2.5
    assert env_list("X_LIST") == ["a.example", "b.example"]
    assert env_url("X_URL") == "https://pactwatch.example"
    with pytest.raises(ImproperlyConfigured, match="X_INT must be at least 20"):
        env_int("X_INT", 0, minimum=20)


def test_it_parses_database_urls():
    pg = parse_database_url("postgresql://me:s%40cret@127.0.0.1:5432/pw?sslmode=require", base_dir=ROOT)
    assert pg["NAME"] == "pw"
    assert pg["PASSWORD"] == "s@cret"
    assert pg["PORT"] == "5432"
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("sqlite:///db.sqlite3", base_dir=ROOT)["NAME"] == str(ROOT / "db.sqlite3")
    assert parse_database_url("sqlite:////tmp/x.sqlite3", base_dir=ROOT)["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        parse_database_url("postgres://127.0.0.1:5432/", base_dir=ROOT)


def test_it_accepts_a_visibility_timeout_at_the_safe_minimum_and_trusted_proxy_networks():
    result = load_settings(
        DEBUG="1", CELERY_VISIBILITY_TIMEOUT="600", TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7, fd00::/8"
    )
    assert result.returncode == 0, result.stderr


def test_env_networks_reads_addresses_and_cidrs(monkeypatch):
    import ipaddress

    from config.env import env_networks

    monkeypatch.setenv("X_NETS", "10.0.0.0/8, 192.0.2.7 , fd00::/8")
    assert env_networks("X_NETS") == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("fd00::/8"),
    ]
    monkeypatch.delenv("X_NETS")
    assert env_networks("X_NETS") == []


def test_it_rejects_an_sec_user_agent_without_a_contact_address():
    result = load_settings(DEBUG="1", SEC_USER_AGENT="Pactwatch")
    assert result.returncode != 0
    assert "SEC_USER_AGENT must name a contact email address" in result.stderr


def test_it_reads_the_filings_settings():
    result = load_settings(
        DEBUG="1",
        SEC_USER_AGENT="Pactwatch admin@example.org",
        SEC_EDGAR_SINCE="2025-01-01",
        SEC_REQUEST_DELAY="0.5",
    )
    assert result.returncode == 0, result.stderr
    result = load_settings(DEBUG="1", SEC_REQUEST_DELAY="0.01")
    assert result.returncode != 0 and "SEC_REQUEST_DELAY must be at least 0.1" in result.stderr
    result = load_settings(DEBUG="1", SEC_EDGAR_SINCE="last year")
    assert result.returncode != 0 and "SEC_EDGAR_SINCE must be a date" in result.stderr
