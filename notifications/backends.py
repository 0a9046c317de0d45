"""An e-mail backend that keeps messages in the database (SinkMessage) instead of sending them.

EMAIL_BACKEND=notifications.backends.DatabaseSinkBackend: for demos, tests and benchmarks. The
row is written on the connection of the transaction that marks the notification sent, so a
worker killed in between leaves neither. SINK_FAIL_EVERY=n (tests only) makes every n-th
attempt of this process fail with a transient SMTP error (the retry then goes through).
"""

import itertools
import os
import smtplib

from django.core.mail.backends.base import BaseEmailBackend

from .delivery import worker_id
from .models import SinkMessage

_attempts = itertools.count(1)  # sends tried by this process, for SINK_FAIL_EVERY


class DatabaseSinkBackend(BaseEmailBackend):
    def send_messages(self, email_messages):

        fail_every = int(os.environ.get("SINK_FAIL_EVERY", "0") or 0)
        rows = []
        for message in email_messages:
            if fail_every and next(_attempts) % fail_every == 0:
                raise smtplib.SMTPServerDisconnected("test: the mail server went away")
            rows.append(
                SinkMessage(
                    message_id=message.extra_headers.get("Message-ID", ""),
                    to=", ".join(message.to),
                    subject=message.subject[:500],
                    body=message.body,
                    worker=worker_id(),
                )
            )
        SinkMessage.objects.bulk_create(rows)
        return len(rows)
