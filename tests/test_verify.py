"""The verifier: a sentence is supported only by what its own citations say, fact by fact."""

from __future__ import annotations

import pytest

from assistant.verify import check_claim, date_expressions, numbers, spells_out

AIRCRAFT = "Taiwan's defence ministry said 13 Chinese military aircraft were spotted near the island on Tuesday."
DRONES = (
    "On the night of October 27-28, Ukrainian forces launched a series of drone attacks targeting Russian "
    "infrastructure, including distilleries, to weaken Russian air capabilities."
)
HOUTHIS = "Houthi rebels struck the Gibraltar Eagle, a U.S.-owned cargo ship, in the Gulf of Aden on Monday."
PUTIN = (
    "Russian leader Vladimir Putin briefly acknowledged his country's labor challenges, though he sought to reassure "
    "the public by emphasizing Russia's low unemployment rate and asserted that the national economy could sustain a "
    "prolonged war effort."
)

COUP = "General Abdourahamane Tiani seized power in a coup on July 26, 2023, detaining President Mohamed Bazoum."
GPT3 = "Generative Pre-trained Transformer 3 (GPT-3) is a large language model released by OpenAI in 2020."
RUN_OFF = "Valdorians vote on Sunday in a run-off between Elena Markovic and Tomas Reyes."
HALAS = "The incumbent, President Viktor Halas, is barred from a third term and has not endorsed either candidate."
DISPLACED = "Roughly 86,000 people have been displaced."
SHIPPED = "Treasury said the network shipped more than 60 million barrels, worth about $4.2 billion."
NATO = "Meanwhile, on October 28, related developments indicated that NATO continues to monitor the region closely."


@pytest.mark.parametrize(
    ("claim", "cited", "reason"),
    [
        ("1 Chinese military aircraft were spotted near the island.", AIRCRAFT, "numbers"),
        ("On October 28, Ukrainian forces launched drone attacks on Russian infrastructure.", DRONES, "dates"),
        ("The Gibraltar Eagle struck Houthi rebels in the Gulf of Aden.", HOUTHIS, "reversed"),
        # The real reader wrote this for "Who was detained in the coup?": the one who detained, made the detained.
        ("General Abdourahamane Tiani was detained in the coup.", COUP, "reversed"),
        ("Houthi rebels struck ships in Yemen.", HOUTHIS, "name"),
        (
            "Putin said the economy could sustain a prolonged war effort by adopting Russian military techniques.",
            PUTIN,
            "words",
        ),
        ("Putin did not acknowledge labor challenges.", PUTIN, "negation"),
        ("Putin acknowledged Moscow's labor challenges.", PUTIN, "name"),
        ("President Halas endorsed Elena Markovic.", f"{RUN_OFF} {HALAS}", "drops a negation"),
        (
            "China is directly involved in the war in Ukraine.",
            "China is not directly involved in the war in Ukraine.",
            "drops",
        ),
        ("The group deployed ransomware.", "The group hasn't deployed ransomware.", "drops a negation"),
        ("The US pledged $20 million.", "The European Union pledged $20 million.", "name"),
        # A number keeps the bound its citation gives it.
        ("86,000 people have been displaced.", DISPLACED, "qualify"),
        ("More than 86,000 people have been displaced.", DISPLACED, "qualify"),
        ("The network shipped 60 million barrels.", SHIPPED, "qualify"),
    ],
)
def test_distortions_are_caught(claim: str, cited: str, reason: str) -> None:
    verdict = check_claim(claim, [cited])
    assert not verdict.supported and reason in verdict.reason


@pytest.mark.parametrize(
    ("claim", "cited", "question_terms"),
    [
        ("13 Chinese military aircraft were spotted near Taiwan.", AIRCRAFT, ()),
        ("Thirteen Chinese military aircraft were spotted.", AIRCRAFT.replace("13", "thirteen"), ()),
        ("Ukrainian forces launched drone attacks on the night of October 27-28.", DRONES, ()),
        ("Houthi rebels struck the Gibraltar Eagle.", HOUTHIS, ()),
        ("The Gibraltar Eagle was struck by Houthi rebels.", HOUTHIS, ()),
        ("President Mohamed Bazoum was detained in the coup.", COUP, ()),
        ("GPT-3 was released by OpenAI in 2020.", GPT3, ()),
        ("The ship hit by the rebels was the Gibraltar Eagle.", HOUTHIS, ("hit",)),
        ("The Russian leader acknowledged the labor challenges of Russia.", PUTIN, ()),
        ("NATO reported to be monitoring the region closely on October 28.", NATO, ()),
        ("About 86,000 people have been displaced.", DISPLACED, ()),
        ("The VAT rise takes effect on May 1, 2026.", "The VAT rise takes effect on 1 May 2026.", ()),
        # A name as its acronym, or spelled out.
        ("The UN appealed for $180 million.", "The United Nations launched an appeal for $180 million.", ()),
        ("The European Union pledged $20 million.", "The EU pledged $20 million.", ()),
        ("The VAT rises to 22% on 1 May.", "The budget raises value added tax from 20% to 22% from 1 May.", ()),
        ("President Viktor Halas is barred from a third term.", HALAS, ()),
        ("The network shipped over 60 million barrels worth some $4.2 billion.", SHIPPED, ()),
        (
            "Russia's influence is historically strong and has grown due to the war.",
            "Russian influence, historical and strong, has grown because of the war.",
            (),
        ),
    ],
)
def test_faithful_sentences_pass(claim: str, cited: str, question_terms: tuple[str, ...]) -> None:
    assert check_claim(claim, [cited], question_terms).supported


def test_a_claim_that_cites_nothing_is_not_supported() -> None:
    assert not check_claim("Houthi rebels struck the Gibraltar Eagle.", []).supported


