"""Signed, expiring tokens for links sent by email (confirmation, reset, invitation)."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def _serializer(purpose):
    # The purpose is the salt: a token made for one purpose is refused for every other.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal-{purpose}")


def make_token(purpose, payload):
    return _serializer(purpose).dumps(payload)


def read_token(purpose, token, max_age_seconds):
    """The payload (a dict) of a valid, unexpired token for `purpose`, else None."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age_seconds)
    except BadSignature:  # also covers SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None
