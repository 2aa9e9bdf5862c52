"""A threat the writer labels a joke ("vou processar vocês, brincadeira", "소송 걸 거예요
ㅋㅋㅋ 농담입니다") is no legal matter and no grievance; "this is no joke" is one."""

from __future__ import annotations

from tests.classify.wording import families, run


def test_a_portuguese_lawsuit_labelled_a_joke() -> None:
    found = families(
        "Minha prestação subiu de novo, se subir mais uma vez vou processar vocês, "
        "brincadeira. Vocês podem me mandar a cópia da análise do escrow?"
    )
    assert "legal_representation" not in found
    assert "complaint" not in found


def test_a_korean_lawsuit_labelled_a_joke_is_kept_as_suppressed_evidence() -> None:
    c = run(
        "1098 양식을 PDF로 다시 보내 주실 수 있을까요? "
        "안 보내주시면 소송 걸 거예요 ㅋㅋㅋ 농담입니다 ^^"
    )
    assert "legal_representation" not in {h.family for h in c.families}
    assert any(s.reason == "joke" and s.matched == "소송" for s in c.suppressions)


def test_an_english_threat_taken_back_in_the_next_sentence() -> None:
    assert "legal_representation" not in families(
        "If this payment goes up again I'll take legal action. Just kidding! "
        "Can you send me the escrow analysis?"
    )


def test_a_threat_said_to_be_no_joke_still_counts() -> None:
    assert "legal_representation" in families(
        "Fix the late fee in ten days or I will take legal action. This is no joke."
    )
    assert "legal_representation" in families("Vou processar vocês, não é brincadeira.")
