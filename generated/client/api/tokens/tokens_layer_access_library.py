from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.layer_access import LayerAccess
from typing import cast


def _get_kwargs(
    repository: str,
    image_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/repositories/{repository}/layer/{image_id}/access".format(
            repository=quote(str(repository), safe=""),
            image_id=quote(str(image_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | LayerAccess | None:
    if response.status_code == 200:
        response_200 = LayerAccess.from_dict(response.json())

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
) -> Response[Error | LayerAccess]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    repository: str,
    image_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | LayerAccess]:
    """Check whether a push to a library repository may build on a layer

     The same as `GET /v1/repositories/library/{repository}/layer/{image_id}/access`.

    Args:
        repository (str):  Example: bar.
        image_id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
            9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LayerAccess]
    """

    kwargs = _get_kwargs(
        repository=repository,
        image_id=image_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    repository: str,
    image_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | LayerAccess | None:
    """Check whether a push to a library repository may build on a layer

     The same as `GET /v1/repositories/library/{repository}/layer/{image_id}/access`.

    Args:
        repository (str):  Example: bar.
        image_id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
            9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LayerAccess
    """

    return sync_detailed(
        repository=repository,
        image_id=image_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    repository: str,
    image_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | LayerAccess]:
    """Check whether a push to a library repository may build on a layer

     The same as `GET /v1/repositories/library/{repository}/layer/{image_id}/access`.

    Args:
        repository (str):  Example: bar.
        image_id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
            9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LayerAccess]
    """

    kwargs = _get_kwargs(
        repository=repository,
        image_id=image_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    repository: str,
    image_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | LayerAccess | None:
    """Check whether a push to a library repository may build on a layer

     The same as `GET /v1/repositories/library/{repository}/layer/{image_id}/access`.

    Args:
        repository (str):  Example: bar.
        image_id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
            9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LayerAccess
    """

    return (
        await asyncio_detailed(
            repository=repository,
            image_id=image_id,
            client=client,
        )
    ).parsed
