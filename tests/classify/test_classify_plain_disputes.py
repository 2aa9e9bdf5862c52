"""Errors and requests said plainly, without the regulation's words.

Each case is one phrasing family seen in independently written development mail: a
sum taken again, a duty the servicer had and did not do, the correction asked for, a
figure said to be too high; and the near misses that must stay what they are.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import run


@pytest.mark.parametrize(
    "text",
    [
        # the same sum taken again; a sum of money is the thing in error
        "$1,847.22 came out on 1/2 and again on 1/5. I need the second one put back.",
        # a duty to answer the writer, not met
        "It has been 47 days. You were supposed to answer me in 30 days about my extra "
        "principal payment.",
        "I asked where my $600 went in June and nobody has answered.",
        # a figure said to be off, and a charge still there after it was waived
        "So the payoff is still too high by $1,690.",
        "The new payoff still has the inspection fees you waived in September.",
    ],
)
def test_english_plain_disputes_are_notices_of_error(text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # the correction asked of the servicer
        ("es", "Lo pagué el 31 de enero. Favor de acreditar el pago con la fecha correcta."),
        ("es", "Ustedes registraron mi pago tarde. Acrediten el pago del 2 de febrero."),
        ("es", "El condado dice que los impuestos están vencidos. Paguen los impuestos ya."),
        # a duty the servicer had and did not do
        ("es", "Yo pago la plica cada mes. Ustedes tenían que pagar los impuestos en marzo."),
        # "remove this fee", "cancel that insurance and refund me"
        ("vi", "Hôm nay tôi nhận thư nói bị phạt $75. Xin quý công ty xóa khoản phí này."),
        ("vi", "Bảo hiểm của tôi vẫn còn hiệu lực. Hủy bảo hiểm đó và hoàn lại tiền cho tôi."),
        # "I did not pay late"
        ("vi", "Tiền đã bị trừ khỏi tài khoản ngày 1/3. Tôi không trả trễ mà vẫn bị tính phí."),
    ],
)
def test_plain_disputes_in_other_languages_are_notices_of_error(language: str, text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds, language


def test_a_request_to_send_a_record_to_the_writer_is_a_request_in_chinese() -> None:
    text = "請把三個貸款2025年的1098表格和全年繳款紀錄用電郵寄給我。謝謝。"
    assert "request_for_information" in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        # an unanswered phone line is no unanswered written notice
        "Your website says you have a Spanish line but nobody answered. Loan 5590012837.",
        # asking for a sale to be called off is no error by that alone
        "Presenté la bancarrota ayer y la venta es el 20 de enero. Por favor cancelen la venta.",
        # the writer's own duty
        "Yo tenía que pagar el préstamo el día 5 pero el banco se equivocó de cuenta conmigo.",
    ],
)
def test_near_misses_of_a_plain_dispute_are_no_notice_of_error(text: str) -> None:
    assert "notice_of_error" not in run(text).request_kinds


def test_a_question_naming_a_sum_is_no_request_for_information_by_that_alone() -> None:
    text = "I can catch up July with an extra $400 a month. Can we set that up as a plan?"
    assert "request_for_information" not in run(text).request_kinds


def test_a_reply_subject_pairs_with_nothing() -> None:
    thanks = "Cảm ơn quý công ty rất nhiều, tôi đã nhận được."
    c = run(thanks, subject="Re: Phí trễ hạn bị tính sai")
    assert "notice_of_error" not in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Your own letter says my modification application is COMPLETE. Please stop this sale.",
        "I was denied for the modification and the letter doesnt say the real reason.",
    ],
)
def test_an_application_said_complete_or_denied_is_no_new_application(text: str) -> None:
    assert "loss_mitigation_application" not in run(text).request_kinds


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # a figure above what it should be; charging on after proof; "cancel and give back"
        ("pt", "O payoff não desconta o saldo do escrow. O valor está acima do que deveria."),
        ("pt", "Mandei a apólice três vezes e vocês continuam cobrando $390 por mês de seguro."),
        # "you were to pay it", "it was not deposited"
        ("ko", "보험료는 귀사에서 내기로 되어 있었습니다. 보험이 취소된다는 통지를 받았습니다."),
        ("ko", "매달 에스크로로 내는데 재산세가 납부되지 않았다는 통지를 받았습니다."),
        # "you were supposed to answer within the legal period", "no reply reached me"
        ("ar", "أرسلت لكم رسالة عن الدفعة ولم يصلني أي رد حتى اليوم."),
        ("ar", "كان من المفروض أن تدفعوا التأمين من حساب الضمان."),
    ],
)
def test_duties_not_met_and_sums_disputed_are_notices_of_error(language: str, text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "ht",
            "Nou ekri m pou di dosye a konplè. Jodi a mwen resevwa yon avi ki di y ap vann "
            "kay la 2 mas. Tanpri kanpe lavant lan.",
        ),
        (
            "tl",
            "Isusubasta ang bahay ko sa 4/5/27. Pero kumpleto na po ang aplikasyon ko para sa "
            "loan modification. Pakitigil po ito.",
        ),
        (
            "fr",
            "Ma maison sera vendue aux enchères le 3 mars. Votre lettre confirme que ma demande "
            "de modification est complète et en cours d'examen.",
        ),
    ],
)
def test_a_sale_while_an_application_is_said_complete_is_a_sale_error(
    language: str, text: str
) -> None:
    c = run(text)
    assert "foreclosure_sale_error" in c.request_subkinds, language
    assert "loss_mitigation_application" not in c.request_kinds, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # asking whether the file is complete now is part of the application
        (
            "ht",
            "Men lèt la ak estatman bank la pou aplikasyon modifikasyon an. Èske dosye a konplè?",
        ),
        # sending the application now, with the sale ahead: an application, no error
        (
            "ht",
            "Y ap vann kay mwen 27 fevriye. Mwen voye aplikasyon pou modifikasyon an avèk "
            "fich peman mwen.",
        ),
    ],
)
def test_an_application_being_made_is_no_application_already_made(language: str, text: str) -> None:
    c = run(text)
    assert "notice_of_error" not in c.request_kinds, language


def test_approved_for_a_trial_plan_is_no_new_application_in_portuguese() -> None:
    text = "Fui aprovado para o plano de pagamento de teste em julho e paguei as três parcelas."
    assert "loss_mitigation_application" not in run(text).request_kinds


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # a record of the payments asked for beside the dispute
        (
            "fr",
            "Vous avez prélevé la mensualité deux fois. Merci de me rembourser le second "
            "prélèvement et de m'envoyer le relevé des paiements depuis octobre.",
        ),
        (
            "fr",
            "Ma lettre est restée sans réponse, je conteste ces frais. Je redemande : "
            "l'historique complet des paiements.",
        ),
        (
            "ar",
            "لكنكم سجلتموها متأخرة وأضفتم رسوم تأخير. أرجو إلغاء الرسوم وإرسال كشف بجميع "
            "الدفعات منذ يناير.",
        ),
        (
            "ar",
            "ما زلتم لم تدفعوا الضريبة. أرسلوا لي كشف حساب الضمان لآخر 12 شهراً.",
        ),
    ],
)
def test_a_record_asked_for_inside_a_dispute_is_also_a_request(language: str, text: str) -> None:
    kinds = run(text).request_kinds
    assert "notice_of_error" in kinds, language
    assert "request_for_information" in kinds, language


def test_wanting_to_receive_a_document_is_a_request_in_french() -> None:
    text = "Je vous transfère ma plainte. Je veux aussi recevoir l'analyse d'escrow de cette année."
    assert "request_for_information" in run(text).request_kinds


def test_how_much_someone_else_owes_is_asked_in_code_switched_spanish() -> None:
    text = "He's deployed hasta diciembre. Also please tell me cuanto debe y si sus pagos llegaron."
    assert "request_for_information" in run(text).request_kinds


def test_a_new_payoff_asked_for_beside_a_payoff_said_wrong_is_part_of_the_dispute() -> None:
    text = (
        "كشف السداد الكامل الذي أرسلتموه يحسب الفائدة بنسبة 7.5% وهذا غير صحيح. أرجو "
        "تصحيحه وإرسال كشف جديد قبل موعد الإغلاق."
    )
    c = run(text)
    assert "payoff_balance_error" in c.request_subkinds
    assert "request_for_information" not in c.request_kinds


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # a duty the servicer had and did not do, in each remaining language
        ("fr", "Je paie l'escrow chaque mois. Vous deviez payer l'assurance en mai."),
        ("fr", "Ma lettre du 12 août sur les frais d'inspection est restée sans réponse."),
        ("pt", "Eu pago o escrow todo mês. Vocês deviam pagar o imposto em março."),
        ("ht", "Mwen peye escrow chak mwa. Nou te sipoze peye taks la an mas."),
        ("tl", "Nagbabayad ako ng escrow buwan-buwan. Dapat po binayaran ninyo ang buwis."),
        ("vi", "Tôi đóng escrow mỗi tháng. Lẽ ra phải trả thuế nhà từ tài khoản escrow."),
        ("zh", "我每个月都交托管。房产税本来应该由你们从托管账户付。"),
    ],
)
def test_a_duty_the_servicer_did_not_do_is_a_notice_of_error(language: str, text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Vous deviez me rappeler hier, merci de le faire."),
        ("tl", "Kayo po dapat ang tumawag sa akin tungkol sa aking loan."),
    ],
)
def test_a_call_owed_is_no_notice_of_error(language: str, text: str) -> None:
    assert "notice_of_error" not in run(text).request_kinds, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "So this one's on me. I typed one digit wrong in the account number and the "
            "payment bounced back. I'm sending it again tonight.",
        ),
        ("es", "Fue mi culpa, lo siento. El pago salió con el número de cuenta equivocado."),
        ("pt", "A culpa é minha. O pagamento foi para a conta errada porque digitei errado."),
        ("fr", "C'est de ma faute. Le paiement a été envoyé sur le mauvais compte, erroné."),
        ("zh", "是我的错。我把付款的账户号码写错了，错了一位数。"),
        # a bill the escrow pays, paid twice because the writer forgot it does
        (
            "en",
            "I paid the first installment of the property tax online because I totally forgot "
            "you guys pay it out of escrow. Now you paid it too, so the city got paid twice?",
        ),
        (
            "es",
            "En enero pagué la contribución porque no me acordé de que eso está en el escrow. "
            "Ahora ustedes también la pagaron, o sea que se pagó dos veces.",
        ),
    ],
)
def test_the_writer_taking_the_blame_asserts_no_servicer_error(language: str, text: str) -> None:
    c = run(text)
    assert "notice_of_error" not in c.request_kinds, language
    assert "own_fault" in {s.reason for s in c.suppressions}, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "I paid the homeowners premium myself directly to the insurer, yet you charged me "
            "for force-placed insurance. Cancel it and refund the charge.",
        ),
        (
            "es",
            "La renovación del seguro la pagué yo misma directamente, y aun así me cobraron un "
            "seguro impuesto por ustedes. Cancelen el cargo.",
        ),
        (
            "en",
            "I forgot you pay the taxes out of escrow, so when the county sent a delinquency "
            "notice I checked: you never paid the second installment and there is a penalty.",
        ),
        (
            "es",
            "No me acordé de que ustedes pagan el seguro, pero la aseguradora dice que nunca "
            "pagaron la renovación y la póliza se canceló. Es un error de ustedes.",
        ),
        (
            "en",
            "Your rep said that is on me, but I paid on the 1st and you posted it on the 20th "
            "and charged a late fee.",
        ),
        # the writer's own double payment told, then the servicer's error
        (
            "en",
            "I paid the first half of the taxes since I forgot you pay them. But you never "
            "paid the second half at all, and the county charged a $212 penalty.",
        ),
        (
            "es",
            "Pagué el seguro en marzo porque no me acordé que ustedes lo pagan del escrow. "
            "Pero ustedes también lo pagaron y nunca devolvieron el reembolso, es un error.",
        ),
    ],
)
def test_a_payment_or_lapse_that_is_not_the_writers_doing_is_no_blame_taken(
    language: str, text: str
) -> None:
    assert "notice_of_error" in run(text).request_kinds, language


def test_not_my_fault_is_no_blame_taken() -> None:
    c = run("It is not my fault. You charged the late fee twice on my payment.")
    assert "notice_of_error" in c.request_kinds
    assert "own_fault" not in {s.reason for s in c.suppressions}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "vi",
            "toi ban nha, cong ty title can giay bao so tien tra het no (payoff). xin gui cho toi.",
        ),
        ("ko", "9월 15일 기준 대출 전액 상환 금액(payoff statement)을 보내 주십시오."),
    ],
)
def test_words_describing_the_payoff_ask_for_the_payoff_only(language: str, text: str) -> None:
    kinds = run(text).request_kinds
    assert "payoff_statement" in kinds, language
    assert "request_for_information" not in kinds, language


def test_a_record_asked_for_apart_from_the_payoff_is_still_a_request() -> None:
    text = (
        "Please send me a payoff statement good through May 30 for the closing. Separately, "
        "for my taxes, could you also send me the payment history for all of 2025?"
    )
    kinds = run(text).request_kinds
    assert {"payoff_statement", "request_for_information"} <= set(kinds)


def test_a_sale_pressed_during_a_pending_application_keeps_the_application_kind() -> None:
    # The application's clocks (1024.41) run whether the writer sends it now or presses
    # one already made: both a sale error and the application kind are kept.
    text = (
        "Mwen voye tout papye pou modifikasyon prè a, epi nou ekri m pou di dosye a konplè. "
        "Jodi a mwen resevwa yon avi ki di y ap vann kay la 2 mas 2027. Tanpri kanpe lavant lan."
    )
    c = run(text)
    assert "foreclosure_sale_error" in c.request_subkinds
    assert "loss_mitigation_application" in c.request_kinds


@pytest.mark.parametrize(
    ("language", "subject", "text"),
    [
        ("es", "cobrado de mas", "Hola, es sobre el pago de marzo. Préstamo 7004418825. Gracias."),
        ("en", "wrong", "hi its about my escrow this month, loan 4471902215\nsent from my phone"),
    ],
)
def test_an_error_said_in_the_subject_pairs_with_the_top_of_a_short_body(
    language: str, subject: str, text: str
) -> None:
    assert "notice_of_error" in run(text, subject=subject).request_kinds, language


def test_an_error_word_in_the_subject_pairs_with_nothing_deep_in_the_body() -> None:
    text = "Hello, quick question about the website login. " * 6 + "My loan is 4471902215."
    assert "notice_of_error" not in run(text, subject="wrong password").request_kinds
