"""Searching repositories by name and description."""

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import LIBRARY
from server.storage.tables import Repository


@dataclass(frozen=True, slots=True)
class SearchHit:
    name: str  # namespace/repository
    description: str
    is_official: bool


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    hits: list[SearchHit]


class SearchService(Protocol):
    async def search(self, query: str, *, page: int, per_page: int) -> SearchPage:
        """Case-insensitive matches on name and description: exact name first, then name
        prefixes, then other matches; ties by full name."""


class DatabaseSearchService:
    """Searches with SQL LIKE over the repositories table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def search(self, query: str, *, page: int, per_page: int) -> SearchPage:
        term = query.strip().lower()
        full_name = func.lower(Repository.namespace + literal("/") + Repository.name)
        name = func.lower(Repository.name)
        pattern = _like_escape(term)
        prefix = f"{pattern}%"
        matches = or_(
            full_name.like(f"%{pattern}%", escape="\\"),
            func.lower(Repository.description).like(f"%{pattern}%", escape="\\"),
        )
        total = await self._session.scalar(select(func.count()).where(matches)) or 0
        rank = case(
            (or_(name == term, full_name == term), 0),
            (or_(name.like(prefix, escape="\\"), full_name.like(prefix, escape="\\")), 1),
            (full_name.like(f"%{pattern}%", escape="\\"), 2),
            else_=3,
        )
        # Ties in byte order on either backend, whatever collation a PostgreSQL database has.
        bytewise = self._session.get_bind().dialect.name == "postgresql"
        namespace_order = Repository.namespace.collate("C") if bytewise else Repository.namespace
        name_order = Repository.name.collate("C") if bytewise else Repository.name
        rows = await self._session.execute(
            select(Repository.namespace, Repository.name, Repository.description)
            .where(matches)
            .order_by(rank, namespace_order, name_order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        hits = [
            SearchHit(f"{namespace}/{repo}", description, namespace == LIBRARY)
            for namespace, repo, description in rows
        ]
        return SearchPage(total, hits)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
