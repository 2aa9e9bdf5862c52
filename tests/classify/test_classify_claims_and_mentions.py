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
    assert "notice_of_error" in c.request_kinds
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


@pytest.mark.parametrize(
    "text",
    [
        'I got a text saying "your mortgage payment is past due, verify at srvcr-help.co". '
        "Is this a scam?? I didn't click it. Is my account current?",
        "Ayer me llamó un señor y me pidió mi número de seguro social. No se lo di y colgué. "
        "Quiero saber si fue un fraude.",
        "Hôm qua tôi nhận được email bảo xác minh tài khoản. Cháu tôi nói có thể là lừa đảo. "
        "Tôi chưa bấm vào. Công ty có gửi email này không?",
        "有人加我微信说是你们的贷款中心，让我转一笔保证金。我没有转。我女儿说是诈骗。",
        "Recebi uma mensagem pedindo para confirmar meus dados. Acho que é golpe. Não cliquei.",
        # Feared, not suffered: a transfer letter checked before paying anyone.
        "My mother got a letter saying her loan was transferred and one from you saying "
        "welcome. She's afraid one of them is a scam, so she hasn't paid December yet. "
        "Who owns the loan now?",
        "Recibí una carta diciendo que su compañía ahora maneja mi préstamo. Tengo miedo de "
        "que sea una estafa. ¿Quién es el dueño de mi préstamo?",
        "أخاف أن تكون هذه رسالة احتيال. لم أضغط على الرابط. هل أرسلتم هذه الرسالة؟",
    ],
)
def test_a_scam_the_writer_suspects_and_did_not_fall_for_is_no_fraud_report(text: str) -> None:
    c = run(text)
    assert "fraud_identity_theft" not in c.family_names
    assert any(s.reason == "suspicion" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        # The impostor knew the writer's loan number: their data is in someone's hands.
        "A man called saying he was from you. He knew my loan number and address. I think "
        "it was a scam; I hung up.",
        # Stated, not suspected.
        "I was scammed by a caller posing as your company and paid him $800 by Zelle.",
        # Suspected, but the writer did act on it.
        "I think it was a scam. I paid them $800 by Zelle before I realised.",
        # Feared, and acted on.
        "I'm afraid I was scammed. I paid $2,000 to a company that said it was you.",
        # "可怕" is "terrible", no fear of a scam: this one is stated.
        "太可怕了，这是诈骗。我没有转。",
        "Creo que fue una estafa: el señor sabía mi número de préstamo. Colgué.",
    ],
)
def test_a_scam_that_reached_the_writer_is_still_a_fraud_report(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Someone changed my address on my account. I live in Colorado.",
        "Somebody got into my account this morning and I can't log in.",
        "I think someone is stealing my identity.",
        "My email on the loan was changed. I did NOT make that change.",
        "Alguien usó mi nombre para abrir una línea de crédito sobre mi casa.",
    ],
)
def test_someone_else_acting_as_the_writer_on_their_account_is_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can someone update my email address on the loan?",
        "Is someone able to change my mailing address for me?",
    ],
)
def test_asking_someone_to_change_the_account_is_no_fraud(text: str) -> None:
    assert "fraud_identity_theft" not in families(text)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("media_threat", "I saw an ad on Facebook for guaranteed modifications. Is it yours?"),
        (
            "media_threat",
            "Anoche en Univision pasaron un reportaje sobre robo de identidad. ¿Pueden poner "
            "un PIN en mi cuenta?",
        ),
        ("media_threat", "May nakita akong ad sa Facebook tungkol sa modification. Legit ba?"),
        (
            "regulator_complaint",
            "M t ap koute radyo a maten an, yo t ap pale de CFPB. M vle analiz escrow a.",
        ),
    ],
)
def test_an_outlet_where_the_writer_saw_or_heard_something_is_no_threat(
    family: str, text: str
) -> None:
    c = run(text)
    assert family not in c.family_names
    assert any(s.reason == "seen_in_media" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        "We will go to Univision and Telemundo with this story if you do not fix it.",
        "If I don't hear back this week I will post a video on TikTok about you.",
        "Si m pa tande anyen semèn sa a, m ap fè yon videyo sou TikTok.",
    ],
)
def test_a_threat_to_go_to_the_media_still_escalates(text: str) -> None:
    assert "media_threat" in families(text)


def test_a_matter_resolved_across_a_wrapped_line_is_resolved() -> None:
    text = (
        "Hola. Mi mamá falleció en 2024 y el año pasado ustedes ya me confirmaron como sucesora\n"
        "(todo eso quedó resuelto, gracias). Me pueden mandar la 1098 a mi nombre?"
    )
    c = run(text)
    assert "successor_in_interest" not in c.family_names
    assert any(s.reason == "resolution" for s in c.suppressions)


