"""Branch attribution codes: which org unit's link or lobby QR code a player arrived through.

A code is ``<unit code>-<signature>``; the signature is an HMAC of the campaign and the unit under
the app's secret key, so that nobody can credit a play to a branch by typing its code. Pure Python.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_LENGTH = 12  # base32 characters: 60 bits


def sign(secret: str | bytes, campaign_slug: str, unit_code: str) -> str:
    """The attribution code for one unit in one campaign."""
    return f"{unit_code}-{_signature(secret, campaign_slug, unit_code)}"


def verify(secret: str | bytes, campaign_slug: str, code: str) -> str | None:
    """The unit code inside ``code`` when its signature is right for this campaign, else None."""
    unit_code, sep, signature = (code or "").rpartition("-")
    if not sep or not unit_code or len(signature) != SIGNATURE_LENGTH or len(code) > 80:
        return None
    expected = _signature(secret, campaign_slug, unit_code)
    return unit_code if hmac.compare_digest(expected, signature.lower()) else None


def _signature(secret: str | bytes, campaign_slug: str, unit_code: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"branch-credit\0{campaign_slug}\0{unit_code}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:SIGNATURE_LENGTH]
