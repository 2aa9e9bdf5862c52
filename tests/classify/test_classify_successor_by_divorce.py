"""A home passed by a divorce decree makes a successor in interest (12 CFR 1024.31), to
the writer or to the ex-spouse the writer names, in each language; a divorce that passes
no home, or words of a divorce beside a home that stays as it was, make none."""

from __future__ import annotations

import pytest

from tests.classify.wording import families


@pytest.mark.parametrize(
    "text",
    [
        "Our divorce was final October 6 and the decree awards me the house and makes me "
        "responsible for the mortgage going forward.",
        "My ex-wife got the house in our divorce last year and the decree says she pays.",
        "The house was awarded to me in the divorce decree.",
        "In the divorce, the house went to me.",
        "I received the house as part of the divorce settlement.",
        "Per the divorce decree (attached), the house is now mine.",
        "The judgment of dissolution awarded me the house.",
        "Me divorcié en abril y el juez me dio la casa de la calle Encanto.",
        "Me divorcié en marzo y en la sentencia la casa de Cranston quedó para mi ex esposa.",
        "Divorciámo-nos em junho e, pela sentença do tribunal, a casa da Ferry Street ficou "
        "para mim.",
        "O financiamento está só no nome dele, mas no divórcio o juiz deu a casa pra mim.",
        "Divorced na po kami last August, at sa divorce decree, sa akin na po napunta yung bahay.",
        "저희는 5월에 이혼했고, 이혼 판결문에 따라 집은 제 단독 소유로 이전되었습니다.",
        "我们今年离婚了，法院把房子判给我。",
        "Depuis le divorce, le juge m'a attribué la maison et je veux continuer à payer.",
        "Khi ly hôn, tòa xử căn nhà cho tôi và chồng cũ đã ký giấy tờ.",
        "بعد الطلاق حكمت المحكمة بأن البيت لي.",
        "Nan divòs la, jij la bay mwen kay la.",
    ],
)
def test_a_home_passed_by_a_divorce_decree_is_a_successor_in_interest(text: str) -> None:
    assert "successor_in_interest" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "My divorce is final and I want to refinance to take my ex off the loan. Payoff please.",
        "We divorced in 2015 and the judge gave me the car, the house is still in both names.",
        "Me divorcié hace años. ¿Me pueden mandar el estado de cuenta de la casa?",
        "After the divorce I gave you my new home address, please update it.",
        "Since my divorce I got home insurance in my own name.",
        "After our divorce my ex went to the house and took the mail.",
        "If she gets the house in the divorce, can she assume the loan?",
        "Despues del divorcio la casa quedo a la venta y necesito el payoff.",
        "Despues del divorcio paso por la casa una vez por semana.",
        "Desde o divórcio ele passou a pagar a casa sozinho, mas a casa continua no nome dos dois.",
        "Depois do divórcio a casa ficou à venda.",
        "Depuis le divorce, il me laisse payer la maison toute seule.",
        "Sau khi ly hôn, tôi vẫn trả tiền nhà đều đặn, xin gửi bảng sao kê cho tôi.",
        "이혼했지만 집은 여전히 두 사람 명의로 되어 있습니다.",
        "我们离婚了，但房子还是归我们两个人共有。",
        "بعد الطلاق ما زلت أسكن في البيت الحالي.",
        "Hiwalayan na kami pero ibinigay ko pa rin yung bahay na address sa inyo.",
    ],
)
def test_a_divorce_that_passes_no_home_makes_no_successor(text: str) -> None:
    assert "successor_in_interest" not in families(text)
