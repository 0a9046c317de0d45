"""A DatabaseSinkBackend that takes its time, for the test that kills a worker in the middle of a
pass (test_workers.py): SLOW_SINK_SECONDS (default 0.05) per message, slept before the message is
kept, inside the transaction that marks the notification sent.

    EMAIL_BACKEND=tests.notifications.slow_backend.SlowSinkBackend SLOW_SINK_SECONDS=0.1
"""

import os
import time

from notifications.backends import DatabaseSinkBackend


class SlowSinkBackend(DatabaseSinkBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_SINK_SECONDS", "0.05")) * len(email_messages))
        return super().send_messages(email_messages)
