from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.audit_log_page import AuditLogPage
from ...models.error import Error
from ...types import UNSET, Unset
from typing import cast
import datetime


def _get_kwargs(
    account: str,
    *,
    action: str | Unset = UNSET,
    name: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 25,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["action"] = action

    params["name"] = name

    params["actor"] = actor

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    params["page"] = page

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/auditlogs/{account}".format(
            account=quote(str(account), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuditLogPage | Error | None:
    if response.status_code == 200:
        response_200 = AuditLogPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AuditLogPage | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account: str,
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    name: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 25,
) -> Response[AuditLogPage | Error]:
    """List an account's audit log events

     One page of the events of a user's or an organization's audit log, newest first, as
    Docker Hub answers them (`logs`, no count). A user reads their own log, an owner their
    organization's, an administrator any (`library`'s too); to anyone else the account is
    missing. A user's log starts when the account was made: a username taken again does
    not show its former holder's events. `GET /v2/auditlogs/{account}/actions` lists the
    action names `action` takes.

    Args:
        account (str): A username, or `library`. Example: foobar.
        action (str | Unset):
        name (str | Unset):
        actor (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 25.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditLogPage | Error]
    """

    kwargs = _get_kwargs(
        account=account,
        action=action,
        name=name,
        actor=actor,
        from_=from_,
        to=to,
        page=page,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account: str,
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    name: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 25,
) -> AuditLogPage | Error | None:
    """List an account's audit log events

     One page of the events of a user's or an organization's audit log, newest first, as
    Docker Hub answers them (`logs`, no count). A user reads their own log, an owner their
    organization's, an administrator any (`library`'s too); to anyone else the account is
    missing. A user's log starts when the account was made: a username taken again does
    not show its former holder's events. `GET /v2/auditlogs/{account}/actions` lists the
    action names `action` takes.

    Args:
        account (str): A username, or `library`. Example: foobar.
        action (str | Unset):
        name (str | Unset):
        actor (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 25.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditLogPage | Error
    """

    return sync_detailed(
        account=account,
        client=client,
        action=action,
        name=name,
        actor=actor,
        from_=from_,
        to=to,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    account: str,
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    name: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 25,
) -> Response[AuditLogPage | Error]:
    """List an account's audit log events

     One page of the events of a user's or an organization's audit log, newest first, as
    Docker Hub answers them (`logs`, no count). A user reads their own log, an owner their
    organization's, an administrator any (`library`'s too); to anyone else the account is
    missing. A user's log starts when the account was made: a username taken again does
    not show its former holder's events. `GET /v2/auditlogs/{account}/actions` lists the
    action names `action` takes.

    Args:
        account (str): A username, or `library`. Example: foobar.
        action (str | Unset):
        name (str | Unset):
        actor (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 25.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditLogPage | Error]
    """

    kwargs = _get_kwargs(
        account=account,
        action=action,
        name=name,
        actor=actor,
        from_=from_,
        to=to,
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account: str,
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    name: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 25,
) -> AuditLogPage | Error | None:
    """List an account's audit log events

     One page of the events of a user's or an organization's audit log, newest first, as
    Docker Hub answers them (`logs`, no count). A user reads their own log, an owner their
    organization's, an administrator any (`library`'s too); to anyone else the account is
    missing. A user's log starts when the account was made: a username taken again does
    not show its former holder's events. `GET /v2/auditlogs/{account}/actions` lists the
    action names `action` takes.

    Args:
        account (str): A username, or `library`. Example: foobar.
        action (str | Unset):
        name (str | Unset):
        actor (str | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 25.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditLogPage | Error
    """

    return (
        await asyncio_detailed(
            account=account,
            client=client,
            action=action,
            name=name,
            actor=actor,
            from_=from_,
            to=to,
            page=page,
            page_size=page_size,
        )
    ).parsed