def test_a_short_line_still_ends_its_sentence() -> None:
    text = "My mother passed away in May\n(the rest of the family was fixed up fine)."
    assert "successor_in_interest" in families(text)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        (
            "servicemember",
            "Can I get a 24-month payment history on the loan for 18 Harbor View Rd? My\n"
            "tenant is active duty Navy and just got deployment orders.",
        ),
        (
            "foreclosure_sale",
            "The house two doors down from me was sold at a foreclosure auction last week. "
            "Am I behind at all?",
        ),
        (
            "foreclosure_sale",
            "تصلني منكم رسائل باسم المالك السابق فيها كلمات مثل بيع بالمزاد. أرجو تحديث العنوان.",
        ),
        (
            "servicemember",
            "Mi inquilino está en el ejército y se va a Alemania. ¿Cuál es mi saldo?",
        ),
    ],
)
def test_a_tenants_or_a_previous_owners_situation_is_theirs(family: str, text: str) -> None:
    c = run(text)
    assert family not in c.family_names
    assert any(s.reason == "other_party" for s in c.suppressions)


def test_the_writers_own_deployment_is_still_a_servicemember() -> None:
    assert "servicemember" in families("I am active duty Navy and just got deployment orders.")


@pytest.mark.parametrize(
    "text",
    [
        "I had a bankruptcy in 2012, discharged long before I bought this house. I want to "
        "refinance; what is my balance?",
        "Tive uma falência (bankruptcy) em 2013, já encerrada há muito tempo, antes de comprar "
        "esta casa. Qual é o saldo?",
        "Yung Chapter 7 ko ay natapos pa noong 2014, matagal na bago ko kinuha ang loan na ito.",
    ],
)
def test_a_bankruptcy_over_before_this_loan_is_no_bankruptcy_now(text: str) -> None:
    c = run(text)
    assert "bankruptcy" not in c.family_names
    assert any(s.reason == "resolution" for s in c.suppressions)


def test_a_bankruptcy_filed_on_this_loan_still_escalates() -> None:
    assert "bankruptcy" in families("We filed chapter 13 last week, after we bought this house.")


def test_repaying_the_loan_in_french_asks_for_a_payoff_not_a_refund() -> None:
    c = run(
        "Nous vendons notre condo. Pourriez-vous nous faire parvenir un état du solde "
        "valide jusqu'au 15 avril?",
        subject="Vente condo - montant pour rembourser le prêt",
    )
    assert "notice_of_error" not in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Recibí una herencia y quiero terminar de pagar la casa. ¿Cuánto debo?",
        "Recebi uma herança e quero pagar $40 mil do principal.",
        "I received an inheritance and want to pay $30,000 toward principal.",
        "Bố mẹ tôi rất lo lắng, mẹ tôi mất ngủ cả tuần nay vì phí trễ hạn.",
    ],
)
def test_an_inheritance_received_as_money_or_lost_sleep_is_no_succession(text: str) -> None:
    assert "successor_in_interest" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mi papá falleció y soy su heredera; la casa está en la herencia.",
        "Mẹ tôi mất tháng trước, tôi là người thừa kế căn nhà.",
    ],
)
def test_an_heir_writing_after_a_death_is_still_a_successor(text: str) -> None:
    assert "successor_in_interest" in families(text)


def test_a_neighbours_complaint_to_a_regulator_is_theirs() -> None:
    c = run(
        "I am not filing any complaint! My neighbour told me he went to the BBB about his "
        "bank, but my experience with you was very good."
    )
    assert "regulator_complaint" not in c.family_names
    assert any(s.reason == "other_party" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        "My friend told me to go to the CFPB, and I will file there tomorrow.",
        "Mi vecino me dijo que voy a tener que ir a la CFPB si no contestan.",
    ],
)
def test_the_writers_own_intent_after_naming_someone_else_still_counts(text: str) -> None:
    assert "regulator_complaint" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "We filed Chapter 13 bankruptcy last week. Our old Chapter 7 ended long before we "
        "bought this house.",
        "We filed Chapter 13 bankruptcy. We had another one long before we bought this house.",
    ],
)
def test_a_filing_stays_live_beside_an_older_one_over_before_this_loan(text: str) -> None:
    assert "bankruptcy" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Is this a scam? Somebody texted me saying they were from you and I sent $1,500. "
        "You never call me back.",
        "Is this a scam? A man called about my loan and I paid him $900. You didn't respond.",
    ],
)
def test_a_writer_who_paid_the_scammer_reports_fraud_whatever_the_servicer_did_not_do(
    text: str,
) -> None:
    assert "fraud_identity_theft" in run(text).family_names


def test_an_error_the_servicer_made_beside_a_fraud_report_is_still_a_notice_of_error() -> None:
    c = run(
        "Someone stole my identity and opened accounts in my name. Separately, you added "
        "insurance to my escrow that I never requested."
    )
    assert "notice_of_error" in c.request_kinds
    assert "fraud_identity_theft" in c.family_names


def test_a_writer_who_read_our_letter_and_filed_with_the_cfpb_complains_to_a_regulator() -> None:
    c = run("I read your letter and filed a CFPB complaint today.")
    assert "regulator_complaint" in c.family_names
