"""Routine and settled servicing mail that uses the words of an error, a scam, a disaster
or a regulator without asserting one: a fee waived as a courtesy, a refund already
received, escrow given up on purpose, a HUD closing statement, FEMA's flood maps, the
writer's own misreading, a caller the writer did not pay. Each keeps its plain
counterpart, and the plain counterparts fresh mail told in words the packs lacked (a lien
never released, a sale named by its date, treatment "because I am Arab") are found."""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


@pytest.mark.parametrize(
    "text",
    [
        "First time I've been late in 6 years, could you waive the $88.40 as a courtesy?",
        "Thank you po sa pag-waive ng late fee!! Saan po ako mag-eenroll sa autopay?",
        "Is a one-time courtesy waiver of the late fee possible? My bank mailed the check late.",
    ],
)
def test_a_fee_waiver_asked_as_a_favour_or_thanked_for_asserts_no_error(text: str) -> None:
    assert "notice_of_error" not in families(text)


def test_a_fee_the_writer_says_must_be_waived_because_it_is_wrong_is_still_asserted() -> None:
    assert "notice_of_error" in families(
        "The payment posted on the 3rd, inside the grace period. Waive the late fee."
    )


def test_a_writer_who_disputes_nothing_on_the_account_asserts_no_error() -> None:
    text = (
        "Your payment portal was down all day (500 errors) and the chat bot kept looping. "
        "To be clear I'm not disputing anything on my account, the payment posted fine. "
        "I just want to register my frustration."
    )
    assert families(text) == {"complaint"}


def test_a_caller_the_writer_did_not_pay_is_a_scam_reported_not_an_error() -> None:
    text = (
        "A man called saying he was from your company and that my house would go into "
        "foreclosure Friday unless I paid $2,900 by Zelle. I did not send any money. "
        "Please put a note on my account."
    )
    found = families(text)
    assert "fraud_identity_theft" in found
    assert "notice_of_error" not in found


def test_an_insurers_premium_paid_in_full_by_the_insured_is_no_payment_standing() -> None:
    text = (
        "Please find attached the declarations page. Premium $2,884 is paid in full by the "
        "insured, so nothing is due from escrow this term. Please update your records."
    )
    assert "notice_of_error" not in families(text)


def test_a_hud_closing_statement_in_a_short_sale_package_is_no_regulator() -> None:
    text = (
        "Attached: third party authorization, purchase contract, hardship letter and the "
        "estimated HUD/closing statement. Please open a short sale file."
    )
    assert "regulator_complaint" not in families(text)


def test_a_complaint_sent_to_hud_is_still_a_regulator_complaint() -> None:
    assert "regulator_complaint" in families(
        "I have filed a complaint with HUD about how you handled my modification."
    )


def test_fema_flood_maps_named_in_spanish_are_no_disaster() -> None:
    text = (
        "Me llegó una carta que dice que mi casa está ahora en zona de inundación. "
        "¿Cambiaron los mapas de FEMA o fue algo de ustedes?"
    )
    assert "disaster_hardship" not in families(text)


def test_asking_to_have_pmi_removed_in_spanish_asserts_no_error() -> None:
    text = (
        "Ya estoy cerca del 80% del valor original y quiero saber qué necesito hacer para "
        "que me quiten el PMI."
    )
    assert "notice_of_error" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        # A refund received and thanked for.
        "12月7日已经收到退款 $2,846.19，谢谢。问题解决了。请再发一封书面确认信给我。",
        # Escrow given up on purpose.
        "明细收到了，谢谢。我想取消 escrow，以后地税和保险我自己交。需要什么条件？",
        # An escrow balance refunded after a payoff.
        "貸款已清還。請問託管餘額退款會於何時寄出？",
        # The writer's own misreading.
        "能不能请你们把 escrow 明细发给我？如果是我理解错了也没关系，就是想搞清楚。",
        # A correction already made, thanked for.
        "律師行已按更正後的結算書電匯全數款項。謝謝貴公司及時更正。",
    ],
)
def test_settled_or_routine_chinese_mail_asserts_no_error(text: str) -> None:
    assert "notice_of_error" not in families(text)


def test_a_chinese_correction_asked_for_is_still_asserted() -> None:
    text = (
        "9 月和 10 月的對帳單都顯示這 $1,500 放在 suspense，本金完全沒有減少。這筆錢應該"
        "直接扣抵本金才對。麻煩轉入本金，並寄一份更正後的對帳單給我。"
    )
    assert "notice_of_error" in families(text)


def test_a_news_story_about_scams_in_chinese_is_no_fraud_and_no_media_threat() -> None:
    text = "我收到一封貸款轉移的信。新聞上說很多詐騙會寄這種信，所以我想先確認這封信是真的嗎？"
    found = families(text)
    assert "fraud_identity_theft" not in found
    assert "media_threat" not in found


def test_saigon_in_a_vietnamese_shop_name_is_no_wrong() -> None:
    assert "notice_of_error" not in families(
        "Chủ tiệm Bánh Mì Sài Gòn đã đóng tiền nhà tháng này, xin xác nhận khoản thanh toán."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Loan 1029384470 was paid in full on July 22. You have failed to release the lien. "
        "Please record the release immediately.",
        "We wired your payoff on August 21. More than 100 days later no release of deed of "
        "trust has been recorded, and the release is overdue.",
    ],
)
def test_a_lien_not_released_after_payoff_is_a_notice_of_error(text: str) -> None:
    assert "notice_of_error" in families(text)


def test_asking_when_a_release_will_be_recorded_asserts_nothing() -> None:
    classification = run("We paid off the loan last week. When will the release be recorded?")
    assert "notice_of_error" not in {h.family for h in classification.families}


@pytest.mark.parametrize(
    "text",
    [
        "The trustee told me this morning the 12/10 sale is still ON. Please instruct the "
        "trustee to postpone the December 10 sale today.",
        "Thank you for getting the sale moved. Trustee confirms the new sale date is "
        "January 14, 2027.",
    ],
)
def test_a_foreclosure_sale_named_by_its_date_is_a_scheduled_sale(text: str) -> None:
    assert "foreclosure_sale" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "The buyer would like to close the short sale by the end of January.",
        "We are moving forward with the sale of our home next month, please send a payoff.",
        "The buyer wants to proceed with the sale; can you send the payoff good through the 15th?",
    ],
)
def test_the_borrowers_own_sale_is_no_foreclosure_sale(text: str) -> None:
    assert "foreclosure_sale" not in families(text)


def test_treatment_because_the_writer_is_arab_and_muslim_is_discrimination() -> None:
    text = "أنا أشعر أنني أعامل بطريقة مختلفة لأنني عربي ومسلم، ولأن اسمي أحمد."
    assert "discrimination" in families(text)


def test_calls_never_returned_in_arabic_are_a_complaint() -> None:
    text = "اتصلت بكم أربع مرات الأسبوع الماضي ولم يتصل أحد. هذه ليست طريقة للتعامل مع الناس."
    assert "complaint" in families(text)


def test_nobody_resolving_anything_in_portuguese_is_a_complaint() -> None:
    assert "complaint" in families(
        "Liguei ontem e fiquei 55 minutos esperando, depois a ligação caiu. Ninguém resolve nada."
    )


def test_money_already_sent_to_a_caller_in_chinese_is_fraud() -> None:
    text = (
        "有人一直打電話給我母親，說是你們公司的客戶專員，要她把房貸匯到一個 Zelle 帳號。"
        "我母親很害怕，上星期已經匯了 $2,300 給對方。"
    )
    assert "fraud_identity_theft" in families(text)
