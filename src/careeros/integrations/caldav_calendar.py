"""Plan work sessions in a CalDAV calendar (besides the ``.ics`` file), under the integration contract.

:class:`CalDAVCalendar` is the integration ``caldav``; its one action kind, ``publish_plan``, carries the plan id,
version, target calendar and one entry per work session (UID, summary, start, end, description and the VEVENT
itself, built by :func:`careeros.planner.publish.calendar_events`, the same construction as the ``.ics``).

* ``apply`` creates or updates every session by UID in the configured calendar (created when missing) and deletes
  the sessions of the same plan that the plan no longer has (a changed plan moves or removes sessions). Events
  are marked with ``X-CAREEROS-PLAN: <plan id>``; events of other plans or of the person are never touched. What
  it changed is kept in ``Result.rollback`` (UIDs it created; the iCalendar data of every event it replaced or
  deleted), and a failure half-way puts back what the attempt already changed before the error is raised.
* ``verify`` asks the server whether every UID is there with the expected start.
* ``rollback`` restores the calendar as it was before the apply: created -> removed, updated -> old data,
  deleted -> re-created at its old address.
* The success signal is the sha256 of the sorted ``(uid, start in UTC)`` list.

A calendar on 127.0.0.1, localhost or ::1 stays on this machine; any other host leaves it, so the contract
demands a recorded human approval of the action's key. After a plan approval, :func:`publish_approved_plan`
records that same human decision as the approval (the plan approval is the approval of its calendar).

Credentials come from the settings and never enter payloads, results, logs or the decision log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import duckdb

from careeros.integrations.contract import (
    Action,
    IntegrationError,
    Preview,
    Result,
    RetryPolicy,
    TransientIntegrationError,
    idempotency_key,
    is_approved,
    record_approval,
    run_apply,
)
from careeros.planner.plan import Plan
from careeros.settings import Settings

log = logging.getLogger("careeros.integrations.caldav")

NAME = "caldav"
KIND = "publish_plan"
#: hosts that keep an action on this machine (anything else leaves it and needs a human approval)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: property that marks the events of one plan (so a changed plan can remove the sessions it dropped)
PLAN_PROP = "X-CAREEROS-PLAN"
PRODID = "-//careeros//weekly plan//EN"
_ICS = {"Content-Type": 'text/calendar; charset="utf-8"'}


# ----------------------------------------------------------------------------------------- pure helpers


def is_local(url: str) -> bool:
    """True when ``url``'s host is this machine (127.0.0.1, localhost or ::1)."""
    return (urlsplit(url).hostname or "").lower() in LOCAL_HOSTS


def public_url(url: str) -> str:
    """``url`` without user name or password (what is stored, logged and shown)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def utc_iso(value: datetime | date | str) -> str:
    """A start or end as comparable text: aware datetimes in UTC ISO form; dates and floating times as they are."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def signal_of(pairs: Iterable[tuple[str, str]]) -> str:
    """The success signal: sha256 of the sorted ``(uid, start in UTC)`` list."""
    body = json.dumps(sorted([uid, utc_iso(start)] for uid, start in pairs))
    return hashlib.sha256(body.encode()).hexdigest()


def plan_events(plan: Plan) -> list[dict[str, Any]]:
    """One payload entry per work session of ``plan``: UID, summary, start, end, description and the VEVENT text."""
    from careeros.planner.publish import calendar_events

    out = []
    for ev in calendar_events(plan):
        ev.add(PLAN_PROP, plan.plan_id)
        out.append({"uid": str(ev["UID"]), "summary": str(ev["SUMMARY"]),
                    "start": ev.decoded("DTSTART").isoformat(), "end": ev.decoded("DTEND").isoformat(),
                    "description": str(ev["DESCRIPTION"]), "vevent": ev.to_ical().decode()})
    return out


def plan_action(plan: Plan, url: str, calendar: str = "careeros") -> Action:
    """The ``publish_plan`` action of ``plan`` towards one CalDAV calendar (leaves the machine unless local)."""
    events = plan_events(plan)
    where = public_url(url)
    return Action(integration=NAME, kind=KIND, leaves_machine=not is_local(url),
                  payload={"plan_id": plan.plan_id, "version": plan.version,
                           "calendar": {"url": where, "name": calendar}, "events": events},
                  summary=f"publish {len(events)} work sessions of plan {plan.plan_id} v{plan.version} "
                          f"to CalDAV calendar '{calendar}' at {where}")


