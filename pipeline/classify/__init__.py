"""Classification of inbound servicing mail: escalation rules, categories,
account numbers, sensitive numbers and Reg X / Reg Z business-day clocks.

Everything here is pure logic; the only reads are of packaged data: the rule packs
(``default_rules.yaml`` and every language pack under ``packs/``), the statistical
recogniser's ``recogniser.json``, and the language detector's models.
"""
