"""Pactwatch settings, read from the environment (see ``.env.example``).

With nothing set, Pactwatch runs on a SQLite file in the project with Celery tasks run
eagerly in-process, so ``make run`` needs no server. Production sets ``DATABASE_URL``
(PostgreSQL), ``REDIS_URL`` and ``SECRET_KEY``.
"""

import re
from datetime import date
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.env import (
    env_bool,
    env_date,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-with-debug-off"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "csp",
    "simple_history",
    "axes",
    "ninja",  # the read API: its Swagger UI assets are served from our static files
    "partnerships",
    "scrapers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "partnerships.context_processors.data_as_of",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
DATABASES = {
    "default": {
        **parse_database_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR),
        "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60, minimum=0),
        # A restarted PostgreSQL must not leave workers holding dead connections.
        "CONN_HEALTH_CHECKS": True,
    }
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ---------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "pactwatch"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", REDIS_URL, schemes=("redis", "rediss", "amqp", "memory"))
# Unset broker => run tasks eagerly in-process, so the embedded default needs no server.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Visibility timeout: an unacknowledged task is redelivered after this long, to a second
# worker even while the first still runs it. No task uses a countdown (waits are stored in
# the database), and it must exceed every task's hard time limit; see the scraping section.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
# A worker consuming several queues takes from them in the order its -Q lists them (feeds
# first), instead of kombu's default round robin: a backlog of page fetches or extractions
# never delays a feed check by more than the task a thread is finishing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "queue_order_strategy": "priority",
}
CELERY_TASK_ACKS_LATE = False  # opted into per idempotent task
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = "UTC"
# Queues by kind of work, most urgent first: a worker started without -Q consumes all of them
# in this order. `feeds`: beat's dispatcher and newsroom checks (short, I/O); `pages`: article
# pages, selector tests, submitted addresses (I/O, one host at a time); `extract`: turning an
# archived page into a candidate deal (CPU); `celery`: alerts, webhooks, digests, the rest.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("feeds", "pages", "extract", "celery")]
CELERY_TASK_ROUTES = {
    "scrapers.tasks.scrape_work_dispatch_task": {"queue": "feeds"},
    "scrapers.tasks.newsroom_scrape_task": {"queue": "feeds"},
    "scrapers.tasks.dispatch_due_newsrooms": {"queue": "feeds"},
    "scrapers.tasks.scrape_newsroom": {"queue": "feeds"},
    "scrapers.tasks.scrape_runs_close_orphans_task": {"queue": "feeds"},
    "scrapers.tasks.announcement_fetch_task": {"queue": "pages"},
    "scrapers.tasks.fetch_announcement": {"queue": "pages"},
    "scrapers.tasks.selector_test_run_task": {"queue": "pages"},
    "scrapers.tasks.announcement_submission_run_task": {"queue": "pages"},
    "partnerships.tasks.announcement_extract_task": {"queue": "extract"},
    "partnerships.tasks.regulatory_case_ingest_task": {"queue": "extract"},
    "scrapers.extraction.tasks.extract_announcement": {"queue": "extract"},
}
# How often beat hands out due newsrooms and pages. A newsroom is due again one
# fetch_interval after it was due, so its checks come every fetch_interval plus at most
# this tick; the first tick is at beat's start (config/beat.py).
SCRAPER_DISPATCH_SECONDS = env_float("SCRAPER_DISPATCH_SECONDS", 5.0, minimum=1.0)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-newsrooms": {
        "task": "scrapers.tasks.scrape_work_dispatch_task",
        "schedule": SCRAPER_DISPATCH_SECONDS,
        # A tick not taken before the next one is sent is dropped: the next one claims the same work.
        "options": {"expires": SCRAPER_DISPATCH_SECONDS * 2},
    },
    "close-orphan-runs": {
        "task": "scrapers.tasks.scrape_runs_close_orphans_task",
        "schedule": 60.0,
    },
    "send-daily-digests": {
        "task": "partnerships.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    "send-weekly-digests": {
        "task": "partnerships.tasks.send_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
    "requeue-stuck-deliveries": {
        "task": "partnerships.tasks.reap_stuck_deliveries",
        "schedule": 300.0,
    },
    # Webhook retries wait in the database (next_attempt_at); this hands out the due ones.
    "requeue-webhook-deliveries": {
        "task": "partnerships.tasks.webhooks_reap_task",
        "schedule": 60.0,
    },
}

# --- Email --------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pactwatch <alerts@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Pactwatch staff", addr) for addr in env_list("ADMINS", [])]

