"""Gunicorn settings for benchmark and fault-test servers (``-c python:bench.gunicorn_quiet``):
without it gunicorn would load the project's gunicorn.conf.py, whose access log slows a
hello-world baseline and floods test output."""

accesslog = None
loglevel = "warning"
