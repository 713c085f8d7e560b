"""The app the offline co-founder builds is shaped by what each feature says: the things it names
become records with fields read from its words, and features that browse become searches over them."""

import json

import pytest

from agent import app_shape
from agent import brief as brief_rules
from agent import plan as plan_rules
from tests.support.founders import FOUNDERS


def schema_for(founder):
    brief = brief_rules.draft_offline(founder.facts(), founder.answered())
    return app_shape.shape(brief, plan_rules.planned_features(brief, plan_rules.phases_offline(brief)))


def fields(schema, entity_name):
    entity = next(e for e in schema["entities"] if e["name"] == entity_name)
    return {f["label"]: f["kind"] for f in entity["fields"]}


def test_plotshare_has_plots_offers_rotas_and_harvests():
    schema = schema_for(FOUNDERS[0])
    assert [e["name"] for e in schema["entities"]] == ["Offer", "Watering rota", "Harvest", "Message"]
    assert fields(schema, "Offer") == {"Plot": "text", "Photo": "photo", "Size": "text"}
    assert fields(schema, "Watering rota") == {"Name": "text", "Days": "days", "People": "people"}
    assert fields(schema, "Harvest") == {"What": "text", "How much": "number", "When": "date",
                                         "Who picked it": "person"}
    assert fields(schema, "Message") == {"Message": "long", "To": "person"}
    modes = {p["title"]: (p["mode"], p["entity"]) for p in schema["pages"]}
    assert modes["Browse offers near them"] == ("browse", "offer")  # a search over the offers
    assert modes["Log harvests"] == ("add", "harvest")
    assert schema["accounts"] is True


def test_five_ideas_give_five_different_apps():
    picked = [f for f in FOUNDERS if f.name in ("PlotShare", "Walkies", "TutorMatch", "FixIt", "Bakesale")]
    schemas = [schema_for(f) for f in picked]
    for attribute in ("pages", "entities"):
        shapes = [json.dumps([(x.get("title") or x.get("name")) for x in s[attribute]]) for s in schemas]
        assert len(set(shapes)) == 5
    field_sets = [frozenset((e["name"], f["label"]) for e in s["entities"] for f in e["fields"]) for s in schemas]
    assert len(set(field_sets)) == 5


@pytest.mark.parametrize("founder", FOUNDERS, ids=[f.name for f in FOUNDERS])
def test_every_founder_gets_a_page_per_feature_and_sound_records(founder):
    schema = schema_for(founder)
    assert [p["title"] for p in schema["pages"]] == founder.features
    assert len({p["slug"] for p in schema["pages"]}) == len(schema["pages"])
    keys = {e["key"] for e in schema["entities"]}
    for page in schema["pages"]:
        assert page["entity"] in keys and page["mode"] in ("add", "browse")
    for entity in schema["entities"]:
        assert 1 <= len(entity["fields"]) <= 8 and entity["fields"][0]["required"]
        assert len({f["key"] for f in entity["fields"]}) == len(entity["fields"])
        assert entity["name"][0].isupper() and len(entity["name"].split()) <= 3


def test_outside_services_are_named_as_demo_stubs():
    desk = next(f for f in FOUNDERS if f.name == "Quiet Desk")
    assert schema_for(desk)["demo"] == ["Payments"]
