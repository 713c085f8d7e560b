"""Email adapters: the local outbox writes readable messages (0600: a reset link is a credential), and
the SMTP adapter delivers to a real SMTP server (aiosmtpd on loopback) with a login."""

import stat
from email import message_from_bytes, policy

import pytest

from agent.services.email import Letter, LocalOutbox, SMTPEmail
from tests.support.servers import free_port

LETTER = Letter(to="founder@example.com", subject="Choose a new password", body="Here: https://x/reset?token=abc\n")


async def test_the_outbox_keeps_each_message_as_a_file(tmp_path):
    outbox = LocalOutbox(tmp_path / "outbox", "AI Co-Founder <no-reply@localhost>")
    await outbox.send(LETTER)
    await outbox.send(Letter(to="b@example.com", subject="Second", body="two"))
    first, second = outbox.messages()
    message = message_from_bytes(first.read_bytes(), policy=policy.default)
    assert message["To"] == "founder@example.com" and message["Subject"] == "Choose a new password"
    assert "token=abc" in message.get_content() and message_from_bytes(second.read_bytes())["Subject"] == "Second"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    received = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"mailer" and auth_data.password == b"s3cret-pass")

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    yield controller, received
    controller.stop()


async def test_smtp_delivers_with_a_login(smtp_server):
    controller, received = smtp_server
    sender = SMTPEmail(host="127.0.0.1", port=controller.port, sender="no-reply@cofounder.test", username="mailer",
                       password="s3cret-pass", starttls=False)
    await sender.send(LETTER)
    [envelope] = received
    assert envelope.rcpt_tos == ["founder@example.com"] and b"token=abc" in envelope.content
    wrong = SMTPEmail(host="127.0.0.1", port=controller.port, sender="x@y.z", username="mailer", password="guess",
                      starttls=False)
    with pytest.raises(Exception):
        await wrong.send(LETTER)
