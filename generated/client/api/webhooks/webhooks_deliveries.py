from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.webhook_delivery_page import WebhookDeliveryPage
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    *,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/repositories/{namespace}/{repository}/webhooks/{webhook_id}/hooks/{hook_id}/deliveries".format(
            namespace=quote(str(namespace), safe=""),
            repository=quote(str(repository), safe=""),
            webhook_id=quote(str(webhook_id), safe=""),
            hook_id=quote(str(hook_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | WebhookDeliveryPage | None:
    if response.status_code == 200:
        response_200 = WebhookDeliveryPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

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
) -> Response[Error | WebhookDeliveryPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Error | WebhookDeliveryPage]:
    """A hook's delivery log

     One page of the hook's deliveries, newest first: what was sent, how many attempts it
    took, the last answer (status or error) and, while it is still being retried, when
    the next attempt is due.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        webhook_id (int):
        hook_id (int):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhookDeliveryPage]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        webhook_id=webhook_id,
        hook_id=hook_id,
        page=page,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Error | WebhookDeliveryPage | None:
    """A hook's delivery log

     One page of the hook's deliveries, newest first: what was sent, how many attempts it
    took, the last answer (status or error) and, while it is still being retried, when
    the next attempt is due.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        webhook_id (int):
        hook_id (int):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhookDeliveryPage
    """

    return sync_detailed(
        namespace=namespace,
        repository=repository,
        webhook_id=webhook_id,
        hook_id=hook_id,
        client=client,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Error | WebhookDeliveryPage]:
    """A hook's delivery log

     One page of the hook's deliveries, newest first: what was sent, how many attempts it
    took, the last answer (status or error) and, while it is still being retried, when
    the next attempt is due.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        webhook_id (int):
        hook_id (int):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhookDeliveryPage]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        webhook_id=webhook_id,
        hook_id=hook_id,
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Error | WebhookDeliveryPage | None:
    """A hook's delivery log

     One page of the hook's deliveries, newest first: what was sent, how many attempts it
    took, the last answer (status or error) and, while it is still being retried, when
    the next attempt is due.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        webhook_id (int):
        hook_id (int):
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhookDeliveryPage
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            repository=repository,
            webhook_id=webhook_id,
            hook_id=hook_id,
            client=client,
            page=page,
            page_size=page_size,
        )
    ).parsed
