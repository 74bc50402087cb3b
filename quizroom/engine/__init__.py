"""The rules of a live room. No Flask, no Socket.IO, no database: time comes in as an
argument and every call returns what happened (an Outcome) for the transport to act on."""

from .deck import Deck, DeckInvalid, parse_deck, parse_question
from .errors import EngineError
from .room import AnswerRecord, Emit, Outcome, Participant, Phase, Room, Settings, SubmissionRecord

__all__ = [
    "AnswerRecord",
    "Deck",
    "DeckInvalid",
    "Emit",
    "EngineError",
    "Outcome",
    "Participant",
    "Phase",
    "Room",
    "Settings",
    "SubmissionRecord",
    "parse_deck",
    "parse_question",
]
