"""`scripts/prod.sh stop` beside the stop that `make prod`'s EXIT trap runs.

`run` waits; `stop` marks the run folder "stopping", `run` sees it and exits, and its EXIT trap
stops too. CI on e7b4988 caught the two racing: one removed nginx.pid between the other's test
for it and its `cat`, and `make prod-stop` ended with status 1. Here the processes are stand-ins
(`sleep`, each the leader of its own group, as `launch` starts them), so no stack is needed.
"""

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["web1", "web2", "beat", "nginx"]


def launch_stand_ins(run_dir):
    procs = {}
    for name in NAMES:
        proc = subprocess.Popen(["sleep", "300"], start_new_session=True)
        (run_dir / f"{name}.pid").write_text(f"{proc.pid}\n")
        procs[name] = proc
        # Reaped as soon as it ends, as init reaps `launch`'s orphans: a zombie answers kill -0,
        # and stop would wait out its grace period for it.
        threading.Thread(target=proc.wait, daemon=True).start()
    return procs


def stop(prod_dir):
    env = {**os.environ, "PROD_DIR": str(prod_dir)}
    return subprocess.Popen(
        ["bash", "scripts/prod.sh", "stop"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("round_", range(8))  # the race is narrow: one round alone often misses it
def test_two_stops_at_once_both_end_well_and_stop_each_process_once(tmp_path, round_):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    procs = launch_stand_ins(run_dir)
    try:
        first, second = stop(tmp_path), stop(tmp_path)
        outs = [p.communicate(timeout=60) for p in (first, second)]
        assert [first.returncode, second.returncode] == [0, 0], outs
        for proc in procs.values():
            assert proc.wait(timeout=10) == -signal.SIGTERM
        said = "".join(out for out, _err in outs)
        for name, proc in procs.items():
            assert said.count(f"stopped {name} ({proc.pid})") == 1, said
        assert list(run_dir.glob("*.pid")) == []
        assert (run_dir / "stopping").exists()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()


def test_stop_with_nothing_started_says_nothing_and_succeeds(tmp_path):
    stopped = stop(tmp_path / "never-started")
    out, err = stopped.communicate(timeout=30)
    assert (stopped.returncode, out, err) == (0, "", "")
