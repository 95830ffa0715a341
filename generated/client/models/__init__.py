"""Contains all the data models used in inputs/outputs"""

from .access_token import AccessToken
from .access_token_change import AccessTokenChange
from .access_token_creation import AccessTokenCreation
from .access_token_page import AccessTokenPage
from .access_token_scope import AccessTokenScope
from .audit_action import AuditAction
from .audit_action_group import AuditActionGroup
from .audit_actions import AuditActions
from .audit_actions_actions import AuditActionsActions
from .audit_log_event import AuditLogEvent
from .audit_log_event_data import AuditLogEventData
from .audit_log_page import AuditLogPage
from .collaborator import Collaborator
from .collaborator_addition import CollaboratorAddition
from .collaborator_page import CollaboratorPage
from .email_confirmed import EmailConfirmed
from .empty import Empty
from .error import Error
from .group_member import GroupMember
from .group_member_addition import GroupMemberAddition
from .group_member_page import GroupMemberPage
from .group_member_type import GroupMemberType
from .image_entry import ImageEntry
from .image_record import ImageRecord
from .images_get_library_x_docker_token import ImagesGetLibraryXDockerToken
from .images_get_x_docker_token import ImagesGetXDockerToken
from .invite import Invite
from .invite_bulk_request import InviteBulkRequest
from .invite_bulk_result import InviteBulkResult
from .invite_bulk_status import InviteBulkStatus
from .invite_page import InvitePage
from .invite_status import InviteStatus
from .layer_access import LayerAccess
from .ok import Ok
from .org_access_token import OrgAccessToken
from .org_access_token_change import OrgAccessTokenChange
from .org_access_token_created import OrgAccessTokenCreated
from .org_access_token_creation import OrgAccessTokenCreation
from .org_access_token_page import OrgAccessTokenPage
from .org_access_token_resource import OrgAccessTokenResource
from .org_access_token_resource_type import OrgAccessTokenResourceType
from .org_access_token_scope import OrgAccessTokenScope
from .org_group import OrgGroup
from .org_group_change import OrgGroupChange
from .org_group_creation import OrgGroupCreation
from .org_group_page import OrgGroupPage
from .org_member import OrgMember
from .org_member_addition import OrgMemberAddition
from .org_member_page import OrgMemberPage
from .org_member_role_change import OrgMemberRoleChange
from .org_member_type import OrgMemberType
from .org_role import OrgRole
from .org_role_name import OrgRoleName
from .organization import Organization
from .organization_creation import OrganizationCreation
from .orphan_image import OrphanImage
from .orphan_image_page import OrphanImagePage
from .pages_page_listed_ordering import PagesPageListedOrdering
from .pages_page_of_user_ordering import PagesPageOfUserOrdering
from .pages_page_ordering import PagesPageOrdering
from .readiness import Readiness
from .registration import Registration
from .registration_rules import RegistrationRules
from .repositories_create_library_x_docker_token import RepositoriesCreateLibraryXDockerToken
from .repositories_create_x_docker_token import RepositoriesCreateXDockerToken
from .repositories_delete_library_x_docker_token import RepositoriesDeleteLibraryXDockerToken
from .repositories_delete_x_docker_token import RepositoriesDeleteXDockerToken
from .repository_creation import RepositoryCreation
from .repository_group import RepositoryGroup
from .repository_group_grant import RepositoryGroupGrant
from .repository_group_page import RepositoryGroupPage
from .repository_info import RepositoryInfo
from .repository_list_entry import RepositoryListEntry
from .repository_listed_creation import RepositoryListedCreation
from .repository_page import RepositoryPage
from .repository_page_change import RepositoryPageChange
from .repository_permissions import RepositoryPermissions
from .repository_privacy import RepositoryPrivacy
from .repository_tag import RepositoryTag
from .repository_tag_page import RepositoryTagPage
from .repository_visibility import RepositoryVisibility
from .search_result import SearchResult
from .search_results import SearchResults
from .sign_in import SignIn
from .signed_in import SignedIn
from .team_permission import TeamPermission
from .token_granted import TokenGranted
from .token_request import TokenRequest
from .user_created import UserCreated
from .user_exists import UserExists
from .user_profile import UserProfile
from .user_profile_type import UserProfileType
from .user_update import UserUpdate
from .webhook import Webhook
from .webhook_creation import WebhookCreation
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_page import WebhookDeliveryPage
from .webhook_event import WebhookEvent
from .webhook_hook import WebhookHook
from .webhook_hook_change import WebhookHookChange
from .webhook_hook_creation import WebhookHookCreation
from .webhook_outcome import WebhookOutcome
from .webhook_page import WebhookPage

