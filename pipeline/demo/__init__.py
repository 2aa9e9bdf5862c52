"""``mailledger demo``: the whole pipeline on this machine with sample servicing mail."""
