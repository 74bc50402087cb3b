"""Hostile text in every field a participant or a trainer can write, opened in Chromium
(issue #6): no script runs, nothing is parsed as HTML, and the text shows as text.

A trainer registers with a hostile name and writes hostile group and person names (a roster
CSV), a deck (title, questions, choices, an image URL, topics, accepted answers) and a session
plan (titles, poll options, board columns, survey items); phones join with hostile nicknames
and an opt-in name and send hostile typed answers, word-cloud words, open-text entries, board
notes and survey answers, over the real protocol (python-socketio clients on a loop in a
thread). Then every page that shows any of it is opened and scanned: the stage and a phone at
each step of a quiz and of an agenda, the join, personal-link and self-paced review pages, the
results, the retention dashboard and person page, the people and group pages, and the
editors.

Each page is opened twice: under the server's own Content-Security-Policy (no violation may be
reported) and with Chromium's CSP turned off (``bypass_csp``), where only escaping stands
between a hostile string and a running script. On each: ``window.__xss`` is undefined, no
dialog opened, no script error, no element carries an ``on*`` attribute, a ``javascript:`` URL,
an inline script or a frame; and the hostile text itself is visible (``innerText``), so text
that was dropped instead of escaped fails too. At the end every field must have been seen on
some page.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading

import pytest
import requests

from tests.conftest import start_server
from tests.e2e.players import HostClient, PlayerClient
from tests.e2e.test_attacks import query, register

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

WAIT = 10_000  # ms
EMAIL = "hostile@example.com"

X = {
    "script": "<script>window.__xss=1</script>",
    "img": '"><img src=x onerror="window.__xss=1">',
    "svg": '<svg onload="window.__xss=1">',
    "js": "javascript:window.__xss=1",
    "tpl": "{{7*7}}",
    "break": "</textarea></title><img src=x onerror=window.__xss=1>",
}
# Nicknames have at most 20 characters.
NICKS = ["<svg onload=__xss=1>", "<svg/onload=__xss=1>", "<script>__xss=1//", "{{7*7}}", "javascript:__xss=1"]
OPTIN_NICK = '"><b onclick=x>b'
IMAGE = '/uploads/x.png" onerror="window.__xss=1'


def h(kind: str, tag: str) -> str:
    return f"{X[kind]} {tag}"


FIELDS: dict[str, str] = {
    "trainer name": h("svg", "Tess"),
    "group name": h("break", "Team"),
    **{
        f"person {i}": h(kind, name)
        for i, (kind, name) in enumerate(zip(X, ("Ana", "Bo", "Cy", "Di", "Ed"), strict=False))
    },
    "opt-in name": h("img", "Opt"),
    **{f"nickname {i}": nick for i, nick in enumerate(NICKS)},
    "opt-in nickname": OPTIN_NICK,
    "deck title": h("script", "deck"),
    "question text": h("img", "q1"),
    **{f"choice {i}": h(kind, f"c{i}") for i, kind in enumerate(("script", "svg", "js", "break"))},
    "topic": "{{7*7}} <svg onload=__xss=1>",
    "typed question": h("break", "q2"),
    "accepted answer": h("svg", "acc"),
    **{f"typed answer {i}": h(kind, f"t{i}") for i, kind in enumerate(("script", "img", "js"))},
    "plan title": h("img", "plan"),
    "poll text": h("svg", "poll"),
    "option 0": h("script", "o1"),
    "option 1": h("img", "o2"),
    "cloud text": h("tpl", "cloud"),
    **{f"word {i}": f"{X[kind]} w{i}" for i, kind in enumerate(("svg", "script", "js"))},
    "open text": h("js", "open"),
    **{f"entry {i}": h(kind, f"e{i}") for i, kind in enumerate(("break", "img"))},
    "board prompt": h("break", "board"),
    "column 0": "<svg onload=__xss=1> col0",
    "column 1": "<script>__xss=1</script> col1",
    **{f"note {i}": h(kind, f"n{i}") for i, kind in enumerate(("script", "img", "svg"))},
    "group title": h("break", "g"),
    "survey title": h("script", "survey"),
    "rating item": h("img", "rate"),
    "text item": h("svg", "said"),
    **{f"survey answer {i}": h(kind, f"a{i}") for i, kind in enumerate(("break", "js", "tpl"))},
}
PEOPLE = [FIELDS[f"person {i}"] for i in range(5)]

DECK = {
    "title": FIELDS["deck title"],
    "description": h("tpl", "description"),
    "questions": [
        {
            "uid": "xss-single",
            "type": "single",
            "text": FIELDS["question text"],
            "image": IMAGE,
            "time_limit": 60,
            "topics": [FIELDS["topic"]],
            "choices": [{"text": FIELDS["choice 0"], "correct": True}]
            + [{"text": FIELDS[f"choice {i}"]} for i in (1, 2, 3)],
        },
        {
            "uid": "xss-typed",
            "type": "typed",
            "text": FIELDS["typed question"],
            "time_limit": 60,
            "topics": [FIELDS["topic"]],
            "accepted": [FIELDS["accepted answer"]],
        },
    ],
}
PLAN = {
    "title": FIELDS["plan title"],
    "activities": [
        {
            "kind": "poll",
            "uid": "poll",
            "type": "single",
            "text": FIELDS["poll text"],
            "options": [FIELDS["option 0"], FIELDS["option 1"]],
            "anonymous": False,
        },
        {"kind": "poll", "uid": "cloud", "type": "wordcloud", "text": FIELDS["cloud text"], "anonymous": False},
        {"kind": "poll", "uid": "open", "type": "open", "text": FIELDS["open text"], "anonymous": False},
        {
            "kind": "board",
            "uid": "board",
            "prompt": FIELDS["board prompt"],
            "columns": [FIELDS["column 0"], FIELDS["column 1"]],
            "anonymous": False,
        },
        {
            "kind": "survey",
            "uid": "pulse",
            "title": FIELDS["survey title"],
            "anonymous": False,
            "items": [
                {"id": "rate", "type": "rating", "text": FIELDS["rating item"]},
                {"id": "said", "type": "text", "text": FIELDS["text item"]},
            ],
        },
    ],
}

# What a page must not have, whatever text went into it; and its text (lower case).
SCAN = """() => {
  const bad = [];
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.trim().toLowerCase();
      if (name.startsWith("on")) bad.push(`<${tag} ${name}>`);
      if (urlAttributes.includes(name) && value.startsWith("javascript:")) bad.push(`<${tag} ${name}=${value}>`);
      if (name === "src" && value === "x") bad.push(`<${tag} src=x>`);
    }
    if (tag === "script" && !el.src && el.type !== "application/json") bad.push("inline <script>");
    if (tag === "script" && el.src && new URL(el.src).origin !== location.origin) bad.push(`<script src=${el.src}>`);
    if (["iframe", "frame", "object", "embed", "base"].includes(tag)) bad.push(`<${tag}>`);
  }
  const values = [...document.querySelectorAll("input, textarea, select")].map((e) => e.value).join("\\n");
  const text = [document.title, document.body ? document.body.innerText : "", values].join("\\n");
  return {xss: typeof window.__xss === "undefined" ? null : String(window.__xss), bad, text: text.toLowerCase()};
}"""
HAS_ALL = """(wanted) => {
  const values = [...document.querySelectorAll("input, textarea, select")].map((e) => e.value).join("\\n");
  const text = [document.title, document.body ? document.body.innerText : "", values].join("\\n").toLowerCase();
  return wanted.every((w) => text.includes(w));
}"""


class Loop:
    """An asyncio loop in a thread, for the socket clients, while Playwright drives the pages."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 30):
        """Run a coroutine on the loop (build gathers inside a coroutine: see ``together``)."""
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coroutine, timeout), self.loop)
        return future.result(timeout + 5)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