__all__ = (
    "AccessToken",
    "AccessTokenChange",
    "AccessTokenCreation",
    "AccessTokenPage",
    "AccessTokenScope",
    "AuditAction",
    "AuditActionGroup",
    "AuditActions",
    "AuditActionsActions",
    "AuditLogEvent",
    "AuditLogEventData",
    "AuditLogPage",
    "Collaborator",
    "CollaboratorAddition",
    "CollaboratorPage",
    "EmailConfirmed",
    "Empty",
    "Error",
    "GroupMember",
    "GroupMemberAddition",
    "GroupMemberPage",
    "GroupMemberType",
    "ImageEntry",
    "ImageRecord",
    "ImagesGetLibraryXDockerToken",
    "ImagesGetXDockerToken",
    "Invite",
    "InviteBulkRequest",
    "InviteBulkResult",
    "InviteBulkStatus",
    "InvitePage",
    "InviteStatus",
    "LayerAccess",
    "Ok",
    "OrgAccessToken",
    "OrgAccessTokenChange",
    "OrgAccessTokenCreated",
    "OrgAccessTokenCreation",
    "OrgAccessTokenPage",
    "OrgAccessTokenResource",
    "OrgAccessTokenResourceType",
    "OrgAccessTokenScope",
    "Organization",
    "OrganizationCreation",
    "OrgGroup",
    "OrgGroupChange",
    "OrgGroupCreation",
    "OrgGroupPage",
    "OrgMember",
    "OrgMemberAddition",
    "OrgMemberPage",
    "OrgMemberRoleChange",
    "OrgMemberType",
    "OrgRole",
    "OrgRoleName",
    "OrphanImage",
    "OrphanImagePage",
    "PagesPageListedOrdering",
    "PagesPageOfUserOrdering",
    "PagesPageOrdering",
    "Readiness",
    "Registration",
    "RegistrationRules",
    "RepositoriesCreateLibraryXDockerToken",
    "RepositoriesCreateXDockerToken",
    "RepositoriesDeleteLibraryXDockerToken",
    "RepositoriesDeleteXDockerToken",
    "RepositoryCreation",
    "RepositoryGroup",
    "RepositoryGroupGrant",
    "RepositoryGroupPage",
    "RepositoryInfo",
    "RepositoryListedCreation",
    "RepositoryListEntry",
    "RepositoryPage",
    "RepositoryPageChange",
    "RepositoryPermissions",
    "RepositoryPrivacy",
    "RepositoryTag",
    "RepositoryTagPage",
    "RepositoryVisibility",
    "SearchResult",
    "SearchResults",
    "SignedIn",
    "SignIn",
    "TeamPermission",
    "TokenGranted",
    "TokenRequest",
    "UserCreated",
    "UserExists",
    "UserProfile",
    "UserProfileType",
    "UserUpdate",
    "Webhook",
    "WebhookCreation",
    "WebhookDelivery",
    "WebhookDeliveryPage",
    "WebhookEvent",
    "WebhookHook",
    "WebhookHookChange",
    "WebhookHookCreation",
    "WebhookOutcome",
    "WebhookPage",
)
