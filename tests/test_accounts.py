import pytest

from agent.accounts import (
    AccountError,
    check_password_strength,
    hash_password,
    hash_token,
    new_session_token,
    normalise_email,
    verify_or_waste_time,
    verify_password,
)


def test_emails_are_normalised():
    assert normalise_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"


@pytest.mark.parametrize("raw, message", [
    ("", "Enter your email"),
    ("   ", "Enter your email"),
    ("ada", "doesn't look like an email"),
    ("ada@", "doesn't look like an email"),
    ("a" * 250 + "@x.io", "too long"),
])
def test_malformed_emails_are_refused_clearly(raw, message):
    with pytest.raises(AccountError, match=message):
        normalise_email(raw)


@pytest.mark.parametrize("password, message", [
    ("", "Choose a password"),
    ("short1!", "at least 10 characters"),
    ("password123", "too easy to guess"),
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("12345678901234", "Mix letters"),
    ("onlyletters", "Mix letters"),
    ("ada-lovelace-2024", "shouldn't contain your email"),
])
def test_weak_passwords_are_refused_clearly(password, message):
    with pytest.raises(AccountError, match=message):
        check_password_strength(password, email="ada-lovelace@example.com")


def test_good_passwords_pass():
    check_password_strength("correct horse battery", email="ada@example.com")  # a long phrase
    check_password_strength("Tr0ub4dor&3x", email="ada@example.com")


def test_hashes_are_argon2_and_verify():
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong horse battery")
    assert not verify_password("not-a-hash", "x")
    assert not verify_or_waste_time(None, "anything")


def test_session_tokens_are_random_and_only_hashed():
    (t1, h1), (t2, _) = new_session_token(), new_session_token()
    assert t1 != t2 and len(t1) >= 40
    assert h1 == hash_token(t1) and len(h1) == 64 and t1 not in h1
