#!/bin/sh
# Print the first Python interpreter that is 3.11 or newer and has the email
# header fix for CVE-2024-6923 (detected by feature, as the application does at
# start-up); exit 1 with a message if there is none.
for candidate in /usr/bin/python3 python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import email.policy, sys
sys.exit(0 if sys.version_info >= (3, 11) and hasattr(email.policy.default, "verify_generated_headers") else 1)' 2>/dev/null; then
        command -v "$candidate"
        exit 0
    fi
done
echo "find-python.sh: no Python 3.11+ with the fix for CVE-2024-6923 found (tried /usr/bin/python3, python3.13, python3.12, python3); install 3.11.10+, 3.12.5+, 3.13+ or a distribution build with the fix, or set PYTHON=" >&2
exit 1
