"""Scenario input: the shipped scenario is valid, and every kind of mistake gets one clear message."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from conftest import small_scenario

from sim.io.library import available_scenarios, config_dir, load_scenario, read_yaml
from sim.model.errors import ScenarioError
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec


def error_for(data) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        ScenarioSpec.from_dict(data)
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
    small = ScenarioSpec.from_dict(small_scenario())
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
    north_foreign = ScenarioSpec.from_dict(data).countries[0].ministries[0]
    assert north_foreign.confidence == {"south.foreign": 0.2, "south.defence": 0.9}


@pytest.mark.parametrize(
    ("changes", "path", "allowed"),
    [
        ({"countries.north.ministries": 5}, "countries.north.ministries", "a mapping"),
        ({"countries.north.ministries": ["foreign", "defence"]}, "countries.north.ministries", "a mapping"),
        ({"countries.north.ministries.foreign.role": "foreign office"}, "foreign.role", "letters, digits"),
        ({"countries.north.ministries.foreign.role": True}, "foreign.role", "quote the name"),
        (
            {"countries.north.ministries.foreign.influence": 0, "formats.ministers.roles": ["foreign"]},
            "calendar.talks.countries",
            "some influence",
        ),
        (
            {
                "countries.north.ministries.foreign.influence": 1e308,
                "countries.north.ministries.defence.influence": 1e308,
            },
            "north.ministries",
            "positive sum (finite)",
        ),
        ({"countries.north.ministries.foreign.priorities": {"exercise": 1e308, "land": 1e308}}, "priorities", "finite"),
        ({"countries.north.ministries.foreign.confidence": 0.4}, "foreign.confidence", "a mapping"),
        ({"countries.north.quota": None}, "countries.north.quota", "a number in [0, 1]"),
        ({"cooperation": []}, "scenario.cooperation", "a mapping"),
        ({"cooperation": False}, "scenario.cooperation", "a mapping"),
        ({"cooperation.exercise.benefit": {"north": 0.5}}, "benefit.south", "give a 'default'"),
        ({"formats.ministers.agenda": "exercise"}, "ministers.agenda", "a list of names"),
        ({"formats.ministers.weight": 2}, "ministers.weight", "[0, 1]"),
        ({"calendar.talks.hosts": []}, "calendar.talks.hosts", "at least 1 names"),
        ({"calendar.talks.hosts": ["north", "west"]}, "calendar.talks.hosts[1]", "one of north, south"),
        ({"calendar.talks.start": 0}, "calendar.talks.start", "≥ 1"),
        ({"calendar.talks.every": 1.5}, "calendar.talks.every", "a whole number"),
        ({"calendar.talks.pairs": [["north", "south"]]}, "calendar.talks", "exactly one of 'countries'"),
        ({"talks.border.parties": ["north", "north"]}, "border.parties", "without repeated"),
        ({"talks.border.horizon": 0}, "border.horizon", "≥ 1"),
        ({"talks.border.confidence_effect": -1}, "border.confidence_effect", "[0, 10]"),
        ({"talks.border.dimensions.land.options": ["none"]}, "land.options", "at least 2"),
        ({"talks.border.dimensions.land.options": ["none", "none", "all"]}, "land.options", "without repeated"),
        ({"talks.border.dimensions.land.values.north": [0, 0.5, 1.5]}, "values.north[2]", "[0, 1]"),
        ({"description": ["a"]}, "scenario.description", "a text"),
        ({"name": "runs/../../etc"}, "scenario.name", "letters, digits"),
        ({"name": ""}, "scenario.name", "non-empty"),
        ({"ministry_defaults": {"confidence": 1.2}}, "ministry_defaults.confidence", "[0, 1]"),
        ({"ministry_defaults": {"concession": 0}}, "ministry_defaults.concession", "[0.01, 100]"),
        ({"ministry_defaults": {"hawkishness": float("nan")}}, "ministry_defaults.hawkishness", "[0, 1]"),
        ({"shock_scale": "high"}, "scenario.shock_scale", "[0, 1]"),
    ],
)
def test_more_mistakes_name_key_value_and_allowed(changes, path, allowed):
    """Mistakes found by review and fuzzing: each gets the key path, the value and what is allowed."""
    error = error_for(small_scenario(**changes))
    assert path in error.path
    assert allowed in error.allowed


def test_yaml_booleans_as_names_get_a_hint(tmp_path):
    """YAML 1.1 reads an unquoted `no:` (say, Norway) as false: the error says to quote it."""
    path = tmp_path / "norway.yaml"
    path.write_text("name: n\ncountries:\n  no: {ministries: {foreign: {role: foreign, priorities: {}}}}\n  se: {}\n")
    with pytest.raises(ScenarioError, match="quote the name"):
        load_scenario(path)


def test_country_named_default_is_refused():
    data = small_scenario()
    data["countries"]["default"] = data["countries"].pop("south")
    assert "other than 'default'" in error_for(data).allowed


def test_outcome_space_is_bounded():
    """Talks whose outcome space would not fit in memory are refused before any array is built."""
    dims = {
        f"d{k}": {"options": list("abcdefghij"), "values": {"north": [0] * 10, "south": [1] * 10}} for k in range(6)
    }
    data = small_scenario(**{"talks.border.dimensions": dims, "talks.border.status_quo": dict.fromkeys(dims, "a")})
    error = error_for(data)
    assert error.path == "scenario.talks.border.dimensions"
    assert "at most 100,000" in error.allowed


def test_yaml_merge_keys_are_allowed(tmp_path):
    """`<<: *anchor` merges a shared block; keys beside it override it (not a repeated key)."""
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert read_yaml(path)["other"] == {"x": 1, "y": 3}


@pytest.mark.parametrize("name", ["tokyo_2013", "tokyo_1956_formula", "shared_threat", "asean_regional_forum"])
def test_shipped_scenarios_are_valid_and_run(name):
    scenario = load_scenario(name)
    result = simulate(scenario, rounds=13)
    assert name in available_scenarios()
    assert scenario.description and len(result.meetings) > 0
    assert np.isfinite(result.country_states).all()


def test_asean_regional_forum_is_multilateral_with_a_rotating_chair():
    forum = load_scenario("asean_regional_forum")
    assert 10 <= len(forum.countries) <= 27
    ministerial = next(e for e in forum.calendar if e.name == "arf_ministerial")
    assert len(ministerial.pairs) == len(forum.countries) * (len(forum.countries) - 1) // 2
    assert [ministerial.host(ministerial.start + 12 * k) for k in range(3)] == ["myanmar", "malaysia", "laos"]


def test_the_1956_formula_puts_the_pair_on_top_for_japan():
    islands = next(d for d in load_scenario("tokyo_1956_formula").talks[0].dimensions if d.name == "islands")
    assert islands.options[-1] == "pair_1956"
    assert max(islands.values["japan"]) == islands.values["japan"][-1]


def test_synthetic_scenarios_by_name():
    scenario = load_scenario("synthetic:7")
    assert len(scenario.countries) == 7 and scenario.name == "synthetic_7"
    assert "synthetic" in available_scenarios()
    assert len(simulate(load_scenario("synthetic:4"), rounds=6).meetings) > 0


def test_a_synthetic_spec_generates_its_scenario():
    spec = {"countries": 6, "seed": 3, "talks_share": 0.5}
    scenario = load_scenario({"name": "ring", "synthetic": spec})
    assert scenario.name == "ring" and len(scenario.countries) == 6
    assert load_scenario({"synthetic": spec}).name == "synthetic_6"
    shipped = load_scenario("synthetic")  # conf/scenario/synthetic.yaml: the spec Hydra composes
    assert len(shipped.countries) == read_yaml(config_dir() / "scenario" / "synthetic.yaml")["synthetic"]["countries"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"synthetic": {"seed": 1}}, "scenario.synthetic.countries: got None"),
        ({"synthetic": {"countries": 501}}, "scenario.synthetic.countries: got 501"),
        ({"synthetic": {"countries": 5, "talks_share": 2}}, "scenario.synthetic.talks_share: got 2"),
        ({"synthetic": {"countries": 5}, "calendar": {}}, "scenario.calendar: got {}; allowed: a known key"),
    ],
)
def test_a_synthetic_spec_is_checked(data, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(data)


@pytest.mark.parametrize("name", ["synthetic:", "synthetic:1", "synthetic:x", "synthetic:²", "synthetic:100000"])
def test_synthetic_size_is_checked(name):
    with pytest.raises(ScenarioError, match=r"synthetic:N with N a whole number in \[2, 500\]"):
        load_scenario(name)


def test_a_scenario_builds_on_another_as_hydra_composes_it():
    """tokyo_2013_decade lists tokyo_2013 in its defaults: load_scenario merges them as the negsim command does, and an
    override reaches a key the base file set."""
    from omegaconf import OmegaConf

    from sim.cli.overrides import checked_configs
    from sim.io.library import scenario_data

    override = "scenario.countries.japan.ministries.leader.hawkishness=0.6"
    (config,) = checked_configs(["scenario=tokyo_2013_decade", override], multirun=False)
    composed = OmegaConf.to_container(config.scenario, resolve=True)
    loaded = scenario_data("tokyo_2013_decade")
    loaded["countries"]["japan"]["ministries"]["leader"]["hawkishness"] = 0.6
    assert composed == loaded
    assert (
        loaded["name"] == "tokyo_2013_decade"
        and loaded["talks"] == read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml")["talks"]
    )


def test_defaults_that_do_not_name_a_scenario_are_refused(tmp_path):
    (tmp_path / "loop.yaml").write_text("defaults: [loop, _self_]\nname: loop\n")
    (tmp_path / "unknown.yaml").write_text("defaults: [tokyo2013]\nname: x\n")
    with pytest.raises(
        ScenarioError, match=r"loop.yaml: defaults\[0\]: got 'loop'; allowed: a scenario that does not include itself"
    ):
        load_scenario(tmp_path / "loop.yaml")
    with pytest.raises(ScenarioError, match="did you mean 'tokyo_2013'"):
        load_scenario(tmp_path / "unknown.yaml")


@pytest.mark.parametrize(
    ("applies_when", "message"),
    [
        ({"island": ["all_four"]}, r"applies_when.island: got .* \(did you mean 'islands'\?\)"),
        ({"islands": ["everything"]}, "islands\\[0\\]: got 'everything'"),
        ({"islands": ["none"]}, "options other than the status quo's 'none'"),
        ({"transfer_terms": ["lease_back"]}, "applies_when.transfer_terms: got"),  # not itself
        ({}, "another dimension with the options where this one applies"),
    ],
)
def test_a_conditional_dimension_is_checked(tokyo_dict, applies_when, message):
    data = copy.deepcopy(tokyo_dict)
    data["talks"]["peace_treaty"]["dimensions"]["transfer_terms"]["applies_when"] = applies_when
    with pytest.raises(ScenarioError, match=message):
        ScenarioSpec.from_dict(data)
