"""The daily digest for the project leads and the sponsor: the status picture and what changed since
the previous digest, on the plan's ``digest`` days and at each cutover window's start and end."""

from switchover.digest.change import Change, compare
from switchover.digest.service import GRACE, PURPOSE, DigestService, Occurrence, SentDigest

__all__ = ["GRACE", "PURPOSE", "Change", "DigestService", "Occurrence", "SentDigest", "compare"]
