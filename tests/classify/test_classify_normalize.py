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
