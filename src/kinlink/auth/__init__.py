"""Local accounts: users with argon2 password hashes, lockout, API tokens, server-side
sessions, and restricted records with the grants that open them.

Who a user *is* lives here; what they may *do* is `kinlink.core.permissions`. An OIDC
identity provider can replace the password part (see docs/accounts.md).
"""

from kinlink.auth.accounts import (
    LOCKOUT,
    MAX_FAILURES,
    Account,
    add_user,
    authenticate,
    count_users,
    disable_user,
    get_account,
    list_users,
)
from kinlink.auth.restrictions import (
    Grant,
    add_grant,
    add_restriction,
    grants_of,
    person_restricted,
    restricted,
)
from kinlink.auth.sessions import (
    SESSION_IDLE,
    SESSION_LIFETIME,
    create_session,
    revoke_session,
    session_account,
)
from kinlink.auth.tokens import issue_token, revoke_tokens, token_account

__all__ = [
    "LOCKOUT", "MAX_FAILURES", "SESSION_IDLE", "SESSION_LIFETIME", "Account", "Grant",
    "add_grant", "add_restriction", "add_user", "authenticate", "count_users",
    "create_session", "disable_user", "get_account", "grants_of", "issue_token", "list_users",
    "person_restricted", "restricted", "revoke_session", "revoke_tokens", "session_account",
    "token_account",
]
