"""Start-up check that the running Python can be trusted to write mail headers.

CVE-2024-6923: before the fix, the standard library's email generator wrote
newlines from decoded RFC 2047 encoded-words back into headers unquoted, so a
sender's display name could add headers to our outbound mail. The fix came with
``Policy.verify_generated_headers`` (3.11.10, 3.12.5, 3.13.0; distributions
backported it), so the check is by feature, not by version number: a vendor
build with the backport passes, an old point release does not.
"""

from __future__ import annotations

import email.policy
import platform
import sys

REQUIRED = (
    "Python 3.11.10+, 3.12.5+ or 3.13+, or a distribution build with the fix for CVE-2024-6923"
)


def python_problem(policy: object = email.policy.default) -> str | None:
    """One line saying why this Python is unsafe for outbound mail, or None if it is fine."""
    if hasattr(policy, "verify_generated_headers"):
        return None
    return (
        f"mailledger: this Python ({sys.executable}, {platform.python_version()}) lacks the "
        f"email header fix for CVE-2024-6923; run it with {REQUIRED}"
    )


def require_safe_python() -> None:
    """Exit with status 2 and one line on stderr if the running Python lacks the fix."""
    problem = python_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        raise SystemExit(2)
