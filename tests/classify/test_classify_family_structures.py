"""Escalation families as structures (who acts, on whom, what was done), per language.

Each message is short and written the way a borrower or a relative would say it
without the family's name; each case fails without the words or the pairing it checks.
"""

from __future__ import annotations

import pytest

from pipeline.classify.classifier import classify
from pipeline.classify.rules import MessageFields
from tests.classify.wording import RULES, families, run

# Someone passing as the borrower or a relative, or the matter taken to the police:
# a report of fraud, in every language.
IMPERSONATION_OR_POLICE = [
    "A man has been calling you posing as her son to get the loan balance.",
    "We called the police and they opened a case about the checks.",
    "Un hombre se hace pasar por mi hijo cuando llama a ustedes.",
    "Fuimos a la policía porque alguien cambió la dirección del préstamo.",
    "Quelqu'un se faisant passer pour mon fils a appelé votre service.",
    "Nous avons déposé une plainte auprès de la police de Lafayette.",
    "Alguém ligou para vocês se passando por mim. Já fizemos queixa na delegacia.",
    "Chúng tôi đã báo cảnh sát vì có người giả danh con trai bà gọi cho công ty.",
    "Yon nonm pran pòz se li ki pitit gason m lè l rele nou.",
    "Nou rele lapolis jodi a pou sa.",
    "May lalaking nagpapanggap na anak ko na tumatawag sa inyo.",
    "Nag-report na kami sa pulis tungkol dito.",
    "어떤 사람이 제 아들을 사칭해서 귀사에 전화했습니다.",
    "有人假冒我儿子打电话给你们。",
    "我們已經報了警。",
    "هناك شخص ينتحل شخصية ابني ويتصل بكم.",
    "لقد أبلغنا الشرطة بما حدث.",
]


@pytest.mark.parametrize("text", IMPERSONATION_OR_POLICE)
def test_impersonation_or_a_police_report_is_fraud_in_each_language(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


# Someone else taking or cashing the borrower's checks, or getting into their accounts.
ACCOUNT_TAKEN = [
    "Her grandson obtained access to her online banking accounts last spring.",
    "Ma voisine dit que cet homme a volé ses chèques.",
    "Moun nan te pran chèk ipotèk li yo e li kach yo.",
    "Người đó đã lấy trộm chi phiếu của mẹ tôi.",
]


@pytest.mark.parametrize("text", ACCOUNT_TAKEN)
def test_someone_taking_the_borrowers_checks_or_accounts_is_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


def test_posing_as_a_caregiver_is_not_posing_as_a_person_on_the_loan() -> None:
    assert "fraud_identity_theft" not in families(
        "A woman has been calling posing as his nurse to ask about the house."
    )


def test_a_police_officer_mentioned_in_passing_reports_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "My husband is a police officer and works nights, so please email me."
    )


# An old person talked, taken or pushed into signing or endorsing: elder exploitation.
ELDER_TALKED_INTO_SIGNING = [
    "My father is 88. A neighbor convinced him to sign a deed last month.",
    "Mi madre tiene 84 años. Un vecino la convenció de firmar una hipoteca nueva.",
    "Ma mère a 85 ans. Un homme l'a convaincue de signer un contrat.",
    "Minha mãe tem 87 anos. O sobrinho convenceu ela a assinar uma procuração.",
    "Mẹ tôi 86 tuổi. Một người quen đã đưa mẹ tôi đi ký giấy tờ nhà.",
    "Papa m gen 90 an. Yon vwazen konvenk li siyen yon papye.",
    "어머니는 81세이십니다. 상담사가 어머니를 설득해서 서류에 서명을 받았습니다.",
    "我母亲今年88岁，一个邻居骗她签了一份文件。",
]


@pytest.mark.parametrize("text", ELDER_TALKED_INTO_SIGNING)
def test_an_old_person_talked_into_signing_is_elder_exploitation(text: str) -> None:
    assert "elder_exploitation" in families(text)


