"""Django's PostgreSQL backend, but a connection that answered a moment ago is not pinged again.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request, so that
a connection PostgreSQL has dropped (a restart, a failover, an idle timeout) is replaced instead of
failing the request. That is one more round trip on every request: 124 us on this machine's
loopback, as much as a Redis `GET`, on a kept dashboard page that makes one query of its own.

Here the ping is skipped when the same connection finished a request without a connection error
less than HEALTH_CHECK_GRACE_SECONDS ago (HikariCP's `aliveBypassWindowMs`, 500 ms by default,
does the same). A busy worker's connection answers several times a second and is never pinged; an
idle one is pinged as before, which is when a dropped connection is found. A connection that
fails inside the window fails that one request, as it would without health checks, and is closed
at its end (Django checks a connection after any error), so the next request reconnects.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


def grace_seconds() -> float:
    return getattr(settings, "DATABASE_HEALTH_CHECK_GRACE_SECONDS", 1.0)


class DatabaseWrapper(base.DatabaseWrapper):
    answered_at = float("-inf")  # when this connection last finished a request without error

    def connect(self):
        super().connect()
        self.answered_at = float("-inf")

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - self.answered_at < grace_seconds()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends: a connection used in the request (its health
        # check is done) with no error since has just answered.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.answered_at = time.monotonic()
        super().close_if_unusable_or_obsolete()
