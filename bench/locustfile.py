"""Locust users for the web benchmark; BENCH_SCENARIO picks what every user does.

    tracking    follow an application (GET /api/v1/applications/{n}, access code header)
    bare        a Django view that does nothing (GET /bench/bare/, bench/bare_urls.py)
    services    the list of services (GET /api/v1/services)
    submit      submit an application with its two uploads (POST /api/v1/applications)

BENCH_PLAN names the JSON written by `web.py setup` (receipts of open cases,
the uploads). Users do not wait between requests: with U users there are U
requests in flight at every moment (a closed loop), which is the load a
server sees from U concurrent clients that each send the next request as
soon as the previous one is answered.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

SCENARIO = os.environ.get("BENCH_SCENARIO", "tracking")
with open(os.environ["BENCH_PLAN"]) as _handle:
    PLAN = json.load(_handle)
PNG = base64.b64decode(PLAN["png_base64"])
_numbers = itertools.count(1)


def _nik(number: int) -> str:
    return f"327301150190{number % 9999 + 1:04d}"


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def act(self) -> None:
        if SCENARIO == "tracking":
            tracking, code = random.choice(PLAN["receipts"])
            self.client.get(
                f"/api/v1/applications/{tracking}",
                headers={"X-Access-Code": code},
                name="GET /api/v1/applications/{n}",
            )
        elif SCENARIO == "bare":
            self.client.get("/bench/bare/", name="GET /bench/bare/")
        elif SCENARIO == "services":
            self.client.get("/api/v1/services", name="GET /api/v1/services")
        elif SCENARIO == "submit":
            number = next(_numbers) + os.getpid() * 100_000
            fields = {
                "service": "izin-usaha-mikro",
                "applicant_name": f"Pemohon Beban {number}",
                "nik": _nik(number),
                "email": f"beban{number}@example.com",
                "data": json.dumps(PLAN["data"]),
            }
            body, content_type = _multipart(
                fields, {"documents.ktp": "ktp.png", "documents.foto_lokasi": "lokasi.png"}
            )
            with self.client.post(
                "/api/v1/applications",
                data=body,
                headers={"Content-Type": content_type},
                name="POST /api/v1/applications",
                catch_response=True,
            ) as response:
                if response.status_code != 201:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
        else:
            raise RuntimeError(f"unknown BENCH_SCENARIO {SCENARIO}")


def _multipart(fields: dict[str, str], files: dict[str, str]) -> tuple[bytes, str]:
    boundary = f"loketbench{random.getrandbits(64):016x}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
            + PNG
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
