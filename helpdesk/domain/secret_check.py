"""Comparing a secret someone presents with the one we hold (no I/O).

`hmac.compare_digest` refuses a str that is not ASCII (TypeError): a stranger who put one accented
character in a key, a token or a signature got a 500. Here both sides are compared as UTF-8
bytes, in constant time; a value that is empty, not text, or longer than any secret we issue is
simply wrong.
"""

from __future__ import annotations

import hmac

LONGEST_SECRET = 1024  # characters; our keys, tokens and signatures are far shorter


def as_bytes(value: str) -> bytes:
    # surrogatepass: a lone surrogate (from a badly encoded URL or header) is just wrong bytes
    return value.encode("utf-8", "surrogatepass")


def same_secret(presented: object, expected: str | None) -> bool:
    if not isinstance(presented, str) or not expected or not presented:
        return False
    if len(presented) > LONGEST_SECRET:
        return False
    return hmac.compare_digest(as_bytes(presented), as_bytes(expected))
