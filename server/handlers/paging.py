"""The ``next`` and ``previous`` links of a page of the management API's lists."""

from urllib.parse import quote, urlencode

from server.handlers.call import Call


def links(
    call: Call, path: str, page: int, page_size: int, count: int, **query: str | None
) -> tuple[str | None, str | None]:
    """The paths of the pages after and before ``page`` (None at either end), keeping the
    ``query`` filters given, with HUBINDEX_PUBLIC_URL before them where it is set, never a
    base taken from ``Host``."""
    last = (count + page_size - 1) // page_size
    base = str(call.settings.public_url or "").rstrip("/") + quote(path)

    def link(number: int) -> str:
        filters = {name: value for name, value in query.items() if value is not None}
        return f"{base}?{urlencode({**filters, 'page': number, 'page_size': page_size})}"

    following = link(page + 1) if page < last else None
    preceding = link(min(page - 1, last)) if page > 1 and last else None
    return following, preceding
