"""Benchmark of the portal at the alliance's size (1x) and ten times it (10x). See docs/performance.md.

    .venv/bin/python bench/run.py            # everything: seed if needed, query counts, load test, exports
    .venv/bin/python bench/run.py --help     # options (databases, clients, duration, what to skip)

The load test serves the 10x database with gunicorn (DEBUG off, plain HTTP) and signs in 20 clients through the
real login form and second factor, then each client reads its role's pages with a pause between requests, as a
person would. The query counts come from the Django test client in-process, against each database.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_PASSWORD = "bench-ASeTW-2026"  # core.scale.BENCH_PASSWORD: this process does not load Django
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BENCH_DOMAIN = "bench.asetw.invalid"
CLIENTS = {"delegate": 10, "pilot": 4, "coordinator": 6}
TARGETS_MS = {"admin_adhesions": 300, "library_search": 100}
DEFAULT_TARGET_MS = 150
PG = "postgres://postgres@127.0.0.1:5432/"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db-10x", default=os.environ.get("BENCH_DB_10X", PG + "asetw_bench"))
    parser.add_argument("--db-1x", default=os.environ.get("BENCH_DB_1X", PG + "asetw_bench1"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--clients", type=int, default=20, help="concurrent signed-in clients (20)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of measured load (60)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a client's requests, s (1.0)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--queries",
        action="store_true",
        help="only print each page's query count and in-process time against DATABASE_URL (already seeded)",
    )
    parser.add_argument("--skip-seed", action="store_true", help="fail instead of seeding a missing dataset")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "results.json"), help="where to save figures")
    return parser.parse_args(argv)


# --- subprocesses with Django set up against one database ------------------------------------------------


def django_env(database_url: str, redis_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        SECURE_COOKIES="0",
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE=env.get("DJANGO_SETTINGS_MODULE", "asetw.settings"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        LOG_LEVEL="WARNING",
    )
    return env


def in_django(database_url: str, redis_url: str, *args: str) -> dict:
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "pages.py"), *args],
        env=django_env(database_url, redis_url),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-3000:])
        raise SystemExit(f"bench/pages.py {' '.join(args)} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(database_url: str, redis_url: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=django_env(database_url, redis_url), cwd=ROOT, check=True)


def create_database(database_url: str) -> None:
    """Create the database if the server does not have it yet (the first run on a machine)."""
    import psycopg2

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def ensure_dataset(database_url: str, redis_url: str, factor: int, *, may_seed: bool) -> None:
    name = database_url.rsplit("/", 1)[-1]
    create_database(database_url)
    manage(database_url, redis_url, "migrate", "--no-input", "-v0")
    if in_django(database_url, redis_url, "seeded"):
        print(f"[{name}] scale data present (factor {factor} expected): not reseeding")
        return
    if not may_seed:
        raise SystemExit(f"{name} has no scale data: run manage.py seed_scale --factor {factor} --force")
    print(f"[{name}] seeding factor {factor}…")
    manage(database_url, redis_url, "seed_scale", "--factor", str(factor), "--force")


# --- HTTP clients ------------------------------------------------------------------------------------------


def totp_now(secret: str, at: float | None = None) -> str:
    """RFC 6238 code (30 s, 6 digits, SHA-1): what an authenticator app shows."""
    key = base64.b32decode(secret)
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One person's browser: cookies, CSRF tokens from the forms, redirects followed."""

    def __init__(self, base: str, email: str):
        self.base, self.email = base, email
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode("utf-8", "replace")

    def post_form(self, path: str, fields: dict) -> tuple[int, str, str]:
        status, _url, page = self.request(path)
        token = _CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"{self.email}: no form at {path} ({status})")
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})

    def sign_in(self) -> None:
        for attempt in range(12):
            status, url, _page = self.post_form("/compte/login/", {"login": self.email, "password": BENCH_PASSWORD})
            if status != 429:
                break
            time.sleep(5 + attempt * 5)  # the login rate limit of allauth: wait and try again
        if "/2fa/authenticate" in url:
            for attempt in range(3):
                if attempt:
                    time.sleep(31 - time.time() % 30)  # a code is accepted once: use the next one
                status, url, _page = self.post_form(
                    urllib.parse.urlsplit(url).path, {"code": totp_now(BENCH_TOTP_SECRET)}
                )
                if "/2fa/authenticate" not in url:
                    break
        if status != 200 or "/compte/login" in url or "/2fa/" in url:
            raise RuntimeError(f"{self.email}: sign-in failed ({status} at {url})")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def run_load(base: str, pages: dict, args) -> dict:
    roles = [role for role, count in CLIENTS.items() for _ in range(count)]
    roles = (roles * (args.clients // len(roles) + 1))[: args.clients]
    counters = dict.fromkeys(CLIENTS, 0)
    browsers = []
    print(f"Signing in {len(roles)} clients one after the other…")
    for role in roles:
        counters[role] = counters[role] % CLIENTS[role] + 1
        browser = Browser(base, f"{role}{counters[role]:02d}@{BENCH_DOMAIN}")
        browser.sign_in()
        browser.role = role
        browsers.append(browser)
    samples: dict[str, list[float]] = {name: [] for name in pages} | {"healthz": []}
    errors: list[str] = []
    lock = threading.Lock()
    for browser in browsers:  # one warm-up pass: templates, connections and caches of every worker
        for page in pages.values():
            if page["role"] == browser.role:
                browser.request(page["url"])
    deadline = time.monotonic() + args.duration

    def client(browser: Browser, seed: int) -> None:
        rng = random.Random(seed)
        mine = [name for name, page in pages.items() if page["role"] == browser.role] + ["healthz"]
        while time.monotonic() < deadline:
            name = rng.choice(mine)
            url = "/healthz" if name == "healthz" else pages[name]["url"]
            started = time.perf_counter()
            status, final_url, _body = browser.request(url)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200 and final_url.endswith(url):
                    samples[name].append(elapsed)
                else:
                    errors.append(f"{name}: {status} {final_url}")
            time.sleep(rng.expovariate(1 / args.think) if args.think else 0)

    print(f"Measuring for {args.duration:.0f} s…")
    threads = [threading.Thread(target=client, args=(browser, n)) for n, browser in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    health_p95 = percentile(samples["healthz"], 0.95)
    result = {"errors": errors[:20], "error_count": len(errors), "pages": {}}
    for name, values in samples.items():
        p95 = percentile(values, 0.95)
        result["pages"][name] = {
            "requests": len(values),
            "p50_ms": round(percentile(values, 0.5), 1),
            "p95_ms": round(p95, 1),
            "p95_over_healthz": round(p95 / health_p95, 1) if health_p95 else None,
            "mean_ms": round(statistics.fmean(values), 1) if values else None,
        }
    return result


def free_port(port: int) -> int:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) != 0:
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_and_load(args, pages: dict) -> dict:
    env = django_env(args.db_10x, args.redis)
    port = free_port(args.port)
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115 - kept for reading after the run
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "asetw.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--worker-class=gthread",
            "--timeout=120",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
                    if response.status == 200:
                        break
            except OSError:  # not listening yet, or still loading the application
                time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn did not answer; see {log.name}")
        result = run_load(base, pages, args)
        result["server"] = f"gunicorn gthread, {args.workers} workers x {args.threads} threads"
        os.unlink(log.name)  # the server's log is kept only when something went wrong
        return result
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# --- report ------------------------------------------------------------------------------------------------


def print_report(results: dict) -> None:
    load = results.get("load", {}).get("pages", {})
    q1 = results.get("queries_1x", {}).get("queries", {})
    q10 = results.get("queries_10x", {}).get("queries", {})
    alone = results.get("queries_10x", {}).get("in_process_median_ms", {})
    names = list(dict.fromkeys([*load, *q10]))
    print()
    print("p50/p95: over HTTP under load (10x); alone: median in-process time of one request (10x); q: queries")
    print(
        f"{'page':<16} {'req':>5} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'p95/hz':>7} {'alone':>7} "
        f"{'q 1x':>5} {'q 10x':>6}"
    )
    for name in names:
        row = load.get(name, {})
        target = "" if name == "healthz" else TARGETS_MS.get(name, DEFAULT_TARGET_MS)
        flag = ""
        if target and row.get("p95_ms", 0) > target:
            flag += " p95!"
        if name in q10 and name in q1 and q1[name] != q10[name]:
            flag += " queries grow!"
        print(
            f"{name:<16} {row.get('requests', ''):>5} {row.get('p50_ms', ''):>8} {row.get('p95_ms', ''):>8} "
            f"{target:>7} {row.get('p95_over_healthz', ''):>7} {alone.get(name, ''):>7} "
            f"{q1.get(name, ''):>5} {q10.get(name, ''):>6}{flag}"
        )
    if results.get("load", {}).get("error_count"):
        print(f"errors during the load: {results['load']['error_count']}, e.g. {results['load']['errors'][:3]}")
    for label, figures in results.get("exports", {}).items():
        print(
            f"{label:<28} {figures['seconds']:>7.2f} s  peak {figures['peak_mb']:>5} MB  "
            f"{figures['bytes'] // 1024} KiB  ({figures['detail']})"
        )


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.queries:
        database_url = os.environ.get("DATABASE_URL") or args.db_10x
        figures = in_django(database_url, os.environ.get("REDIS_URL") or args.redis, "queries")
        for name, count in figures["queries"].items():
            print(f"{name:<16} {count:>3} queries  {figures['in_process_median_ms'][name]:>7} ms")
        return
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "cpus": os.cpu_count()}
    ensure_dataset(args.db_1x, args.redis, 1, may_seed=not args.skip_seed)
    ensure_dataset(args.db_10x, args.redis, 10, may_seed=not args.skip_seed)
    # DEBUG is off, so pages need the hashed static files' manifest, as in production.
    manage(args.db_10x, args.redis, "collectstatic", "--no-input", "-v0")
    results["queries_10x"] = in_django(args.db_10x, args.redis, "queries")
    if not args.skip_queries:
        results["queries_1x"] = in_django(args.db_1x, args.redis, "queries")
    if not args.skip_load:
        results["load"] = serve_and_load(args, results["queries_10x"]["urls"])
        results["load"]["clients"], results["load"]["think_s"] = args.clients, args.think
    if not args.skip_exports:
        results["exports"] = {}
        for kind, database, label in [
            ("member_pdf", args.db_10x, "member report PDF (10x)"),
            ("consolidated_pdf", args.db_1x, "consolidated PDF (1x)"),
            ("xlsx", args.db_1x, "evaluation XLSX (1x)"),
            ("consolidated_pdf", args.db_10x, "consolidated PDF (10x)"),
            ("xlsx", args.db_10x, "evaluation XLSX (10x)"),
        ]:
            print(f"Timing {label}…")
            results["exports"][label] = in_django(database, args.redis, "export", kind)
    print_report(results)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(f"\nFigures saved to {path}")


if __name__ == "__main__":
    main()
