"""Two-step login: TOTP codes from an authenticator app (RFC 6238, via pyotp) and one-time
recovery codes.

`User.totp_secret` holds the base32 secret once the user confirmed a first code.
`User.recovery_codes` holds {"codes": [salted SHA-256 of each unused recovery code],
"last_step": the TOTP time step last accepted}: the codes are shown once and never stored in
clear, and a TOTP code is accepted only once (ASVS 2.8.4), even within its 90-second window.
Recovery codes carry 50 random bits each, so a salted fast hash is enough (no password hash).
"""
import hashlib
import hmac
import secrets
import time
from datetime import datetime, timezone

import pyotp
from flask import session

from portal.audit import record
from portal.extensions import db

ISSUER = "Charity Contest Portal"
RECOVERY_CODE_COUNT = 10
# One step (30 s) either side of the server's clock: phones drift a little.
VALID_WINDOW = 1
PENDING = "two_factor_pending"
SETUP_SECRET = "two_factor_setup_secret"
PENDING_MAX_SECONDS = 5 * 60
PENDING_MAX_FAILURES = 5
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


def is_enabled(user):
    return bool(getattr(user, "totp_secret", None))


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret, issuer=None):
    """The otpauth:// URI an authenticator app reads (from the QR code, or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer or ISSUER)


def qr_code_svg(uri):
    """The URI as an SVG QR code in a data: URI, or None when segno is not installed."""
    try:
        import segno
    except ImportError:
        return None
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _digits(code):
    return "".join(ch for ch in (code or "") if not ch.isspace())


def _matching_step(secret, code, now):
    """The time step whose TOTP equals `code` within the window, else None."""
    code = _digits(code)
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    found = None
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        # Compare every candidate: the time taken does not depend on which one matched.
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            found = step + offset
    return found


def _state(user):
    state = user.recovery_codes if isinstance(user.recovery_codes, dict) else {}
    return {"codes": list(state.get("codes") or []), "last_step": state.get("last_step")}


def verify_totp(user, code, now=None):
    """True for a current code not used before; remembers its step (the caller commits)."""
    if not is_enabled(user):
        return False
    when = _as_datetime(now)
    step = _matching_step(user.totp_secret, code, when)
    state = _state(user)
    if step is None or (state["last_step"] is not None and step <= state["last_step"]):
        return False
    state["last_step"] = step
    user.recovery_codes = state
    return True


def _as_datetime(now):
    return now if now is not None else datetime.now(timezone.utc)


def _normalize_recovery(code):
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash_recovery(code, salt):
    return hashlib.sha256((salt + _normalize_recovery(code)).encode()).hexdigest()


def new_recovery_codes(user):
    """Replace the user's recovery codes; returns the new codes in clear (to show once)."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
             for _ in range(RECOVERY_CODE_COUNT)]
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]
    state = _state(user)
    hashed = []
    for code in codes:
        salt = secrets.token_hex(8)
        hashed.append(f"{salt}${_hash_recovery(code, salt)}")
    state["codes"] = hashed
    user.recovery_codes = state
    return codes


def replace_recovery_codes(user, proved_with):
    """The user, having proved it is them (`proved_with`: "totp" or "recovery"), replaces every
    recovery code; returns the new ones in clear. The audit event holds no code."""
    codes = new_recovery_codes(user)
    db.session.flush()
    record(user, "two_factor.recovery_codes_replaced", target=user, proved_with=proved_with,
           count=len(codes))
    return codes


def recovery_codes_left(user):
    return len(_state(user)["codes"])


def use_recovery_code(user, code):
    """True when `code` is one of the unused recovery codes, which is then used up."""
    if not is_enabled(user) or len(_normalize_recovery(code)) != 10:
        return False
    state = _state(user)
    match = None
    for entry in state["codes"]:
        salt, _sep, digest = entry.partition("$")
        if hmac.compare_digest(_hash_recovery(code, salt), digest):
            match = entry
    if match is None:
        return False
    state["codes"].remove(match)
    user.recovery_codes = state
    return True


def verify_code(user, code, now=None):
    """A TOTP code, or else a recovery code (used up). Returns "totp", "recovery" or None."""
    if verify_totp(user, code, now):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None


def enable(user, secret, code, now=None):
    """Turn two-step login on when `code` matches `secret`; returns the recovery codes in clear,
    or None for a wrong code."""
    step = _matching_step(secret, code, _as_datetime(now))
    if step is None:
        return None
    user.totp_secret = secret
    user.recovery_codes = {"codes": [], "last_step": step}
    codes = new_recovery_codes(user)
    db.session.flush()
    return codes


def disable(user):
    user.totp_secret = None
    user.recovery_codes = None
    db.session.flush()


# The login's second step: who typed a right password, when, and where to go next. It lives in
# the (signed) session cookie until the code is checked, then start_session() clears it.

def begin_pending_login(user, remember, next_url):
    session.pop(PENDING, None)
    session[PENDING] = {"user": user.id, "since": time.time(), "remember": bool(remember),
                        "next": next_url, "failures": 0}


def pending_login():
    """The pending login while it is younger than five minutes, else None (and forgotten)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("since", 0) > PENDING_MAX_SECONDS or \
            pending.get("failures", 0) >= PENDING_MAX_FAILURES:
        session.pop(PENDING, None)
        return None
    return pending


def count_failure():
    """One more wrong code; after five the password must be typed again."""
    pending = dict(session.get(PENDING) or {})
    pending["failures"] = pending.get("failures", 0) + 1
    session[PENDING] = pending
    if pending["failures"] >= PENDING_MAX_FAILURES:
        session.pop(PENDING, None)
        return False
    return True


def must_set_up(user, settings):
    """An organizer without two-step login while the site requires it for organizers."""
    return bool(getattr(user, "is_authenticated", False) and user.is_organizer
                and not is_enabled(user) and settings.organizers_require_two_factor)
