"""Email: the staff mailbox, threads, suppression check/list, analytics, the SES webhook and a send.

Data set: 600 emails in 150 threads over the current month (with their thread heads), 300 active
suppressions, 30 days of analytics events (20 a day, with their daily counters). A page of threads
is one Query of the month index plus one BatchGetItem of the thread heads; analytics for 30 days
one BatchGetItem of the daily counters.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import re
import threading
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.test import override_settings

from autolab import clock
from bench.harness import Measurement, measure, staff_client
from emails import services, sns, suppression
from emails.models import EmailAnalytics, EmailAnalyticsDaily, EmailMetadata, EmailSuppression, EmailThreadHead
from emails.selectors import month_of


def _seed() -> list[str]:
    now_ms = int(clock.now().timestamp() * 1000)
    threads = [str(uuid.uuid4()) for _ in range(150)]
    message_ids: list[str] = []
    with EmailMetadata.batch_write() as batch:
        for number in range(600):
            created = now_ms - number * 1000
            message_ids.append(str(uuid.uuid4()))
            batch.save(
                EmailMetadata(
                    message_id=message_ids[-1],
                    thread_id=threads[number % len(threads)],
                    from_email="mail@autolabsolutions.com",
                    to_emails={f"customer{number % 150}@example.com"},
                    subject=f"Order update {number}",
                    body_text="Hello " * 40,
                    email_type="order_updated",
                    status="sent",
                    is_read=True,
                    created_at=created,
                    mailbox_month=month_of(created),
                )
            )
    with EmailThreadHead.batch_write() as batch:
        for position, thread_id in enumerate(threads):
            numbers = range(position, 600, len(threads))  # the thread's messages, newest first
            batch.save(
                EmailThreadHead(
                    thread_id=thread_id,
                    subject=f"Order update {numbers[-1]}",
                    participants={"mail@autolabsolutions.com", f"customer{position}@example.com"},
                    message_count=len(numbers),
                    unread_count=0,
                    important_count=0,
                    last_message_id=message_ids[position],
                    last_created_at=now_ms - position * 1000,
                )
            )
    moment = clock.now()
    with EmailSuppression.batch_write() as batch:
        for number in range(300):
            batch.save(
                EmailSuppression(
                    email=f"gone{number}@example.com",
                    suppression_type="bounce",
                    created_at=(moment - dt.timedelta(minutes=number)).isoformat(timespec="seconds"),
                    status="active",
                    list_partition="active",
                    reason="Bounce: Permanent/General",
                    ttl=moment + dt.timedelta(days=365),
                )
            )
    with EmailAnalytics.batch_write() as batch, EmailAnalyticsDaily.batch_write() as counters:
        for day in range(30):
            when = moment - dt.timedelta(days=day)
            counters.save(
                EmailAnalyticsDaily(
                    date=clock.business_date_str(when), sent=5, delivered=5, bounced=5, complained=5, suppressed=0
                )
            )
            for number in range(20):
                batch.save(
                    EmailAnalytics(
                        email=f"customer{number}@example.com",
                        timestamp=f"{clock.to_local(when).isoformat()}#{day}-{number}",
                        event_type=("send", "delivery", "bounce", "complaint")[number % 4],
                        date_partition=clock.business_date_str(when),
                    )
                )
    return threads


class _CertServer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench.sns")])
        now = dt.datetime.now(tz=dt.UTC)
        pem = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM)
        )

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.end_headers()
                self.wfile.write(pem)

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def bounce(self, number: int) -> str:
        payload = {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": f"b{number}@example.com"}],
            },
            "mail": {"messageId": f"ses-{number}", "source": "mail@autolabsolutions.com"},
        }
        message = {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": "arn:aws:sns:ap-southeast-2:1:bench",
            "Message": json.dumps(payload),
            "Timestamp": "2026-11-25T01:00:00.000Z",
            "SignatureVersion": "2",
            "SigningCertURL": f"{self.base}/cert.pem",
        }
        signature = self.key.sign(sns.string_to_sign(message), padding.PKCS1v15(), hashes.SHA256())
        return json.dumps({**message, "Signature": base64.b64encode(signature).decode()})


def run() -> list[Measurement]:
    threads = _seed()
    client = staff_client("bench-support@autolab.test", ["CUSTOMER_SUPPORT"]).client
    certs = _CertServer()
    results = [
        measure("GET /api/emails?limit=50", lambda i: client.get("/api/emails", {"limit": 50})),
        measure(
            "GET /api/emails?view=threads&limit=20",
            lambda i: client.get("/api/emails", {"view": "threads", "limit": "20"}),
            repeat=10,
        ),
        measure("GET /api/emails/{threadId}", lambda i: client.get(f"/api/emails/{threads[i % len(threads)]}")),
        measure(
            "GET /api/email-suppression/check",
            lambda i: client.get("/api/email-suppression/check", {"email": f"gone{i}@example.com"}),
        ),
        measure(
            "GET /api/email-suppression/list?limit=50",
            lambda i: client.get("/api/email-suppression/list", {"limit": 50}),
        ),
        measure(
            "GET /api/email-suppression/analytics (30 days)",
            lambda i: client.get("/api/email-suppression/analytics"),
            repeat=10,
        ),
    ]
    pattern = rf"^{re.escape(certs.base)}/[a-z]+\.pem$"
    with override_settings(SNS_SIGNING_CERT_URL_PATTERN=pattern):
        sns.clear_certificate_cache()
        results.append(
            measure(
                "POST /api/webhooks/ses (bounce)",
                lambda i: client.post("/api/webhooks/ses", data=certs.bounce(i), content_type="text/plain"),
                notes="signature verified; certificate cached after the first",
            )
        )
    results.append(
        measure(
            "email_customer + send (worker)",
            lambda i: services.email_customer(
                email_type="order_created",
                to_email=f"new{i}@example.com",
                context={"orderId": f"O{i}"},
                dedupe_key=f"bench-{i}",
            ),
            notes="outbox put, suppression Query, claim, send (locmem), settle, analytics",
        )
    )
    results.append(
        measure(
            "POST /api/emails (staff message)",
            lambda i: client.post(
                "/api/emails", {"to": f"s{i}@example.com", "subject": "Hi", "text": "Hello"}, format="json"
            ),
        )
    )
    certs.server.shutdown()
    suppression.logger.info("bench done")
    return results
