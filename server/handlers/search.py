"""``search.*``: finding repositories."""

import math

from generated import models
from server.handlers.call import Call


async def query(call: Call, *, q: str, n: int, page: int) -> models.SearchResults:
    found = await call.services.search.search(q, page=page, per_page=n)
    return models.SearchResults(
        query=q,
        num_results=found.total,
        num_pages=math.ceil(found.total / n),
        page=page,
        page_size=n,
        results=[
            models.SearchResult(
                name=hit.name,
                description=hit.description,
                star_count=0,
                is_official=hit.is_official,
                is_automated=False,
                is_trusted=False,
            )
            for hit in found.hits
        ],
    )
