from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.access_token_scope import AccessTokenScope
from typing import cast
from uuid import UUID
import datetime


T = TypeVar("T", bound="AccessToken")


@_attrs_define
class AccessToken:
    """
    Attributes:
        uuid (UUID):
        client_id (str): Always `hubindex`.
        creator_ip (str): The client address the token was created from.
        creator_ua (str): The `User-Agent` it was created with (its first 255 characters).
        created_at (datetime.datetime):
        last_used (datetime.datetime | None): When it was last presented, to the minute; null if never.
        generated_by (str): Always `manual`.
        is_active (bool):
        token (str): The secret when the token is created; empty ever after.
        token_label (str):
        scopes (list[AccessTokenScope]):
        expires_at (datetime.datetime | None):
    """

    uuid: UUID
    client_id: str
    creator_ip: str
    creator_ua: str
    created_at: datetime.datetime
    last_used: datetime.datetime | None
    generated_by: str
    is_active: bool
    token: str
    token_label: str
    scopes: list[AccessTokenScope]
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        uuid = str(self.uuid)

        client_id = self.client_id

        creator_ip = self.creator_ip

        creator_ua = self.creator_ua

        created_at = self.created_at.isoformat()

        last_used: None | str
        if isinstance(self.last_used, datetime.datetime):
            last_used = self.last_used.isoformat()
        else:
            last_used = self.last_used

        generated_by = self.generated_by

        is_active = self.is_active

        token = self.token

        token_label = self.token_label

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "uuid": uuid,
                "client_id": client_id,
                "creator_ip": creator_ip,
                "creator_ua": creator_ua,
                "created_at": created_at,
                "last_used": last_used,
                "generated_by": generated_by,
                "is_active": is_active,
                "token": token,
                "token_label": token_label,
                "scopes": scopes,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        uuid = UUID(d.pop("uuid"))

        client_id = d.pop("client_id")

        creator_ip = d.pop("creator_ip")

        creator_ua = d.pop("creator_ua")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_last_used(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_type_0 = datetime.datetime.fromisoformat(data)

                return last_used_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_used = _parse_last_used(d.pop("last_used"))

        generated_by = d.pop("generated_by")

        is_active = d.pop("is_active")

        token = d.pop("token")

        token_label = d.pop("token_label")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = AccessTokenScope(scopes_item_data)

            scopes.append(scopes_item)

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        access_token = cls(
            uuid=uuid,
            client_id=client_id,
            creator_ip=creator_ip,
            creator_ua=creator_ua,
            created_at=created_at,
            last_used=last_used,
            generated_by=generated_by,
            is_active=is_active,
            token=token,
            token_label=token_label,
            scopes=scopes,
            expires_at=expires_at,
        )

        access_token.additional_properties = d
        return access_token

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