# --- Scraping -----------------------------------------------------------------------
SCRAPER_CONTACT_URL = env_url("SCRAPER_CONTACT_URL", "https://github.com/pactwatch/pactwatch")
SCRAPER_USER_AGENT = f"PactwatchBot/0.1 (+{SCRAPER_CONTACT_URL})"
SCRAPER_CONNECT_TIMEOUT = env_float("SCRAPER_CONNECT_TIMEOUT", 5.0, minimum=0.1)
SCRAPER_READ_TIMEOUT = env_float("SCRAPER_READ_TIMEOUT", 20.0, minimum=0.1)
SCRAPER_MAX_BYTES = env_int("SCRAPER_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
SCRAPER_MAX_REDIRECTS = env_int("SCRAPER_MAX_REDIRECTS", 5, minimum=0)
SCRAPER_HOST_DELAY = env_float("SCRAPER_HOST_DELAY", 2.0, minimum=0.0)
# Loopback fetching exists for the test suite's local HTTP server only.
SCRAPER_ALLOW_LOOPBACK = env_bool("SCRAPER_ALLOW_LOOPBACK", False)
# One request (connect, headers and body together) ends after connect + 3 x read timeouts;
# a scrape task may make a few (robots.txt, redirects), so its hard limit is four of them.
SCRAPER_TASK_TIME_LIMIT = int(max(120, (SCRAPER_CONNECT_TIMEOUT + 3 * SCRAPER_READ_TIMEOUT) * 4))
SCRAPER_TASK_SOFT_TIME_LIMIT = SCRAPER_TASK_TIME_LIMIT - 30
# A scrape run still "running" after 10 minutes is closed as interrupted, so a live one must end sooner.
if SCRAPER_TASK_TIME_LIMIT >= 600:
    raise ImproperlyConfigured(
        f"SCRAPER_CONNECT_TIMEOUT + 3 x SCRAPER_READ_TIMEOUT must stay under 150 s "
        f"(the scrape task limit of {SCRAPER_TASK_TIME_LIMIT} s must end before a run counts as interrupted)."
    )
# Twice the longest hard time limit: a task still running when its message becomes visible
# again is handed to a second worker, and a negative soft limit would follow from less.
CELERY_VISIBILITY_TIMEOUT_MINIMUM = 2 * max(CELERY_TASK_TIME_LIMIT, SCRAPER_TASK_TIME_LIMIT)
if CELERY_VISIBILITY_TIMEOUT < CELERY_VISIBILITY_TIMEOUT_MINIMUM:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT}) must be at least "
        f"{CELERY_VISIBILITY_TIMEOUT_MINIMUM} seconds: twice the longest task time limit, or a running "
        "task is handed to a second worker."
    )

# --- Auth, sessions, security -------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Lockouts key on the visitor's address as config.client_ip derives it (TRUSTED_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed. Empty: the
# header is ignored and every request comes from REMOTE_ADDR, which is right without a proxy
# and safe with one (all visitors then share the proxy's address for rate limits and lockouts).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- I18n, static -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes announces itself at INFO on every start, drowning command output.
        "axes": {"level": "WARNING"},
    },
}

# --- Dashboard (pages, page cache) --------------------------------------------------
# Anonymous pages are cached under a content version bumped whenever a deal changes.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
# What every reader of a data version gets alike (chart layouts, the footer's date), cached
# under the same content version for staff and anonymous readers (``partnerships.cache.shared``).
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600, minimum=1)
# Seconds a process trusts its copy of the content version (0: ask the cache every time).
PAGE_CACHE_VERSION_TTL = env_float("PAGE_CACHE_VERSION_TTL", 1.0, minimum=0.0)
# PostgreSQL's JIT spends 100-300 ms compiling the dashboard's aggregate queries (home,
# network, company totals) and saves nothing at this size: off unless DATABASE_JIT=true.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not env_bool("DATABASE_JIT", False):
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

