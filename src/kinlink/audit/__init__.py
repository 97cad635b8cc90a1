"""The audit log of the Data Protection Act 2018, s62: who did what, when, to what, and why.

Append-only and tamper-evident: every entry is chained by hash to the one before, and
`verify` names the first entry that no longer fits the chain.
"""

from kinlink.audit.log import AuditEntry, AuditLog, NewEntry, Verification

__all__ = ["AuditEntry", "AuditLog", "NewEntry", "Verification"]
