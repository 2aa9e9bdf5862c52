"""An old person's house money, or checkbook, kept by the one who was to pay: elder
exploitation in every language, without the word; a young borrower's is not."""

from __future__ import annotations

import pytest

from tests.classify.wording import families


@pytest.mark.parametrize(
    "text",
    [
        "La Sra. Díaz tiene 83 años. Le dio el dinero de la hipoteca a su yerno para que "
        "pagara, y él no pagó y se quedó con el dinero.",
        "Asisto a la Sra. Amparo Díaz (83 años). Su yerno no pagó y se quedó con el dinero.",
        "Doña Eusebia tiene 89 años. Su sobrino se llevó su chequera hace tres meses.",
        "Minha mãe tem 84 anos. O vizinho dizia que pagava a casa, mas ficou com o dinheiro.",
        "Ma mère a 86 ans. Son voisin devait payer la maison mais il a gardé l'argent.",
        "My grandmother is 88. Her grandson was supposed to pay the house and kept the money.",
    ],
)
def test_an_old_persons_money_kept_by_a_helper_is_elder_exploitation(text: str) -> None:
    assert "elder_exploitation" in families(text)


def test_a_young_borrowers_money_kept_is_no_elder_exploitation() -> None:
    assert "elder_exploitation" not in families(
        "My roommate was supposed to pay his half and kept the money."
    )
