"""Story grouping on articles written for these tests: same event in other words, same town other event."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from newsdesk.pipeline.cluster import ClusterOptions, Features, Item, assign, features, similarity

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

FIRE_GAZETTE = ("Fire rips through Halloway grain terminal in Brackwater", """
Forty firefighters spent the night fighting a blaze at the Halloway Grain Terminal on Brackwater's east quay,
where flames spread through two storage silos on Tuesday evening. Chief Fire Officer Dana Whitcombe said the
crews had kept the fire away from the fuel depot next door. About 1,200 tonnes of barley were lost, according
to the terminal's owner, Corrigan Agri. Nobody was hurt. Residents of Tanner's Row were asked to keep their
windows closed as smoke drifted over the harbour. Whitcombe said investigators from the Marsh County fire
service would begin work at first light.
""")
FIRE_TRIBUNE = ("Silo blaze: barley lost as crews save fuel depot", """
A fire that broke out at a grain store in Brackwater late on Tuesday destroyed an estimated 1,200 tonnes of
barley before it was brought under control in the early hours. The Halloway Grain Terminal, run by Corrigan
Agri, lost two of its silos. Dana Whitcombe, the chief fire officer for Marsh County, praised crews who "held
the line" at the fuel depot beside the terminal. People living near Tanner's Row were told to stay indoors.
A Corrigan Agri spokesman said the company would co-operate fully with the investigation.
""")
CYCLE_LANES = ("Brackwater council approves cycle lanes for Mill Road", """
Councillors in Brackwater voted on Tuesday evening to build protected cycle lanes along Mill Road, ending a
debate that has run for two years. The scheme, costing £2.4m, will remove 60 parking spaces near the
harbour. Councillor Ruth Okafor, who chairs the transport committee, said the lanes would make the school run
safer. Shopkeepers on Mill Road had collected 900 signatures against the plan. Work is due to start in the
spring, and the council said it would consult traders on loading bays.
""")
ROVERS = ("Brackwater Rovers climb to third after late winner", """
Brackwater Rovers moved up to third in the league on Tuesday evening after Tomas Brandt scored in the 89th
minute to beat Kingsmere Athletic 2-1 at the Quayside Ground. Manager Ellen Forde said the side had shown
"real character" after falling behind to an early penalty. The crowd of 6,400 was the biggest of the season.
Rovers travel to Eastleigh Park on Saturday.
""")
FERRY = ("Ferry operator adds winter sailings to the islands", """
Tidewater Ferries will run a second daily sailing to the Orran Islands from December, the company said,
after passenger numbers rose by a fifth this year. The extra crossing leaves the mainland terminal at
four in the afternoon. Islanders had campaigned for a later return trip for years.
""")
PLANT = ("Battery plant plans approved in Linfield", """
Plans for a battery recycling plant on the old Ashgrove paper mill site in Linfield were approved by the
county planning board. Voltrane Recycling says the plant will employ 140 people and process 20,000 tonnes
of used batteries a year. Neighbours raised concerns about lorry traffic on Station Road.
""")
BACKGROUND = [features(*pair) for pair in (CYCLE_LANES, ROVERS, FERRY, PLANT)]


def item(pair, *, source="a", story=None, at=NOON) -> Item:
    return Item(features(*pair), at, source, story)


def test_same_event_in_other_words_joins_the_story():
    story = assign(item(FIRE_TRIBUNE, source="tribune"),
                   [item(FIRE_GAZETTE, source="gazette", story=1), item(CYCLE_LANES, source="gazette", story=2),
                    item(ROVERS, source="gazette", story=3), item(FERRY, story=4), item(PLANT, story=5)])
    assert story == 1


def test_same_town_same_evening_other_event_stays_apart():
    candidates = [item(FIRE_GAZETTE, source="gazette", story=1), item(ROVERS, source="gazette", story=3),
                  item(FERRY, story=4), item(PLANT, story=5)]
    assert assign(item(CYCLE_LANES, source="tribune"), candidates) is None
    assert assign(item(ROVERS, source="tribune"), [item(CYCLE_LANES, source="gazette", story=2)]) is None


def test_similarity_is_high_for_one_event_and_low_for_one_town():
    gazette, tribune = features(*FIRE_GAZETTE), features(*FIRE_TRIBUNE)
    same = similarity(gazette, tribune, BACKGROUND)
    town = similarity(gazette, features(*CYCLE_LANES), BACKGROUND)
    assert same >= ClusterOptions().threshold > town
    assert town < same / 3


def test_articles_far_apart_in_time_are_not_compared():
    old = item(FIRE_GAZETTE, source="gazette", story=1, at=NOON - timedelta(days=5))
    assert assign(item(FIRE_TRIBUNE, source="tribune"), [old]) is None
    wide = ClusterOptions(window=timedelta(days=7))
    assert assign(item(FIRE_TRIBUNE, source="tribune"), [old], wide) == 1


def test_an_outlet_joins_a_story_only_through_another_outlet_unless_allowed():
    own = [item(FIRE_GAZETTE, source="gazette", story=1)]
    assert assign(item(FIRE_TRIBUNE, source="gazette"), own) is None
    assert assign(item(FIRE_TRIBUNE, source="gazette"), own, ClusterOptions(same_source=True)) == 1


def test_the_most_similar_story_wins_and_stories_without_id_are_skipped():
    candidates = [item(CYCLE_LANES, source="gazette", story=2), item(FIRE_GAZETTE, source="gazette", story=None),
                  item(FIRE_GAZETTE, source="herald", story=7), item(ROVERS, source="herald", story=3)]
    assert assign(item(FIRE_TRIBUNE, source="tribune"), candidates) == 7


def test_a_strict_threshold_or_name_count_keeps_the_article_apart():
    candidates = [item(FIRE_GAZETTE, source="gazette", story=1)]
    assert assign(item(FIRE_TRIBUNE, source="tribune"), candidates, ClusterOptions(threshold=0.99)) is None
    assert assign(item(FIRE_TRIBUNE, source="tribune"), candidates, ClusterOptions(min_shared_names=50)) is None


def test_empty_articles_join_nothing():
    empty = Item(features("", ""), NOON, "tribune")
    assert empty.features.is_empty
    assert assign(empty, [item(FIRE_GAZETTE, source="gazette", story=1)]) is None
    assert assign(item(FIRE_TRIBUNE, source="tribune"), [Item(Features(), NOON, "gazette", 1)]) is None


def test_names_numbers_and_title_terms_are_found():
    found = features("Storm Halvard breaches Greyhaven Mole", """
