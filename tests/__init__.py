"""Test suite of mailledger; ``tests.harness`` holds the real-server harness."""
