"""Helpers for the real-browser tests: Debian chromium through Playwright, axe-core, the Nu
HTML checker, a local SMTP sink, and screenshots under test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def missing_browser_tools() -> str | None:
    if not CHROMIUM.exists():
        return "Debian chromium is not installed at /usr/bin/chromium (run scripts/ci_browser_deps.sh)"
    if not AXE.exists():
        return "axe-core is not installed (run `npm ci` or scripts/ci_browser_deps.sh)"
    return None


def missing_vnu_tools() -> str | None:
    if not shutil.which("java"):
        return "java is not installed (run scripts/ci_browser_deps.sh)"
    if not VNU.exists():
        return "vnu-jar is not installed (run `npm ci` or scripts/ci_browser_deps.sh)"
    return None


# --- axe-core -------------------------------------------------------------------------------


def run_axe(page, *, rules: list[str] | None = None) -> list[dict]:
    """Serious and critical axe violations on the page as loaded.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so
    the page keeps its real, strict policy while it is checked.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async (rules) => {
            const options = {resultTypes: ['violations']};
            if (rules) options.runOnly = {type: 'rule', values: rules};
            const r = await axe.run(document, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }""",
        rules,
    )
    return [v for v in result if v["impact"] in {"serious", "critical"}]


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(f"  {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


# --- Nu HTML checker ---------------------------------------------------------------------------


def vnu_errors(documents: dict[str, str]) -> dict[str, list[str]]:
    """Validate HTML documents with the Nu HTML checker in one JVM; errors per document name."""
    with tempfile.TemporaryDirectory(prefix="pactwatch-vnu-") as tmp:
        paths = {}
        for index, (name, html) in enumerate(documents.items()):
            path = Path(tmp) / f"{index:03d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())[:60]}.html"
            path.write_text(html, encoding="utf-8")
            paths[str(path)] = name
        completed = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *paths],
            capture_output=True,
            text=True,
            timeout=240,
        )
        report = json.loads(completed.stderr or completed.stdout)
    errors: dict[str, list[str]] = {name: [] for name in documents}
    for message in report["messages"]:
        if message.get("type") != "error":
            continue
        url = message.get("url", "")
        name = next((n for p, n in paths.items() if url.endswith(Path(p).name)), url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message.get('message')} [{message.get('extract', '').strip()[:80]}]"
        )
    return {name: _cap(found) for name, found in errors.items() if found}


def _cap(found: list[str], limit: int = 6) -> list[str]:
    return found if len(found) <= limit else [*found[:limit], f"... and {len(found) - limit} more"]


# --- screenshots --------------------------------------------------------------------------------


def screenshot(page, name: str) -> list[Path]:
    """Desktop (1280) and phone (390) full-page screenshots; returns the files written."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
    if original:
        page.set_viewport_size(original)
    return written


# --- local SMTP sink --------------------------------------------------------------------------


@dataclass
class SmtpSink:
    """aiosmtpd on 127.0.0.1 collecting every message, for tests that read real emails."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
                message = message_from_bytes(envelope.content, policy=policy.default)
                with sink._lock:
                    sink.messages.append(message)
                return "250 OK"

        from bench.baselines import free_port

        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, predicate, *, timeout: float = 15.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages:
                    if predicate(message):
                        return message
            time.sleep(0.1)
        subjects = [m["Subject"] for m in self.messages]
        raise AssertionError(f"no matching email within {timeout}s; received subjects: {subjects}")

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def body_html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part else ""


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)