# --- Alerts (email subscriptions) ---------------------------------------------------
# Signed-link lifetimes, in seconds. Unsubscribe links outlive any email they are in.
ALERTS_CONFIRM_MAX_AGE = env_int("ALERTS_CONFIRM_MAX_AGE", 3 * 24 * 3600, minimum=60)
ALERTS_MANAGE_MAX_AGE = env_int("ALERTS_MANAGE_MAX_AGE", 90 * 24 * 3600, minimum=60)
ALERTS_UNSUBSCRIBE_MAX_AGE = env_int("ALERTS_UNSUBSCRIBE_MAX_AGE", 400 * 24 * 3600, minimum=60)
# Messages sent over one SMTP connection per claim, and sender tasks started per event.
ALERTS_BATCH_SIZE = env_int("ALERTS_BATCH_SIZE", 200, minimum=1)
ALERTS_SENDERS = env_int("ALERTS_SENDERS", 2, minimum=1)
ALERTS_MAX_ATTEMPTS = env_int("ALERTS_MAX_ATTEMPTS", 5, minimum=1)
ALERTS_RETRY_BASE_DELAY = env_int("ALERTS_RETRY_BASE_DELAY", 60, minimum=1)
ALERTS_BOUNCE_THRESHOLD = env_int("ALERTS_BOUNCE_THRESHOLD", 3, minimum=1)
# A row left "sending" longer than this belongs to a dead worker. It must exceed the task
# hard time limit, or the reaper would hand a live sender's rows to a second sender.
ALERTS_CLAIM_TIMEOUT = env_int("ALERTS_CLAIM_TIMEOUT", 600, minimum=1)
if ALERTS_CLAIM_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"ALERTS_CLAIM_TIMEOUT ({ALERTS_CLAIM_TIMEOUT}) must exceed the task time limit ({CELERY_TASK_TIME_LIMIT})."
    )
# Subscribe attempts allowed per hour, per client IP and per address.
ALERTS_SUBSCRIBE_PER_IP = env_int("ALERTS_SUBSCRIBE_PER_IP", 10, minimum=1)
ALERTS_SUBSCRIBE_PER_ADDRESS = env_int("ALERTS_SUBSCRIBE_PER_ADDRESS", 3, minimum=1)

# --- Newsroom scraping (scrapers: health, retries, concurrency) ----------------------
# Transient failures in a row before a newsroom is marked broken.
SCRAPER_BROKEN_AFTER_FAILURES = env_int("SCRAPER_BROKEN_AFTER_FAILURES", 3, minimum=1)
# A parse returning fewer than this share of the usual item count marks the newsroom broken.
SCRAPER_COLLAPSE_RATIO = env_float("SCRAPER_COLLAPSE_RATIO", 0.2, minimum=0.0)
# Re-fetch recent announcements this often, for this many days, to notice vendor edits.
SCRAPER_ARTICLE_RECHECK_HOURS = env_int("SCRAPER_ARTICLE_RECHECK_HOURS", 24, minimum=1)
SCRAPER_ARTICLE_RECHECK_DAYS = env_int("SCRAPER_ARTICLE_RECHECK_DAYS", 30, minimum=0)
# Threads the `scrape` command uses (politeness still allows one request per host at a time).
SCRAPER_CONCURRENCY = env_int("SCRAPER_CONCURRENCY", 32, minimum=1)

# --- Filings and regulators as sources (scrapers.services.filings) --------------------
# SEC EDGAR asks every automated client to declare who it is with a contact address, and to
# stay at or under 10 requests per second across its hosts. EDGAR polling refuses to run (a
# recorded, permanent run failure) until SEC_USER_AGENT names one, e.g.
# "Pactwatch admin@example.org".
SEC_USER_AGENT = (env_str("SEC_USER_AGENT", "") or "").strip()
if SEC_USER_AGENT and not re.search(r"[^@\s]+@[^@\s]+\.[^@\s]+", SEC_USER_AGENT):
    raise ImproperlyConfigured(
        f'SEC_USER_AGENT must name a contact email address ("Pactwatch admin@example.org"), got {SEC_USER_AGENT!r}.'
    )
# Seconds between two requests to any sec.gov host (one slot shared by all of them): 0.1 is SEC's 10/s.
SEC_REQUEST_DELAY = env_float("SEC_REQUEST_DELAY", 0.1, minimum=0.1)
# Where EDGAR and GOV.UK are fetched from; a mirror or a test server may stand in. Stored
# announcements and links keep the real addresses.
SEC_WWW_URL = env_url("SEC_WWW_URL", "https://www.sec.gov")
SEC_DATA_URL = env_url("SEC_DATA_URL", "https://data.sec.gov")
GOVUK_URL = env_url("GOVUK_URL", "https://www.gov.uk")
# Filings filed before this day are never read (a new filer's backlog is not news).
SEC_EDGAR_SINCE = env_date("SEC_EDGAR_SINCE", date(2024, 1, 1))
# New filing documents one filer's run reads; the rest wait for its next run.
SEC_EDGAR_DOCUMENTS_PER_RUN = env_int("SEC_EDGAR_DOCUMENTS_PER_RUN", 3, minimum=1)
# New or updated CMA case pages one run of the cases feed fetches.
CMA_CASES_PER_RUN = env_int("CMA_CASES_PER_RUN", 10, minimum=1)

