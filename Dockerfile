# Pactwatch image: one image for web (gunicorn + whitenoise), Celery worker and beat.
# Build: docker build -t pactwatch .   Run: see docker-compose.yml and the README's Deploying section.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# Install the pinned dependencies first so code changes do not invalidate this layer: build the
# project once from empty package stubs to pull its dependencies, then drop it again (the code
# runs from /app, which manage.py, gunicorn and celery put on sys.path).
COPY pyproject.toml README.md ./
RUN mkdir -p config extraction partnerships scrapers bench \
    && touch config/__init__.py extraction/__init__.py partnerships/__init__.py scrapers/__init__.py bench/__init__.py \
    && pip install . \
    && pip uninstall -y pactwatch

COPY . .
RUN SECRET_KEY=build-time-only-key-for-collectstatic-never-served-0123456789 DEBUG=0 \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app pactwatch \
    && mkdir -p /app/var && chown -R pactwatch /app/var

USER pactwatch
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "config.wsgi:application", "-c", "gunicorn.conf.py"]