def test_an_old_person_defrauded_is_elder_exploitation_too() -> None:
    found = run(
        "Our member (age 83) tried to wire his payoff to another bank today: a caller "
        "posing as him had changed the account. We believe it is a scam."
    ).families
    elder = next(h for h in found if h.family == "elder_exploitation")
    assert {h.family for h in found} >= {"elder_exploitation", "fraud_identity_theft"}
    assert elder.evidence[0].signal == "elderly+fraud"


def test_a_young_borrower_defrauded_is_no_elder_exploitation() -> None:
    assert "elder_exploitation" not in families(
        "I am 34. Someone posing as me changed my mailing address. I filed a police report."
    )


def test_an_old_person_who_foiled_a_scam_is_no_elder_exploitation() -> None:
    assert "elder_exploitation" not in families(
        "I am 82. I got a text saying it was from you asking for my PIN. Is this a scam? "
        "I didn't click on it."
    )


def test_portuguese_no_meaning_in_the_does_not_negate_a_media_threat() -> None:
    found = run(
        "Três meses sem resposta sobre o meu pedido. Se até sexta ninguém me ligar, "
        "vou contar tudo no jornal e fazer um vídeo no Instagram."
    )
    assert "media_threat" in {h.family for h in found.families}


def test_spanish_no_still_negates_a_media_mention() -> None:
    assert "media_threat" not in families(
        "Gracias por arreglar el pago. No iré a la prensa por esto."
    )


# The writer's own threat to sue, in mail no lawyer writes for a client: a complaint too.
OWN_LAWSUIT_THREAT = [
    "You charged me a late fee for a payment made on time. If you don't fix it I will file suit.",
    "Cobraron un cargo que no debo. Si no lo quitan voy a demandar a la compañía.",
    "Vocês cobraram multa errada. Se não corrigirem eu vou processar vocês.",
    "Si vous n'annulez pas ces frais, je porterai plainte contre votre société en justice.",
    "Nếu không sửa lại phí trễ hạn, tôi sẽ khởi kiện công ty.",
    "Si nou pa retire frè sa a, m ap fè nou yon pwosè.",
    "Kung hindi ninyo aayusin ang singil, kakasuhan ko kayo.",
    "연체료를 취소하지 않으면 소송을 진행하겠습니다.",
    "如果不取消這筆滯納金，我會起訴貴公司。",
    "إذا لم تلغوا الرسوم سأرفع عليكم دعوى قضائية.",
]


@pytest.mark.parametrize("text", OWN_LAWSUIT_THREAT)
def test_the_writers_own_threat_to_sue_is_a_complaint_in_each_language(text: str) -> None:
    found = run(text).families
    complaint = next(h for h in found if h.family == "complaint")
    assert "legal_representation" in {h.family for h in found}
    assert complaint.evidence[0].signal in {"lawsuit_threat", None}


def test_an_attorneys_demand_letter_for_a_client_is_no_complaint() -> None:
    found = families(
        "This office represents the borrower, Ms. Dana Lowe. The inspection fees on her "
        "account are improper. Remove them within 15 days or we will file suit."
    )
    assert "legal_representation" in found
    assert "complaint" not in found


def test_a_negation_inside_a_condition_does_not_negate_the_threat_after_it() -> None:
    assert "media_threat" in families(
        "Third letter about the same late fee. If you don't remove it I will call the news."
    )


def test_a_plain_negation_still_negates_the_threat() -> None:
    assert "media_threat" not in families(
        "Thanks for removing the late fee. I will not call the news about it."
    )


def test_a_report_filed_with_a_police_department_by_its_short_name_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "Someone changed the mailing address on my father's loan. "
        "I already filed a report with Mishawaka PD (case 26-001733)."
    )


