"""Gunicorn settings for Pactwatch's web process (read by ``gunicorn -c gunicorn.conf.py``).

Sync workers: pages are short database reads served from cache, so a process per core
(plus one) keeps latency flat without thread-safety questions. ``WEB_CONCURRENCY``
overrides the count; the default is capped so a large host does not exhaust PostgreSQL's
connection limit (each worker holds one persistent connection, ``CONN_MAX_AGE``).
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # nosec B104 - inside a container behind a proxy
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files on tmpfs: a container's overlay filesystem can stall them.
SHM = "/dev/shm"  # noqa: S108 - tmpfs owned by the container, used for heartbeats only
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
# Trust X-Forwarded-* only from the reverse proxy (addresses or networks, comma-separated):
# FORWARDED_ALLOW_IPS, else the TRUSTED_PROXIES Django uses for the client's address.
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS") or os.environ.get("TRUSTED_PROXIES") or "127.0.0.1"
)
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
