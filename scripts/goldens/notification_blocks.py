#!/usr/bin/env python3
"""Notification block goldens: the HTTP requests Apprise sends for each of Prefect's notification blocks.

Writes test/goldens/notification_blocks.json, which test/services/notifications/apprise.golden.test.ts
compares src/services/notifications/apprise-services.ts (and apprise-urls.ts) against. Each case
configures Apprise the way Prefect 3.8.3's block does in block_initialization / notify
(src/prefect/blocks/notifications.py: the plugin built from the block's fields, the "Prefect
Notifications" asset, PagerDuty's body moved into its custom details when there is a subject),
calls notify(body, title, notify_type) and records every request the plugin hands to `requests`
(none reaches the network). Apprise is the release given as APPRISE_SRC (a directory holding its
`apprise` package, e.g. `git archive v1.13.0 apprise`), else v1.13.0 downloaded from GitHub; its
dependencies (requests, markdown, yaml) come from Debian's `apprise` package.
"""
from __future__ import annotations

import sys
from pathlib import Path

# This directory holds a datetime.py of its own: the standard library's must win.
HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import urllib.request  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

APPRISE_VERSION = "1.13.0"
OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "notification_blocks.json"


def apprise_source() -> str:
    if os.environ.get("APPRISE_SRC"):
        return os.environ["APPRISE_SRC"]
    tmp = tempfile.mkdtemp()
    url = f"https://codeload.github.com/caronc/apprise/tar.gz/refs/tags/v{APPRISE_VERSION}"
    with urllib.request.urlopen(url) as res, tarfile.open(fileobj=io.BytesIO(res.read())) as tar:
        members = [m for m in tar.getmembers() if m.name.split("/")[1:2] == ["apprise"]]
        for m in members:
            m.name = "/".join(m.name.split("/")[1:])
        tar.extractall(tmp, members=members)
    return tmp


sys.path.insert(0, apprise_source())

import apprise  # noqa: E402
import requests  # noqa: E402
from apprise.plugins.base import NotifyBase  # noqa: E402
from apprise.plugins.discord import NotifyDiscord  # noqa: E402
from apprise.plugins.mattermost import NotifyMattermost  # noqa: E402
from apprise.plugins.opsgenie import NotifyOpsgenie  # noqa: E402
from apprise.plugins.pagerduty import NotifyPagerDuty  # noqa: E402
from apprise.plugins.sendgrid import NotifySendGrid  # noqa: E402
from apprise.plugins.slack import NotifySlack  # noqa: E402
from apprise.plugins.twilio import NotifyTwilio  # noqa: E402
from apprise.plugins.workflows import NotifyWorkflows  # noqa: E402

NotifyBase.request_rate_per_sec = 0
SENT: list[dict] = []


class FakeResponse:
    """What the services answer a good request (Slack's webhooks answer the text `ok`)."""

    headers: dict = {}

    def __init__(self, url: str):
        self.status_code = 202 if "opsgenie" in url else 200
        self.content = b"ok" if "slack" in url else b'{"requestId": "r1"}' if "opsgenie" in url else b"{}"
        self.text = self.content.decode()

    def json(self):
        return json.loads(self.text) if self.text != "ok" else {}


def record(method):
    def send(url, data=None, json=None, headers=None, auth=None, params=None, **_):
        if isinstance(data, dict):
            body = urlencode(data)
        elif isinstance(data, bytes):
            body = data.decode()
        else:
            body = data
        if json is not None:
            import json as _json

            body = _json.dumps(json)
        if params:
            url = f"{url}?{urlencode(params)}"
        SENT.append({"method": method, "url": url, "headers": dict(headers or {}), "auth": list(auth) if auth else None, "body": body})
        return FakeResponse(url)

    return send


for m in ("get", "post", "put", "patch", "delete"):
    setattr(requests, m, record(m.upper()))
requests.request = lambda method, url, **kw: record(method.upper())(url, **kw)


def client() -> apprise.Apprise:
    asset = apprise.AppriseAsset(app_id="Prefect Notifications", app_desc="Prefect Notifications", app_url="https://prefect.io")
    return apprise.Apprise(asset=asset)


def by_url(url: str):
    a = client()
    a.add(servers=url)
    return a


def by_instance(instance):
    a = client()
    a.add(instance)
    return a


def slack(d):
    """GovCloud webhooks: Prefect adds a NotifySlack instance aimed at hooks.slack-gov.com."""
    host, *tokens = d["url"].split("://")[1].replace("/services", "").split("/")
    if host != "hooks.slack-gov.com":
        return by_url(d["url"])
    instance = NotifySlack(token_a=tokens[0], token_b=tokens[1], token_c=tokens[2])
    instance.webhook_url = f"https://{host}/services"
    return by_instance(instance)


def teams(d):
    parsed = NotifyWorkflows.parse_native_url(d["url"])
    parsed |= {"include_image": d.get("include_image", True), "wrap": d.get("wrap", True)}
    return by_url(NotifyWorkflows(**parsed).url())