def test_a_loan_asked_for_in_an_old_persons_name_by_someone_else_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "Un vecino la convenció de firmar una autorización y luego habría solicitado "
        "un refinanciamiento con retiro de efectivo a nombre de ella."
    )
    assert "fraud_identity_theft" in families(
        "Her neighbor took out a home equity line in her name last spring."
    )


@pytest.mark.parametrize(
    "title",
    [
        "Senior Fraud & Loss Prevention Investigator",
        "Senior Fraud & Identity Theft Prevention Analyst",
    ],
)
def test_fraud_in_the_writers_job_title_reports_no_fraud(title: str) -> None:
    assert "fraud_identity_theft" not in families(
        "Could you tell me how my extra principal payment was applied?\n\n"
        f"Thanks,\nAnthony Gaudet\n{title}\nMidwest Region"
    )


def test_a_scam_asked_about_by_a_writer_who_sent_nothing_is_no_fraud_in_spanish() -> None:
    assert "fraud_identity_theft" not in families(
        "Me llegó una carta que dice que si les mando $495 me bajan la hipoteca. "
        "Yo no les he mandado nada. ¿Es de ustedes o es estafa?"
    )


def test_an_old_persons_money_going_to_the_relative_who_helps_is_elder_exploitation() -> None:
    assert "elder_exploitation" in families(
        "I am 79 years old and my nephew has been helping me with the bills. "
        "My bank shows checks to him for a lot more than the house payment."
    )


def test_a_nationality_given_as_the_reason_for_a_denial_is_discrimination() -> None:
    assert "discrimination" in families(
        "After that call my modification was denied. "
        "I do not think I was treated fairly because I am Nigerian."
    )


def test_a_disclaimer_under_an_html_letter_without_blank_lines_keeps_the_letter() -> None:
    letter = (
        "To Whom It May Concern:\n"
        "Please be advised that our office represents Michael Yancey, who filed a petition "
        "under Chapter 13 of the Bankruptcy Code on July 13, 2026 in the Western District "
        "of Missouri. Your loan is listed as a secured claim.\n"
        "Thank you,\nSonia Ruiz\nBankruptcy Paralegal\n"
        "This communication may contain privileged and confidential attorney-client information."
    )
    found = classify(MessageFields(subject="Notice of filing", html_text=letter), RULES)
    assert {h.family for h in found.families} >= {"bankruptcy", "legal_representation"}


# A lawyer hired or consulted, or all contact sent to the lawyer, in the writer's words.
LAWYER_HIRED = [
    "Já falamos com um advogado e ele vai entrar com um processo contra vocês.",
    "J'ai déjà rendez-vous avec un avocat la semaine prochaine.",
    "Mwen fin pale ak avoka mwen sou sa.",
    "Tôi đã thuê luật sư để lo việc này.",
    "Kumuha na rin ako ng abogado, si Atty. Jose Reyes.",
    "앞으로 대출 관련 연락은 모두 변호사 사무실로 해 주세요.",
    "저는 이미 변호사를 선임했습니다.",
    "我们已经请了律师处理这件事。",
]


@pytest.mark.parametrize("text", LAWYER_HIRED)
def test_a_lawyer_hired_or_all_contact_through_one_is_legal_representation(text: str) -> None:
    assert "legal_representation" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "장애를 이유로 이렇게 대하시는 것은 공정하지 않다고 생각합니다.",
        '客服人員在電話中說："你們中國人都有很多現金，為什麼還需要修改貸款？"',
    ],
)
def test_a_trait_given_as_the_reason_is_discrimination_in_korean_and_chinese(text: str) -> None:
    assert "discrimination" in families(text)


def test_an_old_persons_card_handed_to_an_adviser_and_an_application_in_his_name() -> None:
    found = families(
        "家父今年82岁。有一位理财顾问经常来家里，我们发现家父把社安号码和银行卡都给了他。"
        "恳请贵公司不要受理以家父名义提出的再融资申请。"
    )
    assert found >= {"elder_exploitation", "fraud_identity_theft"}


