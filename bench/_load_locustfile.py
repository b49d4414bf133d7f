"""The users of bench/load.py (run by locust there, not on its own): each signs in as one demo role and opens, with
$DOYAK_LOAD_THINK seconds of thought between requests ("min,max"), the pages and API calls that role may open (the
plan written by bench/load.py into $DOYAK_LOAD_PLAN: {role: {"username", "password", "urls": [[scenario, url, weight], …]}})."""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

# One task in this many (per sign_in_again draw) signs the user out and in again.
RESIGN_IN_EVERY = 5

PLAN = json.loads(open(os.environ["DOYAK_LOAD_PLAN"], encoding="utf-8").read())
ROLES = sorted(PLAN)
_turn = itertools.count()
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


THINK = tuple(float(x) for x in os.environ.get("DOYAK_LOAD_THINK", "5,15").split(","))


class RoleUser(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.role = ROLES[next(_turn) % len(ROLES)]  # the roles in turn: every role equally represented
        entry = PLAN[self.role]
        self.urls = [(name, url) for name, url, _w in entry["urls"]]
        self.weights = [w for _n, _u, w in entry["urls"]]
        self.login()

    def login(self) -> None:
        entry = PLAN[self.role]
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="login: form")
        token = _CSRF.search(page.text)
        with self.client.post("/accounts/login/", name=f"login: {self.role}", allow_redirects=False, catch_response=True,
                              data={"username": entry["username"], "password": entry["password"],
                                    "csrfmiddlewaretoken": token.group(1) if token else ""}) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")

    @task(40)
    def browse(self) -> None:
        name, url = random.choices(self.urls, weights=self.weights)[0]
        with self.client.get(url, name=f"{self.role}: {name}", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}")

    @task(1)
    def sign_in_again(self) -> None:
        """Now and then a user signs out and in again (about once in ``RESIGN_IN_EVERY`` tasks: every few
        minutes of think time, as people do; each login costs an Argon2 hash, ~0.4 s of CPU)."""
        if random.random() >= 1 / RESIGN_IN_EVERY:
            return
        self.client.post("/accounts/logout/", name="logout", allow_redirects=False,
                         headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")})
        self.login()

    @task(1)
    def baseline(self) -> None:
        self.client.get("/healthz", name="baseline: /healthz")
