"""Each user's language: Swedish by default, English on request (`/finsam språk en`).

The choice is stored on the user's Person row (`Person.language`, NULL = the association's
default). Texts are chosen for every message, so lookups go through a small per-engine cache:
`set_language` writes through it, and an entry lives `CACHE_SECONDS` at most, so a choice made
through another bot process on the same database shows here within that time."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from threading import Lock

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from store.db import insert_if_absent, session_scope
from store.errors import BadArgument, FinsamError
from store.models import Person
from store.people import get_person
from workflows.texts import LANGUAGES

log = logging.getLogger(__name__)

# What a user may type for each language (compared case-insensitively).
LANGUAGE_WORDS: dict[str, str] = {
    "sv": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "english": "en",
    "engelska": "en",
}
assert set(LANGUAGE_WORDS.values()) == set(LANGUAGES)

CACHE_SECONDS = 60.0
CACHE_SIZE = 4096


def parse_language(word: str) -> str:
    """`en`, `English`, `svenska` … → the language code; BadArgument for anything else."""
    code = LANGUAGE_WORDS.get(word.strip().casefold())
    if code is None:
        raise BadArgument("unknown_language", value=word)
    return code


class LanguageCache:
    """user id → stored language (or None), for one database. Thread-safe. A reader that
    started before a `put` does not overwrite the newer value with what it read."""

    def __init__(
        self,
        *,
        seconds: float = CACHE_SECONDS,
        size: int = CACHE_SIZE,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._now = now
        self._lock = Lock()
        self._items: dict[str, tuple[str | None, float]] = {}
        self._writes = 0  # bumped by every put/forget: a read begun before it is not stored

    def get(self, user_id: str, load: Callable[[], str | None]) -> str | None:
        with self._lock:
            found = self._items.get(user_id)
            if found is not None and self._now() - found[1] < self._seconds:
                return found[0]
            writes = self._writes
        value = load()
        with self._lock:
            if self._writes == writes:
                self._store(user_id, value)
        return value

    def put(self, user_id: str, value: str | None) -> None:
        with self._lock:
            self._writes += 1
            self._store(user_id, value)

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._writes += 1
            self._items.pop(user_id, None)

    def _store(self, user_id: str, value: str | None) -> None:
        if user_id not in self._items and len(self._items) >= self._size:
            self._items.clear()  # users are few; a full cache means stale ids, start over
        self._items[user_id] = (value, self._now())

    def __len__(self) -> int:
        return len(self._items)


_caches: weakref.WeakKeyDictionary[Engine, LanguageCache] = weakref.WeakKeyDictionary()
_caches_lock = Lock()


def cache_for(engine: Engine) -> LanguageCache:
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = LanguageCache()
        return cache


def _stored_language(engine: Engine, user_id: str) -> str | None:
    with session_scope(engine) as session:
        person = get_person(session, user_id)
        language = person.language if person is not None else None
    return language if language in LANGUAGES else None


def language_of(engine: Engine, user_id: str) -> str | None:
    """The language the user chose, or None (they never chose: the association's default)."""
    return cache_for(engine).get(user_id, lambda: _stored_language(engine, user_id))


def set_language(engine: Engine, user_id: str, lang: str) -> str:
    """Store the user's language (a code or a word such as `english`) and return its code.
    BadArgument for an unknown language. A user the bot does not know yet gets a Person row
    without any role."""
    code = parse_language(lang)
    cache = cache_for(engine)
    try:
        with session_scope(engine) as session:
            insert_if_absent(session, Person, slack_user_id=user_id, name="")
            person = get_person(session, user_id)
            assert person is not None
            person.language = code
            session.add(person)
    except BaseException:
        cache.forget(user_id)
        raise
    cache.put(user_id, code)
    return code


def is_user_id(conversation: str) -> bool:
    """Slack user ids start with U or W; channel ids (C…, G…, D…) have no language of their own."""
    return conversation[:1] in ("U", "W")


def preferred_language(engine: Engine, conversation: str | None, default: str) -> str:
    """The language to write to `conversation` in: the user's choice in a DM (the outbox
    addresses DMs by user id), `default` for channels and for anyone who never chose. A
    database that does not answer is no reason to stay silent: it logs and falls back."""
    if not conversation or not is_user_id(conversation):
        return default
    try:
        return language_of(engine, conversation) or default
    except (SQLAlchemyError, FinsamError):
        log.warning("language of %s not read; using %s", conversation, default, exc_info=True)
        return default
