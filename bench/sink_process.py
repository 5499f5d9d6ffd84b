"""The parent's side of a receiver running in its own process (the SMTP sink, the webhook receiver).

The receiver answers commands over a pipe ("stats", "stop"); counting happens there, so the
benchmarked process pays nothing for it.
"""

from __future__ import annotations

import time


class SinkProcess:
    """Subclasses start ``self.process`` and set ``self.conn`` to their end of the pipe."""

    def ask(self, command):
        self.conn.send(command)
        return self.conn.recv()

    def wait_total(self, count: int, timeout: float = 30.0) -> dict:
        """Poll until the receiver has counted ``count`` arrivals, or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        stats = self.ask("stats")
        while stats["total"] < count and time.monotonic() < deadline:
            time.sleep(0.05)
            stats = self.ask("stats")
        return stats

    def close(self):
        try:
            self.ask("stop")
        finally:
            self.process.join(timeout=10)
