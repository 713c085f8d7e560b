"""Password reset rules: a link works once, for a while, only its hash is stored, a new one ends the
old, and the new password ends every signed-in session."""

from datetime import timedelta

import pytest
from sqlmodel import select

from agent import password_reset, store
from agent.accounts import AccountError, hash_token, new_session_token, verify_password
from agent.models import AuthSession, PasswordReset
from agent.services.email import LocalOutbox

NEW = "a brand new passphrase 9"


def test_a_link_works_once_and_signs_out_everywhere(db, founder):
    user, _, _ = founder
    _, session_hash = new_session_token()
    with db.session() as s:
        store.create_auth_session(s, user_id=user.id, token_hash=session_hash, lifetime=timedelta(days=1))
        assert password_reset.create(s, email="nobody@example.com", lifetime=timedelta(minutes=30)) is None
        token = password_reset.create(s, email=user.email, lifetime=timedelta(minutes=30))
        assert s.exec(select(PasswordReset).where(PasswordReset.token_hash == token)).first() is None  # a hash only
        with pytest.raises(AccountError, match="Use at least 10"):
            password_reset.redeem(s, token=token, new_password="short")  # the link stays usable after this
        password_reset.redeem(s, token=token, new_password=NEW)
        assert verify_password(s.get(type(user), user.id).password_hash, NEW)
        assert s.exec(select(AuthSession).where(AuthSession.user_id == user.id)).first() is None
        with pytest.raises(AccountError, match="expired or was already used"):
            password_reset.redeem(s, token=token, new_password=NEW + "x")


def test_an_old_link_and_an_expired_link_do_not_work(db, founder):
    user, _, _ = founder
    with db.session() as s:
        first = password_reset.create(s, email=user.email, lifetime=timedelta(minutes=30))
        second = password_reset.create(s, email=user.email, lifetime=timedelta(minutes=30))
        with pytest.raises(AccountError):
            password_reset.redeem(s, token=first, new_password=NEW)  # asking again ends the older link
        stale = password_reset.create(s, email=user.email, lifetime=timedelta(seconds=-1))
        with pytest.raises(AccountError):
            password_reset.redeem(s, token=stale, new_password=NEW)
        with pytest.raises(AccountError):
            password_reset.redeem(s, token="made-up", new_password=NEW)
        assert second and hash_token(second)


async def test_the_job_sends_a_link_only_to_an_account(db, founder, tmp_path):
    user, _, _ = founder
    outbox = LocalOutbox(tmp_path / "outbox", "no-reply@localhost")
    for email in (user.email, "nobody@example.com"):
        await password_reset.send(db=db, email_sender=outbox, email=email, app_url="http://localhost:3000",
                                  lifetime=timedelta(minutes=30))
    [message] = outbox.messages()
    assert "http://localhost:3000/reset-password?token=" in message.read_text() and "30 minutes" in message.read_text()