# --- Extraction (announcement → candidate deal; partnerships.services.extractor) ------
# "rules" (default, the baseline) or "model": an OpenAI-compatible chat endpoint whose every
# extracted value must quote the text verbatim; on any error the rules engine answers.
EXTRACTION_BACKEND = env_str("EXTRACTION_BACKEND", "rules")
if EXTRACTION_BACKEND not in {"rules", "model"}:
    raise ImproperlyConfigured(f"EXTRACTION_BACKEND must be 'rules' or 'model', not {EXTRACTION_BACKEND!r}.")
EXTRACTION_MODEL_URL = env_url("EXTRACTION_MODEL_URL", None) or ""  # e.g. http://127.0.0.1:8080/v1
EXTRACTION_MODEL_NAME = env_str("EXTRACTION_MODEL_NAME", "")
EXTRACTION_MODEL_API_KEY = env_str("EXTRACTION_MODEL_API_KEY", "")
EXTRACTION_MODEL_TIMEOUT = env_float("EXTRACTION_MODEL_TIMEOUT", 30.0, minimum=1.0)
if EXTRACTION_BACKEND == "model" and not (EXTRACTION_MODEL_URL and EXTRACTION_MODEL_NAME):
    raise ImproperlyConfigured(
        "EXTRACTION_BACKEND=model needs EXTRACTION_MODEL_URL and EXTRACTION_MODEL_NAME."
    )
# The learned deal classifier's JSON artefact (``manage.py train_deal_classifier`` writes it);
# by default the one shipped in extraction/data. "off" runs the rules alone.
EXTRACTION_CLASSIFIER_PATH = env_str(
    "EXTRACTION_CLASSIFIER_PATH", str(BASE_DIR / "extraction" / "data" / "deal_classifier.json")
)
if EXTRACTION_CLASSIFIER_PATH.lower() in {"off", "none"}:
    EXTRACTION_CLASSIFIER_PATH = ""

# --- Request hardening --------------------------------------------------------------------
# 400 instead of a PostgreSQL DataError (500) for NUL bytes in any parameter.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "config.middleware.RejectNulBytesMiddleware",
)

# --- Read API (partnerships.api) ----------------------------------------------------------
# Requests per client IP (config.client_ip) in each window of API_RATE_WINDOW seconds, over
# every /api/ path; past it the API answers 429 with Retry-After.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600, minimum=1)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60, minimum=1)
# Answers for the archive (announcements, newsroom health, search) are cached this long;
# the others until the page cache's content version changes.
API_ARCHIVE_SECONDS = env_int("API_ARCHIVE_SECONDS", 60, minimum=1)
# The edge middleware answers /api/ before sessions, auth and CSRF: CORS, rate limit, 304s,
# cached answers (see partnerships/api/edge.py).
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "partnerships.api.edge.ApiEdgeMiddleware",
)

# --- Webhooks and Slack (partnerships.services.webhooks) ------------------------------------
# Seconds for one delivery attempt (connect, send, answer together).
WEBHOOKS_TIMEOUT = env_float("WEBHOOKS_TIMEOUT", 10.0, minimum=0.5)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8, minimum=1)
# First retry after about this many seconds, then doubling (with jitter), capped at a day.
WEBHOOKS_RETRY_BASE_DELAY = env_int("WEBHOOKS_RETRY_BASE_DELAY", 30, minimum=1)
# Failed attempts in a row (any event) before an endpoint is disabled and its owner mailed.
WEBHOOKS_DISABLE_AFTER = env_int("WEBHOOKS_DISABLE_AFTER", 15, minimum=1)
# Deliveries claimed per batch, requests in flight per sender, sender tasks per event.
WEBHOOKS_BATCH_SIZE = env_int("WEBHOOKS_BATCH_SIZE", 100, minimum=1)
WEBHOOKS_CONCURRENCY = env_int("WEBHOOKS_CONCURRENCY", 8, minimum=1)
WEBHOOKS_SENDERS = env_int("WEBHOOKS_SENDERS", 2, minimum=1)
# A delivery left "sending" longer than this belongs to a dead worker (the reaper frees it).
WEBHOOKS_CLAIM_TIMEOUT = env_int("WEBHOOKS_CLAIM_TIMEOUT", 600, minimum=1)
if WEBHOOKS_CLAIM_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"WEBHOOKS_CLAIM_TIMEOUT ({WEBHOOKS_CLAIM_TIMEOUT}) must exceed the task time limit "
        f"({CELERY_TASK_TIME_LIMIT})."
    )
# Endpoints one subscription may register.
WEBHOOKS_PER_SUBSCRIPTION = env_int("WEBHOOKS_PER_SUBSCRIPTION", 5, minimum=1)
