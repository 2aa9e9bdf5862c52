"""The kinds of regulated request a message can make (pure; no I/O).

A message may make several requests at once (a notice of error that also asks for
a payoff statement), so a classification carries a tuple of kinds; an empty tuple
means the message makes no regulated request. Subkinds pick the shorter clocks
some requests have:

* ``payoff_balance_error``: a notice of error under 12 CFR 1024.35(b)(6)
  (7 days, 1024.35(e)(3)(i)(A));
* ``foreclosure_sale_error``: a notice of error under 1024.35(b)(9)-(10)
  (before the sale date or 30 days, 1024.35(e)(3)(i)(B));
* ``owner_identity``: a request for the owner or assignee of the loan
  (10 days, 1024.36(d)(2)(i)(A)).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["REQUEST_KINDS", "REQUEST_SUBKINDS", "RequestKind", "RequestSubkind"]

RequestKind = Literal[
    "notice_of_error",
    "request_for_information",
    "payoff_statement",
    "loss_mitigation_application",
]
RequestSubkind = Literal["payoff_balance_error", "foreclosure_sale_error", "owner_identity"]

REQUEST_KINDS: tuple[RequestKind, ...] = get_args(RequestKind)
REQUEST_SUBKINDS: tuple[RequestSubkind, ...] = get_args(RequestSubkind)
