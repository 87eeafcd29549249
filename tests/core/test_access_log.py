"""The production server's access log: one request is one line, whatever its path holds."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

from loket.core.management.commands.serve import gunicorn_argv

# Within this engineer's port range for test servers.
PORT = 8131


def _wait_for_port(port: int, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def test_crlf_in_the_path_cannot_forge_a_line_in_the_access_log(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LOKET_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "loket.settings",
    }
    server = subprocess.Popen(
        gunicorn_argv(f"127.0.0.1:{PORT}", workers=1, threads=1),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(PORT, server)
        forged = '127.0.0.1 [01/Jan/2026:00:00:00 +0700] "GET /admin/ HTTP/1.1" 200 0 0.1s'
        path = "/lacak/x%0d%0a" + forged.replace(" ", "%20").replace('"', "%22")
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        connection.request("GET", path)
        connection.getresponse().read()
        connection.close()
    finally:
        server.terminate()
        access_log, _errors = server.communicate(timeout=30)
    lines = [line for line in access_log.splitlines() if line.strip()]
    assert len(lines) == 1, access_log
    assert "/lacak/x\\x0d\\x0a127.0.0.1" in lines[0]
    assert not any(line.startswith("127.0.0.1 [01/Jan/2026") for line in lines)