async def together(*coroutines):
    return await asyncio.gather(*coroutines)


class Inspector:
    """Opens pages in browser contexts and scans them; remembers which hostile texts it saw."""

    def __init__(self) -> None:
        self.pages = 0
        self.seen: set[str] = set()
        self.problems: list[str] = []

    def watch(self, context, label: str):
        page = context.new_page()
        page.set_default_timeout(WAIT)
        page.on("pageerror", lambda error: self.problems.append(f"{label} {page.url}: script error {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"{label} {page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

        def dialog(d) -> None:
            self.problems.append(f"{label} {page.url}: a {d.type} dialog opened: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        return page

    def check(self, page, where: str, must: tuple[str, ...] = ()) -> None:
        if must:
            try:
                page.wait_for_function(HAS_ALL, arg=[m.lower() for m in must], timeout=WAIT)
            except Exception as error:
                text = page.evaluate(SCAN)["text"]
                raise AssertionError(f"{where}: not shown as text: {must}\n--- page text ---\n{text[:3000]}") from error
        found = page.evaluate(SCAN)
        assert found["xss"] is None, f"{where}: a hostile script ran (window.__xss = {found['xss']})"
        assert found["bad"] == [], f"{where}: hostile markup in the page: {found['bad'][:10]}"
        shown = {name for name, text in FIELDS.items() if text.lower() in found["text"]}
        assert shown, f"{where}: no hostile text visible at all"
        self.seen |= shown
        self.pages += 1
        assert self.problems == [], self.problems


def sign_in(context, server, http: requests.Session) -> None:
    context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in http.cookies])


@pytest.fixture
def server(tmp_path):
    srv = start_server(tmp_path)
    yield srv
    srv.stop()


def test_hostile_text_never_runs_and_always_shows_as_text(server, browser):
    url = server.url
    http = register(server, EMAIL, FIELDS["trainer name"])
    made = http.post(f"{url}/groups", data={"name": FIELDS["group name"]}, timeout=10)
    group_id = int(re.search(r"/groups/(\d+)", made.url).group(1))
    roster = io.StringIO()
    writer = csv.writer(roster)
    writer.writerow(["name", "email"])
    writer.writerows([name, f"p{i}@example.com"] for i, name in enumerate(PEOPLE))
    imported = http.post(f"{url}/groups/{group_id}/import", data={"roster": roster.getvalue()}, timeout=10)
    assert imported.ok and f"/groups/{group_id}" in imported.url
    deck = http.post(f"{url}/api/decks", json=DECK, timeout=10)
    plan = http.post(f"{url}/api/plans", json=PLAN, timeout=10)
    assert deck.status_code == plan.status_code == 201, (deck.text, plan.text)
    deck_id, plan_id = deck.json()["id"], plan.json()["id"]
    quiz = http.post(f"{url}/api/rooms", json={"deck_id": deck_id, "group_id": group_id}, timeout=10).json()
    agenda = http.post(f"{url}/api/rooms", json={"plan_id": plan_id}, timeout=10).json()
    people = {name: (pid, key) for pid, name, key in query(server, "SELECT id, name, link_key FROM people")}
    assert set(people) >= set(PEOPLE)

    inspector = Inspector()
    check = inspector.check
    loop = Loop()
    contexts = []

    def context(label: str, trainer: bool, bypass: bool, tokens: dict | None = None, **options):
        made = browser.new_context(bypass_csp=bypass, **options)
        contexts.append(made)
        if trainer:
            sign_in(made, server, http)
        for code, token in (tokens or {}).items():
            made.add_init_script(f"window.localStorage.setItem('quizroom:{code}', '{token}')")
        return made

    modes = {"csp": False, "no-csp": True}
    phone_size = {"viewport": {"width": 390, "height": 800}, "is_mobile": True}
    try:
        # ---------------------------------------------------------- the quiz, live
        async def join_quiz():
            stage = HostClient(url, quiz["code"], quiz["host_key"])
            await stage.connect()
            assert (await stage.attach())["ok"]
            phones = []
            for i, name in enumerate(PEOPLE):
                client = PlayerClient(url, quiz["code"], name=f"person {i}")
                await client.connect()
                ack = await client.call(
                    "join", {"code": quiz["code"], "nickname": NICKS[i], "person": {"id": people[name][0]}}
                )
                assert ack["ok"], ack
                client.token = ack["token"]
                phones.append(client)
            optin = PlayerClient(url, quiz["code"], name="opt-in")
            await optin.connect()
            who = {"name": FIELDS["opt-in name"], "email": "optin@example.com"}
            ack = await optin.call("join", {"code": quiz["code"], "nickname": OPTIN_NICK, "person": who})
            assert ack["ok"], ack
            phones.append(optin)
            await stage.wait_lobby(len(phones))
            return stage, phones

        stage, phones = loop.run(join_quiz())
        stages, screens = {}, {}
        for mode, bypass in modes.items():
            stages[mode] = inspector.watch(context(f"trainer {mode}", True, bypass), f"stage {mode}")
            tokens = {quiz["code"]: phones[0].token}
            screens[mode] = inspector.watch(context(f"phone {mode}", False, bypass, tokens, **phone_size), mode)
            stages[mode].goto(quiz["stage_url"])
            screens[mode].goto(quiz["join_url"])

        def live(where: str, phase: str, screen: str | None, stage_must=(), phone_must=()) -> None:
            for mode in modes:
                page = stages[mode]
                page.wait_for_selector(f"#stage[data-phase='{phase}']", timeout=WAIT)
                check(page, f"stage, {where} ({mode})", stage_must)
                page = screens[mode]
                if screen is not None:
                    page.wait_for_selector(f"#play[data-screen='{screen}']", timeout=WAIT)
                check(page, f"phone, {where} ({mode})", phone_must)

        live("lobby", "lobby", "lobby", (NICKS[0], OPTIN_NICK, FIELDS["deck title"]), (NICKS[0],))
        # A person's own page (their personal link) names them, their trainer and the live room.
        for mode, bypass in modes.items():
            page = inspector.watch(context(f"me {mode}", False, bypass), f"me {mode}")
            page.goto(f"{url}/me/{people[PEOPLE[1]][1]}")
            check(page, f"personal link page ({mode})", (PEOPLE[1], FIELDS["trainer name"], FIELDS["deck title"]))
            page.close()

        async def question(index: int, answers: list) -> None:
            await stage.must("host:next")
            await asyncio.gather(*(p.wait_phase("question", index) for p in phones))
            for client, value in zip(phones[1:], answers, strict=False):
                assert (await client.answer(index, value))["ok"]

        loop.run(stage.must("host:start"))
        loop.run(together(*(p.wait_phase("question", 0) for p in phones)))
        for client, value in zip(phones[1:], (0, 1, 2, 3, 0), strict=True):
            assert loop.run(client.answer(0, value))["ok"]
        choices = tuple(FIELDS[f"choice {i}"] for i in range(4))
        live(
            "question", "question", "question", (FIELDS["question text"], *choices), (FIELDS["question text"], *choices)
        )
        for mode in modes:
            assert stages[mode].locator("#q-image").get_attribute("src") == IMAGE  # an attribute, not markup
        loop.run(stage.must("host:next"))
        live("reveal", "reveal", None, choices)
        loop.run(stage.must("host:next"))
        live("leaderboard", "leaderboard", None, (NICKS[1],))
        typed = [FIELDS[f"typed answer {i}"] for i in range(3)]
        loop.run(question(1, typed))
        loop.run(stage.must("host:next"))
        live("typed reveal", "reveal", None, (FIELDS["typed question"], *typed, FIELDS["accepted answer"]))
        loop.run(stage.must("host:end"))
        live("podium", "ended", "ended", (NICKS[1],))

        # ---------------------------------------------------------- the agenda, live
        async def join_agenda():
            host = HostClient(url, agenda["code"], agenda["host_key"])
            await host.connect()
            assert (await host.attach())["ok"]
            clients = []
            for nick in NICKS[:3]:
                client = PlayerClient(url, agenda["code"], name=nick)
                await client.connect()
                assert (await client.join(nick))["ok"]
                clients.append(client)
            await host.must("host:start")
            await asyncio.gather(*(c.wait_phase("activity", 0) for c in clients))
            return host, clients

        host, players = loop.run(join_agenda())
        for mode in modes:
            page = screens[mode]
            page.context.add_init_script(
                f"window.localStorage.setItem('quizroom:{agenda['code']}', '{players[0].token}')"
            )
            stages[mode].goto(agenda["stage_url"])
            page.goto(agenda["join_url"])

        def agenda_step(where: str, position: int, stage_must=(), phone_must=None) -> None:
            for mode in modes:
                page = stages[mode]
                page.wait_for_selector(f"#view-activity[data-position='{position}']", timeout=WAIT)
                check(page, f"stage, {where} ({mode})", stage_must)
                if phone_must is None:
                    continue
                page = screens[mode]
                page.reload()  # the phone's own part comes with its join (the responses came from its twin)
                page.wait_for_selector("#play[data-screen='activity']", timeout=WAIT)
                check(page, f"phone, {where} ({mode})", phone_must)

        for i, client in enumerate(players):
            assert loop.run(client.respond(0, "vote", {"value": i % 2}))["ok"]
        options = (FIELDS["option 0"], FIELDS["option 1"])
        agenda_step("poll", 0, (FIELDS["poll text"], *options), (FIELDS["poll text"], *options))

        def next_item(position: int) -> None:
            loop.run(host.must("host:next"))
            loop.run(together(*(c.wait_phase("activity", position) for c in players)))

        next_item(1)
        words = [FIELDS[f"word {i}"] for i in range(3)]
        for client, word in zip(players, words, strict=True):
            assert loop.run(client.respond(1, "entry", {"text": word}))["ok"]
        agenda_step("word cloud", 1, (FIELDS["cloud text"], *words), (FIELDS["cloud text"], words[0]))
        next_item(2)
        entries = [FIELDS[f"entry {i}"] for i in range(2)]
        for client, entry in zip(players, entries, strict=False):
            assert loop.run(client.respond(2, "entry", {"text": entry}))["ok"]
        agenda_step("open text", 2, (FIELDS["open text"], *entries, NICKS[0]), (FIELDS["open text"], entries[0]))
        next_item(3)
        notes = []
        for i, client in enumerate(players):
            ack = loop.run(client.respond(3, "note", {"text": FIELDS[f"note {i}"], "column": i % 2}))
            assert ack["ok"], ack
            notes.append(ack["personal"]["notes"][-1]["id"])
        loop.run(host.must_activity("group", {"note": notes[1], "onto": notes[0]}))
        loop.run(host.must_activity("rename_group", {"group": "g1", "title": FIELDS["group title"]}))
        loop.run(host.must_activity("open_voting", {"votes": 1}))
        assert loop.run(players[2].respond(3, "vote", {"note": notes[0]}))["ok"]
        loop.run(host.must_activity("close_voting"))
        board = (FIELDS["board prompt"], FIELDS["column 0"], FIELDS["column 1"], FIELDS["group title"])
        note_texts = tuple(FIELDS[f"note {i}"] for i in range(3))
        agenda_step("board", 3, board + note_texts, (FIELDS["board prompt"], *note_texts))
        next_item(4)
        said = tuple(FIELDS[f"survey answer {i}"] for i in range(3))
        survey = (FIELDS["survey title"], FIELDS["rating item"], FIELDS["text item"])
        agenda_step("survey", 4, survey, survey)  # the phone's form, before its twin answers
        for i, client in enumerate(players):
            answers = {"rate": 1 + i, "said": said[i]}
            assert loop.run(client.respond(4, "submit", {"answers": answers}))["ok"]
        loop.run(host.must_activity("close"))
        agenda_step("survey results", 4, survey + said)
        loop.run(host.must("host:end"))
        live("agenda end", "ended", "ended", (FIELDS["plan title"],))

        async def leave():
            for client in [stage, *phones, host, *players]:
                await client.disconnect()

        loop.run(leave())
        for page in [*stages.values(), *screens.values()]:
            page.close()

        # ---------------------------------------------------------- reviews, then every page
        review = {"group": group_id, "size": 5, "mode": "links"}
        assert http.post(f"{url}/retention/review", data=review, timeout=10).ok
        links = list(csv.reader(io.StringIO(http.get(f"{url}/retention/reviews.csv", timeout=10).text)))
        review_url = next(row[-1] for row in links[1:] if row[-1].startswith("http"))
        person_id = people[PEOPLE[0]][0]
        (optin_id,) = query(server, "SELECT id FROM people WHERE email = 'optin@example.com'")[0]
        pages = {
            "decks": ("/decks", (FIELDS["deck title"],)),
            "deck editor": (f"/decks/{deck_id}/edit", (FIELDS["question text"], FIELDS["choice 3"])),
            "plans": ("/plans", (FIELDS["plan title"],)),
            "plan editor": (f"/plans/{plan_id}/edit", (FIELDS["poll text"], FIELDS["column 1"])),
            "results list": ("/results", (FIELDS["deck title"], FIELDS["plan title"])),
            "quiz results": (f"/results/{quiz['room_id']}", (FIELDS["question text"], NICKS[2], *typed)),
            "agenda results": (f"/results/{agenda['room_id']}", (*words, *entries, *note_texts, said[0])),
            "retention": ("/retention", (FIELDS["question text"],)),
            "retention, group": (f"/retention?group={group_id}", (FIELDS["group name"],)),
            "retention person": (f"/retention/people/{person_id}", (PEOPLE[0],)),
            "review links": ("/retention/reviews", (PEOPLE[1],)),
            "people": ("/people", (PEOPLE[2], FIELDS["opt-in name"], FIELDS["group name"])),
            "person": (f"/people/{person_id}", (PEOPLE[0],)),
            "opt-in person": (f"/people/{optin_id}", (FIELDS["opt-in name"],)),
            "group": (f"/groups/{group_id}", (FIELDS["group name"], *PEOPLE)),
        }
        attendee = {
            "join page": (agenda["join_url"], (FIELDS["plan title"],)),
            "self-paced review": (review_url, ()),
        }
        for mode, bypass in modes.items():
            trainer_page = inspector.watch(context(f"pages {mode}", True, bypass), f"pages {mode}")
            for what, (path, must) in pages.items():
                trainer_page.goto(f"{url}{path}")
                check(trainer_page, f"{what} ({mode})", must)
            visitor = inspector.watch(context(f"visitor {mode}", False, bypass, **phone_size), f"visitor {mode}")
            for what, (address, must) in attendee.items():
                visitor.goto(address)
                visitor.wait_for_load_state("networkidle")
                check(visitor, f"{what} ({mode})", must)
    finally:
        for made in contexts:
            made.close()
        loop.close()

    unseen = sorted(set(FIELDS) - inspector.seen)
    assert unseen == [], f"never shown as text on any page: {unseen}"
    assert "Traceback" not in server.log(), server.log()[-3000:]
    print(f"XSS: {len(FIELDS)} fields, {inspector.pages} page views, all clean")
