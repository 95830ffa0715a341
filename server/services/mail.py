"""Sending mails (an address's confirmation, an invitation to an organization): over SMTP
when configured, otherwise into the log."""

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote

from pydantic import AnyUrl

logger = logging.getLogger(__name__)


class Mailer(Protocol):
    async def send_confirmation(self, address: str, link: str) -> None:
        """Send ``address`` the link that confirms it."""

    async def send_invitation(self, address: str, invitation: "Invitation") -> None:
        """Tell ``address`` it is invited to an organization, and how to accept."""


@dataclass(frozen=True, slots=True)
class Invitation:
    """What an invitation's mail says: who invites, to what, and where to accept."""

    organization: str
    inviter: str
    role: str
    team: str | None
    accept: str  # the operation's URL (or path, without HUBINDEX_PUBLIC_URL)
    expires_at: str


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


def invitation_message(sender: str, address: str, invitation: Invitation) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = f"You are invited to join {invitation.organization} on hubindex"
    team = f", in the team {invitation.team}" if invitation.team else ""
    message.set_content(
        f"{invitation.inviter} invites you to join the organization {invitation.organization}"
        f" as a {invitation.role}{team}.\n"
        "To accept, sign in to the index with the account this invitation names (or whose"
        " confirmed address this is) and send:\n\n"
        f"POST {invitation.accept}\n\n"
        f"The invitation expires at {invitation.expires_at}. If you do not want to join,"
        " ignore this mail.\n"
    )
    return message


class LogMailer:
    """No SMTP server configured: the operator reads the link from the log."""

    async def send_confirmation(self, address: str, link: str) -> None:
        logger.warning("confirmation link for %s (no SMTP configured): %s", address, link)

    async def send_invitation(self, address: str, invitation: Invitation) -> None:
        logger.warning(
            "invitation of %s to %s (no SMTP configured): %s",
            address,
            invitation.organization,
            invitation.accept,
        )


class SmtpMailer:
    """``smtp://`` (plain), ``smtp+starttls://`` or ``smtps://`` with optional user:password."""

    def __init__(self, url: AnyUrl, sender: str, timeout: float = 30) -> None:
        self._url = url
        self._sender = sender
        self._timeout = timeout

    async def send_confirmation(self, address: str, link: str) -> None:
        message = confirmation_message(self._sender, address, link)
        await asyncio.to_thread(self._send, message)

    async def send_invitation(self, address: str, invitation: Invitation) -> None:
        message = invitation_message(self._sender, address, invitation)
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