@pytest.mark.parametrize(
    "text",
    [
        "Li no jornal que os bancos vendem hipotecas. Quem é o dono do meu empréstimo?",
        "我在微信群里看到一篇文章，说房贷利率会降。请问我的贷款可以重新计算吗？",
    ],
)
def test_a_paper_or_a_chat_group_read_is_no_media_threat(text: str) -> None:
    assert "media_threat" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nabasa ko sa FB group na may scam daw na nagpapanggap na taga-mortgage company. "
        "Hindi ko kinlick yung link. Legit po ba 'to?",
        "我在微信群里看到一篇文章，说最近有骗子冒充房贷公司打电话。我自己没有遇到这种情况，"
        "请问贵公司会打电话要验证码吗？",
        "وصلتني رسالة تطلب رسوم 250 دولار. لم أدفع شيئاً. ابني يقول إنها احتيال. هل لكم علاقة بها؟",
    ],
)
def test_a_scam_posing_as_the_servicer_that_the_writer_foiled_is_no_fraud(text: str) -> None:
    assert "fraud_identity_theft" not in families(text)


def test_a_grant_said_to_come_from_hud_is_no_complaint_to_hud() -> None:
    assert "regulator_complaint" not in families(
        "I got a text that I qualify for a HUD grant to pay $15,000 of my mortgage. Is it real?"
    )


def test_an_application_attached_across_a_line_break_is_an_application_beside_a_lawyer() -> None:
    found = run(
        "Kalakip ang aking\naplikasyon para sa loan modification at mga payslip. "
        "Ang kinatawan ko ay si Atty. Jose Reyes."
    )
    assert "loss_mitigation_application" in found.request_kinds


# A complaint filed with a government department, agency or office, whatever its name.
COMPLAINT_TO_AN_AGENCY = [
    "Hoy mandé una complaint al Texas Department of Savings and Mortgage Lending.",
    "Registrei uma reclamação no Departamento de Bancos de Massachusetts.",
    "Nagreklamo na ako sa ahensya ng estado na nangangasiwa sa mga pautang.",
    "뉴욕주 금융서비스국에 민원을 넣었습니다.",
    "我今天已经向纽约州金融服务局（NY DFS）投诉了。",
    "قدمت اليوم شكوى لدى إدارة الخدمات المالية في ولاية إلينوي.",
]


@pytest.mark.parametrize("text", COMPLAINT_TO_AN_AGENCY)
def test_a_complaint_filed_with_a_government_agency_is_a_regulator_complaint(text: str) -> None:
    assert "regulator_complaint" in families(text)


# Being upset with the service, in everyday words: a complaint.
UPSET_WITH_THE_SERVICE = [
    "Fiquei muito ofendida e aborrecida com o vosso serviço.",
    "Estou muito chateado, é a segunda vez que isso acontece.",
    "Mwen bouke ak sèvis sa a, se pa jan yo trete moun.",
    "Mwen voye aplikasyon an depi oktòb, men pèsonn pa janm reponn mwen.",
    "2주째 답이 없고, 이렇게 고객을 대하는 회사는 처음 봅니다.",
    "我们真的很生气，打了三次电话都没有用。",
    "Je suis très mécontent de votre service.",
]


@pytest.mark.parametrize("text", UPSET_WITH_THE_SERVICE)
def test_being_upset_with_the_service_is_a_complaint_in_each_language(text: str) -> None:
    assert "complaint" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "If I get another form letter I'm putting the whole thread on X and LinkedIn.",
        "I have a good friend on the business desk at the Washington Post.",
    ],
)
def test_putting_the_story_where_others_see_it_is_a_media_threat(text: str) -> None:
    assert "media_threat" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "A man who calls himself her adviser visits every week. Elle n'a jamais demandé ça.",
        "Someone changed the mailing address on the loan. Dad does not remember asking for it.",
        "Alguien cambió la dirección del préstamo. Mi mamá nunca pidió ese cambio.",
        "Alguém mudou o endereço do empréstimo. Ela nunca pediu isso.",
    ],
)
def test_the_borrower_not_having_asked_for_a_change_is_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


