"""The outbox against a real SMTP server on this machine (aiosmtpd, on a free port).

The mail settings are made the way production makes them, from EMAIL_URL, and the messages go
through Django's SMTP backend over a socket: the outbox delivers each message once, a recipient
the server refuses for now (4xx) is tried again with backoff and marked failed after
NOTIFICATION_MAX_ATTEMPTS, one it refuses for good (5xx) is marked failed at once, and no
message reaches the server twice, however many passes run.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections import Counter
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.db import transaction
from django.utils import timezone

from core.env import email_from_url
from notifications import tasks
from notifications.delivery import deliver_due
from notifications.models import Notification, Status
from notifications.services import queue

from .support import celery_app, closed_port, make_users, outgoing_for

SMTP_USER, SMTP_PASSWORD = "elaas-mailer", "p@ss:w/rd"  # noqa: S105 - the test server's


class Mailbox:
    """An SMTP server's behaviour: what it accepts, what it refuses, and every message it took.

    Recipients whose address starts with `busy-` are refused for now (451 at RCPT), `later-`
    after the data (451 at the end of DATA), `nobody-` for good (550 at RCPT)."""

    def __init__(self):
        self.accepted: list = []  # parsed messages, one per DATA the server answered 250
        self.tries: Counter = Counter()  # RCPT commands per address

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.tries[address] += 1
        if address.startswith("nobody-"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("busy-"):
            return "451 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.startswith("later-") for a in envelope.rcpt_tos):
            return "451 4.3.0 Temporary local problem, try again later"
        self.accepted.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.accepted)


@pytest.fixture
def smtp_server():
    """A plain SMTP server on a free port of 127.0.0.1: (mailbox, port)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=closed_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_from_url(settings):
    """Applies EMAIL_URL's settings as elaas_portal/settings/base.py does."""

    def apply(url: str):
        for name, value in email_from_url("EMAIL_URL", url).items():
            setattr(settings, name, value)
        settings.EMAIL_TIMEOUT = 5

    return apply


def queued(prefix: str, n: int = 1) -> list[Notification]:
    with transaction.atomic():
        queue(outgoing_for(make_users(n, prefix)), nudge_workers=False)
    return list(
        Notification.objects.filter(recipient__email__startswith=f"{prefix}-").order_by("id")
    )


def time_passes():
    """Every waiting row's next attempt is now (the backoff has run out)."""
    Notification.objects.filter(status=Status.PENDING).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_the_outbox_delivers_through_smtp_once_each(db, smtp_server, mail_from_url):
    mailbox, port = smtp_server
    mail_from_url(f"smtp://127.0.0.1:{port}")
    rows = queued("staff", 3)

    with celery_app(eager=True):
        tasks.deliver_notifications.apply()
        tasks.deliver_notifications.apply()  # a second nudge finds nothing to send

    assert sorted(m["To"] for m in mailbox.accepted) == sorted(r.recipient.email for r in rows)
    assert set(mailbox.message_ids().values()) == {1}
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    first = next(m for m in mailbox.accepted if m["To"] == rows[0].recipient.email)
    assert first["X-ELAAS-Notification"] == str(rows[0].pk)
    assert first.is_multipart()  # the text and the HTML part


def test_a_recipient_refused_for_now_is_retried_then_marked_failed(
    db, smtp_server, mail_from_url, settings
):
    mailbox, port = smtp_server
    mail_from_url(f"smtp://127.0.0.1:{port}")
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    (busy,) = queued("busy")
    (later,) = queued("later")
    good = queued("staff", 2)

    outcomes = [deliver_due()]
    for _ in range(4):  # the backoff runs out each time; the last pass finds nothing
        time_passes()
        outcomes.append(deliver_due())

    assert outcomes[0] == Counter({"sent": 2, "retry": 2})
    assert outcomes[1] == outcomes[2] - Counter({"failed": 2}) + Counter({"retry": 2})
    assert outcomes[2] == Counter({"failed": 2})
    assert outcomes[3] == outcomes[4] == Counter()
    for row in (busy, later):
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.FAILED, 3)
        assert "451" in row.last_error
    assert mailbox.tries[busy.recipient.email] == 3
    assert mailbox.tries[later.recipient.email] == 3
    assert sorted(m["To"] for m in mailbox.accepted) == sorted(r.recipient.email for r in good)
    assert set(mailbox.message_ids().values()) == {1}


def test_a_recipient_refused_for_good_fails_at_once_and_the_rest_goes_out(
    db, smtp_server, mail_from_url
):
    mailbox, port = smtp_server
    mail_from_url(f"smtp://127.0.0.1:{port}")
    (nobody,) = queued("nobody")
    good = queued("staff", 2)

    assert deliver_due() == Counter({"sent": 2, "failed": 1})
    time_passes()
    assert deliver_due() == Counter()

    nobody.refresh_from_db()
    assert (nobody.status, nobody.attempts) == (Status.FAILED, 1)
    assert "550" in nobody.last_error
    assert mailbox.tries[nobody.recipient.email] == 1
    assert sorted(m["To"] for m in mailbox.accepted) == sorted(r.recipient.email for r in good)


def test_a_mail_server_that_does_not_answer_leaves_the_rows_waiting(db, mail_from_url):
    mail_from_url(f"smtp://127.0.0.1:{closed_port()}")
    (row,) = queued("staff")

    assert deliver_due() == Counter({"retry": 1})

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error


# --- STARTTLS and a password, as EMAIL_URL=smtp+tls://user:password@host:587 gives them --------


def self_signed_certificate(tmp_path):
    """A certificate for 127.0.0.1 and its key, written to tmp_path: (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """An SMTP server that asks for STARTTLS and then a password: (mailbox, port, logins), where
    `logins` records (accepted, over TLS) for each AUTH command."""
    cert, key = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        logins.append((ok, session.ssl is not None))
        return AuthResult(success=ok)

    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=closed_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    # The client trusts the test's certificate as a system would trust the mail server's CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    try:
        yield mailbox, controller.port, logins
    finally:
        controller.stop()


def test_starttls_with_a_password_from_email_url(db, tls_server, mail_from_url):
    mailbox, port, logins = tls_server
    # The password "p@ss:w/rd" percent-encoded, as an operator writes it into the URL.
    mail_from_url(f"smtp+tls://{SMTP_USER}:p%40ss%3Aw%2Frd@127.0.0.1:{port}")
    rows = queued("staff", 2)

    assert deliver_due() == Counter({"sent": 2})

    assert logins == [(True, True)]  # one login, over TLS, for the whole batch
    assert sorted(m["To"] for m in mailbox.accepted) == sorted(r.recipient.email for r in rows)


def test_a_refused_smtp_login_keeps_the_message_waiting(db, tls_server, mail_from_url, settings):
    mailbox, port, logins = tls_server
    mail_from_url(f"smtp+tls://{SMTP_USER}:wrong@127.0.0.1:{port}")
    # After a 535 for PLAIN, smtplib tries LOGIN, which aiosmtpd leaves unanswered: the error seen
    # is then the timeout's.
    settings.EMAIL_TIMEOUT = 2
    (row,) = queued("staff")

    assert deliver_due() == Counter({"retry": 1})

    # A refused login is the portal's configuration, not the recipient's fault: nothing sent,
    # nothing given up; the row waits (the delivery log says why) until the password is fixed.
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.PENDING, 1, None)
    assert row.last_error
    assert mailbox.accepted == []
    assert logins and not any(ok for ok, _ in logins)
