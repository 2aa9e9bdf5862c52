"""Classification of inbound servicing mail: escalation rules, categories,
account numbers, sensitive numbers and Reg X / Reg Z business-day clocks.

Everything here is pure logic; the only read is the packaged default rule pack.
"""