def discord(d):
    return by_url(
        NotifyDiscord(
            webhook_id=d["webhook_id"], webhook_token=d["webhook_token"], botname=d.get("botname"), tts=d.get("tts", False),
            include_image=d.get("include_image", False), avatar=d.get("avatar", False), avatar_url=d.get("avatar_url"),
        ).url()
    )


def pagerduty(d, body, subject):
    details = d.get("custom_details")
    if subject:
        details = dict(details or {})
        details["Prefect Notification Body"] = body.replace(" ", "%20")
        body = " "
    url = NotifyPagerDuty(
        apikey=d["api_key"], integrationkey=d["integration_key"], source=d.get("source", "Prefect"), component=d.get("component", "Notification"),
        group=d.get("group"), class_id=d.get("class_id"), region_name=d.get("region_name", "us"), click=d.get("clickable_url"),
        include_image=d.get("include_image", True), details=details,
    ).url()
    return by_url(url), body


def twilio(d):
    return by_url(NotifyTwilio(account_sid=d["account_sid"], auth_token=d["auth_token"], source=d["from_phone_number"], targets=d["to_phone_numbers"]).url())


def opsgenie(d):
    targets = [f"@{x}" for x in d.get("target_user") or []] + [f"#{x}" for x in d.get("target_team") or []]
    targets += [f"*{x}" for x in d.get("target_schedule") or []] + [f"^{x}" for x in d.get("target_escalation") or []]
    return by_url(
        NotifyOpsgenie(
            apikey=d["apikey"], targets=targets, region_name=d.get("region_name", "us"), details=d.get("details"), priority=d.get("priority", 3),
            alias=d.get("alias"), entity=d.get("entity"), batch=d.get("batch", False), tags=d.get("tags"), action="new",
        ).url()
    )


def mattermost(d):
    return by_instance(
        NotifyMattermost(
            token=d["token"], fullpath=d.get("path"), host=d["hostname"], targets=d.get("channels"), include_image=d.get("include_image", False),
            port=d.get("port", 8065), secure=d.get("secure", False),
        )
    )


def sendgrid(d):
    return by_url(NotifySendGrid(apikey=d["api_key"], from_email=d["sender_email"], targets=d["to_emails"]).url())


SUBJECT = "Flow failed"
BODY = "Run <tidy-fox> & more"

CASES = [
    ("slack-webhook", {"url": "https://hooks.slack.com/services/T0A/B0B/C0C", "notify_type": "failure"}),
    ("slack-webhook", {"url": "https://hooks.slack-gov.com/services/T0A/B0B/C0C"}),
    ("slack-webhook", {"url": "jsons://user:pw@hooks.example.test:8443/in/x?+X-Team=data&-q=1&:type=&method=put"}),
    ("slack-webhook", {"url": "form://hooks.example.test/x"}),
    ("ms-teams-webhook", {"url": "https://prod-01.westus.logic.azure.com:443/workflows/WF1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIG", "wrap": False}),
    ("discord-webhook", {"webhook_id": "123", "webhook_token": "TOKEN", "botname": "prefect-bot"}),
    ("pager-duty-webhook", {"integration_key": "INTKEY", "api_key": "KEY", "notify_type": "failure", "group": "data", "custom_details": {"team": "core"}}),
    ("opsgenie-webhook", {"apikey": "OPSKEY", "target_user": ["ann"], "target_team": ["ops"], "region_name": "eu", "tags": ["prefect"], "priority": 2}),
    ("mattermost-webhook", {"hostname": "chat.example.test", "token": "MMTOKEN", "secure": True, "channels": ["alerts", "ops"], "path": "/team"}),
    ("twilio-sms", {"account_sid": "AC123", "auth_token": "secret", "from_phone_number": "18001234567", "to_phone_numbers": ["18004242424"]}),
    ("sendgrid-email", {"api_key": "SGKEY", "sender_email": "prefect@example.test", "to_emails": ["a@example.test", "b@example.test"]}),
]


def run(slug: str, d: dict, subject: str, body: str) -> list[dict]:
    SENT.clear()
    if slug == "slack-webhook":
        a = slack(d)
    elif slug == "pager-duty-webhook":
        a, body = pagerduty(d, body, subject)
    else:
        a = {"ms-teams-webhook": teams, "discord-webhook": discord, "opsgenie-webhook": opsgenie, "mattermost-webhook": mattermost,
             "twilio-sms": twilio, "sendgrid-email": sendgrid}[slug](d)
    ok = a.notify(body=body, title=subject or "", notify_type=d.get("notify_type", "info"))
    assert ok, (slug, d, SENT)
    return list(SENT)


def main() -> None:
    cases = []
    for slug, data in CASES:
        for subject in (SUBJECT, ""):
            cases.append({"slug": slug, "data": data, "subject": subject, "body": BODY, "requests": run(slug, data, subject, BODY)})
    OUT.write_text(json.dumps({"apprise": apprise.__version__, "cases": cases}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
