"""Refusal (apps/school/text.py): the APIs send a field error's wire text as it is, a page
its whole sentence, which a copy keeps."""

import copy
import json
import pickle

from apps.school.text import Refusal, lazy_interpolate, sentence_of


def test_a_refusal_is_its_wire_text_and_carries_the_page_sentence():
    refusal = Refusal("must be between 0 and 600", "Minutes late must be between 0 and 600")
    assert refusal == "must be between 0 and 600"
    assert json.dumps({"minutes_late": [refusal]}) == '{"minutes_late": ["must be between 0 and 600"]}'
    assert sentence_of(refusal, "fallback") == "Minutes late must be between 0 and 600"


def test_a_plain_message_falls_back():
    assert sentence_of("is read-only over the API", "Mark is read-only over the API") == (
        "Mark is read-only over the API"
    )


def test_a_copy_keeps_the_sentence():
    refusal = Refusal("is too long", "Note is too long")
    for again in (copy.copy(refusal), copy.deepcopy(refusal), pickle.loads(pickle.dumps(refusal))):  # noqa: S301
        assert again == "is too long"
        assert again.sentence == "Note is too long"


def test_lazy_interpolate_fills_in_when_shown():
    text = lazy_interpolate("At most %(most)s days", {"most": 14})
    assert str(text) == "At most 14 days"
