from annotate.sources.normalise import display_name, source_key


def test_case_articles_punctuation_and_width_fold_into_one_key():
    assert {source_key(s) for s in ["the Ministry", "The ministry", "Ministry", " the  ministry, ", "ＭＩＮＩＳＴＲＹ"]} == {"ministry"}
    assert source_key("the prime minister’s office") == source_key("The Prime Minister's office") == "prime minister's office"
    assert source_key("ministry officials") != source_key("the ministry")  # a person's call: a merge
    assert source_key("") == source_key("  ") == ""


def test_the_display_name_is_the_most_used_form_with_a_lowercase_article():
    assert display_name({"The Ministry": 3, "the ministry": 1}) == "the Ministry"
    assert display_name({"Ana Duarte": 2, "Duarte": 2}) == "Duarte"
    assert display_name({}) == "(source not given)"
