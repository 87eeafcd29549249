"""A certification authority with its RFC 3161 timestamp authority, OCSP responder and
CRL, served on loopback by certomancer's Animator (a real TSA answering real requests),
as an agency meets BSrE's services; keys are made fresh for the test session."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import BaseWSGIServer, make_server

ARCH = "loket-test"


@dataclass(frozen=True)
class TestPki:
    tsa_url: str
    root_path: Path  # the CA certificate a verifier trusts
    signer_pkcs12: Path  # an agency signing key issued by this CA, with OCSP and CRL
    signer_password: str
    config_path: Path  # the same CA as a certomancer configuration file


def _key_pem(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _config(url: str, keys: Path) -> dict:
    now = dt.datetime.now(dt.UTC)
    validity = {
        "valid-from": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "valid-to": (now + dt.timedelta(days=3650)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }
    usage = lambda *params: {  # noqa: E731
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(params)},
    }
    return {
        "external-url-prefix": url,
        "keysets": {
            "keys": {
                "path-prefix": str(keys),
                "keys": {name: {"path": f"{name}.key.pem"} for name in ("root", "tsa", "signer")},
            }
        },
        "pki-architectures": {
            ARCH: {
                "keyset": "keys",
                "entity-defaults": {"country-name": "ID", "organization-name": "Uji Loket"},
                "entities": {
                    "root": {"common-name": "Uji Root CA"},
                    "tsa": {"common-name": "Uji Time Stamping Authority"},
                    "signer": {"common-name": "Kepala Dinas PTSP Kota Contoh (uji)"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": validity,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            usage("digital_signature", "key_cert_sign", "crl_sign"),
                        ],
                    },
                    "tsa": {
                        "issuer": "root",
                        "validity": validity,
                        "extensions": [
                            usage("digital_signature"),
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["time_stamping"],
                            },
                        ],
                    },
                    "signer": {
                        "issuer": "root",
                        "validity": validity,
                        "extensions": [
                            usage("digital_signature", "non_repudiation"),
                            {
                                "id": "crl_distribution_points",
                                "smart-value": {
                                    "schema": "crl-dist-url",
                                    "params": {"crl-repo-names": ["root"]},
                                },
                            },
                            {
                                "id": "authority_information_access",
                                "smart-value": {
                                    "schema": "aia-urls",
                                    "params": {"ocsp-responder-names": ["root"]},
                                },
                            },
                        ],
                    },
                },
                "services": {
                    "time-stamping": {"tsa": {"signing-cert": "tsa"}},
                    "ocsp": {
                        "root": {
                            "for-issuer": "root",
                            "responder-cert": "root",
                            "signing-key": "root",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P30D",
                        }
                    },
                },
            }
        },
    }


def _listen(app: object) -> BaseWSGIServer:
    # Port 0: the OS picks a free loopback port, so parallel workers never meet.
    return make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]


@contextmanager
def running_pki(directory: Path) -> Iterator[TestPki]:
    """Start the CA's services on loopback; stop them on exit."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig

    keys = directory / "keys"
    keys.mkdir(parents=True)
    for name in ("root", "tsa", "signer"):
        _key_pem(keys / f"{name}.key.pem")
    holder: dict[str, object] = {}

    def app(environ: dict, start_response: object) -> object:
        return holder["animator"](environ, start_response)  # type: ignore[operator]

    server = _listen(app)
    url = f"http://127.0.0.1:{server.server_port}"
    config_dict = _config(url, keys)
    config_path = directory / "certomancer.yml"
    config_path.write_text(yaml.safe_dump(config_dict))
    config = CertomancerConfig(config_dict, key_search_dir=str(keys))
    architecture = config.get_pki_arch(ARCH)
    holder["animator"] = Animator(AnimatorArchStore({ARCH: architecture}), with_web_ui=False)
    root_path = directory / "root.pem"
    root_path.write_bytes(
        b"-----BEGIN CERTIFICATE-----\n"
        + _b64_lines(architecture.get_cert("root").dump())
        + b"-----END CERTIFICATE-----\n"
    )
    password = "rahasia-uji"
    signer_pkcs12 = directory / "signer.p12"
    signer_pkcs12.write_bytes(architecture.package_pkcs12("signer", password=password.encode()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TestPki(f"{url}/{ARCH}/tsa/tsa", root_path, signer_pkcs12, password, config_path)
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _b64_lines(der: bytes) -> bytes:
    import base64

    text = base64.b64encode(der)
    return b"".join(text[i : i + 64] + b"\n" for i in range(0, len(text), 64))


@contextmanager
def running_csc(pki: TestPki) -> Iterator[str]:
    """Start certomancer-csc-dummy (a CSC v1 signing service) for the test CA on
    loopback, with hash pinning required; yields its base URL and stops it on exit."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    # csc_dummy takes a port number: one the OS has just handed out as free (a worker
    # probing a fixed range could pick the port another worker is about to use).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "csc_dummy", str(pki.config_path), str(port), "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{url}/info", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the CSC test server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