def resource_text(vevent: str) -> str:
    """One calendar object resource (VCALENDAR) holding ``vevent``, with the VTIMEZONEs its times refer to."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add_component(Event.from_ical(vevent))
    for tzid in sorted(cal.get_missing_tzids()):
        tz = _vtimezone(tzid)
        if tz is not None:
            cal.subcomponents.insert(0, tz)
    return str(cal.to_ical().decode())


@lru_cache(maxsize=16)
def _vtimezone(tzid: str) -> Any | None:
    """The VTIMEZONE of a zone (computing one takes tens of milliseconds, and every session needs it)."""
    from icalendar import Timezone

    try:
        return Timezone.from_tzid(tzid)
    except ValueError:  # unknown zone: the server interprets the TZID itself
        return None


def _vevent(data: str) -> Any | None:
    from icalendar import Calendar

    found = Calendar.from_ical(data).walk("VEVENT")
    return found[0] if found else None


def _text(comp: Any, name: str) -> str:
    value = comp.get(name)
    if value is None:
        return ""
    return value.to_ical().decode() if hasattr(value, "to_ical") else str(value)


def _when(comp: Any, name: str) -> str | None:
    return utc_iso(comp.decoded(name)) if comp.get(name) is not None else None


def fingerprint(comp: Any) -> tuple[Any, ...]:
    """What makes two versions of one event the same for a person (times, texts, sequence, plan marker)."""
    return (_when(comp, "DTSTART"), _when(comp, "DTEND"), str(comp.get("SUMMARY", "")),
            str(comp.get("DESCRIPTION", "")), _text(comp, "SEQUENCE"), _text(comp, "CATEGORIES"),
            str(comp.get(PLAN_PROP, "")))


@dataclass
class Remote:
    """One event as the server holds it: its address, its iCalendar data and the parsed VEVENT."""

    href: str
    data: str
    comp: Any

    @property
    def plan_id(self) -> str:
        """The careeros plan this event belongs to ('' for events careeros did not publish)."""
        return str(self.comp.get(PLAN_PROP, ""))


def diff(state: dict[str, Remote], action: Action, calendar_url: str) -> list[dict[str, Any]]:
    """The writes that turn ``state`` (uid -> event on the server) into the plan of ``action``, in order.

    Each is ``{"op": create|update|delete|keep, "uid", "href", "old" (data before), "new" (data after)}``.
    """
    from icalendar import Event

    base = calendar_url if calendar_url.endswith("/") else calendar_url + "/"
    ops: list[dict[str, Any]] = []
    wanted = set()
    for e in action.payload["events"]:
        uid = e["uid"]
        wanted.add(uid)
        have = state.get(uid)
        if have is None:
            href = base + quote(uid.replace("/", "%2F")) + ".ics"
            ops.append({"op": "create", "uid": uid, "href": href, "old": None, "new": resource_text(e["vevent"]),
                        "summary": e["summary"], "start": e["start"]})
        elif fingerprint(have.comp) == fingerprint(Event.from_ical(e["vevent"])):
            ops.append({"op": "keep", "uid": uid, "href": have.href, "old": have.data, "new": have.data,
                        "summary": e["summary"], "start": e["start"]})
        else:
            ops.append({"op": "update", "uid": uid, "href": have.href, "old": have.data,
                        "new": resource_text(e["vevent"]), "summary": e["summary"], "start": e["start"]})
    plan_id = action.payload["plan_id"]
    for uid, have in sorted(state.items()):
        if uid not in wanted and have.plan_id == plan_id:
            ops.append({"op": "delete", "uid": uid, "href": have.href, "old": have.data, "new": None,
                        "summary": str(have.comp.get("SUMMARY", "")), "start": _when(have.comp, "DTSTART")})
    return ops


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "careeros"


def _reason(exc: BaseException) -> str:
    """A one-line reason for a network error (``[Errno 111] Connection refused``), not requests' long repr."""
    m = re.search(r"\[Errno -?\d+\][^')\"]*", str(exc))
    return m.group(0).strip() if m else type(exc).__name__


# ----------------------------------------------------------------------------------------- the integration


