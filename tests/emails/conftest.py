"""Email test fixtures: the file mail backend, a tiny flaky SMTP server, and an SNS signer with
its own key and self-signed certificate served over loopback HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import email
import http.server
import json
import re
import socketserver
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.test import override_settings

from emails import sns
from tests.local_servers import serve_in_background

# SES events happen "yesterday" (UTC, 01:00-03:00, so the same Perth day), whatever day the suite runs;
# SNS envelopes carry the moment they are signed.
EVENT_DAY = dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(days=1)


def event_time(hour: int, minute: int = 0, second: int = 0) -> str:
    """An ISO-8601 UTC timestamp on EVENT_DAY, as SES writes them."""
    return f"{EVENT_DAY.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}.000Z"


def event_moment(hour: int) -> dt.datetime:
    return dt.datetime.combine(EVENT_DAY, dt.time(hour), tzinfo=dt.UTC)


def _sns_now() -> str:
    return dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# --- The file backend ---------------------------------------------------------------------------


@dataclass
class FileMailbox:
    directory: Path

    def messages(self) -> list[Message]:
        """Every message the file backend wrote, in write order."""
        found = []
        for path in sorted(self.directory.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.strip(b"\n")))
        return found


def part(message: Message, content_type: str) -> str:
    """The decoded body part of ``content_type`` (text/plain or text/html)."""
    for piece in message.walk():
        if piece.get_content_type() == content_type and not piece.get_filename():
            return piece.get_payload(decode=True).decode(piece.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part")


def attachments(message: Message) -> list[tuple[str, bytes]]:
    return [(p.get_filename(), p.get_payload(decode=True)) for p in message.walk() if p.get_filename()]


@pytest.fixture
def file_mailbox(tmp_path: Path) -> Iterator[FileMailbox]:
    directory = tmp_path / "mail"
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(directory)
    ):
        yield FileMailbox(directory)


# --- A minimal SMTP server that refuses the first connections -----------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: FlakySmtpServer = self.server  # type: ignore[assignment]
        with server.lock:
            server.connections += 1
            refuse = server.connections <= server.refuse_first
        if refuse:
            self.wfile.write(b"421 4.3.2 Service not available, try again later\r\n")
            return
        self.wfile.write(b"220 flaky.test ESMTP\r\n")
        in_data, lines = False, []
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    with server.lock:
                        server.messages.append(b"".join(lines))
                    in_data, lines = False, []
                    self.wfile.write(b"250 2.0.0 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 2.0.0 bye\r\n")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 OK\r\n")


class FlakySmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, refuse_first: int) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.refuse_first = refuse_first
        self.connections = 0
        self.messages: list[bytes] = []
        self.lock = threading.Lock()


@pytest.fixture
def flaky_smtp() -> Iterator[Callable[[int], FlakySmtpServer]]:
    servers: list[FlakySmtpServer] = []
    overrides: list[Any] = []

    def start(refuse_first: int) -> FlakySmtpServer:
        server = FlakySmtpServer(refuse_first)
        serve_in_background(server)
        servers.append(server)
        override = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.server_address[1],
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
        )
        override.enable()
        overrides.append(override)
        return server

    yield start
    for override in overrides:
        override.disable()
    for server in servers:
        server.shutdown()
        server.server_close()


# --- SNS: our own signing key, a self-signed certificate on a loopback HTTP server ---------------


def _self_signed(key: rsa.RSAPrivateKey, name: str) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(tz=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class SnsFixture:
    base_url: str
    key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey
    hits: list[str] = field(default_factory=list)

    @property
    def cert_url(self) -> str:
        return f"{self.base_url}/certs/SimpleNotificationService-test.pem"

    @property
    def forged_cert_url(self) -> str:
        """Same host, a certificate for a key SNS never used (still matches the pattern)."""
        return f"{self.base_url}/certs/forged.pem"

    def sign(
        self, message: dict[str, Any], *, version: str = "1", key: rsa.RSAPrivateKey | None = None
    ) -> dict[str, Any]:
        signed = {
            **message,
            "SignatureVersion": version,
            "SigningCertURL": message.get("SigningCertURL", self.cert_url),
        }
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 - SNS v1 is SHA1
        signature = (key or self.key).sign(sns.string_to_sign(signed), padding.PKCS1v15(), algorithm)
        signed["Signature"] = base64.b64encode(signature).decode()
        return signed

    def notification(
        self, payload: dict[str, Any], *, version: str = "1", message_id: str | None = None
    ) -> dict[str, Any]:
        message = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": "arn:aws:sns:ap-southeast-2:123456789012:ses-notifications-test",
            "Message": json.dumps(payload),
            "Timestamp": _sns_now(),
        }
        return self.sign(message, version=version)

    def subscription(self, subscribe_url: str) -> dict[str, Any]:
        message = {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": "token-123",
            "TopicArn": "arn:aws:sns:ap-southeast-2:123456789012:ses-notifications-test",
            "Message": "You have chosen to subscribe to the topic.",
            "SubscribeURL": subscribe_url,
            "Timestamp": _sns_now(),
        }
        return self.sign(message)


@pytest.fixture(scope="session")
def _sns_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture
def sns_server(_sns_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> Iterator[SnsFixture]:
    key, other_key = _sns_keys
    documents = {
        "/certs/SimpleNotificationService-test.pem": _self_signed(key, "sns.test"),
        "/certs/forged.pem": _self_signed(other_key, "forged.test"),
    }
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = documents.get(self.path.split("?")[0], b"<ConfirmSubscriptionResponse/>")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve_in_background(server)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    host = re.escape(base)
    sns.clear_certificate_cache()
    with override_settings(
        SNS_SIGNING_CERT_URL_PATTERN=rf"^{host}/certs/[A-Za-z0-9_-]+\.pem$",
        SNS_SUBSCRIBE_URL_PATTERN=rf"^{host}/confirm\?Action=ConfirmSubscription&[^\s]+$",
    ):
        yield SnsFixture(base_url=base, key=key, other_key=other_key, hits=hits)
    sns.clear_certificate_cache()
    server.shutdown()
    server.server_close()


def bounce(address: str, bounce_type: str = "Permanent", subtype: str = "General") -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": subtype,
            "bouncedRecipients": [{"emailAddress": address}],
            "timestamp": event_time(1),
            "feedbackId": "0100-bounce",
        },
        "mail": {
            "messageId": "ses-1",
            "source": "mail@autolabsolutions.com",
            "destination": [address],
            "timestamp": event_time(0, 59, 59),
        },
    }


def complaint(address: str, feedback: str = "abuse") -> dict[str, Any]:
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": feedback,
            "timestamp": event_time(2),
            "feedbackId": "0100-complaint",
            "userAgent": "Yahoo!-Mail-Feedback/2.0",
            "arrivalDate": event_time(1, 59),
        },
        "mail": {"messageId": "ses-2", "source": "mail@autolabsolutions.com", "destination": [address]},
    }


def delivery(address: str) -> dict[str, Any]:
    return {
        "notificationType": "Delivery",
        "delivery": {
            "recipients": [address],
            "timestamp": event_time(3),
            "processingTimeMillis": 512,
            "smtpResponse": "250 ok",
            "reportingMTA": "a8-1.smtp-out.amazonses.com",
            "remoteMtaIp": "203.0.113.7",
        },
        "mail": {"messageId": "ses-3", "source": "mail@autolabsolutions.com"},
    }
