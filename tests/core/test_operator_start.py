"""A newcomer's first start: where data lives, which port, what is installed, what is there."""

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from loket.core.management.commands.serve import ensure_bindable, gunicorn_argv, split_bind

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_taken_port_is_one_clear_error_before_any_set_up(taken_port) -> None:
    with pytest.raises(CommandError, match=f"Port {taken_port} on 127.0.0.1 is already in use"):
        # No database access happens: the check runs before the minute of set-up.
        call_command("demo", "--bind", f"127.0.0.1:{taken_port}", stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"BIND=127\.0\.0\.1:8080"):
        call_command("serve", "--bind", f"127.0.0.1:{taken_port}")


def test_a_free_port_passes_and_a_malformed_bind_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    ensure_bindable(f"127.0.0.1:{free}")
    assert split_bind("[::1]:8001") == ("::1", 8001)
    for bad in ("8000", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:0", "127.0.0.1:65536"):
        with pytest.raises(CommandError, match="HOST:PORT"):
            split_bind(bad)


def test_each_gunicorn_gets_its_own_control_socket_or_none(monkeypatch) -> None:
    monkeypatch.delenv("LOKET_GUNICORN_CONTROL_SOCKET", raising=False)
    argv = gunicorn_argv("127.0.0.1:8000", 1, 1)
    assert "--no-control-socket" in argv and "--control-socket" not in argv
    monkeypatch.setenv("LOKET_GUNICORN_CONTROL_SOCKET", "/run/loket/a.ctl")
    argv = gunicorn_argv("127.0.0.1:8000", 1, 1)
    assert argv[argv.index("--control-socket") + 1] == "/run/loket/a.ctl"
    assert "--no-control-socket" not in argv


def test_the_data_directory_does_not_depend_on_the_current_directory(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LOKET_DATA_DIR", "LOKET_SERVICES_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    env["PYTHONPATH"] = str(REPO / "src")
    probe = (
        "from django.conf import settings; "
        "print(settings.DATA_DIR); print(settings.LOKET_SERVICES_DIR)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    data_dir, services_dir = out.stdout.split()
    assert Path(data_dir) == REPO / "var"
    assert Path(services_dir) == REPO / "services"
    assert not (tmp_path / "var").exists()  # no stray directory with fresh secrets


def test_make_demo_installs_only_what_running_needs(tmp_path) -> None:
    plan = subprocess.run(
        ["make", "-n", "demo", f"VENV={tmp_path}/venv", "BIND=127.0.0.1:8123"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plan.returncode == 0, plan.stderr
    assert "pip install --quiet -e .\n" in plan.stdout + "\n"
    assert ".[dev]" not in plan.stdout
    assert "loket demo --bind 127.0.0.1:8123" in plan.stdout


@pytest.mark.django_db
def test_demo_otp_names_the_database_it_looked_in(monkeypatch, settings) -> None:
    monkeypatch.setenv("LOKET_DEMO", "1")
    with pytest.raises(CommandError) as error:
        call_command("demo-otp", "nobody")
    assert str(settings.DATA_DIR) in str(error.value)
    assert "SQLite" in str(error.value) or "PostgreSQL" in str(error.value)