def test_the_borrower_not_having_asked_for_a_charge_disputes_it() -> None:
    assert "fraud_identity_theft" not in families(
        "My mother never requested this insurance and you added $1,240 to her escrow."
    )


def test_a_late_husband_in_a_report_of_an_old_widow_exploited_is_no_succession() -> None:
    found = run(
        "Tengo 84 años y soy viuda desde 2019. Mi sobrino me hizo firmar unos papeles y "
        "ahora llama a ustedes haciéndose pasar por mí."
    )
    assert {h.family for h in found.families} >= {"elder_exploitation"}
    assert "successor_in_interest" not in {h.family for h in found.families}
    assert any(
        s.reason == "other_party" and s.cue == "elder_exploitation" for s in found.suppressions
    )


@pytest.mark.parametrize(
    ("text", "family", "shown"),
    [
        (
            "Someone applied for Jordan Whitfield's loan in her name. I filed a report with "
            "the Springfield police.",
            "fraud_identity_theft",
            {"in her name", "police"},
        ),
        (
            "Please direct all contact to Whitfield Law, PLLC.",
            "legal_representation",
            {"Law, PLLC"},
        ),
        (
            "If this is not fixed I am posting Maria Delgado's whole story on Facebook.",
            "media_threat",
            {"on Facebook"},
        ),
    ],
)
def test_words_that_only_place_a_cue_are_not_shown_as_its_evidence(
    text: str, family: str, shown: set[str]
) -> None:
    # Evidence travels in events and escalation mail: a name around the cue stays out.
    c = run(text)
    (hit,) = [f for f in c.families if f.family == family]
    assert {e.matched for e in hit.evidence} >= shown
    assert not any(
        name in e.matched
        for e in hit.evidence
        for name in ("Jordan", "Springfield", "Whitfield", "Maria")
    )


# The writer's own origin, race or accent given as the reason for how they are treated,
# asked as a question as often as said.
ORIGIN_AS_THE_REASON = [
    "Será que é porque a gente é brasileiro e fala com sotaque?",
    "On se demande si c'est parce qu'on est Africains qu'on nous traite ainsi.",
    "我们不得不怀疑，是不是因为我们是亚洲人，所以被这样对待？",
    "每次打電話都問我是不是因為我們是華人才這樣處理。",
    "وفي كل مكالمة يسألني الموظف عن أصل اسمي وأين ولدت.",
    "Mi vecina, que es güera y también pidió ayuda, dice que a ella nunca le pidieron eso.",
]


@pytest.mark.parametrize("text", ORIGIN_AS_THE_REASON)
def test_origin_given_as_the_reason_is_discrimination(text: str) -> None:
    assert "discrimination" in families(text)


def test_being_longtime_customers_is_no_origin() -> None:
    assert "discrimination" not in families("是不是因为我们是老客户，所以很快就批准了？")


def test_a_chinese_yes_no_question_negates_nothing() -> None:
    # "是不是" asks "is it or is it not"; the 不是 inside it is no negation.
    assert "discrimination" in families("是不是因为我们是亚洲人？")
    assert "discrimination" not in families("不是因为我们是亚洲人。")


# A lawyer the writer knows taking the matter over, or a suit served on the writer:
# represented, in the writer's words rather than a law firm's.
LAWYER_TAKES_OVER = [
    "Our son-in-law is an attorney and he said he will take it from here.",
    "The court papers came yesterday, a deputy handed them to my wife at the door.",
    "Mi yerno es abogado, Alejandro, y él dice que de aquí en adelante se va a encargar de esto.",
    "Meu advogado, Dr. Paulo, deu entrada semana passada no meu pedido na corte federal.",
    "Tôi đã giao vụ này cho luật sư bên văn phòng luật lo.",
    "زوج أختي محامٍ، وقد طلب أن تتواصلوا معه من الآن بخصوص هذا الموضوع.",
    "Mwen gen yon avoka, Mèt Samuel, k ap okipe dosye a pou mwen kounye a.",
]