class CalDAVCalendar:
    """The ``caldav`` integration: plan work sessions as events in one calendar of a CalDAV server."""

    name = NAME

    def __init__(self, url: str, username: str | None = None, password: str | None = None,
                 calendar: str = "careeros", timeout: float = 30.0) -> None:
        """A client for the server at ``url`` (credentials used only for requests to it)."""
        self.url = url
        self.username = username
        self._password = password
        self.calendar = calendar
        self.timeout = timeout
        self.where = public_url(url)

    @classmethod
    def from_settings(cls, settings: Settings) -> CalDAVCalendar:
        """The calendar configured by ``CAREEROS_CALDAV_*``; an error when no URL is set."""
        if not settings.caldav_url:
            raise IntegrationError("no CalDAV server configured: set CAREEROS_CALDAV_URL (docs/operations.md)")
        pw = settings.caldav_password.get_secret_value() if settings.caldav_password is not None else None
        return cls(settings.caldav_url, settings.caldav_username, pw, settings.caldav_calendar)

    # -- plumbing

    @contextmanager
    def _session(self, what: str) -> Iterator[Any]:
        """A client for one operation; network and server errors become :class:`IntegrationError` s."""
        import caldav
        import requests
        from caldav.lib import error as dav_error

        try:
            with caldav.DAVClient(self.url, username=self.username, password=self._password,
                                  timeout=self.timeout) as client:  # type: ignore[arg-type]
                yield client
        except IntegrationError:
            raise
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientIntegrationError(
                f"CalDAV server {self.where} is not reachable ({what}): {_reason(exc)}") from exc
        except dav_error.AuthorizationError as exc:
            raise IntegrationError(f"CalDAV server {self.where} refused access ({what}): {exc.reason}") from exc
        except dav_error.DAVError as exc:
            raise IntegrationError(f"CalDAV server {self.where} answered with an error ({what}): {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - unparseable answers etc.: surfaced through the contract
            raise IntegrationError(f"CalDAV {what} at {self.where} failed: {type(exc).__name__}: {exc}") from exc

    def _calendar(self, client: Any, create: bool) -> Any:
        """The configured calendar (by display name, else by its id); created when missing and ``create``, else None."""
        from caldav.lib import error as dav_error

        principal = client.principal()
        slug = _slug(self.calendar)
        for cal in principal.calendars():
            # the listing carries display names (no request per calendar)
            if cal.name == self.calendar or str(cal.url).rstrip("/").rsplit("/", 1)[-1] == slug:
                return cal
        if not create:
            return None
        try:
            return principal.make_calendar(name=self.calendar, cal_id=slug)
        except dav_error.DAVError as exc:
            raise IntegrationError(f"could not create calendar '{self.calendar}' at {self.where}: {exc}") from exc

    def _stored_calendar(self, client: Any, calendar_url: str) -> Any:
        """The calendar a result names, refusing to send these credentials to another server."""
        if _origin(calendar_url) != _origin(self.url):
            raise IntegrationError(f"this publication is at {public_url(calendar_url)}, but the configured CalDAV "
                                   f"server is {self.where}: configure that server to verify or roll it back")
        return client.calendar(url=calendar_url)

    @staticmethod
    def _state(cal: Any) -> dict[str, Remote]:
        """Every event in ``cal``, by UID."""
        out: dict[str, Remote] = {}
        for obj in cal.events():
            try:
                comp = _vevent(obj.data)
            except ValueError:  # someone else's malformed event: not ours, and no reason to stop publishing
                log.warning("skipping an unreadable event at %s", public_url(str(obj.url)))
                continue
            if comp is not None and comp.get("UID") is not None:
                out.setdefault(str(comp["UID"]), Remote(href=str(obj.url), data=obj.data, comp=comp))
        return out

    def _check(self, r: Any, method: str, href: str, ok: tuple[int, ...]) -> None:
        if r.status in ok:
            return
        msg = f"CalDAV server {self.where} refused {method} {public_url(href)}: {r.status} {r.reason}"
        if r.status >= 500 or r.status in (423, 429):
            raise TransientIntegrationError(msg)
        raise IntegrationError(msg)

    def _put(self, client: Any, href: str, data: str) -> None:
        self._check(client.put(href, data, _ICS), "PUT", href, (200, 201, 204))

    def _delete(self, client: Any, href: str) -> None:
        self._check(client.delete(href), "DELETE", href, (200, 204, 404))

    def _write(self, client: Any, op: dict[str, Any]) -> None:
        if op["op"] in ("create", "update"):
            self._put(client, op["href"], op["new"])
        elif op["op"] == "delete":
            self._delete(client, op["href"])

    def _undo(self, client: Any, done: list[dict[str, Any]]) -> None:
        """Put back what a failed apply already changed (best effort: the server may be gone)."""
        failed: list[str] = []
        for op in reversed([o for o in done if o["op"] != "keep"]):
            try:
                if op["op"] == "create":
                    self._delete(client, op["href"])
                else:
                    self._put(client, op["href"], op["old"])
            except Exception as exc:  # noqa: BLE001 - the original error is the one raised
                failed.append(f"{op['op']} {op['uid']}: {exc}")
        if failed:
            log.warning("could not undo %d change(s) of a failed publication at %s (the next publication converges "
                        "by UID): %s", len(failed), self.where, failed[0])

    # -- the contract

    def preview(self, action: Action) -> Preview:
        """What ``apply`` would create, update and delete (reads the calendar, changes nothing)."""
        n = len(action.payload["events"])
        try:
            with self._session("preview") as client:
                cal = self._calendar(client, create=False)
                state, url = (self._state(cal), str(cal.url)) if cal is not None else ({}, self.url)
        except IntegrationError as exc:
            return Preview(action=action, changes=[f"publish {n} work sessions (calendar not readable now: {exc})"])
        ops = diff(state, action, url)
        changes = [f"{o['op']} '{o['summary']}' at {o['start']}" for o in ops if o["op"] != "keep"]
        if cal is None:
            changes.insert(0, f"create calendar '{self.calendar}'")
        return Preview(action=action, changes=changes, noop=not changes)

    def apply(self, action: Action, idempotency_key: str) -> Result:
        """Create/update the plan's sessions by UID, delete the ones it dropped; remember the state before."""
        if action.kind != KIND:
            raise IntegrationError(f"caldav cannot do {action.kind!r}")
        with self._session("apply") as client:
            cal = self._calendar(client, create=True)
            cal_url = str(cal.url)
            ops = diff(self._state(cal), action, cal_url)
            done: list[dict[str, Any]] = []
            try:
                for op in ops:
                    self._write(client, op)
                    done.append(op)
            except BaseException:
                self._undo(client, done)
                raise
        count = {k: sum(1 for o in ops if o["op"] == k) for k in ("create", "update", "delete", "keep")}
        events = [{"uid": e["uid"], "start": utc_iso(e["start"])} for e in action.payload["events"]]
        return Result(
            integration=NAME, kind=KIND, idempotency_key=idempotency_key, ok=True,
            signal=signal_of((e["uid"], e["start"]) for e in events),
            details={"calendar_url": public_url(cal_url), "plan_id": action.payload["plan_id"],
                     "version": action.payload["version"], "events": events, "created": count["create"],
                     "updated": count["update"], "deleted": count["delete"], "unchanged": count["keep"]},
            rollback={"calendar_url": public_url(cal_url),
                      "created": [{"uid": o["uid"], "href": o["href"]} for o in ops if o["op"] == "create"],
                      "updated": [{"uid": o["uid"], "href": o["href"], "data": o["old"]}
                                  for o in ops if o["op"] == "update"],
                      "deleted": [{"uid": o["uid"], "href": o["href"], "data": o["old"]}
                                  for o in ops if o["op"] == "delete"]})

    def verify(self, result: Result) -> bool:
        """True when every published UID is in the calendar with the expected start."""
        from caldav.lib import error as dav_error

        with self._session("verify") as client:
            cal = self._stored_calendar(client, result.details["calendar_url"])
            try:
                state = self._state(cal)
            except dav_error.NotFoundError:
                return False
        for e in result.details["events"]:
            have = state.get(e["uid"])
            if have is None or _when(have.comp, "DTSTART") != e["start"]:
                return False
        return signal_of((e["uid"], e["start"]) for e in result.details["events"]) == result.signal

    def rollback(self, result: Result) -> Result:
        """Restore the calendar as before the apply: created -> removed, updated -> old data, deleted -> back."""
        rb = result.rollback
        restored = [*rb.get("updated", []), *rb.get("deleted", [])]
        try:
            with self._session("rollback") as client:
                self._stored_calendar(client, rb["calendar_url"])
                for c in rb.get("created", []):
                    self._delete(client, c["href"])
                for u in restored:
                    self._put(client, u["href"], u["data"])
        except IntegrationError as exc:
            return result.model_copy(update={"ok": False, "error": str(exc)})
        pairs = []
        for u in restored:
            comp = _vevent(u["data"])
            start = _when(comp, "DTSTART") if comp is not None else None
            pairs.append((u["uid"], start or ""))
        return Result(integration=NAME, kind=result.kind, idempotency_key=result.idempotency_key, ok=True,
                      signal=signal_of(pairs),
                      details={"calendar_url": rb["calendar_url"], "removed": len(rb.get("created", [])),
                               "restored": len(rb.get("updated", [])), "recreated": len(rb.get("deleted", [])),
                               "rolled_back": result.signal})


# ----------------------------------------------------------------------------------------- service


def retry_policy(settings: Settings) -> RetryPolicy:
    """The contract's retry policy with the settings' backoff and jitter."""
    return RetryPolicy(backoff_seconds=settings.retry_backoff_seconds, jitter_factor=settings.retry_jitter_factor)


def publish_plan_events(con: duckdb.DuckDBPyConnection, plan: Plan, integ: CalDAVCalendar, *,
                        approved_by: str | None = None, run_id: str | None = None, retry: RetryPolicy | None = None,
                        sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Publish ``plan``'s sessions through :func:`run_apply`; the outcome (or the error) is returned, never raised.

    ``approved_by`` is the person whose decision approves this publication: when the action leaves the machine it
    is recorded as the approval of its key (automation never approves).
    """
    action = plan_action(plan, integ.url, integ.calendar)
    key = idempotency_key(action)
    info: dict[str, Any] = {"ok": False, "idempotency_key": key, "calendar": integ.calendar, "url": integ.where,
                            "plan_id": plan.plan_id, "version": plan.version, "events": len(action.payload["events"]),
                            "leaves_machine": action.leaves_machine}
    try:
        if action.leaves_machine and approved_by and approved_by != "automation" and not is_approved(con, key):
            record_approval(con, key, approved_by, action=action, run_id=run_id,
                            note=f"approved with plan {plan.plan_id} v{plan.version}")
        result = run_apply(con, integ, action, key, retry=retry, run_id=run_id, sleep=sleep)
    except IntegrationError as exc:
        log.warning("CalDAV publication of plan %s v%s failed: %s", plan.plan_id, plan.version, exc)
        info["error"] = str(exc)
        return info
    info.update(ok=True, signal=result.signal, replayed=result.replayed,
                **{k: result.details.get(k) for k in ("created", "updated", "deleted", "unchanged")})
    return info


def publish_approved_plan(con: duckdb.DuckDBPyConnection, plan: Plan, settings: Settings, *,
                          run_id: str | None = None, retry: RetryPolicy | None = None,
                          sleep: Callable[[float], None] = time.sleep) -> dict[str, Any] | None:
    """After a plan approval: its sessions in the configured CalDAV calendar (None when none is configured).

    The human approval of this plan version (``plan_approval``) counts as the approval of the CalDAV action and is
    recorded under the same actor. Never raises: a failure is logged and returned (``ok`` false, ``error``), so it
    cannot undo the plan approval; ``careeros calendar sync`` retries it.
    """
    if not settings.caldav_url:
        return None
    from careeros.planner.approval import approval_of

    try:
        integ = CalDAVCalendar.from_settings(settings)
        approval = approval_of(con, plan.plan_id, plan.version) if plan.version is not None else None
        return publish_plan_events(con, plan, integ, approved_by=approval[0] if approval else None,
                                   run_id=run_id or (approval[1] if approval else None),
                                   retry=retry or retry_policy(settings), sleep=sleep)
    except Exception as exc:  # noqa: BLE001 - must not lose the plan approval; surfaced in the result and the log
        log.exception("CalDAV publication of plan %s v%s failed", plan.plan_id, plan.version)
        return {"ok": False, "plan_id": plan.plan_id, "version": plan.version, "url": public_url(settings.caldav_url),
                "calendar": settings.caldav_calendar, "error": f"{type(exc).__name__}: {exc}"}
