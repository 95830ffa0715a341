from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.org_access_token_resource_type import OrgAccessTokenResourceType
from ..models.org_access_token_scope import OrgAccessTokenScope
from typing import cast


T = TypeVar("T", bound="OrgAccessTokenResource")


@_attrs_define
class OrgAccessTokenResource:
    """
    Attributes:
        type_ (OrgAccessTokenResourceType): Always `TYPE_REPO` (Docker Hub's `TYPE_ORG` is not served).
        path (str): `ORG/REPO`, a repository of the organization; or `*/*/public`, the public repositories (with `repo-
            pull` only). Example: acmecorp/api.
        scopes (list[OrgAccessTokenScope]):
    """

    type_: OrgAccessTokenResourceType
    path: str
    scopes: list[OrgAccessTokenScope]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        path = self.path

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "path": path,
                "scopes": scopes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = OrgAccessTokenResourceType(d.pop("type"))

        path = d.pop("path")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = OrgAccessTokenScope(scopes_item_data)

            scopes.append(scopes_item)

        org_access_token_resource = cls(
            type_=type_,
            path=path,
            scopes=scopes,
        )

        org_access_token_resource.additional_properties = d
        return org_access_token_resource

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
