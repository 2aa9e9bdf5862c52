"""Look-alikes that fresh mail shows: words of an escalation family or of an error used by
a writer to whom the family does not apply. A surviving co-borrower succeeds to
nothing; a coworker's advice to file bankruptcy is no filing; an error the writer calls
settled is not asserted; a contact the writer "no longer uses" is no error; a payoff
asked to sell the house is no foreclosure sale. Each keeps its plain counterpart."""

from __future__ import annotations

from pipeline.classify.classifier import Classification, classify
from pipeline.classify.rules import MessageFields
from tests.classify.wording import RULES, families, run


def _with_subject(subject: str, text: str) -> Classification:
    return classify(MessageFields(subject=subject, text=text), RULES)


def test_a_surviving_co_borrower_is_no_successor_in_english() -> None:
    assert "successor_in_interest" not in families(
        "My husband passed away in May. The loan is in both our names. Can you send me the payoff?"
    )
    assert "successor_in_interest" not in families(
        "Divorce was final in June and my ex signed a quitclaim already. "
        "Both of us are still on the loan."
    )
    assert "successor_in_interest" in families(
        "My father passed away in May. I inherited the house. What do I do about his loan?"
    )


def test_a_widow_on_the_loan_with_her_husband_is_no_successor_in_spanish() -> None:
    assert "successor_in_interest" not in families(
        "Yo me atrasé porque mi esposo falleció en marzo (el préstamo está a nombre de "
        "los dos) y su pensión se cortó."
    )
    # Of both parents, "los dos" are the ones who died: the child may be a successor.
    assert "successor_in_interest" in families(
        "Mi papá falleció en enero y mi mamá en marzo. El préstamo está a nombre de los dos."
    )


def test_a_surviving_co_borrower_is_no_successor_in_other_languages() -> None:
    for text in (
        "Meu marido faleceu em maio, o empréstimo está no nome dos dois.",
        "Mon mari est décédé en mai. Le prêt est à nos deux noms.",
        "Namatay ang asawa ko noong Mayo. Nakapangalan po sa aming dalawa ang loan.",
        "Chồng tôi mất tháng 5. Khoản vay đứng tên cả hai vợ chồng tôi.",
    ):
        assert "successor_in_interest" not in families(text), text


def test_a_coworkers_advice_to_file_bankruptcy_is_no_filing() -> None:
    assert "bankruptcy" not in families(
        "A guy at work keeps telling me to just file bankruptcy. I'm not doing that, "
        "I want to work something out with you."
    )
    assert "bankruptcy" not in families(
        "Un señor del trabajo me dice que me declare en bancarrota, pero no quiero."
    )
    assert "bankruptcy" in families("I filed bankruptcy last month, chapter 13.")


def test_an_error_the_writer_calls_settled_is_not_asserted() -> None:
    assert (
        "notice_of_error"
        not in run(
            "Back in June the old servicer charged my escrow twice for homeowners insurance, "
            "but they caught it, refunded it in August, so that's all settled."
        ).request_kinds
    )
    assert (
        "notice_of_error"
        not in run(
            "En junio me cobraron el escrow dos veces, pero ya está todo arreglado."
        ).request_kinds
    )
    assert (
        "notice_of_error"
        in run(
            "You charged my escrow twice for homeowners insurance. Please refund it."
        ).request_kinds
    )


def test_a_vietnamese_contact_no_longer_used_is_no_error() -> None:
    changed = run(
        "Tôi mới đổi số điện thoại và email. Xin cập nhật giùm tôi. Email cũ tôi không dùng nữa."
    )
    assert "notice_of_error" not in changed.request_kinds
    wrong = run("Tiền ký quỹ (escrow) trong bảng sao kê không đúng.")
    assert "notice_of_error" in wrong.request_kinds


def test_a_haitian_payoff_asked_to_sell_the_house_is_no_foreclosure_sale() -> None:
    selling = _with_subject(
        "Payoff pou vann kay la",
        "Nou ap vann kay nou an, closing lan fikse pou 18 desanm. Tanpri voye payoff la.",
    )
    assert "foreclosure_sale" not in {h.family for h in selling.families}
    sale = _with_subject("Vann kay la", "Yo fikse dat vann kay la pou 18 desanm.")
    assert "foreclosure_sale" in {h.family for h in sale.families}


def test_the_buyer_of_the_writers_house_is_someone_else() -> None:
    assert "servicemember" not in families(
        "We're selling our place and the buyer is a young Navy corpsman who'd like to "
        "assume our VA loan."
    )
    assert "servicemember" in families("I am in the Navy and just got orders to deploy.")


def test_a_paid_off_lien_not_released_is_an_error() -> None:
    assert (
        "notice_of_error"
        in run(
            "I paid my loan off in full in November. It is now April and the deed of trust "
            "still hasn't been released in the county land records."
        ).request_kinds
    )
    assert (
        "notice_of_error"
        in run(
            "Pagué el préstamo completo en noviembre y todavía no han liberado el gravamen."
        ).request_kinds
    )
    assert (
        "notice_of_error"
        not in run(
            "This is not a dispute of any kind. Please send me a copy of the deed of trust."
        ).request_kinds
    )


def test_insurance_named_after_a_disaster_is_no_disaster_in_every_language() -> None:
    for text in (
        "Vous avez souscrit une assurance inondation à ma place. Cette assurance imposée "
        "n'a aucune raison d'être.",
        "Vocês colocaram um seguro contra enchentes na minha conta, mas eu já tenho.",
        "Nou mete asirans inondasyon sou kont mwen.",
        "Công ty mua bảo hiểm lũ lụt cho tôi nhưng tôi đã có rồi.",
        "Nilagyan ninyo ng insurance sa baha ang account ko.",
        "귀사에서 홍수 보험을 추가했습니다.",
        "أضفتم تأمين ضد الفيضانات إلى حسابي.",
        "你们给我加了洪水保险。",
    ):
        assert "disaster_hardship" not in families(text), text
    for text in (
        "Notre maison a été détruite par une inondation le mois dernier.",
        "A enchente destruiu nossa casa.",
        "Nhà tôi bị lũ lụt tuần trước.",
        "홍수로 집이 침수되었습니다.",
        "洪水把我们的房子淹了。",
    ):
        assert "disaster_hardship" in families(text), text


def test_nobody_as_the_actor_negates_what_was_done() -> None:
    assert "fraud_identity_theft" not in families(
        "I got locked out after 3 tries. To be clear nobody hacked anything, I just forgot "
        "which password I used."
    )
    assert "fraud_identity_theft" in families("Someone hacked my email and changed my autopay.")
    # Being ignored is still a complaint, whose words begin with "nobody".
    assert "complaint" in families("Nobody responds to my letters, this is the third time.")