The storm reached the coast on Monday. Storm Halvard brought gusts of 92 mph to Greyhaven Mole, where a
2,400 metres stretch of wall was damaged. The harbour master, Tom Reddaway, said it was the worst since 1987.
""")
    assert {"storm halvard", "halvard", "greyhaven mole", "greyhaven", "tom reddaway", "92 mph", "2400 m"} <= set(found.names)
    # Sentence starts, weekdays and years are not names, nor a name's word also written in lower case.
    assert not {"the", "monday", "1987", "storm"} & set(found.names)
    assert {"storm halvard", "greyhaven mole"} <= found.title
    assert "gust" in found.words and "wall" in found.words


def test_title_case_headlines_do_not_make_names_of_common_words():
    found = features("Council Approves New Cycle Lanes For Mill Road", CYCLE_LANES[1])
    assert "mill road" in found.names and "mill road" in found.title
    assert "approves" not in found.names and "cycle" not in found.names


def test_features_survive_json():
    found = features(*FIRE_GAZETTE)
    assert Features.from_json(json.loads(json.dumps(found.to_json()))) == found
    assert Features.from_json(None).is_empty and Features.from_json({}).version == 0


def test_options_are_one_frozen_object():
    options = ClusterOptions()
    assert replace(options, threshold=0.5).threshold == 0.5
    try:
        options.threshold = 0.1  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("options must be frozen")
