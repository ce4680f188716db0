"""Amazon SNS message signatures (SignatureVersion 1 = SHA1, 2 = SHA256, RSA PKCS#1 v1.5).

The certificate is fetched only from a ``SigningCertURL`` matching ``SNS_SIGNING_CERT_URL_PATTERN``
(by default AWS's own SNS hosts), so a forger cannot point us at a certificate of their own.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import urllib.request
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

logger = logging.getLogger(__name__)

_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
_MAX_CERT_BYTES = 64 * 1024
_cache: dict[str, x509.Certificate] = {}
_cache_lock = threading.Lock()


class SnsSignatureError(Exception):
    """The message is not provably from SNS."""


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
    return isinstance(url, str) and bool(re.fullmatch(pattern, url))


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
    if not url_allowed(url, settings.SNS_SIGNING_CERT_URL_PATTERN):
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
