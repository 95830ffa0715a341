"""``search.*``: finding repositories."""

import math

from generated import models
from server.auth import caller_id, org_token_of, reads_private
from server.handlers.call import Call
from server.services.search import Viewer


async def query(call: Call, *, q: str, n: int, page: int) -> models.SearchResults:
    identity = call.identity
    viewer = Viewer(caller_id(identity), reads_private(identity), org_token_of(identity))
    found = await call.services.search.search(q, page=page, per_page=n, viewer=viewer)
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
                star_count=hit.star_count,
                is_official=hit.is_official,
                is_automated=False,
                is_trusted=False,
            )
            for hit in found.hits
        ],
    )
