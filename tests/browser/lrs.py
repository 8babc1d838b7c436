"""A stand-in cmi5 LMS and LRS for browser tests: what a cmi5 package meets when an LMS launches it.

`LRSServer` serves, from one thread on 127.0.0.1 (a free port):

- `/pkg/<name>/`: unzipped packages (`mount`), and `/return.html`, the LMS page a returnURL names;
- `/fetch/<launch>`: the cmi5 fetch URL, which hands out the launch's token once and answers a second
  POST with error-code 1, as the spec requires;
- `/lrs/activities/state`: the State API (the LMS.LaunchData document the LMS writes before a launch,
  and whatever the AU keeps there), checking the token and the xAPI version header;
- `/lrs/statements`: POST (one statement or a list) and PUT, recorded in the order they arrive.

`launch(...)` does what a cmi5 LMS does before it opens an AU: reads the AU's moveOn and masteryScore from
the package's cmi5.xml, writes LMS.LaunchData with a context template holding a new session id, and
returns the launch URL with endpoint, fetch, registration, activityId and actor. Every request that
breaks the protocol (no or wrong token, no version header, a statement that is not JSON) is recorded
in `protocol_errors`, for the tests to assert there are none.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from lxml import etree

CMI5_NS = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MIME = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css",
        ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
        ".xml": "application/xml", ".webp": "image/webp"}


@dataclass
class Launch:
    """One launch of an AU: what the LMS told it, and the token it hands out once."""

    name: str
    registration: str
    activity_id: str
    actor: dict
    session: str
    token: str
    url: str = ""
    fetch: str = ""  # the path of its fetch URL
    fetched: int = 0


@dataclass
class Record:
    """Everything the LRS received, in order."""

    statements: list[tuple[str, dict]] = field(default_factory=list)  # (the Authorization it came with, statement)
    state: dict[tuple[str, str, str, str], bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # "METHOD path" of every request
    protocol_errors: list[str] = field(default_factory=list)


class LRSServer:
    """The stub LMS + LRS on 127.0.0.1 at a free port, in a thread, serving packages from `root`."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.record = Record()
        self.launches: dict[str, Launch] = {}
        self.packages: dict[str, Path] = {}  # name -> the zip mounted as /pkg/<name>/
        self.refuse = 0  # statement requests still to answer 503, as an overloaded LRS does
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="test-lrs", daemon=True)
        self.thread.start()

    def mount(self, name: str, package: Path) -> Path:
        """Unzip a package to /pkg/<name>/."""
        self.packages[name] = package
        with zipfile.ZipFile(package) as archive:
            archive.extractall(self.root / "pkg" / name)
        return self.root / "pkg" / name

    def launch(self, name: str, *, mode: str = "Normal", registration: str | None = None,
               actor: dict | None = None, mastery: float | None = None, lrs_host: str = "127.0.0.1") -> Launch:
        """LMS.LaunchData written and the launch URL made, as a cmi5 LMS does before opening the AU; with
        `lrs_host` "localhost" the LRS is at another origin than the package (cross-origin, CORS)."""
        au = etree.parse(str(self.root / "pkg" / name / "cmi5.xml")).find(f"{CMI5_NS}au")
        registration = registration or str(uuid.uuid4())
        actor = actor or {"objectType": "Agent", "name": "Ana Learner",
                          "account": {"homePage": "https://lms.example.org", "name": "ana-42"}}
        token = base64.b64encode(f"au:{uuid.uuid4()}".encode()).decode()
        # the LMS's own activity id for the AU: the same at every launch of it
        launch = Launch(name, registration, f"https://lms.example.org/activities/{name}", actor,
                        session=str(uuid.uuid4()), token=token)
        key = (launch.activity_id, json.dumps(actor, sort_keys=True), registration, "LMS.LaunchData")
        self.record.state[key] = json.dumps(self._launch_data(au, launch, mode, mastery)).encode()
        fetch_id = str(uuid.uuid4())
        self.launches[fetch_id] = launch
        launch.fetch = f"/fetch/{fetch_id}"
        lrs = self.origin.replace("127.0.0.1", lrs_host)
        query = urlencode({"endpoint": f"{lrs}/lrs/", "fetch": f"{lrs}/fetch/{fetch_id}",
                           "registration": registration, "activityId": launch.activity_id,
                           "actor": json.dumps(actor)})
        launch.url = f"{self.origin}/pkg/{name}/{au.findtext(f'{CMI5_NS}url')}?{query}"
        return launch

    def _launch_data(self, au: etree._Element, launch: Launch, mode: str, mastery: float | None) -> dict:
        """LMS.LaunchData: the context template with a new session id, and the AU's settings (or the LMS's
        own mastery score)."""
        data = {"contextTemplate": {"contextActivities": {"grouping": [{"id": au.get("id")}]},
                                    "extensions": {SESSION_ID: launch.session}},
                "launchMode": mode, "launchMethod": au.get("launchMethod"), "moveOn": au.get("moveOn"),
                "returnURL": f"{self.origin}/return.html"}
        score = mastery if mastery is not None else au.get("masteryScore")
        if score is not None:
            data["masteryScore"] = float(score)
        return data

    def statements(self, launch: Launch) -> list[dict]:
        """The statements sent with one launch's token, in the order they arrived."""
        return [s for auth, s in self.record.statements if auth == f"Basic {launch.token}"]

    def bookmark(self, launch: Launch, state_id: str = "coursepack") -> dict | None:
        """The State API document `state_id` of the launch's AU, learner and registration, if there is one."""
        data = self.record.state.get((launch.activity_id, json.dumps(launch.actor, sort_keys=True),
                                      launch.registration, state_id))
        return json.loads(data) if data else None

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def _handler(server: LRSServer) -> type[BaseHTTPRequestHandler]:
    """The request handler, bound to `server`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def _send(self, status: int, body: bytes = b"", mime: str = "application/json") -> None:
            self.send_response(status)
            self._cors()
            self.send_header("Content-Type", mime)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _cors(self) -> None:
            """What an LRS at another origin than the content answers, as real ones do."""
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Experience-API-Version")

        def do_OPTIONS(self) -> None:  # noqa: N802 - the base class's naming
            server.record.requests.append(f"OPTIONS {urlsplit(self.path).path}")
            self.send_response(204)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorised(self) -> bool:
            """The xAPI version header and a token the fetch URL handed out."""
            tokens = {f"Basic {launch.token}" for launch in server.launches.values() if launch.fetched}
            problem = ("no X-Experience-API-Version header" if not self.headers.get("X-Experience-API-Version")
                       else "" if self.headers.get("Authorization") in tokens else
                       f"Authorization {self.headers.get('Authorization')!r} is no token the LMS handed out")
            if problem:
                server.record.protocol_errors.append(f"{self.command} {self.path}: {problem}")
                self._send(401, b'{"error": "unauthorised"}')
            return not problem

        def _state_key(self) -> tuple[str, str, str, str]:
            q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            agent = json.dumps(json.loads(q.get("agent", "null")), sort_keys=True)
            return q.get("activityId", ""), agent, q.get("registration", ""), q.get("stateId", "")

        def do_GET(self) -> None:  # noqa: N802 - the base class's naming
            path = urlsplit(self.path).path
            server.record.requests.append(f"GET {path}")
            if path == "/lrs/activities/state":
                if self._authorised():
                    data = server.record.state.get(self._state_key())
                    self._send(200, data) if data is not None else self._send(404)
                return
            if path == "/return.html":
                return self._send(200, b"<!doctype html><title>LMS</title><p id=lms>Back in the LMS", "text/html")
            file = (server.root / path.lstrip("/")).resolve()
            if server.root.resolve() in file.parents and file.is_file():
                return self._send(200, file.read_bytes(), MIME.get(file.suffix, "application/octet-stream"))
            self._send(404, b"", "text/plain")

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            server.record.requests.append(f"POST {path}")
            body = self._body()
            if path.startswith("/fetch/"):
                launch = server.launches.get(path.rsplit("/", 1)[1])
                with server.lock:
                    first = launch is not None and not launch.fetched
                    if launch:
                        launch.fetched += 1
                answer = ({"auth-token": launch.token} if first else
                          {"error-code": "1", "error-text": "this launch's token was already fetched"})
                return self._send(200, json.dumps(answer).encode())
            if path == "/lrs/statements" and self._authorised():
                self._store(body)

        def do_PUT(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            server.record.requests.append(f"PUT {path}")
            body = self._body()
            if not self._authorised():
                return
            if path == "/lrs/activities/state":
                server.record.state[self._state_key()] = body
                return self._send(204)
            if path == "/lrs/statements":
                self._store(body)

        def _store(self, body: bytes) -> None:
            try:
                data = json.loads(body)
            except ValueError:
                server.record.protocol_errors.append(f"{self.command} statements: not JSON: {body[:80]!r}")
                return self._send(400)
            items = data if isinstance(data, list) else [data]
            with server.lock:
                if server.refuse:
                    server.refuse -= 1
                    return self._send(503, b'{"error": "busy"}')
                server.record.statements.extend((self.headers.get("Authorization"), s) for s in items)
            self._send(200, json.dumps([s.get("id") for s in items]).encode())

    return Handler
