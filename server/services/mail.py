"""Sending confirmation mails: over SMTP when configured, otherwise into the log."""

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote

from pydantic import AnyUrl

logger = logging.getLogger(__name__)


class Mailer(Protocol):
    async def send_confirmation(self, address: str, link: str) -> None:
        """Send ``address`` the link that confirms it."""


def confirmation_message(sender: str, address: str, link: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = "Confirm your email address for hubindex"
    message.set_content(
        "Someone registered this address with a hubindex Docker index.\n"
        f"Open this link to confirm it and activate the account:\n\n{link}\n\n"
        "If that was not you, ignore this mail.\n"
    )
    return message


class LogMailer:
    """No SMTP server configured: the operator reads the link from the log."""

    async def send_confirmation(self, address: str, link: str) -> None:
        logger.warning("confirmation link for %s (no SMTP configured): %s", address, link)


class SmtpMailer:
    """``smtp://`` (plain), ``smtp+starttls://`` or ``smtps://`` with optional user:password."""

    def __init__(self, url: AnyUrl, sender: str, timeout: float = 30) -> None:
        self._url = url
        self._sender = sender
        self._timeout = timeout

    async def send_confirmation(self, address: str, link: str) -> None:
        message = confirmation_message(self._sender, address, link)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        url = self._url
        host = url.host or "localhost"
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, url.port or 465, timeout=self._timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, url.port or 25, timeout=self._timeout)
        with client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
