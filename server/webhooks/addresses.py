"""Which addresses a webhook may call: public ones only, unless the operator allows others.

A hook's URL is checked when it is created (its host, or every address its name resolves to)
and again at every delivery, on the addresses resolved then, which are the ones connected to:
a name that resolved to a public address at creation and to a private one later (DNS
rebinding) is refused at delivery, never connected to.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from server.errors import InvalidRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 5.0


class RefusedAddress(Exception):
    """The URL may not be called; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class Target:
    """A URL taken apart: what to connect to and what to name in ``Host`` and TLS."""

    url: SplitResult
    host: str
    port: int


def parse(url: str) -> Target:
    """The URL's parts; RefusedAddress unless it is an absolute http or https URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedAddress(f"{url!r} is not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress(f"{url!r} is not an http or https URL")
    host = parts.hostname
    if not host:
        raise RefusedAddress(f"{url!r} names no host")
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        raise RefusedAddress(f"{url!r} holds spaces or control characters")
    return Target(parts, host, port or (443 if parts.scheme == "https" else 80))


def why_not_public(address: IPAddress) -> str | None:
    """Why ``address`` is not one a webhook may call; None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_unspecified or not address.is_global:
        return "not a public address"
    return None


async def resolve(target: Target) -> list[IPAddress]:
    """The addresses ``target``'s host names: itself if it is one; RefusedAddress if none."""
    try:
        return [ipaddress.ip_address(target.host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            found = await loop.getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
    except (OSError, TimeoutError) as error:
        raise RefusedAddress(f"{target.host} cannot be resolved ({error})") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RefusedAddress(f"{target.host} resolves to no address")
    return addresses


async def allowed(target: Target, *, allow_private: bool) -> list[IPAddress]:
    """The addresses to connect to for ``target``; RefusedAddress if any of them is not public
    (unless ``allow_private``)."""
    addresses = await resolve(target)
    if not allow_private:
        for address in addresses:
            reason = why_not_public(address)
            if reason is not None:
                named = target.host if str(address) == target.host else f"{target.host} ({address})"
                raise RefusedAddress(
                    f"{named} is {reason}; webhooks may only call public addresses"
                )
    return addresses


async def check_hook_url(url: str, *, allow_private: bool, field: str) -> None:
    """InvalidRequest naming ``field`` unless a hook may be created with ``url``. Where
    private addresses are allowed, any address is, and the host is not resolved now: every
    delivery resolves it anyway."""
    try:
        target = parse(url)
        if not allow_private:
            await allowed(target, allow_private=False)
    except RefusedAddress as refused:
        raise InvalidRequest(f"{field}: {refused}") from None
