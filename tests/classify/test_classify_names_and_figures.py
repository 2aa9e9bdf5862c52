"""A given name that folds to a service word ("Linh", "Luz Marina"), and a thing called a
disaster ("su página es un desastre"), escalate nothing; the service and the disaster
themselves still do."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_vietnamese_name_linh_is_no_soldier() -> None:
    assert "servicemember" not in families(
        "Cho em hỏi văn phòng mình mở cửa mấy giờ và có làm thứ Bảy không ạ?\n\nLinh"
    )
    assert "servicemember" in families(
        "Chồng tôi đang đi lính ở nước ngoài, tôi muốn hỏi về lãi suất khoản vay."
    )


def test_a_spanish_given_name_marina_is_no_navy() -> None:
    assert "servicemember" not in families(
        "¿Me pueden decir cuándo me van a mandar el cheque del escrow?\n\nLuz Marina Cárdenas"
    )
    assert "servicemember" in families("Mi esposo está en la Marina y lo mandaron a Japón.")


def test_a_spanish_website_called_a_disaster_is_no_disaster() -> None:
    assert "disaster_hardship" not in families(
        "Llevo tres días tratando de entrar a mi cuenta. Su página es un desastre."
    )
    assert "disaster_hardship" in families("El desastre del huracán dejó la casa inhabitable.")
