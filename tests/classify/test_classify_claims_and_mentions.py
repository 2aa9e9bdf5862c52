"""A claim against the writer's own loan versus a mention of the same words: a charge
disputed with fraud's words, a warning or question about a scam, someone else's
grievance, a past matter.

One phrasing family per case, in each language it is written in; each case also has
its claim counterpart, so a rule that stops escalating altogether fails.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


@pytest.mark.parametrize(
    "text",
    [
        "Autopay drafted $2,950.00 on the 1st. My payment is $1,950.00. I did not authorize "
        "an extra thousand, refund it.",
        "You added $1,240 in legal fees that are not authorized by my mortgage. Remove them.",
        "Ustedes me siguen cobrando $280 al mes por un seguro que yo no pedí. Quítenlo.",
        "Vocês cobraram $350 de taxa sem minha autorização. Quero o dinheiro de volta.",
        "Vous avez prélevé $412 sans mon autorisation sur mon compte. Remboursez-moi.",
        "你们未经授权从我的账户扣了$600，请退还。",
    ],
)
def test_a_charge_the_writer_did_not_authorize_is_a_disputed_charge_not_fraud(text: str) -> None:
    c = run(text)
    assert "fraud_identity_theft" not in c.family_names
    assert any(s.reason == "disputed_charge" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        "Someone changed my mailing address online. I did not authorize that change.",
        "Cambiaron mi dirección y mi teléfono sin mi autorización. Yo no pedí eso.",
        "Alguém mudou meu e-mail sem minha autorização.",
        "有人未经授权修改了我的邮寄地址。",
    ],
)
def test_a_change_the_writer_did_not_authorize_is_still_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


def test_a_sum_beside_identity_theft_keeps_the_fraud_report() -> None:
    text = (
        "Someone stole my identity and made an unauthorized payoff request; "
        "they asked for the $84,000 to be wired."
    )
    assert "fraud_identity_theft" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "I got a welcome letter for a loan at an address I never lived at. I have never "
        "applied for a mortgage there. Someone used my name.",
        "I never requested a payoff statement. Someone is using my identity; I filed a "
        "police report.",
        "Eu nunca pedi esse pagamento de empréstimo. Alguém está se passando por mim.",
        "我并没有申请这笔贷款的付款，有人冒用我的名字。",
    ],
)
def test_an_act_the_writer_denies_in_a_fraud_report_is_no_servicing_error(text: str) -> None:
    c = run(text)
    assert "fraud_identity_theft" in c.family_names
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "impostor_act" for s in c.suppressions)


def test_a_servicing_error_beside_a_fraud_report_is_still_a_notice_of_error() -> None:
    c = run(
        "Someone used my name to call you last week. I never asked for anything. "
        "Separately, you charged me twice for the October payment."
    )
    assert {"fraud_identity_theft", "notice_of_error"} <= set(c.family_names)


def test_a_denied_act_without_a_fraud_report_is_still_a_notice_of_error() -> None:
    c = run("I never requested force-placed insurance; I already have coverage. Remove it.")
    assert "notice_of_error" in c.request_kinds
