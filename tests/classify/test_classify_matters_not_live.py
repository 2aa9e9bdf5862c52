"""Context that makes bankruptcy, succession and representation words no live matter on
this loan: a bankruptcy over or never needed, an employer's or an adult child's
bankruptcy, a living borrower's will, a surviving co-borrower who signed the loan, and a
lawyer only advised, a trade's clients, a relative entrusted, a closing office's titles
and a court's paper that is no suit. Each beside the wording that still escalates."""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run

# --- bankruptcy over, or only considered --------------------------------------------


def test_a_bankruptcy_discharged_in_a_year_named_without_was() -> None:
    c = run(
        "We had a chapter 7 back in 2019 (discharged in 2019, we kept the house). "
        "Is that why we get no statements?"
    )
    assert "bankruptcy" not in {h.family for h in c.families}
    assert any(s.reason == "resolution" and s.rule == "bankruptcy" for s in c.suppressions)
    assert "bankruptcy" in families("We filed a chapter 7 and need to know what happens now.")


@pytest.mark.parametrize(
    "text",
    [
        "I had a Chapter 7 bankruptcy back in 2014 (discharged October 2014, long over), so "
        "the lender wants the payment history directly from you.",
        "Sorry if I sound panicky, I went through a bankruptcy back in 2017 (discharged) and "
        "I'm paranoid about anything that looks like a missed payment.",
    ],
)
def test_a_bankruptcy_told_as_discharged_years_ago_in_brackets(text: str) -> None:
    assert "bankruptcy" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "The first bankruptcy is long over, but we are now in a new chapter 13 case.",
        "Our chapter 13 plan was confirmed in June. The layoff is long behind us, so we can "
        "make the trustee payments now.",
        "My chapter 13 plan has two more years to run and I should be discharged around 2028.",
    ],
)
def test_a_live_bankruptcy_beside_words_of_something_over_still_counts(text: str) -> None:
    assert "bankruptcy" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Me declaré en bancarrota hace años, eso ya se terminó en 2017. Mándenme el historial.",
        "La página dice que está en bancarrota. Pero su caso de bancarrota se cerró en marzo "
        "de 2024. ¿Qué necesita mandar?",
    ],
)
def test_a_spanish_bankruptcy_ended_in_a_year_named(text: str) -> None:
    assert "bankruptcy" not in families(text)


def test_a_bankruptcy_closed_in_a_year_still_counts_beside_a_filing_last_week() -> None:
    assert "bankruptcy" in families(
        "Our old case closed in 2015, but we filed chapter 13 again last week."
    )


def test_a_chinese_bankruptcy_considered_and_no_longer_needed() -> None:
    found = families(
        "去年店裡生意很差，我本來已經去找律師談申請破產了，後來你們幫我做了還款計畫，"
        "現在貸款都正常了，也不用破產了。"
    )
    assert "bankruptcy" not in found
    assert "bankruptcy" in families("去年店裡生意很差，我已經申請破產了。")


def test_an_english_bankruptcy_no_longer_needed() -> None:
    assert "bankruptcy" not in families(
        "We talked to a lawyer about bankruptcy, but with the new job we no longer need to file."
    )


# --- someone else's bankruptcy --------------------------------------------------------


def test_a_chinese_employers_bankruptcy() -> None:
    assert "bankruptcy" not in families(
        "我任職的半導體公司上個月宣布破產，全部員工都被資遣。想申請寬限期。"
    )
    assert "bankruptcy" in families("我上個月宣布破產，想知道貸款怎麼辦。")


def test_a_relatives_bankruptcy_told_with_the_writer_is_still_escalated() -> None:
    # "My son and I filed" names a relative before the filing, and the writer is the
    # debtor: a bankruptcy is never dropped as a relative's, even when the writer
    # signed the loan with someone.
    c = run("My son and I filed for chapter 13 bankruptcy last week. We both signed the mortgage.")
    assert "bankruptcy" in {h.family for h in c.families}


# --- a living borrower's will -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "유언장 정리 때문에 변호사가 대출 서류를 달라고 합니다. 사본을 보내 주실 수 있을까요?",
        "Gusto ko pong malaman ang balanse bago ako magpagawa ng testamento.",
        "ارجو ارسال نسخة من عقد الرهن، المحامي يحتاجها عشان نعمل ورق الوصية.",
        "我想立遗嘱，请把贷款余额寄给我。",
        "Tôi đang làm di chúc, xin gửi cho tôi số dư khoản vay.",
        "I'm his only child and I'll be executor under his will. What is the balance?",
    ],
)
def test_a_will_being_made_is_no_succession(text: str) -> None:
    assert "successor_in_interest" not in families(text)


