"""``negsim dashboard``: serve the page until interrupted."""

from __future__ import annotations

import argparse
import socket
import sys

from sim.model.errors import ScenarioError, quote

MAX_PORT = 65535


def _arguments(argv: list[str]) -> argparse.Namespace:
    """``--host`` and ``--port``, checked: a port in [1, 65535], a host name that resolves, a free address."""
    parser = argparse.ArgumentParser(
        prog="negsim dashboard", description="Serve the interactive dashboard (Mesa's SolaraViz) in the browser."
    )
    parser.add_argument("--host", default="localhost", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", default="8765", help="port to listen on (default: %(default)s)")

    def refuse(message: str) -> None:
        raise ScenarioError("negsim dashboard", " ".join(argv), "--host HOST --port PORT", problem=message)

    parser.error = refuse  # one line, as every negsim error
    args = parser.parse_args(argv)
    port = args.port.strip()
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= MAX_PORT):
        raise ScenarioError("--port", args.port, f"a port number in [1, {MAX_PORT}] (8765 by default)")
    args.port = int(port)
    try:
        socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as e:
        problem = f"cannot resolve host {quote(args.host)} ({e})"
        raise ScenarioError(
            "--host", args.host, "a host name or address (localhost, 127.0.0.1, 0.0.0.0)", problem=problem
        ) from None
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a port just freed is free
        try:
            s.bind((args.host, args.port))
        except OSError as e:
            raise ScenarioError(
                f"--host {args.host} --port {args.port}",
                None,
                "another --port or --host",
                problem=f"cannot listen there ({e.strerror})",
            ) from None
    return args


def main(argv: list[str]) -> None:
    """``negsim dashboard [--host HOST] [--port PORT]``: serve the dashboard until interrupted.

    Solara serves everything from this machine (its scripts and styles from the ``solara-assets`` package, the
    figures as images), so the page works without internet, as in a lecture hall.
    """
    args = _arguments(argv)
    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    print(f"negsim: dashboard at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    server = ["--host", args.host, "--port", str(args.port), "--production", "--theme-loader", "plain"]
    server += ["--no-open", "--no-check-version"]
    run.main(["sim.dashboard.page:Page", *server], standalone_mode=False)


if __name__ == "__main__":
    main(sys.argv[1:])
