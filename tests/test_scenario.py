"""Scenario input: the shipped scenario is valid, and every kind of mistake gets one clear message."""

from __future__ import annotations

import pytest
from conftest import small_scenario

from sim.errors import ScenarioError
from sim.library import load_scenario, read_yaml
from sim.scenario import Scenario


def error_for(data) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    return caught.value


def test_tokyo_is_valid_and_normalised(tokyo):
    """Priorities sum to 1, influence sums to 1 per country, confidence is in [0, 1] for every foreign ministry."""
    for country in tokyo.countries:
        assert sum(m.influence for m in country.ministries) == pytest.approx(1.0)
        for m in country.ministries:
            assert sum(m.priorities.values()) == pytest.approx(1.0)
            assert all(v >= 0 for v in m.priorities.values())
            foreign = [o for c in tokyo.countries if c.name != country.name for o in c.ministries]
            assert set(m.confidence) == {o.key for o in foreign}
            assert all(0 <= v <= 1 for v in m.confidence.values())


def test_nothing_country_specific_in_names(tokyo):
    """The engine is general: the scenario supplies every name."""
    assert {c.name for c in tokyo.countries} == {"japan", "russia"}
    small = Scenario.from_dict(small_scenario())
    assert {c.name for c in small.countries} == {"north", "south"}


@pytest.mark.parametrize(
    ("changes", "path", "allowed"),
    [
        ({"countries.north.ministries.foreign.confidence": {"south": 1.4}}, "confidence.south", "[0, 1]"),
        ({"countries.north.ministries.foreign.confidence": {"sooth": 0.4}}, "confidence.sooth", "did you mean 'south'"),
        ({"countries.north.ministries.foreign.priorities": {"exercise": -1}}, "priorities.exercise", "[0, inf]"),
        ({"countries.north.ministries.foreign.priorities": {"exercise": 0}}, "priorities", "positive sum"),
        (
            {"countries.north.ministries.foreign.priorities": {"exercize": 1}},
            "priorities.exercize",
            "did you mean 'exercise'",
        ),
        ({"countries.north.ministries.foreign.influence": "high"}, "influence", "a number"),
        ({"countries.north.ministries.foreign.trust_gain": 2}, "trust_gain", "[0, 1]"),
        ({"countries.north.ministries.foreign.veto": "yes"}, "veto", "true or false"),
        ({"frictions.grievance.against": "west"}, "frictions.grievance.against", "one of south"),
        ({"frictions.exercise": {"raised_by": "north", "against": "south"}}, "frictions.exercise", "not already used"),
        ({"calendar.talks.format": "summit"}, "calendar.talks.format", "one of ministers"),
        ({"calendar.talks.every": 0}, "calendar.talks.every", "≥ 1"),
        ({"cooperation.exercise.lead": "navy"}, "cooperation.exercise.lead", "one of defence, foreign"),
        ({"events": [{"round": 2, "source": "north", "target": "south", "cameo": "999"}]}, "events[0].cameo", "CAMEO"),
        ({"events": [{"round": 2, "source": "north", "target": "south", "cameo": 36}]}, "events[0].cameo", "'036'"),
        (
            {"events": [{"round": 2, "source": "north", "target": "north.defence", "goldstein": 3}]},
            "events[0].target",
            "another country",
        ),
        (
            {"events": [{"round": 2, "source": "north", "target": "south", "goldstein": 12}]},
            "events[0].goldstein",
            "[-10, 10]",
        ),
        ({"talks.border.status_quo": {"land": "most"}}, "status_quo.land", "one of all, half, none"),
        ({"talks.border.dimensions.land.values.north": [0, 1]}, "values.north", "3 numbers"),
        ({"talks.border.protocol": "auction"}, "talks.border.protocol", "alternating_offers"),
        ({"spillover": 1.5}, "scenario.spillover", "[0, 1]"),
        ({"colour": "blue"}, "scenario.colour", "a known key"),
    ],
)
def test_mistakes_name_key_value_and_allowed(changes, path, allowed):
    """Each mistake is reported with its key path, the value found and what is allowed."""
    error = error_for(small_scenario(**changes))
    assert path in error.path
    assert allowed in error.allowed
    assert str(error).startswith("scenario.")


def test_unknown_country_in_calendar_suggests_the_nearest():
    error = error_for(small_scenario(**{"calendar.talks.countries": ["north", "suoth"]}))
    assert error.path == "scenario.calendar.talks.countries[1]"
    assert "did you mean 'south'" in error.allowed


def test_country_without_the_lead_role_of_an_agenda_item():
    data = small_scenario()
    data["countries"]["south"]["ministries"]["defence"]["role"] = "army"
    assert "lead 'exercise'" in error_for(data).allowed


def test_bilateral_pairs_are_checked():
    data = small_scenario(**{"calendar.talks": {"format": "ministers", "pairs": [["north", "north"]]}})
    assert "without repeated names" in error_for(data).allowed


def test_repeated_yaml_key_is_an_error(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("name: a\nname: b\n")
    with pytest.raises(ScenarioError, match="each key once"):
        read_yaml(path)


def test_unknown_scenario_name_suggests_the_nearest():
    with pytest.raises(ScenarioError, match="did you mean 'tokyo_2013'"):
        load_scenario("tokio_2013")


def test_confidence_for_a_whole_country_or_one_ministry():
    data = small_scenario(**{"countries.north.ministries.foreign.confidence": {"south": 0.2, "south.defence": 0.9}})
    north_foreign = Scenario.from_dict(data).countries[0].ministries[0]
    assert north_foreign.confidence == {"south.foreign": 0.2, "south.defence": 0.9}
