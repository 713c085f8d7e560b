"""Account rules: what a valid email and a strong-enough password are, hashing, session tokens.

Passwords are hashed with Argon2id (argon2-cffi). A session token is 32 random bytes shown once to
the browser (in an HttpOnly cookie); the database keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
WRONG_CREDENTIALS = "That email and password don't match an account. Check them and try again."

_hasher = PasswordHasher()

# The most common passwords that still pass the length rule; refusing them costs nothing.
_COMMON = {
    "password12", "password123", "1234567890", "qwertyuiop", "iloveyou12", "123456789a",
    "abcdefghij", "passw0rd12", "letmein123", "welcome123", "0123456789", "qwerty1234",
}


class AccountError(ValueError):
    """Input the founder must correct; the message is written for them."""


def normalise_email(raw: str) -> str:
    text = (raw or "").strip()
    if not text:
        raise AccountError("Enter your email address.")
    if len(text) > 254:
        raise AccountError("That email address is too long.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise AccountError("That doesn't look like an email address, for example name@company.com.") from None
    return result.normalized.lower()


def check_password_strength(password: str, *, email: str = "") -> None:
    if not password:
        raise AccountError("Choose a password.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters for your password.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"Use at most {MAX_PASSWORD_LENGTH} characters for your password.")
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        raise AccountError("That password is too easy to guess. Try a short phrase of a few words.")
    local_part = email.split("@", 1)[0].lower()
    if local_part and len(local_part) >= 4 and local_part in lowered:
        raise AccountError("Your password shouldn't contain your email address.")
    if password.isdigit() or password.isalpha() and len(password) < 16:
        raise AccountError("Mix letters with numbers or symbols, or use a longer phrase of 16+ characters.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def verify_or_waste_time(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(password_hash, password)


def new_session_token() -> tuple[str, str]:
    """A fresh (token, token_hash) pair."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
