"""A client library for accessing hubindex — Docker Hub v1 index API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
