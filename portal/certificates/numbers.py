"""Certificate numbers: random, so that nobody can walk through them in sequence.

Twelve characters of Crockford's base 32 (no I, L, O or U, which are misread on paper): 60
random bits, shown in three groups of four, e.g. 7K3M-Q9XD-2HWP.
"""
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
# What a reader may type for a character that is not in the alphabet.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-]+")


def new_number():
    digits = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(digits[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalized(text):
    """The stored form of a typed or scanned number, or None when it cannot be one."""
    digits = _SEPARATORS.sub("", str(text or "")).upper().translate(_READ_AS)
    if len(digits) != LENGTH or any(character not in ALPHABET for character in digits):
        return None
    return "-".join(digits[i:i + GROUP] for i in range(0, LENGTH, GROUP))