@pytest.mark.parametrize("text", LAWYER_TAKES_OVER)
def test_a_lawyer_taking_the_matter_over_is_representation(text: str) -> None:
    assert "legal_representation" in families(text)


def test_a_lawyer_who_only_advised_a_question_is_no_representation() -> None:
    assert "legal_representation" not in families(
        "My lawyer told me to ask for a copy of my payment history."
    )


# A chapter 13 plan paid through its trustee, told without the word "bankruptcy".
PLAN_THROUGH_A_TRUSTEE = [
    "The trustee's office told me at the meeting that they will pay you out of my plan.",
    "El juez aprobó mi plan de pagos de 5 años y lo atrasado lo paga el trustee.",
    "Mi caso en la corte de quiebras sigue abierto.",
    "My case number is 26-00417-TOM13, is that right?",
]


@pytest.mark.parametrize("text", PLAN_THROUGH_A_TRUSTEE)
def test_a_plan_paid_through_a_trustee_is_bankruptcy(text: str) -> None:
    assert "bankruptcy" in families(text)


def test_a_foreclosure_trustee_offering_a_repayment_plan_is_no_bankruptcy() -> None:
    assert "bankruptcy" not in families(
        "The trustee said the sale can stop if I sign the repayment plan you offered."
    )


# An old person made to sign what they did not understand, or pressed to put the house
# in a helper's name.
OLD_PERSON_SIGNED_UNKNOWINGLY = [
    "Mom is 79. Last week I found a form signed by her. She doesn't understand what she signed.",
    "Mi abuela tiene 82 años y el novio le está insistiendo que le pase la casa a su nombre.",
    "어머니는 85세이신데 그분이 가져온 서류에 서명하셨지만 무슨 서류인지 전혀 모르십니다.",
    "Mẹ tôi 80 tuổi. Ông ta bắt mẹ tôi ký mấy tờ giấy tiếng Anh.",
    "Manman m gen 84 an. Li siyen yon pakèt papye, li pa t konprann sa li t ap siyen.",
]


@pytest.mark.parametrize("text", OLD_PERSON_SIGNED_UNKNOWINGLY)
def test_an_old_person_signing_unknowingly_is_elder_exploitation(text: str) -> None:
    assert "elder_exploitation" in families(text)


def test_a_young_borrower_unsure_what_they_signed_is_no_elder_exploitation() -> None:
    assert "elder_exploitation" not in families(
        "I am 34 and honestly I don't remember what I signed at closing."
    )


# Telling the story where others will hear it, in the writer's language.
MEDIA_IN_OTHER_WORDS = [
    "Je connais des journalistes du Herald ; si ce n'est pas réglé jeudi, je leur raconte tout.",
    "Tôi sẽ kể lại chuyện này trên chương trình radio Việt ngữ buổi sáng.",
    "Tôi sẽ gửi bài cho báo bên này để bà con biết.",
    "제 아들이 유튜브 채널을 하는데 이 일을 영상으로 만들어서 올리겠다고 합니다.",
]


@pytest.mark.parametrize("text", MEDIA_IN_OTHER_WORDS)
def test_telling_the_story_to_the_media_is_a_media_threat(text: str) -> None:
    assert "media_threat" in families(text)


def test_vietnamese_never_negates_what_follows() -> None:
    # "chưa bao giờ" (never): no word of it negates alone, "chưa" is also "not yet"
    assert "bankruptcy" not in families("Tôi chưa bao giờ phá sản.")
    assert "bankruptcy" in families("Tôi đã phá sản năm nay.")
