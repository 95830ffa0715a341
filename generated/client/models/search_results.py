from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
    from ..models.search_result import SearchResult


T = TypeVar("T", bound="SearchResults")


@_attrs_define
class SearchResults:
    """
    Attributes:
        query (str):
        num_results (int): The matches, counted up to 1,000: exact below 1,000; 1,000 means "1,000 or more",
            and only the first 1,000 can be paged through.
        num_pages (int):
        page (int):
        page_size (int):
        results (list[SearchResult]):
    """

    query: str
    num_results: int
    num_pages: int
    page: int
    page_size: int
    results: list[SearchResult]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.search_result import SearchResult  # noqa: PLC0415

        query = self.query

        num_results = self.num_results

        num_pages = self.num_pages

        page = self.page

        page_size = self.page_size

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "query": query,
                "num_results": num_results,
                "num_pages": num_pages,
                "page": page,
                "page_size": page_size,
                "results": results,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.search_result import SearchResult  # noqa: PLC0415

        d = dict(src_dict)
        query = d.pop("query")

        num_results = d.pop("num_results")

        num_pages = d.pop("num_pages")

        page = d.pop("page")

        page_size = d.pop("page_size")

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = SearchResult.from_dict(results_item_data)

            results.append(results_item)

        search_results = cls(
            query=query,
            num_results=num_results,
            num_pages=num_pages,
            page=page,
            page_size=page_size,
            results=results,
        )

        search_results.additional_properties = d
        return search_results

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
