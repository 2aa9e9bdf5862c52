import random

from pipeline.classify.normalize import fold, normalize


def test_fold_removes_case_and_accents():
    assert fold("EJECUCIÓN Hipotecaria") == "ejecucion hipotecaria"


def test_fold_applies_nfkc_to_fullwidth_and_ligatures():
    assert fold("ＲＥＳＰＡ ﬁle") == "respa file"


def test_fold_drops_soft_hyphen_and_zero_width_space():
    assert fold("at\u00adtor\u200bney") == "attorney"


def test_span_maps_back_to_original_through_length_changes():
    text = "Straße: la ejecución"
    norm = normalize(text)
    i = norm.text.index("ejecucion")
    assert norm.original_text(i, i + len("ejecucion")) == "ejecución"


def test_span_includes_decomposed_combining_accent():
    text = "ejecucio\u0301n"
    norm = normalize(text)
    assert norm.text == "ejecucion"
    assert norm.original_span(0, len(norm.text)) == (0, len(text))


def test_fold_is_the_normalized_text_and_works_per_character() -> None:
    # Classification shares one NormalizedText per field between rules and topics,
    # relying on fold(x) == normalize(x).text and fold(a + b) == fold(a) + fold(b).
    alphabet = "aZ \n-_'\u00e9E\u0301\u00df\ufb01\u00ad\u200b\u0130\u0131\uff21\u2019>\u00b0"
    rnd = random.Random(4)
    for _ in range(2000):
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert fold(a) == normalize(a).text
        assert fold(a + b) == fold(a) + fold(b)


def test_ascii_text_folds_one_to_one_to_lower_case():
    text = "".join(map(chr, range(128))) * 2
    norm = normalize(text)
    assert norm.text == "".join(fold(ch) for ch in text) == text.lower()
    assert list(norm.starts) == list(range(len(text)))
    assert list(norm.ends) == list(range(1, len(text) + 1))
