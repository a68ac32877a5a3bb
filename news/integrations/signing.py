"""The signature on a webhook delivery.

``X-Newsdesk-Signature: sha256=<hex>`` is HMAC-SHA256, keyed with the
subscription's secret, over ``<timestamp>.<body>``, where the timestamp is the
``X-Newsdesk-Timestamp`` header (Unix seconds). Signing the time with the body
lets a receiver refuse a delivery replayed later: docs/integrations.md shows the
check a receiver makes, which ``verify()`` is.
"""

import hashlib
import hmac
import time

TOLERANCE = 300  # seconds either side of the receiver's clock


def signature(secret, timestamp, body):
    """Return the X-Newsdesk-Signature value for ``body`` (bytes) sent at
    ``timestamp``."""
    message = str(int(timestamp)).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret, timestamp, body, signed, *, now=None, tolerance=TOLERANCE):
    """Return whether ``signed`` is the signature of ``body`` at ``timestamp``
    (the header's text) and that moment is within ``tolerance`` of ``now``."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - moment) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, moment, body), signed or "")
