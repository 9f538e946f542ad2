"""Serve the dashboard with several Streamlit processes behind nginx (scripts/serve.sh runs this).

One Streamlit process runs every session's script under one interpreter lock: it uses about one core
however many the machine has. `--workers N` starts N of them on 127.0.0.1 (ports after --port) and
nginx (Debian's package `nginx`) in front on --address:--port, with sticky sessions: a browser keeps
its worker, which holds its session (signed-in account, filters, downloads, uploads) and its
websocket. Stickiness is by a cookie nginx sets on the first request (`tuopin_worker`, a random
value hashed onto a worker), not by client address: a county office behind one NAT address would
otherwise land on one worker.

All workers read the same database file (TUOPIN_DB, or data/tuopin.duckdb) and account store
(TUOPIN_ACCOUNTS, or beside the database): each script run pins one generation of the file
(ui/data.pin_version), so an import swapping a new file in reaches every worker at its sessions' next
click, and no run mixes two generations. They share one cookie secret (XSRF and st.login cookies stay
valid if a browser lands on another worker after a restart), and nginx passes the client's address in
X-Real-IP, which the workers read for the sign-in throttle (TUOPIN_CLIENT_ADDRESS_HEADER).

    scripts/serve.sh --workers 2 --port 8501                 # http://<address>:8501
    TUOPIN_DB=/srv/tuopin/county.duckdb scripts/serve.sh --workers 4 --address 127.0.0.1

A worker that exits is started again. Ctrl-C (or SIGTERM) stops nginx and the workers.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NGINX_CONF = """\
{user}worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    # which worker each browser's requests went to (its sticky cookie, the worker, status, path)
    log_format sticky '$tuopin_worker $upstream_addr $status $request_uri';
    access_log {run}/nginx-access.log sticky;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size 2g;          # an import package uploaded through the browser
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # sticky sessions: the cookie's value, or a new random one (set below) for a first request
    map $cookie_tuopin_worker $tuopin_worker {{ "" $request_id; default $cookie_tuopin_worker; }}
    upstream tuopin {{
        hash $tuopin_worker consistent;
{servers}
    }}
    server {{
        listen {address}:{port};
        location / {{
            proxy_pass http://tuopin;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;          # Streamlit talks over a websocket
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_read_timeout 86400;
            proxy_buffering off;
            add_header Set-Cookie "tuopin_worker=$tuopin_worker; Path=/; HttpOnly; SameSite=Lax";
        }}
    }}
}}
"""


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def nginx_path() -> str | None:
    """Debian's nginx (in /usr/sbin, which a non-root PATH may lack), or None."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_binary() -> str:
    found = nginx_path()
    if found is None:
        raise SystemExit("nginx not found: apt-get install nginx (Debian's package), or run one worker with "
                         "scripts/start.sh")
    return found


def nginx_conf(run: Path, address: str, port: int, worker_ports: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in worker_ports)
    # started as root, nginx's workers drop to an unprivileged user (they only proxy)
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return NGINX_CONF.format(user=user, run=run, address=address, port=port, servers=servers)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Cluster:
    """N Streamlit workers and nginx in front of them."""

    workers: int
    port: int = 8501
    address: str = "0.0.0.0"
    env: dict[str, str] = field(default_factory=dict)
    run_dir: Path | None = None
    streamlit_args: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir or tempfile.mkdtemp(prefix="tuopin-serve-"))
        self.run_dir.chmod(0o711)  # nginx's unprivileged workers reach their temp folders in it
        self.worker_ports = [free_port() for _ in range(self.workers)]
        self.procs: list[subprocess.Popen | None] = [None] * self.workers
        self.nginx: subprocess.Popen | None = None
        self.cookie_secret = os.environ.get("TUOPIN_COOKIE_SECRET") or secrets.token_hex(32)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else self.address
        return f"http://{host}:{self.port}"

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p is not None]

    def log(self, index: int) -> Path:
        return self.run_dir / f"worker-{index + 1}.log"

    def start_worker(self, index: int) -> None:
        env = {**os.environ, "TUOPIN_CLIENT_ADDRESS_HEADER": "X-Real-IP",
               "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret, **self.env}
        with open(self.log(index), "ab") as out:
            self.procs[index] = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(self.worker_ports[index]),
                 "--browser.gatherUsageStats", "false",
                 *self.streamlit_args],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def start(self, timeout: float = 120) -> Cluster:
        for index in range(self.workers):
            self.start_worker(index)
        deadline = time.monotonic() + timeout
        for index, port in enumerate(self.worker_ports):
            while not healthy(f"http://127.0.0.1:{port}"):
                if time.monotonic() > deadline or self.procs[index].poll() is not None:
                    self.stop()
                    raise RuntimeError(f"worker {index + 1} did not start:\n"
                                       f"{self.log(index).read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_conf(self.run_dir, self.address or "0.0.0.0", self.port, self.worker_ports))
        self.nginx = subprocess.Popen([nginx_binary(), "-p", str(self.run_dir), "-c", str(conf),
                                       "-e", str(self.run_dir / "nginx-error.log"), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while not healthy(self.url):
            if time.monotonic() > deadline or self.nginx.poll() is not None:
                error = self.nginx.stderr.read().decode(errors="replace") if self.nginx.poll() is not None else ""
                self.stop()
                raise RuntimeError(f"nginx did not start: {error}")
            time.sleep(0.2)
        return self

    def restart_dead_workers(self) -> list[int]:
        dead = [i for i, p in enumerate(self.procs) if p is not None and p.poll() is not None]
        for index in dead:
            self.start_worker(index)
        return dead

    def stop(self) -> None:
        procs = [p for p in (self.nginx, *self.procs) if p is not None and p.poll() is None]
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="Streamlit processes (about one core each)")
    parser.add_argument("--port", type=int, default=8501, help="the port nginx listens on")
    parser.add_argument("--address", default="0.0.0.0", help="the address nginx listens on")
    args, streamlit_args = parser.parse_known_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    cluster = Cluster(args.workers, args.port, args.address, streamlit_args=streamlit_args)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        cluster.start()
        print(f"tuopin: {args.workers} workers (ports {', '.join(map(str, cluster.worker_ports))}) behind nginx "
              f"on {cluster.url}; logs in {cluster.run_dir}", flush=True)
        while not stopping:
            for index in cluster.restart_dead_workers():
                print(f"tuopin: worker {index + 1} exited; started again", flush=True)
            if cluster.nginx.poll() is not None:
                raise SystemExit("nginx exited; see " + str(cluster.run_dir / "nginx-error.log"))
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
