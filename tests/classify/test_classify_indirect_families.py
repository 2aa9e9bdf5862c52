"""Escalation families told indirectly, and their look-alikes.

A lawyer in the family taking over, court papers served, a trustee paying out of a
plan, a borrower sorted apart from others, an old person who does not know what she
signed: each is the family without its name. A coworker's bankruptcy, a closing
attorney, a discharge years ago, a rumour read on Facebook, a threat ruled out: each
uses the words without the writer's claim.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run

# --- legal representation ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Our son-in-law Michael is an attorney and he said he will take it from here, "
        "so please send everything to him as well.",
        "Mi yerno es abogado, Alejandro Ibarra, y él dice que de aquí en adelante él se va "
        "a encargar de esto.",
    ],
)
def test_a_lawyer_in_the_family_taking_the_matter_over_is_representation(text: str) -> None:
    found = run(text)
    hit = next(h for h in found.families if h.family == "legal_representation")
    # The cue is the act, not the lawyer's name.
    assert all("Michael" not in e.matched and "Ibarra" not in e.matched for e in hit.evidence)


def test_a_relative_who_is_a_lawyer_and_only_advises_is_no_representation() -> None:
    assert "legal_representation" not in families(
        "My son is a lawyer and he told me to ask for the payment history."
    )


def test_court_papers_served_are_litigation() -> None:
    assert "legal_representation" in families(
        "the court papers came yesterday, a deputy handed them to my wife at the door."
    )


def test_a_summons_and_complaint_is_litigation_and_no_grievance() -> None:
    found = families('Papye tribinal yo rive, se yon "summons and complaint" tribinal Queens.')
    assert "legal_representation" in found
    assert "complaint" not in found


def test_court_papers_of_a_custody_case_are_no_litigation_with_us() -> None:
    assert "legal_representation" not in families(
        "The court papers came last week, they are about the custody of my son."
    )


def test_a_closing_attorney_ordering_a_payoff_is_no_representation() -> None:
    assert "legal_representation" not in families(
        "This office is the closing attorney for the sale of 88 Rosewood Ln. Please provide "
        "a written payoff statement good through July 15."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Our office is assisting Ms. Pennington. Please direct further communication about "
        "this account to me.",
        "Please provide a payment history.\n\nJasmine Reid\nStaff Attorney, Housing Unit",
    ],
)
def test_communication_through_a_legal_aid_office_is_representation(text: str) -> None:
    assert "legal_representation" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "From today on I do not want any phone calls, texts or letters from your "
        "collections department.",
        "No quiero más llamadas, mensajes ni cartas de cobranza.",
    ],
)
def test_calls_and_letters_refused_alike_are_a_demand_to_cease(text: str) -> None:
    assert "legal_representation" in families(text)


def test_stop_calling_alone_is_still_no_demand_to_cease() -> None:
    assert "legal_representation" not in families("Stop calling me. Send me letters instead.")


# --- bankruptcy ---------------------------------------------------------------------


def test_a_coworkers_chapter_13_and_lawyer_are_someone_elses() -> None:
    found = families(
        "A guy I work with was telling us at lunch that his bank foreclosed on him while he "
        "was in a chapter 13 and he had to get a lawyer to stop it."
    )
    assert "bankruptcy" not in found
    assert "legal_representation" not in found


@pytest.mark.parametrize(
    "text",
    [
        "The company I worked for filed for bankruptcy in March and I lost my job.",
        "L'usine où je travaillais depuis 11 ans a fait faillite en août.",
    ],
)
def test_an_employers_bankruptcy_is_not_the_borrowers(text: str) -> None:
    assert "bankruptcy" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "The trustee's office told me at the meeting last week that I should stop sending my "
        "house payment to yall and they will pay yall out of my plan.",
        "En junio el juez de la corte de quiebras aprobó mi plan de pagos de 5 años.",
    ],
)
def test_a_chapter_13_told_by_its_parts_is_bankruptcy(text: str) -> None:
    assert "bankruptcy" in families(text)


def test_a_trustee_sale_is_no_chapter_13() -> None:
    assert "bankruptcy" not in families("The trustee sale is set for March 3 at the courthouse.")


def test_a_bankruptcy_discharged_years_ago_is_over() -> None:
    found = run(
        "Back in 2019 we went through a chapter 7. It was discharged in October 2019 and we "
        "kept the house.\n\nMy wife's credit report shows your tradeline with a note "
        '"included in bankruptcy". How are you reporting the loan?'
    )
    assert "bankruptcy" not in found.family_names
    assert any(s.reason == "resolution" and s.matched == "chapter 7" for s in found.suppressions)


# --- discrimination -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can't help feeling that the minute I said disability I was put in a different pile.",
        "Mi vecina, que es güera y también pidió ayuda con ustedes, dice que a ella nunca le "
        "pidieron nada de eso.",
        "Será que é porque a gente é brasileiro e fala com sotaque?",
        "On finit par se demander si c'est parce qu'on est Africains qu'on nous traite ainsi.",
        "我們不得不懷疑，是不是因為我們是亞洲人、英文不好，所以被這樣對待？",
        "في كل مكالمة يسألني الموظف عن أصل اسمي وأين وُلدت.",
    ],
)
def test_a_borrower_sorted_apart_for_who_they_are_is_discrimination(text: str) -> None:
    assert "discrimination" in families(text)


def test_a_chinese_a_not_a_question_is_no_negation() -> None:
    # "是不是" asks "is it or not"; its "不是" negates nothing.
    assert "discrimination" in families("是不是因為我是女人，所以被這樣對待？")


def test_a_chinese_plain_negation_still_negates() -> None:
    assert "discrimination" not in families("我不是因為我是亞洲人才這樣說。")


def test_a_comparison_borrowers_name_stays_out_of_the_evidence() -> None:
    found = run("My neighbor, who is white, Bob Jones applied the same month and was approved.")
    hit = next(h for h in found.families if h.family == "discrimination")
    assert all("Bob" not in e.matched for e in hit.evidence)


# --- elder exploitation -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mom is 79 and gets more forgetful. My mother doesn't understand what she signed.",
        "Mrs. Marchetti is 87. Her grandson has had control of her finances since 2025.",
        "Mi abuela tiene 82 años. Su novio nuevo es el que ahora cobra la renta de la casita.",
        "Mi abuela tiene 82 años. Él le está insistiendo que le pase la casa a su nombre.",
        "어머니는 85세입니다. 그분이 가져온 서류에 여러 번 서명하셨다고 하는데 무슨 서류인지 전혀 "
        "모르십니다.",
        "Manman m gen 84 an. Li siyen yon pakèt papye.",
        "Mẹ tôi 80 tuổi. Ông ta bắt mẹ tôi ký mấy tờ giấy tiếng Anh.",
    ],
)
def test_an_old_person_signing_unknowingly_or_losing_control_is_exploitation(text: str) -> None:
    assert "elder_exploitation" in families(text)


# --- fraud --------------------------------------------------------------------------


def test_changes_the_borrower_did_not_make_any_of_are_fraud() -> None:
    assert "fraud_identity_theft" in families("I did not make any of these changes.")


def test_someone_named_as_not_authorized_to_act_is_no_consent_denied() -> None:
    assert "fraud_identity_theft" not in families(
        "Please add a note that the grandson is not authorized to act for her."
    )


# --- media --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Je connais des journalistes du Miami Herald ; si ce n'est pas réglé, je leur raconte "
        "tout.",
        "이번 주 안에 해결 안 되면 이 일을 영상으로 만들어서 유튜브에 올리겠다고 합니다.",
        "Tôi sẽ kể lại chuyện này trên chương trình radio buổi sáng và gửi bài cho báo.",
    ],
)
def test_telling_the_press_in_other_words_is_a_media_threat(text: str) -> None:
    assert "media_threat" in families(text)


def test_a_media_threat_the_writer_rules_out_is_none() -> None:
    assert "media_threat" not in families(
        "I'm not going to threaten you with lawyers or the evening news."
    )


def test_people_commenting_on_facebook_is_a_rumour_read_not_a_threat() -> None:
    assert "media_threat" not in families(
        "Vi ontem num grupo de brasileiros aqui de Massachusetts no Facebook um pessoal "
        "comentando que vocês foram comprados."
    )


# --- regulator ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Yesterday I talked to someone at the consumer bureau in Washington and they gave me "
        "a number.",
        "Mi hija me ayudó a hablar con la oficina del gobierno que protege a los consumidores.",
    ],
)
def test_the_cfpb_by_what_it_does_is_a_regulator_complaint(text: str) -> None:
    assert "regulator_complaint" in families(text)


def test_a_cfpb_case_closed_as_satisfied_is_over() -> None:
    assert "regulator_complaint" not in families(
        "En el portal de la CFPB marqué que quedé satisfecho con la respuesta."
    )


# --- successor in interest ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mi papá falleció el 28 de enero. La casa y el préstamo están a mi nombre nada más.",
        "My father passed away in January. He was never on the loan.",
    ],
)
def test_a_death_of_someone_never_on_the_loan_makes_no_successor(text: str) -> None:
    found = run(text)
    assert "successor_in_interest" not in found.family_names
    assert any(s.reason == "other_party" for s in found.suppressions)


def test_an_heir_still_succeeds() -> None:
    assert "successor_in_interest" in families(
        "My father passed away in January and I am his heir."
    )


# --- foreclosure sale, complaint, application ---------------------------------------


def test_a_sale_told_as_it_happens_is_a_foreclosure_sale() -> None:
    assert "foreclosure_sale" in families(
        "a man taped a paper on my door today saying theyre selling the house on the 14th."
    )


def test_a_house_next_door_being_sold_is_no_foreclosure_sale() -> None:
    assert "foreclosure_sale" not in families("They are selling the house next door on the 14th.")


def test_telling_the_servicer_again_and_again_is_a_complaint() -> None:
    assert "complaint" in families("I have told your people 6 times that I sent everything.")


def test_an_application_beside_served_court_papers_is_still_an_application() -> None:
    found = run(
        "the court papers came yesterday.\n\nI want to do the modification so we can catch up. "
        "I put my last 2 paystubs and a letter explaining in the attachment."
    )
    assert "legal_representation" in found.family_names
    assert "loss_mitigation_application" in found.request_kinds


# --- the same structures in other languages -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "زوج أختي، الأستاذ كريم الحسيني، محامٍ، وقد طلب أن تتواصلوا معه من الآن بخصوص هذا الموضوع.",
        "Meu advogado, Dr. Paulo Siqueira, deu entrada semana passada no meu pedido.",
        "Tôi đã giao vụ này cho luật sư bên văn phòng luật lo.",
    ],
)
def test_a_lawyer_who_has_the_matter_now_is_representation_in_each_language(text: str) -> None:
    found = run(text)
    hit = next(h for h in found.families if h.family == "legal_representation")
    assert all("كريم" not in e.matched and "Paulo" not in e.matched for e in hit.evidence)


def test_a_lawyer_who_asked_the_writer_for_papers_is_no_representation_in_portuguese() -> None:
    assert "legal_representation" not in families(
        "É pro meu advogado de imigração, ele pediu pra mostrar que a casa é minha."
    )


def test_a_letter_received_from_a_law_office_is_no_lawyer_of_the_writers() -> None:
    assert "legal_representation" not in families(
        "وصلتني اليوم رسالة من مكتب محاماة تقول إن بيتي سيباع."
    )


def test_a_law_office_handling_a_sales_closing_is_no_representation_in_korean() -> None:
    assert "legal_representation" not in families(
        "저희 Park & Lee 법률사무소는 주택 매매 건의 매도인 측 클로징을 맡고 있습니다."
    )


def test_a_chapter_13_told_by_its_parts_in_portuguese_is_bankruptcy() -> None:
    assert "bankruptcy" in families(
        "Ele deu entrada no meu pedido de proteção na corte federal, aquele plano de 5 anos "
        "pra pagar as dívidas."
    )


@pytest.mark.parametrize(
    "text",
    [
        "My wife passed away in September. I am the co-borrower and want to pay it off.",
        "대출번호 9360287145의 공동 대출자 최영호입니다. 함께 대출을 받았던 아내가 지난 9월에 "
        "세상을 떠났습니다. 사망진단서 사본을 첨부합니다.",
        "توفي زوجي العام الماضي. القرض باسمي أنا.",
    ],
)
def test_a_surviving_borrower_is_no_successor_in_each_language(text: str) -> None:
    found = run(text)
    assert "successor_in_interest" not in found.family_names
    # The suppression's cue names the words, never the writer.
    assert all("최영호" not in s.cue for s in found.suppressions)
