"""Serious words that are background, not this borrower's live matter: a counselling
agency's or a title company's printed footer, a company's or a co-worker's bankruptcy,
one discharged long ago or never filed, a bankruptcy asked about in general, a
newsletter's scam warning, a newspaper read, a settlement form and a civilian agency's
name. Each beside the wording that still escalates."""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run

# --- footers every mail of a sender carries --------------------------------------------


def test_a_hud_counselling_agencys_complaint_footer_is_no_complaint() -> None:
    text = (
        "Could you tell me where my client's modification review stands?\n\n"
        "GSLHOC is a HUD-approved housing counseling agency. If you are dissatisfied with "
        "the services of this agency, you may file a complaint with HUD's Office of "
        "Housing Counseling at 1-800-569-4287."
    )
    found = families(text)
    assert "regulator_complaint" not in found
    assert "complaint" not in found


def test_a_complaint_the_writer_files_with_hud_still_escalates() -> None:
    found = families("I filed a complaint with HUD today about how you handled my escrow.")
    assert "regulator_complaint" in found


def test_a_title_companys_wire_fraud_footer_reports_no_fraud() -> None:
    text = (
        "Please send a payoff statement good through December 15 for the refinance.\n\n"
        "*** WIRE FRAUD ALERT *** Criminals are hacking email accounts and sending emails "
        "with fake wiring instructions. Landmark Title will NEVER change wiring "
        "instructions by email. If you suspect fraud, contact us immediately."
    )
    assert "fraud_identity_theft" not in families(text)


def test_a_wire_redirected_by_a_fraudster_is_still_fraud() -> None:
    text = "Someone hacked my email and redirected my escrow refund by wire fraud to their account."
    assert "fraud_identity_theft" in families(text)


# --- bankruptcy: someone else's, long over, never filed, or asked about ---------------


def test_a_coworkers_bankruptcy_told_with_del_trabajo_is_someone_elses() -> None:
    text = (
        "Un compañero del trabajo me dijo que se declaró en bancarrota por las tarjetas y "
        "que no perdió su casa."
    )
    assert "bankruptcy" not in families(text)


def test_the_employers_bankruptcy_is_not_the_writers() -> None:
    text = (
        "El mes pasado la compañía se declaró en bancarrota y cerró la planta, y nos "
        "quedamos sin trabajo. Necesito ayuda con los pagos."
    )
    assert "bankruptcy" not in families(text)
    assert "bankruptcy" in families("El mes pasado me declaré en bancarrota. ¿Qué pasa ahora?")


def test_a_bankruptcy_discharged_in_a_year_told_before_the_discharge_is_over() -> None:
    text = "順便問一下，我 2011 年 filed 過 Chapter 7，2012 年初就 discharged 了，不會影響吧？"
    assert "bankruptcy" not in families(text)


def test_a_creole_bankruptcy_finished_long_ago_is_over() -> None:
    text = (
        "M te gen yon bankruptcy an 2009, men li fini depi lontan, li pa gen anyen pou wè ak "
        "kay sa a."
    )
    assert "bankruptcy" not in families(text)


def test_a_bankruptcy_considered_and_not_filed_is_no_filing() -> None:
    c = run(
        "Mr. Ellis met with a bankruptcy attorney this spring but decided not to file. "
        "He is two payments behind and wants to stay in the home."
    )
    assert "bankruptcy" not in {h.family for h in c.families}
    assert any(s.rule == "bankruptcy" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        "Solo tengo curiosidad: si alguien se declara en bancarrota, ¿qué pasa con la hipoteca?",
        "Just curious: if someone files for bankruptcy, does the mortgage servicer stop calling?",
    ],
)
def test_what_happens_if_anyone_files_is_a_question_not_a_filing(text: str) -> None:
    assert "bankruptcy" not in families(text)


# --- what the writer read, and names that only sound serious ---------------------------


def test_a_newsletters_scam_warning_is_nobodys_fraud_here() -> None:
    text = (
        "Our HOA newsletter this month had a whole page about people calling servicers "
        "pretending to be the homeowner. Can I add a verbal password to my account?"
    )
    assert "fraud_identity_theft" not in families(text)


def test_a_newspaper_story_read_is_no_threat_to_go_to_the_press() -> None:
    text = (
        "J'ai lu récemment dans le journal que certaines banques traitent moins bien les "
        "clients immigrés. Pouvez-vous m'expliquer le refus?"
    )
    assert "media_threat" not in families(text)
    assert "media_threat" in families("Je vais contacter le journal local si rien ne change.")


def test_a_hud_settlement_estimate_is_no_complaint_to_hud() -> None:
    text = (
        "We submitted the purchase contract, HUD estimate and the hardship package on "
        "October 30. What is the status of the short sale review?"
    )
    assert "regulator_complaint" not in families(text)


def test_the_army_corps_of_engineers_is_a_civilian_employer() -> None:
    text = "Please send my escrow analysis.\n\nDale Owens\nU.S. Army Corps of Engineers, Vicksburg"
    assert "servicemember" not in families(text)


# --- what the footers and the company's bankruptcy must not take with them ------------


def test_a_borrowers_own_wire_fraud_warning_is_still_fraud() -> None:
    text = (
        "My bank sent a wire fraud warning today because someone stole my identity and "
        "opened a loan in my name."
    )
    assert "fraud_identity_theft" in families(text)


def test_a_contracts_article_named_before_a_fraud_report_keeps_the_fraud() -> None:
    text = (
        "Per Article 7 of the agreement, I am reporting that someone used my identity to "
        "take out a loan in my name."
    )
    assert "fraud_identity_theft" in families(text)


