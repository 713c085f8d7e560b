"""Email: one protocol, a local outbox (the default: each message a `.eml` file under
`$DATA_DIR/outbox`, newest last, for whoever runs the server to read or forward) and SMTP (when
SMTP_HOST is set: STARTTLS unless SMTP_STARTTLS=false, a login when SMTP_USERNAME is set)."""

from __future__ import annotations

import asyncio
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    body: str  # plain text


class Email(Protocol):
    label: str

    async def send(self, letter: Letter) -> None: ...


def _message(letter: Letter, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, letter.to, letter.subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="cofounder.local")
    message.set_content(letter.body)
    return message


class LocalOutbox:
    """Messages written as files: nothing leaves the machine."""

    label = "outbox"

    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = Path(folder), sender

    async def send(self, letter: Letter) -> None:
        def _write() -> None:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            name = f"{time.time_ns()}-{letter.to.replace('@', '-at-')[:80]}.eml"
            path = self.folder / name
            path.write_bytes(bytes(_message(letter, self.sender)))
            path.chmod(0o600)  # a reset link is a credential

        await asyncio.to_thread(_write)

    def messages(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml")) if self.folder.is_dir() else []


class SMTPEmail:
    label = "smtp"

    def __init__(self, *, host: str, port: int, sender: str, username: str = "", password: str = "",
                 starttls: bool = True, timeout: float = 20.0):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    async def send(self, letter: Letter) -> None:
        def _send() -> None:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(_message(letter, self.sender))

        await asyncio.to_thread(_send)
