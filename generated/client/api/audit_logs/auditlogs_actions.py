from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.audit_actions import AuditActions
from ...models.error import Error
from typing import cast


def _get_kwargs(
    account: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/auditlogs/{account}/actions".format(
            account=quote(str(account), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuditActions | Error | None:
    if response.status_code == 200:
        response_200 = AuditActions.from_dict(response.json())

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
) -> Response[AuditActions | Error]:
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
) -> Response[AuditActions | Error]:
    """List the actions of an account's audit log

     The actions the log records, by group, as Docker Hub answers them; each `name` is
    what an event's `action` holds and the `action` filter takes. Read by whoever may read
    the account's log.

    Args:
        account (str): A username, or `library`. Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditActions | Error]
    """

    kwargs = _get_kwargs(
        account=account,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account: str,
    *,
    client: AuthenticatedClient,
) -> AuditActions | Error | None:
    """List the actions of an account's audit log

     The actions the log records, by group, as Docker Hub answers them; each `name` is
    what an event's `action` holds and the `action` filter takes. Read by whoever may read
    the account's log.

    Args:
        account (str): A username, or `library`. Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditActions | Error
    """

    return sync_detailed(
        account=account,
        client=client,
    ).parsed


async def asyncio_detailed(
    account: str,
    *,
    client: AuthenticatedClient,
) -> Response[AuditActions | Error]:
    """List the actions of an account's audit log

     The actions the log records, by group, as Docker Hub answers them; each `name` is
    what an event's `action` holds and the `action` filter takes. Read by whoever may read
    the account's log.

    Args:
        account (str): A username, or `library`. Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditActions | Error]
    """

    kwargs = _get_kwargs(
        account=account,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account: str,
    *,
    client: AuthenticatedClient,
) -> AuditActions | Error | None:
    """List the actions of an account's audit log

     The actions the log records, by group, as Docker Hub answers them; each `name` is
    what an event's `action` holds and the `action` filter takes. Read by whoever may read
    the account's log.

    Args:
        account (str): A username, or `library`. Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditActions | Error
    """

    return (
        await asyncio_detailed(
            account=account,
            client=client,
        )
    ).parsed