def test_the_company_that_forecloses_is_no_one_elses_sale() -> None:
    text = (
        "The company went ahead with the foreclosure sale on December 3 even though my "
        "application was complete."
    )
    assert "foreclosure_sale" in families(text)


def test_a_case_dismissed_and_filed_again_is_live() -> None:
    text = (
        "We filed chapter 13 in 2025, it was dismissed in 2025, and we refiled in October. "
        "Please note the new case."
    )
    assert "bankruptcy" in families(text)


# --- the second review's inputs: live matters these cues must leave alone -------------


@pytest.mark.parametrize(
    "text",
    [
        # a law firm's own notice of a filing, and a sole owner's store
        "Our firm filed Chapter 7 for Loretta Haynes on October 3, 2026, case no. 26-10432. "
        "Please update your records.",
        # a year and the word, but not discharged
        "I filed Chapter 7 in June 2026, not discharged yet. Do I still send my payments?",
        # someone else decided not to file, or a reaffirmation was not filed
        "I filed Chapter 13 bankruptcy on Monday; my husband decided not to file with me.",
        "We filed chapter 7 in May and decided not to file a reaffirmation agreement on the house.",
    ],
)
def test_a_live_bankruptcy_near_words_of_one_that_is_over_still_escalates(text: str) -> None:
    assert "bankruptcy" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "My bank sent a wire fraud alert today: hackers stole my identity and took out a "
        "loan in my name.",
        "Wire fraud warning: I never got my escrow refund because someone hacked my email "
        "and redirected the wire to their account.",
        "Your letter says to call if you suspect fraud, so I am writing because someone "
        "stole my identity and opened a loan in my name.",
        "Following the tip in your newsletter, I am reporting identity theft: someone "
        "opened a HELOC in my name.",
        "Como indicaba su boletín, les aviso que me robaron la identidad y abrieron un "
        "préstamo a mi nombre.",
    ],
)
def test_a_borrowers_own_fraud_report_near_footer_words_is_still_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


def test_our_answer_read_then_a_threat_to_call_the_press_is_a_media_threat() -> None:
    assert "media_threat" in families("J'ai lu votre réponse, j'appelle les journalistes demain.")


def test_the_footers_suppression_cue_carries_no_name_or_account() -> None:
    c = run(
        "Please send a payoff statement for loan 4417820931.\n\n*** WIRE FRAUD ALERT for "
        "Loretta Haynes *** Criminals are hacking email accounts."
    )
    cues = [s.cue for s in c.suppressions] + [s.matched for s in c.suppressions]
    assert cues
    assert not any("4417820931" in x or "haynes" in x.lower() for x in cues)


def test_a_bankruptcy_that_ended_long_ago_in_arabic_is_over() -> None:
    text = (
        "ملاحظة: كان عندي إفلاس (Chapter 7) سنة ٢٠١٥ وانتهى تماماً من زمان، والبنك الجديد يعرف ذلك."
    )
    assert "bankruptcy" not in families(text)


def test_a_bankruptcy_filed_last_month_in_arabic_is_live() -> None:
    assert "bankruptcy" in families("قدمت طلب إفلاس (Chapter 13) الشهر الماضي.")


def test_a_will_put_in_order_with_a_trust_is_no_death() -> None:
    text = "유언장 및 신탁 정리를 하고 있는데, 대출 관련 서류가 필요합니다."
    assert "successor_in_interest" not in families(text)


def test_a_death_with_an_inheritance_under_a_will_is_succession() -> None:
    text = "아버지가 돌아가셨고 유언에 따라 제가 집을 상속받았습니다."
    assert "successor_in_interest" in families(text)


def test_the_writer_selling_the_house_in_arabic_is_no_foreclosure_sale() -> None:
    text = "نحن بصدد بيع المنزل، والإغلاق مبدئياً يوم ١٨ ديسمبر. أرجو إرسال بيان السداد النهائي."
    assert "foreclosure_sale" not in families(text)


def test_a_court_sale_of_the_house_in_creole_is_a_foreclosure_sale() -> None:
    text = "Kay mwen te pwograme pou vann nan lavant piblik 17 desanm 2026."
    assert "foreclosure_sale" in families(text)


def test_a_payoff_asked_before_a_foreclosure_sale_in_arabic_keeps_the_sale() -> None:
    text = "أحتاج بيان السداد النهائي قبل بيع المنزل في ١٨ ديسمبر حتى أسدد القرض وأوقف الحجز."
    assert "foreclosure_sale" in families(text)


def test_the_paper_that_prints_legal_notices_is_no_media_threat() -> None:
    text = (
        "A Notice of Sale under the Association's lien has been recorded and the trustee's "
        "sale is scheduled for July 14, 2026 at the Nevada Legal News auction location. "
        "Could you confirm the address you use for notices of sale?"
    )
    assert families(text) == {"foreclosure_sale"}


def test_a_creole_government_that_declared_a_disaster_is_no_regulator_complaint() -> None:
    text = (
        "Siklòn nan kraze do kay la. Gouvènman an deja deklare Miami-Dade yon zòn dezas. "
        "Mwen pa ka peye mwa oktòb la. Mwen vle mande nou yon forbearance."
    )
    assert families(text) == {"disaster_hardship"}


def test_a_creole_complaint_to_the_government_still_is_one() -> None:
    assert "regulator_complaint" in families(
        "Nou pa janm reponn mwen depi twa mwa. M ap ekri gouvènman an sou sa nou fè m."
    )