def test_numbers_and_dates_are_canonical_tokens() -> None:
    assert numbers("3,000 troops, three ships, 6.8 million people and 13 aircraft") == {
        "3000",
        "3",
        "6.8",
        "1000000",
        "13",
    }
    assert "1" not in numbers("13 aircraft")
    assert date_expressions("on Oct. 28th and October 27-28, 2024") == {"oct 28", "oct 27 28 2024"}
    assert date_expressions("on 28 October") == {"oct 28"}, "day and month in either order"
    # A month and its year is no day of that month: "September 2024" is not "September 20".
    assert date_expressions("in September 2024") == set()
    assert not check_claim("The talks began on September 20.", ["The talks began in September 2024."]).supported


def test_a_time_after_a_year_is_not_a_decimal() -> None:
    # web text runs a date into a time: "May 15, 2012.12:01 AM" names 2012, not 2012.12
    assert numbers("launched on May 15, 2012.12:01 AM PST") == {"15", "2012", "12", "01"}
    assert check_claim("The game was launched on May 15, 2012.", ["The game was launched on May 15, 2012.12:01 AM."])
    assert numbers("revenue of $6.3 billion") == {"6.3", "1000000000"}
    assert not check_claim("Revenue was $6 billion.", ["Revenue was $6.3 billion."]).supported


def test_a_quarter_is_the_same_however_it_is_written() -> None:
    cited = ["Tesla reported third-quarter revenue of $6.3 billion in 2019."]
    assert check_claim("Tesla's revenue in Q3 2019 was $6.3 billion.", cited).supported
    assert check_claim("Revenue in the 3rd quarter of 2019 was $6.3 billion.", cited).supported
    assert not check_claim("Tesla's revenue in Q2 2019 was $6.3 billion.", cited).supported


def test_a_restated_question_word_passes_except_for_a_count_or_a_date() -> None:
    displaced = "The conflict has displaced approximately 6.8 million people, the UN experts said."
    claim = "The UN experts said approximately 6.8 million people have been killed."
    assert not check_claim(claim, [displaced], ("people", "kill", "expert"), tolerance=0).supported
    assert check_claim(claim, [displaced], ("people", "kill", "expert"), restated=("kill",), tolerance=0).supported


def test_a_name_the_question_gave_must_still_be_in_the_citations() -> None:
    cited = ["According to Major General Vadim Denisenko, China has recently increased its exchanges with Belarus."]
    question = ("beij", "china", "minsk", "belarus", "step", "contact")
    claim = "Vadim Denisenko said Beijing has recently increased its exchanges with Minsk."
    verdict = check_claim(claim, cited, question, restated=question)
    assert not verdict.supported and "name" in verdict.reason
    assert check_claim("Vadim Denisenko said Chinese exchanges with Belarusian forces increased.", cited).supported


def test_a_title_the_question_gave_may_be_restated() -> None:
    cited = ["May 7, 2017 ... Voters in France chose Emmanuel Macron to be their next president."]
    question = ("won", "french", "presidential", "election", "2017")
    claim = "Emmanuel Macron won the French Presidential Election 2017."
    assert check_claim(claim, cited, question, restated=question).supported
    assert not check_claim(claim, cited, question).supported


def test_a_bound_holds_across_markdown_emphasis() -> None:
    cited = ["An estimated **41,300 people** are displaced across four districts."]
    assert not check_claim("41,300 people are displaced across four districts.", cited).supported
    assert check_claim("An estimated 41,300 people are displaced across four districts.", cited).supported
    assert check_claim("About 41,300 people are displaced across four districts.", cited).supported


def test_a_cause_needs_a_cause_in_its_citations() -> None:
    # Every word is there, but the two facts stand side by side: neither is given as the other's cause.
    trials = ["The programme is behind schedule.", "The first two vessels were performing well in sea trials."]
    claim = "The programme is behind schedule because the first two vessels were performing well in sea trials."
    assert not check_claim(claim, trials).supported
    cause = ["Every hull is behind schedule. The ministry states that the principal cause was the gearbox failure."]
    assert check_claim("Every hull is behind schedule because of the gearbox failure.", cause).supported
    # Growing with the war is not growing because of it.
    grown = ["Russian influence, historical and strong, has grown with the war."]
    assert not check_claim("Russia's influence is historically strong due to the war.", grown).supported


def test_an_acronym_is_spelt_out_in_capitals_or_in_lower_case_if_it_is_longer_than_two_letters() -> None:
    assert spells_out("VAT", "The budget raises value added tax from 20% to 22%.")
    assert spells_out("EEZ", "It landed inside Japan's exclusive economic zone.")
    assert spells_out("EU", "The European Union pledged $20 million.")
    assert not spells_out("EU", "Each unit pledged $20 million."), "two lower-case words are too easily an acronym"
    assert not spells_out("VAT", "The value of the tax rose.")
    assert not check_claim("The EU pledged $20 million.", ["Each unit pledged $20 million."]).supported


def test_a_claim_never_shown_may_restate_the_question_s_places_and_numbers() -> None:
    claim, cited = "Gal Gadot plays Diana Prince in Wonder Woman 1984 in Washington.", ["Gal Gadot plays Diana Prince."]
    restated = {"wonder", "woman", "1984", "washington"}
    assert check_claim(claim, cited, restated=restated, quoted=True).supported
    assert "numbers" in check_claim(claim, cited, restated=restated).reason
    no_number = claim.replace(" 1984", "")
    assert "Washington" in check_claim(no_number, cited, restated=restated).reason
    assert not check_claim(claim, cited, restated={"wonder", "woman"}, quoted=True).supported