def test_a_will_of_one_who_died_is_still_succession() -> None:
    assert "successor_in_interest" in families(
        "Mi papá murió y dejó la casa en su testamento. ¿Qué necesito para el préstamo?"
    )


# --- a surviving co-borrower ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Meu marido faleceu no dia 2 de agosto. Nós dois assinamos o empréstimo da casa "
        "juntos em 2015 e eu continuo pagando.",
        "Mi esposo falleció el 9 de marzo. Los dos firmamos el préstamo cuando compramos "
        "la casa y yo voy a seguir pagando.",
        "My husband passed away in May. We both signed the mortgage and I keep paying.",
        "Mẹ tôi là người đồng vay với cha tôi. Mẹ tôi đã mất ngày 28/10.",
    ],
)
def test_a_surviving_co_borrower_is_no_successor(text: str) -> None:
    assert "successor_in_interest" not in families(text)


def test_a_widow_not_on_the_loan_is_still_a_successor() -> None:
    assert "successor_in_interest" in families(
        "My husband passed away in May. He was the only one on the mortgage. "
        "How do I take over the payments?"
    )


def test_inheritance_money_paying_the_loan_is_no_succession_in_creole() -> None:
    assert "successor_in_interest" not in families(
        "mwen vle yon pè of paske frè m ap ede m peye l ak lajan eritaj manman nou"
    )


# --- legal words that are no representation ---------------------------------------------


def test_others_advice_to_get_a_lawyer_is_no_representation() -> None:
    assert "legal_representation" not in families(
        "People keep telling me to get a lawyer. I just want to know if you got the check."
    )
    assert "legal_representation" in families("I am going to get a lawyer over this.")


def test_a_trades_clients_paying_the_writer_are_no_lawyers_clients() -> None:
    assert "legal_representation" not in families(
        "Quisiera pagar en dos partes porque a mí me pagan mis clientes cada quincena."
    )
    assert "legal_representation" in families(
        "Mis clientes, los señores Ybarra, disputan el cargo."
    )


def test_a_relative_entrusted_by_the_borrowers_is_no_law_office() -> None:
    assert "legal_representation" not in families(
        "我是借款人的女儿。我父母委托我帮他们处理房贷的事情。请提供提前还清金额。"
    )
    assert "legal_representation" in families("本所受借款人委托，请停止直接联络借款人。")


def test_a_closing_office_signing_with_its_titles_orders_a_payoff_only() -> None:
    c = run(
        "Our office is handling the closing on the sale of the property. Please provide a "
        "payoff statement good through June 10.\n\nBrittany Caudle\n"
        "Paralegal to Robert Ames, Attorney at Law\nPiedmont Closing Law, PLLC"
    )
    assert "legal_representation" not in {h.family for h in c.families}
    assert any(s.reason == "closing_firm" for s in c.suppressions)


def test_a_spanish_closing_office_orders_a_payoff_only() -> None:
    assert "legal_representation" not in families(
        "Nuestro bufete funge como agente de cierre en la compraventa de la propiedad. "
        "Solicitamos el payoff statement del préstamo."
    )
    assert "legal_representation" in families(
        "Nuestro bufete representa a la señora en la disputa sobre los cargos."
    )


def test_a_creole_court_paper_setting_a_sale_is_no_suit() -> None:
    assert "legal_representation" not in families(
        "Mwen resevwa yon papye tribinal ki di y ap vann kay mwen 19 me."
    )
    assert "legal_representation" in families(
        "Bonjou, papye tribinal yo rive lakay mwen vandredi pase. Mwen pa konnen kisa pou m "
        "fè ak kay la."
    )


@pytest.mark.parametrize(
    "text",
    [
        # Another case dismissed, this one open: in the same sentence...
        "Our first chapter 13 was dismissed in 2022 and we are now in a new chapter 13 case.",
        # ...or the next one.
        "We still have an open chapter 13. My husband's separate case was dismissed years ago.",
        "Me declaré en bancarrota otra vez; el caso anterior se cerró en 2019 pero este sigue"
        " abierto.",
        # "No longer have to go" to a sale is no bankruptcy given up.
        "We filed chapter 13 in March. Our lawyer says we no longer have to go to the sale.",
    ],
)
def test_a_case_closed_elsewhere_leaves_a_live_bankruptcy(text: str) -> None:
    assert "bankruptcy" in families(text)
