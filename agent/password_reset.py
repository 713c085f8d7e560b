"""Resetting a forgotten password: a link by email that works once, for PASSWORD_RESET_MINUTES.

The web app only enqueues the request (by email, so no secret ever sits in the queue) and always
answers the same, whether an account exists or not; the worker's job makes the link and sends it.
Choosing the new password ends the link, every older link, and every signed-in session.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from agent import store
from agent.accounts import AccountError, check_password_strength, hash_password, new_session_token
from agent.models import AuthSession, PasswordReset, User, utcnow
from agent.services.email import Email, Letter

JOB = "password_reset_email"
EXPIRED = "That link has expired or was already used. Ask for a new one below."


async def request(pool, email: str) -> None:
    """The web app's part: queue the job (one per address a minute, however often it is asked)."""
    minute = int(time.time() // 60)
    await pool.enqueue_job(JOB, email, _job_id=f"{JOB}-{hashlib.sha256(email.encode()).hexdigest()[:16]}-{minute}")


def create(session: Session, *, email: str, lifetime: timedelta) -> str | None:
    """A new reset token for the account with this email (older ones end), or None for no account."""
    user = store.find_user_by_email(session, email=email)
    if user is None:
        return None
    now = utcnow()
    for older in session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                          col(PasswordReset.used_at).is_(None))):
        older.used_at = now
    token, token_hash = new_session_token()
    session.add(PasswordReset(user_id=user.id, token_hash=token_hash, expires_at=now + lifetime))
    session.commit()
    return token


def redeem(session: Session, *, token: str, new_password: str) -> User:
    """Sets the new password for a live token; AccountError (plain words) otherwise. The token, and
    every session of the account, end."""
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == _hash(token))).first()
    now = utcnow()
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now:
        raise AccountError(EXPIRED)
    user = session.get(User, row.user_id)
    check_password_strength(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    row.used_at = now
    for signed_in in session.exec(select(AuthSession).where(AuthSession.user_id == user.id)):
        session.delete(signed_in)  # whoever knew the old password is signed out everywhere
    session.commit()
    return user


def _hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives them back without one


def letter(email: str, link: str, minutes: int) -> Letter:
    return Letter(to=email, subject="Choose a new password for AI Co-Founder", body=(
        "Someone (we hope you) asked to reset the password of your AI Co-Founder account.\n\n"
        f"Choose a new password here (the link works once, for {minutes} minutes):\n\n{link}\n\n"
        "If it wasn't you, ignore this email: your password stays as it is.\n"))


async def send(*, db, email_sender: Email, email: str, app_url: str, lifetime: timedelta) -> bool:
    """The worker's job: a link for the account with this email, if there is one. Whether it was sent."""
    token = await db.run(lambda s: create(s, email=email, lifetime=lifetime))
    if token is None:
        return False
    link = f"{app_url.rstrip('/')}/reset-password?token={token}"
    await email_sender.send(letter(email, link, int(lifetime.total_seconds() // 60)))
    await db.run(lambda s: store.audit(s, action="password_reset_sent", email=email))
    return True
