"""Contains all the data models used in inputs/outputs"""

from .email_confirmed import EmailConfirmed
from .empty import Empty
from .error import Error
from .image_entry import ImageEntry
from .image_record import ImageRecord
from .images_get_library_x_docker_token import ImagesGetLibraryXDockerToken
from .images_get_x_docker_token import ImagesGetXDockerToken
from .ok import Ok
from .readiness import Readiness
from .registration import Registration
from .registration_rules import RegistrationRules
from .repositories_create_library_x_docker_token import RepositoriesCreateLibraryXDockerToken
from .repositories_create_x_docker_token import RepositoriesCreateXDockerToken
from .repositories_delete_library_x_docker_token import RepositoriesDeleteLibraryXDockerToken
from .repositories_delete_x_docker_token import RepositoriesDeleteXDockerToken
from .search_result import SearchResult
from .search_results import SearchResults
from .user_created import UserCreated
from .user_exists import UserExists
from .user_update import UserUpdate

__all__ = (
    "EmailConfirmed",
    "Empty",
    "Error",
    "ImageEntry",
    "ImageRecord",
    "ImagesGetLibraryXDockerToken",
    "ImagesGetXDockerToken",
    "Ok",
    "Readiness",
    "Registration",
    "RegistrationRules",
    "RepositoriesCreateLibraryXDockerToken",
    "RepositoriesCreateXDockerToken",
    "RepositoriesDeleteLibraryXDockerToken",
    "RepositoriesDeleteXDockerToken",
    "SearchResult",
    "SearchResults",
    "UserCreated",
    "UserExists",
    "UserUpdate",
)
