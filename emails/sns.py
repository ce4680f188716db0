"""Amazon SNS messages: who may send them, how fresh they must be, and their signatures
(SignatureVersion 1 = SHA1, 2 = SHA256, RSA PKCS#1 v1.5).

A valid signature only proves the message came from *some* SNS topic, and anyone with an AWS
account can own one; so the ``TopicArn`` must also be on ``SNS_ALLOWED_TOPIC_ARNS`` and the
``Timestamp`` recent (a captured message cannot be replayed later). The certificate is fetched only
from a ``SigningCertURL`` that parses to an allowed SNS host (``SNS_SIGNING_CERT_URL_PATTERN``), so a
forger cannot point us at a certificate of their own.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import re
import threading
import urllib.parse
import urllib.request
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

from autolab import clock

logger = logging.getLogger(__name__)

_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
_MAX_CERT_BYTES = 64 * 1024
_cache: dict[str, x509.Certificate] = {}
_cache_lock = threading.Lock()
# SNS signs with the time it sent the message; allow for clocks a little apart.
FUTURE_SKEW = dt.timedelta(minutes=5)


class SnsSignatureError(Exception):
    """The message is not provably from SNS."""


class SnsSourceError(Exception):
    """The message may be from SNS, but not from a topic we subscribed to, or not recently."""


def check_source(message: dict[str, Any]) -> None:
    """Raise ``SnsSourceError`` unless the message is from an allowed topic and recent."""
    allowed = list(settings.SNS_ALLOWED_TOPIC_ARNS)
    if not allowed:
        logger.error("SNS_ALLOWED_TOPIC_ARNS is empty: every SNS message is refused until it lists our topics")
        raise SnsSourceError("No SNS topic is allowed (SNS_ALLOWED_TOPIC_ARNS is empty)")
    topic = message.get("TopicArn")
    if not isinstance(topic, str) or topic not in allowed:
        logger.warning("Refused an SNS message from topic %r, which is not on SNS_ALLOWED_TOPIC_ARNS", topic)
        raise SnsSourceError("SNS topic is not allowed")
    sent = _timestamp(message.get("Timestamp"))
    now = clock.now()
    if sent < now - dt.timedelta(seconds=settings.SNS_MAX_MESSAGE_AGE_SECONDS):
        raise SnsSourceError("SNS message is too old")
    if sent > now + FUTURE_SKEW:
        raise SnsSourceError("SNS message is dated in the future")


def _timestamp(value: Any) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise SnsSourceError("SNS message has no valid Timestamp") from error
    if moment.tzinfo is None:
        raise SnsSourceError("SNS message Timestamp has no time zone")
    return moment


def string_to_sign(message: dict[str, Any]) -> bytes:
    """The canonical ``Name\\nValue\\n`` text SNS signs, in its fixed field order."""
    kind = message.get("Type")
    fields = _NOTIFICATION_FIELDS if kind == "Notification" else _SUBSCRIPTION_FIELDS
    lines = []
    for name in fields:
        if name in message and message[name] is not None:
            lines.append(f"{name}\n{message[name]}\n")
    return "".join(lines).encode()


def url_allowed(url: str, pattern: str) -> bool:
    """``url`` matches ``pattern`` *as it will be fetched*: parsed, rebuilt and compared.

    The regex alone is not enough: user-info (``host@elsewhere``), backslashes, fragments or an
    odd port can make a URL that reads like an SNS host connect somewhere else.
    """
    if not isinstance(url, str) or not url.isascii() or "\\" in url:
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return False
    if parts.fragment or "@" in parts.netloc:
        return False
    netloc = parts.hostname + (f":{port}" if port is not None else "")
    rebuilt = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return rebuilt == url and bool(re.fullmatch(pattern, rebuilt))


def certificate_url_allowed(url: str) -> bool:
    """A ``SigningCertURL`` on an allowed SNS host whose path names a ``.pem`` file, no query."""
    if not url_allowed(url, settings.SNS_SIGNING_CERT_URL_PATTERN):
        return False
    parts = urllib.parse.urlsplit(url)
    return parts.path.endswith(".pem") and not parts.query


def _certificate(url: str) -> x509.Certificate:
    with _cache_lock:
        cached = _cache.get(url)
    if cached is not None:
        return cached
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL checked against the pattern
            pem = response.read(_MAX_CERT_BYTES + 1)
    except OSError as error:
        raise SnsSignatureError(f"Could not fetch the signing certificate: {error}") from error
    if len(pem) > _MAX_CERT_BYTES:
        raise SnsSignatureError("Signing certificate too large")
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError as error:
        raise SnsSignatureError("Signing certificate is not a PEM certificate") from error
    with _cache_lock:
        if len(_cache) > 32:
            _cache.clear()
        _cache[url] = certificate
    return certificate


def verify(message: dict[str, Any]) -> None:
    """Raise ``SnsSignatureError`` unless ``message`` carries a valid SNS signature."""
    version = str(message.get("SignatureVersion") or "")
    if version not in _HASHES:
        raise SnsSignatureError(f"Unsupported SignatureVersion {version!r}")
    url = message.get("SigningCertURL") or message.get("SigningCertUrl") or ""
    if not certificate_url_allowed(url):
        raise SnsSignatureError("SigningCertURL is not an allowed SNS certificate location")
    try:
        signature = base64.b64decode(str(message.get("Signature") or ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnsSignatureError("Signature is not base64") from error
    public_key = _certificate(url).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsSignatureError("Signing certificate does not hold an RSA key")
    try:
        public_key.verify(signature, string_to_sign(message), padding.PKCS1v15(), _HASHES[version]())
    except InvalidSignature as error:
        raise SnsSignatureError("Signature does not match") from error


def confirm_subscription(message: dict[str, Any]) -> None:
    """Visit ``SubscribeURL`` (only an allowed one) so SNS starts delivering to us."""
    url = message.get("SubscribeURL") or ""
    if not url_allowed(url, settings.SNS_SUBSCRIBE_URL_PATTERN):
        raise SnsSignatureError("SubscribeURL is not an allowed SNS location")
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL checked against the pattern
        response.read(_MAX_CERT_BYTES)
    logger.info("Confirmed SNS subscription to %s", message.get("TopicArn"))


def clear_certificate_cache() -> None:
    with _cache_lock:
        _cache.clear()
